// Export handlers of the math family: relu, broadcast_{add,sub,mul,div}, add_n, bias_add,
// matmul / broadcast_matmul, softmax, arange.
#include <fmt/format.h>

#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

ExportHandler same_op(const char* onnx_op) {
  return [onnx_op](const ir::Node& node, ExportContext& ctx) {
    ctx.emit(onnx_op, node.inputs, {}, node.outputs);
  };
}

void export_add_n(const ir::Node& node, ExportContext& ctx) {
  if (node.inputs.size() == 1) ctx.emit("Identity", node.inputs, {}, node.outputs);
  else ctx.emit(node.inputs.size() == 2 ? "Add" : "Sum", node.inputs, {}, node.outputs);
}

// b [C] is reshaped to [C, 1, ..., 1] so ONNX broadcasting lines it up with `axis`. A constant
// bias becomes a reshaped initializer; a computed one gets a Reshape node.
void export_bias_add(const ir::Node& node, ExportContext& ctx) {
  int64_t rank = static_cast<int64_t>(ctx.type(node.inputs[0]).shape->size());
  int64_t axis = node.attrs.get_int("axis");
  std::string bias = node.inputs[1];
  if (axis != rank - 1) {
    Shape target(rank - axis, 1);
    target[0] = ctx.shape(bias)[0];
    if (const Tensor* data = ctx.constant(bias)) bias = ctx.add_constant(bias + "/reshaped", data->reshape(target));
    else bias = ctx.emit("Reshape", {bias, ctx.add_int64s(node.name + "/bias_shape", target)});
  }
  ctx.emit("Add", {node.inputs[0], bias}, {}, node.outputs);
}

// 2-D with opset >= 11: one Gemm (C optional). Otherwise MatMul with explicit transposes of the
// last two dims and a Mul for alpha.
void export_matmul(const ir::Node& node, ExportContext& ctx) {
  bool ta = node.attrs.get_bool("transpose_a"), tb = node.attrs.get_bool("transpose_b");
  double alpha = node.attrs.get_float("alpha");
  size_t rank_a = ctx.type(node.inputs[0]).shape->size(), rank_b = ctx.type(node.inputs[1]).shape->size();
  if (rank_a == 2 && rank_b == 2 && ctx.opset() >= 11) {
    ctx.emit("Gemm", {node.inputs[0], node.inputs[1]},
             {{"transA", int64_t{ta}}, {"transB", int64_t{tb}}, {"alpha", alpha}}, node.outputs);
    return;
  }
  auto transposed = [&](const std::string& value, size_t rank) {
    if (rank < 2) return value;  // numpy ignores transposes of 1-D operands
    Ints perm(rank);
    for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(i);
    std::swap(perm[rank - 1], perm[rank - 2]);
    return ctx.emit("Transpose", {value}, {{"perm", perm}});
  };
  std::string a = ta ? transposed(node.inputs[0], rank_a) : node.inputs[0];
  std::string b = tb ? transposed(node.inputs[1], rank_b) : node.inputs[1];
  if (alpha == 1.0) {
    ctx.emit("MatMul", {a, b}, {}, node.outputs);
  } else {
    std::string product = ctx.emit("MatMul", {a, b});
    std::string scale = ctx.add_constant(node.name + "/alpha", Tensor::scalar<float>(static_cast<float>(alpha)));
    ctx.emit("Mul", {product, scale}, {}, node.outputs);
  }
}

// Softmax before opset 13 normalises over all dims from `axis` on; that equals the framework's
// single-axis softmax only on the last axis, so other axes are moved last and back.
void export_softmax(const ir::Node& node, ExportContext& ctx) {
  int64_t rank = static_cast<int64_t>(ctx.type(node.inputs[0]).shape->size());
  int64_t axis = node.attrs.get_int("axis");
  if (axis < 0) axis += rank;
  if (ctx.opset() >= 13 || axis == rank - 1) {
    ctx.emit("Softmax", node.inputs, {{"axis", axis}}, node.outputs);
    return;
  }
  Ints perm(rank);
  for (int64_t i = 0; i < rank; ++i) perm[i] = i;
  std::swap(perm[axis], perm[rank - 1]);  // a swap is its own inverse
  std::string moved = ctx.emit("Transpose", node.inputs, {{"perm", perm}});
  std::string soft = ctx.emit("Softmax", {moved}, {{"axis", rank - 1}});
  ctx.emit("Transpose", {soft}, {{"perm", perm}}, node.outputs);
}

// arange -> Range (opset 11+). Below 11 the Range node is still emitted and the opset check
// rejects it with a clear message (oneflow-onnx wrote such models and ORT refused them).
void export_arange(const ir::Node& node, ExportContext& ctx) {
  DType dtype = dtype_from_name(node.attrs.get_string("dtype"));
  auto scalar = [&](const char* attr) {
    return ctx.add_constant(fmt::format("{}/{}", node.name, attr),
                            Tensor::full({}, node.attrs.get_float(attr), dtype));
  };
  ctx.emit("Range", {scalar("start"), scalar("limit"), scalar("delta")}, {}, node.outputs);
}

}  // namespace

void register_math_handlers(HandlerRegistry& registry) {
  registry.add("relu", same_op("Relu"));
  registry.add("broadcast_add", same_op("Add"));
  registry.add("broadcast_sub", same_op("Sub"));
  registry.add("broadcast_mul", same_op("Mul"));
  registry.add("broadcast_div", same_op("Div"));
  registry.add("add_n", export_add_n);
  registry.add("bias_add", export_bias_add);
  registry.add("matmul", export_matmul);
  registry.add("broadcast_matmul", export_matmul);
  registry.add("softmax", export_softmax);
  registry.add("arange", export_arange);
}

}  // namespace flowonnx::exporter
