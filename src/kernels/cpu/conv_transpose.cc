#include "kernels/cpu/conv_transpose.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

ConvTransposeParams ConvTransposeParams::defaults(size_t spatial_rank) {
  ConvTransposeParams p;
  p.strides.assign(spatial_rank, 1);
  p.dilations.assign(spatial_rank, 1);
  p.pads_begin.assign(spatial_rank, 0);
  p.pads_end.assign(spatial_rank, 0);
  p.output_padding.assign(spatial_rank, 0);
  return p;
}

std::string ConvTransposeParams::to_string() const {
  return fmt::format("strides={} dilations={} pads_begin={} pads_end={} output_padding={} groups={}",
                     shape_to_string(strides), shape_to_string(dilations),
                     shape_to_string(pads_begin), shape_to_string(pads_end),
                     shape_to_string(output_padding), groups);
}

Shape conv_transpose_output_shape(const Shape& x, const Shape& w, const ConvTransposeParams& p) {
  const std::string xs = shape_to_string(x), ws = shape_to_string(w);
  FLOWONNX_REQUIRE(x.size() >= 3 && x.size() <= 5,
                   "conv_transpose: input {} must be [N,C,d1..dk] with k = 1..3", xs);
  FLOWONNX_REQUIRE(w.size() == x.size(),
                   "conv_transpose: weight {} must have the input {}'s rank {} ([C_in, C_out/group, "
                   "k...])",
                   ws, xs, x.size());
  num_elements(x);  // refuses negative dims
  num_elements(w);
  const size_t rank = x.size() - 2;
  FLOWONNX_REQUIRE(p.groups >= 1, "conv_transpose: group {} must be >= 1", p.groups);
  FLOWONNX_REQUIRE(x[1] == w[0],
                   "conv_transpose: input {} has {} channels but weight {} expects {} (weight is "
                   "[C_in, C_out/group, k...])",
                   xs, x[1], ws, w[0]);
  FLOWONNX_REQUIRE(w[0] % p.groups == 0,
                   "conv_transpose: weight {} has {} input channels, not divisible by group {}", ws,
                   w[0], p.groups);
  for (const auto* values : {&p.strides, &p.dilations, &p.pads_begin, &p.pads_end, &p.output_padding})
    FLOWONNX_REQUIRE(values->size() == rank,
                     "conv_transpose: {} has {} values for the {} spatial dims of input {} ({})",
                     shape_to_string(*values), values->size(), rank, xs, p.to_string());
  Shape y = {x[0], w[1] * p.groups};
  for (size_t d = 0; d < rank; ++d) {
    const int64_t stride = p.strides[d], dilation = p.dilations[d], adj = p.output_padding[d];
    FLOWONNX_REQUIRE(stride >= 1 && dilation >= 1 && w[2 + d] >= 1,
                     "conv_transpose: strides, dilations and kernel dims must be >= 1 (input {}, "
                     "weight {}, {})",
                     xs, ws, p.to_string());
    FLOWONNX_REQUIRE(adj >= 0 && (adj < stride || adj < dilation),
                     "conv_transpose: output_padding {} in dim {} must be >= 0 and less than its "
                     "stride {} or dilation {}",
                     adj, d, stride, dilation);
    const int64_t out = (x[2 + d] - 1) * stride - p.pads_begin[d] - p.pads_end[d] +
                        dilation * (w[2 + d] - 1) + adj + 1;
    FLOWONNX_REQUIRE(out >= 1, "conv_transpose: input {} with weight {} and {} gives output dim {} "
                     "= {}", xs, ws, p.to_string(), d, out);
    y.push_back(out);
  }
  return y;
}

Shape validate_conv_transpose(const Tensor& x, const Tensor& w, const Tensor& bias,
                              const ConvTransposeParams& params, const Tensor& y) {
  detail::require_dtype("conv_transpose", "input", x, DType::Float32);
  detail::require_dtype("conv_transpose", "weight", w, DType::Float32);
  const Shape out = conv_transpose_output_shape(x.shape(), w.shape(), params);
  if (bias.defined()) {
    detail::require_dtype("conv_transpose", "bias", bias, DType::Float32);
    FLOWONNX_REQUIRE(bias.shape() == Shape{out[1]},
                     "conv_transpose: bias {} must be [{}] for {} output channels (weight {}, "
                     "group {})",
                     bias.describe(), out[1], out[1], w.describe(), params.groups);
  }
  detail::require_output("conv_transpose", y, out, DType::Float32, {&x, &w, &bias});
  return out;
}

