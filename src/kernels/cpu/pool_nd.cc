#include "kernels/cpu/pool_nd.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

int64_t pooled_length(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode) {
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t room = in + pad_begin + pad_end - span;
  FLOWONNX_REQUIRE(room >= 0 && stride >= 1, "pool: window {} (dilation {}) larger than padded input {}",
                   kernel, dilation, in + pad_begin + pad_end);
  int64_t out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

namespace {

template <typename T>
void pool_typed(PoolNdKind kind, const Tensor& x, const PoolNdParams& p, Tensor& y,
                Tensor* indices) {
  const size_t rank = p.kernel.size();
  const Shape& in_shape = x.shape();
  const Shape& out_shape = y.shape();
  const int64_t planes = in_shape[0] * in_shape[1];
  const int64_t in_plane = detail::product(in_shape, 2, in_shape.size());
  const int64_t out_plane = detail::product(out_shape, 2, out_shape.size());
  int64_t window = 1;
  for (int64_t k : p.kernel) window *= k;
  const T* in = x.data<T>();
  T* out = y.data<T>();
  int64_t* idx = indices ? indices->data<int64_t>() : nullptr;

  const int threads = threads_for(planes * out_plane * window);
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t plane = 0; plane < planes; ++plane) {
    std::vector<int64_t> pos(rank), coord(rank);
    for (int64_t o = 0; o < out_plane; ++o) {
      int64_t rest = o;
      for (size_t d = rank; d-- > 0;) {
        pos[d] = rest % out_shape[2 + d];
        rest /= out_shape[2 + d];
      }
      double acc = kind == PoolNdKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
      int64_t best = -1, counted = 0, padded_count = 1;
      if (kind == PoolNdKind::Average && p.count_include_pad) {
        // The window clipped to the padded input (ceil mode may run past it).
        for (size_t d = 0; d < rank; ++d) {
          int64_t start = pos[d] * p.strides[d] - p.pads_begin[d];
          int64_t end = std::min(start + (p.kernel[d] - 1) * p.dilations[d] + 1,
                                 in_shape[2 + d] + p.pads_end[d]);
          int64_t n = 0;
          for (int64_t c = start; c < end; c += p.dilations[d]) ++n;
          padded_count *= n;
        }
      }
      for (int64_t w = 0; w < window; ++w) {
        int64_t rest_w = w, flat = 0;
        bool inside = true;
        for (size_t d = rank; d-- > 0;) {
          int64_t k = rest_w % p.kernel[d];
          rest_w /= p.kernel[d];
          coord[d] = pos[d] * p.strides[d] - p.pads_begin[d] + k * p.dilations[d];
          if (coord[d] < 0 || coord[d] >= in_shape[2 + d]) inside = false;
        }
        if (!inside) continue;
        for (size_t d = 0; d < rank; ++d) flat = flat * in_shape[2 + d] + coord[d];
        double v = static_cast<double>(in[plane * in_plane + flat]);
        if (kind == PoolNdKind::Max) {
          if (best < 0 || v > acc) {
            acc = v;
            if (p.column_major_indices) {
              int64_t cm = 0;
              for (size_t d = rank; d-- > 0;) cm = cm * in_shape[2 + d] + coord[d];
              best = cm;
            } else {
              best = flat;
            }
          }
        } else if (kind == PoolNdKind::Average) {
          acc += v;
        } else {
          acc += std::pow(std::abs(v), static_cast<double>(p.p));
        }
        ++counted;
      }
      double result;
      if (kind == PoolNdKind::Max) result = acc;
      else if (kind == PoolNdKind::Average)
        result = counted == 0 ? 0.0 : acc / static_cast<double>(p.count_include_pad ? padded_count : counted);
      else result = std::pow(acc, 1.0 / static_cast<double>(p.p));
      out[plane * out_plane + o] = static_cast<T>(result);
      if (idx) idx[plane * out_plane + o] = plane * in_plane + best;
    }
  }
}

}  // namespace

void pool_nd(PoolNdKind kind, const Tensor& x, const PoolNdParams& params, Tensor& y,
             Tensor* indices) {
  detail::require_defined("pool", "input", x);
  size_t rank = params.kernel.size();
  FLOWONNX_REQUIRE(rank >= 1 && static_cast<size_t>(x.rank()) == rank + 2 &&
                       params.strides.size() == rank && params.pads_begin.size() == rank &&
                       params.pads_end.size() == rank && params.dilations.size() == rank,
                   "pool: input {} does not match a {}-d window", x.describe(), rank);
  FLOWONNX_REQUIRE(y.dtype() == x.dtype() && y.rank() == x.rank(), "pool: output {} for input {}",
                   y.describe(), x.describe());
  switch (x.dtype()) {
    case DType::Float32: return pool_typed<float>(kind, x, params, y, indices);
    case DType::Float64: return pool_typed<double>(kind, x, params, y, indices);
    case DType::UInt8: return pool_typed<uint8_t>(kind, x, params, y, indices);
    case DType::Int8: return pool_typed<int8_t>(kind, x, params, y, indices);
    case DType::Int32: return pool_typed<int32_t>(kind, x, params, y, indices);
    default:
      fail(ErrorCode::InvalidArgument, "pool: dtype of {} is not supported", x.describe());
  }
}

}  // namespace flowonnx::kernels
