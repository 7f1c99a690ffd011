#include "runtime/optimize/fuse_gelu.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "ir/rewrite.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime {

namespace {

// For a two-input node reading `value` once: the other input when it is a one-element fixed
// constant, with its value.
std::optional<double> constant_operand(const ir::Graph& graph, const ir::Node& node,
                                       const std::string& value) {
  return scalar_constant(graph, other_operand(node, value));
}

bool near(double value, double expected) {
  return std::abs(value - expected) <= 1e-5 * std::abs(expected);
}

struct GeluMatch {
  std::vector<ir::Node*> nodes;
  std::string x, y;
};

std::optional<GeluMatch> match_gelu(const ir::Graph& graph, ir::Node* erf) {
  if (erf->inputs.size() != 1 || erf->outputs.size() != 1) return std::nullopt;
  // x / sqrt 2 (or x * 1/sqrt 2), x being the dividend.
  const auto producers = graph.producers();
  const auto found = producers.find(erf->inputs[0]);
  if (found == producers.end()) return std::nullopt;
  ir::Node* scale = const_cast<ir::Node*>(found->second);
  if (scale->inputs.size() != 2 || scale->outputs.size() != 1 ||
      sole_consumer(graph, scale->outputs[0]) != erf)
    return std::nullopt;
  GeluMatch match;
  match.x = scale->inputs[0];
  const std::optional<double> divisor = scalar_constant(graph, scale->inputs[1]);
  if (is_onnx_op(*scale, "Div")) {
    if (!divisor || !near(*divisor, std::numbers::sqrt2)) return std::nullopt;
  } else if (is_onnx_op(*scale, "Mul")) {
    if (divisor && near(*divisor, 1.0 / std::numbers::sqrt2)) {
      // x * c
    } else if (const std::optional<double> first = scalar_constant(graph, scale->inputs[0]);
               first && near(*first, 1.0 / std::numbers::sqrt2)) {
      match.x = scale->inputs[1];  // c * x
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (match.x.empty() || fixed_constant(graph, match.x)) return std::nullopt;

  // a = e + 1
  ir::Node* add_one = sole_consumer(graph, erf->outputs[0]);
  if (!add_one || !is_onnx_op(*add_one, "Add") ||
      constant_operand(graph, *add_one, erf->outputs[0]) != 1.0)
    return std::nullopt;
  const std::string& a = add_one->outputs[0];
  ir::Node* product = sole_consumer(graph, a);
  if (!product || !is_onnx_op(*product, "Mul")) return std::nullopt;
  match.nodes = {scale, erf, add_one, product};
  const std::string partner = other_operand(*product, a);
  if (partner.empty()) return std::nullopt;
  if (partner == match.x) {
    // Mul(Mul(x, a), 0.5)
    ir::Node* half = sole_consumer(graph, product->outputs[0]);
    if (!half || !is_onnx_op(*half, "Mul") ||
        constant_operand(graph, *half, product->outputs[0]) != 0.5)
      return std::nullopt;
    match.nodes.push_back(half);
    match.y = half->outputs[0];
  } else if (constant_operand(graph, *product, a) == 0.5) {
    // Mul(x, Mul(a, 0.5))
    ir::Node* outer = sole_consumer(graph, product->outputs[0]);
    if (!outer || !is_onnx_op(*outer, "Mul") ||
        other_operand(*outer, product->outputs[0]) != match.x)
      return std::nullopt;
    match.nodes.push_back(outer);
    match.y = outer->outputs[0];
  } else {
    // Mul(Mul(x, 0.5), a): the partner is x * 0.5, read only here.
    const auto half_found = producers.find(partner);
    if (half_found == producers.end()) return std::nullopt;
    ir::Node* half = const_cast<ir::Node*>(half_found->second);
    if (!is_onnx_op(*half, "Mul") || constant_operand(graph, *half, match.x) != 0.5 ||
        sole_consumer(graph, partner) != product)
      return std::nullopt;
    match.nodes.push_back(half);
    match.y = product->outputs[0];
  }
  // y has x's shape when no constant has a higher rank than x (rank 0 always qualifies).
  if (!graph.has_type(match.x)) return std::nullopt;
  const ir::ValueType& x_type = graph.type(match.x);
  if (x_type.dtype != DType::Float32 && x_type.dtype != DType::Float64) return std::nullopt;
  for (const ir::Node* node : match.nodes)
    for (const std::string& input : node->inputs)
      if (const Tensor* constant = fixed_constant(graph, input);
          constant && constant->rank() > 0 &&
          (!x_type.shape || constant->rank() > static_cast<int64_t>(x_type.shape->size())))
        return std::nullopt;
  return match;
}

}  // namespace

int fuse_gelu(ir::Graph& graph) {
  std::vector<ir::Node*> erfs;
  for (ir::Node* node : graph.topological_order())
    if (is_onnx_op(*node, "Erf")) erfs.push_back(node);
  int fused = 0;
  for (ir::Node* erf : erfs) {
    std::optional<GeluMatch> match = match_gelu(graph, erf);
    if (!match) continue;
    std::vector<std::string> constants;
    for (const ir::Node* node : match->nodes)
      for (const std::string& input : node->inputs)
        if (fixed_constant(graph, input)) constants.push_back(input);
    ir::Node node;
    node.name = erf->name;
    node.domain = kInternalDomain;
    node.op_type = kGelu;
    node.inputs = {match->x};
    node.outputs = {match->y};
    // The plan runs nodes in topological order; insertion order only keeps dumps readable.
    graph.insert_node_before(match->nodes.front(), std::move(node));
    for (ir::Node* matched : match->nodes) graph.remove_node(matched);
    for (const std::string& constant : constants) drop_if_unused(graph, constant);
    ++fused;
  }
  if (fused) graph.prune_values();
  return fused;
}

}  // namespace flowonnx::runtime
