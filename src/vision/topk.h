// Top-k classes of score rows, with softmax applied when the scores are logits: a model's output
// counts as probabilities already when every row is in [0, 1] and sums to 1 (within 1e-3).
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::vision {

struct Prediction {
  int64_t index = 0;
  float probability = 0;  // after softmax when it was applied
  float score = 0;        // the model's raw value
};

struct TopK {
  std::vector<std::vector<Prediction>> rows;  // one list per batch row, best first
  bool softmax_applied = false;
};

enum class SoftmaxMode { Auto, Always, Never };

// `scores` is [N, C] or [C] (any floating dtype; [N, C, 1, 1] is accepted and flattened). Ties keep
// the lower index first, as numpy.argsort(-x, kind="stable") does. k is clamped to C.
TopK top_k(const Tensor& scores, int k, SoftmaxMode mode = SoftmaxMode::Auto);

}  // namespace flowonnx::vision
