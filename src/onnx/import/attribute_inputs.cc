// Attributes that later opsets turned into inputs: the canonical form always has the input.
#include <set>

#include "onnx/import/rules.h"

namespace flowonnx::onnx_import::detail {

namespace {

// Every ReduceX of opset <= 17 except ReduceSum >= 13 takes axes as an attribute.
bool is_reduce(const std::string& op) {
  static const std::set<std::string> ops = {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin",
                                            "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
                                            "ReduceLogSumExp", "ReduceSumSquare"};
  return ops.count(op) != 0;
}

DType input_dtype(ImportContext& context, const ir::Node& node) {
  const std::string& x = node.inputs.empty() ? std::string() : node.inputs[0];
  if (!x.empty() && context.graph().has_type(x)) return context.graph().type(x).dtype;
  return DType::Float32;
}

Tensor scalar_of(DType dtype, double value) { return Tensor::full({}, value, dtype); }

// Clip and Pad before opset 11 are defined for float16/float/double only; their float attributes
// (e.g. Clip's default min of -FLT_MAX) would not even fit an integer input.
DType float_input_dtype(ImportContext& context, const ir::Node& node) {
  DType dtype = input_dtype(context, node);
  if (!is_floating(dtype))
    context.fail_node(node, fmt::format("{} before opset 11 takes float16, float or double, not {}",
                                        node.op_type, dtype_name(dtype)));
  return dtype;
}

}  // namespace

void normalize_attribute_inputs(ImportContext& context, ir::Node& node) {
  const std::string& op = node.op_type;
  const int64_t opset = context.opset();
  if ((op == "Squeeze" || op == "Unsqueeze") && opset < 13) {
    context.ints_attr_to_input(node, "axes", 1);
  } else if (is_reduce(op)) {
    context.ints_attr_to_input(node, "axes", 1);
  } else if (op == "Split" && opset < 13) {
    context.ints_attr_to_input(node, "split", 1);
  } else if (op == "Slice" && opset < 10) {
    if (!node.attrs.has("starts") || !node.attrs.has("ends"))
      context.fail_node(node, "Slice needs 'starts' and 'ends'");
    context.ints_attr_to_input(node, "starts", 1);
    context.ints_attr_to_input(node, "ends", 2);
    context.ints_attr_to_input(node, "axes", 3);
  } else if (op == "TopK" && opset < 10) {
    int64_t k = node.attrs.has("k") ? node.attrs.get_int("k") : 0;
    erase_attr(node, "k");
    set_input(node, 1, context.add_constant(node, "k", Tensor::from_vector<int64_t>({1}, {k})));
  } else if (op == "Clip" && opset < 11) {
    DType dtype = float_input_dtype(context, node);
    for (auto [name, index, fallback] : {std::tuple{"min", size_t{1}, -3.4028234663852886e38},
                                         std::tuple{"max", size_t{2}, 3.4028234663852886e38}}) {
      double value = node.attrs.has(name) ? node.attrs.get_float(name) : fallback;
      erase_attr(node, name);
      set_input(node, index, context.add_constant(node, name, scalar_of(dtype, value)));
    }
  } else if (op == "Pad" && opset < 11) {
    const char* pads_name = node.attrs.has("pads") ? "pads" : "paddings";
    if (!node.attrs.has(pads_name)) context.fail_node(node, "Pad needs 'pads'");
    context.ints_attr_to_input(node, pads_name, 1);
    double value = node.attrs.has("value") ? node.attrs.get_float("value") : 0.0;
    erase_attr(node, "value");
    set_input(node, 2, context.add_constant(node, "constant_value",
                                            scalar_of(float_input_dtype(context, node), value)));
  }
}

}  // namespace flowonnx::onnx_import::detail
