// tensor/integer_math.h: every integer edge has a defined result, the one ONNX Runtime gives on
// x86-64 (checked with onnxruntime 1.x: Div/Mod/Abs/Neg/BitShift/Pow/Cast), in every integer type.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tensor/integer_math.h"

namespace flowonnx {
namespace {

namespace im = integer_math;

template <typename T>
class SignedEdges : public ::testing::Test {};
template <typename T>
class UnsignedEdges : public ::testing::Test {};
using SignedTypes = ::testing::Types<int8_t, int16_t, int32_t, int64_t>;
using UnsignedTypes = ::testing::Types<uint8_t, uint16_t, uint32_t, uint64_t>;
TYPED_TEST_SUITE(SignedEdges, SignedTypes);
TYPED_TEST_SUITE(UnsignedEdges, UnsignedTypes);

TYPED_TEST(SignedEdges, MinimumByMinusOneWraps) {
  using T = TypeParam;
  const T min = std::numeric_limits<T>::min(), max = std::numeric_limits<T>::max();
  EXPECT_EQ(im::div(min, T(-1)), min);  // ORT: INT_MIN (int8/16; SIGFPE for int32/64)
  EXPECT_EQ(im::mod(min, T(-1)), T(0));  // ORT: 0 (int8/16; SIGFPE for int32/64)
  EXPECT_EQ(im::rem(min, T(-1)), T(0));
  EXPECT_EQ(im::neg(min), min);
  EXPECT_EQ(im::abs(min), min);
  EXPECT_EQ(im::abs(T(-3)), T(3));
  EXPECT_EQ(im::add(max, T(1)), min);
  EXPECT_EQ(im::sub(min, T(1)), max);
  EXPECT_EQ(im::mul(max, T(2)), T(-2));
}

TYPED_TEST(SignedEdges, DivisionAndModuloSignRules) {
  using T = TypeParam;
  EXPECT_EQ(im::div(T(-7), T(2)), T(-3));  // toward zero
  EXPECT_EQ(im::mod(T(-7), T(2)), T(1));   // sign of the divisor (fmod=0)
  EXPECT_EQ(im::mod(T(7), T(-2)), T(-1));
  EXPECT_EQ(im::rem(T(-7), T(2)), T(-1));  // sign of the dividend (fmod=1)
  EXPECT_EQ(im::rem(T(7), T(-2)), T(1));
  EXPECT_EQ(im::mod(T(-4), T(2)), T(0));
}

TYPED_TEST(SignedEdges, PowAndCastFollowX86Conversions) {
  using T = TypeParam;
  const T min = std::numeric_limits<T>::min();
  const T indefinite = sizeof(T) >= 4 ? min : T(0);  // int8/16 go through int32 and wrap
  EXPECT_EQ(im::pow(T(2), T(3)), T(8));
  EXPECT_EQ(im::pow(T(2), T(-1)), T(0));
  EXPECT_EQ(im::pow(T(-1), T(-3)), T(-1));
  EXPECT_EQ(im::pow(T(0), T(-1)), indefinite);  // inf
  EXPECT_EQ(im::float_to_integer<T>(std::nan("")), indefinite);
  EXPECT_EQ(im::float_to_integer<T>(INFINITY), indefinite);
  EXPECT_EQ(im::float_to_integer<T>(-1e20f), indefinite);
  EXPECT_EQ(im::float_to_integer<T>(-1.5f), T(-1));
  EXPECT_EQ(im::float_to_integer<T>(2.5), T(2));
  EXPECT_EQ(im::float_to_integer<T>(300.7f), T(int32_t{300}));  // int8: 44, as ORT
}

TYPED_TEST(UnsignedEdges, ShiftsPastTheWidthGiveZero) {
  using T = TypeParam;
  const T bits = T(std::numeric_limits<T>::digits);
  EXPECT_EQ(im::shift_left(T(1), T(bits - 1)), T(T(1) << (bits - 1)));
  EXPECT_EQ(im::shift_left(T(1), bits), T(0));
  EXPECT_EQ(im::shift_left(T(3), T(255)), T(0));
  EXPECT_EQ(im::shift_right(T(255), T(bits - 1)), T(bits == 8 ? 1 : 0));
  EXPECT_EQ(im::shift_right(T(255), bits), T(0));
  EXPECT_EQ(im::shift_right(std::numeric_limits<T>::max(), T(bits + 1)), T(0));
}

TYPED_TEST(UnsignedEdges, ArithmeticWrapsWithoutPromotionOverflow) {
  using T = TypeParam;
  const T max = std::numeric_limits<T>::max();
  EXPECT_EQ(im::mul(max, max), T(1));  // uint16 * uint16 would overflow int
  EXPECT_EQ(im::add(max, T(1)), T(0));
  EXPECT_EQ(im::sub(T(0), T(1)), max);
  EXPECT_EQ(im::abs(max), max);
  EXPECT_EQ(im::mod(T(7), T(3)), T(1));
  EXPECT_EQ(im::div(T(7), T(2)), T(3));
}

TYPED_TEST(UnsignedEdges, CastFollowsX86Conversions) {
  using T = TypeParam;
  constexpr bool wide = sizeof(T) >= 4;
  const T top = wide ? T(T(1) << (std::numeric_limits<T>::digits - 1)) : T(0);
  EXPECT_EQ(im::float_to_integer<T>(std::nanf("")), top);  // ORT uint32/64: 2^(bits-1)
  EXPECT_EQ(im::float_to_integer<T>(INFINITY), T(0));
  EXPECT_EQ(im::float_to_integer<T>(-INFINITY), top);
  EXPECT_EQ(im::float_to_integer<T>(1e20f), T(0));
  EXPECT_EQ(im::float_to_integer<T>(-1.5f), std::numeric_limits<T>::max());
  EXPECT_EQ(im::float_to_integer<T>(-300.7f), T(int64_t{-300}));
  EXPECT_EQ(im::float_to_integer<T>(2.5f), T(2));
}

TEST(IntegerMath, CastsOfLargeUnsignedValuesAreExact) {
  EXPECT_EQ(im::float_to_integer<uint64_t>(4294967296.0f), uint64_t{4294967296});
  EXPECT_EQ(im::float_to_integer<uint32_t>(4294967296.0f), 0u);
  EXPECT_EQ(im::float_to_integer<uint32_t>(3e9), 3000000000u);
  EXPECT_EQ(im::float_to_integer<uint64_t>(1.8e19), uint64_t{18000000000000000000u});
  EXPECT_EQ(im::float_to_integer<int32_t>(2147483520.0f), 2147483520);
  EXPECT_EQ(im::float_to_integer<int32_t>(2147483648.0), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(im::float_to_integer<int32_t>(-2147483648.9), std::numeric_limits<int32_t>::min());
}

}  // namespace
}  // namespace flowonnx