// Every input pixel scatters its weighted kernel into the output; the spatial dims are lifted to
// three (leading 1s), so one loop serves 1-d, 2-d and 3-d.
void conv_transpose_reference(const Tensor& x, const Tensor& w, const Tensor& bias,
                              const ConvTransposeParams& p, Tensor& y) {
  const Shape out_shape = validate_conv_transpose(x, w, bias, p, y);
  const size_t lift = 5 - x.rank();
  auto lifted = [&](const Shape& shape) {
    std::array<int64_t, 3> s{1, 1, 1};
    std::copy(shape.begin() + 2, shape.end(), s.begin() + lift);
    return s;
  };
  auto lifted_params = [&](const std::vector<int64_t>& v, int64_t fill) {
    std::array<int64_t, 3> s{fill, fill, fill};
    std::copy(v.begin(), v.end(), s.begin() + lift);
    return s;
  };
  const std::array<int64_t, 3> in = lifted(x.shape()), k = lifted(w.shape()), o = lifted(out_shape);
  const std::array<int64_t, 3> stride = lifted_params(p.strides, 1),
                               dilation = lifted_params(p.dilations, 1),
                               pad = lifted_params(p.pads_begin, 0);
  const int64_t batch = x.dim(0), in_channels = x.dim(1), out_channels = out_shape[1];
  const int64_t out_per_group = w.dim(1), in_per_group = in_channels / p.groups;
  const int64_t in_size = in[0] * in[1] * in[2], k_size = k[0] * k[1] * k[2],
                out_size = o[0] * o[1] * o[2];
  const float* src = x.data<float>();
  const float* weight = w.data<float>();
  float* dst = y.data<float>();
#pragma omp parallel for collapse(2) if (batch * out_channels > 1)
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oc = 0; oc < out_channels; ++oc) {
      const int64_t group = oc / out_per_group, within = oc % out_per_group;
      std::vector<double> plane(static_cast<size_t>(out_size), bias.defined() ? bias.data<float>()[oc] : 0.0);
      for (int64_t c = group * in_per_group; c < (group + 1) * in_per_group; ++c) {
        const float* image = src + (n * in_channels + c) * in_size;
        const float* kernel = weight + (c * out_per_group + within) * k_size;
        for (int64_t i0 = 0; i0 < in[0]; ++i0)
          for (int64_t k0 = 0; k0 < k[0]; ++k0) {
            const int64_t o0 = i0 * stride[0] - pad[0] + k0 * dilation[0];
            if (o0 < 0 || o0 >= o[0]) continue;
            for (int64_t i1 = 0; i1 < in[1]; ++i1)
              for (int64_t k1 = 0; k1 < k[1]; ++k1) {
                const int64_t o1 = i1 * stride[1] - pad[1] + k1 * dilation[1];
                if (o1 < 0 || o1 >= o[1]) continue;
                for (int64_t i2 = 0; i2 < in[2]; ++i2) {
                  const double v = image[(i0 * in[1] + i1) * in[2] + i2];
                  for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                    const int64_t o2 = i2 * stride[2] - pad[2] + k2 * dilation[2];
                    if (o2 >= 0 && o2 < o[2])
                      plane[(o0 * o[1] + o1) * o[2] + o2] += v * kernel[(k0 * k[1] + k1) * k[2] + k2];
                  }
                }
              }
          }
      }
      float* plane_out = dst + (n * out_channels + oc) * out_size;
      for (int64_t i = 0; i < out_size; ++i) plane_out[i] = static_cast<float>(plane[i]);
    }
}

ConvTransposeParams to_nd(const ConvTranspose2dParams& p) {
  ConvTransposeParams nd;
  auto vec = [](const std::array<int64_t, 2>& a) { return std::vector<int64_t>(a.begin(), a.end()); };
  nd.strides = vec(p.strides);
  nd.dilations = vec(p.dilations);
  nd.pads_begin = vec(p.pads_begin);
  nd.pads_end = vec(p.pads_end);
  nd.output_padding = vec(p.output_padding);
  nd.groups = p.groups;
  return nd;
}

Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dParams& p) {
  FLOWONNX_REQUIRE(x.size() == 4 && w.size() == 4,
                   "conv_transpose2d: input {} and weight {} must both be rank 4",
                   shape_to_string(x), shape_to_string(w));
  for (int i = 0; i < 2; ++i)
    FLOWONNX_REQUIRE(p.pads_begin[i] >= 0 && p.pads_end[i] >= 0,
                     "conv_transpose2d: pads must not be negative, got {}", to_nd(p).to_string());
  return conv_transpose_output_shape(x, w, to_nd(p));
}

void conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const ConvTranspose2dParams& params, Tensor& y) {
  conv_transpose2d_output_shape(x.shape(), w.shape(), params);
  conv_transpose_reference(x, w, bias, to_nd(params), y);
}

}  // namespace flowonnx::kernels
