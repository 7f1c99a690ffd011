// Device data movement for the CUDA provider's tensor ops: one strided N-d copy (Transpose, Slice,
// Split, Concat, Expand, Tile are all "for every output index, read the input at an affine
// address"), plus padding, gather along an axis and dtype casts. Elements move by size (1, 2, 4
// or 8 bytes), so one kernel serves every dtype. All work is enqueued on `stream`; nothing here
// synchronises. Plain header: no CUDA syntax.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace flowonnx::cuda {

inline constexpr int kMaxCopyRank = 8;

// For every index c of `dims` (C order):
//   dst[sum_d c_d * dst_strides[d]] = src[sum_d s_d * src_strides[d]]
// with s_d = c_d, or c_d % src_wrap[d] where src_wrap[d] > 0 (Tile). Strides are in elements and
// may be negative (Slice with negative steps) or 0 (Expand); the caller offsets the pointers.
struct StridedCopy {
  int rank = 0;
  int64_t dims[kMaxCopyRank] = {};
  int64_t src_strides[kMaxCopyRank] = {};
  int64_t dst_strides[kMaxCopyRank] = {};
  int64_t src_wrap[kMaxCopyRank] = {};
};

// Enqueues the copy; throws (check_cuda) on a launch error. element_size: 1, 2, 4 or 8; rank <=
// kMaxCopyRank. Does nothing when dims hold no element.
void strided_copy(const void* src, void* dst, size_t element_size, const StridedCopy& copy,
                  cudaStream_t stream);

enum class PadKind { Constant, Reflect, Edge };

// y (dense, out_dims) from x (dense, in_dims): input coordinate c_d - pads_begin[d]; outside the
// input: `constant_bits` (the fill value's bytes, element_size of them), the edge, or the
// reflection (period 2 * (n - 1), as the CPU kernel). Reflect/Edge need every in_dims[d] > 0.
struct PadParams {
  int rank = 0;
  int64_t in_dims[kMaxCopyRank] = {};
  int64_t out_dims[kMaxCopyRank] = {};
  int64_t pads_begin[kMaxCopyRank] = {};
  PadKind kind = PadKind::Constant;
  uint64_t constant_bits = 0;
};
void pad(const void* x, void* y, size_t element_size, const PadParams& params, cudaStream_t stream);

// y[o, k, i] = x[o, idx[k], i] with x viewed as [outer, axis_dim, inner] and idx from `indices`
// (int64 when indices_are_int64, else int32), negative values wrapping once. An index still out
// of range gives zeros (the device cannot raise; the CPU provider throws instead).
void gather(const void* x, const void* indices, bool indices_are_int64, void* y, size_t element_size,
            int64_t outer, int64_t axis_dim, int64_t inner, int64_t num_indices, cudaStream_t stream);

// Element-wise dtype conversions with the CPU Cast's rules: integer -> float32 rounds to nearest;
// float32 -> integer truncates toward zero, NaN and values beyond the integer range give the
// integer minimum (as ONNX Runtime on x86-64; tensor/integer_math.h).
enum class CastKind { Int64ToFloat, Int32ToFloat, FloatToInt64, FloatToInt32 };
void cast(const void* x, void* y, int64_t n, CastKind kind, cudaStream_t stream);

}  // namespace flowonnx::cuda
