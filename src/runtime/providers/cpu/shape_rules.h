// Shape rules shared by the CPU and CUDA providers' kernels (Reshape's 0/-1,
// Flatten, Squeeze, Unsqueeze, Slice's clamping), so both providers agree on every output shape
// and say the same thing about bad input.
#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/kernel_checks.h"
#include "tensor/shape.h"

namespace flowonnx::runtime {

// Reshape's target: 0 copies the input dim (unless allow_zero), one -1 is inferred.
inline Shape reshape_target(const Shape& input, std::vector<int64_t> target, bool allow_zero) {
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allow_zero) {
      FLOWONNX_REQUIRE(i < input.size(), "Reshape: 0 at position {} but input is {}", i, shape_to_string(input));
      target[i] = input[i];
    }
    FLOWONNX_REQUIRE(target[i] >= -1, "Reshape: invalid dim {} in {}", target[i], shape_to_string(target));
  }
  return resolve_reshape(input, target);
}

// Flatten: [prod(dims before axis), prod(dims from axis)], axis in [-rank, rank].
inline Shape flatten_shape(const Shape& input, int64_t axis) {
  const int64_t rank = static_cast<int64_t>(input.size());
  FLOWONNX_REQUIRE(axis >= -rank && axis <= rank, "Flatten: axis {} for shape {}", axis, shape_to_string(input));
  const int64_t a = axis < 0 ? axis + rank : axis;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < a ? outer : inner) *= input[d];
  return {outer, inner};
}

// Squeeze: the listed dims (each must be 1), or every dim of size 1 without axes.
inline Shape squeeze_shape(const Shape& input, const std::optional<std::vector<int64_t>>& axes) {
  const int64_t rank = static_cast<int64_t>(input.size());
  std::vector<bool> drop(rank, false);
  for (int64_t d = 0; d < rank; ++d) drop[d] = !axes && input[d] == 1;
  for (int64_t axis : axes.value_or(std::vector<int64_t>{})) {
    int64_t a = kernels::detail::normalize_axis("Squeeze", axis, rank);
    FLOWONNX_REQUIRE(input[a] == 1, "Squeeze: dim {} of {} is not 1", a, shape_to_string(input));
    drop[a] = true;
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d]) out.push_back(input[d]);
  return out;
}

// Unsqueeze: a 1 inserted at each axis of the output (axes count in the output's rank).
inline Shape unsqueeze_shape(const Shape& input, const std::vector<int64_t>& axes) {
  const int64_t rank = static_cast<int64_t>(input.size() + axes.size());
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes) {
    int64_t a = kernels::detail::normalize_axis("Unsqueeze", axis, rank);
    FLOWONNX_REQUIRE(!inserted[a], "Unsqueeze: axis {} repeated", axis);
    inserted[a] = true;
  }
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) out.push_back(inserted[d] ? 1 : input[next++]);
  return out;
}

struct SliceGeometry {
  std::vector<int64_t> begin, step;  // per dim of the input
  Shape shape;                       // of the output
};

// ONNX Slice on `input`: starts, ends, axes and steps have one entry per sliced axis (same
// length, steps nonzero: checked by the caller); negative starts/ends count from the end and are
// clamped to [0, n] for positive steps, [-1, n-1] for negative ones.
inline SliceGeometry resolve_slice(const Shape& input, const std::vector<int64_t>& starts,
                                   const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                   const std::vector<int64_t>& steps) {
  const int64_t rank = static_cast<int64_t>(input.size());
  SliceGeometry g{std::vector<int64_t>(rank, 0), std::vector<int64_t>(rank, 1), input};
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = kernels::detail::normalize_axis("Slice", axes[i], rank);
    int64_t n = input[a], s = steps[i];
    int64_t b = starts[i] < 0 ? starts[i] + n : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + n : ends[i];
    int64_t len;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      len = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<int64_t>(b, -1, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      len = b > e ? (b - e + (-s) - 1) / (-s) : 0;
    }
    g.begin[a] = b;
    g.step[a] = s;
    g.shape[a] = len;
  }
  return g;
}

}  // namespace flowonnx::runtime
