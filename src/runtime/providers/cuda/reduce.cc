// CUDA reductions and normalisations (float32 only): ReduceX with constant axes,
// GlobalAveragePool / GlobalMaxPool, Softmax / LogSoftmax, LayerNormalization (Y only),
// InstanceNormalization and BatchNormalization (inference, Y only). Semantics follow the CPU
// provider (providers/cpu/reduce.cc, math.cc, nn.cc) on the normalised graph, where ReduceX
// axes are always an (optional) input and Softmax before opset 13 is already coerced.
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/normalization.h"
#include "kernels/cuda/reduce.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

namespace {

using flowonnx::cuda::ReduceOp;
using flowonnx::cuda::SoftmaxKind;

constexpr int kMaxRank = 8;  // the strided kernels' limit

void require_float32(const std::string& op, const DeviceTensor& t, const char* what) {
  FLOWONNX_REQUIRE(t.dtype == DType::Float32, "{}: {} must be float32 on the GPU, got {}", op, what,
                   t.describe());
}

void require_rank_within_limit(const std::string& op, const DeviceTensor& x) {
  if (x.rank() > kMaxRank)
    fail(ErrorCode::NotImplemented, "{}: rank {} of {} is above the CUDA kernels' limit of {}", op,
         x.rank(), x.describe(), kMaxRank);
}

using kernels::detail::product;

// Only output 0 exists (optional statistics outputs are computed on the CPU).
bool single_output(const ir::Node& node) {
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty()) return false;
  return !node.outputs.empty() && !node.outputs[0].empty();
}

void copy_async(const DeviceTensor& from, DeviceTensor& to, cudaStream_t stream, const char* what) {
  if (from.nbytes() == 0) return;
  flowonnx::cuda::check_cuda(cudaMemcpyAsync(to.raw(), from.raw(), from.nbytes(), cudaMemcpyDeviceToDevice, stream),
                             what);
}

// ---- ReduceX -----------------------------------------------------------------------------

// x and y float32; axes (input 1) absent or an integer initializer, read at load.
bool supports_reduce(const ir::Node& node, const ir::Graph& graph) {
  if (node.inputs.empty() || node.inputs.size() > 2 || node.outputs.size() != 1) return false;
  if (!value_has_dtype(graph, node.inputs[0], DType::Float32) ||
      !value_has_dtype(graph, node.outputs[0], DType::Float32))
    return false;
  if (!input_is_constant_or_absent(node, graph, 1)) return false;
  if (node.inputs.size() == 2 && !node.inputs[1].empty()) {
    DType dtype = graph.initializer(node.inputs[1]).dtype();
    if (dtype != DType::Int64 && dtype != DType::Int32) return false;
  }
  return true;
}

template <ReduceOp Op>
CudaComputeFn make_reduce(const KernelInit& init) {
  const bool keepdims = init.attr_int("keepdims", 1) != 0;
  const bool noop_with_empty_axes = init.attr_int("noop_with_empty_axes", 0) != 0;
  std::vector<int64_t> axes;
  if (const Tensor* t = init.constant_input(1)) axes = tensor_to_int64s(*t, "reduce axes");
  std::string op = init.node().op_type;
  return [=](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32(op, x, "input");
    if (axes.empty() && noop_with_empty_axes) {
      copy_async(x, ctx.allocate_output(0, x.shape, DType::Float32), ctx.stream(), op.c_str());
      return;
    }
    require_rank_within_limit(op, x);
    std::vector<bool> reduced(x.rank(), axes.empty());
    for (int64_t axis : axes) {
      FLOWONNX_REQUIRE(axis >= -x.rank() && axis < x.rank(), "{}: axis {} out of range for {}", op, axis,
                       x.describe());
      reduced[axis < 0 ? axis + x.rank() : axis] = true;
    }
    Shape shape;
    for (int d = 0; d < x.rank(); ++d) {
      if (!reduced[d]) shape.push_back(x.shape[d]);
      else if (keepdims) shape.push_back(1);
    }
    DeviceTensor& y = ctx.allocate_output(0, shape, DType::Float32);
    flowonnx::cuda::reduce_f32(Op, x.data<float>(), x.shape, reduced, y.data<float>(), ctx.stream());
  };
}

// ---- GlobalAveragePool / GlobalMaxPool ----------------------------------------------------

bool supports_float32(const ir::Node& node, const ir::Graph& graph) {
  return !node.inputs.empty() && !node.inputs[0].empty() && single_output(node) && all_float32(node, graph);
}

