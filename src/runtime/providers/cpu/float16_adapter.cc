#include "runtime/providers/cpu/float16_adapter.h"

#include <vector>

namespace flowonnx::runtime::cpu {

ComputeFn float16_via_float32(ComputeFn compute) {
  return [compute](KernelContext& ctx) {
    bool any_half = false;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      any_half = any_half || (ctx.has_input(i) && ctx.input(i).dtype() == DType::Float16);
    if (!any_half) return compute(ctx);
    // Widening must not make a float16/float32 mix look like one type to the kernel.
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      FLOWONNX_REQUIRE(!ctx.has_input(i) || !is_floating(ctx.input(i).dtype()) ||
                           ctx.input(i).dtype() == DType::Float16,
                       "float16 inputs mixed with {} (input {})", ctx.input(i).describe(), i);
    std::vector<Tensor> widened(ctx.num_inputs());
    std::vector<const Tensor*> inputs(ctx.num_inputs(), nullptr);
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) continue;
      const Tensor& t = ctx.input(i);
      widened[i] = t.dtype() == DType::Float16 ? t.to(DType::Float32) : t;
      inputs[i] = &widened[i];
    }
    std::vector<Tensor> outputs(ctx.num_outputs());
    std::vector<bool> pooled(ctx.num_outputs(), false);
    KernelContext inner(inputs, outputs, pooled,
                        [](const Shape& shape, DType dtype) { return Tensor(shape, dtype); });
    compute(inner);
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (!outputs[i].defined()) continue;
      if (outputs[i].dtype() == DType::Float32)
        ctx.allocate_output(i, outputs[i].shape(), DType::Float16).copy_from(outputs[i]);
      else
        ctx.set_output(i, outputs[i]);
    }
  };
}

}  // namespace flowonnx::runtime::cpu
