// Einsum: the equation is parsed and checked against the operands at each run (shapes may
// change), then computed by kernels/cpu/einsum.h.
#include "kernels/cpu/einsum.h"

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_einsum(const KernelInit& init) {
  if (!init.has_attr("equation")) init.fail_model("the equation attribute is required");
  const std::string equation = init.attr_string("equation", "");
  return [equation](KernelContext& ctx) {
    std::vector<const Tensor*> inputs;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(&ctx.input(i));
    const Shape shape = kernels::einsum_output_shape(equation, inputs);
    kernels::einsum(equation, inputs, ctx.allocate_output(0, shape, inputs.at(0)->dtype()));
  };
}

}  // namespace

void register_einsum_kernels(KernelRegistry& r) {
  r.add("", "Einsum", make_einsum, rules::input_dtype_only());
}

}  // namespace flowonnx::runtime::cpu
