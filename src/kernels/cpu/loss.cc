#include "kernels/cpu/loss.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

constexpr const char* kNll = "NegativeLogLikelihoodLoss";

std::vector<int64_t> target_values(const Tensor& target) {
  std::vector<int64_t> values(static_cast<size_t>(target.num_elements()));
  if (target.dtype() == DType::Int64) {
    const int64_t* t = target.data<int64_t>();
    values.assign(t, t + values.size());
  } else {
    const int32_t* t = target.data<int32_t>();
    for (size_t i = 0; i < values.size(); ++i) values[i] = t[i];
  }
  return values;
}

template <typename T>
void nll_typed(const Tensor& log_prob, const std::vector<int64_t>& target, const Tensor& weight,
               const NllLossParams& params, Tensor& y) {
  const Shape& shape = log_prob.shape();
  const int64_t n = shape[0], c = shape[1];
  const int64_t d = detail::product(shape, 2, shape.size());
  const T* lp = log_prob.data<T>();
  const T* w = weight.defined() ? weight.data<T>() : nullptr;
  T* out = y.data<T>();
  double total = 0, weight_sum = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < d; ++i) {
      const int64_t at = b * d + i;
      const int64_t cls = target[at];
      if (params.ignore_index && cls == *params.ignore_index) {
        if (params.reduction == LossReduction::None) out[at] = T(0);
        continue;
      }
      FLOWONNX_REQUIRE(cls >= 0 && cls < c,
                       "{}: input 1 (target) holds {} at flat index {}, outside the {} classes "
                       "[0, {}) of input 0 and not the ignore_index",
                       kNll, cls, at, c, c);
      const double wt = w ? static_cast<double>(w[cls]) : 1.0;
      const double loss = -static_cast<double>(lp[(b * c + cls) * d + i]) * wt;
      if (params.reduction == LossReduction::None) out[at] = static_cast<T>(loss);
      total += loss;
      weight_sum += wt;
    }
  }
  if (params.reduction == LossReduction::Sum) out[0] = static_cast<T>(total);
  // Every target ignored gives 0 / 0 = NaN, as PyTorch and ONNX Runtime do.
  if (params.reduction == LossReduction::Mean) out[0] = static_cast<T>(total / weight_sum);
}

template <typename T>
void log_softmax_typed(const Tensor& x, Tensor& y) {
  const Shape& shape = x.shape();
  const int64_t n = shape[0], c = shape[1];
  const int64_t d = detail::product(shape, 2, shape.size());
  const T* in = x.data<T>();
  T* out = y.data<T>();
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < d; ++i) {
      const T* row = in + b * c * d + i;
      T* dst = out + b * c * d + i;
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < c; ++k) max = std::max(max, static_cast<double>(row[k * d]));
      double sum = 0;
      for (int64_t k = 0; k < c; ++k) sum += std::exp(static_cast<double>(row[k * d]) - max);
      const double log_sum = std::log(sum) + max;
      for (int64_t k = 0; k < c; ++k)
        dst[k * d] = static_cast<T>(static_cast<double>(row[k * d]) - log_sum);
    }
  }
}

void require_float(const char* op, const char* what, const Tensor& t) {
  detail::require_defined(op, what, t);
  FLOWONNX_REQUIRE(t.dtype() == DType::Float32 || t.dtype() == DType::Float64,
                   "{}: {} {} must be float32 or float64", op, what, t.describe());
}

}  // namespace

LossReduction parse_loss_reduction(const std::string& name) {
  if (name == "none") return LossReduction::None;
  if (name == "sum") return LossReduction::Sum;
  if (name == "mean") return LossReduction::Mean;
  fail(ErrorCode::InvalidArgument, "reduction must be none, sum or mean, got '{}'", name);
}

Shape nll_loss_shape(const Tensor& target, LossReduction reduction) {
  return reduction == LossReduction::None ? target.shape() : Shape{};
}

void nll_loss(const Tensor& log_prob, const Tensor& target, const Tensor& weight,
              const NllLossParams& params, Tensor& y) {
  require_float(kNll, "input 0 (input)", log_prob);
  detail::require_defined(kNll, "input 1 (target)", target);
  FLOWONNX_REQUIRE(log_prob.rank() >= 2, "{}: input 0 (input) {} must be [N, C, d1..dk]", kNll,
                   log_prob.describe());
  FLOWONNX_REQUIRE(target.dtype() == DType::Int64 || target.dtype() == DType::Int32,
                   "{}: input 1 (target) {} must be int64 or int32", kNll, target.describe());
  Shape expected = log_prob.shape();
  expected.erase(expected.begin() + 1);
  FLOWONNX_REQUIRE(target.shape() == expected,
                   "{}: input 1 (target) {} must have shape {} (input 0's without the class axis)",
                   kNll, target.describe(), shape_to_string(expected));
  if (weight.defined()) {
    FLOWONNX_REQUIRE(
        weight.dtype() == log_prob.dtype() && weight.shape() == Shape{log_prob.shape()[1]},
        "{}: input 2 (weight) {} must be {}[{}] like input 0's classes", kNll, weight.describe(),
        dtype_name(log_prob.dtype()), log_prob.shape()[1]);
  }
  detail::require_output(kNll, y, nll_loss_shape(target, params.reduction), log_prob.dtype(),
                         {&log_prob, &target});
  const std::vector<int64_t> t = target_values(target);
  if (log_prob.dtype() == DType::Float32)
    nll_typed<float>(log_prob, t, weight, params, y);
  else
    nll_typed<double>(log_prob, t, weight, params, y);
}

void log_softmax_axis1(const Tensor& x, Tensor& y) {
  constexpr const char* kOp = "log_softmax";
  require_float(kOp, "input", x);
  FLOWONNX_REQUIRE(x.rank() >= 2, "{}: input {} must be [N, C, d1..dk]", kOp, x.describe());
  detail::require_output(kOp, y, x.shape(), x.dtype(), {&x});
  if (x.dtype() == DType::Float32)
    log_softmax_typed<float>(x, y);
  else
    log_softmax_typed<double>(x, y);
}

}  // namespace flowonnx::kernels
