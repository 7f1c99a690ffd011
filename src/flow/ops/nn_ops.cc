// Framework ops of the nn family: conv2d, normalization, max_pool_2d, avg_pool_2d,
// adaptive_avg_pool2d. Names and attributes follow OneFlow's user ops.
#include <cmath>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/pool.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

kernels::Conv2dParams conv_params(const ir::Attributes& attrs) {
  kernels::Conv2dParams params;
  params.strides = pair_attr(attrs, "strides", "conv2d");
  params.dilations = pair_attr(attrs, "dilation_rate", "conv2d");
  params.pads_begin = pair_attr(attrs, "padding_before", "conv2d");
  params.pads_end = params.pads_begin;  // OneFlow pads symmetrically
  params.groups = attrs.get_int("groups");
  return params;
}

OpSchema conv2d_schema() {
  OpSchema schema;
  schema.name = "conv2d";
  schema.inputs = {"in", "weight"};
  schema.outputs = {"out"};
  schema.defaults = {{"filters", int64_t{0}},         {"kernel_size", Ints{}},
                     {"strides", Ints{1, 1}},         {"padding_before", Ints{0, 0}},
                     {"dilation_rate", Ints{1, 1}},   {"groups", int64_t{1}},
                     {"data_format", std::string("channels_first")}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("conv2d", "in", in[0]);
    require_float32("conv2d", "weight", in[1]);
    FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first",
                     "conv2d: only data_format=channels_first is supported, got '{}'",
                     attrs.get_string("data_format"));
    const Ints& kernel = attrs.get_ints("kernel_size");
    FLOWONNX_REQUIRE(kernel.empty() || (in[1].shape.size() == 4 && kernel == Ints(in[1].shape.begin() + 2, in[1].shape.end())),
                     "conv2d: kernel_size attribute disagrees with weight {}", shape_to_string(in[1].shape));
    int64_t filters = attrs.get_int("filters");
    FLOWONNX_REQUIRE(filters == 0 || (!in[1].shape.empty() && filters == in[1].shape[0]),
                     "conv2d: filters={} disagrees with weight {}", filters, shape_to_string(in[1].shape));
    return std::vector<TensorMeta>{
        {DType::Float32, kernels::conv2d_output_shape(in[0].shape, in[1].shape, conv_params(attrs))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::conv2d(in[0], in[1], Tensor(), conv_params(attrs), out[0]);
  };
  return schema;
}

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

kernels::Pool2dParams pool_params(const ir::Attributes& attrs, const char* op) {
  kernels::Pool2dParams params;
  params.kernel = pair_attr(attrs, "kernel_size", op);
  params.strides = pair_attr(attrs, "stride", op);
  params.pads_begin = pair_attr(attrs, "padding", op);
  params.pads_end = params.pads_begin;
  params.ceil_mode = attrs.get_bool("ceil_mode");
  if (attrs.has("dilation")) params.dilations = pair_attr(attrs, "dilation", op);
  if (attrs.has("count_include_pad")) params.count_include_pad = attrs.get_bool("count_include_pad");
  return params;
}

// max_pool_2d and avg_pool_2d share everything but the kind and a few attributes.
OpSchema pool_schema(const char* name, kernels::PoolKind kind) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.defaults = {{"kernel_size", Ints{1, 1}}, {"stride", Ints{1, 1}}, {"padding", Ints{0, 0}},
                     {"ceil_mode", int64_t{0}}, {"data_format", std::string("channels_first")}};
  if (kind == kernels::PoolKind::Max) {
    schema.defaults.set("dilation", Ints{1, 1});
  } else {
    schema.defaults.set("count_include_pad", int64_t{1});
    schema.defaults.set("divisor_override", int64_t{0});
  }
  schema.infer = [name](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32(name, "x", in[0]);
    require_rank(name, "x", in[0], 4);
    FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first",
                     "{}: only data_format=channels_first is supported", name);
    FLOWONNX_REQUIRE(!attrs.has("divisor_override") || attrs.get_int("divisor_override") == 0,
                     "{}: divisor_override is not supported", name);
    return std::vector<TensorMeta>{
        {DType::Float32, kernels::pool2d_output_shape(in[0].shape, pool_params(attrs, name))}};
  };
  schema.compute = [name, kind](const std::vector<Tensor>& in, const ir::Attributes& attrs,
                                std::vector<Tensor>& out) {
    kernels::pool2d(kind, in[0], pool_params(attrs, name), out[0]);
  };
  return schema;
}

OpSchema adaptive_avg_pool2d_schema() {
  OpSchema schema;
  schema.name = "adaptive_avg_pool2d";
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.defaults = {{"output_size", Ints{1, 1}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("adaptive_avg_pool2d", "x", in[0]);
    require_rank("adaptive_avg_pool2d", "x", in[0], 4);
    auto size = pair_attr(attrs, "output_size", "adaptive_avg_pool2d");
    FLOWONNX_REQUIRE(size[0] > 0 && size[1] > 0, "adaptive_avg_pool2d: output_size must be positive");
    return std::vector<TensorMeta>{
        {DType::Float32, {in[0].shape[0], in[0].shape[1], size[0], size[1]}}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::adaptive_avg_pool2d(in[0], out[0]);
  };
  return schema;
}

}  // namespace

void register_nn_ops(OpRegistry& registry) {
  registry.add(conv2d_schema());
  registry.add(normalization_schema());
  registry.add(pool_schema("max_pool_2d", kernels::PoolKind::Max));
  registry.add(pool_schema("avg_pool_2d", kernels::PoolKind::Average));
  registry.add(adaptive_avg_pool2d_schema());
}

}  // namespace flowonnx::flow
