// Splitting a session graph between the CUDA provider and the CPU. Nodes the CUDA provider
// supports (cuda_kernel.h: the op has a kernel and its `supports` accepts the node) are grouped
// into as few runs as a topological order allows, and each run becomes one
// flowonnx.cuda.CudaSubgraph node whose body holds the claimed nodes. A run of consecutive nodes
// in a topological order is convex (no path leaves it and comes back), so the rewritten graph
// stays acyclic.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::runtime::cuda {

inline const char* const kCudaDomain = "flowonnx.cuda";
inline const char* const kCudaSubgraph = "CudaSubgraph";

struct Partition {
  ir::Graph body;                       // claimed nodes, their initializers, boundary inputs/outputs
  std::vector<std::string> node_names;  // the claimed nodes, in execution order
};

// Rewrites `graph` in place: each partition's nodes are replaced by one CudaSubgraph node with
// attribute "partition" (its index in the result). Initializers read only inside a partition
// move into its body. Graph inputs and outputs are unchanged.
std::vector<Partition> partition_for_cuda(ir::Graph& graph);

}  // namespace flowonnx::runtime::cuda
