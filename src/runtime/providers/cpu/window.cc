#include "runtime/providers/cpu/window.h"

#include <fmt/format.h>

#include "kernels/cpu/pool_nd.h"

namespace flowonnx::runtime::cpu {

void require_at_least(const KernelInit& init, const std::vector<int64_t>& values, int64_t min,
                      const char* what) {
  for (int64_t v : values)
    if (v < min)
      init.fail_model(fmt::format("{} must be >= {}, got {}", what, min, shape_to_string(values)));
}

WindowAttrs read_window_attrs(const KernelInit& init) {
  WindowAttrs attrs;
  attrs.auto_pad = init.attr_string("auto_pad", "NOTSET");
  if (attrs.auto_pad != "NOTSET" && attrs.auto_pad != "VALID" && attrs.auto_pad != "SAME_UPPER" &&
      attrs.auto_pad != "SAME_LOWER")
    init.fail_model("auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, got " + attrs.auto_pad);
  attrs.kernel = init.attr_ints("kernel_shape");
  attrs.strides = init.attr_ints("strides");
  attrs.pads = init.attr_ints("pads");
  attrs.dilations = init.attr_ints("dilations");
  attrs.ceil_mode = init.attr_int("ceil_mode", 0) != 0;
  require_at_least(init, attrs.kernel, 1, "kernel_shape");
  require_at_least(init, attrs.strides, 1, "strides");
  require_at_least(init, attrs.dilations, 1, "dilations");
  require_at_least(init, attrs.pads, 0, "pads");
  return attrs;
}

WindowGeometry resolve_window(const WindowAttrs& attrs, const Shape& spatial,
                              const std::vector<int64_t>& kernel) {
  const size_t rank = spatial.size();
  auto or_fill = [&](const std::vector<int64_t>& values, int64_t fill, const char* what) {
    if (values.empty()) return std::vector<int64_t>(rank, fill);
    FLOWONNX_REQUIRE(values.size() == rank, "{} has {} values for {} spatial dims", what,
                     values.size(), rank);
    return values;
  };
  WindowGeometry g;
  FLOWONNX_REQUIRE(kernel.size() == rank, "kernel_shape has {} values for {} spatial dims",
                   kernel.size(), rank);
  g.kernel = kernel;
  g.strides = or_fill(attrs.strides, 1, "strides");
  g.dilations = or_fill(attrs.dilations, 1, "dilations");
  std::vector<int64_t> pads = attrs.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : attrs.pads;
  FLOWONNX_REQUIRE(pads.size() == 2 * rank, "pads has {} values for {} spatial dims", pads.size(), rank);
  g.pads_begin.assign(pads.begin(), pads.begin() + rank);
  g.pads_end.assign(pads.begin() + rank, pads.end());
  g.out.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t span = (g.kernel[d] - 1) * g.dilations[d] + 1;
    if (attrs.auto_pad == "SAME_UPPER" || attrs.auto_pad == "SAME_LOWER") {
      int64_t out = (spatial[d] + g.strides[d] - 1) / g.strides[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * g.strides[d] + span - spatial[d]);
      int64_t small = total / 2;
      g.pads_begin[d] = attrs.auto_pad == "SAME_UPPER" ? small : total - small;
      g.pads_end[d] = total - g.pads_begin[d];
      g.out[d] = out;
    } else {
      if (attrs.auto_pad == "VALID") g.pads_begin[d] = g.pads_end[d] = 0;
      g.out[d] = kernels::pooled_length(spatial[d], g.kernel[d], g.strides[d], g.pads_begin[d],
                                        g.pads_end[d], g.dilations[d], attrs.ceil_mode);
    }
  }
  return g;
}

}  // namespace flowonnx::runtime::cpu
