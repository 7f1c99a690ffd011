// Resize (canonical form X, roi, scales, sizes; Upsample and Resize-10 are rewritten to it at
// import): nearest / linear / cubic over any dims, all coordinate transformation modes, and the
// Resize-18/19 additions: `axes` (roi, scales and sizes given for those dims only),
// keep_aspect_ratio_policy, antialias and half_pixel_symmetric.
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/resize.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

// The Resize-18 keep_aspect_ratio_policy for a `sizes` input.
enum class AspectPolicy { Stretch, NotLarger, NotSmaller };

// Spreads values given for `axes` over every dim (`fill` elsewhere); checks their count.
std::vector<double> spread_over_axes(const std::vector<double>& values,
                                     const std::vector<int64_t>& axes, int64_t rank, double fill,
                                     const char* what) {
  FLOWONNX_REQUIRE(values.size() == axes.size(), "Resize: input {} has {} values for {} axes", what,
                   values.size(), axes.size());
  std::vector<double> full(static_cast<size_t>(rank), fill);
  for (size_t i = 0; i < axes.size(); ++i) full[axes[i]] = values[i];
  return full;
}

// Output shape and per-dim scales from `sizes` (given for `axes`), honouring the aspect policy:
// not_larger / not_smaller use one scale for all of `axes` (the smallest / largest of the
// requested ones) and round its output lengths half up, as the ONNX reference does.
void apply_sizes(const Shape& in, const std::vector<int64_t>& sizes,
                 const std::vector<int64_t>& axes, AspectPolicy policy, Shape& out,
                 std::vector<double>& scales) {
  FLOWONNX_REQUIRE(sizes.size() == axes.size(), "Resize: input 3 (sizes) has {} values for {} axes",
                   sizes.size(), axes.size());
  scales.assign(in.size(), 1.0);
  for (size_t i = 0; i < axes.size(); ++i) {
    FLOWONNX_REQUIRE(sizes[i] >= 0, "Resize: input 3 (sizes) has a negative size {}", sizes[i]);
    const int64_t d = axes[i];
    out[d] = sizes[i];
    scales[d] = in[d] == 0 ? 1.0 : static_cast<double>(sizes[i]) / in[d];
  }
  if (policy == AspectPolicy::Stretch || axes.empty()) return;
  double scale = scales[axes[0]];
  for (int64_t d : axes)
    scale = policy == AspectPolicy::NotLarger ? std::min(scale, scales[d]) : std::max(scale, scales[d]);
  for (int64_t d : axes) {
    scales[d] = scale;
    out[d] = static_cast<int64_t>(scale * in[d] + 0.5);
  }
}

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
  base.antialias = init.attr_int("antialias", 0) != 0;
  if (base.antialias && base.mode == kernels::ResizeMode::Nearest)
    init.fail_model("antialias=1 needs mode linear or cubic, got nearest");
  std::string policy_name = init.attr_string("keep_aspect_ratio_policy", "stretch");
  AspectPolicy policy = AspectPolicy::Stretch;
  if (policy_name == "not_larger") policy = AspectPolicy::NotLarger;
  else if (policy_name == "not_smaller") policy = AspectPolicy::NotSmaller;
  else if (policy_name != "stretch")
    init.fail_model("keep_aspect_ratio_policy must be stretch, not_larger or not_smaller, got " + policy_name);
  std::optional<std::vector<int64_t>> axes_attr;
  if (init.has_attr("axes")) axes_attr = init.attr_ints("axes");
  try {
    kernels::validate_resize_params(base);
  } catch (const Error& error) {
    init.fail_model(error.what());
  }
  return [base, policy, axes_attr](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::ResizeParams p = base;
    const int64_t rank = x.rank();
    std::vector<int64_t> axes;
    if (axes_attr) {
      std::vector<bool> seen(static_cast<size_t>(rank), false);
      for (int64_t axis : *axes_attr) {
        int64_t a = kernels::detail::normalize_axis("Resize", axis, rank);
        FLOWONNX_REQUIRE(!seen[a], "Resize: attribute axes repeats axis {}", axis);
        seen[a] = true;
        axes.push_back(a);
      }
    } else {
      for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    }
    if (ctx.has_input(1) && ctx.input(1).num_elements() > 0) {
      std::vector<double> roi = ctx.input(1).to_double_vector();
      FLOWONNX_REQUIRE(roi.size() == 2 * axes.size(), "Resize: input 1 (roi) has {} values for {} axes",
                       roi.size(), axes.size());
      std::vector<double> starts(roi.begin(), roi.begin() + axes.size());
      std::vector<double> ends(roi.begin() + axes.size(), roi.end());
      p.roi = spread_over_axes(starts, axes, rank, 0.0, "1 (roi)");
      std::vector<double> full_ends = spread_over_axes(ends, axes, rank, 1.0, "1 (roi)");
      p.roi.insert(p.roi.end(), full_ends.begin(), full_ends.end());
    }
    Shape out = x.shape();
    if (ctx.has_input(3) && ctx.input(3).num_elements() > 0) {
      apply_sizes(x.shape(), tensor_to_int64s(ctx.input(3), "Resize sizes"), axes, policy, out,
                  p.scales);
    } else {
      FLOWONNX_REQUIRE(ctx.has_input(2), "Resize: needs input 2 (scales) or input 3 (sizes)");
      p.scales = spread_over_axes(ctx.input(2).to_double_vector(), axes, rank, 1.0, "2 (scales)");
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
