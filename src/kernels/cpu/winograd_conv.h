// Our own Winograd F(4x4,3x3), F(3x3,3x3) and F(2x2,3x3) convolution for AVX2+FMA CPUs, where
// oneDNN 2.6 has none (its Winograd kernels need AVX-512). 3x3, stride 1, dilation 1, groups 1,
// any padding; C and O multiples of 8; src, dst and the residual in the nChw8c layout
// (blocked_layout.h with a channel block of 8). Fused epilogue as ConvPostOps:
// y = post(sum + pre(conv + bias)). PreparedConv picks it for
// ConvAlgorithm::WinogradWhereAvailable (see winograd_output_tile).
#pragma once

#include <memory>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_prepared.h"
#include "kernels/cpu/huge_page_buffer.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

class WinogradConv {
 public:
  // True when the kernel can compute this conv (weights [O,C,kH,kW], groups, params).
  static bool supports(const Shape& weights, int64_t groups, const Conv2dParams& params);

  // Transforms the weights [O,C,3,3] once (U = G g G^T: 4x their size for output tile 4,
  // F(4x4,3x3), 25/9 for tile 3, F(3x3,3x3), 16/9 for tile 2, F(2x2,3x3)); bias [O] or undefined
  // is copied. Neither tensor is referenced afterwards.
  WinogradConv(const Tensor& weights, const Tensor& bias, ConvPostOps post_ops,
               int output_tile = 4);

  int output_tile() const { return output_tile_; }
  // "flowonnx:winograd_f43_avx2", "flowonnx:winograd_f33_avx2" or "flowonnx:winograd_f23_avx2".
  const char* implementation() const;
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }

  // x [N,C,H,W] and y [N,O,outH,outW] (preallocated) in nChw8c; `sum` (iff post_ops.with_sum)
  // has y's shape and layout and may be y itself. Safe to call from several threads at once.
  void run(const Tensor& x, const Conv2dParams& params, const Tensor* sum, Tensor& y) const;

 private:
  int output_tile_;
  int64_t in_channels_, out_channels_;
  std::unique_ptr<HugePageBuffer> transformed_;  // U, see winograd_conv.cc for the layout
  std::unique_ptr<float[]> bias_;                // O floats, zeros when there is no bias
  ConvPostOps post_ops_;
};

// The output tile (4, 3 or 2) of the variant that runs this shape fastest on the machines we
// measured, or 0 where oneDNN's direct conv beats both (rule and numbers in winograd_conv.cc).
int winograd_output_tile(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t out_h,
                         int64_t out_w);

}  // namespace flowonnx::kernels
