#include "runtime/providers/cuda/cuda_provider.h"

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "kernels/cuda/cublaslt_loader.h"
#include "runtime/providers/cuda/partition.h"
#include "runtime/providers/cuda/subgraph.h"

namespace flowonnx::runtime::cuda {

std::string unavailable_reason(int device_id) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return fmt::format("no usable CUDA driver or device (cudaGetDeviceCount: {})", cudaGetErrorString(status));
  }
  if (count == 0) return "the CUDA driver reports no device";
  if (device_id < 0 || device_id >= count)
    return fmt::format("device {} does not exist ({} device{})", device_id, count, count == 1 ? "" : "s");
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device_id) != cudaSuccess) {
    cudaGetLastError();
    return fmt::format("device {} cannot be queried", device_id);
  }
  if (prop.major < 8)
    return fmt::format("{} is sm_{}{}; this build has code for sm_80 and newer", prop.name, prop.major, prop.minor);
  return flowonnx::cuda::cublaslt_load_error();
}

std::string device_description(int device_id) {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device_id) != cudaSuccess) {
    cudaGetLastError();
    return "unknown device";
  }
  int driver = 0;
  cudaDriverGetVersion(&driver);
  size_t cudnn = cudnnGetVersion();
  return fmt::format("{} (sm_{}{}, {} GiB, driver CUDA {}.{}, cuDNN {}.{}.{})", prop.name, prop.major,
                     prop.minor, prop.totalGlobalMem >> 30, driver / 1000, driver % 1000 / 10,
                     cudnn / 10000, cudnn % 10000 / 100, cudnn % 100);
}

CudaAssignment assign_nodes_to_cuda(ir::Graph& graph, const CudaProviderOptions& options) {
  CudaAssignment assignment;
  for (Partition& partition : partition_for_cuda(graph)) {
    assignment.node_names.insert(assignment.node_names.end(), partition.node_names.begin(),
                                 partition.node_names.end());
    assignment.subgraphs.push_back(
        std::make_shared<CudaSubgraph>(std::move(partition.body), options.kernels, options.device_id,
                                       options.cuda_graphs));
  }
  return assignment;
}

KernelRegistry registry_with_subgraphs(const KernelRegistry& registry,
                                       std::vector<std::shared_ptr<CudaSubgraph>> subgraphs) {
  KernelRegistry result = registry;
  result.add(kCudaDomain, kCudaSubgraph, [subgraphs](const KernelInit& init) -> ComputeFn {
    int64_t index = init.attr_int("partition", -1);
    FLOWONNX_CHECK(index >= 0 && index < static_cast<int64_t>(subgraphs.size()), "partition {}", index);
    std::shared_ptr<CudaSubgraph> subgraph = subgraphs[index];
    return [subgraph](KernelContext& context) { subgraph->run(context); };
  });
  return result;
}

}  // namespace flowonnx::runtime::cuda
