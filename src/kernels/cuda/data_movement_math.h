// The per-element index math of the data-movement kernels (data_movement.cu), as inline
// functions that compile for the device under nvcc and for the host elsewhere, so the exact code
// the GPU runs can also be checked on a machine without one.
#pragma once

#include <cstdint>

#include "kernels/cuda/data_movement.h"
#include "kernels/cuda/host_device.h"


namespace flowonnx::cuda::detail {

// Merges dims that are contiguous in both src and dst and drops size-1 dims, so common copies
// run with a small rank (often 1: a plain memcpy). Keeps the copy's meaning.
inline StridedCopy simplify_copy(const StridedCopy& copy) {
  StridedCopy out;
  for (int d = 0; d < copy.rank; ++d) {
    if (copy.dims[d] == 1) continue;  // contributes index 0 whatever its strides
    const int last = out.rank - 1;
    const bool merge = last >= 0 && out.src_wrap[last] == 0 && copy.src_wrap[d] == 0 &&
                       out.src_strides[last] == copy.src_strides[d] * copy.dims[d] &&
                       out.dst_strides[last] == copy.dst_strides[d] * copy.dims[d];
    if (merge) {
      out.dims[last] *= copy.dims[d];
      out.src_strides[last] = copy.src_strides[d];
      out.dst_strides[last] = copy.dst_strides[d];
      continue;
    }
    out.dims[out.rank] = copy.dims[d];
    out.src_strides[out.rank] = copy.src_strides[d];
    out.dst_strides[out.rank] = copy.dst_strides[d];
    out.src_wrap[out.rank] = copy.src_wrap[d];
    ++out.rank;
  }
  return out;
}

// The simplified copy is "swap the last two dims" of a dense [batches, rows, cols] input into a
// dense output: returns true and the three sizes.
inline bool is_last_two_swap(const StridedCopy& p, int64_t& batches, int64_t& rows, int64_t& cols) {
  if (p.rank != 2 && p.rank != 3) return false;
  for (int d = 0; d < p.rank; ++d)
    if (p.src_wrap[d] != 0) return false;
  const int x = p.rank - 2, y = p.rank - 1;  // output dims [.., X, Y] = input dims [.., Y, X]
  const int64_t X = p.dims[x], Y = p.dims[y];
  if (p.dst_strides[y] != 1 || p.dst_strides[x] != Y || p.src_strides[x] != 1 || p.src_strides[y] != X) return false;
  if (p.rank == 3 && (p.dst_strides[0] != X * Y || p.src_strides[0] != X * Y)) return false;
  batches = p.rank == 3 ? p.dims[0] : 1;
  rows = Y;
  cols = X;
  return true;
}

// Source and destination element offsets of element i of a strided copy.
FLOWONNX_HOST_DEVICE inline void copy_offsets(const StridedCopy& p, int64_t i, int64_t& from, int64_t& to) {
  int64_t rest = i;
  from = 0;
  to = 0;
  for (int d = p.rank - 1; d >= 0; --d) {
    const int64_t c = rest % p.dims[d];
    rest /= p.dims[d];
    from += (p.src_wrap[d] > 0 ? c % p.src_wrap[d] : c) * p.src_strides[d];
    to += c * p.dst_strides[d];
  }
}

// Input offset of output element i of a pad; -1 where the constant fills it.
FLOWONNX_HOST_DEVICE inline int64_t pad_source(const PadParams& p, int64_t i) {
  int64_t rest = i, from = 0, stride = 1;
  for (int d = p.rank - 1; d >= 0; --d) {
    const int64_t c = rest % p.out_dims[d];
    rest /= p.out_dims[d];
    const int64_t len = p.in_dims[d];
    int64_t k = c - p.pads_begin[d];
    if (k < 0 || k >= len) {
      if (p.kind == PadKind::Constant) return -1;
      if (p.kind == PadKind::Edge) {
        k = k < 0 ? 0 : len - 1;
      } else if (len == 1) {
        k = 0;
      } else {  // reflect, periodic as the CPU kernel
        const int64_t period = 2 * (len - 1);
        k = ((k % period) + period) % period;
        if (k >= len) k = period - k;
      }
    }
    from += k * stride;
    stride *= len;
  }
  return from;
}

// Which index output element i of a gather uses, viewing the output as [outer, num_indices,
// inner].
FLOWONNX_HOST_DEVICE inline int64_t gather_index_position(int64_t i, int64_t inner, int64_t num_indices) {
  return (i / inner) % num_indices;
}
// The input offset for output element i given that index; -1 when the index is out of range
// after one wrap of negative values.
FLOWONNX_HOST_DEVICE inline int64_t gather_source(int64_t index, int64_t i, int64_t axis_dim, int64_t inner,
                                                  int64_t num_indices) {
  const int64_t within = i % inner;
  const int64_t outer = i / (inner * num_indices);
  if (index < 0) index += axis_dim;
  if (index < 0 || index >= axis_dim) return -1;
  return (outer * axis_dim + index) * inner + within;
}

// Float -> int32 / int64 as the CPU's Cast (tensor/integer_math.h float_to_integer, ONNX Runtime
// on x86-64): truncate toward zero; NaN and out-of-range values give `lowest`, the type's minimum.
template <typename Out, typename In>
FLOWONNX_HOST_DEVICE inline Out float_to_integer(In value, Out lowest) {
  // -lowest (2^31 or 2^63) is the first value past the maximum; both bounds are exact in double.
  const double v = static_cast<double>(value);
  if (!(v > static_cast<double>(lowest) - 1.0 && v < -static_cast<double>(lowest))) return lowest;
  return static_cast<Out>(value);
}

}  // namespace flowonnx::cuda::detail
