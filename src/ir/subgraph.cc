#include "ir/subgraph.h"

#include <fmt/format.h>

#include <algorithm>

namespace flowonnx::ir {

std::vector<Graph*> subgraphs_of(const Node& node) {
  std::vector<Graph*> result;
  for (const auto& [name, value] : node.attrs) {
    if (const GraphPtr* graph = std::get_if<GraphPtr>(&value)) {
      if (*graph) result.push_back(graph->get());
    } else if (const auto* graphs = std::get_if<std::vector<GraphPtr>>(&value)) {
      for (const auto& g : *graphs)
        if (g) result.push_back(g.get());
    }
  }
  return result;
}

bool has_subgraphs(const Node& node) { return !subgraphs_of(node).empty(); }

bool graph_has_subgraphs(const Graph& graph) {
  return std::any_of(graph.nodes().begin(), graph.nodes().end(),
                     [](const auto& node) { return has_subgraphs(*node); });
}

std::set<std::string> defined_values(const Graph& graph) {
  std::set<std::string> defined(graph.inputs.begin(), graph.inputs.end());
  for (const auto& [name, tensor] : graph.initializers()) defined.insert(name);
  for (const auto& node : graph.nodes())
    for (const auto& out : node->outputs)
      if (!out.empty()) defined.insert(out);
  return defined;
}

namespace {

// Every name `graph` reads that it does not define, nested subgraphs included.
void collect_free_reads(const Graph& graph, std::set<std::string>& reads) {
  const std::set<std::string> defined = defined_values(graph);
  std::set<std::string> used(graph.outputs.begin(), graph.outputs.end());
  for (const auto& node : graph.nodes()) {
    for (const auto& in : node->inputs)
      if (!in.empty()) used.insert(in);
    for (const Graph* sub : subgraphs_of(*node)) collect_free_reads(*sub, used);
  }
  for (const auto& name : used)
    if (!defined.count(name)) reads.insert(name);
}

void rename_in_graph(Graph& graph, std::map<std::string, std::string> renames) {
  for (const auto& name : defined_values(graph)) renames.erase(name);  // shadowed here
  if (renames.empty()) return;
  auto renamed = [&](std::string& name) {
    auto found = renames.find(name);
    if (found != renames.end()) name = found->second;
  };
  for (auto& out : graph.outputs) renamed(out);
  for (const auto& node : graph.nodes()) {
    for (auto& in : node->inputs) renamed(in);
    for (Graph* sub : subgraphs_of(*node)) rename_in_graph(*sub, renames);
  }
}

void check_scopes(const Graph& graph, const std::set<std::string>& outer, const Node* owner) {
  std::set<std::string> visible = outer;
  const std::set<std::string> own = defined_values(graph);
  visible.insert(own.begin(), own.end());
  auto where = [&] {
    return owner ? fmt::format("subgraph '{}' of node '{}' ({})", graph.name, owner->name,
                               owner->op_type)
                 : fmt::format("graph '{}'", graph.name);
  };
  for (const auto& node : graph.nodes()) {
    if (owner)
      for (const auto& in : node->inputs)
        if (!in.empty() && !visible.count(in))
          fail(ErrorCode::InvalidModel,
               "{}: node '{}' ({}) reads '{}', which neither the subgraph nor an enclosing graph "
               "defines",
               where(), node->name, node->op_type, in);
    // While attached, a subgraph may still spell an outer value by the name it had before a
    // pass renamed it: the node's implicit inputs (checked as its inputs) stand for its reads.
    if (node->implicit_inputs > 0) continue;
    for (const Graph* sub : subgraphs_of(*node)) check_scopes(*sub, visible, node.get());
  }
  if (owner)
    for (const auto& out : graph.outputs)
      if (!visible.count(out))
        fail(ErrorCode::InvalidModel,
             "{}: output '{}' is defined neither in the subgraph nor in an enclosing graph",
             where(), out);
}

}  // namespace

std::vector<std::string> outer_scope_reads(const Node& node) {
  std::set<std::string> reads;
  for (const Graph* sub : subgraphs_of(node)) collect_free_reads(*sub, reads);
  return {reads.begin(), reads.end()};
}

void attach_implicit_inputs(Graph& graph) {
  for (const auto& node : graph.nodes()) {
    if (node->implicit_inputs > 0 || !has_subgraphs(*node)) continue;
    std::vector<std::string> reads = outer_scope_reads(*node);
    node->inputs.insert(node->inputs.end(), reads.begin(), reads.end());
    node->implicit_inputs = static_cast<int>(reads.size());
  }
}

void detach_implicit_inputs(Graph& graph) {
  for (const auto& node : graph.nodes()) {
    if (node->implicit_inputs == 0) continue;
    std::vector<std::string> reads = outer_scope_reads(*node);
    const size_t first = node->num_explicit_inputs();
    FLOWONNX_CHECK(reads.size() == static_cast<size_t>(node->implicit_inputs),
                   "node '{}' ({}): {} implicit inputs attached, its subgraphs now read {}",
                   node->name, node->op_type, node->implicit_inputs, reads.size());
    std::map<std::string, std::string> renames;
    for (size_t k = 0; k < reads.size(); ++k)
      if (node->inputs[first + k] != reads[k]) renames[reads[k]] = node->inputs[first + k];
    if (!renames.empty()) {
      // Copy on write: the subgraphs may be shared with other copies of the node.
      const Attributes attrs = node->attrs;
      for (const auto& [name, value] : attrs) {
        if (const GraphPtr* sub = std::get_if<GraphPtr>(&value)) {
          if (*sub) node->attrs.set(name, clone_graph(**sub));
        } else if (const auto* subs = std::get_if<std::vector<GraphPtr>>(&value)) {
          std::vector<GraphPtr> copies;
          for (const auto& g : *subs) copies.push_back(g ? clone_graph(*g) : GraphPtr());
          node->attrs.set(name, std::move(copies));
        }
      }
      rename_outer_reads(*node, renames);
    }
    node->inputs.resize(first);
    node->implicit_inputs = 0;
  }
}

void rename_outer_reads(const Node& node, const std::map<std::string, std::string>& renames) {
  for (Graph* sub : subgraphs_of(node)) rename_in_graph(*sub, renames);
}

void check_subgraph_scopes(const Graph& graph) { check_scopes(graph, {}, nullptr); }

GraphPtr clone_graph(const Graph& graph) {
  auto copy = std::make_shared<Graph>();
  copy->name = graph.name;
  copy->inputs = graph.inputs;
  copy->outputs = graph.outputs;
  copy->opset_imports = graph.opset_imports;
  for (const auto& [name, type] : graph.types()) copy->set_type(name, type);
  for (const auto& [name, tensor] : graph.initializers()) copy->set_initializer(name, tensor);
  for (const auto& node : graph.nodes()) {
    Node cloned = *node;
    Attributes attrs;
    for (const auto& [name, value] : node->attrs) {
      if (const GraphPtr* sub = std::get_if<GraphPtr>(&value)) {
        attrs.set(name, *sub ? clone_graph(**sub) : GraphPtr());
      } else if (const auto* subs = std::get_if<std::vector<GraphPtr>>(&value)) {
        std::vector<GraphPtr> copies;
        for (const auto& g : *subs) copies.push_back(g ? clone_graph(*g) : GraphPtr());
        attrs.set(name, std::move(copies));
      } else {
        attrs.set(name, value);
      }
    }
    cloned.attrs = std::move(attrs);
    copy->add_node(std::move(cloned));
  }
  return copy;
}

void for_each_subgraph(Graph& graph,
                       const std::function<void(Graph& sub, const Graph& outer)>& fn) {
  for (const auto& node : graph.nodes())
    for (Graph* sub : subgraphs_of(*node)) {
      fn(*sub, graph);
      for_each_subgraph(*sub, fn);
    }
}

}  // namespace flowonnx::ir
