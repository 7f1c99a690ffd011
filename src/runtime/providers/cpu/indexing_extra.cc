// Data-picked outputs beyond indexing.cc: Unique, Compress, ReverseSequence and MaxUnpool. Every
// index and length is checked before data moves (kernels/cpu/indexing_extra.h).
#include "kernels/cpu/indexing_extra.h"

#include "kernels/cpu/data_movement.h"
#include "kernels/cpu/kernel_checks.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

void write_int64s(KernelContext& ctx, size_t output, const std::vector<int64_t>& values) {
  if (output >= ctx.num_outputs()) return;
  Tensor& t = ctx.allocate_output(output, {static_cast<int64_t>(values.size())}, DType::Int64);
  std::copy(values.begin(), values.end(), t.data<int64_t>());
}

ComputeFn make_unique(const KernelInit& init) {
  const bool has_axis = init.has_attr("axis");
  const int64_t axis = init.attr_int("axis", 0);
  const bool sorted = init.attr_int("sorted", 1) != 0;
  return [has_axis, axis, sorted](KernelContext& ctx) {
    const Tensor& input = ctx.input(0);
    // Without an axis the tensor is taken flat.
    const Tensor x = has_axis ? input : input.reshape({input.num_elements()});
    const int64_t a = kernels::detail::normalize_axis("Unique", has_axis ? axis : 0, x.rank());
    kernels::UniqueResult r = kernels::unique_slices(x, a, sorted);
    Shape shape = x.shape();
    shape[a] = static_cast<int64_t>(r.first.size());
    kernels::gather(x, a, r.first, ctx.allocate_output(0, shape, x.dtype()));
    write_int64s(ctx, 1, r.first);
    write_int64s(ctx, 2, r.inverse);
    write_int64s(ctx, 3, r.counts);
  };
}

ComputeFn make_compress(const KernelInit& init) {
  const bool has_axis = init.has_attr("axis");
  const int64_t axis = init.attr_int("axis", 0);
  return [has_axis, axis](KernelContext& ctx) {
    const Tensor& input = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    FLOWONNX_REQUIRE(condition.dtype() == DType::Bool && condition.rank() == 1,
                     "input 1 (condition) {} must be a 1-D bool tensor", condition.describe());
    const Tensor x = has_axis ? input : input.reshape({input.num_elements()});
    const int64_t a = kernels::detail::normalize_axis("Compress", has_axis ? axis : 0, x.rank());
    // As ONNX Runtime: a condition longer than the axis is cut to it, a shorter one selects
    // nothing past its end.
    const int64_t n = std::min(condition.num_elements(), x.shape()[a]);
    std::vector<int64_t> selected;
    for (int64_t i = 0; i < n; ++i)
      if (condition.data<bool>()[i]) selected.push_back(i);
    Shape shape = x.shape();
    shape[a] = static_cast<int64_t>(selected.size());
    kernels::gather(x, a, selected, ctx.allocate_output(0, shape, x.dtype()));
  };
}

ComputeFn make_reverse_sequence(const KernelInit& init) {
  const int64_t time_axis = init.attr_int("time_axis", 0);
  const int64_t batch_axis = init.attr_int("batch_axis", 1);
  if (!((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0)))
    init.fail_model(
        fmt::format("time_axis {} and batch_axis {} must be 0 and 1", time_axis, batch_axis));
  return [time_axis, batch_axis](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> lens = tensor_to_int64s(ctx.input(1), "input 1 (sequence_lens)");
    kernels::reverse_sequence(x, lens, time_axis, batch_axis,
                              ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

ComputeFn make_max_unpool(const KernelInit& init) {
  const std::vector<int64_t> kernel = init.attr_ints("kernel_shape");
  if (kernel.empty()) init.fail_model("kernel_shape is required");
  const size_t spatial = kernel.size();
  const std::vector<int64_t> strides = init.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> pads = init.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || pads.size() != 2 * spatial)
    init.fail_model(fmt::format("strides ({}) and pads ({}) must match kernel_shape's {} dims",
                                strides.size(), pads.size(), spatial));
  for (size_t i = 0; i < spatial; ++i)
    if (kernel[i] < 1 || strides[i] < 1 || pads[i] < 0 || pads[spatial + i] < 0)
      init.fail_model("kernel_shape and strides must be positive, pads not negative");
  return [kernel, strides, pads, spatial](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() == static_cast<int>(spatial) + 2,
                     "input 0 (X) {} must be [N, C] plus kernel_shape's {} spatial dims",
                     x.describe(), spatial);
    Shape shape;
    if (ctx.has_input(2) && ctx.input(2).num_elements() > 0) {
      shape = tensor_to_int64s(ctx.input(2), "input 2 (output_shape)");
      FLOWONNX_REQUIRE(static_cast<int>(shape.size()) == x.rank() && shape[0] == x.shape()[0] &&
                           shape[1] == x.shape()[1],
                       "input 2 (output_shape) {} must be X's rank with X's N and C ({})",
                       shape_to_string(shape), x.describe());
      for (int64_t d : shape) FLOWONNX_REQUIRE(d >= 0, "input 2 (output_shape) has a negative dim");
    } else {
      shape = {x.shape()[0], x.shape()[1]};
      for (size_t i = 0; i < spatial; ++i) {
        const int64_t d =
            (x.shape()[2 + i] - 1) * strides[i] - pads[i] - pads[spatial + i] + kernel[i];
        FLOWONNX_REQUIRE(d >= 0, "the output would have a negative dim {}", d);
        shape.push_back(d);
      }
    }
    kernels::max_unpool(x, ctx.input(1), ctx.allocate_output(0, shape, x.dtype()));
  };
}

std::optional<ir::ValueType> int64_vector(const TypeContext&) {
  return ir::ValueType{DType::Int64, std::vector<ir::Dim>{ir::Dim{}}};
}

}  // namespace

void register_indexing_extra_kernels(KernelRegistry& r) {
  r.add("", "Unique", make_unique,
        rules::per_output({rules::input_dtype_only(), int64_vector, int64_vector, int64_vector}));
  r.add("", "Compress", make_compress, rules::input_dtype_only());
  r.add("", "ReverseSequence", make_reverse_sequence, rules::same_as_input(0));
  r.add("", "MaxUnpool", make_max_unpool, rules::input_dtype_only());
}

}  // namespace flowonnx::runtime::cpu
