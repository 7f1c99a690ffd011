#include "kernels/cpu/signal.h"

#include <cmath>
#include <numbers>

namespace flowonnx::kernels {

std::vector<double> cosine_window(int64_t size, bool periodic, double a0, double a1, double a2) {
  FLOWONNX_REQUIRE(size >= 0, "window size must not be negative, got {}", size);
  const int64_t denominator = periodic ? size : size - 1;
  std::vector<double> w(static_cast<size_t>(size));
  for (int64_t n = 0; n < size; ++n) {
    const double angle = denominator > 0 ? 2.0 * std::numbers::pi * n / denominator : 0.0;
    w[n] = a0 - a1 * std::cos(angle) + a2 * std::cos(2.0 * angle);
  }
  return w;
}

void dft(const Tensor& in, int64_t length, bool inverse, bool onesided, Tensor& out) {
  FLOWONNX_REQUIRE(in.rank() == 4 && in.shape()[3] == 2 && in.dtype() == DType::Float64,
                   "dft: input must be float64 [outer, n, inner, 2], got {}", in.describe());
  FLOWONNX_REQUIRE(length >= 1, "dft: length must be positive, got {}", length);
  const int64_t outer = in.shape()[0], length_in = in.shape()[1], inner = in.shape()[2];
  const int64_t bins = onesided ? length / 2 + 1 : length;
  FLOWONNX_REQUIRE(out.dtype() == DType::Float64 && out.shape() == Shape({outer, bins, inner, 2}),
                   "dft: output must be float64 [{}, {}, {}, 2], got {}", outer, bins, inner, out.describe());
  // Twiddles e^{-+2 pi i t / length} for t = k n mod length, exact in the index.
  std::vector<double> cos_table(static_cast<size_t>(length)), sin_table(static_cast<size_t>(length));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t t = 0; t < length; ++t) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(length);
    cos_table[t] = std::cos(angle);
    sin_table[t] = sign * std::sin(angle);
  }
  const int64_t used = std::min(length_in, length);  // samples past it are the zero padding
  const double norm = inverse ? 1.0 / static_cast<double>(length) : 1.0;
  const double* x = in.data<double>();
  double* y = out.data<double>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j)
      for (int64_t k = 0; k < bins; ++k) {
        double re = 0.0, im = 0.0;
        for (int64_t n = 0; n < used; ++n) {
          const double* v = x + ((o * length_in + n) * inner + j) * 2;
          const int64_t t = (k * n) % length;
          re += v[0] * cos_table[t] - v[1] * sin_table[t];
          im += v[0] * sin_table[t] + v[1] * cos_table[t];
        }
        double* r = y + ((o * bins + k) * inner + j) * 2;
        r[0] = re * norm;
        r[1] = im * norm;
      }
}

std::vector<double> mel_weight_matrix(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate,
                                      double lower_edge_hertz, double upper_edge_hertz) {
  FLOWONNX_REQUIRE(num_mel_bins >= 1 && dft_length >= 1 && sample_rate >= 1,
                   "MelWeightMatrix: num_mel_bins, dft_length and sample_rate must be positive, got {}, {}, {}",
                   num_mel_bins, dft_length, sample_rate);
  FLOWONNX_REQUIRE(lower_edge_hertz >= 0 && lower_edge_hertz <= upper_edge_hertz,
                   "MelWeightMatrix: need 0 <= lower_edge_hertz <= upper_edge_hertz, got {} and {}",
                   lower_edge_hertz, upper_edge_hertz);
  const int64_t spectrogram_bins = dft_length / 2 + 1;
  auto to_mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  const double low = to_mel(lower_edge_hertz), high = to_mel(upper_edge_hertz);
  const double step = (high - low) / static_cast<double>(num_mel_bins + 2);
  std::vector<int64_t> edges(static_cast<size_t>(num_mel_bins + 2));
  for (int64_t i = 0; i < num_mel_bins + 2; ++i) {
    const double hz = 700.0 * (std::pow(10.0, (i * step + low) / 2595.0) - 1.0);
    edges[i] = static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hz / sample_rate));
    FLOWONNX_REQUIRE(edges[i] >= 0 && edges[i] < spectrogram_bins,
                     "MelWeightMatrix: upper_edge_hertz {} lies past the Nyquist bin of sample_rate {}",
                     upper_edge_hertz, sample_rate);
  }
  std::vector<double> w(static_cast<size_t>(spectrogram_bins * num_mel_bins), 0.0);
  for (int64_t i = 0; i < num_mel_bins; ++i) {
    const int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
    if (center == left) w[center * num_mel_bins + i] = 1.0;
    else
      for (int64_t j = left; j <= center; ++j)
        w[j * num_mel_bins + i] = static_cast<double>(j - left) / static_cast<double>(center - left);
    for (int64_t j = center; j < right; ++j)
      w[j * num_mel_bins + i] = static_cast<double>(right - j) / static_cast<double>(right - center);
  }
  return w;
}

}  // namespace flowonnx::kernels
