// Framework ops of the nn family: conv1d, conv2d, deconv2d, max/avg pooling (both OneFlow
// spellings), adaptive_avg_pool2d, pad, upsample_nearest_2d / upsample_bilinear_2d and
// cublas_fused_mlp. The normalisations live in nn_norm_ops.cc. Names and attributes follow
// OneFlow's user ops.
#include <cmath>

#include "flow/op_registry.h"
#include "flow/ops/nn_norm_ops.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_transpose.h"
#include "kernels/cpu/data_movement.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/resize.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

// conv1d and conv2d share one schema: a 1-D conv runs the 2-D kernel on [N, C, 1, L].
int spatial_rank_of(const char* op) { return std::string(op) == "conv1d" ? 1 : 2; }

// Attribute lists of a `rank`-D conv as the 2-D kernel's [h, w] (1-D: h = identity value).
std::array<int64_t, 2> conv_pair(const ir::Attributes& attrs, const char* name, const char* op, int rank,
                                 int64_t identity) {
  if (rank == 2) return pair_attr(attrs, name, op);
  const Ints& values = attrs.get_ints(name);
  FLOWONNX_REQUIRE(values.size() == 1, "{}: attribute '{}' needs 1 value, got {}", op, name, values.size());
  return {identity, values[0]};
}

kernels::Conv2dParams conv_params(const ir::Attributes& attrs, const char* op) {
  int rank = spatial_rank_of(op);
  kernels::Conv2dParams params;
  params.strides = conv_pair(attrs, "strides", op, rank, 1);
  params.dilations = conv_pair(attrs, "dilation_rate", op, rank, 1);
  params.pads_begin = conv_pair(attrs, "padding_before", op, rank, 0);
  params.pads_end = params.pads_begin;  // OneFlow pads symmetrically
  params.groups = attrs.get_int("groups");
  return params;
}

Shape as_2d(const Shape& shape, int rank) {
  if (rank == 2 || shape.size() != 3) return shape;
  return {shape[0], shape[1], 1, shape[2]};
}

void check_conv_attrs(const char* name, const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
  require_float32(name, "in", in[0]);
  require_float32(name, "weight", in[1]);
  int rank = spatial_rank_of(name);
  require_rank(name, "in", in[0], rank + 2);
  require_rank(name, "weight", in[1], rank + 2);
  FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first",
                   "{}: only data_format=channels_first is supported, got '{}'", name,
                   attrs.get_string("data_format"));
  const Ints& kernel = attrs.get_ints("kernel_size");
  FLOWONNX_REQUIRE(kernel.empty() || kernel == Ints(in[1].shape.begin() + 2, in[1].shape.end()),
                   "{}: kernel_size attribute disagrees with weight {}", name, shape_to_string(in[1].shape));
  int64_t filters = attrs.get_int("filters");
  FLOWONNX_REQUIRE(filters == 0 || filters == in[1].shape[0], "{}: filters={} disagrees with weight {}", name,
                   filters, shape_to_string(in[1].shape));
}

OpSchema conv_schema(const char* name) {
  int rank = spatial_rank_of(name);
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"in", "weight"};
  schema.outputs = {"out"};
  schema.defaults = {{"filters", int64_t{0}},          {"kernel_size", Ints{}},
                     {"strides", Ints(rank, 1)},       {"padding_before", Ints(rank, 0)},
                     {"dilation_rate", Ints(rank, 1)}, {"groups", int64_t{1}},
                     {"data_format", std::string("channels_first")}};
  schema.infer = [name, rank](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    check_conv_attrs(name, in, attrs);
    Shape out = kernels::conv2d_output_shape(as_2d(in[0].shape, rank), as_2d(in[1].shape, rank),
                                             conv_params(attrs, name));
    if (rank == 1) out = {out[0], out[1], out[3]};
    return std::vector<TensorMeta>{{DType::Float32, out}};
  };
  schema.compute = [name, rank](const std::vector<Tensor>& in, const ir::Attributes& attrs,
                                std::vector<Tensor>& out) {
    Tensor y = out[0].reshape(as_2d(out[0].shape(), rank));
    kernels::conv2d(in[0].reshape(as_2d(in[0].shape(), rank)), in[1].reshape(as_2d(in[1].shape(), rank)),
                    Tensor(), conv_params(attrs, name), y);
  };
  return schema;
}

