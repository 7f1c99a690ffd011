// oneDNN's channel-blocked activation layout (nChw16c on AVX-512, nChw8c otherwise) as a
// runtime-internal tensor format. A "blocked" Tensor keeps its logical NCHW shape and element
// count (only channel counts divisible by the block are ever blocked, so no padding), but its
// bytes are in the blocked order; only the kernels below and PreparedConv read or write it.
#pragma once

#include "kernels/cpu/conv.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/shape_cache.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

// 16 when oneDNN runs AVX-512 kernels on this CPU, else 8.
int64_t channel_block();
// True when a [N,C,H,W] activation with `channels` channels may be kept blocked.
bool can_block(int64_t channels);

// Reorders between plain NCHW and the blocked layout; x and y are rank-4 float32 of equal shape.
class LayoutReorder {
 public:
  explicit LayoutReorder(bool to_blocked) : to_blocked_(to_blocked) {}
  void run(const Tensor& x, Tensor& y) const;

 private:
  struct Compiled;
  bool to_blocked_;
  ShapeCache<std::shared_ptr<Compiled>> cache_;
};

// Max pooling on blocked tensors (no dilation; ceil_mode through the output shape). Our own
// AVX2 loop rather than oneDNN 2.6's primitive: ResNet's 3x3/2 pool after the stem (64x112x112,
// 2 threads) took 0.41-0.44 ms there and 0.25-0.33 ms here.
class BlockedMaxPool {
 public:
  explicit BlockedMaxPool(Pool2dParams params) : params_(params) {}
  Shape output_shape(const Shape& x) const { return pool2d_output_shape(x, params_); }
  void run(const Tensor& x, Tensor& y) const;

 private:
  Pool2dParams params_;
};

}  // namespace flowonnx::kernels
