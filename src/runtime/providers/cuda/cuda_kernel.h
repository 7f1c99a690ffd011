// What a CUDA kernel adapter sees. Like the CPU provider (runtime/kernel.h): a factory parses and
// validates the node's attributes once (KernelInit, which also reads constant inputs such as
// Reshape's shape on the host) and returns a CudaComputeFn; at run time the function reads
// DeviceTensors and enqueues work on the run's stream. CudaComputeFns hold no mutable state
// except per-shape caches behind their own mutex, so one session can run on several threads.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <functional>
#include <string>
#include <vector>

#include "kernels/cuda/math_mode.h"
#include "runtime/kernel.h"
#include "runtime/providers/cuda/device_memory.h"

namespace flowonnx::runtime::cuda {

// Per-run GPU resources: one stream, the library handles bound to it, the caching allocator and
// cuBLASLt's workspace. A session keeps a pool of these; each run() takes one.
struct RunResources {
  // Creates the stream, handles and workspace on the current device; throws naming what failed.
  RunResources();
  ~RunResources();
  RunResources(const RunResources&) = delete;
  RunResources& operator=(const RunResources&) = delete;

  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasLtHandle_t cublaslt = nullptr;
  DeviceAllocator allocator;
  std::shared_ptr<DeviceBlock> cublaslt_workspace;
  static constexpr size_t kCublasLtWorkspaceBytes = size_t{32} << 20;
};

// Options every kernel may consult.
struct CudaKernelOptions {
  // Convs and matrix products: exact fp32 by default (kernels/cuda/math_mode.h).
  flowonnx::cuda::MathMode math = flowonnx::cuda::MathMode::Fp32;
};

class CudaKernelContext {
 public:
  CudaKernelContext(const std::vector<const DeviceTensor*>& inputs, std::vector<DeviceTensor>& outputs,
                    RunResources& resources, const CudaKernelOptions& options)
      : inputs_(inputs), outputs_(outputs), resources_(resources), options_(options) {}

  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // Throws InvalidArgument when input i is absent.
  const DeviceTensor& input(size_t i) const;
  size_t num_outputs() const { return outputs_.size(); }

  // A fresh output buffer from the run's caching allocator (contents undefined).
  DeviceTensor& allocate_output(size_t i, const Shape& shape, DType dtype);
  // An output that shares an input's memory (Reshape, Flatten, Identity, Squeeze).
  void set_output(size_t i, DeviceTensor tensor);
  // Temporary device memory for this step (cuDNN workspaces); freed when the handle dies.
  std::shared_ptr<DeviceBlock> scratch(size_t bytes) { return resources_.allocator.allocate(bytes); }

  cudaStream_t stream() const { return resources_.stream; }
  cudnnHandle_t cudnn() const { return resources_.cudnn; }
  cublasLtHandle_t cublaslt() const { return resources_.cublaslt; }
  void* cublaslt_workspace() const { return resources_.cublaslt_workspace->data(); }
  size_t cublaslt_workspace_bytes() const { return resources_.cublaslt_workspace->bytes(); }
  const CudaKernelOptions& options() const { return options_; }

 private:
  const std::vector<const DeviceTensor*>& inputs_;
  std::vector<DeviceTensor>& outputs_;
  RunResources& resources_;
  const CudaKernelOptions& options_;
};

using CudaComputeFn = std::function<void(CudaKernelContext&)>;

// One op the provider can run. `supports` decides per node at partition time from the node, its
// attributes and the value types in `graph` (e.g. "float32 only", "the shape input is a
// constant"); nodes it refuses stay on the CPU. `create` is called once per claimed node.
struct CudaKernel {
  std::string domain;   // "" = ai.onnx
  std::string op_type;
  bool (*supports)(const ir::Node& node, const ir::Graph& graph);
  CudaComputeFn (*create)(const KernelInit& init);
};

// Every kernel the CUDA provider has, from the per-family lists (providers/cuda/*.cc).
const std::vector<CudaKernel>& cuda_kernels();
// nullptr when the provider has no kernel for the op.
const CudaKernel* find_cuda_kernel(const std::string& domain, const std::string& op_type);

// Helpers for `supports`: the value's dtype when the graph knows it.
bool value_has_dtype(const ir::Graph& graph, const std::string& value, DType dtype);
// Every input and output that exists is float32 (the common case for compute ops).
bool all_float32(const ir::Node& node, const ir::Graph& graph);
// Input i is absent or an initializer no feed can override (read on the host at load).
bool input_is_constant_or_absent(const ir::Node& node, const ir::Graph& graph, size_t i);

// The per-family lists (one file each under providers/cuda/).
void add_elementwise_kernels(std::vector<CudaKernel>& kernels);
void add_reduce_kernels(std::vector<CudaKernel>& kernels);
void add_tensor_kernels(std::vector<CudaKernel>& kernels);
void add_nn_kernels(std::vector<CudaKernel>& kernels);
void add_conv_transpose_kernels(std::vector<CudaKernel>& kernels);  // conv_transpose.cc

}  // namespace flowonnx::runtime::cuda
