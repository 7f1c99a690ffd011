// A convolution prepared once and run many times: weights (and bias) are fixed at construction,
// bias/activation/residual-add are fused as oneDNN post-ops, and each input geometry gets its
// oneDNN primitive and its weights reordered into the primitive's layout once (cached by shape).
// Activations are in the layouts conv_layouts() picks for its channel counts (blocked_layout.h):
// blocked, plain -> blocked (an image stem) or channels-last.
// After the first geometry is prepared, release_weights() drops the original weights: later
// geometries reuse the packed weights (or reorder them, never the original) or our Winograd
// kernel's transformed copy, so a session holds each conv weight once.
#pragma once

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/shape_cache.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

class WinogradConv;

struct ConvActivation {
  // Swish is x * sigmoid(x) (SiLU: EfficientNet, RegNet), HardSwish x * clip(x / 6 + 1/2, 0, 1)
  // (MobileNet v3).
  enum class Kind { None, Relu, Clip, Sigmoid, Swish, HardSwish };
  Kind kind = Kind::None;
  float min = 0, max = 0;  // Clip bounds
};

// y = post(sum_input + pre(conv(x, w) + bias)); `with_sum` false leaves out the residual.
struct ConvPostOps {
  ConvActivation pre;
  bool with_sum = false;
  ConvActivation post;
};

enum class ConvAlgorithm {
  Direct,
  // Winograd for 3x3 stride-1 convs with blocked layouts: oneDNN's where it has a kernel
  // (AVX-512), else ours (winograd_conv.h, AVX2, where it measured faster); direct elsewhere.
  WinogradWhereAvailable,
};

class PreparedConv {
 public:
  // weights [O, C/groups, kH, kW]; bias [O] or undefined. Both are kept (shared, not copied)
  // until release_weights().
  // `layout_params` (strides, dilations, pads; its groups are ignored) choose the layouts
  // (conv_layouts); run() may still take other ones.
  PreparedConv(Tensor weights, Tensor bias, int64_t groups, ConvPostOps post_ops,
               ConvAlgorithm algorithm, Conv2dParams layout_params = {});

  const Shape& weight_shape() const { return weight_shape_; }
  int64_t in_channels() const { return weight_shape_[1] * groups_; }
  int64_t out_channels() const { return weight_shape_[0]; }
  // The layouts of x (and y, and the residual) in run(): conv_layouts() of its channels.
  ActivationLayout src_layout() const { return layouts_.src; }
  ActivationLayout dst_layout() const { return layouts_.dst; }
  // Strides/dilations/pads in `params`; params.groups is taken from the constructor.
  Shape output_shape(const Shape& x, Conv2dParams params) const;
  // Builds (and caches) the primitive for this geometry ahead of the first run.
  void prepare(const Shape& x, const Conv2dParams& params) const;
  // y is preallocated with output_shape(); `sum` (required iff with_sum) has y's shape and
  // layout and may be y itself (then the residual is accumulated in place).
  void run(const Tensor& x, const Conv2dParams& params, const Tensor* sum, Tensor& y) const;
  // The implementation chosen for a geometry ("jit:avx2", "jit_wino_4x3:...",
  // "flowonnx:winograd_f43_avx2", "flowonnx:winograd_f33_avx2", "flowonnx:winograd_f23_avx2").
  std::string implementation(const Shape& x, const Conv2dParams& params) const;
  // Drops the reference to the original weights once a prepared geometry holds them in a form
  // every later geometry can be built from: oneDNN's packed (blocked) weights, or our Winograd
  // kernel's U (then every geometry runs on it, as its params are fixed). Returns whether they
  // were dropped (false before any prepare(), or when only oneDNN's Winograd format holds them,
  // which cannot be reordered back). Call before the conv is shared between threads.
  bool release_weights();
  bool holds_original_weights() const { return weights_.defined(); }

 private:
  struct Compiled;
  const Compiled& compiled_for(const Shape& x, Conv2dParams params) const;
  // Our Winograd kernel: built with `output_tile` (4 or 2) by the first geometry that asks, then
  // shared by every geometry that runs on it (later ones never build a second).
  std::shared_ptr<const WinogradConv> winograd_kernel(int output_tile) const;
  // The weights in plain [O,C/groups,kH,kW]: the original, or reordered from packed_.
  Tensor plain_weights() const;
  Shape weight_shape_;
  Tensor weights_, bias_;
  int64_t groups_;
  ConvLayouts layouts_;
  ConvPostOps post_ops_;
  ConvAlgorithm algorithm_;
  ShapeCache<std::shared_ptr<Compiled>> cache_;
  // Our Winograd kernel (transformed weights), built for the first geometry that uses it and
  // shared by all; written only under cache_'s lock.
  mutable std::shared_ptr<const WinogradConv> winograd_;
  // The first geometry whose oneDNN weights are in a blocked (reorderable) layout; geometries
  // whose primitive wants the same layout share its weights, others reorder from them. Written
  // only under cache_'s lock.
  mutable std::shared_ptr<const Compiled> packed_;
};

}  // namespace flowonnx::kernels
