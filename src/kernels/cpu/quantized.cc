#include "kernels/cpu/quantized.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/matmul.h"

namespace flowonnx::kernels {

namespace {

template <typename Fn>
void visit_8bit(const Tensor& t, const std::string& what, Fn&& fn) {
  if (t.dtype() == DType::UInt8) return fn(uint8_t{});
  if (t.dtype() == DType::Int8) return fn(int8_t{});
  fail(ErrorCode::InvalidArgument, "{} must be uint8 or int8, got {}", what, t.describe());
}

}  // namespace

Tensor widen_quantized(const Tensor& q, const Tensor* zero_point, int64_t axis, const std::string& what) {
  Tensor y(q.shape(), DType::Int32);
  int32_t* out = y.data<int32_t>();
  int64_t channels = 1, inner = q.num_elements();
  if (zero_point && zero_point->num_elements() != 1) {
    const int64_t rank = q.rank();
    FLOWONNX_REQUIRE(rank > 0 && axis >= -rank && axis < rank, "{}: a per-axis zero point {} needs input rank > {}",
                     what, zero_point->describe(), axis < 0 ? -axis - 1 : axis);
    const int64_t a = axis < 0 ? axis + rank : axis;
    channels = q.shape()[a];
    FLOWONNX_REQUIRE(zero_point->num_elements() == channels,
                     "{}: zero point {} must hold 1 or {} values (dim {} of input {})", what,
                     zero_point->describe(), channels, a, q.describe());
    inner = 1;
    for (int64_t d = a + 1; d < rank; ++d) inner *= q.shape()[d];
  }
  visit_8bit(q, what, [&](auto zero) {
    using Q = decltype(zero);
    const Q* in = q.data<Q>();
    std::vector<int32_t> zp(static_cast<size_t>(channels), 0);
    if (zero_point) {
      FLOWONNX_REQUIRE(zero_point->dtype() == q.dtype(), "{}: zero point {} must have the input's dtype {}", what,
                       zero_point->describe(), dtype_name(q.dtype()));
      for (int64_t c = 0; c < channels; ++c) zp[c] = zero_point->data<Q>()[c];
    }
    for (int64_t i = 0; i < q.num_elements(); ++i)
      out[i] = static_cast<int32_t>(in[i]) - zp[(i / inner) % channels];
  });
  return y;
}

void integer_matmul(const Tensor& a, const Tensor& b, Tensor& y) {
  FLOWONNX_REQUIRE(a.dtype() == DType::Int32 && b.dtype() == DType::Int32 && y.dtype() == DType::Int32,
                   "integer_matmul: operands must be int32, got {} and {}", a.describe(), b.describe());
  const Shape out_shape = matmul_output_shape(a.shape(), b.shape(), {});
  FLOWONNX_REQUIRE(y.shape() == out_shape, "integer_matmul: output {} must be {}", y.describe(),
                   shape_to_string(out_shape));
  // Promote 1-D operands as numpy does: a [K] -> [1, K], b [K] -> [K, 1].
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  Shape batch_a(as.begin(), as.end() - 2), batch_b(bs.begin(), bs.end() - 2);
  Shape batch = broadcast_all({batch_a, batch_b}, "MatMulInteger");
  const int32_t* pa = a.data<int32_t>();
  const int32_t* pb = b.data<int32_t>();
  int32_t* py = y.data<int32_t>();
  std::vector<int64_t> acc(static_cast<size_t>(N));
  for_each_broadcast<2>(batch, {batch_a, batch_b}, [&](int64_t i, const std::array<int64_t, 2>& at) {
    const int32_t* ma = pa + at[0] * M * K;
    const int32_t* mb = pb + at[1] * K * N;
    int32_t* my = py + i * M * N;
    for (int64_t m = 0; m < M; ++m) {
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t k = 0; k < K; ++k) {
        const int64_t left = ma[m * K + k];
        for (int64_t n = 0; n < N; ++n) acc[n] += left * mb[k * N + n];
      }
      for (int64_t n = 0; n < N; ++n) my[m * N + n] = static_cast<int32_t>(acc[n]);
    }
  });
}

