// Object-detection ops: NonMaxSuppression (what torchvision's detectors export), RoiAlign and
// GridSample, computed as ONNX Runtime does (kernels/cpu/detection.h).
#include "kernels/cpu/detection.h"

#include <array>

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

// A scalar (or one-element) input, `fallback` when absent or empty.
double scalar_input(KernelContext& ctx, size_t i, const char* what, double fallback) {
  if (!ctx.has_input(i) || ctx.input(i).num_elements() == 0) return fallback;
  const Tensor& t = ctx.input(i);
  FLOWONNX_REQUIRE(t.num_elements() == 1, "input {} ({}) {} must hold one value", i, what,
                   t.describe());
  return t.to_double_vector()[0];
}

ComputeFn make_non_max_suppression(const KernelInit& init) {
  const int64_t center_point_box = init.attr_int("center_point_box", 0);
  if (center_point_box != 0 && center_point_box != 1)
    init.fail_model(fmt::format("center_point_box must be 0 or 1, got {}", center_point_box));
  return [center_point_box](KernelContext& ctx) {
    kernels::NmsParams p;
    p.center_point_box = center_point_box == 1;
    if (ctx.has_input(2) && ctx.input(2).num_elements() > 0) {
      std::vector<int64_t> limit =
          tensor_to_int64s(ctx.input(2), "input 2 (max_output_boxes_per_class)");
      FLOWONNX_REQUIRE(limit.size() == 1,
                       "input 2 (max_output_boxes_per_class) {} must hold one value",
                       ctx.input(2).describe());
      p.max_output_boxes_per_class = limit[0];
    }
    p.iou_threshold = static_cast<float>(scalar_input(ctx, 3, "iou_threshold", 0.0));
    if (ctx.has_input(4) && ctx.input(4).num_elements() > 0)
      p.score_threshold = static_cast<float>(scalar_input(ctx, 4, "score_threshold", 0.0));
    std::vector<int64_t> selected = kernels::non_max_suppression(ctx.input(0), ctx.input(1), p);
    const int64_t rows = static_cast<int64_t>(selected.size()) / 3;
    Tensor& y = ctx.allocate_output(0, {rows, 3}, DType::Int64);
    std::copy(selected.begin(), selected.end(), y.data<int64_t>());
  };
}

ComputeFn make_roi_align(const KernelInit& init) {
  kernels::RoiAlignParams p;
  const std::string mode = init.attr_string("mode", "avg");
  if (mode != "avg" && mode != "max") init.fail_model("mode must be avg or max, got " + mode);
  p.max_mode = mode == "max";
  // Opset 10 had no attribute and behaved as output_half_pixel; 16 added it, half_pixel default.
  const std::string transform = init.attr_string(
      "coordinate_transformation_mode", init.opset() >= 16 ? "half_pixel" : "output_half_pixel");
  if (transform != "half_pixel" && transform != "output_half_pixel")
    init.fail_model("coordinate_transformation_mode must be half_pixel or output_half_pixel, got " +
                    transform);
  p.half_pixel = transform == "half_pixel";
  p.output_height = init.attr_int("output_height", 1);
  p.output_width = init.attr_int("output_width", 1);
  p.sampling_ratio = init.attr_int("sampling_ratio", 0);
  p.spatial_scale = static_cast<float>(init.attr_float("spatial_scale", 1.0));
  if (p.output_height < 1 || p.output_width < 1 || p.output_height > (1 << 20) ||
      p.output_width > (1 << 20) || p.sampling_ratio < 0 || p.sampling_ratio > 4096)
    init.fail_model(
        fmt::format("output_height {} and output_width {} must be in [1, 2^20], "
                    "sampling_ratio {} in [0, 4096]",
                    p.output_height, p.output_width, p.sampling_ratio));
  return [p](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    FLOWONNX_REQUIRE(x.rank() == 4 && rois.rank() == 2,
                     "input 0 (X) {} must be [N, C, H, W] and input 1 (rois) {} [num_rois, 4]",
                     x.describe(), rois.describe());
    Tensor& y = ctx.allocate_output(
        0, {rois.shape()[0], x.shape()[1], p.output_height, p.output_width}, x.dtype());
    kernels::roi_align(x, rois, ctx.input(2), p, y);
  };
}

