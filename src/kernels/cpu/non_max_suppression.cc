// NonMaxSuppression as ONNX Runtime computes it: candidates above the score threshold are taken
// greedily by score (ties: lower box index) and dropped when their IoU with an already selected
// box of the same class exceeds the threshold; IoU in float, degenerate boxes never suppress.
#include <algorithm>
#include <cmath>
#include <queue>

#include "kernels/cpu/detection.h"
#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

constexpr const char* kNms = "NonMaxSuppression";

struct Candidate {
  float score;
  int64_t index;
  // priority_queue pops the largest: highest score, then lowest index.
  bool operator<(const Candidate& other) const {
    return score < other.score || (score == other.score && index > other.index);
  }
};

struct Corners {
  float x_min, y_min, x_max, y_max;
};

Corners corners(const float* box, bool center_point_box) {
  if (center_point_box) {
    const float half_w = box[2] / 2, half_h = box[3] / 2;
    return {box[0] - half_w, box[1] - half_h, box[0] + half_w, box[1] + half_h};
  }
  // [y1, x1, y2, x2] with the corners in either order.
  return {std::min(box[1], box[3]), std::min(box[0], box[2]), std::max(box[1], box[3]),
          std::max(box[0], box[2])};
}

bool suppressed_by_iou(const Corners& a, const Corners& b, float iou_threshold) {
  const float ix_min = std::max(a.x_min, b.x_min), ix_max = std::min(a.x_max, b.x_max);
  if (ix_max <= ix_min) return false;
  const float iy_min = std::max(a.y_min, b.y_min), iy_max = std::min(a.y_max, b.y_max);
  if (iy_max <= iy_min) return false;
  const float intersection = (ix_max - ix_min) * (iy_max - iy_min);
  if (intersection <= 0.0f) return false;
  const float area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const float area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  const float union_area = area_a + area_b - intersection;
  if (area_a <= 0.0f || area_b <= 0.0f || union_area <= 0.0f) return false;
  return intersection / union_area > iou_threshold;
}

}  // namespace

std::vector<int64_t> non_max_suppression(const Tensor& boxes, const Tensor& scores,
                                         const NmsParams& params) {
  detail::require_dtype(kNms, "input 0 (boxes)", boxes, DType::Float32);
  detail::require_dtype(kNms, "input 1 (scores)", scores, DType::Float32);
  FLOWONNX_REQUIRE(boxes.rank() == 3 && boxes.shape()[2] == 4,
                   "{}: input 0 (boxes) {} must be [num_batches, spatial_dimension, 4]", kNms,
                   boxes.describe());
  FLOWONNX_REQUIRE(scores.rank() == 3,
                   "{}: input 1 (scores) {} must be [num_batches, num_classes, spatial_dimension]",
                   kNms, scores.describe());
  FLOWONNX_REQUIRE(scores.shape()[0] == boxes.shape()[0] && scores.shape()[2] == boxes.shape()[1],
                   "{}: input 1 (scores) {} does not match input 0 (boxes) {} in batches or boxes",
                   kNms, scores.describe(), boxes.describe());
  FLOWONNX_REQUIRE(params.iou_threshold >= 0 && params.iou_threshold <= 1,
                   "{}: input 3 (iou_threshold) {} must be in [0, 1]", kNms, params.iou_threshold);
  const int64_t batches = boxes.shape()[0], num_boxes = boxes.shape()[1];
  const int64_t classes = scores.shape()[1];
  const int64_t limit = std::max<int64_t>(params.max_output_boxes_per_class, 0);
  std::vector<int64_t> selected;
  if (limit == 0) return selected;
  std::vector<Corners> box_corners(static_cast<size_t>(num_boxes));
  for (int64_t b = 0; b < batches; ++b) {
    const float* batch_boxes = boxes.data<float>() + b * num_boxes * 4;
    for (int64_t i = 0; i < num_boxes; ++i)
      box_corners[i] = corners(batch_boxes + 4 * i, params.center_point_box);
    for (int64_t c = 0; c < classes; ++c) {
      const float* class_scores = scores.data<float>() + (b * classes + c) * num_boxes;
      std::vector<Candidate> heap;
      // NaN scores are never selected (they have no place in the order; ORT's is undefined).
      for (int64_t i = 0; i < num_boxes; ++i)
        if (!std::isnan(class_scores[i]) &&
            (!params.score_threshold || class_scores[i] > *params.score_threshold))
          heap.push_back({class_scores[i], i});
      std::priority_queue<Candidate> queue(std::less<Candidate>(), std::move(heap));
      std::vector<int64_t> kept;
      while (!queue.empty() && static_cast<int64_t>(kept.size()) < limit) {
        const Candidate next = queue.top();
        queue.pop();
        const bool drop = std::any_of(kept.begin(), kept.end(), [&](int64_t k) {
          return suppressed_by_iou(box_corners[k], box_corners[next.index], params.iou_threshold);
        });
        if (drop) continue;
        kept.push_back(next.index);
        selected.insert(selected.end(), {b, c, next.index});
      }
    }
  }
  return selected;
}

}  // namespace flowonnx::kernels
