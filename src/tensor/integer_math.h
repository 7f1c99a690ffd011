// Integer arithmetic with a defined result for every input. C++ leaves signed overflow,
// INT_MIN / -1, INT_MIN % -1, shifts by the width or more and out-of-range float -> integer
// conversions undefined (UBSan flags each; INT_MIN % -1 traps with SIGFPE on x86). Every kernel
// doing integer math goes through these helpers so they behave like ONNX Runtime on x86-64,
// where ORT has a result, without undefined behaviour:
//   add/sub/mul/neg wrap modulo 2^bits (Abs(INT_MIN) == Neg(INT_MIN) == INT_MIN);
//   div truncates toward zero, INT_MIN / -1 wraps to INT_MIN; remainders of x by -1 are 0;
//   shifts by the width or more give 0;
//   float -> integer follows x86's truncating conversions (see float_to_integer).
// A zero divisor has no result: callers refuse it before any loop runs (ORT errors too).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace flowonnx::integer_math {

// The unsigned type integer promotion takes T to: uint16 * uint16 promotes to int and can
// overflow it, so wrapping arithmetic must happen in at least unsigned int.
template <typename T>
using Wide = std::make_unsigned_t<std::common_type_t<T, int>>;

template <typename T>
constexpr T add(T a, T b) { return T(Wide<T>(a) + Wide<T>(b)); }
template <typename T>
constexpr T sub(T a, T b) { return T(Wide<T>(a) - Wide<T>(b)); }
template <typename T>
constexpr T mul(T a, T b) { return T(Wide<T>(a) * Wide<T>(b)); }
template <typename T>
constexpr T neg(T a) { return T(Wide<T>(0) - Wide<T>(a)); }
template <typename T>
constexpr T abs(T a) {
  if constexpr (std::is_signed_v<T>) return a < 0 ? neg(a) : a;
  else return a;
}

// a / b truncating toward zero; b != 0.
template <typename T>
constexpr T div(T a, T b) {
  if constexpr (std::is_signed_v<T>)
    if (b == T(-1)) return neg(a);
  return T(a / b);
}

// C's remainder (sign of the dividend, ONNX Mod with fmod=1); b != 0.
template <typename T>
constexpr T rem(T a, T b) {
  if constexpr (std::is_signed_v<T>)
    if (b == T(-1)) return T(0);
  return T(a % b);
}

// Python's modulo (sign of the divisor, ONNX Mod with fmod=0); b != 0.
template <typename T>
constexpr T mod(T a, T b) {
  T r = rem(a, b);
  if constexpr (std::is_signed_v<T>)
    if (r != 0 && ((r < 0) != (b < 0))) r = add(r, b);
  return r;
}

// Shifts of unsigned values; a count of the width or more shifts every bit out.
template <typename T>
constexpr T shift_left(T a, T count) {
  static_assert(std::is_unsigned_v<T>);
  return count >= std::numeric_limits<T>::digits ? T(0) : T(Wide<T>(a) << count);
}
template <typename T>
constexpr T shift_right(T a, T count) {
  static_assert(std::is_unsigned_v<T>);
  return count >= std::numeric_limits<T>::digits ? T(0) : T(a >> count);
}

// x86's cvttsd2si for a signed integer of T's width: truncate toward zero; NaN and values out of
// range give the "integer indefinite" value, the type's minimum.
template <typename T>
T truncate_signed(double value) {
  static_assert(std::is_signed_v<T> && sizeof(T) >= 4);
  // -2^(bits-1) is exact in double; 2^(bits-1) is the first value past the maximum.
  constexpr double low = static_cast<double>(std::numeric_limits<T>::min());
  if (!(value > low - 1.0 && value < -low)) return std::numeric_limits<T>::min();
  return static_cast<T>(value);
}

// Float -> integer as ONNX Runtime's Cast (C++ static_cast) behaves on x86-64, made defined:
//   int32, int64: truncate; NaN and out of range give the type's minimum;
//   int8, int16, uint8, uint16: truncate to int32 as above, then wrap to the width;
//   uint32, uint64: values from 2^(bits-1) are converted after subtracting it (the compiler's
//     unsigned conversion), the rest as signed of the same width, then reinterpreted.
// So Cast(-1.5) to uint8 is 255, Cast(NaN) to int32 is INT_MIN, Cast(1e20) to uint64 is 0.
template <typename T, typename F>
T float_to_integer(F input) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  const double value = static_cast<double>(input);
  if constexpr (sizeof(T) < 4) {
    return static_cast<T>(truncate_signed<int32_t>(value));
  } else if constexpr (std::is_signed_v<T>) {
    return truncate_signed<T>(value);
  } else {
    using S = std::make_signed_t<T>;
    constexpr double half = -static_cast<double>(std::numeric_limits<S>::min());
    constexpr T top_bit = T(1) << (std::numeric_limits<T>::digits - 1);
    if (value >= half) return static_cast<T>(truncate_signed<S>(value - half)) ^ top_bit;
    return static_cast<T>(truncate_signed<S>(value));
  }
}

// Integer Pow as ORT computes it: the double power converted back as float_to_integer does
// (so 2^-1 == 0, 0^-1 == INT_MIN, 3^40 in int32 == INT_MIN).
template <typename T>
T pow(T base, T exponent) {
  return float_to_integer<T>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
}

}  // namespace flowonnx::integer_math
