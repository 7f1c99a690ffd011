// Internal to the CUDA provider's tensor-op files (tensor.cc, tensor_copy.cc, tensor_index.cc,
// resize.cc): the claim checks every `supports` shares (float32 data, constant shape-like inputs)
// and the small host-side helpers of the compute functions.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "kernels/cuda/data_movement.h"
#include "runtime/providers/cpu/shape_rules.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

// The families of tensor ops that add_tensor_kernels (tensor.cc) collects.
void add_tensor_copy_kernels(std::vector<CudaKernel>& kernels);   // tensor_copy.cc
void add_tensor_index_kernels(std::vector<CudaKernel>& kernels);  // tensor_index.cc
void add_resize_kernels(std::vector<CudaKernel>& kernels);        // resize.cc

namespace tensor_ops {

namespace device = flowonnx::cuda;

// ---- claim helpers --------------------------------------------------------------------------

inline bool present(const std::vector<std::string>& names, size_t i) { return i < names.size() && !names[i].empty(); }

// An initializer that the caller cannot override: its value is final at load, so a kernel may
// read it once on the host.
inline bool fixed_constant(const ir::Node& node, const ir::Graph& graph, size_t i) {
  return present(node.inputs, i) && input_is_constant_or_absent(node, graph, i);
}

// Input 0 and output 0 are float32 (the other inputs are shape-like and checked per op).
inline bool data_float32(const ir::Node& node, const ir::Graph& graph) {
  return present(node.inputs, 0) && present(node.outputs, 0) &&
         value_has_dtype(graph, node.inputs[0], DType::Float32) &&
         value_has_dtype(graph, node.outputs[0], DType::Float32);
}

// False only when the value's rank is known and above `limit` (unknown ranks are checked at run).
inline bool rank_may_fit(const ir::Graph& graph, const std::string& value, size_t limit) {
  if (!graph.has_type(value) || !graph.type(value).shape) return true;
  return graph.type(value).shape->size() <= limit;
}

inline std::string attr_string(const ir::Node& node, const std::string& name, const std::string& fallback) {
  if (!node.attrs.has(name)) return fallback;
  try {
    return node.attrs.get_string(name);
  } catch (const Error&) {
    return "";  // wrong kind: refused here, the CPU factory reports it
  }
}
inline int64_t attr_int(const ir::Node& node, const std::string& name, int64_t fallback) {
  if (!node.attrs.has(name)) return fallback;
  try {
    return node.attrs.get_int(name);
  } catch (const Error&) {
    return std::numeric_limits<int64_t>::min();
  }
}

// ---- run-time helpers -----------------------------------------------------------------------

// The values of constant input i (copied: the host initializer is dropped after load).
inline std::vector<int64_t> constant_ints(const KernelInit& init, size_t i, const char* what) {
  const Tensor* value = init.constant_input(i);
  if (!value) init.fail_model(fmt::format("{} (input {}) must be a constant initializer", what, i));
  return tensor_to_int64s(*value, what);
}

inline DeviceTensor alias(const DeviceTensor& x, Shape shape) {
  DeviceTensor y = x;
  y.shape = std::move(shape);
  return y;
}

inline void require_copy_rank(const Shape& shape, const char* op) {
  if (shape.size() > static_cast<size_t>(device::kMaxCopyRank))
    fail(ErrorCode::NotImplemented, "{} on CUDA supports rank <= {}, got rank {}", op, device::kMaxCopyRank,
         shape.size());
}

inline const char* at_element(const DeviceTensor& t, int64_t element) {
  return static_cast<const char*>(t.raw()) + element * static_cast<int64_t>(dtype_size(t.dtype));
}
inline char* at_element(DeviceTensor& t, int64_t element) {
  return static_cast<char*>(t.raw()) + element * static_cast<int64_t>(dtype_size(t.dtype));
}

using kernels::detail::product;

// A [outer, middle, inner] block copy between tensors whose middle dims differ (Concat, Split).
inline device::StridedCopy block_copy(int64_t outer, int64_t middle, int64_t inner, int64_t src_middle,
                                      int64_t dst_middle) {
  device::StridedCopy copy;
  copy.rank = 3;
  copy.dims[0] = outer, copy.dims[1] = middle, copy.dims[2] = inner;
  copy.src_strides[0] = src_middle * inner, copy.src_strides[1] = inner, copy.src_strides[2] = 1;
  copy.dst_strides[0] = dst_middle * inner, copy.dst_strides[1] = inner, copy.dst_strides[2] = 1;
  return copy;
}

}  // namespace tensor_ops
}  // namespace flowonnx::runtime::cuda