kernels::ConvTranspose2dParams deconv_params(const ir::Attributes& attrs) {
  kernels::ConvTranspose2dParams params;
  params.strides = pair_attr(attrs, "strides", "deconv2d");
  params.dilations = pair_attr(attrs, "dilation_rate", "deconv2d");
  params.pads_begin = pair_attr(attrs, "padding_before", "deconv2d");
  params.pads_end = params.pads_begin;
  params.output_padding = pair_attr(attrs, "output_padding", "deconv2d");
  params.groups = attrs.get_int("groups");
  return params;
}

// deconv2d(in, weight [C_in, C_out/groups, kh, kw]) -> out: ConvTranspose2d without bias.
OpSchema deconv2d_schema() {
  OpSchema schema;
  schema.name = "deconv2d";
  schema.inputs = {"in", "weight"};
  schema.outputs = {"out"};
  schema.defaults = {{"filters", int64_t{0}},        {"kernel_size", Ints{}},
                     {"strides", Ints{1, 1}},        {"padding_before", Ints{0, 0}},
                     {"output_padding", Ints{0, 0}}, {"dilation_rate", Ints{1, 1}},
                     {"groups", int64_t{1}},         {"data_format", std::string("channels_first")}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("deconv2d", "in", in[0]);
    require_float32("deconv2d", "weight", in[1]);
    FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first",
                     "deconv2d: only data_format=channels_first is supported");
    return std::vector<TensorMeta>{
        {DType::Float32, kernels::conv_transpose2d_output_shape(in[0].shape, in[1].shape, deconv_params(attrs))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::conv_transpose2d(in[0], in[1], Tensor(), deconv_params(attrs), out[0]);
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

// max_pool_2d / maxpool_2d and avg_pool_2d / avgpool_2d (OneFlow has used both spellings)
// share everything but the kind and a few attributes.
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

// pad(x) -> y: constant padding, padding_before/after per dim (OneFlow's "pad" user op; a float
// tensor takes floating_constant_value, an integer one integral_constant_value).
OpSchema pad_schema() {
  OpSchema schema;
  schema.name = "pad";
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.defaults = {{"padding_before", Ints{}}, {"padding_after", Ints{}},
                     {"floating_constant_value", 0.0}, {"integral_constant_value", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const Ints& before = attrs.get_ints("padding_before");
    const Ints& after = attrs.get_ints("padding_after");
    FLOWONNX_REQUIRE(before.size() == in[0].shape.size() && after.size() == in[0].shape.size(),
                     "pad: padding_before/after need {} values for x {}, got {} and {}", in[0].shape.size(),
                     shape_to_string(in[0].shape), before.size(), after.size());
    Shape out = in[0].shape;
    for (size_t d = 0; d < out.size(); ++d) {
      FLOWONNX_REQUIRE(before[d] >= 0 && after[d] >= 0, "pad: negative padding in dim {}", d);
      out[d] += before[d] + after[d];
    }
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    bool floating = in[0].dtype() == DType::Float32 || in[0].dtype() == DType::Float64;
    double value = floating ? attrs.get_float("floating_constant_value")
                            : static_cast<double>(attrs.get_int("integral_constant_value"));
    kernels::pad(in[0], attrs.get_ints("padding_before"), kernels::PadMode::Constant, value, out[0]);
  };
  return schema;
}

// Output size of an upsample: output_size when given, else floor(in * scale) (torch's rule).
Shape upsample_shape(const Shape& x, const ir::Attributes& attrs) {
  const Ints& size = attrs.get_ints("output_size");
  if (!size.empty()) {
    FLOWONNX_REQUIRE(size.size() == 2 && size[0] > 0 && size[1] > 0, "upsample: output_size must be 2 positive values");
    return {x[0], x[1], size[0], size[1]};
  }
  double sh = attrs.get_float("height_scale"), sw = attrs.get_float("width_scale");
  FLOWONNX_REQUIRE(sh > 0 && sw > 0, "upsample: scales must be positive, got {} and {}", sh, sw);
  return {x[0], x[1], static_cast<int64_t>(std::floor(x[2] * sh)), static_cast<int64_t>(std::floor(x[3] * sw))};
}

// The ONNX Resize semantics of OneFlow's (= torch's) upsampling: nearest is asymmetric + floor;
// bilinear is half_pixel, or align_corners. Coordinates use the given scale, or out/in when
// an output_size is given.
kernels::ResizeParams upsample_params(const Shape& x, const Shape& y, const ir::Attributes& attrs, bool bilinear) {
  kernels::ResizeParams params;
  params.mode = bilinear ? kernels::ResizeMode::Linear : kernels::ResizeMode::Nearest;
  params.coordinate_mode = bilinear ? (attrs.get_bool("align_corners") ? "align_corners" : "half_pixel") : "asymmetric";
  params.nearest_mode = "floor";
  bool given = attrs.get_ints("output_size").empty();
  params.scales = {1.0, 1.0, given ? attrs.get_float("height_scale") : double(y[2]) / double(x[2]),
                   given ? attrs.get_float("width_scale") : double(y[3]) / double(x[3])};
  return params;
}

OpSchema upsample_schema(const char* name, bool bilinear) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.defaults = {{"height_scale", 1.0}, {"width_scale", 1.0}, {"output_size", Ints{}},
                     {"align_corners", int64_t{0}}, {"data_format", std::string("channels_first")}};
  schema.infer = [name](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32(name, "x", in[0]);
    require_rank(name, "x", in[0], 4);
    FLOWONNX_REQUIRE(attrs.get_string("data_format") == "channels_first",
                     "{}: only data_format=channels_first is supported", name);
    return std::vector<TensorMeta>{{DType::Float32, upsample_shape(in[0].shape, attrs)}};
  };
  schema.compute = [bilinear](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::resize(in[0], upsample_params(in[0].shape(), out[0].shape(), attrs, bilinear), out[0]);
  };
  return schema;
}

// cublas_fused_mlp(x, weight_0..weight_{n-1}, bias_0..bias_{n-1}) -> out: n Linear layers
// (weights [out, in]) each followed by ReLU, the last one too unless skip_final_activation.
OpSchema cublas_fused_mlp_schema() {
  OpSchema schema;
  schema.name = "cublas_fused_mlp";
  schema.inputs = {"x"};  // then the weights, then the biases (one variadic list)
  schema.outputs = {"out"};
  schema.variadic_input = true;
  schema.defaults = {{"skip_final_activation", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    FLOWONNX_REQUIRE(in.size() >= 3 && in.size() % 2 == 1,
                     "cublas_fused_mlp: expected x, n weights and n biases, got {} inputs", in.size());
    for (size_t i = 0; i < in.size(); ++i) require_float32("cublas_fused_mlp", i == 0 ? "x" : "weight/bias", in[i]);
    require_rank("cublas_fused_mlp", "x", in[0], 2);
    size_t layers = in.size() / 2;
    int64_t features = in[0].shape[1];
    for (size_t l = 0; l < layers; ++l) {
      const Shape& w = in[1 + l].shape;
      const Shape& b = in[1 + layers + l].shape;
      FLOWONNX_REQUIRE(w.size() == 2 && w[1] == features && b == Shape{w[0]},
                       "cublas_fused_mlp: layer {} weight {} / bias {} do not follow {} features", l,
                       shape_to_string(w), shape_to_string(b), features);
      features = w[0];
    }
    return std::vector<TensorMeta>{{DType::Float32, {in[0].shape[0], features}}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    size_t layers = in.size() / 2;
    Tensor h = in[0];
    for (size_t l = 0; l < layers; ++l) {
      const Tensor& w = in[1 + l];
      Tensor product({h.dim(0), w.dim(0)});
      kernels::matmul(h, w, kernels::MatMulParams{false, true, 1.0}, product);
      Tensor biased(product.shape());
      kernels::binary(kernels::BinaryOp::Add, product, in[1 + layers + l].reshape({1, w.dim(0)}), biased);
      bool activate = l + 1 < layers || !attrs.get_bool("skip_final_activation");
      if (activate) {
        h = Tensor(biased.shape());
        kernels::unary(kernels::UnaryOp::Relu, biased, h);
      } else {
        h = biased;
      }
    }
    out[0].copy_from(h);
  };
  return schema;
}

}  // namespace

void register_nn_ops(OpRegistry& registry) {
  registry.add(conv_schema("conv1d"));
  registry.add(conv_schema("conv2d"));
  registry.add(deconv2d_schema());
  registry.add(pool_schema("max_pool_2d", kernels::PoolKind::Max));
  registry.add(pool_schema("maxpool_2d", kernels::PoolKind::Max));
  registry.add(pool_schema("avg_pool_2d", kernels::PoolKind::Average));
  registry.add(pool_schema("avgpool_2d", kernels::PoolKind::Average));
  registry.add(adaptive_avg_pool2d_schema());
  registry.add(pad_schema());
  registry.add(upsample_schema("upsample_nearest_2d", false));
  registry.add(upsample_schema("upsample_bilinear_2d", true));
  registry.add(cublas_fused_mlp_schema());
  register_nn_norm_ops(registry);
}

}  // namespace flowonnx::flow
