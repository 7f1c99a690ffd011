// Kernels of the runtime-internal element-wise ops (domain flowonnx.cpu) that the session-time
// rewrites in runtime/optimize/ create from spelled-out subgraphs: Gelu (fuse_gelu.h). Like
// fused.cc's, they are only in session_kernel_registry(): no model may name them.
#include "kernels/cpu/unary_math.h"
#include "runtime/optimize/fuse_gelu.h"
#include "runtime/optimize/graph_views.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

// y = x / 2 * (1 + erf(x / sqrt 2)), float32 (vectorised) or float64.
ComputeFn make_gelu(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::unary_math(kernels::MathOp::Gelu, x, ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

}  // namespace

void register_fused_elementwise_kernels(KernelRegistry& r) {
  r.add(kInternalDomain, kGelu, make_gelu);
}

}  // namespace flowonnx::runtime::cpu
