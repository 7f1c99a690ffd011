#include "kernels/cpu/layout.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/strided_copy.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

namespace {

void validate_transpose(const Tensor& x, const std::vector<int64_t>& perm, const Tensor& y) {
  detail::require_defined("transpose", "input", x);
  const Shape y_shape = transpose_output_shape(x.shape(), perm);
  detail::require_output("transpose", y, y_shape, x.dtype(), {&x});
}

}  // namespace

Shape transpose_output_shape(const Shape& x, const std::vector<int64_t>& perm) {
  std::vector<bool> seen(x.size(), false);
  bool valid = perm.size() == x.size();
  for (size_t i = 0; valid && i < perm.size(); ++i) {
    valid = perm[i] >= 0 && perm[i] < static_cast<int64_t>(x.size()) && !seen[perm[i]];
    if (valid) seen[perm[i]] = true;
  }
  FLOWONNX_REQUIRE(valid, "transpose: perm {} is not a permutation of 0..{} for input {}",
                   shape_to_string(perm), static_cast<int64_t>(x.size()) - 1, shape_to_string(x));
  Shape y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[perm[i]];
  return y;
}

void transpose(const Tensor& x, const std::vector<int64_t>& perm, Tensor& y) {
  validate_transpose(x, perm, y);
  if (y.num_elements() == 0) return;
  // Drop size-1 dims and merge output dims that are also adjacent, in order, in the input:
  // what remains is the smallest walk with the same element order.
  const std::vector<int64_t> x_strides = contiguous_strides(x.shape());
  Shape dims;
  std::vector<int64_t> strides;  // input stride of each output dim
  int64_t previous_axis = -2;
  for (int64_t axis : perm) {
    const int64_t size = x.shape()[axis];
    if (size == 1) continue;
    if (axis == previous_axis + 1) {
      dims.back() *= size;
      strides.back() = x_strides[axis];
    } else {
      dims.push_back(size);
      strides.push_back(x_strides[axis]);
    }
    previous_axis = axis;
  }
  if (dims.empty()) dims = {1}, strides = {1};
  detail::strided_gather(x.raw_data(), dtype_size(x.dtype()), dims, strides, y.raw_data());
}

void transpose_reference(const Tensor& x, const std::vector<int64_t>& perm, Tensor& y) {
  validate_transpose(x, perm, y);
  const std::vector<int64_t> x_strides = contiguous_strides(x.shape());
  const Shape& y_shape = y.shape();
  const size_t element_size = dtype_size(x.dtype());
  const auto* in = static_cast<const char*>(x.raw_data());
  auto* out = static_cast<char*>(y.raw_data());
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    // Output coordinate d is input coordinate perm[d].
    int64_t source = 0, rest = i;
    for (int64_t d = static_cast<int64_t>(y_shape.size()) - 1; d >= 0; --d) {
      source += (rest % y_shape[d]) * x_strides[perm[d]];
      rest /= y_shape[d];
    }
    std::memcpy(out + i * element_size, in + source * element_size, element_size);
  }
}

Shape concat_output_shape(const std::vector<Shape>& inputs, int64_t axis) {
  FLOWONNX_REQUIRE(!inputs.empty(), "concat: needs at least one input");
  const Shape& first = inputs[0];
  FLOWONNX_REQUIRE(!first.empty(), "concat: input 0 {} must have rank >= 1",
                   shape_to_string(first));
  const int64_t normalized = detail::normalize_axis("concat", axis, first.size());
  Shape y = first;
  y[normalized] = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& shape = inputs[i];
    num_elements(shape);
    bool compatible = shape.size() == first.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = static_cast<int64_t>(d) == normalized || shape[d] == first[d];
    FLOWONNX_REQUIRE(compatible, "concat: input {} {} does not match input 0 {} outside axis {}", i,
                     shape_to_string(shape), shape_to_string(first), axis);
    y[normalized] += shape[normalized];
  }
  num_elements(y);
  return y;
}

