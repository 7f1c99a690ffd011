#include "runtime/execution_plan.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

namespace flowonnx::runtime {

// Free buffers by (element count, dtype), kept between runs.
struct BufferPool {
  std::unordered_map<uint64_t, std::vector<Tensor>> free;
};

namespace {

// Per-run buffer bookkeeping. A buffer is one allocation; several values share one when a kernel
// returns a view of its input (Reshape, Identity) or computes in place. It goes back to the pool
// when the last value using it is released, and only if a kernel allocated it through the
// context (never a feed, a constant or a tensor a kernel keeps). The pool outlives the run: the
// plan keeps pools between runs so steady-state runs allocate nothing.
class RunMemory {
 public:
  RunMemory(int num_slots, BufferPool& pool) : buffer_of_(num_slots, -1), pool_(pool) {}

  Tensor allocate(const Shape& shape, DType dtype) {
    auto found = pool_.free.find(key(dtype, num_elements(shape)));
    if (found != pool_.free.end() && !found->second.empty()) {
      Tensor reused = std::move(found->second.back());
      found->second.pop_back();
      return reused.reshape(shape);
    }
    return Tensor(shape, dtype);
  }

  // Records that `slot` now holds `tensor`; it joins the buffer of an input slot it shares
  // storage with, else starts a new buffer.
  void define(int slot, const Tensor& tensor, bool poolable, const std::vector<Tensor>& values,
              const std::vector<int>& input_slots) {
    for (int in : input_slots) {
      if (in < 0 || buffer_of_[in] < 0) continue;
      if (values[in].shares_storage_with(tensor)) {
        buffer_of_[slot] = buffer_of_[in];
        ++buffers_[buffer_of_[in]].live;
        return;
      }
    }
    buffer_of_[slot] = static_cast<int>(buffers_.size());
    buffers_.push_back({tensor, 1, poolable});
  }

  // True when the value in `slot` owns a pooled buffer no other live value or other input of
  // this step shares (its last use being this step is the caller's part).
  bool exclusively_owned(int slot, const std::vector<int>& step_inputs) const {
    const int id = buffer_of_[slot];
    if (id < 0 || !buffers_[id].poolable || buffers_[id].live != 1) return false;
    int uses = 0;
    for (int in : step_inputs)
      if (in >= 0 && buffer_of_[in] == id) ++uses;
    return uses == 1;
  }

  void release(int slot) {
    int id = buffer_of_[slot];
    if (id < 0) return;
    buffer_of_[slot] = -1;
    Buffer& buffer = buffers_[id];
    if (--buffer.live == 0 && buffer.poolable) {
      pool_.free[key(buffer.tensor.dtype(), buffer.tensor.num_elements())].push_back(buffer.tensor);
    }
    if (buffer.live == 0) buffer.tensor = Tensor();
  }

 private:
  struct Buffer {
    Tensor tensor;
    int live;
    bool poolable;
  };
  static uint64_t key(DType dtype, int64_t count) {
    return (static_cast<uint64_t>(count) << 4) | static_cast<uint64_t>(dtype);
  }
  std::vector<int> buffer_of_;
  std::vector<Buffer> buffers_;
  BufferPool& pool_;
};

}  // namespace

ExecutionPlan::ExecutionPlan(ir::Graph& graph, const KernelRegistry& registry,
                             const std::vector<std::string>& outer_values) {
  auto slot_for = [&](const std::string& value) {
    auto [it, inserted] = slots_.emplace(value, static_cast<int>(slot_names_.size()));
    if (inserted) slot_names_.push_back(value);
    return it->second;
  };
  for (const auto& input : graph.inputs) slot_for(input);
  for (const auto& value : outer_values) slot_for(value);
  for (const auto& [name, tensor] : graph.initializers()) slot_for(name);
  // Node inputs reading each initializer that no kernel has absorbed yet; at zero the
  // initializer is dropped (freeing it as the plan is built keeps the load-time peak low too).
  std::map<std::string, int> unabsorbed_reads;
  for (const auto& node : graph.nodes())
    for (const auto& in : node->inputs)
      if (!in.empty() && graph.is_initializer(in)) ++unabsorbed_reads[in];
  auto droppable = [&graph](const std::string& value) {
    return std::find(graph.inputs.begin(), graph.inputs.end(), value) == graph.inputs.end() &&
           std::find(graph.outputs.begin(), graph.outputs.end(), value) == graph.outputs.end();
  };

  std::vector<ir::Node*> order = graph.topological_order();
  for (const ir::Node* node : order) {
    PlanStep step;
    step.node = node;
    for (const auto& in : node->inputs) step.inputs.push_back(in.empty() ? -1 : slot_for(in));
    for (const auto& out : node->outputs) step.outputs.push_back(out.empty() ? -1 : slot_for(out));
    KernelFactory factory = registry.find(node->domain, node->op_type);
    FLOWONNX_CHECK(factory != nullptr, "no kernel for {}", node->qualified_type());
    KernelInit init(*node, opset_of(graph, node->domain), graph);
    try {
      step.compute = factory(init);
    } catch (const Error& error) {
      if (error.code() == ErrorCode::InvalidModel) throw;
      fail(error.code() == ErrorCode::NotImplemented ? ErrorCode::NotImplemented
                                                     : ErrorCode::InvalidModel,
           "{} node '{}': {}", node->op_type, node->name, error.what());
    }
    step.implementation = init.implementation();
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      if (!init.absorbed(i)) continue;
      step.inputs[i] = -1;  // the kernel never reads it at run time
      const std::string& value = node->inputs[i];
      if (--unabsorbed_reads[value] == 0 && droppable(value)) graph.remove_initializer(value);
    }
    steps_.push_back(std::move(step));
  }
  for (const auto& [name, tensor] : graph.initializers())
    constants_.emplace_back(slots_.at(name), tensor);

