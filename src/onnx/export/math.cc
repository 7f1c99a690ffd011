// Export handlers of the math family with dedicated kernels: relu, broadcast_{add,sub,mul,div},
// multiply, scalar_*_by_tensor, add_n, bias_add, matmul / batch_matmul / broadcast_matmul,
// softmax, arange and the fused attention ops. The element-wise ops are in math_elementwise.cc.
#include <fmt/format.h>

#include "onnx/export/handler_registry.h"
#include "onnx/model_io.h"

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


// softmax_y = Softmax(Where(mask, (x + bias) * scale, fill)) over the last axis (the same at
// every opset: Softmax's pre-13 coercion to 2-D then covers exactly the last axis);
// y = softmax_y * dropout_mask * dropout_scale.
void export_fused_bias_add_scale_mask_softmax_dropout(const ir::Node& node, ExportContext& ctx) {
  const auto& in = node.inputs;  // x, bias, mask, dropout_mask
  auto scalar = [&](const char* attr) {
    return ctx.add_constant(node.name + "/" + attr, Tensor::scalar<float>(static_cast<float>(node.attrs.get_float(attr))));
  };
  auto as_bool = [&](const std::string& value) {
    if (ctx.type(value).dtype == DType::Bool) return value;
    return ctx.emit("Cast", {value}, {{"to", int64_t{onnx_io::dtype_to_onnx(DType::Bool)}}});
  };
  std::string scaled = ctx.emit("Mul", {ctx.emit("Add", {in[0], in[1]}), scalar("scale_value")});
  std::string masked = ctx.emit("Where", {as_bool(in[2]), scaled, scalar("mask_fill_value")});
  int64_t rank = static_cast<int64_t>(ctx.type(in[0]).shape->size());
  std::string softmax = ctx.emit("Softmax", {masked}, {{"axis", rank - 1}}, {node.outputs[1]});
  std::string keep = ctx.emit("Cast", {in[3]}, {{"to", int64_t{onnx_io::dtype_to_onnx(DType::Float32)}}});
  ctx.emit("Mul", {ctx.emit("Mul", {softmax, keep}), scalar("dropout_scale_value")}, {}, {node.outputs[0]});
}

// hidden [s, b, n*3*h] -> Reshape [s, b, n, 3, h] (s and b copied from the input, so dynamic
// sizes stay dynamic) -> Transpose [3, b, n, s, h] -> Gather 0/1/2 = q, k, v [b, n, s, h];
// query_mul_key = alpha * q . k^T.
void export_fused_self_attention(const ir::Node& node, ExportContext& ctx) {
  int64_t head = node.attrs.get_int("head_size");
  int64_t heads = ctx.shape(node.inputs[0])[2] / (3 * head);
  std::string shaped = ctx.emit("Reshape", {node.inputs[0], ctx.add_int64s(node.name + "/shape", {0, 0, heads, 3, head})});
  std::string split = ctx.emit("Transpose", {shaped}, {{"perm", Ints{3, 1, 2, 0, 4}}});
  auto part = [&](int64_t k, std::vector<std::string> outputs) {
    std::string index = ctx.add_constant(fmt::format("{}/part{}", node.name, k), Tensor::scalar<int64_t>(k));
    return ctx.emit("Gather", {split, index}, {{"axis", int64_t{0}}}, std::move(outputs));
  };
  std::string key_t = ctx.emit("Transpose", {part(1, {})}, {{"perm", Ints{0, 1, 3, 2}}});
  double alpha = node.attrs.get_float("alpha");
  if (alpha == 1.0) {
    ctx.emit("MatMul", {part(0, {}), key_t}, {}, {node.outputs[0]});
  } else {
    std::string product = ctx.emit("MatMul", {part(0, {}), key_t});
    std::string scale = ctx.add_constant(node.name + "/alpha", Tensor::scalar<float>(static_cast<float>(alpha)));
    ctx.emit("Mul", {product, scale}, {}, {node.outputs[0]});
  }
  part(2, {node.outputs[1]});
}

}  // namespace

void register_math_handlers(HandlerRegistry& registry) {
  auto add = [&](const char* op, ExportHandler handler, std::vector<OpsetMapping> mappings) {
    registry.add(op, std::move(handler), std::move(mappings), std::string(kMathOpsExportTest) + op);
  };
  add("relu", same_op("Relu"), {{9, "Relu"}});
  add("broadcast_add", same_op("Add"), {{9, "Add"}});
  add("broadcast_sub", same_op("Sub"), {{9, "Sub"}});
  add("broadcast_mul", same_op("Mul"), {{9, "Mul"}});
  add("broadcast_div", same_op("Div"), {{9, "Div"}});
  add("multiply", same_op("Mul"), {{9, "Mul"}});
  add("scalar_add_by_tensor", same_op("Add"), {{9, "Add"}});
  add("scalar_sub_by_tensor", same_op("Sub"), {{9, "Sub"}});
  add("scalar_mul_by_tensor", same_op("Mul"), {{9, "Mul"}});
  add("scalar_div_by_tensor", same_op("Div"), {{9, "Div"}});
  add("add_n", export_add_n, {{9, "Identity / Add / Sum by input count"}});
  add("bias_add", export_bias_add, {{9, "Add (bias reshaped to [C,1,..])"}});
  add("matmul", export_matmul, {{9, "MatMul (+Transpose, +Mul for alpha)"}, {11, "Gemm"}});
  add("batch_matmul", export_matmul, {{9, "MatMul (+Transpose, +Mul for alpha)"}});
  add("broadcast_matmul", export_matmul, {{9, "MatMul (+Transpose, +Mul for alpha)"}, {11, "Gemm for 2-D operands"}});
  add("softmax", export_softmax, {{9, "Softmax (Transposes around it for a non-last axis)"}, {13, "Softmax(axis)"}});
  add("arange", export_arange, {{11, "Range"}});  // refused below 11 by the opset check
  add("fused_bias_add_scale_mask_softmax_dropout", export_fused_bias_add_scale_mask_softmax_dropout,
      {{9, "Add, Mul, Where, Softmax, Cast, Mul"}});
  add("fused_self_attention_query_mul_key_and_value", export_fused_self_attention,
      {{9, "Reshape, Transpose, Gather, MatMul (+Mul for alpha)"}});
  register_math_elementwise_handlers(registry);
}

}  // namespace flowonnx::exporter
