// The transforms of Winograd F(4x4,3x3), F(3x3,3x3) and F(2x2,3x3) on 8-lane AVX2 vectors (one
// vector = 8 channels of one pixel, as in the nChw8c layout), and the weight transforms in double.
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

struct F43 {
  static constexpr const char* kImplementation = "flowonnx:winograd_f43_avx2";
  static constexpr int kAlpha = 6;  // transformed tile side
  static constexpr int kTile = 4;   // output tile side
  static constexpr int kPoints = kAlpha * kAlpha;

  // r = B^T d for one 6-vector (d[k * stride]); written to r[i * out_stride].
  static void input_1d(const __m256* d, int stride, __m256* r, int out_stride) {
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
  static void output_1d(const __m256* m, int stride, __m256* r, int out_stride) {
    const __m256 m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride],
                 m4 = m[4 * stride], m5 = m[5 * stride];
    const __m256 s12 = _mm256_add_ps(m1, m2), d12 = _mm256_sub_ps(m1, m2);
    const __m256 s34 = _mm256_add_ps(m3, m4), d34 = _mm256_sub_ps(m3, m4);
    r[0] = _mm256_add_ps(_mm256_add_ps(m0, s12), s34);
    r[out_stride] = _mm256_fmadd_ps(_mm256_set1_ps(2.f), d34, d12);
    r[2 * out_stride] = _mm256_fmadd_ps(_mm256_set1_ps(4.f), s34, s12);
    r[3 * out_stride] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.f), d34, d12), m5);
  }

  // r = G g for one 3-vector (g[k * stride]), written to r[i * out_stride]; G's rows spelled out
  // (a third of the operations of the general product: weight transform is at session creation).
  template <typename In>
  static void filter_1d(const In* g, int stride, double* r, int out_stride) {
    const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
    const double even = (g0 + g2), quarter = g0 / 24 + g2 / 6;
    r[0] = g0 / 4;
    r[out_stride] = -(even + g1) / 6;
    r[2 * out_stride] = -(even - g1) / 6;
    r[3 * out_stride] = quarter + g1 / 12;
    r[4 * out_stride] = quarter - g1 / 12;
    r[5 * out_stride] = g2;
  }
};

// F(2x2,3x3), alpha = 4 (Lavin & Gray's F(2,3); points 0, +-1, infinity): 16 points per tile
// instead of 36, for 2.25x the multiplications per output of F(4,3) but U only 16/9 of the
// weights (F(4,3): 4x). Exact in the sense that every coefficient is 0, +-1 or 1/2.
//   B^T = [1 0 -1 0;  0 1 1 0;  0 -1 1 0;  0 1 0 -1]
//   G   = [1 0 0;  1/2 1/2 1/2;  1/2 -1/2 1/2;  0 0 1]
//   A^T = [1 1 1 0;  0 1 -1 -1]
struct F23 {
  static constexpr const char* kImplementation = "flowonnx:winograd_f23_avx2";
  static constexpr int kAlpha = 4;
  static constexpr int kTile = 2;
  static constexpr int kPoints = kAlpha * kAlpha;

  static void input_1d(const __m256* d, int stride, __m256* r, int out_stride) {
    const __m256 d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride];
    r[0] = _mm256_sub_ps(d0, d2);
    r[out_stride] = _mm256_add_ps(d1, d2);
    r[2 * out_stride] = _mm256_sub_ps(d2, d1);
    r[3 * out_stride] = _mm256_sub_ps(d1, d3);
  }

  static void output_1d(const __m256* m, int stride, __m256* r, int out_stride) {
    const __m256 m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride];
    r[0] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
    r[out_stride] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
  }

  template <typename In>
  static void filter_1d(const In* g, int stride, double* r, int out_stride) {
    const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
    r[0] = g0;
    r[out_stride] = (g0 + g1 + g2) / 2;
    r[2 * out_stride] = (g0 - g1 + g2) / 2;
    r[3 * out_stride] = g2;
  }
};

