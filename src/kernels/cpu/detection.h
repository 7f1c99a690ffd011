// Object-detection ops with ONNX semantics, following ONNX Runtime's CPU kernels step by step
// (float arithmetic, visiting order, ties) so their results agree exactly:
// NonMaxSuppression, RoiAlign and GridSample.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct NmsParams {
  bool center_point_box = false;  // false: [y1, x1, y2, x2] (any two corners); true: [xc, yc, w, h]
  int64_t max_output_boxes_per_class = 0;  // 0 selects nothing
  float iou_threshold = 0;                 // a box is dropped when IoU > this, in [0, 1]
  std::optional<float> score_threshold;    // boxes need a score > this to be considered
};

// boxes float32 [B, S, 4], scores float32 [B, C, S]. Returns the selected (batch, class, box)
// triples: per batch, per class, in decreasing score (ties: lower box index first). Throws
// InvalidArgument naming the input for wrong ranks or shapes.
std::vector<int64_t> non_max_suppression(const Tensor& boxes, const Tensor& scores,
                                         const NmsParams& params);

struct RoiAlignParams {
  bool max_mode = false;   // "max" instead of "avg"
  bool half_pixel = true;  // coordinate_transformation_mode half_pixel (else output_half_pixel)
  int64_t output_height = 1;
  int64_t output_width = 1;
  int64_t sampling_ratio = 0;  // 0: ceil(roi size / output size) samples per bin
  float spatial_scale = 1.0f;
};

// x float32/64 [N, C, H, W], rois [R, 4] (x1, y1, x2, y2) of x's dtype, batch_indices int64 [R]
// in [0, N). y preallocated [R, C, output_height, output_width].
void roi_align(const Tensor& x, const Tensor& rois, const Tensor& batch_indices,
               const RoiAlignParams& params, Tensor& y);

enum class GridSampleMode { Bilinear, Nearest, Bicubic };
enum class GridPadding { Zeros, Border, Reflection };

struct GridSampleParams {
  GridSampleMode mode = GridSampleMode::Bilinear;
  GridPadding padding = GridPadding::Zeros;
  bool align_corners = false;
};

// x float32/64 [N, C, H, W], grid [N, Ho, Wo, 2] of x's dtype holding normalised (x, y) in
// [-1, 1]. y preallocated [N, C, Ho, Wo]. Volumes (GridSample-20): x [N, C, D, H, W], grid
// [N, Do, Ho, Wo, 3] holding (x, y, z), y [N, C, Do, Ho, Wo]; bilinear (trilinear) or nearest.
void grid_sample(const Tensor& x, const Tensor& grid, const GridSampleParams& params, Tensor& y);

}  // namespace flowonnx::kernels
