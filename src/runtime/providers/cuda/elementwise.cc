// CUDA element-wise ops (float32 only; other dtypes stay on the CPU): unary math and
// activations, Clip with constant bounds, broadcasting Add/Sub/Mul/Div/Pow/PRelu and variadic
// Max/Min/Sum/Mean. Semantics follow the CPU provider (providers/cpu/elementwise.cc).
#include <limits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/elementwise.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

namespace {

using flowonnx::cuda::BinaryOp;
using flowonnx::cuda::kMaxBroadcastRank;
using flowonnx::cuda::UnaryOp;
using flowonnx::cuda::UnaryParams;

void require_float32(const std::string& op, const DeviceTensor& t, size_t input) {
  FLOWONNX_REQUIRE(t.dtype == DType::Float32, "{}: input {} must be float32 on the GPU, got {}", op,
                   input, t.describe());
}

// The numpy broadcast of `shapes`; throws naming the op and the shapes when they do not
// broadcast, and NotImplemented beyond the kernels' rank limit.
Shape broadcast_shapes(const std::string& op, const std::vector<const Shape*>& shapes) {
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());
  Shape out(rank, 1);
  for (const Shape* s : shapes) {
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t dim = (*s)[s->size() - 1 - i];
      int64_t& target = out[rank - 1 - i];
      if (dim == target || dim == 1) continue;
      FLOWONNX_REQUIRE(target == 1, "{}: shapes do not broadcast: {} and {}", op, shape_to_string(*s),
                       shape_to_string(out));
      target = dim;
    }
  }
  if (rank > static_cast<size_t>(kMaxBroadcastRank))
    fail(ErrorCode::NotImplemented, "{}: rank {} is above the CUDA kernels' limit of {}", op, rank,
         kMaxBroadcastRank);
  return out;
}

// ---- unary -------------------------------------------------------------------------------

bool supports_float32(const ir::Node& node, const ir::Graph& graph) {
  return !node.inputs.empty() && !node.inputs[0].empty() && all_float32(node, graph);
}

template <UnaryOp Op>
CudaComputeFn make_unary(const KernelInit& init) {
  UnaryParams p;
  switch (Op) {
    case UnaryOp::LeakyRelu: p.alpha = static_cast<float>(init.attr_float("alpha", 0.01)); break;
    case UnaryOp::Elu: p.alpha = static_cast<float>(init.attr_float("alpha", 1.0)); break;
    case UnaryOp::Selu:
      p.alpha = static_cast<float>(init.attr_float("alpha", 1.67326319217681884765625));
      p.gamma = static_cast<float>(init.attr_float("gamma", 1.05070102214813232421875));
      break;
    case UnaryOp::HardSigmoid:
      p.alpha = static_cast<float>(init.attr_float("alpha", 0.2));
      p.beta = static_cast<float>(init.attr_float("beta", 0.5));
      break;
    default: break;
  }
  std::string op = init.node().op_type;
  return [p, op](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32(op, x, 0);
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    flowonnx::cuda::unary_f32(Op, x.data<float>(), y.data<float>(), x.num_elements(), p, ctx.stream());
  };
}

// Clip's bounds must be absent or float32 scalar initializers: they are read on the host at load.
bool supports_clip(const ir::Node& node, const ir::Graph& graph) {
  if (!supports_float32(node, graph)) return false;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    if (!input_is_constant_or_absent(node, graph, i)) return false;
    if (!node.inputs[i].empty() && graph.initializer(node.inputs[i]).num_elements() != 1) return false;
  }
  return node.inputs.size() <= 3;
}

CudaComputeFn make_clip(const KernelInit& init) {
  UnaryParams p;
  p.alpha = std::numeric_limits<float>::lowest();
  p.beta = std::numeric_limits<float>::max();
  for (size_t i : {size_t{1}, size_t{2}}) {
    const Tensor* bound = init.constant_input(i);
    if (!bound) continue;
    if (bound->dtype() != DType::Float32 || bound->num_elements() != 1)
      init.fail_model(fmt::format("{} must be a float32 scalar, got {}", i == 1 ? "min" : "max", bound->describe()));
    (i == 1 ? p.alpha : p.beta) = bound->data<float>()[0];
  }
  return [p](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    require_float32("Clip", x, 0);
    DeviceTensor& y = ctx.allocate_output(0, x.shape, DType::Float32);
    flowonnx::cuda::unary_f32(UnaryOp::Clip, x.data<float>(), y.data<float>(), x.num_elements(), p, ctx.stream());
  };
}

// ---- binary and variadic -----------------------------------------------------------------

bool supports_binary(const ir::Node& node, const ir::Graph& graph) {
  return node.inputs.size() == 2 && !node.inputs[1].empty() && supports_float32(node, graph);
}

template <BinaryOp Op>
CudaComputeFn make_binary(const KernelInit& init) {
  std::string op = init.node().op_type;
  return [op](CudaKernelContext& ctx) {
    const DeviceTensor& a = ctx.input(0);
    const DeviceTensor& b = ctx.input(1);
    require_float32(op, a, 0);
    require_float32(op, b, 1);
    Shape shape = broadcast_shapes(op, {&a.shape, &b.shape});
    DeviceTensor& y = ctx.allocate_output(0, shape, DType::Float32);
    flowonnx::cuda::binary_f32(Op, a.data<float>(), a.shape, b.data<float>(), b.shape, y.data<float>(),
                               shape, ctx.stream());
  };
}

