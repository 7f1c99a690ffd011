// Framework ops of the nn family that normalise: normalization (batch norm), layer_norm,
// rms_norm, rms_layer_norm and group_norm. Names and attributes follow OneFlow's user ops;
// optional affine parameters are trailing inputs whose presence the attributes state.
#include "flow/ops/nn_norm_ops.h"

#include <cmath>

#include "flow/ops/op_helpers.h"
#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/group_norm.h"
#include "kernels/cpu/normalization.h"
#include "kernels/cpu/rms_norm.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

// Batch statistics over every axis but `axis` (training mode), in double for accuracy.
void batch_moments(const Tensor& x, int64_t axis, Tensor& mean, Tensor& var) {
  const float* data = x.data<float>();
  int64_t channels = x.dim(static_cast<int>(axis));
  int64_t inner = 1;
  for (int i = static_cast<int>(axis) + 1; i < x.rank(); ++i) inner *= x.dim(i);
  int64_t outer = x.num_elements() / (channels * inner);
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0, sum_sq = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        double v = data[(o * channels + c) * inner + i];
        sum += v;
        sum_sq += v * v;
      }
    double count = static_cast<double>(outer * inner);
    double m = sum / count;
    mean.data<float>()[c] = static_cast<float>(m);
    var.data<float>()[c] = static_cast<float>(std::max(0.0, sum_sq / count - m * m));
  }
}

