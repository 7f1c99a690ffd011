#include "flow/nn/normalization.h"

#include "flow/nn_functional.h"

namespace flowonnx::nn {

namespace F = functional;

namespace {
void require_trailing(const char* module, const Tensor& x, const std::vector<int64_t>& normalized) {
  bool ok = x.rank() >= static_cast<int>(normalized.size()) &&
            std::vector<int64_t>(x.shape().end() - normalized.size(), x.shape().end()) == normalized;
  FLOWONNX_REQUIRE(ok, "{}: input {} does not end with the normalised shape {}", module, x.describe(),
                   shape_to_string(normalized));
}
}  // namespace

LayerNorm::LayerNorm(std::vector<int64_t> shape, double eps, bool affine) : normalized_shape(shape), eps(eps) {
  FLOWONNX_REQUIRE(!shape.empty(), "LayerNorm: normalized_shape is empty");
  if (affine) {
    weight = register_parameter("weight", Tensor::full(shape, 1.0));
    bias = register_parameter("bias", Tensor::zeros(shape));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  require_trailing("LayerNorm", x, normalized_shape);
  return F::layer_norm(x, weight, bias, -static_cast<int64_t>(normalized_shape.size()), eps);
}

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double eps, bool affine) : num_groups(groups), eps(eps) {
  FLOWONNX_REQUIRE(groups > 0 && channels % groups == 0, "GroupNorm: {} channels do not split into {} groups",
                   channels, groups);
  if (affine) {
    weight = register_parameter("weight", Tensor::full({channels}, 1.0));
    bias = register_parameter("bias", Tensor::zeros({channels}));
  }
}

Tensor GroupNorm::forward(const Tensor& x) { return F::group_norm(x, num_groups, weight, bias, eps); }

RMSNorm::RMSNorm(std::vector<int64_t> shape, double eps, bool affine) : normalized_shape(shape), eps(eps) {
  FLOWONNX_REQUIRE(!shape.empty(), "RMSNorm: normalized_shape is empty");
  if (affine) weight = register_parameter("weight", Tensor::full(shape, 1.0));
}

Tensor RMSNorm::forward(const Tensor& x) {
  require_trailing("RMSNorm", x, normalized_shape);
  return F::rms_norm(x, weight, static_cast<int64_t>(normalized_shape.size()), eps);
}

}  // namespace flowonnx::nn