// F(3x3,3x3), alpha = 5 (points 0, +-1, 2, infinity; derived as Lavin & Gray do: B^T is the
// inverse transposed of the degree-4 evaluation matrix, G and A^T evaluate the filter and the
// output, B^T's rows scaled to integers): 25 points per 3x3 tile, 2.8 multiplications per output
// against F(2,3)'s 4 and F(4,3)'s 2.25, with U 25/9 of the weights. Entries up to 4 (A) and
// 3 (B), so its error lies between the other two (measured in tests/ops/winograd_conv_test.cc).
//   B^T = [2 -1 -2 1 0;  0 2 1 -1 0;  0 -2 3 -1 0;  0 -1 0 1 0;  0 2 -1 -2 1]
//   G   = [1/2 0 0;  1/2 1/2 1/2;  1/6 -1/6 1/6;  1/6 1/3 2/3;  0 0 1]
//   A^T = [1 1 1 1 0;  0 1 -1 2 0;  0 1 1 4 1]
struct F33 {
  static constexpr const char* kImplementation = "flowonnx:winograd_f33_avx2";
  static constexpr int kAlpha = 5;
  static constexpr int kTile = 3;
  static constexpr int kPoints = kAlpha * kAlpha;

  static void input_1d(const __m256* d, int stride, __m256* r, int out_stride) {
    const __m256 d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride],
                 d4 = d[4 * stride];
    const __m256 two = _mm256_set1_ps(2.f);
    const __m256 d31 = _mm256_sub_ps(d3, d1);
    r[0] = _mm256_fmadd_ps(two, _mm256_sub_ps(d0, d2), d31);         // 2d0-d1-2d2+d3
    r[out_stride] = _mm256_fmadd_ps(two, d1, _mm256_sub_ps(d2, d3));   // 2d1+d2-d3
    r[2 * out_stride] =
        _mm256_fmsub_ps(_mm256_set1_ps(3.f), d2, _mm256_fmadd_ps(two, d1, d3));  // -2d1+3d2-d3
    r[3 * out_stride] = d31;                                                    // -d1+d3
    r[4 * out_stride] = _mm256_fnmadd_ps(two, d31, _mm256_sub_ps(d4, d2));      // 2d1-d2-2d3+d4
  }

  static void output_1d(const __m256* m, int stride, __m256* r, int out_stride) {
    const __m256 m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride],
                 m4 = m[4 * stride];
    const __m256 s12 = _mm256_add_ps(m1, m2);
    r[0] = _mm256_add_ps(_mm256_add_ps(m0, s12), m3);                                 // m0+m1+m2+m3
    r[out_stride] = _mm256_fmadd_ps(_mm256_set1_ps(2.f), m3, _mm256_sub_ps(m1, m2));  // m1-m2+2m3
    r[2 * out_stride] =
        _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(4.f), m3, s12), m4);  // m1+m2+4m3+m4
  }

  template <typename In>
  static void filter_1d(const In* g, int stride, double* r, int out_stride) {
    const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
    r[0] = g0 / 2;
    r[out_stride] = (g0 + g1 + g2) / 2;
    r[2 * out_stride] = (g0 - g1 + g2) / 6;
    r[3 * out_stride] = (g0 + 2 * g1 + 4 * g2) / 6;
    r[4 * out_stride] = g2;
  }
};

// The 2-D transforms of any variant F: its 1-D transform applied to the columns, then to the
// rows of the result.
// v (alpha x alpha, row-major) = B^T d B for an alpha x alpha patch d (row-major).
template <typename F>
inline void input_tile(const __m256 d[F::kPoints], __m256 v[F::kPoints]) {
  __m256 rows[F::kPoints];  // B^T d
  for (int j = 0; j < F::kAlpha; ++j) F::input_1d(d + j, F::kAlpha, rows + j, F::kAlpha);
  for (int i = 0; i < F::kAlpha; ++i) F::input_1d(rows + i * F::kAlpha, 1, v + i * F::kAlpha, 1);
}

// y (tile x tile, row-major) = A^T m A for an alpha x alpha m (row-major).
template <typename F>
inline void output_tile(const __m256 m[F::kPoints], __m256 y[F::kTile * F::kTile]) {
  __m256 rows[F::kTile * F::kAlpha];  // A^T m, tile x alpha
  for (int j = 0; j < F::kAlpha; ++j) F::output_1d(m + j, F::kAlpha, rows + j, F::kAlpha);
  for (int i = 0; i < F::kTile; ++i) F::output_1d(rows + i * F::kAlpha, 1, y + i * F::kTile, 1);
}

// u (alpha x alpha, row-major) = G g G^T for one 3x3 filter g (row-major), in double.
template <typename F>
inline void filter_tile(const float g[9], double u[F::kPoints]) {
  double columns[F::kAlpha * 3];  // G g, alpha x 3
  for (int j = 0; j < 3; ++j) F::filter_1d(g + j, 3, columns + j, 3);
  for (int i = 0; i < F::kAlpha; ++i) F::filter_1d(columns + i * 3, 1, u + i * F::kAlpha, 1);
}

}  // namespace flowonnx::kernels::winograd
