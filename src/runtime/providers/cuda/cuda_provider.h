// The CUDA execution provider as the session sees it: is a GPU usable, and take the nodes it can
// run out of the session's graph (partition.h) into CudaSubgraph nodes with a kernel factory the
// session registers next to the CPU kernels.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/kernel_registry.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

// Empty when device `device_id` can be used; otherwise why not ("no CUDA device", "the driver
// is older than the CUDA runtime", "device 3 does not exist (2 devices)").
std::string unavailable_reason(int device_id);
// "NVIDIA H100 80GB HBM3 (sm_90, 79 GiB, driver 13.0, cuDNN 9.19.0)"
std::string device_description(int device_id);

struct CudaProviderOptions {
  int device_id = 0;
  CudaKernelOptions kernels;
  bool cuda_graphs = true;  // capture and replay (subgraph.h)
};

class CudaSubgraph;

// What the provider took: the subgraphs, one per CudaSubgraph node, and the names of the
// session-graph nodes that run on the GPU.
struct CudaAssignment {
  std::vector<std::shared_ptr<CudaSubgraph>> subgraphs;
  std::vector<std::string> node_names;
};

// Claims the supported nodes of `graph` (rewriting it) and builds their subgraphs (kernels
// created, weights uploaded).
CudaAssignment assign_nodes_to_cuda(ir::Graph& graph, const CudaProviderOptions& options);

// `registry` plus the kernel of flowonnx.cuda.CudaSubgraph nodes, which runs the subgraphs.
KernelRegistry registry_with_subgraphs(const KernelRegistry& registry,
                                       std::vector<std::shared_ptr<CudaSubgraph>> subgraphs);

}  // namespace flowonnx::runtime::cuda