ComputeFn make_grid_sample(const KernelInit& init) {
  kernels::GridSampleParams p;
  const std::string mode = init.attr_string("mode", "bilinear");
  if (mode == "bilinear" || mode == "linear")
    p.mode = kernels::GridSampleMode::Bilinear;
  else if (mode == "nearest")
    p.mode = kernels::GridSampleMode::Nearest;
  else if (mode == "bicubic" || mode == "cubic")
    p.mode = kernels::GridSampleMode::Bicubic;
  else
    init.fail_model("mode must be bilinear, nearest or bicubic, got " + mode);
  const std::string padding = init.attr_string("padding_mode", "zeros");
  if (padding == "zeros")
    p.padding = kernels::GridPadding::Zeros;
  else if (padding == "border")
    p.padding = kernels::GridPadding::Border;
  else if (padding == "reflection")
    p.padding = kernels::GridPadding::Reflection;
  else
    init.fail_model("padding_mode must be zeros, border or reflection, got " + padding);
  p.align_corners = init.attr_int("align_corners", 0) != 0;
  return [p](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    FLOWONNX_REQUIRE((x.rank() == 4 || x.rank() == 5) && grid.rank() == x.rank(),
                     "input 0 (X) {} must be [N, C, H, W] or [N, C, D, H, W] and input 1 (grid) "
                     "{} [N, *out_spatial, 2 or 3] of the same rank",
                     x.describe(), grid.describe());
    Shape out = {x.shape()[0], x.shape()[1]};
    out.insert(out.end(), grid.shape().begin() + 1, grid.shape().end() - 1);
    kernels::grid_sample(x, grid, p, ctx.allocate_output(0, out, x.dtype()));
  };
}

// [d0, d1, d2, d3] from two inputs' dims: (input, axis) pairs, or a static value when input < 0.
TypeRule four_dims(std::array<std::pair<int, int>, 4> dims) {
  return [dims](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    const ir::ValueType* x = ctx.input(0);
    if (ctx.output() != 0 || !x) return std::nullopt;
    std::vector<ir::Dim> out;
    for (const auto& [input, axis] : dims) {
      const ir::ValueType* t = ctx.input(static_cast<size_t>(input));
      if (!t || !t->shape || t->shape->size() <= static_cast<size_t>(axis))
        out.push_back(ir::Dim{});
      else
        out.push_back((*t->shape)[axis]);
    }
    return ir::ValueType{x->dtype, out};
  };
}

// GridSample: [N, C] from X, then the grid's output spatial dims (rank 4 or 5).
std::optional<ir::ValueType> grid_sample_type(const TypeContext& ctx) {
  const ir::ValueType* x = ctx.input(0);
  const ir::ValueType* grid = ctx.input(1);
  if (ctx.output() != 0 || !x) return std::nullopt;
  if (!x->shape || !grid || !grid->shape || grid->shape->size() != x->shape->size() ||
      x->shape->size() < 4)
    return ir::ValueType{x->dtype, std::nullopt};
  std::vector<ir::Dim> out = {(*x->shape)[0], (*x->shape)[1]};
  out.insert(out.end(), grid->shape->begin() + 1, grid->shape->end() - 1);
  return ir::ValueType{x->dtype, out};
}

std::optional<ir::ValueType> roi_align_type(const TypeContext& ctx) {
  std::optional<ir::ValueType> type = four_dims({{{1, 0}, {0, 1}, {0, 0}, {0, 0}}})(ctx);
  if (!type) return type;
  const ir::Node& node = ctx.node();
  try {
    for (auto [name, axis] : {std::pair{"output_height", 2}, std::pair{"output_width", 3}}) {
      (*type->shape)[axis] = ir::Dim::of(node.attrs.has(name) ? node.attrs.get_int(name) : 1);
    }
  } catch (const Error&) {
    return std::nullopt;  // a malformed attribute: the kernel factory reports it
  }
  return type;
}

}  // namespace

void register_detection_kernels(KernelRegistry& r) {
  r.add("", "NonMaxSuppression", make_non_max_suppression,
        [](const TypeContext& ctx) -> std::optional<ir::ValueType> {
          if (ctx.output() != 0) return std::nullopt;
          return ir::ValueType{DType::Int64, std::vector<ir::Dim>{ir::Dim{}, ir::Dim::of(3)}};
        });
  r.add("", "RoiAlign", make_roi_align, roi_align_type);
  r.add("", "GridSample", make_grid_sample, grid_sample_type);
}

}  // namespace flowonnx::runtime::cpu
