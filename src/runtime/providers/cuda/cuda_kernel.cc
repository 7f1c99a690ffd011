#include "runtime/providers/cuda/cuda_kernel.h"

#include <algorithm>
#include <map>

#include "kernels/cuda/cuda_check.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime::cuda {

RunResources::RunResources() {
  flowonnx::cuda::check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                             "creating a stream");
  flowonnx::cuda::check_cudnn_status(cudnnCreate(&cudnn), "creating the cuDNN handle");
  flowonnx::cuda::check_cudnn_status(cudnnSetStream(cudnn, stream), "binding cuDNN to the stream");
  flowonnx::cuda::check_cublas_status(cublasLtCreate(&cublaslt), "creating the cuBLASLt handle");
  cublaslt_workspace = allocator.allocate(kCublasLtWorkspaceBytes);
}

RunResources::~RunResources() {
  if (stream) cudaStreamSynchronize(stream);  // nothing queued may outlive the memory it uses
  cublaslt_workspace.reset();
  if (cublaslt) cublasLtDestroy(cublaslt);
  if (cudnn) cudnnDestroy(cudnn);
  if (stream) cudaStreamDestroy(stream);
}

const DeviceTensor& CudaKernelContext::input(size_t i) const {
  FLOWONNX_REQUIRE(has_input(i), "input {} is required but absent", i);
  return *inputs_[i];
}

DeviceTensor& CudaKernelContext::allocate_output(size_t i, const Shape& shape, DType dtype) {
  FLOWONNX_CHECK(i < outputs_.size(), "output {} of {}", i, outputs_.size());
  DeviceTensor& out = outputs_[i];
  out.dtype = dtype;
  out.shape = shape;
  out.offset_bytes = 0;
  out.block = resources_.allocator.allocate(static_cast<size_t>(num_elements(shape)) * dtype_size(dtype));
  return out;
}

void CudaKernelContext::set_output(size_t i, DeviceTensor tensor) {
  FLOWONNX_CHECK(i < outputs_.size(), "output {} of {}", i, outputs_.size());
  outputs_[i] = std::move(tensor);
}

const std::vector<CudaKernel>& cuda_kernels() {
  static const std::vector<CudaKernel> kernels = [] {
    std::vector<CudaKernel> list;
    add_elementwise_kernels(list);
    add_reduce_kernels(list);
    add_tensor_kernels(list);
    add_nn_kernels(list);
    add_conv_transpose_kernels(list);
    return list;
  }();
  return kernels;
}

const CudaKernel* find_cuda_kernel(const std::string& domain, const std::string& op_type) {
  static const std::map<std::pair<std::string, std::string>, const CudaKernel*> index = [] {
    std::map<std::pair<std::string, std::string>, const CudaKernel*> map;
    for (const auto& kernel : cuda_kernels()) {
      bool inserted = map.emplace(std::make_pair(kernel.domain, kernel.op_type), &kernel).second;
      FLOWONNX_CHECK(inserted, "CUDA kernel {} registered twice", kernel.op_type);
    }
    return map;
  }();
  auto found = index.find({canonical_domain(domain), op_type});
  return found == index.end() ? nullptr : found->second;
}

bool value_has_dtype(const ir::Graph& graph, const std::string& value, DType dtype) {
  return graph.has_type(value) && graph.type(value).dtype == dtype;
}

bool all_float32(const ir::Node& node, const ir::Graph& graph) {
  for (const auto& name : node.inputs)
    if (!name.empty() && !value_has_dtype(graph, name, DType::Float32)) return false;
  for (const auto& name : node.outputs)
    if (!name.empty() && !value_has_dtype(graph, name, DType::Float32)) return false;
  return true;
}

bool input_is_constant_or_absent(const ir::Node& node, const ir::Graph& graph, size_t i) {
  if (i >= node.inputs.size() || node.inputs[i].empty()) return true;
  const std::string& value = node.inputs[i];
  // An initializer that is also a graph input can be overridden by a feed, so it is no constant
  // (the partition makes it an input of the GPU subgraph).
  return graph.is_initializer(value) &&
         std::find(graph.inputs.begin(), graph.inputs.end(), value) == graph.inputs.end();
}

}  // namespace flowonnx::runtime::cuda
