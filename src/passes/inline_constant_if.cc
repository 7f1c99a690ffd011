#include "passes/inline_constant_if.h"

#include "ir/subgraph.h"
#include "ir/rewrite.h"

namespace flowonnx::passes {

bool inline_constant_if(ir::Graph& graph, const ir::Node* node) {
  if (!ir::is_onnx_node(*node) || node->op_type != "If" || node->inputs.empty()) return false;
  const Tensor* cond = ir::constant_of(graph, node->inputs[0]);
  if (!cond || cond->dtype() != DType::Bool || cond->num_elements() != 1) return false;
  const bool taken = *static_cast<const uint8_t*>(cond->raw_data()) != 0;
  const char* attr = taken ? "then_branch" : "else_branch";
  if (!node->attrs.has(attr)) return false;
  // Our own copy: the branch may be shared with other copies of the model.
  ir::GraphPtr branch = ir::clone_graph(*node->attrs.get_graph(attr));
  if (branch->outputs.size() != node->outputs.size()) return false;  // the runtime reports it

  // Every value the branch defines gets a fresh name in the enclosing graph; its reads of
  // enclosing values keep theirs.
  std::map<std::string, std::string> renamed;
  auto fresh = [&](const std::string& value) {
    auto [it, inserted] = renamed.emplace(value, "");
    if (inserted) it->second = graph.unique_name(node->name + "/" + value);
    return it->second;
  };
  auto mapped = [&](const std::string& value) {
    auto found = renamed.find(value);
    return found == renamed.end() ? value : found->second;
  };
  for (const auto& [name, tensor] : branch->initializers())
    graph.set_initializer(fresh(name), tensor);
  std::vector<ir::Node> inlined;
  for (const ir::Node* inner : branch->topological_order()) {
    ir::Node copy = *inner;
    copy.name = node->name + "/" + inner->name;
    for (auto& in : copy.inputs) in = mapped(in);
    for (auto& out : copy.outputs)
      if (!out.empty()) {
        const std::string old = out;
        out = fresh(old);
        if (branch->has_type(old)) graph.set_type(out, branch->type(old));
      }
    // Nested subgraphs read the branch's values under their new names.
    if (ir::has_subgraphs(copy)) ir::rename_outer_reads(copy, renamed);
    inlined.push_back(std::move(copy));
  }
  // The If's outputs keep their names: each is an Identity of the branch output (the identity
  // elimination pass removes it where it can).
  for (size_t i = 0; i < node->outputs.size(); ++i) {
    if (node->outputs[i].empty()) continue;
    ir::Node identity;
    identity.name = node->name + "/output_" + std::to_string(i);
    identity.op_type = "Identity";
    identity.inputs = {mapped(branch->outputs[i])};
    identity.outputs = {node->outputs[i]};
    inlined.push_back(std::move(identity));
  }
  for (auto& n : inlined) graph.insert_node_before(node, std::move(n));
  graph.remove_node(node);
  return true;
}

}  // namespace flowonnx::passes
