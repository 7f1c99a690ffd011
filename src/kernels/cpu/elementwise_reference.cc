// The naive oracles of the element-wise kernels: each output index unravelled and mapped back to
// each input by the broadcasting rule, one element at a time. The scalar op lambdas are shared
// with the fast kernels; what these check is the broadcasting and the loops.
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/elementwise_internal.h"

namespace flowonnx::kernels {

namespace {

// Flat index into `input` of the output coordinate `coordinates` (numpy broadcasting).
int64_t broadcast_index(const Shape& input, const Shape& output, const Shape& coordinates) {
  int64_t index = 0;
  const size_t offset = output.size() - input.size();
  for (size_t i = 0; i < input.size(); ++i)
    index = index * input[i] + (input[i] == 1 ? 0 : coordinates[offset + i]);
  return index;
}

}  // namespace

void binary_reference(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  const Shape y_shape = detail::validate_binary(op, a, b, y);
  detail::require_nonzero_divisors(op, b, y.num_elements());
  detail::visit_arithmetic_dtype("binary_reference", a, [&](auto zero) {
    using T = decltype(zero);
    detail::visit_binary_op<T>(op, [&](auto fn) {
      Shape coordinates(y_shape.size(), 0);
      for (int64_t i = 0; i < y.num_elements(); ++i) {
        int64_t rest = i;
        for (int64_t d = static_cast<int64_t>(y_shape.size()) - 1; d >= 0; --d) {
          coordinates[d] = rest % y_shape[d];
          rest /= y_shape[d];
        }
        y.data<T>()[i] = fn(a.data<T>()[broadcast_index(a.shape(), y_shape, coordinates)],
                            b.data<T>()[broadcast_index(b.shape(), y_shape, coordinates)]);
      }
    });
  });
}

void unary_reference(UnaryOp op, const Tensor& x, Tensor& y) {
  detail::validate_unary(op, x, y);
  detail::visit_arithmetic_dtype("unary_reference", x, [&](auto zero) {
    using T = decltype(zero);
    detail::visit_unary_op<T>(op, [&](auto fn) {
      for (int64_t i = 0; i < x.num_elements(); ++i) y.data<T>()[i] = fn(x.data<T>()[i]);
    });
  });
}

}  // namespace flowonnx::kernels
