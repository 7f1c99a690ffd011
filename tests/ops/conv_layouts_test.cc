// The layouts PreparedConv runs in (kernels::conv_layouts) for every kind of conv at channel
// counts that divide the channel block and counts that do not (AVX-512 blocks by 16, AVX2 by 8;
// ctest runs this binary again with ONEDNN_MAX_CPU_ISA=AVX2): oneDNN never falls back to its
// reference code ("ref:any", 100-1000x slower), and the result matches conv2d_reference.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv_prepared.h"
#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;

struct Kind {
  const char* name;
  int64_t kernel, stride, pad;
  bool depthwise;
  int64_t channels_per_group;  // 0: ungrouped
};

const Kind kKinds[] = {
    {"1x1", 1, 1, 0, false, 0},
    {"3x3", 3, 1, 1, false, 0},
    {"3x3 stride 2", 3, 2, 1, false, 0},
    {"depthwise 3x3", 3, 1, 1, true, 0},
    {"depthwise 5x5 stride 2", 5, 2, 2, true, 0},
    {"grouped 3x3, 4 per group", 3, 1, 1, false, 4},
    {"grouped 3x3, 8 per group", 3, 1, 1, false, 8},
    {"7x7 stride 2", 7, 2, 3, false, 0},
    {"11x11 stride 4 pad 2", 11, 4, 2, false, 0},
};

Tensor relayout(const Tensor& x, ActivationLayout from, ActivationLayout to) {
  if (from == to) return x;
  Tensor y(x.shape(), DType::Float32);
  LayoutReorder(from, to).run(x, y);
  return y;
}

TEST(ConvLayouts, NoReferenceKernelAtAnyChannelCount) {
  Generator gen(11);
  int checked = 0;
  for (const Kind& kind : kKinds) {
    for (int64_t in_channels : {1, 3, 8, 12, 16, 24, 40, 58, 64, 72, 116}) {
      for (int64_t out_channels : {8, 16, 24, 32, 40, 72, 144}) {
        int64_t groups = 1;
        if (kind.depthwise) {
          if (out_channels != in_channels && out_channels != 144) continue;
          groups = in_channels;
          if (out_channels == 144) continue;  // depthwise: out = in only
        } else if (kind.channels_per_group) {
          if (in_channels % kind.channels_per_group ||
              out_channels % (in_channels / kind.channels_per_group))
            continue;
          groups = in_channels / kind.channels_per_group;
        }
        if (kind.depthwise) out_channels = in_channels;
        const std::string what = fmt::format("{}: {} -> {} channels, groups {}", kind.name,
                                             in_channels, out_channels, groups);
        SCOPED_TRACE(what);
        Conv2dParams params;
        params.strides = {kind.stride, kind.stride};
        params.pads_begin = params.pads_end = {kind.pad, kind.pad};
        params.groups = groups;
        // Scaled so outputs are about N(0, 1) whatever the fan-in.
        Tensor weights = randn({out_channels, in_channels / groups, kind.kernel, kind.kernel}, gen);
        const float scale =
            1.0f / std::sqrt(float(in_channels / groups * kind.kernel * kind.kernel));
        for (int64_t i = 0; i < weights.num_elements(); ++i) weights.data<float>()[i] *= scale;
        const Tensor bias = randn({out_channels}, gen);
        // Direct: the layouts are the subject here (Winograd rounds differently, tested apart).
        PreparedConv conv(weights, bias, groups, {}, ConvAlgorithm::Direct, params);
        const Tensor x = randn({1, in_channels, 23, 19}, gen);
        const std::string implementation = conv.implementation(x.shape(), params);
        EXPECT_FALSE(implementation.starts_with("ref"))
            << implementation << " in layouts " << layout_name(conv.src_layout()) << " -> "
            << layout_name(conv.dst_layout());
        const Shape out = conv.output_shape(x.shape(), params);
        Tensor y(out, DType::Float32), want(out, DType::Float32);
        conv.run(relayout(x, ActivationLayout::Plain, conv.src_layout()), params, nullptr, y);
        conv2d_reference(x, weights, bias, params, want);
        EXPECT_TRUE(
            all_close(relayout(y, conv.dst_layout(), ActivationLayout::Plain), want, 1e-4, 1e-5));
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

// Every pair of layouts reorders both ways without changing a value.
TEST(ConvLayouts, ReordersRoundTripBetweenEveryLayout) {
  Generator gen(12);
  const ActivationLayout layouts[] = {ActivationLayout::Plain, ActivationLayout::Blocked,
                                      ActivationLayout::ChannelsLast};
  for (int64_t channels : {channel_block(), 3 * channel_block()}) {
    const Tensor x = randn({2, channels, 5, 7}, gen);
    for (ActivationLayout a : layouts)
      for (ActivationLayout b : layouts) {
        SCOPED_TRACE(
            fmt::format("{} -> {}, {} channels", layout_name(a), layout_name(b), channels));
        const Tensor there = relayout(relayout(x, ActivationLayout::Plain, a), a, b);
        EXPECT_TRUE(flowonnx::testing::all_equal(relayout(there, b, ActivationLayout::Plain), x));
      }
  }
  EXPECT_EQ(layout_from_name("channels_last"), ActivationLayout::ChannelsLast);
  flowonnx::testing::expect_error([] { layout_from_name("nhwc"); }, ErrorCode::InvalidArgument,
                                  "unknown activation layout 'nhwc'");
}

}  // namespace
}  // namespace flowonnx::kernels
