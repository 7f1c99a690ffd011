// The naive oracle of conv2d: seven nested loops, accumulation in double.
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_internal.h"

namespace flowonnx::kernels {

void conv2d_reference(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const Conv2dParams& params, Tensor& y) {
  const Shape y_shape = detail::validate_conv2d(x, w, bias, params, y);
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const int64_t out_channels = w.shape()[0], group_channels = w.shape()[1];
  const int64_t kernel_h = w.shape()[2], kernel_w = w.shape()[3];
  const int64_t out_h = y_shape[2], out_w = y_shape[3];
  const int64_t out_per_group = out_channels / params.groups;
  const float* in = x.data<float>();
  const float* weight = w.data<float>();
  const float* bias_data = bias.defined() ? bias.data<float>() : nullptr;
  float* out = y.data<float>();

  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < out_channels; ++o) {
      const int64_t group = o / out_per_group;
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t ow = 0; ow < out_w; ++ow) {
          double sum = bias_data ? bias_data[o] : 0.0;
          for (int64_t c = 0; c < group_channels; ++c) {
            const int64_t ic = group * group_channels + c;
            for (int64_t kh = 0; kh < kernel_h; ++kh) {
              const int64_t ih =
                  oh * params.strides[0] - params.pads_begin[0] + kh * params.dilations[0];
              if (ih < 0 || ih >= height) continue;
              for (int64_t kw = 0; kw < kernel_w; ++kw) {
                const int64_t iw =
                    ow * params.strides[1] - params.pads_begin[1] + kw * params.dilations[1];
                if (iw < 0 || iw >= width) continue;
                sum += double(in[((n * channels + ic) * height + ih) * width + iw]) *
                       weight[((o * group_channels + c) * kernel_h + kh) * kernel_w + kw];
              }
            }
          }
          out[((n * out_channels + o) * out_h + oh) * out_w + ow] = static_cast<float>(sum);
        }
    }
}

}  // namespace flowonnx::kernels