template <ReduceOp Op>
CudaComputeFn make_global_pool(const KernelInit& init) {
  std::string op = init.node().op_type;
  return [op](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32(op, x, "input");
    FLOWONNX_REQUIRE(x.rank() >= 3, "{}: input must be [N,C,spatial...], got {}", op, x.describe());
    require_rank_within_limit(op, x);
    Shape shape(x.shape.size(), 1);
    shape[0] = x.shape[0];
    shape[1] = x.shape[1];
    std::vector<bool> reduced(x.rank(), true);
    reduced[0] = reduced[1] = false;
    DeviceTensor& y = ctx.allocate_output(0, shape, DType::Float32);
    flowonnx::cuda::reduce_f32(Op, x.data<float>(), x.shape, reduced, y.data<float>(), ctx.stream());
  };
}

// ---- Softmax / LogSoftmax -----------------------------------------------------------------

// Like the CPU kernel: `axis` (default -1) on the normalised graph, where opset < 13 nodes were
// already flattened to 2-D with axis -1.
template <SoftmaxKind Kind>
CudaComputeFn make_softmax(const KernelInit& init) {
  const int64_t axis = init.attr_int("axis", -1);
  std::string op = init.node().op_type;
  return [axis, op](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32(op, x, "input");
    FLOWONNX_REQUIRE(x.rank() >= 1, "{}: input must have rank >= 1, got {}", op, x.describe());
    const int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "{}: axis {} out of range for {}", op, axis, x.describe());
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    flowonnx::cuda::softmax_f32(Kind, x.data<float>(), y.data<float>(), product(x.shape, 0, a), x.shape[a],
                                product(x.shape, a + 1, x.shape.size()), ctx.stream());
  };
}

// ---- LayerNormalization ------------------------------------------------------------------

// scale/bias of `count` values for the normalised block `inner`: used as they are when they
// already have inner's size, else broadcast (unidirectionally, as the CPU allows) into scratch.
const float* expanded_param(CudaKernelContext& ctx, const DeviceTensor& t, const Shape& inner, const char* what,
                            std::shared_ptr<DeviceBlock>& storage) {
  require_float32("LayerNormalization", t, what);
  if (t.num_elements() == num_elements(inner)) return t.data<float>();
  bool broadcasts = t.shape.size() <= inner.size();
  for (size_t i = 0; broadcasts && i < t.shape.size(); ++i) {
    int64_t dim = t.shape[t.shape.size() - 1 - i];
    broadcasts = dim == 1 || dim == inner[inner.size() - 1 - i];
  }
  FLOWONNX_REQUIRE(broadcasts, "LayerNormalization: {} {} does not broadcast to {}", what, t.describe(),
                   shape_to_string(inner));
  storage = ctx.scratch(static_cast<size_t>(num_elements(inner)) * sizeof(float));
  float* out = static_cast<float*>(storage->data());
  flowonnx::cuda::binary_f32(flowonnx::cuda::BinaryOp::Left, t.data<float>(), t.shape, t.data<float>(), t.shape,
                             out, inner, ctx.stream());
  return out;
}

bool supports_layer_norm(const ir::Node& node, const ir::Graph& graph) {
  return node.inputs.size() >= 2 && !node.inputs[1].empty() && supports_float32(node, graph);
}

CudaComputeFn make_layer_norm(const KernelInit& init) {
  const int64_t axis = init.attr_int("axis", -1);
  const double epsilon = init.attr_float("epsilon", 1e-5);
  return [axis, epsilon](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32("LayerNormalization", x, "input");
    const int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "LayerNormalization: axis {} for {}", axis, x.describe());
    Shape inner(x.shape.begin() + a, x.shape.end());
    if (inner.size() > static_cast<size_t>(flowonnx::cuda::kMaxBroadcastRank))
      fail(ErrorCode::NotImplemented, "LayerNormalization: {} normalised dims are above the CUDA limit of {}",
           inner.size(), flowonnx::cuda::kMaxBroadcastRank);
    std::shared_ptr<DeviceBlock> scale_storage, bias_storage;
    const float* scale = expanded_param(ctx, ctx.input(1), inner, "scale", scale_storage);
    const float* bias = ctx.has_input(2) ? expanded_param(ctx, ctx.input(2), inner, "bias", bias_storage) : nullptr;
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    flowonnx::cuda::normalize_rows_f32(x.data<float>(), scale, bias, y.data<float>(), product(x.shape, 0, a),
                                       num_elements(inner), 0, epsilon, ctx.stream());
  };
}

// ---- InstanceNormalization / BatchNormalization ------------------------------------------

// Each of inputs first..last has exactly `channels` values.
void require_per_channel(const std::string& op, CudaKernelContext& ctx, size_t first, size_t last, int64_t channels) {
  static const char* names[] = {"X", "scale", "B", "input_mean", "input_var"};
  for (size_t i = first; i <= last; ++i) {
    const DeviceTensor& t = ctx.input(i);
    require_float32(op, t, names[i]);
    FLOWONNX_REQUIRE(t.num_elements() == channels, "{}: {} is {} but must have {} values (one per channel)", op,
                     names[i], t.describe(), channels);
  }
}

