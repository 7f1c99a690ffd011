// BitwiseAnd / Or / Xor / Not (opset 18) against ONNX Runtime for every integer dtype, with
// broadcasting and values spanning each type's range (sign bits included); non-integer and mixed
// dtypes must fail naming the op.
#include <gtest/gtest.h>

#include <limits>

#include "runtime/ort_check.h"

namespace flowonnx {
namespace {

using namespace flowonnx::testing;  // NOLINT: the test helpers

// Random values over T's whole range (int64/uint64: the int64 range, converted).
template <typename T>
Tensor full_range(const Shape& shape, DType dtype) {
  int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  if constexpr (sizeof(T) == 8) {
    lo = std::numeric_limits<int64_t>::min();
    hi = std::numeric_limits<int64_t>::max();
  }
  return random_ints(shape, lo, hi).to(dtype);
}

Tensor random_of(DType dtype, const Shape& shape) {
  Tensor result;
  visit_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) result = full_range<T>(shape, dtype);
  });
  return result;
}

TEST(BitwiseOps, MatchOnnxRuntimeForEveryIntegerType) {
  const Shape a_shape = {2, 3, 4}, b_shape = {3, 1};
  for (DType dtype : {DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::UInt8,
                      DType::UInt16, DType::UInt32, DType::UInt64}) {
    GraphBuilder g(18);
    g.input("a", dtype, a_shape).input("b", dtype, b_shape);
    for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"}) {
      g.node(op, {"a", "b"}, {std::string(op) + "_ab"})
          .node(op, {"b", "a"}, {std::string(op) + "_ba"})
          .output(std::string(op) + "_ab")
          .output(std::string(op) + "_ba");
    }
    g.node("BitwiseNot", {"a"}, {"not"}).output("not");
    expect_same_as_onnxruntime(g.build(), "bitwise_" + std::string(dtype_name(dtype)),
                               {{{"a", random_of(dtype, a_shape)}, {"b", random_of(dtype, b_shape)}}},
                               0, 0);
  }
}

TEST(BitwiseOps, HostileInputs) {
  GraphBuilder g(18);
  g.input("a", DType::Float32, std::vector<ir::Dim>(1))
      .input("b", DType::Float32, std::vector<ir::Dim>(1))
      .node("BitwiseAnd", {"a", "b"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(g.build(), {{"a", randn({2})}, {"b", randn({2})}}),
                        {"BitwiseAnd", "input 0 (A)", "integer"});
  GraphBuilder mixed(18);
  mixed.input("a", DType::Int32, std::vector<ir::Dim>(1))
      .input("b", DType::Int64, std::vector<ir::Dim>(1))
      .node("BitwiseXor", {"a", "b"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(mixed.build(), {{"a", random_ints({2}, 0, 3).to(DType::Int32)},
                                                  {"b", random_ints({3}, 0, 3)}}),
                        {"BitwiseXor", "different dtypes"});
  GraphBuilder not_bool(18);
  not_bool.input("x", DType::Bool, std::vector<ir::Dim>(1))
      .node("BitwiseNot", {"x"}, {"y"})
      .output("y");
  expect_error_mentions(run_error(not_bool.build(), {{"x", random_ints({2}, 0, 1).to(DType::Bool)}}),
                        {"BitwiseNot", "integer"});
}

}  // namespace
}  // namespace flowonnx
