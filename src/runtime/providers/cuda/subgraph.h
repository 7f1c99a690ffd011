// A CudaSubgraph runs one partition of the session's graph on the GPU: the nodes the CUDA
// provider claimed (partition.h), with their initializers uploaded once at creation. To the CPU
// execution plan it is a single node (flowonnx.cuda.CudaSubgraph) whose inputs and outputs are
// the partition's boundary values: run() copies the inputs to the GPU, runs every step on the
// run's own stream, copies the outputs back and waits for the stream. Values are released after
// their last use into the run's caching allocator, so steady-state runs allocate nothing.
// With CUDA graphs on, the second run with the same input shapes is captured into a graph and
// later runs with those shapes replay it: one launch instead of one per kernel (the inputs are
// copied into the captured input buffers first, the outputs read from the captured ones). A
// subgraph whose capture fails (a kernel that cannot be captured) just runs step by step.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "ir/graph.h"
#include "runtime/kernel.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

class CudaSubgraph {
 public:
  // Creates every kernel (attribute errors name the node) and uploads the initializers; the
  // host copies are dropped afterwards.
  CudaSubgraph(ir::Graph body, const CudaKernelOptions& options, int device_id, bool use_cuda_graphs);
  ~CudaSubgraph();

  const ir::Graph& body() const { return body_; }
  // Inputs and outputs in body().inputs / body().outputs order. Safe to call concurrently.
  void run(KernelContext& context) const;

 private:
  struct Step {
    const ir::Node* node = nullptr;
    CudaComputeFn compute;
    std::vector<int> inputs, outputs, release;
  };
  using Signature = std::vector<int64_t>;  // the input dtypes and shapes of a run
  struct RunState;
  struct CapturedGraph;
  std::unique_ptr<RunState> take_state() const;
  void return_state(std::unique_ptr<RunState> state) const;
  // Copies the inputs in, runs every step (capturing them into a graph when `capture`), copies
  // the outputs out. Returns false when the capture failed (nothing was computed then).
  bool execute(KernelContext& context, RunState& state, const Signature& signature, bool capture) const;
  void replay(KernelContext& context, RunState& state, const CapturedGraph& graph) const;

  ir::Graph body_;
  CudaKernelOptions options_;
  int device_id_;
  bool use_cuda_graphs_;
  int num_slots_ = 0;
  std::vector<Step> steps_;
  std::vector<int> input_slots_, output_slots_;
  std::vector<std::pair<int, DeviceTensor>> constants_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<RunState>> pool_;
};

}  // namespace flowonnx::runtime::cuda
