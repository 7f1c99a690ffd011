// Ops whose semantics changed across opsets, rewritten to the newest form.
#include <algorithm>
#include "onnx/import/rules.h"

namespace flowonnx::onnx_import::detail {

namespace {

// Upsample (opset 7: scales attribute; 9: scales input) and Resize-10 (X, scales) become
// Resize(X, roi="", scales, sizes=""), whose "asymmetric" + "floor" rule is Upsample's.
void to_resize(ImportContext& context, ir::Node& node) {
  if (node.op_type == "Upsample" && node.attrs.has("scales")) {
    const auto& scales = node.attrs.get_floats("scales");
    std::string name = context.add_constant(
        node, "scales",
        Tensor::from_vector<float>({static_cast<int64_t>(scales.size())},
                                   std::vector<float>(scales.begin(), scales.end())));
    erase_attr(node, "scales");
    node.inputs.resize(1);
    node.inputs.push_back(name);
  }
  if (node.inputs.size() < 2) context.fail_node(node, "needs scales");
  std::string mode = node.attrs.has("mode") ? node.attrs.get_string("mode") : "nearest";
  if (mode == "bilinear") mode = "linear";
  node.op_type = "Resize";
  node.inputs = {node.inputs[0], "", node.inputs[1]};
  node.attrs.set("mode", mode);
  node.attrs.set("coordinate_transformation_mode", std::string("asymmetric"));
  node.attrs.set("nearest_mode", std::string("floor"));
}

// Softmax, LogSoftmax and Hardmax before opset 13 flatten the input to 2-D at `axis` (default 1)
// and normalise over the second dim. When the axis is the last one that is the new semantics;
// otherwise: Flatten(axis) -> op(axis=-1) -> Reshape(back to Shape(x)).
void coerce_softmax(ImportContext& context, ir::Node& node) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1)
    context.fail_node(node, fmt::format("needs 1 input and 1 output, has {} and {}",
                                        node.inputs.size(), node.outputs.size()));
  int64_t axis = node.attrs.has("axis") ? node.attrs.get_int("axis") : 1;
  std::optional<int64_t> rank = context.rank_of(node.inputs[0]);
  if (rank && (axis == -1 || axis == *rank - 1)) {
    node.attrs.set("axis", int64_t{-1});
    return;
  }
  const std::string x = node.inputs[0];
  const std::string y = node.outputs[0];
  std::string flat = context.add_node_before(node, "Flatten", {x}, {x + "/flat"},
                                             ir::Attributes{{"axis", axis}})[0];
  std::string shape = context.add_node_before(node, "Shape", {x}, {x + "/shape"})[0];
  std::string flat_y = context.graph().unique_name(y + "/flat");
  node.inputs[0] = flat;
  node.outputs[0] = flat_y;
  node.attrs.set("axis", int64_t{-1});
  ir::Node reshape;
  reshape.name = context.graph().unique_name(node.name + "/Reshape");
  reshape.op_type = "Reshape";
  reshape.inputs = {flat_y, shape};
  reshape.outputs = {y};
  // Insert after `node`: before whatever follows it in insertion order, or at the end.
  const auto& nodes = context.graph().nodes();
  auto it = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.get() == &node; });
  if (std::next(it) == nodes.end()) context.graph().add_node(std::move(reshape));
  else context.graph().insert_node_before(std::next(it)->get(), std::move(reshape));
}

// Opset < 7 binary ops with broadcast=1 and axis: B is aligned at `axis` of A. When B is an
// initializer and A's rank is known, B is reshaped so numpy broadcasting gives the same result.
void old_broadcast(ImportContext& context, ir::Node& node) {
  if (!node.attrs.has("broadcast")) return;
  bool has_axis = node.attrs.has("axis");
  int64_t axis = has_axis ? node.attrs.get_int("axis") : 0;
  erase_attr(node, "broadcast");
  erase_attr(node, "axis");
  if (!has_axis || node.inputs.size() < 2) return;
  std::optional<int64_t> rank = context.rank_of(node.inputs[0]);
  const std::string& b = node.inputs[1];
  if (!rank || !context.graph().is_initializer(b))
    fail(ErrorCode::NotImplemented,
         "{} node '{}': legacy broadcast with axis needs a constant B and a known rank of A",
         node.op_type, node.name);
  if (axis < 0) axis += *rank;
  Tensor value = context.graph().initializer(b);
  Shape shape = value.shape();
  while (static_cast<int64_t>(shape.size()) + axis < *rank) shape.push_back(1);
  node.inputs[1] = context.add_constant(node, "B", value.clone().reshape(shape));
}

}  // namespace

void normalize_legacy_ops(ImportContext& context, ir::Node& node) {
  const std::string& op = node.op_type;
  const int64_t opset = context.opset();
  if (op == "Upsample" || (op == "Resize" && opset < 11)) {
    to_resize(context, node);
  } else if (op == "BatchNormalization") {
    erase_attr(node, "spatial");
    erase_attr(node, "is_test");
  } else if (op == "Dropout" && opset < 12) {
    erase_attr(node, "ratio");
    erase_attr(node, "is_test");
  } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") && opset < 13) {
    coerce_softmax(context, node);
  } else if (op == "Scatter") {
    node.op_type = "ScatterElements";
  } else if (opset < 7 && (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
                           op == "Gemm" || op == "Pow" || op == "PRelu")) {
    old_broadcast(context, node);
  }
}

}  // namespace flowonnx::onnx_import::detail