// normalization(x, moving_mean, moving_variance, gamma, beta): inference uses the moving
// statistics; training=1 normalises with the batch statistics (biased variance) instead.
OpSchema normalization_schema() {
  OpSchema schema;
  schema.name = "normalization";
  schema.inputs = {"x", "moving_mean", "moving_variance", "gamma", "beta"};
  schema.outputs = {"y"};
  schema.defaults = {{"axis", int64_t{1}}, {"epsilon", 1e-5}, {"training", int64_t{0}}, {"momentum", 0.9}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    static const char* const names[] = {"x", "moving_mean", "moving_variance", "gamma", "beta"};
    for (int i = 0; i < 5; ++i) require_float32("normalization", names[i], in[i]);
    FLOWONNX_REQUIRE(in[0].shape.size() >= 2, "normalization: x must have rank >= 2, got {}",
                     shape_to_string(in[0].shape));
    FLOWONNX_REQUIRE(attrs.get_int("axis") == 1, "normalization: only axis=1 is supported, got {}",
                     attrs.get_int("axis"));
    for (int i = 1; i < 5; ++i)
      FLOWONNX_REQUIRE(in[i].shape == Shape{in[0].shape[1]},
                       "normalization: '{}' must be [{}] for x {}, got {}", names[i],
                       in[0].shape[1], shape_to_string(in[0].shape), shape_to_string(in[i].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    Tensor mean = in[1], var = in[2];
    if (attrs.get_bool("training")) {
      mean = Tensor(in[1].shape());
      var = Tensor(in[2].shape());
      batch_moments(in[0], 1, mean, var);
    }
    kernels::batch_norm_inference(in[0], in[3], in[4], mean, var, attrs.get_float("epsilon"), out[0]);
  };
  return schema;
}

// Checks that the optional trailing inputs match what the attributes announce and that each
// parameter holds the normalised dims' shape; returns nothing, throws InvalidArgument.
void check_params(const char* op, const std::vector<TensorMeta>& in, size_t expected_count, int64_t axis) {
  FLOWONNX_REQUIRE(in.size() == expected_count, "{}: expected {} inputs for these attributes, got {}", op,
                   expected_count, in.size());
  int64_t rank = static_cast<int64_t>(in[0].shape.size());
  FLOWONNX_REQUIRE(axis >= 0 && axis < rank, "{}: normalised axis {} out of range for x {}", op, axis,
                   shape_to_string(in[0].shape));
  Shape param(in[0].shape.begin() + axis, in[0].shape.end());
  for (size_t i = 0; i < in.size(); ++i) {
    require_float32(op, i == 0 ? "x" : "parameter", in[i]);
    if (i > 0)
      FLOWONNX_REQUIRE(in[i].shape == param, "{}: parameter {} must be {} for x {}, got {}", op, i,
                       shape_to_string(param), shape_to_string(in[0].shape), shape_to_string(in[i].shape));
  }
}

int64_t positive_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// layer_norm(x[, gamma][, beta]): gamma present when scale=1, beta when center=1; normalises
// dims begin_norm_axis.. (OneFlow's begin_params_axis must equal it here).
OpSchema layer_norm_schema() {
  OpSchema schema;
  schema.name = "layer_norm";
  schema.inputs = {"x"};  // then gamma (scale=1), then beta (center=1)
  schema.outputs = {"y"};
  schema.variadic_input = true;
  schema.defaults = {{"center", int64_t{1}}, {"scale", int64_t{1}}, {"begin_norm_axis", int64_t{-1}},
                     {"begin_params_axis", int64_t{-1}}, {"epsilon", 1e-5}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    size_t rank = in[0].shape.size();
    int64_t axis = positive_axis(attrs.get_int("begin_norm_axis"), rank);
    FLOWONNX_REQUIRE(positive_axis(attrs.get_int("begin_params_axis"), rank) == axis,
                     "layer_norm: begin_params_axis must equal begin_norm_axis");
    check_params("layer_norm", in, 1 + attrs.get_bool("scale") + attrs.get_bool("center"), axis);
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    int64_t axis = positive_axis(attrs.get_int("begin_norm_axis"), in[0].shape().size());
    bool scale = attrs.get_bool("scale"), center = attrs.get_bool("center");
    Tensor gamma = scale ? in[1] : Tensor::full(Shape(in[0].shape().begin() + axis, in[0].shape().end()), 1.0);
    Tensor beta = center ? in[scale ? 2 : 1] : Tensor();
    kernels::layer_norm(in[0], axis, gamma, beta, attrs.get_float("epsilon"), out[0]);
  };
  return schema;
}

// rms_norm(x[, weight]) over the trailing normalized_shape dims; rms_layer_norm(x, weight) is
// the same over the last dim (the fused op of LiBai/T5 layers, which oneflow-onnx exported with
// a non-ONNX Rsqrt).
OpSchema rms_norm_schema(const char* name) {
  bool layer_form = std::string(name) == "rms_layer_norm";
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"x"};  // then weight (optional for rms_norm)
  schema.outputs = {"y"};
  schema.variadic_input = true;
  schema.defaults = {{"epsilon", 1e-6}};
  if (!layer_form) schema.defaults.set("normalized_shape", Ints{});
  auto axis_of = [layer_form](const Shape& x, const ir::Attributes& attrs) {
    int64_t count = layer_form ? 1 : static_cast<int64_t>(attrs.get_ints("normalized_shape").size());
    return static_cast<int64_t>(x.size()) - count;
  };
  schema.infer = [name, layer_form, axis_of](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    int64_t axis = axis_of(in[0].shape, attrs);
    if (!layer_form) {
      const Ints& normalized = attrs.get_ints("normalized_shape");
      FLOWONNX_REQUIRE(!normalized.empty() && axis >= 0 &&
                           Ints(in[0].shape.begin() + axis, in[0].shape.end()) == normalized,
                       "rms_norm: normalized_shape does not match the trailing dims of x {}",
                       shape_to_string(in[0].shape));
    }
    check_params(name, in, layer_form ? 2 : in.size(), axis);
    FLOWONNX_REQUIRE(in.size() <= 2, "{}: expected x and at most one weight", name);
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [axis_of](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::rms_norm(in[0], axis_of(in[0].shape(), attrs), in.size() > 1 ? in[1] : Tensor(),
                      attrs.get_float("epsilon"), out[0]);
  };
  return schema;
}

// group_norm(x[, gamma, beta]) with affine=1 giving gamma and beta [C].
OpSchema group_norm_schema() {
  OpSchema schema;
  schema.name = "group_norm";
  schema.inputs = {"x"};  // then gamma, beta when affine
  schema.outputs = {"y"};
  schema.variadic_input = true;
  schema.defaults = {{"affine", int64_t{1}}, {"num_groups", int64_t{1}}, {"epsilon", 1e-5},
                     {"data_format", std::string("channels_first")}, {"activation", std::string("none")}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("group_norm", "x", in[0]);
    FLOWONNX_REQUIRE(in[0].shape.size() >= 3, "group_norm: x must be [N, C, ...], got {}", shape_to_string(in[0].shape));
    FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first" && attrs.get_string("activation") == "none",
                     "group_norm: only channels_first without a fused activation is supported");
    int64_t groups = attrs.get_int("num_groups");
    FLOWONNX_REQUIRE(groups > 0 && in[0].shape[1] % groups == 0, "group_norm: {} channels do not split into {} groups",
                     in[0].shape[1], groups);
    size_t expected = attrs.get_bool("affine") ? 3 : 1;
    FLOWONNX_REQUIRE(in.size() == expected, "group_norm: expected {} inputs, got {}", expected, in.size());
    for (size_t i = 1; i < in.size(); ++i)
      FLOWONNX_REQUIRE(in[i].dtype == DType::Float32 && in[i].shape == Shape{in[0].shape[1]},
                       "group_norm: gamma/beta must be float32[{}]", in[0].shape[1]);
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    bool affine = in.size() == 3;
    kernels::group_norm(in[0], attrs.get_int("num_groups"), affine ? in[1] : Tensor(), affine ? in[2] : Tensor(),
                        attrs.get_float("epsilon"), out[0]);
  };
  return schema;
}

}  // namespace

void register_nn_norm_ops(OpRegistry& registry) {
  registry.add(normalization_schema());
  registry.add(layer_norm_schema());
  registry.add(rms_norm_schema("rms_norm"));
  registry.add(rms_norm_schema("rms_layer_norm"));
  registry.add(group_norm_schema());
}

}  // namespace flowonnx::flow
