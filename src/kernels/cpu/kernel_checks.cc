#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels::detail {

void require_defined(const char* op, const char* what, const Tensor& tensor) {
  FLOWONNX_REQUIRE(tensor.defined(), "{}: {} is an undefined tensor", op, what);
}

void require_dtype(const char* op, const char* what, const Tensor& tensor, DType dtype) {
  require_defined(op, what, tensor);
  FLOWONNX_REQUIRE(tensor.dtype() == dtype, "{}: {} {} must be {}", op, what, tensor.describe(),
                   dtype_name(dtype));
}

void require_output(const char* op, const Tensor& y, const Shape& shape, DType dtype,
                    std::initializer_list<const Tensor*> inputs) {
  FLOWONNX_REQUIRE(y.defined(), "{}: output y is an undefined tensor; expected {}{}", op,
                   dtype_name(dtype), shape_to_string(shape));
  FLOWONNX_REQUIRE(y.shape() == shape && y.dtype() == dtype,
                   "{}: output y is {} but the inputs give {}{}", op, y.describe(),
                   dtype_name(dtype), shape_to_string(shape));
  for (const Tensor* input : inputs) {
    FLOWONNX_REQUIRE(!y.shares_storage_with(*input),
                     "{}: output y {} shares storage with input {}; kernels do not run in place",
                     op, y.describe(), input->describe());
  }
}

int64_t normalize_axis(const char* op, int64_t axis, int64_t rank) {
  FLOWONNX_REQUIRE(axis >= -rank && axis < rank, "{}: axis {} is out of range for rank {}", op,
                   axis, rank);
  return axis < 0 ? axis + rank : axis;
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t result = 1;
  for (size_t i = begin; i < end; ++i) result *= shape[i];
  return result;
}

}  // namespace flowonnx::kernels::detail
