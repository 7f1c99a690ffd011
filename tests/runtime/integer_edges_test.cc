// Integer edge cases through the CPU provider's kernels, in every integer type ONNX gives each
// op: the results are the ones ONNX Runtime gives on x86-64 where it has one (it traps with
// SIGFPE on int32/int64 INT_MIN / -1 and INT_MIN % -1; we wrap to INT_MIN and give 0), and a
// clear error for a zero divisor (as ORT).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "runtime/graph_builder.h"
#include "runtime/session.h"

namespace flowonnx {
namespace {

using testing::GraphBuilder;

// Runs `op` on the given inputs (named a, b, ...) and returns its only output.
Tensor run_op(const std::string& op, const std::vector<Tensor>& inputs, ir::Attributes attrs = {},
              int64_t opset = 17) {
  GraphBuilder g(opset);
  std::vector<std::string> names;
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    names.push_back(std::string(1, static_cast<char>('a' + i)));
    g.input(names.back(), inputs[i].dtype(), inputs[i].shape());
    feeds[names.back()] = inputs[i];
  }
  g.node(op, names, {"y"}, std::move(attrs)).output("y");
  InferenceSession session(g.build(), {"CPUExecutionProvider"});
  return session.run({}, feeds)[0];
}

template <typename T>
Tensor vec(std::vector<T> values) {
  return Tensor::from_vector<T>({static_cast<int64_t>(values.size())}, values);
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DTypeOf<T>::value);
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

template <typename T>
class SignedOps : public ::testing::Test {};
template <typename T>
class UnsignedOps : public ::testing::Test {};
using SignedTypes = ::testing::Types<int8_t, int16_t, int32_t, int64_t>;
using UnsignedTypes = ::testing::Types<uint8_t, uint16_t, uint32_t, uint64_t>;
TYPED_TEST_SUITE(SignedOps, SignedTypes);
TYPED_TEST_SUITE(UnsignedOps, UnsignedTypes);

TYPED_TEST(SignedOps, DivModOfMinimumByMinusOneAndSignRules) {
  using T = TypeParam;
  const T min = std::numeric_limits<T>::min();
  Tensor a = vec<T>({min, -7, 7, -7, 7}), b = vec<T>({-1, 2, -2, -2, 3});
  EXPECT_EQ(values_of<T>(run_op("Div", {a, b})), (std::vector<T>{min, -3, -3, 3, 2}));
  EXPECT_EQ(values_of<T>(run_op("Mod", {a, b})), (std::vector<T>{0, 1, -1, -1, 1}));
  EXPECT_EQ(values_of<T>(run_op("Mod", {a, b}, {{"fmod", int64_t{1}}})), (std::vector<T>{0, -1, 1, -1, 1}));
}

TYPED_TEST(SignedOps, AbsAndNegOfMinimumWrap) {
  using T = TypeParam;
  const T min = std::numeric_limits<T>::min();
  EXPECT_EQ(values_of<T>(run_op("Abs", {vec<T>({min, -3, 4})})), (std::vector<T>{min, 3, 4}));
  EXPECT_EQ(values_of<T>(run_op("Neg", {vec<T>({min, -3, 4})})), (std::vector<T>{min, 3, -4}));
}

TYPED_TEST(SignedOps, BitShiftOfSignedTypesIsRefused) {
  using T = TypeParam;
  EXPECT_THROW(run_op("BitShift", {vec<T>({1}), vec<T>({1})}, {{"direction", std::string("LEFT")}}), Error);
}

TYPED_TEST(UnsignedOps, ShiftsByTheWidthOrMoreGiveZero) {
  using T = TypeParam;
  const T bits = T(std::numeric_limits<T>::digits);
  Tensor a = vec<T>({1, 1, 1, 3, 255}), b = vec<T>({T(bits - 1), bits, T(bits + 1), 255, 1});
  EXPECT_EQ(values_of<T>(run_op("BitShift", {a, b}, {{"direction", std::string("LEFT")}})),
            (std::vector<T>{T(T(1) << (bits - 1)), 0, 0, 0, T(uint64_t{510} & uint64_t{std::numeric_limits<T>::max()})}));
  Tensor c = vec<T>({255, 255, 255, 255}), d = vec<T>({T(bits - 1), bits, T(bits + 1), 255});
  EXPECT_EQ(values_of<T>(run_op("BitShift", {c, d}, {{"direction", std::string("RIGHT")}})),
            (std::vector<T>{T(bits == 8 ? 1 : 0), 0, 0, 0}));
}

TYPED_TEST(UnsignedOps, ArithmeticComparisonAndMinMax) {
  using T = TypeParam;
  const T max = std::numeric_limits<T>::max();
  Tensor a = vec<T>({max, 7, 0}), b = vec<T>({max, 2, 1});
  EXPECT_EQ(values_of<T>(run_op("Mul", {a, b})), (std::vector<T>{1, 14, 0}));
  EXPECT_EQ(values_of<T>(run_op("Add", {a, b})), (std::vector<T>{T(max - 1), 9, 1}));
  EXPECT_EQ(values_of<T>(run_op("Sub", {b, a})), (std::vector<T>{0, T(T(0) - T(5)), 1}));
  EXPECT_EQ(values_of<T>(run_op("Div", {a, b})), (std::vector<T>{1, 3, 0}));
  EXPECT_EQ(values_of<T>(run_op("Mod", {a, b})), (std::vector<T>{0, 1, 0}));
  EXPECT_EQ(values_of<T>(run_op("Max", {a, b})), (std::vector<T>{max, 7, 1}));
  EXPECT_EQ(values_of<T>(run_op("Min", {a, b})), (std::vector<T>{max, 2, 0}));
  EXPECT_EQ(values_of<bool>(run_op("Less", {a, b})), (std::vector<bool>{false, false, true}));
}

template <typename T>
void expect_division_by_zero_refused() {
  Tensor a = vec<T>({7, 1}), b = vec<T>({1, 0});
  for (const char* op : {"Div", "Mod"}) {
    try {
      run_op(op, {a, b});
      ADD_FAILURE() << op << " by zero did not throw";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("division by zero"), std::string::npos) << error.what();
    }
  }
}

