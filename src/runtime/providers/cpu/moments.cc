// MeanVarianceNormalization(X; axes = [0, 2, 3]) (kernels/cpu/moments.h). BatchNormalization's
// training mode, which uses the same statistics, stays with BatchNormalization in nn.cc.
#include "kernels/cpu/moments.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_mvn(const KernelInit& init) {
  const std::vector<int64_t> axes = init.attr_ints("axes", {0, 2, 3});
  return [axes](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> resolved;
    for (int64_t a : axes) {
      FLOWONNX_REQUIRE(a >= -x.rank() && a < x.rank(), "MeanVarianceNormalization: axis {} out of range for "
                       "input {}", a, x.describe());
      resolved.push_back(a < 0 ? a + x.rank() : a);
    }
    kernels::mean_variance_normalize(x, resolved, ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

}  // namespace

void register_moments_kernels(KernelRegistry& r) {
  r.add("", "MeanVarianceNormalization", make_mvn, rules::same_as_input());
}

}  // namespace flowonnx::runtime::cpu
