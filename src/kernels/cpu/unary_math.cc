#include "kernels/cpu/unary_math.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/vector_math.h"
#include "tensor/integer_math.h"

namespace flowonnx::kernels {

namespace {

// min(high, max(low, v)) for every v but NaN, which stays NaN as in ONNX Runtime (std::max and
// std::min return their first argument when a comparison with NaN fails, which made
// HardSigmoid(NaN) 1 and Relu(NaN) 0: found by python/tests/test_fuzz_ort.py).
template <typename T>
T clamp_keeping_nan(T v, T low, T high) {
  return v < low ? low : (v > high ? high : v);
}

// Work of one element in threads_for's units: a libm call costs an order of magnitude more
// than a compare or an add.
int64_t cost_of(MathOp op) {
  switch (op) {
    case MathOp::Abs:
    case MathOp::Neg:
    case MathOp::Sign:
    case MathOp::Floor:
    case MathOp::Ceil:
    case MathOp::Round:
    case MathOp::Reciprocal:
    case MathOp::Sqrt:
    case MathOp::Softsign:
    case MathOp::LeakyRelu:
    case MathOp::HardSigmoid:
    case MathOp::HardSwish:
    case MathOp::ThresholdedRelu:
    case MathOp::Shrink:
    case MathOp::Relu:
      return 1;
    default:
      return 16;
  }
}

template <typename T, typename Fn>
void map(const Tensor& x, Tensor& y, int threads, Fn fn) {
  const T* in = x.data<T>();
  T* out = y.data<T>();
  int64_t count = x.num_elements();
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < count; ++i) out[i] = fn(in[i]);
}

// float32 ops with an AVX2 form (vector_math.h); false for the others. Chunks of whole vectors
// go to the threads.
bool vector_math(MathOp op, const Tensor& x, Tensor& y) {
  using vec::erf_ps;
  using vec::exp_ps;
  auto run = [&](auto fn) {
    const float* in = x.data<float>();
    float* out = y.data<float>();
    const int64_t count = x.num_elements();
    constexpr int64_t kBlock = 1024;
    const int64_t blocks = (count + kBlock - 1) / kBlock;
    const int threads = threads_for(count, 4);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t b = 0; b < blocks; ++b)
      vec::map_ps(in + b * kBlock, out + b * kBlock, std::min(kBlock, count - b * kBlock), fn);
    return true;
  };
  switch (op) {
    case MathOp::Exp:
      return run([](__m256 v) { return exp_ps(v); });
    case MathOp::Erf:
      return run([](__m256 v) { return erf_ps(v); });
    case MathOp::Sigmoid:
      return run([](__m256 v) { return vec::sigmoid_ps(v); });
    case MathOp::Gelu:
      return run([](__m256 v) { return vec::gelu_ps(v); });
    default:
      return false;
  }
}

// Round half to even, as ONNX Round (and numpy) do.
template <typename T>
T round_half_even(T v) {
  return std::nearbyint(v);
}

