// The transforms of Winograd F(4x4,3x3) and F(2x2,3x3) on 8-lane AVX2 vectors (one vector = 8
// channels of one pixel, as in the nChw8c layout), and the weight transforms in double.
//
// F(4x4,3x3), alpha = 6 points per axis. Matrices after Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks" (2016), interpolation points 0, +-1, +-2 and infinity — the
// set oneDNN, NNPACK and ncnn use for F(4,3): the largest entries are 8 (A) and 5 (B), which
// keeps the fp32 error near 1e-5 of the output scale (measured in
// tests/ops/winograd_conv_test.cc).
//   B^T = [4  0 -5  0 1 0;  0 -4 -4  1 1 0;  0  4 -4 -1 1 0;
//          0 -2 -1  2 1 0;  0  2 -1 -2 1 0;  0  4  0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0;  0 1 -1 2 -2 0;  0 1 1 4 4 0;  0 1 -1 8 -8 1]
// y (4x4) = A^T [ (G g G^T) .* (B^T d B) ] A for a 6x6 input patch d and a 3x3 filter g.
#pragma once

#include <immintrin.h>

namespace flowonnx::kernels::winograd {

namespace f43 {
constexpr int kAlpha = 6;  // transformed tile side
constexpr int kTile = 4;   // output tile side
constexpr int kPoints = kAlpha * kAlpha;

// r = B^T d for one 6-vector (d[k * stride]); written to r[i * out_stride].
inline void input_1d(const __m256* d, int stride, __m256* r, int out_stride) {
  const __m256 d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride],
               d4 = d[4 * stride], d5 = d[5 * stride];
  const __m256 four = _mm256_set1_ps(4.f), five = _mm256_set1_ps(5.f), two = _mm256_set1_ps(2.f);
  const __m256 t1 = _mm256_fnmadd_ps(four, d2, d4);  // d4 - 4 d2
  const __m256 t2 = _mm256_fnmadd_ps(four, d1, d3);  // d3 - 4 d1
  const __m256 t3 = _mm256_sub_ps(d4, d2);
  const __m256 t4 = _mm256_mul_ps(two, _mm256_sub_ps(d3, d1));
  r[0] = _mm256_fnmadd_ps(five, d2, _mm256_fmadd_ps(four, d0, d4));
  r[out_stride] = _mm256_add_ps(t1, t2);
  r[2 * out_stride] = _mm256_sub_ps(t1, t2);
  r[3 * out_stride] = _mm256_add_ps(t3, t4);
  r[4 * out_stride] = _mm256_sub_ps(t3, t4);
  r[5 * out_stride] = _mm256_fnmadd_ps(five, d3, _mm256_fmadd_ps(four, d1, d5));
}

// r = A^T m for one 6-vector (m[k * stride]); written to r[i * out_stride], i < 4.
inline void output_1d(const __m256* m, int stride, __m256* r, int out_stride) {
  const __m256 m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride],
               m4 = m[4 * stride], m5 = m[5 * stride];
  const __m256 s12 = _mm256_add_ps(m1, m2), d12 = _mm256_sub_ps(m1, m2);
  const __m256 s34 = _mm256_add_ps(m3, m4), d34 = _mm256_sub_ps(m3, m4);
  r[0] = _mm256_add_ps(_mm256_add_ps(m0, s12), s34);
  r[out_stride] = _mm256_fmadd_ps(_mm256_set1_ps(2.f), d34, d12);
  r[2 * out_stride] = _mm256_fmadd_ps(_mm256_set1_ps(4.f), s34, s12);
  r[3 * out_stride] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.f), d34, d12), m5);
}

// v (6x6, row-major) = B^T d B for a 6x6 patch d (row-major).
inline void input_tile(const __m256 d[kPoints], __m256 v[kPoints]) {
  __m256 rows[kPoints];  // B^T d
  for (int j = 0; j < kAlpha; ++j) input_1d(d + j, kAlpha, rows + j, kAlpha);
  for (int i = 0; i < kAlpha; ++i) input_1d(rows + i * kAlpha, 1, v + i * kAlpha, 1);
}

// y (4x4, row-major) = A^T m A for a 6x6 m (row-major).
inline void output_tile(const __m256 m[kPoints], __m256 y[kTile * kTile]) {
  __m256 rows[kTile * kAlpha];  // A^T m, 4x6
  for (int j = 0; j < kAlpha; ++j) output_1d(m + j, kAlpha, rows + j, kAlpha);
  for (int i = 0; i < kTile; ++i) output_1d(rows + i * kAlpha, 1, y + i * kTile, 1);
}

