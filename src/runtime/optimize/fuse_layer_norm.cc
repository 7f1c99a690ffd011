#include "runtime/optimize/fuse_layer_norm.h"

#include <algorithm>
#include <optional>

#include "ir/rewrite.h"

namespace flowonnx::runtime {

namespace {

// The sorted, non-negative axes of a ReduceMean with keepdims = 1 (axes a constant input, the
// normalised form, or an attribute; none = all dims), or nothing.
std::optional<std::vector<int64_t>> mean_axes(const ir::Graph& graph, const ir::Node& node,
                                              int64_t rank) {
  if (!is_onnx_op(node, "ReduceMean") || node.inputs.empty() || node.outputs.size() != 1)
    return std::nullopt;
  if (node.attrs.has("keepdims") && node.attrs.get_int("keepdims") != 1) return std::nullopt;
  std::vector<int64_t> axes;
  if (node.inputs.size() > 1 && !node.inputs[1].empty()) {
    const Tensor* values = fixed_constant(graph, node.inputs[1]);
    if (!values || values->dtype() != DType::Int64) return std::nullopt;
    axes.assign(values->data<int64_t>(), values->data<int64_t>() + values->num_elements());
  } else if (node.attrs.has("axes")) {
    axes = node.attrs.get_ints("axes");
  }
  if (axes.empty()) {
    if (node.attrs.has("noop_with_empty_axes") && node.attrs.get_int("noop_with_empty_axes") != 0)
      return std::nullopt;
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  for (int64_t& axis : axes) {
    if (axis < -rank || axis >= rank) return std::nullopt;
    if (axis < 0) axis += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return std::nullopt;
  return axes;
}

// A scale or bias constant that broadcasts within the normalised dims `normalised` of an x of
// rank `rank` (its rank at most x's, its shape without leading 1s right-aligned against them,
// each dim equal or 1), reshaped to drop those leading 1s; nothing otherwise.
std::optional<Tensor> normalised_parameter(const ir::Graph& graph, const std::string& value,
                                           const Shape& normalised, int64_t rank) {
  const Tensor* t = fixed_constant(graph, value);
  if (!t || t->dtype() != DType::Float32 || t->rank() > rank) return std::nullopt;
  Shape shape = t->shape();
  while (!shape.empty() && shape.front() == 1) shape.erase(shape.begin());
  if (shape.size() > normalised.size()) return std::nullopt;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t dim = shape[shape.size() - 1 - i];
    if (dim != 1 && dim != normalised[normalised.size() - 1 - i]) return std::nullopt;
  }
  return t->reshape(shape);
}

struct LayerNormMatch {
  std::vector<ir::Node*> nodes;  // every node of the pattern
  std::string x, y;
  int64_t axis = 0;
  double epsilon = 0;
  Tensor scale, bias;  // scale always (ones when the pattern has none), bias may be undefined
  std::vector<std::string> constants;  // the constants the pattern read
};

std::optional<LayerNormMatch> match_layer_norm(const ir::Graph& graph, ir::Node* mean) {
  LayerNormMatch match;
  match.x = mean->inputs.empty() ? "" : mean->inputs[0];
  if (match.x.empty() || !graph.has_type(match.x)) return std::nullopt;
  const ir::ValueType& x_type = graph.type(match.x);
  if (x_type.dtype != DType::Float32 || !x_type.shape) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(x_type.shape->size());
  const std::optional<std::vector<int64_t>> axes = mean_axes(graph, *mean, rank);
  if (!axes || axes->empty() || axes->back() != rank - 1 ||
      axes->front() != rank - static_cast<int64_t>(axes->size()))
    return std::nullopt;  // not the trailing dims
  match.axis = axes->front();
  Shape normalised;
  for (int64_t d = match.axis; d < rank; ++d) {
    const std::optional<int64_t> dim = static_dim_of(graph, match.x, d);
    if (!dim) return std::nullopt;
    normalised.push_back(*dim);
  }

  // d = x - mean, read by the square (twice for Mul(d, d)) and the Div, nothing else.
  ir::Node* sub = sole_consumer(graph, mean->outputs[0]);
  if (!sub || !is_onnx_op(*sub, "Sub") || sub->outputs.size() != 1 ||
      sub->inputs != std::vector<std::string>{match.x, mean->outputs[0]})
    return std::nullopt;
  const std::string& centred = sub->outputs[0];
  if (is_graph_output(graph, centred)) return std::nullopt;
  ir::Node *square = nullptr, *div = nullptr;
  for (ir::Node* reader : consumers_of(graph, centred)) {
    if (is_onnx_op(*reader, "Div") && !div && reader->inputs.size() == 2 &&
        reader->inputs[0] == centred && reader->inputs[1] != centred) {
      div = reader;
    } else if (is_onnx_op(*reader, "Mul") && reader->inputs.size() == 2 &&
               reader->inputs[0] == centred && reader->inputs[1] == centred &&
               (!square || square == reader)) {
      square = reader;  // listed once per input
    } else if (is_onnx_op(*reader, "Pow") && !square && reader->inputs.size() == 2 &&
               reader->inputs[0] == centred && scalar_constant(graph, reader->inputs[1]) == 2.0) {
      square = reader;
      match.constants.push_back(reader->inputs[1]);
    } else {
      return std::nullopt;
    }
  }
  if (!square || !div || square->outputs.size() != 1) return std::nullopt;

  // var = ReduceMean(sq) over the same axes; std = Sqrt(var + eps); n = d / std.
  ir::Node* variance = sole_consumer(graph, square->outputs[0]);
  if (!variance || mean_axes(graph, *variance, rank) != axes ||
      variance->inputs[0] != square->outputs[0])
    return std::nullopt;
  ir::Node* add_epsilon = sole_consumer(graph, variance->outputs[0]);
  if (!add_epsilon || !is_onnx_op(*add_epsilon, "Add")) return std::nullopt;
  const std::string epsilon = other_operand(*add_epsilon, variance->outputs[0]);
  const std::optional<double> epsilon_value = scalar_constant(graph, epsilon);
  const Tensor* epsilon_tensor = fixed_constant(graph, epsilon);
  if (!epsilon_value || epsilon_tensor->dtype() != DType::Float32 || epsilon_tensor->rank() > rank)
    return std::nullopt;
  match.epsilon = *epsilon_value;
  ir::Node* sqrt = sole_consumer(graph, add_epsilon->outputs[0]);
  if (!sqrt || !is_onnx_op(*sqrt, "Sqrt") || sqrt->inputs.size() != 1 ||
      sqrt->outputs.size() != 1 || sole_consumer(graph, sqrt->outputs[0]) != div ||
      div->inputs[1] != sqrt->outputs[0] || div->outputs.size() != 1)
    return std::nullopt;
  match.nodes = {mean, sub, square, variance, add_epsilon, sqrt, div};
  match.constants.push_back(epsilon);
  for (const ir::Node* node : {mean, variance})
    if (node->inputs.size() > 1) match.constants.push_back(node->inputs[1]);

  // Optional affine part: Mul by scale, then Add bias.
  match.y = div->outputs[0];
  // Takes the sole consumer of y when it is `op` with a parameter of the normalised shape.
  auto absorb = [&](const char* op, Tensor& parameter) {
    ir::Node* next = sole_consumer(graph, match.y);
    if (!next || !is_onnx_op(*next, op)) return;
    const std::string name = other_operand(*next, match.y);
    std::optional<Tensor> value = normalised_parameter(graph, name, normalised, rank);
    if (!value) return;
    parameter = *value;
    match.constants.push_back(name);
    match.nodes.push_back(next);
    match.y = next->outputs[0];
  };
  absorb("Mul", match.scale);
  absorb("Add", match.bias);
  // y has x's shape: the means keep their dims, eps and the parameters have at most x's rank
  // and broadcast within the normalised dims (the runtime may not know the shapes in between).
  if (!match.scale.defined()) match.scale = Tensor::full(normalised, 1.0);
  return match;
}

}  // namespace

int fuse_layer_norm(ir::Graph& graph) {
  std::vector<ir::Node*> means;
  for (ir::Node* node : graph.topological_order())
    if (is_onnx_op(*node, "ReduceMean")) means.push_back(node);
  std::vector<const ir::Node*> removed;
  int fused = 0;
  for (ir::Node* mean : means) {
    // A ReduceMean swallowed by an earlier match (the variance one) is gone.
    if (std::find(removed.begin(), removed.end(), mean) != removed.end()) continue;
    std::optional<LayerNormMatch> match = match_layer_norm(graph, mean);
    if (!match) continue;
    ir::Node node;
    node.name = mean->name;
    node.op_type = "LayerNormalization";
    const std::string scale_name = graph.unique_name(mean->name + "/scale");
    graph.set_initializer(scale_name, match->scale);
    node.inputs = {match->x, scale_name};
    if (match->bias.defined()) {
      const std::string bias_name = graph.unique_name(mean->name + "/bias");
      graph.set_initializer(bias_name, match->bias);
      node.inputs.push_back(bias_name);
    }
    node.outputs = {match->y};
    node.attrs.set("axis", match->axis);
    node.attrs.set("epsilon", match->epsilon);
    graph.insert_node_before(mean, std::move(node));
    for (ir::Node* matched : match->nodes) {
      removed.push_back(matched);
      graph.remove_node(matched);
    }
    for (const std::string& constant : match->constants) drop_if_unused(graph, constant);
    ++fused;
  }
  if (fused) graph.prune_values();
  return fused;
}

}  // namespace flowonnx::runtime