template <typename T>
void float_math(MathOp op, const Tensor& x, Tensor& y, const MathParams& p) {
  const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta),
          gamma = static_cast<T>(p.gamma);
  if constexpr (std::is_same_v<T, float>)
    if (vector_math(op, x, y)) return;
  const int threads = threads_for(x.num_elements(), cost_of(op));
  switch (op) {
    case MathOp::Abs:
      return map<T>(x, y, threads, [](T v) { return std::abs(v); });
    case MathOp::Neg:
      return map<T>(x, y, threads, [](T v) { return -v; });
    case MathOp::Sign:  // Sign(NaN) is NaN, as in ONNX Runtime and numpy
      return map<T>(x, y, threads, [](T v) { return v != v ? v : T((v > 0) - (v < 0)); });
    case MathOp::Exp:
      return map<T>(x, y, threads, [](T v) { return std::exp(v); });
    case MathOp::Log:
      return map<T>(x, y, threads, [](T v) { return std::log(v); });
    case MathOp::Sqrt:
      return map<T>(x, y, threads, [](T v) { return std::sqrt(v); });
    case MathOp::Reciprocal:
      return map<T>(x, y, threads, [](T v) { return T(1) / v; });
    case MathOp::Floor:
      return map<T>(x, y, threads, [](T v) { return std::floor(v); });
    case MathOp::Ceil:
      return map<T>(x, y, threads, [](T v) { return std::ceil(v); });
    case MathOp::Round:
      return map<T>(x, y, threads, [](T v) { return round_half_even(v); });
    case MathOp::Erf:
      return map<T>(x, y, threads, [](T v) { return std::erf(v); });
    case MathOp::Tanh:
      return map<T>(x, y, threads, [](T v) { return std::tanh(v); });
    case MathOp::Sigmoid:
      return map<T>(x, y, threads, [](T v) {
        return v >= 0 ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
      });
    case MathOp::Sin:
      return map<T>(x, y, threads, [](T v) { return std::sin(v); });
    case MathOp::Cos:
      return map<T>(x, y, threads, [](T v) { return std::cos(v); });
    case MathOp::Tan:
      return map<T>(x, y, threads, [](T v) { return std::tan(v); });
    case MathOp::Asin:
      return map<T>(x, y, threads, [](T v) { return std::asin(v); });
    case MathOp::Acos:
      return map<T>(x, y, threads, [](T v) { return std::acos(v); });
    case MathOp::Atan:
      return map<T>(x, y, threads, [](T v) { return std::atan(v); });
    case MathOp::Sinh:
      return map<T>(x, y, threads, [](T v) { return std::sinh(v); });
    case MathOp::Cosh:
      return map<T>(x, y, threads, [](T v) { return std::cosh(v); });
    case MathOp::Asinh:
      return map<T>(x, y, threads, [](T v) { return std::asinh(v); });
    case MathOp::Acosh:
      return map<T>(x, y, threads, [](T v) { return std::acosh(v); });
    case MathOp::Atanh:
      return map<T>(x, y, threads, [](T v) { return std::atanh(v); });
    case MathOp::Softplus:
      return map<T>(x, y, threads, [](T v) {
        return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
      });
    case MathOp::Softsign:
      return map<T>(x, y, threads, [](T v) { return v / (T(1) + std::abs(v)); });
    case MathOp::LeakyRelu:
      return map<T>(x, y, threads, [=](T v) { return v >= 0 ? v : alpha * v; });
    case MathOp::HardSigmoid:
      return map<T>(x, y, threads,
                    [=](T v) { return clamp_keeping_nan(alpha * v + beta, T(0), T(1)); });
    case MathOp::HardSwish:
      return map<T>(x, y, threads,
                    [](T v) { return v * clamp_keeping_nan(v / T(6) + T(0.5), T(0), T(1)); });
    case MathOp::Elu:
      return map<T>(x, y, threads, [=](T v) { return v >= 0 ? v : alpha * (std::exp(v) - T(1)); });
    case MathOp::Selu:
      return map<T>(x, y, threads,
                    [=](T v) { return gamma * (v > 0 ? v : alpha * (std::exp(v) - T(1))); });
    case MathOp::Celu:
      return map<T>(x, y, threads, [=](T v) {
        return v > 0 ? v : (v <= 0 ? alpha * (std::exp(v / alpha) - T(1)) : v);  // NaN stays
      });
    case MathOp::ThresholdedRelu:
      return map<T>(x, y, threads, [=](T v) { return v > alpha ? v : T(0); });
    case MathOp::Shrink:
      return map<T>(x, y, threads,
                    [=](T v) { return v < -alpha ? v + beta : (v > alpha ? v - beta : T(0)); });
    case MathOp::Relu:
      return map<T>(x, y, threads, [](T v) { return v < 0 ? T(0) : v; });  // NaN stays NaN
    case MathOp::Mish:
      return map<T>(x, y, threads, [](T v) { return v * std::tanh(std::log1p(std::exp(v))); });
    case MathOp::Gelu:
      return map<T>(x, y, threads,
                    [](T v) { return T(0.5) * v * (T(1) + std::erf(v / std::sqrt(T(2)))); });
    case MathOp::GeluTanh:
      return map<T>(x, y, threads, [](T v) {
        const T sqrt_2_over_pi = T(0.7978845608028654);
        return T(0.5) * v * (T(1) + std::tanh(sqrt_2_over_pi * (v + T(0.044715) * v * v * v)));
      });
    case MathOp::Swish:
      return map<T>(x, y, threads, [=](T v) { return v / (T(1) + std::exp(-alpha * v)); });
  }
}

// Abs and Neg wrap (Abs(INT_MIN) == Neg(INT_MIN) == INT_MIN, as ORT); Neg of unsigned types is
// not an ONNX op.
template <typename T>
void integer_unary(MathOp op, const Tensor& x, Tensor& y) {
  const int threads = threads_for(x.num_elements());
  switch (op) {
    case MathOp::Abs:
      return map<T>(x, y, threads, [](T v) { return integer_math::abs(v); });
    case MathOp::Neg:
      if constexpr (std::is_signed_v<T>) return map<T>(x, y, threads, [](T v) { return integer_math::neg(v); });
      break;
    case MathOp::Sign:
      return map<T>(x, y, threads, [](T v) { return T((v > 0) - (v < 0)); });
    case MathOp::Relu:
      return map<T>(x, y, threads, [](T v) { return v > 0 ? v : T(0); });
    default:
      break;
  }
  fail(ErrorCode::InvalidArgument, "{}: integer input {} is not supported", math_op_name(op),
       x.describe());
}

}  // namespace

const char* math_op_name(MathOp op) {
  static const char* names[] = {
      "Abs", "Neg", "Sign", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Erf",
      "Tanh", "Sigmoid", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
      "Acosh", "Atanh", "Softplus", "Softsign", "LeakyRelu", "HardSigmoid", "HardSwish", "Elu",
      "Selu", "Celu", "ThresholdedRelu", "Shrink", "Relu", "Mish", "Gelu", "Gelu", "Swish"};
  return names[static_cast<int>(op)];
}

void unary_math(MathOp op, const Tensor& x, Tensor& y, const MathParams& params) {
  const char* name = math_op_name(op);
  detail::require_defined(name, "input", x);
  detail::require_output(name, y, x.shape(), x.dtype(), {&x});
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<T>) float_math<T>(op, x, y, params);
    else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) integer_unary<T>(op, x, y);
    else fail(ErrorCode::InvalidArgument, "{}: dtype of {} is not supported", name, x.describe());
  });
}

}  // namespace flowonnx::kernels
