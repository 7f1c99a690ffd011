#include "runtime/providers/cpu/conv_transpose_attrs.h"

#include <algorithm>

#include "runtime/providers/cpu/window.h"

namespace flowonnx::runtime::cpu {

ConvTransposeAttrs read_conv_transpose_attrs(const KernelInit& init) {
  const WindowAttrs window = read_window_attrs(init);  // what Conv and the pools share
  ConvTransposeAttrs attrs;
  attrs.auto_pad = window.auto_pad;
  attrs.kernel = window.kernel;
  attrs.strides = window.strides;
  attrs.pads = window.pads;
  attrs.dilations = window.dilations;
  attrs.output_padding = init.attr_ints("output_padding");
  attrs.output_shape = init.attr_ints("output_shape");
  attrs.group = init.attr_int("group", 1);
  require_at_least(init, attrs.output_padding, 0, "output_padding");
  require_at_least(init, attrs.output_shape, 1, "output_shape");
  if (attrs.group < 1) init.fail_model(fmt::format("group must be >= 1, got {}", attrs.group));
  // The spec forbids both; explicit zeros alongside are harmless and accepted.
  if (attrs.auto_pad != "NOTSET" &&
      std::any_of(attrs.pads.begin(), attrs.pads.end(), [](int64_t v) { return v != 0; }))
    init.fail_model(fmt::format("pads {} cannot be used together with auto_pad {}",
                                shape_to_string(attrs.pads), attrs.auto_pad));
  return attrs;
}

kernels::ConvTransposeParams resolve_conv_transpose(const ConvTransposeAttrs& attrs, const Shape& x,
                                                    const Shape& w) {
  FLOWONNX_REQUIRE(x.size() >= 3 && x.size() <= 5,
                   "input {} must be [N,C,d1..dk] with k = 1..3 spatial dims", shape_to_string(x));
  FLOWONNX_REQUIRE(w.size() == x.size(), "weight {} must have input {}'s rank {}",
                   shape_to_string(w), shape_to_string(x), x.size());
  const size_t rank = x.size() - 2;
  const std::vector<int64_t> weight_kernel(w.begin() + 2, w.end());
  FLOWONNX_REQUIRE(attrs.kernel.empty() || attrs.kernel == weight_kernel,
                   "kernel_shape {} but weight {}", shape_to_string(attrs.kernel), shape_to_string(w));
  auto or_fill = [&](const std::vector<int64_t>& values, int64_t fill, const char* what) {
    if (values.empty()) return std::vector<int64_t>(rank, fill);
    FLOWONNX_REQUIRE(values.size() == rank, "{} {} has {} values for the {} spatial dims of input {}",
                     what, shape_to_string(values), values.size(), rank, shape_to_string(x));
    return values;
  };
  kernels::ConvTransposeParams p;
  p.groups = attrs.group;
  p.strides = or_fill(attrs.strides, 1, "strides");
  p.dilations = or_fill(attrs.dilations, 1, "dilations");
  p.output_padding = or_fill(attrs.output_padding, 0, "output_padding");
  const std::vector<int64_t> pads =
      attrs.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : attrs.pads;
  FLOWONNX_REQUIRE(pads.size() == 2 * rank, "pads {} has {} values, expected {} for input {}",
                   shape_to_string(pads), pads.size(), 2 * rank, shape_to_string(x));
  p.pads_begin.assign(pads.begin(), pads.begin() + rank);
  p.pads_end.assign(pads.begin() + rank, pads.end());
  // Older exporters write output_shape with the batch and channel dims: the spatial ones count.
  std::vector<int64_t> out = attrs.output_shape;
  if (out.size() == rank + 2) out.erase(out.begin(), out.begin() + 2);
  FLOWONNX_REQUIRE(out.empty() || out.size() == rank,
                   "output_shape {} has {} values for the {} spatial dims of input {}",
                   shape_to_string(attrs.output_shape), attrs.output_shape.size(), rank,
                   shape_to_string(x));
  const bool same = attrs.auto_pad == "SAME_UPPER" || attrs.auto_pad == "SAME_LOWER";
  for (size_t d = 0; d < rank; ++d) {
    // The size with no padding at all; total padding trims it to the target.
    const int64_t full = p.strides[d] * (x[2 + d] - 1) + p.output_padding[d] +
                         (weight_kernel[d] - 1) * p.dilations[d] + 1;
    if (!out.empty() || same) {
      const int64_t target = out.empty() ? x[2 + d] * p.strides[d] : out[d];
      const int64_t total = full - target;
      if (total >= 0) {
        // The spec's split (opset 11+): the odd pixel goes to the end for SAME_UPPER, to the
        // start otherwise (SAME_LOWER, and output_shape with NOTSET).
        const int64_t half = total / 2;
        p.pads_begin[d] = attrs.auto_pad == "SAME_UPPER" ? half : total - half;
        p.pads_end[d] = total - p.pads_begin[d];
      } else {
        // A target past the unpadded result (by less than a stride, as output_padding could
        // have asked) extends it at the end with bias-only positions: what the ONNX test
        // data (test_convtranspose_output_shape) and ONNX Runtime do. SAME_* with a kernel
        // shorter than the stride lands here too.
        FLOWONNX_REQUIRE(total > -p.strides[d],
                         "output_shape {} is inconsistent with input {}: dim {} can be at most {} "
                         "(kernel {}, strides {}, dilations {}, output_padding {})",
                         shape_to_string(attrs.output_shape), shape_to_string(x), d,
                         full + p.strides[d] - 1, shape_to_string(weight_kernel),
                         shape_to_string(p.strides), shape_to_string(p.dilations),
                         shape_to_string(p.output_padding));
        p.pads_begin[d] = 0;
        p.pads_end[d] = total;
      }
    } else if (attrs.auto_pad == "VALID") {
      p.pads_begin[d] = p.pads_end[d] = 0;
    }
  }
  return p;
}

}  // namespace flowonnx::runtime::cpu
