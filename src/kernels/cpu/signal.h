// Signal processing: the cosine-sum windows, the discrete Fourier transform and the mel filter
// bank of ONNX opset 17 (HannWindow, HammingWindow, BlackmanWindow, DFT, MelWeightMatrix).
// Computed in double; callers convert to the requested dtype.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// w[n] = a0 - a1 cos(2 pi n / D) + a2 cos(4 pi n / D), n < size, D = size when periodic else
// size - 1 (a 1-sample symmetric window is [a0 - a1 + a2]).
std::vector<double> cosine_window(int64_t size, bool periodic, double a0, double a1, double a2);

// DFT of complex lines: in [outer, length_in, inner, 2] (re, im) -> out [outer, length_out,
// inner, 2], transforming along the middle dim with `length` points (input zero-padded or
// truncated to it). inverse: e^{+i..} and 1/length; onesided keeps the first length / 2 + 1
// bins. out must be float64 of that shape.
void dft(const Tensor& in, int64_t length, bool inverse, bool onesided, Tensor& out);

// The triangular mel filter bank [dft_length / 2 + 1, num_mel_bins] as ONNX's reference
// defines it (bin edges floored to spectrogram bins).
std::vector<double> mel_weight_matrix(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate,
                                      double lower_edge_hertz, double upper_edge_hertz);

}  // namespace flowonnx::kernels
