#include "kernels/cpu/matmul.h"

#include <algorithm>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/matmul_internal.h"
#include "kernels/cpu/vector_math.h"

namespace flowonnx::kernels {

namespace {

using dims = dnnl::memory::dims;

// One oneDNN matmul call: src [.., M, K] x weights [.., K, N] (+ bias) -> dst [.., M, N], each
// operand described by dims and strides so transposes and broadcast batches need no copies.
struct DnnlMatMul {
  dims src_dims, src_strides, weights_dims, weights_strides, dst_dims;
  const float* src = nullptr;
  const float* weights = nullptr;
  const float* bias = nullptr;  // [N] broadcast over every row, or null
  float* dst = nullptr;
  float alpha = 1.0f;
  bool gelu = false;  // an eltwise gelu_erf post-op
};

void run_dnnl_matmul(const char* op, const std::string& context, const DnnlMatMul& call) {
  const auto f32 = dnnl::memory::data_type::f32;
  detail::run_dnnl(op, context, [&] {
    const dnnl::memory::desc src_desc(call.src_dims, f32, call.src_strides);
    const dnnl::memory::desc weights_desc(call.weights_dims, f32, call.weights_strides);
    const dnnl::memory::desc dst_desc(call.dst_dims, f32,
                                      detail::contiguous_strides_of(call.dst_dims));
    dims bias_dims(call.dst_dims.size(), 1);
    bias_dims.back() = call.dst_dims.back();
    const dnnl::memory::desc bias_desc =
        call.bias ? dnnl::memory::desc(bias_dims, f32, detail::contiguous_strides_of(bias_dims))
                  : dnnl::memory::desc();
    dnnl::primitive_attr attr = detail::thread_safe_attr();
    if (call.alpha != 1.0f) attr.set_output_scales(0, {call.alpha});
    if (call.gelu) {
      dnnl::post_ops post_ops;
      post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
      attr.set_post_ops(post_ops);
    }
    const dnnl::matmul::desc desc(src_desc, weights_desc, bias_desc, dst_desc);
    const dnnl::matmul::primitive_desc pd(desc, attr, detail::cpu_engine());
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, detail::wrap_memory(src_desc, call.src)},
        {DNNL_ARG_WEIGHTS, detail::wrap_memory(weights_desc, call.weights)},
        {DNNL_ARG_DST, detail::wrap_memory(dst_desc, call.dst)}};
    if (call.bias) args[DNNL_ARG_BIAS] = detail::wrap_memory(bias_desc, call.bias);
    args[DNNL_ARG_SCRATCHPAD] = detail::thread_scratchpad(pd.scratchpad_desc());
    dnnl::stream& stream = detail::cpu_stream();
    dnnl::matmul(pd).execute(stream, args);
    stream.wait();
  });
}

// Strides of one operand [batch.., rows, cols] stored contiguously, reporting the last two dims
// as (M,K) or (K,N) order: swapped when the operand is transposed.
dims operand_strides(const Shape& batch, int64_t rows, int64_t cols, bool transposed) {
  Shape stored = batch;
  stored.push_back(rows);
  stored.push_back(cols);
  const std::vector<int64_t> strides = contiguous_strides(stored);
  dims result(strides.begin(), strides.end());
  if (transposed) std::swap(result[result.size() - 2], result[result.size() - 1]);
  return result;
}

// What oneDNN's call could not do: y viewed as rows of n, y[r, j] += bias[j] (bias may be
// null), then the activation.
void finish_rows(const float* bias, int64_t n, MatMulActivation activation, Tensor& y) {
  float* out = y.data<float>();
  const int64_t rows = y.num_elements() / n;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = out + r * n;
    if (bias)
      for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
    if (activation == MatMulActivation::Gelu)
      vec::map_ps(row, row, n, [](__m256 v) { return vec::gelu_ps(v); });
  }
}

}  // namespace

void matmul(const Tensor& a, const Tensor& b, const MatMulParams& params, Tensor& y) {
  matmul_bias(a, b, Tensor(), params, y);
}

