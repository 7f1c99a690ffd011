// Framework ops of the math family: relu, broadcast_{add,sub,mul,div}, add_n, bias_add,
// matmul / broadcast_matmul, softmax, arange. Names and attributes follow OneFlow's user ops.
#include <cmath>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/matmul.h"
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

// broadcast_add / _sub / _mul / _div(x, y) -> z with numpy broadcasting.
OpSchema broadcast_binary_schema(const char* name, kernels::BinaryOp op) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"x", "y"};
  schema.outputs = {"z"};
  schema.infer = [name](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    FLOWONNX_REQUIRE(in[0].dtype == in[1].dtype, "{}: x is {} but y is {}", name,
                     dtype_name(in[0].dtype), dtype_name(in[1].dtype));
    return std::vector<TensorMeta>{{in[0].dtype, kernels::broadcast_shapes(in[0].shape, in[1].shape, name)}};
  };
  schema.compute = [op](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::binary(op, in[0], in[1], out[0]);
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

// matmul is OneFlow's 2-D op; broadcast_matmul takes any ranks with numpy batch broadcasting.
OpSchema matmul_schema(const char* name, bool rank2_only) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"a", "b"};
  schema.outputs = {"out"};
  schema.defaults = {{"transpose_a", int64_t{0}}, {"transpose_b", int64_t{0}}, {"alpha", 1.0}};
  auto params = [](const ir::Attributes& attrs) {
    return kernels::MatMulParams{attrs.get_bool("transpose_a"), attrs.get_bool("transpose_b"),
                                 attrs.get_float("alpha")};
  };
  schema.infer = [name, rank2_only, params](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32(name, "a", in[0]);
    require_float32(name, "b", in[1]);
    if (rank2_only) {
      require_rank(name, "a", in[0], 2);
      require_rank(name, "b", in[1], 2);
    }
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

}  // namespace

void register_math_ops(OpRegistry& registry) {
  registry.add(relu_schema());
  registry.add(broadcast_binary_schema("broadcast_add", kernels::BinaryOp::Add));
  registry.add(broadcast_binary_schema("broadcast_sub", kernels::BinaryOp::Sub));
  registry.add(broadcast_binary_schema("broadcast_mul", kernels::BinaryOp::Mul));
  registry.add(broadcast_binary_schema("broadcast_div", kernels::BinaryOp::Div));
  registry.add(add_n_schema());
  registry.add(bias_add_schema());
  registry.add(matmul_schema("matmul", true));
  registry.add(matmul_schema("broadcast_matmul", false));
  registry.add(softmax_schema());
  registry.add(arange_schema());
}

}  // namespace flowonnx::flow
