// Linear algebra: Det(X [.., M, M]) -> [..] (kernels/cpu/linalg.h).
#include "kernels/cpu/linalg.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_det(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() >= 2, "Det: input must be [.., M, M], got {}", x.describe());
    kernels::determinant(x, ctx.allocate_output(0, Shape(x.shape().begin(), x.shape().end() - 2), x.dtype()));
  };
}

}  // namespace

void register_linalg_kernels(KernelRegistry& r) { r.add("", "Det", make_det, rules::input_dtype_only()); }

}  // namespace flowonnx::runtime::cpu
