// Float math on 8-lane AVX2 vectors for the element-wise, softmax and normalisation kernels:
// exp and erf (the libm calls do not vectorise), horizontal sums and maxima, and a loop helper
// that runs a vector function over an array with the tail padded into one more vector (so the
// tail gets the same rounding as the body). The build's baseline is x86-64-v3 (AVX2 + FMA).
//
// Accuracy (checked in tests/ops/vector_math_test.cc against libm over dense ranges):
//   exp_ps  relative error < 2e-7 on [-87, 88.7]; 0 below -87.34 (no denormals), +inf above
//           88.72, NaN stays NaN.
//   erf_ps  absolute error < 5e-7 everywhere (a few ulp of 1, float rounding: the fit itself is
//           within 2e-9), relative error < 5e-7 for |x| < 0.5; +-1 from |x| = 3.92 on.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace flowonnx::kernels::vec {

inline __m256 exp_ps(__m256 x) {
  const __m256 lowest = _mm256_set1_ps(-87.336544f);  // ln(FLT_MIN): below it, 0
  const __m256 highest = _mm256_set1_ps(88.72283f);   // ln(FLT_MAX)
  const __m256 underflow = _mm256_cmp_ps(x, lowest, _CMP_LT_OQ);
  const __m256 overflow = _mm256_cmp_ps(x, highest, _CMP_GT_OQ);
  // max/min return their second operand when one is NaN: NaN goes through.
  x = _mm256_min_ps(highest, _mm256_max_ps(lowest, x));
  // x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two for an exact n ln2).
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  // exp(r) = 1 + r + r^2 p(r), p the Cephes expf minimax polynomial.
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 e_r = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
  // 2^n = 2^half * 2^(n - half) from exponent bits: n is in [-126, 128] and both factors stay
  // normal, so results near FLT_MAX are finite and beyond it +inf.
  const __m256i whole = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(whole, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 scale_a = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 scale_b = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(whole, half), bias), 23));
  const __m256 result = _mm256_mul_ps(_mm256_mul_ps(e_r, scale_a), scale_b);
  return _mm256_blendv_ps(_mm256_andnot_ps(underflow, result),
                          _mm256_set1_ps(__builtin_huge_valf()), overflow);
}

// 1 / (1 + e^-x): e^-x = inf gives 0, no cancellation either way.
inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 erf_ps(__m256 x) {
  // erf(x) = x P(x^2) / Q(x^2) on |x| <= 4 (a weighted least-squares rational fit of degrees 6
  // and 5, scripts/fit_erf_rational.py); +-1 from |x| = 3.92 on, where erf rounds to 1 in float.
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 sign = _mm256_and_ps(x, sign_mask);
  const __m256 absolute = _mm256_andnot_ps(sign_mask, x);
  const __m256 saturated = _mm256_cmp_ps(absolute, _mm256_set1_ps(3.92f), _CMP_GE_OQ);
  // min returns its second operand for NaN: NaN goes through.
  const __m256 z = _mm256_min_ps(_mm256_set1_ps(4.0f), absolute);
  const __m256 u = _mm256_mul_ps(z, z);
  __m256 p = _mm256_set1_ps(-1.3670279130906238e-08f);
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(4.7811868171265814e-06f));
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(3.8272293750196695e-04f));
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(3.8398141041398050e-03f));
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(5.4333824664354324e-02f));
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(1.8471513688564300e-01f));
  p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(1.1283792257308960e+00f));
  __m256 q = _mm256_set1_ps(6.4015664975158870e-05f);
  q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(1.3096805196255445e-03f));
  q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(1.5454174019396305e-02f));
  q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(1.1382881551980972e-01f));
  q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(4.9703308939933777e-01f));
  q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(1.0f));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 magnitude = _mm256_min_ps(one, _mm256_div_ps(_mm256_mul_ps(z, p), q));
  return _mm256_or_ps(_mm256_blendv_ps(magnitude, one, saturated), sign);
}

// Gelu with the exact erf: x / 2 * (1 + erf(x / sqrt 2)).
inline __m256 gelu_ps(__m256 x) {
  const __m256 erf = erf_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
  return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)),
                       _mm256_add_ps(erf, _mm256_set1_ps(1.0f)));
}

inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float horizontal_max(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

inline float horizontal_min(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// Lanes below `count` (< 8) set: the mask of a vector tail.
inline __m256i tail_mask(int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The first `count` (< 8) floats at `p` in a vector, the other lanes `fill`. Masked lanes are
// never read, so `p + count` may be the end of an allocation.
inline __m256 load_partial(const float* p, int64_t count, float fill = 0.0f) {
  const __m256i mask = tail_mask(count);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask),
                          _mm256_castsi256_ps(mask));
}

inline void store_partial(float* p, __m256 v, int64_t count) {
  _mm256_maskstore_ps(p, tail_mask(count), v);
}

// out[i] = fn(in[i]) for i < count, fn mapping __m256 -> __m256 (in and out may be the same).
template <typename Fn>
inline void map_ps(const float* in, float* out, int64_t count, Fn fn) {
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) _mm256_storeu_ps(out + i, fn(_mm256_loadu_ps(in + i)));
  if (i < count) store_partial(out + i, fn(load_partial(in + i, count - i)), count - i);
}

}  // namespace flowonnx::kernels::vec