void integer_conv(const Tensor& x, const Tensor& w, const IntegerConvParams& params, Tensor& y) {
  FLOWONNX_REQUIRE(x.dtype() == DType::Int32 && w.dtype() == DType::Int32 && y.dtype() == DType::Int32,
                   "integer_conv: operands must be int32, got {} and {}", x.describe(), w.describe());
  const size_t spatial = params.strides.size();
  FLOWONNX_REQUIRE(x.rank() == static_cast<int>(spatial) + 2 && w.rank() == x.rank() && y.rank() == x.rank() &&
                       params.dilations.size() == spatial && params.pads_begin.size() == spatial,
                   "integer_conv: x {}, w {}, y {} disagree with {} spatial dims", x.describe(), w.describe(),
                   y.describe(), spatial);
  const int64_t batch = x.shape()[0], channels = x.shape()[1], out_channels = w.shape()[0];
  const int64_t group = params.group, group_channels = w.shape()[1];
  FLOWONNX_REQUIRE(group >= 1 && channels == group_channels * group && out_channels % group == 0 &&
                       y.shape()[0] == batch && y.shape()[1] == out_channels,
                   "integer_conv: x {} and w {} do not match for group {}", x.describe(), w.describe(), group);
  int64_t in_size = 1, out_size = 1, taps = 1;
  for (size_t d = 0; d < spatial; ++d) {
    in_size *= x.shape()[d + 2];
    out_size *= y.shape()[d + 2];
    taps *= w.shape()[d + 2];
  }
  // Each tap's spatial offsets, unravelled once.
  std::vector<std::vector<int64_t>> tap_at(static_cast<size_t>(taps), std::vector<int64_t>(spatial));
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t d = static_cast<int64_t>(spatial) - 1, rest = t; d >= 0; --d) {
      tap_at[t][d] = rest % w.shape()[d + 2];
      rest /= w.shape()[d + 2];
    }
  const int32_t* px = x.data<int32_t>();
  const int32_t* pw = w.data<int32_t>();
  int32_t* py = y.data<int32_t>();
  const int64_t per_group = out_channels / group;
  std::vector<int64_t> out_at(spatial);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < out_channels; ++m) {
      const int64_t first_channel = (m / per_group) * group_channels;
      for (int64_t o = 0; o < out_size; ++o) {
        for (int64_t d = static_cast<int64_t>(spatial) - 1, rest = o; d >= 0; --d) {
          out_at[d] = rest % y.shape()[d + 2];
          rest /= y.shape()[d + 2];
        }
        int64_t acc = 0;
        for (int64_t t = 0; t < taps; ++t) {
          int64_t offset = 0;
          bool inside = true;
          for (size_t d = 0; d < spatial && inside; ++d) {
            const int64_t at = out_at[d] * params.strides[d] + tap_at[t][d] * params.dilations[d] - params.pads_begin[d];
            inside = at >= 0 && at < x.shape()[d + 2];
            offset = offset * x.shape()[d + 2] + at;
          }
          if (!inside) continue;
          for (int64_t c = 0; c < group_channels; ++c)
            acc += static_cast<int64_t>(px[(n * channels + first_channel + c) * in_size + offset]) *
                   pw[(m * group_channels + c) * taps + t];
        }
        py[(n * out_channels + m) * out_size + o] = static_cast<int32_t>(acc);
      }
    }
}

void requantize(const Tensor& acc, const std::vector<float>& multipliers, int64_t inner, const Tensor& zero_point,
                Tensor& y) {
  FLOWONNX_REQUIRE(acc.dtype() == DType::Int32 && y.shape() == acc.shape() && y.dtype() == zero_point.dtype() &&
                       zero_point.num_elements() == 1 && !multipliers.empty() && inner >= 1,
                   "requantize: acc {}, zero point {}, y {} do not fit", acc.describe(), zero_point.describe(),
                   y.describe());
  visit_8bit(y, "requantize output", [&](auto zero) {
    using Q = decltype(zero);
    constexpr float low = std::numeric_limits<Q>::lowest(), high = std::numeric_limits<Q>::max();
    const float zp = zero_point.data<Q>()[0];
    const int32_t* in = acc.data<int32_t>();
    Q* out = y.data<Q>();
    const int64_t channels = static_cast<int64_t>(multipliers.size());
    for (int64_t i = 0; i < acc.num_elements(); ++i) {
      float value = std::nearbyint(static_cast<float>(in[i]) * multipliers[(i / inner) % channels]) + zp;
      out[i] = static_cast<Q>(std::isnan(value) ? zp : std::clamp(value, low, high));
    }
  });
}

}  // namespace flowonnx::kernels
