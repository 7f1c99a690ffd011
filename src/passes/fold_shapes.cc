// Shape-of-static-tensor folding. Shape(x) and Size(x) become constants when every dim of x they
// cover is static; Gather(Shape(x), i) and Slice(Shape(x), ...) become constants when the dims
// they pick are static even if others are symbolic (the batch), so exporter-style
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains keep only the part that depends on the
// batch and stay correct at every batch size.
#include <algorithm>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

// The dims a Shape node outputs (its start/end attributes, opset 15, applied).
std::optional<std::vector<ir::Dim>> shape_output_dims(const ir::Graph& graph, const ir::Node& node) {
  auto dims = dims_of(graph, node.inputs[0]);
  if (!dims) return std::nullopt;
  int64_t rank = static_cast<int64_t>(dims->size());
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  int64_t start = clamp(node.attrs.has("start") ? node.attrs.get_int("start") : 0);
  int64_t end = clamp(node.attrs.has("end") ? node.attrs.get_int("end") : rank);
  if (end < start) end = start;
  return std::vector<ir::Dim>(dims->begin() + start, dims->begin() + end);
}

// Values of `dims` at `positions` (negative counts from the end); nullopt unless all static.
std::optional<std::vector<int64_t>> pick_static(const std::vector<ir::Dim>& dims,
                                                const std::vector<int64_t>& positions) {
  std::vector<int64_t> values;
  int64_t n = static_cast<int64_t>(dims.size());
  for (int64_t p : positions) {
    if (p < -n || p >= n) return std::nullopt;
    const ir::Dim& dim = dims[p < 0 ? p + n : p];
    if (!dim.is_static()) return std::nullopt;
    values.push_back(dim.value);
  }
  return values;
}

// Positions a Slice with these parameters selects from a 1-D tensor of length n.
std::vector<int64_t> slice_positions(int64_t n, int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> positions;
  if (step == 0) return positions;
  auto clamp = [&](int64_t v, int64_t low, int64_t high) {
    if (v < 0) v += n;
    return std::clamp(v, low, high);
  };
  if (step > 0) {
    for (int64_t i = clamp(start, 0, n), e = clamp(end, 0, n); i < e; i += step) positions.push_back(i);
  } else {
    for (int64_t i = clamp(start, -1, n - 1), e = clamp(end, -1, n - 1); i > e; i += step) positions.push_back(i);
  }
  return positions;
}

// The constant a node folds to, or nullopt.
std::optional<Tensor> fold(const ir::Graph& graph, const ir::Node& node) {
  if (node.inputs.empty() || node.inputs[0].empty()) return std::nullopt;
  if (node.op_type == "Shape") {
    auto dims = shape_output_dims(graph, node);
    if (!dims) return std::nullopt;
    std::vector<int64_t> all(dims->size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    auto values = pick_static(*dims, all);
    if (values) return ir::int64_tensor(*values);
    return std::nullopt;
  }
  if (node.op_type == "Size") {
    auto dims = dims_of(graph, node.inputs[0]);
    if (!dims) return std::nullopt;
    int64_t size = 1;
    for (const auto& dim : *dims) {
      if (!dim.is_static()) return std::nullopt;
      size *= dim.value;
    }
    return Tensor::scalar<int64_t>(size);
  }
  ir::Node* shape = producer_of(graph, node.inputs[0]);
  if (!shape || !is_onnx_node(*shape) || shape->op_type != "Shape") return std::nullopt;
  auto dims = shape_output_dims(graph, *shape);
  if (!dims) return std::nullopt;
  if (node.op_type == "Gather" && node.inputs.size() == 2) {
    if (node.attrs.has("axis") && node.attrs.get_int("axis") != 0) return std::nullopt;
    const Tensor* indices = constant_of(graph, node.inputs[1]);
    auto positions = constant_ints(graph, node.inputs[1]);
    if (!indices || !positions) return std::nullopt;
    auto values = pick_static(*dims, *positions);
    if (!values) return std::nullopt;
    return ir::int64_tensor(*values).reshape(indices->shape());
  }
  if (node.op_type == "Slice" && node.inputs.size() >= 3 && onnx_opset_of(graph) >= 10) {
    auto starts = constant_ints(graph, node.inputs[1]), ends = constant_ints(graph, node.inputs[2]);
    auto axes = ints_attr_or_input(graph, node, "", 3, std::vector<int64_t>{0});
    auto steps = ints_attr_or_input(graph, node, "", 4, std::vector<int64_t>{1});
    if (!starts || !ends || !axes || !steps || starts->size() != 1 || ends->size() != 1 ||
        axes->size() != 1 || steps->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1))
      return std::nullopt;
    auto values = pick_static(*dims, slice_positions(static_cast<int64_t>(dims->size()), (*starts)[0],
                                                     (*ends)[0], (*steps)[0]));
    if (!values) return std::nullopt;
    return ir::int64_tensor(*values);
  }
  return std::nullopt;
}

}  // namespace

bool fold_shapes(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->outputs.size() != 1) continue;
    if (std::count(graph.outputs.begin(), graph.outputs.end(), node->outputs[0])) continue;
    std::optional<Tensor> value = fold(graph, *node);
    if (!value) continue;
    std::string output = node->outputs[0];
    graph.remove_node(node);
    graph.set_initializer(output, *value);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
