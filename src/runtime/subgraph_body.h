// A control-flow node's subgraph (If branch, Loop or Scan body) prepared once at load: the
// kernel's own copy of the graph, its types inferred (outer-scope value types copied in from the
// enclosing graph), and its execution plan. Running it feeds the body inputs and the outer-scope
// values the body reads and returns the body outputs; no session or plan is built per run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/execution_plan.h"
#include "runtime/kernel.h"

namespace flowonnx::runtime {

// Types the subgraph's reads of enclosing values (copied from `outer`, which holds the node) and
// `input_types` (nullopt: keep what the file says), then infers the subgraph's own values,
// nested subgraphs included (their control-flow type rules recurse). Changes `sub` in place.
void infer_subgraph_types(const ir::Graph& outer, const ir::Node& node, ir::Graph& sub,
                          const std::vector<std::optional<ir::ValueType>>& input_types = {});

// The static type of the subgraph's output i (nullptr when unknown).
const ir::ValueType* subgraph_output_type(const ir::Graph& sub, size_t i);

class SubgraphBody {
 public:
  // `attr`: the node's GRAPH attribute; `input_types` as for infer_subgraph_types. Errors name
  // the node (KernelInit::fail_model).
  SubgraphBody(const KernelInit& init, const std::string& attr,
               const std::vector<std::optional<ir::ValueType>>& input_types = {});

  const ir::Graph& graph() const { return *graph_; }
  size_t num_inputs() const { return graph_->inputs.size(); }
  size_t num_outputs() const { return graph_->outputs.size(); }
  // False when no node and no output of the body reads input i (its feed may be left undefined).
  bool input_is_read(size_t i) const { return i < input_read_.size() && input_read_[i]; }

  // Runs the body: `inputs` one per body input; the outer-scope values come from the node's
  // implicit inputs in `context`. Every output is checked to be defined.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const KernelContext& context) const;

 private:
  std::string where_;  // "Loop node 'x' body 'b'"
  ir::GraphPtr graph_;
  std::unique_ptr<ExecutionPlan> plan_;
  std::vector<int> input_slots_;
  std::vector<bool> input_read_;
  std::vector<std::pair<int, size_t>> outer_slots_;  // (body slot, node input index)
  std::vector<int> output_slots_;
};

}  // namespace flowonnx::runtime