bool supports_instance_norm(const ir::Node& node, const ir::Graph& graph) {
  return node.inputs.size() == 3 && supports_float32(node, graph);
}

CudaComputeFn make_instance_norm(const KernelInit& init) {
  const double epsilon = init.attr_float("epsilon", 1e-5);
  return [epsilon](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32("InstanceNormalization", x, "X");
    FLOWONNX_REQUIRE(x.rank() >= 3, "InstanceNormalization: input {} must be [N,C,...]", x.describe());
    const int64_t channels = x.shape[1];
    require_per_channel("InstanceNormalization", ctx, 1, 2, channels);
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    flowonnx::cuda::normalize_rows_f32(x.data<float>(), ctx.input(1).data<float>(), ctx.input(2).data<float>(),
                                       y.data<float>(), x.shape[0] * channels,
                                       product(x.shape, 2, x.shape.size()), channels, epsilon, ctx.stream());
  };
}

// Inference form only: training_mode 0 and no running-statistics outputs.
bool supports_batch_norm(const ir::Node& node, const ir::Graph& graph) {
  if (node.attrs.has("training_mode") && node.attrs.get_int("training_mode") != 0) return false;
  return node.inputs.size() == 5 && supports_float32(node, graph);
}

CudaComputeFn make_batch_norm(const KernelInit& init) {
  const double epsilon = init.attr_float("epsilon", 1e-5);
  if (init.attr_int("training_mode", 0) != 0 || init.has_output(1))
    fail(ErrorCode::NotImplemented, "BatchNormalization: training mode is not supported");
  return [epsilon](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32("BatchNormalization", x, "X");
    FLOWONNX_REQUIRE(x.rank() >= 2, "BatchNormalization: input {} must be [N,C,...]", x.describe());
    const int64_t channels = x.shape[1];
    require_per_channel("BatchNormalization", ctx, 1, 4, channels);
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    std::shared_ptr<DeviceBlock> folded = ctx.scratch(static_cast<size_t>(2 * channels) * sizeof(float));
    flowonnx::cuda::batch_norm_f32(x.data<float>(), ctx.input(1).data<float>(), ctx.input(2).data<float>(),
                                   ctx.input(3).data<float>(), ctx.input(4).data<float>(), y.data<float>(),
                                   x.shape[0], channels, product(x.shape, 2, x.shape.size()), epsilon,
                                   static_cast<float*>(folded->data()), ctx.stream());
  };
}

}  // namespace

void add_reduce_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "ReduceSum", supports_reduce, make_reduce<ReduceOp::Sum>});
  kernels.push_back({"", "ReduceMean", supports_reduce, make_reduce<ReduceOp::Mean>});
  kernels.push_back({"", "ReduceMax", supports_reduce, make_reduce<ReduceOp::Max>});
  kernels.push_back({"", "ReduceMin", supports_reduce, make_reduce<ReduceOp::Min>});
  kernels.push_back({"", "ReduceProd", supports_reduce, make_reduce<ReduceOp::Prod>});
  kernels.push_back({"", "ReduceSumSquare", supports_reduce, make_reduce<ReduceOp::SumSquare>});
  kernels.push_back({"", "ReduceL1", supports_reduce, make_reduce<ReduceOp::L1>});
  kernels.push_back({"", "ReduceL2", supports_reduce, make_reduce<ReduceOp::L2>});
  kernels.push_back({"", "ReduceLogSum", supports_reduce, make_reduce<ReduceOp::LogSum>});
  kernels.push_back({"", "ReduceLogSumExp", supports_reduce, make_reduce<ReduceOp::LogSumExp>});
  kernels.push_back({"", "GlobalAveragePool", supports_float32, make_global_pool<ReduceOp::Mean>});
  kernels.push_back({"", "GlobalMaxPool", supports_float32, make_global_pool<ReduceOp::Max>});
  kernels.push_back({"", "Softmax", supports_float32, make_softmax<SoftmaxKind::Softmax>});
  kernels.push_back({"", "LogSoftmax", supports_float32, make_softmax<SoftmaxKind::LogSoftmax>});
  kernels.push_back({"", "LayerNormalization", supports_layer_norm, make_layer_norm});
  kernels.push_back({"", "InstanceNormalization", supports_instance_norm, make_instance_norm});
  kernels.push_back({"", "BatchNormalization", supports_batch_norm, make_batch_norm});
}

}  // namespace flowonnx::runtime::cuda
