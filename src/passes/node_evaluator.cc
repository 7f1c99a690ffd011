#include "passes/node_evaluator.h"

#include "ir/subgraph.h"
#include "onnx/import/normalize.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_checks.h"
#include "runtime/kernel_registry.h"
#include "runtime/type_inference.h"

namespace flowonnx::passes {

std::vector<Tensor> evaluate_node(const ir::Graph& graph, const ir::Node& node) {
  ir::Graph single;
  single.name = "fold";
  single.opset_imports = graph.opset_imports;
  for (const auto& input : node.inputs)
    if (!input.empty()) single.set_initializer(input, graph.initializer(input));
  single.add_node(node);
  for (const auto& output : node.outputs)
    if (!output.empty()) single.outputs.push_back(output);

  const runtime::KernelRegistry& registry = runtime::cpu_kernel_registry();
  onnx_import::normalize_graph(single);
  runtime::check_supported_ops(single, registry);
  runtime::infer_types(single);
  runtime::ExecutionPlan plan(single, registry);
  std::vector<int> wanted;
  for (const auto& output : single.outputs) wanted.push_back(plan.slot_of(output));
  std::vector<Tensor> computed = plan.execute(std::vector<Tensor>(plan.num_slots()), wanted);
  std::vector<Tensor> result;
  size_t next = 0;
  for (const auto& output : node.outputs) result.push_back(output.empty() ? Tensor() : computed[next++]);
  return result;
}

void copy_graph(const ir::Graph& source, ir::Graph& target) {
  target.name = source.name;
  target.inputs = source.inputs;
  target.outputs = source.outputs;
  target.opset_imports = source.opset_imports;
  for (const auto& [name, type] : source.types()) target.set_type(name, type);
  for (const auto& [name, tensor] : source.initializers()) target.set_initializer(name, tensor);
  // Subgraphs are copied too, so rewriting the copy never changes the source.
  ir::GraphPtr deep = ir::clone_graph(source);
  for (const auto& node : deep->nodes()) target.add_node(*node);
}

}  // namespace flowonnx::passes
