#include "graph_dot.h"

#include <fmt/format.h>

#include <map>

namespace flowonnx::cli {
namespace {

// A dot string literal: quotes and backslashes escaped, a newline as dot's line break.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string value_label(const ir::Graph& graph, const std::string& value) {
  return graph.has_type(value) ? graph.type(value).to_string() : "";
}

}  // namespace

std::string graph_to_dot(const ir::Graph& graph) {
  std::string dot = fmt::format("digraph {} {{\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n",
                                quoted(graph.name.empty() ? "graph" : graph.name));
  // Where each value comes from: a node id or a graph-input id.
  std::map<std::string, std::string> source;
  int index = 0;
  for (const std::string& input : graph.inputs) {
    if (graph.is_initializer(input)) continue;
    std::string id = fmt::format("in{}", index++);
    source[input] = id;
    dot += fmt::format("  {} [shape=ellipse, style=filled, fillcolor=\"#d8e8ff\", label={}];\n", id,
                       quoted(input + "\n" + value_label(graph, input)));
  }
  index = 0;
  for (const auto& node : graph.nodes()) {
    std::string id = fmt::format("n{}", index++);
    int weights = 0;
    for (const std::string& input : node->inputs) weights += graph.is_initializer(input) ? 1 : 0;
    std::string label = node->name.empty() ? node->op_type : node->name + "\n" + node->op_type;
    if (weights > 0) label += fmt::format("\n({} weight{})", weights, weights == 1 ? "" : "s");
    dot += fmt::format("  {} [shape=box, style=rounded, label={}];\n", id, quoted(label));
    for (const std::string& input : node->inputs) {
      auto from = source.find(input);
      if (input.empty() || from == source.end()) continue;
      dot += fmt::format("  {} -> {} [label={}];\n", from->second, id,
                         quoted(value_label(graph, input)));
    }
    for (const std::string& output : node->outputs) source[output] = id;
  }
  index = 0;
  for (const std::string& output : graph.outputs) {
    std::string id = fmt::format("out{}", index++);
    dot += fmt::format("  {} [shape=ellipse, style=filled, fillcolor=\"#ffe8d0\", label={}];\n", id,
                       quoted(output + "\n" + value_label(graph, output)));
    auto from = source.find(output);
    if (from != source.end()) dot += fmt::format("  {} -> {};\n", from->second, id);
  }
  return dot + "}\n";
}

}  // namespace flowonnx::cli
