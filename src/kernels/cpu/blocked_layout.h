// The runtime-internal activation layouts of convolution regions: oneDNN's channel-blocked
// layout (nChw16c on AVX-512, nChw8c otherwise) and channels-last (NHWC). Such a Tensor keeps
// its logical NCHW shape and element count (only channel counts divisible by the block are ever
// blocked, so no padding), but its bytes are in that order; only the kernels below and
// PreparedConv read or write it.
#pragma once

#include <string>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/shape_cache.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

// 16 when oneDNN runs AVX-512 kernels on this CPU, else 8.
int64_t channel_block();
// The instruction set oneDNN dispatches to after ONEDNN_MAX_CPU_ISA, in oneDNN's words
// ("avx2", "avx512_core", "avx512_core_bf16", ...).
std::string onednn_isa_name();
// True when a [N,C,H,W] activation with `channels` channels may be kept blocked.
bool can_block(int64_t channels);

// How the bytes of a rank-4 float32 activation are ordered; its shape stays logical [N,C,H,W]
// and its element count does not change (no padding) in every layout.
enum class ActivationLayout {
  Plain,         // NCHW, what every other kernel and the user see
  Blocked,       // nChw8c / nChw16c (channel_block()), only for can_block(C)
  ChannelsLast,  // NHWC, any channel count
};
const char* layout_name(ActivationLayout layout);  // "plain", "blocked", "channels_last"
// The inverse of layout_name; throws InvalidArgument naming `name` when it is none of them.
ActivationLayout layout_from_name(const std::string& name);

// The layouts a conv with weights [O, C/groups, kH, kW] (strides, dilations, pads and groups
// from `params`) reads and writes. oneDNN has JIT kernels for blocked src and
// dst, for a plain src with few channels (an image stem) into a blocked dst for most kernel
// shapes, and for channels-last src and dst at every channel count (brgconv on AVX-512, jit on
// AVX2); a plain/blocked mix otherwise lands on its reference code, 100-1000x slower
// (MobileNet's 24-channel convs on AVX-512; AVX2 has none for 11x11 stride-4 convs with pads in
// blocked layouts at all). So, the first that oneDNN has a JIT kernel for: blocked when both
// channel counts (and, for grouped convs other than depthwise, the channels per group) can be
// blocked; plain -> blocked for an ungrouped conv with fewer input channels than a block;
// channels-last; else plain NCHW (gemm). The probes ask oneDNN once per distinct conv (cached).
struct ConvLayouts {
  ActivationLayout src = ActivationLayout::Plain, dst = ActivationLayout::Plain;
  bool operator==(const ConvLayouts&) const = default;
};
ConvLayouts conv_layouts(const Shape& weight_shape, const Conv2dParams& params);

// Reorders a rank-4 float32 tensor between two layouts (shapes equal; Blocked needs
// can_block(C)).
class LayoutReorder {
 public:
  LayoutReorder(ActivationLayout from, ActivationLayout to) : from_(from), to_(to) {}
  void run(const Tensor& x, Tensor& y) const;

 private:
  struct Compiled;
  ActivationLayout from_, to_;
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