TYPED_TEST(SignedOps, DivisionByZeroIsAnError) { expect_division_by_zero_refused<TypeParam>(); }
TYPED_TEST(UnsignedOps, DivisionByZeroIsAnError) { expect_division_by_zero_refused<TypeParam>(); }

TEST(IntegerEdges, PowOfIntegersAsOnnxRuntime) {
  // ORT: static_cast<int>(std::pow(double, double)) on x86-64.
  Tensor a = vec<int32_t>({2, 2, 2, -2, 0, 0, 3, 1, -1, -1, 2}), b = vec<int32_t>({3, 200, -1, -1, -1, 0, 40, -5, -3, 63, 31});
  const int32_t min = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(values_of<int32_t>(run_op("Pow", {a, b})), (std::vector<int32_t>{8, min, 0, 0, min, 1, min, 1, -1, -1, min}));
  Tensor c = vec<int64_t>({2, 2}), d = vec<int64_t>({31, 64});
  EXPECT_EQ(values_of<int64_t>(run_op("Pow", {c, d})),
            (std::vector<int64_t>{2147483648, std::numeric_limits<int64_t>::min()}));
  // An integer base with a float exponent raises in double: 4^0.5 == 2, not 4^0.
  EXPECT_EQ(values_of<int32_t>(run_op("Pow", {vec<int32_t>({4, 9}), vec<float>({0.5f, 0.5f})})),
            (std::vector<int32_t>{2, 3}));
}

TEST(IntegerEdges, CastOfNanInfinityAndOutOfRangeAsOnnxRuntime) {
  const float nan = std::nanf(""), inf = INFINITY;
  Tensor x = vec<float>({nan, inf, -inf, 1e20f, -1e20f, 300.7f, -300.7f, -1.5f, 2.5f, 4294967296.0f});
  auto cast = [&](DType to) {
    return run_op("Cast", {x}, {{"to", int64_t{onnx_io::dtype_to_onnx(to)}}}).to_double_vector();
  };
  // The rows ORT 1.x printed for the same input (see tensor/integer_math.h).
  const double i32min = -2147483648.0, i64min = -9223372036854775808.0, top64 = 9223372036854775808.0;
  EXPECT_EQ(cast(DType::Int8), (std::vector<double>{0, 0, 0, 0, 0, 44, -44, -1, 2, 0}));
  EXPECT_EQ(cast(DType::Int16), (std::vector<double>{0, 0, 0, 0, 0, 300, -300, -1, 2, 0}));
  EXPECT_EQ(cast(DType::Int32), (std::vector<double>{i32min, i32min, i32min, i32min, i32min, 300, -300, -1, 2, i32min}));
  EXPECT_EQ(cast(DType::Int64), (std::vector<double>{i64min, i64min, i64min, i64min, i64min, 300, -300, -1, 2, 4294967296.0}));
  EXPECT_EQ(cast(DType::UInt8), (std::vector<double>{0, 0, 0, 0, 0, 44, 212, 255, 2, 0}));
  EXPECT_EQ(cast(DType::UInt16), (std::vector<double>{0, 0, 0, 0, 0, 300, 65236, 65535, 2, 0}));
  EXPECT_EQ(cast(DType::UInt32),
            (std::vector<double>{2147483648.0, 0, 2147483648.0, 0, 2147483648.0, 300, 4294966996.0, 4294967295.0, 2, 0}));
  std::vector<double> u64 = cast(DType::UInt64);
  EXPECT_EQ(u64[0], top64);
  EXPECT_EQ(u64[1], 0);
  EXPECT_EQ(u64[2], top64);
  EXPECT_EQ(u64[3], 0);
  EXPECT_EQ(u64[9], 4294967296.0);
}

}  // namespace
}  // namespace flowonnx
