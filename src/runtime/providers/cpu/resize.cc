// Resize (canonical form X, roi, scales, sizes; Upsample and Resize-10 are rewritten to it at
// import): nearest / linear / cubic over any dims, all coordinate transformation modes.
#include "kernels/cpu/resize.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_resize(const KernelInit& init) {
  kernels::ResizeParams base;
  std::string mode = init.attr_string("mode", "nearest");
  if (mode == "nearest") base.mode = kernels::ResizeMode::Nearest;
  else if (mode == "linear") base.mode = kernels::ResizeMode::Linear;
  else if (mode == "cubic") base.mode = kernels::ResizeMode::Cubic;
  else init.fail_model("mode must be nearest, linear or cubic, got " + mode);
  base.coordinate_mode = init.attr_string("coordinate_transformation_mode", "half_pixel");
  base.nearest_mode = init.attr_string("nearest_mode", "round_prefer_floor");
  base.cubic_coeff_a = init.attr_float("cubic_coeff_a", -0.75);
  base.exclude_outside = init.attr_int("exclude_outside", 0) != 0;
  base.extrapolation_value = init.attr_float("extrapolation_value", 0.0);
  kernels::validate_resize_params(base);
  return [base](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::ResizeParams p = base;
    const int64_t rank = x.rank();
    if (ctx.has_input(1) && ctx.input(1).num_elements() > 0) {
      p.roi = ctx.input(1).to_double_vector();
      FLOWONNX_REQUIRE(static_cast<int64_t>(p.roi.size()) == 2 * rank, "Resize: roi has {} values for rank {}",
                       p.roi.size(), rank);
    }
    Shape out = x.shape();
    if (ctx.has_input(3) && ctx.input(3).num_elements() > 0) {
      std::vector<int64_t> sizes = tensor_to_int64s(ctx.input(3), "Resize sizes");
      FLOWONNX_REQUIRE(static_cast<int64_t>(sizes.size()) == rank, "Resize: {} sizes for rank {}", sizes.size(), rank);
      for (int64_t d = 0; d < rank; ++d) {
        FLOWONNX_REQUIRE(sizes[d] >= 0, "Resize: negative size {}", sizes[d]);
        out[d] = sizes[d];
        p.scales.push_back(x.shape()[d] == 0 ? 1.0 : static_cast<double>(sizes[d]) / x.shape()[d]);
      }
    } else {
      FLOWONNX_REQUIRE(ctx.has_input(2), "Resize: needs scales or sizes");
      p.scales = ctx.input(2).to_double_vector();
      FLOWONNX_REQUIRE(static_cast<int64_t>(p.scales.size()) == rank, "Resize: {} scales for rank {}",
                       p.scales.size(), rank);
      for (int64_t d = 0; d < rank; ++d) {
        FLOWONNX_REQUIRE(p.scales[d] > 0, "Resize: scale {} must be positive", p.scales[d]);
        double length = std::floor(x.shape()[d] * p.scales[d]);
        FLOWONNX_REQUIRE(length < static_cast<double>(kMaxElements), "Resize: output too large");
        out[d] = static_cast<int64_t>(length);
      }
    }
    kernels::resize(x, p, ctx.allocate_output(0, out, x.dtype()));
  };
}

}  // namespace

void register_resize_kernels(KernelRegistry& r) { r.add("", "Resize", make_resize); }

}  // namespace flowonnx::runtime::cpu
