// The execution plan: nodes in topological order, each value in an integer slot, and for every
// step the values whose last use it is. Running the plan releases those values as it goes and
// hands their buffers to later outputs of the same size and dtype (memory reuse between values
// whose lifetimes do not overlap); free buffers stay pooled between runs. All other run state is
// local to execute(), so one plan serves several threads at once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime {

struct BufferPool;

struct PlanStep {
  const ir::Node* node = nullptr;
  ComputeFn compute;
  std::vector<int> inputs;   // slot per node input, -1 for an omitted optional input
  std::vector<int> outputs;  // slot per node output, -1 for an omitted output
  std::vector<int> release;  // slots whose last use is this step (never graph outputs)
  std::string implementation;  // KernelInit::implementation()
};

class ExecutionPlan {
 public:
  // Creates every kernel (attribute errors surface here, naming the node). `graph` must outlive
  // the plan; every node must have a kernel in `registry` (checked by the caller). Initializers
  // that every reading kernel absorbed (KernelInit::absorb_constant_input, e.g. prepacked conv
  // weights) are removed from `graph` as soon as the last reader is created, so the session
  // does not hold them twice; graph inputs and outputs are never removed.
  //
  // A subgraph's plan (If/Loop/Scan bodies, built once at load by the control-flow kernels) names
  // the values of enclosing scopes it reads in `outer_values`: they get slots after the graph
  // inputs and are fed like inputs on every run.
  ExecutionPlan(ir::Graph& graph, const KernelRegistry& registry,
                const std::vector<std::string>& outer_values = {});
  ~ExecutionPlan();

  int num_slots() const { return static_cast<int>(slot_names_.size()); }
  // -1 when the value is unknown.
  int slot_of(const std::string& value) const;
  const std::string& slot_name(int slot) const { return slot_names_[slot]; }
  size_t num_steps() const { return steps_.size(); }

  // Runs every step. `values` holds one entry per slot with the feeds already placed; constants
  // are filled in here. Returns the tensors of `wanted` slots. With `step_ms`, also the wall
  // time of every step in milliseconds (indexed like step()).
  std::vector<Tensor> execute(std::vector<Tensor> values, const std::vector<int>& wanted,
                              std::vector<double>* step_ms = nullptr) const;
  const PlanStep& step(size_t index) const { return steps_[index]; }

 private:
  std::vector<std::string> slot_names_;
  std::map<std::string, int> slots_;
  std::vector<std::pair<int, Tensor>> constants_;  // initializer slots, converted once at load
  std::vector<PlanStep> steps_;
  std::vector<bool> pinned_;  // graph outputs: never released
  // Buffer pools kept between runs, one per concurrent run (taken at start, returned at end).
  std::unique_ptr<BufferPool> take_pool() const;
  void return_pool(std::unique_ptr<BufferPool> pool) const;
  mutable std::mutex pools_mutex_;
  mutable std::vector<std::unique_ptr<BufferPool>> pools_;
};

}  // namespace flowonnx::runtime
