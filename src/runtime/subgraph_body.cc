#include "runtime/subgraph_body.h"

#include <algorithm>

#include "ir/subgraph.h"
#include "runtime/kernel_registry.h"
#include "runtime/type_inference.h"

namespace flowonnx::runtime {

void infer_subgraph_types(const ir::Graph& outer, const ir::Node& node, ir::Graph& sub,
                          const std::vector<std::optional<ir::ValueType>>& input_types) {
  if (sub.opset_imports.empty()) sub.opset_imports = outer.opset_imports;
  const std::set<std::string> own = ir::defined_values(sub);
  for (const auto& name : ir::outer_scope_reads(node))
    if (!own.count(name) && outer.has_type(name) && !sub.has_type(name))
      sub.set_type(name, outer.type(name));
  for (size_t i = 0; i < input_types.size() && i < sub.inputs.size(); ++i)
    if (input_types[i] && !sub.has_type(sub.inputs[i])) sub.set_type(sub.inputs[i], *input_types[i]);
  infer_types(sub);
}

const ir::ValueType* subgraph_output_type(const ir::Graph& sub, size_t i) {
  if (i >= sub.outputs.size() || !sub.has_type(sub.outputs[i])) return nullptr;
  return &sub.type(sub.outputs[i]);
}

SubgraphBody::SubgraphBody(const KernelInit& init, const std::string& attr,
                           const std::vector<std::optional<ir::ValueType>>& input_types) {
  const ir::Node& node = init.node();
  if (!node.attrs.has(attr)) init.fail_model(fmt::format("missing subgraph attribute '{}'", attr));
  const ir::AttrValue& value = node.attrs.get(attr);
  const ir::GraphPtr* source = std::get_if<ir::GraphPtr>(&value);
  if (!source || !*source)
    init.fail_model(fmt::format("attribute '{}' must be a graph, got {}", attr,
                                ir::attr_kind_name(value)));
  where_ = fmt::format("{} node '{}' {} '{}'", node.op_type, node.name, attr, (*source)->name);
  // The kernel's own copy: planning changes the graph (implicit inputs of nested control flow,
  // absorbed constants) and the session's model may share the attribute with other copies.
  graph_ = ir::clone_graph(**source);
  infer_subgraph_types(init.graph(), node, *graph_, input_types);
  ir::attach_implicit_inputs(*graph_);

  // The outer values this body reads, each fed from the node's implicit input of that name.
  std::vector<std::string> outer;
  const std::set<std::string> own = ir::defined_values(*graph_);
  std::set<std::string> reads;
  for (const auto& n : graph_->nodes())
    for (const auto& in : n->inputs)
      if (!in.empty() && !own.count(in)) reads.insert(in);
  for (const auto& out : graph_->outputs)
    if (!own.count(out)) reads.insert(out);
  for (const auto& name : reads) {
    auto first = node.inputs.begin() + static_cast<std::ptrdiff_t>(node.num_explicit_inputs());
    auto found = std::find(first, node.inputs.end(), name);
    if (found == node.inputs.end())
      init.fail_model(fmt::format("{} reads '{}', which no enclosing graph defines", where_, name));
    outer.push_back(name);
    outer_slots_.emplace_back(-1, static_cast<size_t>(found - node.inputs.begin()));
  }
  plan_ = std::make_unique<ExecutionPlan>(*graph_, session_kernel_registry(), outer);
  for (size_t k = 0; k < outer.size(); ++k) outer_slots_[k].first = plan_->slot_of(outer[k]);
  std::set<std::string> used(graph_->outputs.begin(), graph_->outputs.end());
  for (const auto& n : graph_->nodes()) used.insert(n->inputs.begin(), n->inputs.end());
  for (const auto& in : graph_->inputs) {
    input_slots_.push_back(plan_->slot_of(in));
    input_read_.push_back(used.count(in) != 0);
  }
  for (const auto& out : graph_->outputs) output_slots_.push_back(plan_->slot_of(out));
}

std::vector<Tensor> SubgraphBody::run(const std::vector<Tensor>& inputs,
                                      const KernelContext& context) const {
  FLOWONNX_CHECK(inputs.size() == input_slots_.size(), "{}: {} inputs for {}", where_,
                 inputs.size(), input_slots_.size());
  std::vector<Tensor> values(static_cast<size_t>(plan_->num_slots()));
  for (size_t i = 0; i < inputs.size(); ++i) values[input_slots_[i]] = inputs[i];
  for (const auto& [slot, input] : outer_slots_) values[slot] = context.input(input);
  std::vector<Tensor> outputs = plan_->execute(std::move(values), output_slots_);
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i].defined())
      fail(ErrorCode::InvalidModel, "{}: output {} ('{}') has no value", where_, i,
           graph_->outputs[i]);
  return outputs;
}

}  // namespace flowonnx::runtime