// r = G g for one 3-vector (g[k * stride]), written to r[i * out_stride]; G's rows spelled out
// (a third of the operations of the general product: weight transform is at session creation).
template <typename In>
inline void filter_1d(const In* g, int stride, double* r, int out_stride) {
  const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
  const double even = (g0 + g2), quarter = g0 / 24 + g2 / 6;
  r[0] = g0 / 4;
  r[out_stride] = -(even + g1) / 6;
  r[2 * out_stride] = -(even - g1) / 6;
  r[3 * out_stride] = quarter + g1 / 12;
  r[4 * out_stride] = quarter - g1 / 12;
  r[5 * out_stride] = g2;
}

// u (6x6, row-major) = G g G^T for one 3x3 filter g (row-major), in double.
inline void filter_tile(const float g[9], double u[kPoints]) {
  double columns[kAlpha * 3];  // G g, 6x3
  for (int j = 0; j < 3; ++j) filter_1d(g + j, 3, columns + j, 3);
  for (int i = 0; i < kAlpha; ++i) filter_1d(columns + i * 3, 1, u + i * kAlpha, 1);
}

}  // namespace f43

// F(2x2,3x3), alpha = 4 (Lavin & Gray's F(2,3); points 0, +-1, infinity): 16 points per tile
// instead of 36, for 2.25x the multiplications per output of F(4,3) but U only 16/9 of the
// weights (F(4,3): 4x). Exact in the sense that every coefficient is 0, +-1 or 1/2.
//   B^T = [1 0 -1 0;  0 1 1 0;  0 -1 1 0;  0 1 0 -1]
//   G   = [1 0 0;  1/2 1/2 1/2;  1/2 -1/2 1/2;  0 0 1]
//   A^T = [1 1 1 0;  0 1 -1 -1]
namespace f23 {
constexpr int kAlpha = 4;
constexpr int kTile = 2;
constexpr int kPoints = kAlpha * kAlpha;

inline void input_1d(const __m256* d, int stride, __m256* r, int out_stride) {
  const __m256 d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride];
  r[0] = _mm256_sub_ps(d0, d2);
  r[out_stride] = _mm256_add_ps(d1, d2);
  r[2 * out_stride] = _mm256_sub_ps(d2, d1);
  r[3 * out_stride] = _mm256_sub_ps(d1, d3);
}

inline void output_1d(const __m256* m, int stride, __m256* r, int out_stride) {
  const __m256 m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride];
  r[0] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
  r[out_stride] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
}

inline void input_tile(const __m256 d[kPoints], __m256 v[kPoints]) {
  __m256 rows[kPoints];
  for (int j = 0; j < kAlpha; ++j) input_1d(d + j, kAlpha, rows + j, kAlpha);
  for (int i = 0; i < kAlpha; ++i) input_1d(rows + i * kAlpha, 1, v + i * kAlpha, 1);
}

inline void output_tile(const __m256 m[kPoints], __m256 y[kTile * kTile]) {
  __m256 rows[kTile * kAlpha];
  for (int j = 0; j < kAlpha; ++j) output_1d(m + j, kAlpha, rows + j, kAlpha);
  for (int i = 0; i < kTile; ++i) output_1d(rows + i * kAlpha, 1, y + i * kTile, 1);
}

template <typename In>
inline void filter_1d(const In* g, int stride, double* r, int out_stride) {
  const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
  r[0] = g0;
  r[out_stride] = (g0 + g1 + g2) / 2;
  r[2 * out_stride] = (g0 - g1 + g2) / 2;
  r[3 * out_stride] = g2;
}

inline void filter_tile(const float g[9], double u[kPoints]) {
  double columns[kAlpha * 3];
  for (int j = 0; j < 3; ++j) filter_1d(g + j, 3, columns + j, 3);
  for (int i = 0; i < kAlpha; ++i) filter_1d(columns + i * 3, 1, u + i * kAlpha, 1);
}
}  // namespace f23

// The two variants as types, for the kernel templates.
struct F43 {
  static constexpr int kAlpha = f43::kAlpha, kTile = f43::kTile, kPoints = f43::kPoints;
  static void input_tile(const __m256* d, __m256* v) { f43::input_tile(d, v); }
  static void output_tile(const __m256* m, __m256* y) { f43::output_tile(m, y); }
  static void filter_tile(const float* g, double* u) { f43::filter_tile(g, u); }
};
struct F23 {
  static constexpr int kAlpha = f23::kAlpha, kTile = f23::kTile, kPoints = f23::kPoints;
  static void input_tile(const __m256* d, __m256* v) { f23::input_tile(d, v); }
  static void output_tile(const __m256* m, __m256* y) { f23::output_tile(m, y); }
  static void filter_tile(const float* g, double* u) { f23::filter_tile(g, u); }
};

}  // namespace flowonnx::kernels::winograd