  // Lifetimes: a value dies after its last consumer, or right after its producer when nothing
  // reads it. Graph outputs live to the end.
  pinned_.assign(slot_names_.size(), false);
  for (const auto& output : graph.outputs) pinned_[slot_for(output)] = true;
  pinned_.resize(slot_names_.size(), false);
  std::vector<int> last_use(slot_names_.size(), -1);
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int out : steps_[i].outputs)
      if (out >= 0) last_use[out] = static_cast<int>(i);
    for (int in : steps_[i].inputs)
      if (in >= 0) last_use[in] = static_cast<int>(i);
  }
  for (int slot = 0; slot < num_slots(); ++slot)
    if (!pinned_[slot] && last_use[slot] >= 0) steps_[last_use[slot]].release.push_back(slot);
}

ExecutionPlan::~ExecutionPlan() = default;

std::unique_ptr<BufferPool> ExecutionPlan::take_pool() const {
  std::lock_guard<std::mutex> lock(pools_mutex_);
  if (pools_.empty()) return std::make_unique<BufferPool>();
  auto pool = std::move(pools_.back());
  pools_.pop_back();
  return pool;
}

void ExecutionPlan::return_pool(std::unique_ptr<BufferPool> pool) const {
  std::lock_guard<std::mutex> lock(pools_mutex_);
  pools_.push_back(std::move(pool));
}

int ExecutionPlan::slot_of(const std::string& value) const {
  auto found = slots_.find(value);
  return found == slots_.end() ? -1 : found->second;
}

std::vector<Tensor> ExecutionPlan::execute(std::vector<Tensor> values,
                                           const std::vector<int>& wanted,
                                           std::vector<double>* step_ms) const {
  FLOWONNX_CHECK(static_cast<int>(values.size()) == num_slots(), "{} values for {} slots",
                 values.size(), num_slots());
  if (step_ms) step_ms->assign(steps_.size(), 0.0);
  // The pool goes back to the plan however the run ends (it only holds free buffers).
  struct PoolLease {
    const ExecutionPlan& plan;
    std::unique_ptr<BufferPool> pool;
    ~PoolLease() { plan.return_pool(std::move(pool)); }
  } lease{*this, take_pool()};
  RunMemory memory(num_slots(), *lease.pool);
  for (const auto& [slot, tensor] : constants_)
    if (!values[slot].defined()) values[slot] = tensor;  // a feed may override an initializer
  for (int slot = 0; slot < num_slots(); ++slot)
    if (values[slot].defined()) memory.define(slot, values[slot], false, values, {});

  auto allocate = [&memory](const Shape& shape, DType dtype) {
    return memory.allocate(shape, dtype);
  };
  std::vector<const Tensor*> inputs;
  std::vector<Tensor> outputs;
  std::vector<bool> pooled;
  for (size_t index = 0; index < steps_.size(); ++index) {
    const PlanStep& step = steps_[index];
    inputs.clear();
    for (int in : step.inputs) {
      if (in >= 0 && !values[in].defined())
        fail(ErrorCode::InvalidModel, "{} node '{}': input '{}' has no value", step.node->op_type,
             step.node->name, slot_names_[in]);
      inputs.push_back(in >= 0 ? &values[in] : nullptr);
    }
    outputs.assign(step.outputs.size(), Tensor());
    pooled.assign(step.outputs.size(), false);
    // An input may be overwritten when this step is its last use and its buffer is the run's own.
    auto can_overwrite = [&](size_t i) {
      const int slot = step.inputs[i];
      return slot >= 0 &&
             std::find(step.release.begin(), step.release.end(), slot) != step.release.end() &&
             memory.exclusively_owned(slot, step.inputs);
    };
    KernelContext context(inputs, outputs, pooled, allocate, can_overwrite);
    // Only profiled runs read the clock (a Loop body runs its plan once per iteration).
    const auto start = step_ms ? std::chrono::steady_clock::now()
                               : std::chrono::steady_clock::time_point();
    try {
      step.compute(context);
    } catch (const Error& error) {
      fail(error.code(), "{} node '{}': {}", step.node->op_type, step.node->name, error.what());
    }
    if (step_ms)
      (*step_ms)[index] = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start).count();
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      int slot = step.outputs[i];
      if (slot < 0) continue;
      if (!outputs[i].defined())
        fail(ErrorCode::Internal, "{} node '{}' did not produce output {} ('{}')",
             step.node->op_type, step.node->name, i, slot_names_[slot]);
      values[slot] = std::move(outputs[i]);
      memory.define(slot, values[slot], pooled[i], values, step.inputs);
    }
    for (int slot : step.release) {
      memory.release(slot);
      values[slot] = Tensor();
    }
  }
  std::vector<Tensor> result;
  for (int slot : wanted) result.push_back(values[slot]);
  return result;
}

}  // namespace flowonnx::runtime
