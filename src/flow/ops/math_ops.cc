// Framework ops of the math family with dedicated kernels: relu, broadcast_{add,sub,mul,div},
// multiply, scalar_*_by_tensor, add_n, bias_add, matmul / batch_matmul / broadcast_matmul,
// softmax, arange, and OneFlow's fused attention ops. The element-wise functions, comparisons
// and scalar ops are in math_elementwise_ops.cc. Names and attributes follow OneFlow's user ops.
#include <cmath>
#include <cstring>
#include <string_view>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/layout.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/pointwise.h"
#include "kernels/cpu/softmax.h"

namespace flowonnx::flow {
namespace {

OpSchema relu_schema() {
  OpSchema schema;
  schema.name = "relu";
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("relu", "x", in[0]);
    return same_as_first(in, attrs);
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::unary(kernels::UnaryOp::Relu, in[0], out[0]);
  };
  return schema;
}

// broadcast_add / _sub / _mul / _div(x, y) -> z with numpy broadcasting. multiply is the
// same-shape form; scalar_*_by_tensor(x, scalar) takes a one-element tensor as y.
OpSchema broadcast_binary_schema(const char* name, kernels::BinaryOp op, bool broadcast = true) {
  bool by_tensor = std::string_view(name).starts_with("scalar_");
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"x", by_tensor ? "scalar" : "y"};
  schema.outputs = {by_tensor ? "y" : (broadcast ? "z" : "out")};
  schema.infer = [name, broadcast, by_tensor](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    FLOWONNX_REQUIRE(in[0].dtype == in[1].dtype, "{}: x is {} but y is {}", name,
                     dtype_name(in[0].dtype), dtype_name(in[1].dtype));
    FLOWONNX_REQUIRE(broadcast || in[0].shape == in[1].shape, "{}: shapes {} and {} differ", name,
                     shape_to_string(in[0].shape), shape_to_string(in[1].shape));
    FLOWONNX_REQUIRE(!by_tensor || num_elements(in[1].shape) == 1,
                     "{}: scalar must have one element, got {}", name, shape_to_string(in[1].shape));
    Shape out = by_tensor ? in[0].shape : kernels::broadcast_shapes(in[0].shape, in[1].shape, name);
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [op, by_tensor](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    // A [1] scalar against a rank-0 x would broadcast to [1]: view it as rank 0.
    Tensor y = by_tensor ? in[1].reshape({}) : in[1];
    kernels::binary(op, in[0], y, out[0]);
  };
  return schema;
}

OpSchema add_n_schema() {
  OpSchema schema;
  schema.name = "add_n";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.variadic_input = true;
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    for (size_t i = 1; i < in.size(); ++i)
      FLOWONNX_REQUIRE(in[i].dtype == in[0].dtype && in[i].shape == in[0].shape,
                       "add_n: input {} is {}{} but input 0 is {}{}", i, dtype_name(in[i].dtype),
                       shape_to_string(in[i].shape), dtype_name(in[0].dtype), shape_to_string(in[0].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::add_n(in, out[0]);
  };
  return schema;
}

// bias_add(a, b): b [C] added along `axis` of a.
OpSchema bias_add_schema() {
  OpSchema schema;
  schema.name = "bias_add";
  schema.inputs = {"a", "b"};
  schema.outputs = {"out"};
  schema.defaults = {{"axis", int64_t{1}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    int64_t axis = attrs.get_int("axis");
    int64_t rank = static_cast<int64_t>(in[0].shape.size());
    FLOWONNX_REQUIRE(axis >= 0 && axis < rank, "bias_add: axis {} out of range for a {}", axis,
                     shape_to_string(in[0].shape));
    FLOWONNX_REQUIRE(in[1].shape == Shape{in[0].shape[axis]} && in[1].dtype == in[0].dtype,
                     "bias_add: b must be {}[{}] for a {} (axis {}), got {}{}", dtype_name(in[0].dtype),
                     in[0].shape[axis], shape_to_string(in[0].shape), axis, dtype_name(in[1].dtype),
                     shape_to_string(in[1].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    Shape bias_shape(in[0].shape().size(), 1);
    int64_t axis = attrs.get_int("axis");
    bias_shape[axis] = in[0].dim(static_cast<int>(axis));
    kernels::binary(kernels::BinaryOp::Add, in[0], in[1].reshape(bias_shape), out[0]);
  };
  return schema;
}

// matmul is OneFlow's 2-D op, batch_matmul its 3-D one (same batch on both sides);
// broadcast_matmul takes any ranks with numpy batch broadcasting (required_rank 0).
OpSchema matmul_schema(const char* name, int required_rank) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"a", "b"};
  schema.outputs = {"out"};
  schema.defaults = {{"transpose_a", int64_t{0}}, {"transpose_b", int64_t{0}}, {"alpha", 1.0}};
  auto params = [](const ir::Attributes& attrs) {
    return kernels::MatMulParams{attrs.get_bool("transpose_a"), attrs.get_bool("transpose_b"),
                                 attrs.get_float("alpha")};
  };
  schema.infer = [name, required_rank, params](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32(name, "a", in[0]);
    require_float32(name, "b", in[1]);
    if (required_rank) {
      require_rank(name, "a", in[0], required_rank);
      require_rank(name, "b", in[1], required_rank);
    }
    if (required_rank == 3)
      FLOWONNX_REQUIRE(in[0].shape[0] == in[1].shape[0], "{}: batch of a {} differs from b {}", name,
                       shape_to_string(in[0].shape), shape_to_string(in[1].shape));
    return std::vector<TensorMeta>{
        {DType::Float32, kernels::matmul_output_shape(in[0].shape, in[1].shape, params(attrs))}};
  };
  schema.compute = [params](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::matmul(in[0], in[1], params(attrs), out[0]);
  };
  return schema;
}

// OneFlow's softmax normalises the last axis; `axis` generalises it (default -1 = OneFlow's).
OpSchema softmax_schema() {
  OpSchema schema;
  schema.name = "softmax";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"axis", int64_t{-1}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("softmax", "in", in[0]);
    int64_t rank = static_cast<int64_t>(in[0].shape.size());
    int64_t axis = attrs.get_int("axis");
    FLOWONNX_REQUIRE(rank >= 1 && axis >= -rank && axis < rank,
                     "softmax: axis {} out of range for {}", axis, shape_to_string(in[0].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::softmax(in[0], attrs.get_int("axis"), out[0]);
  };
  return schema;
}

// arange() -> out: start, start + delta, ... < limit (no inputs; dtype "float32", "int64", ...).
OpSchema arange_schema() {
  OpSchema schema;
  schema.name = "arange";
  schema.outputs = {"out"};
  schema.defaults = {{"start", 0.0}, {"limit", 0.0}, {"delta", 1.0}, {"dtype", std::string("int64")}};
  schema.infer = [](const std::vector<TensorMeta>&, const ir::Attributes& attrs) {
    double start = attrs.get_float("start"), limit = attrs.get_float("limit"), delta = attrs.get_float("delta");
    FLOWONNX_REQUIRE(delta != 0, "arange: delta must not be 0");
    double count = std::ceil((limit - start) / delta);
    FLOWONNX_REQUIRE(count < static_cast<double>(kMaxElements), "arange: {} elements is too many", count);
    return std::vector<TensorMeta>{{dtype_from_name(attrs.get_string("dtype")),
                                    {static_cast<int64_t>(std::max(0.0, count))}}};
  };
  schema.compute = [](const std::vector<Tensor>&, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    Tensor values({out[0].dim(0)}, DType::Float64);
    double start = attrs.get_float("start"), delta = attrs.get_float("delta");
    for (int64_t i = 0; i < values.num_elements(); ++i) values.data<double>()[i] = start + delta * static_cast<double>(i);
    out[0].copy_from(values);
  };
  return schema;
}


// fused_bias_add_scale_mask_softmax_dropout(x, bias, mask, dropout_mask) -> (y, softmax_y):
// softmax_y = softmax over the last axis of (mask ? (x + bias) * scale_value : mask_fill_value),
// y = softmax_y * dropout_mask * dropout_scale_value. Inference passes an all-true dropout mask
// (OneFlow's kernel takes the mask as an input, so dropout itself is outside the op).
OpSchema fused_bias_add_scale_mask_softmax_dropout_schema() {
  OpSchema schema;
  schema.name = "fused_bias_add_scale_mask_softmax_dropout";
  schema.inputs = {"x", "bias", "mask", "dropout_mask"};
  schema.outputs = {"y", "softmax_y"};
  schema.defaults = {{"scale_value", 1.0}, {"mask_fill_value", 0.0}, {"dropout_scale_value", 1.0}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    const char* name = "fused_bias_add_scale_mask_softmax_dropout";
    require_float32(name, "x", in[0]);
    require_float32(name, "bias", in[1]);
    FLOWONNX_REQUIRE(in[0].shape.size() >= 1, "{}: x must have rank >= 1", name);
    Shape all = kernels::broadcast_shapes(in[0].shape, in[1].shape, name);
    all = kernels::broadcast_shapes(all, in[2].shape, name);
    FLOWONNX_REQUIRE(all == in[0].shape && in[3].shape == in[0].shape,
                     "{}: bias {} and mask {} must broadcast to x {}, dropout_mask {} must equal it", name,
                     shape_to_string(in[1].shape), shape_to_string(in[2].shape), shape_to_string(in[0].shape),
                     shape_to_string(in[3].shape));
    return std::vector<TensorMeta>{in[0], in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    double scale = attrs.get_float("scale_value"), fill = attrs.get_float("mask_fill_value");
    Tensor masked(in[0].shape(), DType::Float32);
    kernels::pointwise("fused_bias_add_scale_mask_softmax_dropout", {in[0], in[1], in[2]}, masked,
                       [=](const double* v) { return v[2] != 0 ? (v[0] + v[1]) * scale : fill; });
    kernels::softmax(masked, -1, out[1]);
    double dropout_scale = attrs.get_float("dropout_scale_value");
    kernels::pointwise("fused_bias_add_scale_mask_softmax_dropout", {out[1], in[3]}, out[0],
                       [=](const double* v) { return v[0] * v[1] * dropout_scale; });
  };
  return schema;
}

// fused_self_attention_query_mul_key_and_value(hidden_states [s, b, n*3*h]) with the hidden
// dim laid out as (n, 3, h): query_mul_key [b, n, s, s] = alpha * q . k^T, value [b, n, s, h].
OpSchema fused_self_attention_schema() {
  OpSchema schema;
  schema.name = "fused_self_attention_query_mul_key_and_value";
  schema.inputs = {"hidden_states"};
  schema.outputs = {"query_mul_key", "value"};
  schema.defaults = {{"head_size", int64_t{1}}, {"alpha", 1.0}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const char* name = "fused_self_attention_query_mul_key_and_value";
    require_float32(name, "hidden_states", in[0]);
    require_rank(name, "hidden_states", in[0], 3);
    int64_t head = attrs.get_int("head_size");
    FLOWONNX_REQUIRE(head > 0 && in[0].shape[2] % (3 * head) == 0,
                     "{}: hidden size of {} is not a multiple of 3 * head_size {}", name,
                     shape_to_string(in[0].shape), head);
    int64_t seq = in[0].shape[0], batch = in[0].shape[1], heads = in[0].shape[2] / (3 * head);
    return std::vector<TensorMeta>{{DType::Float32, {batch, heads, seq, seq}},
                                   {DType::Float32, {batch, heads, seq, head}}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    int64_t seq = in[0].dim(0), batch = in[0].dim(1), head = attrs.get_int("head_size");
    int64_t heads = in[0].dim(2) / (3 * head);
    // [s, b, n, 3, h] -> [3, b, n, s, h]: q, k, v as contiguous [b, n, s, h] blocks.
    Tensor split({3, batch, heads, seq, head}, DType::Float32);
    kernels::transpose(in[0].reshape({seq, batch, heads, 3, head}), {3, 1, 2, 0, 4}, split);
    int64_t block = batch * heads * seq * head;
    auto part = [&](int64_t k) {
      Tensor t({batch, heads, seq, head}, DType::Float32);
      std::memcpy(t.raw_data(), split.data<float>() + k * block, block * sizeof(float));
      return t;
    };
    kernels::matmul(part(0), part(1), {false, true, attrs.get_float("alpha")}, out[0]);
    out[1].copy_from(part(2));
  };
  return schema;
}

}  // namespace

void register_math_ops(OpRegistry& registry) {
  registry.add(relu_schema());
  registry.add(broadcast_binary_schema("broadcast_add", kernels::BinaryOp::Add));
  registry.add(broadcast_binary_schema("broadcast_sub", kernels::BinaryOp::Sub));
  registry.add(broadcast_binary_schema("broadcast_mul", kernels::BinaryOp::Mul));
  registry.add(broadcast_binary_schema("broadcast_div", kernels::BinaryOp::Div));
  registry.add(add_n_schema());
  registry.add(bias_add_schema());
  registry.add(broadcast_binary_schema("multiply", kernels::BinaryOp::Mul, false));
  registry.add(broadcast_binary_schema("scalar_add_by_tensor", kernels::BinaryOp::Add, true));
  registry.add(broadcast_binary_schema("scalar_sub_by_tensor", kernels::BinaryOp::Sub, true));
  registry.add(broadcast_binary_schema("scalar_mul_by_tensor", kernels::BinaryOp::Mul, true));
  registry.add(broadcast_binary_schema("scalar_div_by_tensor", kernels::BinaryOp::Div, true));
  registry.add(matmul_schema("matmul", 2));
  registry.add(matmul_schema("batch_matmul", 3));
  registry.add(matmul_schema("broadcast_matmul", 0));
  registry.add(fused_bias_add_scale_mask_softmax_dropout_schema());
  registry.add(fused_self_attention_schema());
  registry.add(softmax_schema());
  registry.add(arange_schema());
  register_math_elementwise_ops(registry);
}

}  // namespace flowonnx::flow