bool supports_variadic(const ir::Node& node, const ir::Graph& graph) {
  for (const auto& name : node.inputs)
    if (name.empty()) return false;
  return supports_float32(node, graph);
}

// Max/Min/Sum fold the inputs pairwise into the output (broadcast to the final shape at once);
// Mean is Sum divided by the input count, as on the CPU.
template <BinaryOp Op, bool Mean>
CudaComputeFn make_variadic(const KernelInit& init) {
  std::string op = init.node().op_type;
  return [op](CudaKernelContext& ctx) {
    FLOWONNX_REQUIRE(ctx.num_inputs() >= 1, "{}: needs at least one input", op);
    std::vector<const Shape*> shapes;
    for (size_t k = 0; k < ctx.num_inputs(); ++k) {
      require_float32(op, ctx.input(k), k);
      shapes.push_back(&ctx.input(k).shape);
    }
    Shape shape = broadcast_shapes(op, shapes);
    const DeviceTensor& first = ctx.input(0);
    DeviceTensor& y = ctx.allocate_output(0, shape, DType::Float32);
    if (ctx.num_inputs() == 1) {
      flowonnx::cuda::check_cuda(cudaMemcpyAsync(y.raw(), first.raw(), first.nbytes(), cudaMemcpyDeviceToDevice,
                                                 ctx.stream()),
                                 "copying the single input of a variadic op");
      return;
    }
    flowonnx::cuda::binary_f32(Op, first.data<float>(), first.shape, ctx.input(1).data<float>(),
                               ctx.input(1).shape, y.data<float>(), shape, ctx.stream());
    for (size_t k = 2; k < ctx.num_inputs(); ++k)
      flowonnx::cuda::binary_f32(Op, y.data<float>(), shape, ctx.input(k).data<float>(), ctx.input(k).shape,
                                 y.data<float>(), shape, ctx.stream());
    if (Mean) {
      UnaryParams p;
      p.alpha = static_cast<float>(ctx.num_inputs());
      flowonnx::cuda::unary_f32(UnaryOp::DivideBy, y.data<float>(), y.data<float>(), y.num_elements(), p,
                                ctx.stream());
    }
  };
}

}  // namespace

void add_elementwise_kernels(std::vector<CudaKernel>& kernels) {
  auto unary = [&](const char* op, CudaComputeFn (*create)(const KernelInit&)) {
    kernels.push_back({"", op, supports_float32, create});
  };
  unary("Relu", make_unary<UnaryOp::Relu>);
  unary("LeakyRelu", make_unary<UnaryOp::LeakyRelu>);
  unary("Sigmoid", make_unary<UnaryOp::Sigmoid>);
  unary("Tanh", make_unary<UnaryOp::Tanh>);
  unary("Exp", make_unary<UnaryOp::Exp>);
  unary("Log", make_unary<UnaryOp::Log>);
  unary("Sqrt", make_unary<UnaryOp::Sqrt>);
  unary("Reciprocal", make_unary<UnaryOp::Reciprocal>);
  unary("Neg", make_unary<UnaryOp::Neg>);
  unary("Abs", make_unary<UnaryOp::Abs>);
  unary("Erf", make_unary<UnaryOp::Erf>);
  unary("Floor", make_unary<UnaryOp::Floor>);
  unary("Ceil", make_unary<UnaryOp::Ceil>);
  unary("Round", make_unary<UnaryOp::Round>);
  unary("Sin", make_unary<UnaryOp::Sin>);
  unary("Cos", make_unary<UnaryOp::Cos>);
  unary("Elu", make_unary<UnaryOp::Elu>);
  unary("Selu", make_unary<UnaryOp::Selu>);
  unary("Softplus", make_unary<UnaryOp::Softplus>);
  unary("Softsign", make_unary<UnaryOp::Softsign>);
  unary("HardSigmoid", make_unary<UnaryOp::HardSigmoid>);
  unary("HardSwish", make_unary<UnaryOp::HardSwish>);
  kernels.push_back({"", "Clip", supports_clip, make_clip});
  kernels.push_back({"", "Add", supports_binary, make_binary<BinaryOp::Add>});
  kernels.push_back({"", "Sub", supports_binary, make_binary<BinaryOp::Sub>});
  kernels.push_back({"", "Mul", supports_binary, make_binary<BinaryOp::Mul>});
  kernels.push_back({"", "Div", supports_binary, make_binary<BinaryOp::Div>});
  kernels.push_back({"", "Pow", supports_binary, make_binary<BinaryOp::Pow>});
  kernels.push_back({"", "PRelu", supports_binary, make_binary<BinaryOp::PRelu>});
  kernels.push_back({"", "Max", supports_variadic, make_variadic<BinaryOp::Max, false>});
  kernels.push_back({"", "Min", supports_variadic, make_variadic<BinaryOp::Min, false>});
  kernels.push_back({"", "Sum", supports_variadic, make_variadic<BinaryOp::Add, false>});
  kernels.push_back({"", "Mean", supports_variadic, make_variadic<BinaryOp::Add, true>});
}

}  // namespace flowonnx::runtime::cuda