void matmul_bias(const Tensor& a, const Tensor& b, const Tensor& bias, const MatMulParams& params,
                 Tensor& y) {
  const detail::MatMulPlan plan = detail::validate_matmul(a, b, params, y);
  if (bias.defined()) {
    detail::require_dtype("matmul", "bias", bias, DType::Float32);
    FLOWONNX_REQUIRE(bias.num_elements() == plan.n && bias.rank() <= std::max<int64_t>(y.rank(), 1),
                     "matmul: bias {} must hold the {} columns of the output {}", bias.describe(),
                     plan.n, y.describe());
    for (int64_t d = 0; d + 1 < bias.rank(); ++d)
      FLOWONNX_REQUIRE(bias.shape()[d] == 1, "matmul: bias {} must be [N] or [1,..,1,N]",
                       bias.describe());
  }
  if (y.num_elements() == 0) return;
  if (plan.k == 0) {  // empty sum: the bias alone
    std::fill_n(y.data<float>(), y.num_elements(), 0.0f);
    finish_rows(bias.defined() ? bias.data<float>() : nullptr, plan.n, params.activation, y);
    return;
  }
  // Merge runs of batch dims that broadcast the same way (full in both, or in only one operand)
  // and drop size-1 ones: the merged dims stay contiguous in memory and oneDNN sees few dims.
  Shape batch, a_batch, b_batch;
  int previous_kind = -1;
  for (size_t i = 0; i < plan.batch.size(); ++i) {
    if (plan.batch[i] == 1) continue;
    const bool a_full = plan.a_batch[i] != 1, b_full = plan.b_batch[i] != 1;
    const int kind = (a_full ? 1 : 0) + (b_full ? 2 : 0);
    if (kind == previous_kind) {
      batch.back() *= plan.batch[i];
      if (a_full) a_batch.back() *= plan.batch[i];
      if (b_full) b_batch.back() *= plan.batch[i];
    } else {
      batch.push_back(plan.batch[i]);
      a_batch.push_back(a_full ? plan.batch[i] : 1);
      b_batch.push_back(b_full ? plan.batch[i] : 1);
      previous_kind = kind;
    }
  }
  if (batch.size() + 2 > DNNL_MAX_NDIMS) {  // pathological alternating broadcasts
    MatMulParams product = params;
    product.activation = MatMulActivation::None;
    matmul_reference(a, b, product, y);
    finish_rows(bias.defined() ? bias.data<float>() : nullptr, plan.n, params.activation, y);
    return;
  }
  const bool trans_a = params.transpose_a && a.rank() > 1;
  const bool trans_b = params.transpose_b && b.rank() > 1;
  DnnlMatMul call;
  call.src_dims = dims(a_batch.begin(), a_batch.end());
  call.src_dims.insert(call.src_dims.end(), {plan.m, plan.k});
  call.src_strides = trans_a ? operand_strides(a_batch, plan.k, plan.m, true)
                             : operand_strides(a_batch, plan.m, plan.k, false);
  call.weights_dims = dims(b_batch.begin(), b_batch.end());
  call.weights_dims.insert(call.weights_dims.end(), {plan.k, plan.n});
  call.weights_strides = trans_b ? operand_strides(b_batch, plan.n, plan.k, true)
                                 : operand_strides(b_batch, plan.k, plan.n, false);
  call.dst_dims = dims(batch.begin(), batch.end());
  call.dst_dims.insert(call.dst_dims.end(), {plan.m, plan.n});
  call.src = a.data<float>();
  call.weights = b.data<float>();
  call.dst = y.data<float>();
  call.alpha = static_cast<float>(params.alpha);
  // oneDNN adds the bias itself only without alpha, where the order of the two is moot; the
  // activation comes after the bias, so it is a post-op only when oneDNN does both.
  const bool finish_in_dnnl = !bias.defined() || params.alpha == 1.0;
  if (finish_in_dnnl) {
    call.bias = bias.defined() ? bias.data<float>() : nullptr;
    call.gelu = params.activation == MatMulActivation::Gelu;
  }
  run_dnnl_matmul("matmul", fmt::format("a {}, b {}", a.describe(), b.describe()), call);
  if (!finish_in_dnnl) finish_rows(bias.data<float>(), plan.n, params.activation, y);
}

void linear(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y) {
  detail::require_dtype("linear", "input", x, DType::Float32);
  detail::require_dtype("linear", "weight", w, DType::Float32);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  FLOWONNX_REQUIRE(x.rank() >= 1 && w.rank() == 2 && xs.back() == ws[1],
                   "linear: input {} and weight {} do not match: need input [..,in] and weight "
                   "[out,in]",
                   shape_to_string(xs), shape_to_string(ws));
  const int64_t in_features = ws[1], out_features = ws[0];
  if (bias.defined()) {
    detail::require_dtype("linear", "bias", bias, DType::Float32);
    FLOWONNX_REQUIRE(bias.shape() == Shape{out_features},
                     "linear: bias {} must be [{}] for weight {}", shape_to_string(bias.shape()),
                     out_features, shape_to_string(ws));
  }
  Shape y_shape = xs;
  y_shape.back() = out_features;
  detail::require_output("linear", y, y_shape, DType::Float32, {&x, &w, &bias});
  if (y.num_elements() == 0) return;
  const int64_t rows = x.num_elements() / std::max<int64_t>(in_features, 1);
  if (in_features == 0) {  // empty sum: the bias alone
    float* out = y.data<float>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out_features; ++o)
        out[r * out_features + o] = bias.defined() ? bias.data<float>()[o] : 0.0f;
    return;
  }
  DnnlMatMul call;
  call.src_dims = {rows, in_features};
  call.src_strides = {in_features, 1};
  call.weights_dims = {in_features, out_features};
  call.weights_strides = {1, in_features};  // w is [out,in]: read it transposed
  call.dst_dims = {rows, out_features};
  call.src = x.data<float>();
  call.weights = w.data<float>();
  call.bias = bias.defined() ? bias.data<float>() : nullptr;
  call.dst = y.data<float>();
  run_dnnl_matmul("linear", fmt::format("input {}, weight {}", x.describe(), w.describe()), call);
}

}  // namespace flowonnx::kernels