namespace {

// Returns the normalized axis after checking dtypes, shapes and y.
int64_t validate_concat(const std::vector<Tensor>& inputs, int64_t axis, const Tensor& y) {
  FLOWONNX_REQUIRE(!inputs.empty(), "concat: needs at least one input");
  std::vector<Shape> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    FLOWONNX_REQUIRE(inputs[i].defined(), "concat: input {} is an undefined tensor", i);
    FLOWONNX_REQUIRE(inputs[i].dtype() == inputs[0].dtype(),
                     "concat: input {} is {} but input 0 is {}; dtypes must match", i,
                     inputs[i].describe(), inputs[0].describe());
    shapes.push_back(inputs[i].shape());
  }
  const Shape y_shape = concat_output_shape(shapes, axis);
  for (const Tensor& input : inputs)
    detail::require_output("concat", y, y_shape, inputs[0].dtype(), {&input});
  return detail::normalize_axis("concat", axis, y_shape.size());
}

}  // namespace

void concat(const std::vector<Tensor>& inputs, int64_t axis, Tensor& y) {
  const int64_t normalized = validate_concat(inputs, axis, y);
  const Shape& y_shape = y.shape();
  // y viewed as [outer, axis*inner]: each input contributes one contiguous block per outer row.
  const int64_t outer = detail::product(y_shape, 0, normalized);
  const int64_t element_size = static_cast<int64_t>(dtype_size(y.dtype()));
  const int64_t inner_bytes =
      detail::product(y_shape, normalized + 1, y_shape.size()) * element_size;
  const int64_t row_bytes = y_shape[normalized] * inner_bytes;
  auto* out = static_cast<char*>(y.raw_data());
  int64_t column = 0;
  for (const Tensor& input : inputs) {
    const int64_t block = input.shape()[normalized] * inner_bytes;
    const auto* in = static_cast<const char*>(input.raw_data());
    const int threads = threads_for(outer * block / 4);  // about one unit per float moved
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t row = 0; row < outer; ++row)
      std::memcpy(out + row * row_bytes + column, in + row * block, block);
    column += block;
  }
}

void concat_reference(const std::vector<Tensor>& inputs, int64_t axis, Tensor& y) {
  const int64_t normalized = validate_concat(inputs, axis, y);
  const Shape& y_shape = y.shape();
  const int64_t inner = detail::product(y_shape, normalized + 1, y_shape.size());
  const size_t element_size = dtype_size(y.dtype());
  auto* out = static_cast<char*>(y.raw_data());
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    const int64_t outer_index = i / (inner * y_shape[normalized]);
    int64_t axis_index = (i / inner) % y_shape[normalized];
    const int64_t inner_index = i % inner;
    size_t which = 0;  // the input that holds axis_index
    while (axis_index >= inputs[which].shape()[normalized]) {
      axis_index -= inputs[which].shape()[normalized];
      ++which;
    }
    const int64_t size = inputs[which].shape()[normalized];
    const int64_t source = (outer_index * size + axis_index) * inner + inner_index;
    std::memcpy(out + i * element_size,
                static_cast<const char*>(inputs[which].raw_data()) + source * element_size,
                element_size);
  }
}

Shape flatten_output_shape(const Shape& x, int64_t start_dim, int64_t end_dim) {
  if (x.empty()) {  // torch.flatten of a 0-d tensor is [1]; only dims 0 / -1 name it
    FLOWONNX_REQUIRE((start_dim == 0 || start_dim == -1) && (end_dim == 0 || end_dim == -1),
                     "flatten: dims [{}, {}] are out of range for a scalar", start_dim, end_dim);
    return {1};
  }
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t start = detail::normalize_axis("flatten", start_dim, rank);
  const int64_t end = detail::normalize_axis("flatten", end_dim, rank);
  FLOWONNX_REQUIRE(start <= end, "flatten: start_dim {} comes after end_dim {} for input {}",
                   start_dim, end_dim, shape_to_string(x));
  Shape y(x.begin(), x.begin() + start);
  y.push_back(detail::product(x, start, end + 1));
  y.insert(y.end(), x.begin() + end + 1, x.end());
  return y;
}

}  // namespace flowonnx::kernels
