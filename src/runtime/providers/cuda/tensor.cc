// The CUDA provider's tensor ops, part 1: the aliases (Reshape, Flatten, Squeeze, Unsqueeze,
// Identity, inference Dropout) share the input's device memory under a new shape, and Cast; the
// list of every tensor op (copies in tensor_copy.cc, Slice/Gather in tensor_index.cc, Resize in
// resize.cc). Output shapes are computed on the host with the CPU kernels' rules
// (providers/cpu/tensor.cc, indexing.cc, resize.cc); shape-like inputs (Reshape's shape, Slice's
// starts, ...) must be constants, read once when the kernel is created. Claimed for float32 data
// only (Gather's indices may be int64/int32, Cast converts int64/int32 <-> float32), so int64
// shape arithmetic stays on the CPU.
#include <optional>

#include "onnx/model_io.h"
#include "runtime/providers/cuda/tensor_helpers.h"

namespace flowonnx::runtime::cuda {

namespace {

using namespace tensor_ops;

// ---- aliases --------------------------------------------------------------------------------

bool supports_reshape(const ir::Node& node, const ir::Graph& graph) {
  return data_float32(node, graph) && fixed_constant(node, graph, 1);
}

CudaComputeFn make_reshape(const KernelInit& init) {
  std::vector<int64_t> shape = constant_ints(init, 1, "Reshape shape");
  bool allow_zero = init.attr_int("allowzero", 0) != 0;
  return [shape, allow_zero](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    ctx.set_output(0, alias(x, reshape_target(x.shape, shape, allow_zero)));
  };
}

bool supports_float_alias(const ir::Node& node, const ir::Graph& graph) { return data_float32(node, graph); }

CudaComputeFn make_flatten(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  return [axis](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    ctx.set_output(0, alias(x, flatten_shape(x.shape, axis)));
  };
}

bool supports_squeeze(const ir::Node& node, const ir::Graph& graph) {
  return data_float32(node, graph) && input_is_constant_or_absent(node, graph, 1);
}

CudaComputeFn make_squeeze(const KernelInit& init) {
  std::optional<std::vector<int64_t>> axes;
  if (init.has_input(1)) axes = constant_ints(init, 1, "Squeeze axes");
  return [axes](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    ctx.set_output(0, alias(x, squeeze_shape(x.shape, axes)));
  };
}

bool supports_unsqueeze(const ir::Node& node, const ir::Graph& graph) {
  return data_float32(node, graph) && fixed_constant(node, graph, 1);
}

CudaComputeFn make_unsqueeze(const KernelInit& init) {
  std::vector<int64_t> axes = constant_ints(init, 1, "Unsqueeze axes");
  return [axes](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    ctx.set_output(0, alias(x, unsqueeze_shape(x.shape, axes)));
  };
}

CudaComputeFn make_identity(const KernelInit&) {
  return [](CudaKernelContext& ctx) { ctx.set_output(0, ctx.input(0)); };
}

// Inference Dropout only: no mask output and training_mode absent or a constant false (the
// ratio is then irrelevant).
bool supports_dropout(const ir::Node& node, const ir::Graph& graph) {
  if (!data_float32(node, graph) || present(node.outputs, 1) || node.outputs.size() > 2) return false;
  if (!present(node.inputs, 2)) return true;
  if (!fixed_constant(node, graph, 2)) return false;
  const Tensor& training = graph.initializer(node.inputs[2]);
  return training.dtype() == DType::Bool && training.num_elements() == 1 && !training.data<bool>()[0];
}

// ---- Cast -----------------------------------------------------------------------------------

// float32 from float32/int64/int32, and float32 to int64/int32.
bool supports_cast(const ir::Node& node, const ir::Graph& graph) {
  if (!present(node.inputs, 0) || !present(node.outputs, 0) || !graph.has_type(node.inputs[0])) return false;
  if (!node.attrs.has("to")) return false;
  DType to;
  try {
    to = onnx_io::dtype_from_onnx(static_cast<int>(node.attrs.get_int("to")));
  } catch (const Error&) {
    return false;
  }
  const DType from = graph.type(node.inputs[0]).dtype;
  if (to == DType::Float32) return from == DType::Float32 || from == DType::Int64 || from == DType::Int32;
  return from == DType::Float32 && (to == DType::Int64 || to == DType::Int32);
}

CudaComputeFn make_cast(const KernelInit& init) {
  if (!init.has_attr("to")) init.fail_model("attribute 'to' is required");
  DType to = onnx_io::dtype_from_onnx(static_cast<int>(init.attr_int("to", 0)));
  return [to](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    if (x.dtype == to) {  // a no-op cast: the same bytes
      ctx.set_output(0, x);
      return;
    }
    device::CastKind kind;
    if (x.dtype == DType::Int64 && to == DType::Float32) kind = device::CastKind::Int64ToFloat;
    else if (x.dtype == DType::Int32 && to == DType::Float32) kind = device::CastKind::Int32ToFloat;
    else if (x.dtype == DType::Float32 && to == DType::Int64) kind = device::CastKind::FloatToInt64;
    else if (x.dtype == DType::Float32 && to == DType::Int32) kind = device::CastKind::FloatToInt32;
    else
      fail(ErrorCode::NotImplemented, "Cast on CUDA: {} to {} is not supported", dtype_name(x.dtype),
           dtype_name(to));
    DeviceTensor& y = ctx.allocate_output(0, x.shape, to);
    device::cast(x.raw(), y.raw(), x.num_elements(), kind, ctx.stream());
  };
}

}  // namespace

void add_tensor_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "Reshape", supports_reshape, make_reshape});
  kernels.push_back({"", "Flatten", supports_float_alias, make_flatten});
  kernels.push_back({"", "Squeeze", supports_squeeze, make_squeeze});
  kernels.push_back({"", "Unsqueeze", supports_unsqueeze, make_unsqueeze});
  kernels.push_back({"", "Identity", supports_float_alias, make_identity});
  kernels.push_back({"", "Dropout", supports_dropout, make_identity});
  kernels.push_back({"", "Cast", supports_cast, make_cast});
  add_tensor_copy_kernels(kernels);
  add_tensor_index_kernels(kernels);
  add_resize_kernels(kernels);
}

}  // namespace flowonnx::runtime::cuda
