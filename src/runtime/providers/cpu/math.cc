// Linear algebra and the softmax family: Gemm, MatMul, Softmax, LogSoftmax, Hardmax, CumSum.
#include <cmath>
#include <limits>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/softmax.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/float16_adapter.h"
#include "tensor/integer_math.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_gemm(const KernelInit& init) {
  kernels::MatMulParams params;
  params.transpose_a = init.attr_int("transA", 0) != 0;
  params.transpose_b = init.attr_int("transB", 0) != 0;
  params.alpha = init.attr_float("alpha", 1.0);
  double beta = init.attr_float("beta", 1.0);
  return [params, beta](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    FLOWONNX_REQUIRE(a.rank() == 2 && b.rank() == 2, "Gemm: A {} and B {} must be 2-d",
                     a.describe(), b.describe());
    Shape shape = kernels::matmul_output_shape(a.shape(), b.shape(), params);
    Tensor& y = ctx.allocate_output(0, shape, DType::Float32);
    kernels::matmul(a, b, params, y);
    if (!ctx.has_input(2) || beta == 0.0) return;
    const Tensor& c = ctx.input(2);
    FLOWONNX_REQUIRE(c.dtype() == DType::Float32, "Gemm: C must be float32, got {}", c.describe());
    FLOWONNX_REQUIRE(kernels::broadcast_all({c.shape(), shape}, "Gemm") == shape,
                     "Gemm: C {} does not broadcast to {}", c.describe(), shape_to_string(shape));
    const float* pc = c.data<float>();
    float* py = y.data<float>();
    const float fbeta = static_cast<float>(beta);
    kernels::for_each_broadcast<1>(shape, {c.shape()}, [&](int64_t i, const std::array<int64_t, 1>& at) {
      py[i] += fbeta * pc[at[0]];
    });
  };
}

ComputeFn make_matmul(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    kernels::MatMulParams params;
    Shape shape = kernels::matmul_output_shape(a.shape(), b.shape(), params);
    kernels::matmul(a, b, params, ctx.allocate_output(0, shape, DType::Float32));
  };
}

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

// Over `axis` of x viewed as [outer, n, inner].
template <SoftmaxKind Kind>
ComputeFn make_softmax(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", -1);
  return [axis](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() >= 1,
                     "softmax: input must be float32 of rank >= 1, got {}", x.describe());
    int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "softmax: axis {} out of range for {}", axis, x.describe());
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Float32);
    if (Kind == SoftmaxKind::Softmax) {
      kernels::softmax(x, a, y);
      return;
    }
    int64_t outer = 1, inner = 1, n = x.shape()[a];
    for (int64_t d = 0; d < a; ++d) outer *= x.shape()[d];
    for (int64_t d = a + 1; d < x.rank(); ++d) inner *= x.shape()[d];
    const float* in = x.data<float>();
    float* out = y.data<float>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const float* row = in + o * n * inner + i;
        float* orow = out + o * n * inner + i;
        float best = -std::numeric_limits<float>::infinity();
        int64_t arg = 0;
        for (int64_t k = 0; k < n; ++k)
          if (row[k * inner] > best) best = row[k * inner], arg = k;
        if (Kind == SoftmaxKind::Hardmax) {
          for (int64_t k = 0; k < n; ++k) orow[k * inner] = k == arg ? 1.0f : 0.0f;
          continue;
        }
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += std::exp(double(row[k * inner]) - best);
        double log_sum = std::log(sum);
        for (int64_t k = 0; k < n; ++k)
          orow[k * inner] = static_cast<float>(double(row[k * inner]) - best - log_sum);
      }
  };
}

// CumSum and CumProd (opset 26): running sum / product along an axis; integers wrap (defined
// two's-complement results, as ORT), float16 runs in float32.
template <bool Product>
ComputeFn make_cumulative(const KernelInit& init) {
  const char* name = Product ? "CumProd" : "CumSum";
  bool exclusive = init.attr_int("exclusive", 0) != 0;
  bool reverse = init.attr_int("reverse", 0) != 0;
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> axis_values = tensor_to_int64s(ctx.input(1), "axis");
    FLOWONNX_REQUIRE(axis_values.size() == 1, "{}: axis must be a scalar", name);
    FLOWONNX_REQUIRE(x.rank() >= 1, "{}: input {} must have rank >= 1", name, x.describe());
    int64_t a = axis_values[0] < 0 ? axis_values[0] + x.rank() : axis_values[0];
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "{}: axis {} out of range for {}", name,
                     axis_values[0], x.describe());
    Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
    int64_t outer = 1, inner = 1, n = x.shape()[a];
    for (int64_t d = 0; d < a; ++d) outer *= x.shape()[d];
    for (int64_t d = a + 1; d < x.rank(); ++d) inner *= x.shape()[d];
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, bool>) {
        fail(ErrorCode::InvalidArgument, "{}: dtype of {} is not supported", name, x.describe());
      } else {
        auto combine = [](T acc, T v) {
          if constexpr (std::is_integral_v<T>)
            return Product ? integer_math::mul(acc, v) : integer_math::add(acc, v);
          else
            return Product ? T(acc * v) : T(acc + v);
        };
        const T* in = x.data<T>();
        T* out = y.data<T>();
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            T acc = T(Product ? 1 : 0);
            for (int64_t s = 0; s < n; ++s) {
              int64_t k = reverse ? n - 1 - s : s;
              int64_t at = (o * n + k) * inner + i;
              if (exclusive) {
                out[at] = acc;
                acc = combine(acc, in[at]);
              } else {
                acc = combine(acc, in[at]);
                out[at] = acc;
              }
            }
          }
      }
    });
  };
}

}  // namespace

void register_math_kernels(KernelRegistry& r) {
  r.add("", "Gemm", make_gemm);
  r.add("", "MatMul", with_float16<make_matmul>);
  r.add("", "Softmax", with_float16<make_softmax<SoftmaxKind::Softmax>>, rules::same_as_input());
  r.add("", "LogSoftmax", make_softmax<SoftmaxKind::LogSoftmax>, rules::same_as_input());
  r.add("", "Hardmax", make_softmax<SoftmaxKind::Hardmax>, rules::same_as_input());
  r.add("", "CumSum", with_float16<make_cumulative<false>>, rules::same_as_input());
  r.add("", "CumProd", with_float16<make_cumulative<true>>, rules::same_as_input());
}

}  // namespace flowonnx::runtime::cpu
