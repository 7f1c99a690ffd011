#include "runtime/graph_checks.h"

#include <functional>
#include <set>

#include "ir/subgraph.h"

#include "onnx/import/normalize.h"

namespace flowonnx::runtime {

void check_graph_structure(const ir::Graph& graph) {
  std::set<std::string> defined;
  auto define = [&](const std::string& value, const std::string& by) {
    if (value.empty()) return;
    if (!defined.insert(value).second)
      fail(ErrorCode::InvalidModel, "graph '{}': value '{}' is defined twice (again by {})",
           graph.name, value, by);
  };
  std::set<std::string> inputs(graph.inputs.begin(), graph.inputs.end());
  for (const auto& input : graph.inputs) define(input, "a graph input");
  for (const auto& [name, tensor] : graph.initializers())
    if (!inputs.count(name)) define(name, "an initializer");
  for (const auto& node : graph.nodes())
    for (const auto& out : node->outputs)
      define(out, fmt::format("node '{}' ({})", node->name, node->op_type));
  for (const auto& node : graph.nodes())
    for (const auto& in : node->inputs)
      if (!in.empty() && !defined.count(in))
        fail(ErrorCode::InvalidModel,
             "graph '{}': node '{}' ({}) reads '{}', which no graph input, initializer or node "
             "defines",
             graph.name, node->name, node->op_type, in);
  for (const auto& output : graph.outputs)
    if (!defined.count(output))
      fail(ErrorCode::InvalidModel, "graph '{}': graph output '{}' is never defined", graph.name,
           output);
  graph.topological_order();  // throws on a cycle
  ir::check_subgraph_scopes(graph);
}

void check_supported_ops(const ir::Graph& graph, const KernelRegistry& registry) {
  std::vector<onnx_import::UnsupportedOp> missing;
  std::vector<const ir::Node*> nodes;  // subgraphs' nodes too: they run on the same kernels
  std::function<void(const ir::Graph&)> collect = [&](const ir::Graph& g) {
    for (const auto& node : g.nodes()) {
      nodes.push_back(node.get());
      for (const ir::Graph* sub : ir::subgraphs_of(*node)) collect(*sub);
    }
  };
  collect(graph);
  for (const ir::Node* node : nodes) {
    if (registry.find(node->domain, node->op_type)) continue;
    std::string domain = canonical_domain(node->domain);
    auto opset = graph.opset_imports.find(domain);
    if (opset == graph.opset_imports.end() && domain.empty())
      opset = graph.opset_imports.find("ai.onnx");
    std::string shown = domain.empty() ? "ai.onnx" : domain;
    auto same = std::find_if(missing.begin(), missing.end(), [&](const auto& op) {
      return op.op_type == node->op_type && op.domain == shown;
    });
    if (same != missing.end()) {
      ++same->count;
      continue;
    }
    missing.push_back({node->op_type, shown,
                       opset == graph.opset_imports.end() ? 0 : opset->second, 1});
  }
  if (!missing.empty())
    throw Error(ErrorCode::NotImplemented, onnx_import::describe_unsupported(missing));
}

}  // namespace flowonnx::runtime
