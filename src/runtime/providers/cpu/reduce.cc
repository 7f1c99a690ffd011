// Reductions: ReduceX (canonical form: axes as an optional input, noop_with_empty_axes) and
// ArgMax / ArgMin.
#include "kernels/cpu/reduce.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

using kernels::ReduceOp;

template <ReduceOp Op>
ComputeFn make_reduce(const KernelInit& init) {
  bool keepdims = init.attr_int("keepdims", 1) != 0;
  bool noop_with_empty_axes = init.attr_int("noop_with_empty_axes", 0) != 0;
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> axes;
    if (ctx.has_input(1)) axes = tensor_to_int64s(ctx.input(1), "reduce axes");
    if (axes.empty() && noop_with_empty_axes) {
      Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
      std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
      return;
    }
    std::vector<bool> mask(x.rank(), axes.empty());
    for (int64_t axis : axes) {
      FLOWONNX_REQUIRE(axis >= -x.rank() && axis < x.rank(), "reduce: axis {} out of range for {}",
                       axis, x.describe());
      mask[axis < 0 ? axis + x.rank() : axis] = true;
    }
    Shape shape = kernels::reduced_shape(x.shape(), mask, keepdims);
    kernels::reduce(Op, x, mask, ctx.allocate_output(0, shape, x.dtype()));
  };
}

template <bool Max>
ComputeFn make_arg(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  bool keepdims = init.attr_int("keepdims", 1) != 0;
  bool last = init.attr_int("select_last_index", 0) != 0;
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(axis >= -x.rank() && axis < x.rank(), "ArgMax/ArgMin: axis {} out of range for {}",
                     axis, x.describe());
    int64_t a = axis < 0 ? axis + x.rank() : axis;
    std::vector<bool> mask(x.rank(), false);
    mask[a] = true;
    Shape shape = kernels::reduced_shape(x.shape(), mask, keepdims);
    kernels::arg_reduce(Max, x, a, last, ctx.allocate_output(0, shape, DType::Int64));
  };
}

}  // namespace

void register_reduce_kernels(KernelRegistry& r) {
  r.add("", "ReduceSum", make_reduce<ReduceOp::Sum>);
  r.add("", "ReduceMean", make_reduce<ReduceOp::Mean>);
  r.add("", "ReduceMax", make_reduce<ReduceOp::Max>);
  r.add("", "ReduceMin", make_reduce<ReduceOp::Min>);
  r.add("", "ReduceProd", make_reduce<ReduceOp::Prod>);
  r.add("", "ReduceL1", make_reduce<ReduceOp::L1>);
  r.add("", "ReduceL2", make_reduce<ReduceOp::L2>);
  r.add("", "ReduceLogSum", make_reduce<ReduceOp::LogSum>);
  r.add("", "ReduceLogSumExp", make_reduce<ReduceOp::LogSumExp>);
  r.add("", "ReduceSumSquare", make_reduce<ReduceOp::SumSquare>);
  r.add("", "ArgMax", make_arg<true>, rules::dtype_only(DType::Int64));
  r.add("", "ArgMin", make_arg<false>, rules::dtype_only(DType::Int64));
}

}  // namespace flowonnx::runtime::cpu
