// The compute-heavy ops of the CUDA provider: Conv and FusedConv (cuDNN, plus one epilogue pass
// where cuDNN's fused call does not fit), MaxPool / AveragePool (own kernel), MatMul and Gemm
// (cuBLASLt). The geometry (auto_pad, pads, ceil_mode) is resolved exactly as the CPU provider
// does (providers/cpu/window.h), so both agree on output shapes.
#include <algorithm>
#include <memory>
#include <optional>

#include "ir/rewrite.h"
#include "kernels/cuda/conv.h"
#include "kernels/cuda/conv_epilogue.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/matmul.h"
#include "kernels/cuda/pool.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/fuse_conv.h"
#include "runtime/providers/cpu/window.h"
#include "runtime/providers/cuda/cuda_kernel.h"

namespace flowonnx::runtime::cuda {

namespace {

using cpu::WindowAttrs;
using cpu::WindowGeometry;
namespace fc = flowonnx::cuda;
using flowonnx::cuda::check_cuda;

// The rank of a value when the graph knows it.
std::optional<size_t> known_rank(const ir::Graph& graph, const std::string& value) {
  if (value.empty() || !graph.has_type(value)) return std::nullopt;
  const ir::ValueType& type = graph.type(value);
  if (!type.shape) return std::nullopt;
  return type.shape->size();
}

Shape spatial_of(const Shape& shape) { return Shape(shape.begin() + 2, shape.end()); }

// Scratch blocks a step asks for live until the step's compute returns.
struct HeldScratch {
  CudaKernelContext& ctx;
  std::vector<std::shared_ptr<DeviceBlock>> blocks;
  void* get(size_t bytes) {
    blocks.push_back(ctx.scratch(bytes));
    return blocks.back()->data();
  }
};

// ---- Conv / FusedConv ---------------------------------------------------------------------------

fc::EpilogueActivation read_activation(const KernelInit& init, const std::string& prefix) {
  fc::EpilogueActivation activation;
  const std::string kind = init.attr_string(prefix + "activation", "");
  if (kind == "Relu") {
    activation.kind = 1;
  } else if (kind == "Clip") {
    activation.kind = 2;
    activation.lo = static_cast<float>(init.attr_float(prefix + "min", 0));
    activation.hi = static_cast<float>(init.attr_float(prefix + "max", 0));
  } else if (!kind.empty()) {
    init.fail_model("unknown " + prefix + "activation '" + kind + "'");
  }
  return activation;
}

struct ConvConfig {
  WindowAttrs attrs;
  int64_t group = 1;
  bool fused_op = false;  // FusedConv: inputs (X, W, B?, Sum?) and activations
  fc::EpilogueActivation pre, post;
};

// cudnnConvolutionBiasActivationForward computes relu(conv + bias + z): usable when the node's
// activations reduce to one Relu at the end (a Relu before a residual sum does not).
bool relu_fits_cudnn(const ConvConfig& c, bool with_sum) {
  const bool pre_relu = c.pre.kind == 1, post_relu = c.post.kind == 1;
  if (c.pre.kind == 2 || c.post.kind == 2) return false;
  if (with_sum) return c.pre.kind == 0 && post_relu;
  return pre_relu || post_relu;
}

void run_conv(const ConvConfig& config, fc::CudnnConv& conv, CudaKernelContext& ctx) {
  const DeviceTensor& x = ctx.input(0);
  const DeviceTensor& w = ctx.input(1);
  const char* op = config.fused_op ? "FusedConv" : "Conv";
  FLOWONNX_REQUIRE(x.dtype == DType::Float32 && (x.rank() == 3 || x.rank() == 4),
                   "{} (CUDA): input must be float32 [N,C,W] or [N,C,H,W], got {}", op, x.describe());
  FLOWONNX_REQUIRE(w.dtype == DType::Float32 && w.rank() == x.rank(),
                   "{} (CUDA): weight {} does not match input {}", op, w.describe(), x.describe());
  const std::vector<int64_t> kernel = config.attrs.kernel.empty() ? spatial_of(w.shape) : config.attrs.kernel;
  FLOWONNX_REQUIRE(kernel == spatial_of(w.shape), "{}: kernel_shape {} but weight {}", op,
                   shape_to_string(kernel), w.describe());
  const WindowGeometry g = cpu::resolve_window(config.attrs, spatial_of(x.shape), kernel);
  const bool one_d = x.rank() == 3;
  auto lift = [&](const std::vector<int64_t>& v, int64_t fill) {
    return one_d ? std::array<int64_t, 2>{fill, v[0]} : std::array<int64_t, 2>{v[0], v[1]};
  };
  const std::array<int64_t, 4> x4 = one_d ? std::array<int64_t, 4>{x.shape[0], x.shape[1], 1, x.shape[2]}
                                          : std::array<int64_t, 4>{x.shape[0], x.shape[1], x.shape[2], x.shape[3]};
  const std::array<int64_t, 4> w4 = one_d ? std::array<int64_t, 4>{w.shape[0], w.shape[1], 1, w.shape[2]}
                                          : std::array<int64_t, 4>{w.shape[0], w.shape[1], w.shape[2], w.shape[3]};
  FLOWONNX_REQUIRE(w4[1] * config.group == x4[1] && w4[0] % config.group == 0,
                   "{}: input {} has {} channels but weight {} with group {} expects {}", op, x.describe(),
                   x4[1], w.describe(), config.group, w4[1] * config.group);
  const std::array<int64_t, 2> pads_begin = lift(g.pads_begin, 0), pads_end = lift(g.pads_end, 0);

  fc::ConvProblem problem;
  problem.x = x4;
  problem.w = w4;
  problem.group = config.group;
  problem.strides = lift(g.strides, 1);
  problem.dilations = lift(g.dilations, 1);
  problem.math = ctx.options().math;
  const bool symmetric = pads_begin == pads_end;
  if (symmetric) {
    problem.pads = pads_begin;
  } else {
    // cuDNN pads symmetrically only: pad the input explicitly and convolve without padding.
    problem.x[2] += pads_begin[0] + pads_end[0];
    problem.x[3] += pads_begin[1] + pads_end[1];
  }
  const std::array<int64_t, 4> out4 = fc::conv_output_shape(problem);
  const Shape out = one_d ? Shape{out4[0], out4[1], out4[3]} : Shape{out4[0], out4[1], out4[2], out4[3]};
  DeviceTensor& y = ctx.allocate_output(0, out, DType::Float32);
  if (num_elements(out) == 0) return;
  FLOWONNX_REQUIRE(x.num_elements() > 0, "{} (CUDA): empty input {} for a non-empty output {}", op, x.describe(),
                   shape_to_string(out));

  const bool with_bias = ctx.has_input(2);
  const bool with_sum = config.fused_op && ctx.has_input(3);
  const float* bias = nullptr;
  const float* sum = nullptr;
  if (with_bias) {
    const DeviceTensor& b = ctx.input(2);
    FLOWONNX_REQUIRE(b.dtype == DType::Float32 && b.num_elements() == out4[1],
                     "{}: bias {} must have {} float32 values", op, b.describe(), out4[1]);
    bias = b.data<float>();
  }
  if (with_sum) {
    const DeviceTensor& s = ctx.input(3);
    FLOWONNX_REQUIRE(s.dtype == DType::Float32 && s.shape == out, "{}: residual {} must match the output {}",
                     op, s.describe(), shape_to_string(out));
    sum = s.data<float>();
  }

  HeldScratch scratch{ctx, {}};
  const float* xp = x.data<float>();
  if (!symmetric) {
    auto padded = static_cast<float*>(scratch.get(static_cast<size_t>(problem.x[0] * problem.x[1] * problem.x[2] *
                                                                      problem.x[3]) * sizeof(float)));
    fc::pad_nchw(xp, padded, x4[0], x4[1], x4[2], x4[3], pads_begin[0], pads_end[0], pads_begin[1],
                 pads_end[1], ctx.stream());
    xp = padded;
  }
  fc::WorkspaceFn workspace = [&](size_t bytes) { return scratch.get(bytes); };
  if (bias && relu_fits_cudnn(config, with_sum)) {
    fc::ConvBiasRelu fused{bias, sum};
    conv.forward(ctx.cudnn(), problem, xp, w.data<float>(), y.data<float>(), workspace, &fused);
    return;
  }
  conv.forward(ctx.cudnn(), problem, xp, w.data<float>(), y.data<float>(), workspace);
  if (bias || sum || config.pre.kind || config.post.kind)
    fc::conv_epilogue(y.data<float>(), bias, sum, out4[0], out4[1], out4[2] * out4[3], config.pre, config.post,
                      ctx.stream());
}

CudaComputeFn make_conv_like(const KernelInit& init, bool fused_op) {
  ConvConfig config;
  config.attrs = cpu::read_window_attrs(init);
  config.group = init.attr_int("group", 1);
  if (config.group < 1) init.fail_model("group must be positive");
  config.fused_op = fused_op;
  if (fused_op) {
    config.pre = read_activation(init, "pre_");
    config.post = read_activation(init, "post_");
  }
  auto conv = std::make_shared<fc::CudnnConv>();
  return [config, conv](CudaKernelContext& ctx) { run_conv(config, *conv, ctx); };
}

CudaComputeFn make_conv(const KernelInit& init) { return make_conv_like(init, false); }
CudaComputeFn make_fused_conv(const KernelInit& init) { return make_conv_like(init, true); }

bool supports_conv(const ir::Node& node, const ir::Graph& graph) {
  if (node.inputs.size() < 2 || node.outputs.size() != 1 || !all_float32(node, graph)) return false;
  const auto x_rank = known_rank(graph, node.inputs[0]);
  const auto w_rank = known_rank(graph, node.inputs[1]);
  return x_rank && (*x_rank == 3 || *x_rank == 4) && (!w_rank || *w_rank == *x_rank);
}

bool supports_fused_conv(const ir::Node& node, const ir::Graph& graph) {
  if (!supports_conv(node, graph) || *known_rank(graph, node.inputs[0]) != 4 || node.inputs.size() > 4)
    return false;
  for (const char* prefix : {"pre_activation", "post_activation"})
    if (node.attrs.has(prefix)) {
      const std::string& kind = node.attrs.get_string(prefix);
      if (!kind.empty() && kind != "Relu" && kind != "Clip") return false;
    }
  return true;
}

// ---- MaxPool / AveragePool ----------------------------------------------------------------------

template <bool Max>
CudaComputeFn make_pool(const KernelInit& init) {
  WindowAttrs attrs = cpu::read_window_attrs(init);
  if (attrs.kernel.empty()) init.fail_model("kernel_shape is required");
  const bool count_include_pad = init.attr_int("count_include_pad", 0) != 0;
  return [attrs, count_include_pad](CudaKernelContext& ctx) {
    const DeviceTensor& x = ctx.input(0);
    const char* op = Max ? "MaxPool" : "AveragePool";
    FLOWONNX_REQUIRE(x.dtype == DType::Float32 && x.rank() >= 3 && x.rank() <= 2 + fc::kMaxPoolRank,
                     "{} (CUDA): input must be float32 [N,C,d1..dk] with k = 1..3, got {}", op, x.describe());
    const WindowGeometry g = cpu::resolve_window(attrs, spatial_of(x.shape), attrs.kernel);
    Shape out = {x.shape[0], x.shape[1]};
    out.insert(out.end(), g.out.begin(), g.out.end());
    DeviceTensor& y = ctx.allocate_output(0, out, DType::Float32);
    fc::PoolParams p;
    p.rank = x.rank() - 2;
    p.max = Max;
    p.count_include_pad = count_include_pad;
    for (int d = 0; d < p.rank; ++d) {
      p.in[d] = x.shape[2 + d];
      p.out[d] = g.out[d];
      p.kernel[d] = g.kernel[d];
      p.strides[d] = g.strides[d];
      p.dilations[d] = g.dilations[d];
      p.pads_begin[d] = g.pads_begin[d];
      p.pads_end[d] = g.pads_end[d];
    }
    fc::pool(x.data<float>(), y.data<float>(), x.shape[0] * x.shape[1], p, ctx.stream());
  };
}

bool supports_pool(const ir::Node& node, const ir::Graph& graph) {
  if (node.inputs.size() != 1 || node.outputs.empty() || node.outputs[0].empty()) return false;
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty()) return false;  // MaxPool's Indices: CPU only
  if (!value_has_dtype(graph, node.inputs[0], DType::Float32) ||
      !value_has_dtype(graph, node.outputs[0], DType::Float32))
    return false;
  const auto rank = known_rank(graph, node.inputs[0]);
  if (!rank || *rank < 3 || *rank > 2 + static_cast<size_t>(fc::kMaxPoolRank)) return false;
  return node.attrs.has("kernel_shape") && node.attrs.get_ints("kernel_shape").size() == *rank - 2;
}

// ---- MatMul / Gemm ------------------------------------------------------------------------------

fc::MatmulResources matmul_resources(CudaKernelContext& ctx) {
  return {ctx.cublaslt(), ctx.stream(), ctx.cublaslt_workspace(), ctx.cublaslt_workspace_bytes()};
}

void run_matmul(fc::CublasLtMatmul& matmul, CudaKernelContext& ctx) {
  const DeviceTensor& a = ctx.input(0);
  const DeviceTensor& b = ctx.input(1);
  FLOWONNX_REQUIRE(a.dtype == DType::Float32 && b.dtype == DType::Float32 && a.rank() >= 1 && b.rank() >= 1,
                   "MatMul (CUDA): inputs must be float32 of rank >= 1, got {} and {}", a.describe(),
                   b.describe());
  // numpy: a 1-d A is a row [1, K], a 1-d B a column [K, 1]; those dims are dropped again.
  Shape sa = a.shape, sb = b.shape;
  if (a.rank() == 1) sa.insert(sa.begin(), 1);
  if (b.rank() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  FLOWONNX_REQUIRE(sb[sb.size() - 2] == k, "MatMul: inner dims differ: {} x {}", a.describe(), b.describe());
  const Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  const size_t batch_rank = std::max(batch_a.size(), batch_b.size());
  auto padded = [&](const Shape& s) {
    Shape p(batch_rank - s.size(), 1);
    p.insert(p.end(), s.begin(), s.end());
    return p;
  };
  const Shape pa = padded(batch_a), pb = padded(batch_b);
  Shape batch(batch_rank);
  for (size_t d = 0; d < batch_rank; ++d) {
    FLOWONNX_REQUIRE(pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1, "MatMul: batch dims of {} and {} do not broadcast",
                     a.describe(), b.describe());
    batch[d] = pa[d] == 1 ? pb[d] : pa[d];
  }
  Shape out = batch;
  if (a.rank() > 1) out.push_back(m);
  if (b.rank() > 1) out.push_back(n);
  DeviceTensor& y = ctx.allocate_output(0, out, DType::Float32);
  if (y.num_elements() == 0) return;
  if (k == 0) {
    check_cuda(cudaMemsetAsync(y.raw(), 0, y.nbytes(), ctx.stream()), "MatMul");
    return;
  }
  const int64_t count = num_elements(batch), count_a = num_elements(pa), count_b = num_elements(pb);
  const float* pa_data = a.data<float>();
  const float* pb_data = b.data<float>();
  float* py = y.data<float>();
  const fc::MatmulResources res = matmul_resources(ctx);
  fc::MatmulProblem p;
  p.k = k;
  p.n = n;
  p.math = ctx.options().math;
  if (count_b == 1 && count_a == count) {
    // One B for every batch entry and A's batches are contiguous rows: one [batch*M, K] x [K, N].
    p.m = count * m;
    matmul.run(res, p, 1.f, pa_data, pb_data, 0.f, nullptr, py);
    return;
  }
  p.m = m;
  if (count_a == count && count_b == count) {
    // Equal batches: one strided batched call.
    p.batch = count;
    p.stride_a = m * k;
    p.stride_b = k * n;
    p.stride_d = m * n;
    matmul.run(res, p, 1.f, pa_data, pb_data, 0.f, nullptr, py);
    return;
  }
  // Broadcast A ([M,K] x [2,K,N]) or partial broadcasting ([2,1,M,K] x [1,3,K,N]): one product per
  // batch entry (no zero batch strides, whose support in cuBLASLt we could not verify here).
  Shape stride_a(batch_rank, 0), stride_b(batch_rank, 0);
  for (int64_t d = static_cast<int64_t>(batch_rank) - 1, sa_run = m * k, sb_run = k * n; d >= 0; --d) {
    stride_a[d] = pa[d] == 1 ? 0 : sa_run;
    stride_b[d] = pb[d] == 1 ? 0 : sb_run;
    sa_run *= pa[d];
    sb_run *= pb[d];
  }
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, off_a = 0, off_b = 0;
    for (int64_t d = static_cast<int64_t>(batch_rank) - 1; d >= 0; --d) {
      const int64_t at = rest % batch[d];
      rest /= batch[d];
      off_a += at * stride_a[d];
      off_b += at * stride_b[d];
    }
    matmul.run(res, p, 1.f, pa_data + off_a, pb_data + off_b, 0.f, nullptr, py + i * m * n);
  }
}

CudaComputeFn make_matmul(const KernelInit&) {
  auto matmul = std::make_shared<fc::CublasLtMatmul>();
  return [matmul](CudaKernelContext& ctx) { run_matmul(*matmul, ctx); };
}

CudaComputeFn make_gemm(const KernelInit& init) {
  const bool trans_a = init.attr_int("transA", 0) != 0, trans_b = init.attr_int("transB", 0) != 0;
  const float alpha = static_cast<float>(init.attr_float("alpha", 1.0));
  const float beta = static_cast<float>(init.attr_float("beta", 1.0));
  auto matmul = std::make_shared<fc::CublasLtMatmul>();
  return [=](CudaKernelContext& ctx) {
    const DeviceTensor& a = ctx.input(0);
    const DeviceTensor& b = ctx.input(1);
    FLOWONNX_REQUIRE(a.dtype == DType::Float32 && b.dtype == DType::Float32 && a.rank() == 2 && b.rank() == 2,
                     "Gemm (CUDA): A {} and B {} must be 2-d float32", a.describe(), b.describe());
    const int64_t m = trans_a ? a.shape[1] : a.shape[0], k = trans_a ? a.shape[0] : a.shape[1];
    const int64_t kb = trans_b ? b.shape[1] : b.shape[0], n = trans_b ? b.shape[0] : b.shape[1];
    FLOWONNX_REQUIRE(k == kb, "Gemm: inner dims differ: A {} (transA {}) x B {} (transB {})", a.describe(),
                     trans_a, b.describe(), trans_b);
    DeviceTensor& y = ctx.allocate_output(0, {m, n}, DType::Float32);
    if (y.num_elements() == 0) return;
    const bool with_c = ctx.has_input(2) && beta != 0.f;
    if (with_c) {
      // y = beta * C broadcast to [M, N]; the product then adds onto it (cuBLASLt beta = 1).
      const DeviceTensor& c = ctx.input(2);
      FLOWONNX_REQUIRE(c.dtype == DType::Float32 && c.rank() <= 2, "Gemm: C must be float32 of rank <= 2, got {}",
                       c.describe());
      const int64_t c_rows = c.rank() == 2 ? c.shape[0] : 1;
      const int64_t c_cols = c.rank() >= 1 ? c.shape.back() : 1;
      FLOWONNX_REQUIRE((c_rows == 1 || c_rows == m) && (c_cols == 1 || c_cols == n),
                       "Gemm: C {} does not broadcast to [{},{}]", c.describe(), m, n);
      fc::broadcast_matrix(c.data<float>(), c_rows, c_cols, y.data<float>(), m, n, beta, ctx.stream());
    } else if (k == 0) {
      check_cuda(cudaMemsetAsync(y.raw(), 0, y.nbytes(), ctx.stream()), "Gemm");
    }
    if (k == 0) return;
    fc::MatmulProblem p;
    p.m = m;
    p.n = n;
    p.k = k;
    p.trans_a = trans_a;
    p.trans_b = trans_b;
    p.math = ctx.options().math;
    matmul->run(matmul_resources(ctx), p, alpha, a.data<float>(), b.data<float>(), with_c ? 1.f : 0.f,
                y.data<float>(), y.data<float>());
  };
}

bool supports_matmul(const ir::Node& node, const ir::Graph& graph) {
  return node.inputs.size() == 2 && node.outputs.size() == 1 && all_float32(node, graph);
}

bool supports_gemm(const ir::Node& node, const ir::Graph& graph) {
  if (node.inputs.size() < 2 || node.inputs.size() > 3 || node.outputs.size() != 1 || !all_float32(node, graph))
    return false;
  const auto c_rank = known_rank(graph, node.inputs.size() > 2 ? node.inputs[2] : "");
  return !c_rank || *c_rank <= 2;
}

}  // namespace

void add_nn_kernels(std::vector<CudaKernel>& kernels) {
  kernels.push_back({"", "Conv", supports_conv, make_conv});
  kernels.push_back({kInternalDomain, kFusedConv, supports_fused_conv, make_fused_conv});
  kernels.push_back({"", "MaxPool", supports_pool, make_pool<true>});
  kernels.push_back({"", "AveragePool", supports_pool, make_pool<false>});
  kernels.push_back({"", "MatMul", supports_matmul, make_matmul});
  kernels.push_back({"", "Gemm", supports_gemm, make_gemm});
}

}  // namespace flowonnx::runtime::cuda
