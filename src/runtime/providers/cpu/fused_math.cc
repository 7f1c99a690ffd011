// Kernels of the runtime-internal math ops (domain flowonnx.cpu) that the session-time rewrites
// in runtime/optimize/ create from spelled-out subgraphs: Gelu (fuse_gelu.h) and FusedMatMul
// (fuse_matmul.h). Like fused.cc's, they are only in session_kernel_registry(): no model may
// name them.
#include "ir/rewrite.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/unary_math.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/fuse_gelu.h"
#include "runtime/optimize/fuse_matmul.h"
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

// y = activation(alpha * A B (B transposed with trans_b) + bias).
ComputeFn make_fused_matmul(const KernelInit& init) {
  kernels::MatMulParams params;
  params.transpose_b = init.attr_int("trans_b", 0) != 0;
  params.alpha = init.attr_float("alpha", 1.0);
  const std::string activation = init.attr_string("activation", "");
  if (activation == "Gelu")
    params.activation = kernels::MatMulActivation::Gelu;
  else if (!activation.empty())
    init.fail_model("unknown activation '" + activation + "'");
  return [params](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Shape shape = kernels::matmul_output_shape(a.shape(), b.shape(), params);
    kernels::matmul_bias(a, b, ctx.has_input(2) ? ctx.input(2) : Tensor(), params,
                         ctx.allocate_output(0, shape, DType::Float32));
  };
}

}  // namespace

void register_fused_math_kernels(KernelRegistry& r) {
  r.add(kInternalDomain, kGelu, make_gelu);
  r.add(kInternalDomain, kFusedMatMul, make_fused_matmul);
}

}  // namespace flowonnx::runtime::cpu
