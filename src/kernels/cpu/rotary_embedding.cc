#include "kernels/cpu/rotary_embedding.h"

#include <cstring>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

void rotary_embedding(const Tensor& x, const Tensor& cos, const Tensor& sin,
                      const std::vector<int64_t>& positions, const RotaryParams& params,
                      Tensor& y) {
  detail::require_dtype("rotary_embedding", "input", x, DType::Float32);
  detail::require_dtype("rotary_embedding", "cos_cache", cos, DType::Float32);
  detail::require_dtype("rotary_embedding", "sin_cache", sin, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() == 4, "rotary_embedding: input {} must be 4-d", x.describe());
  const Shape& s = x.shape();
  const int64_t batch = s[0], heads = params.sequence_major ? s[2] : s[1],
                seq = params.sequence_major ? s[1] : s[2], head = s[3];
  const int64_t rotary = params.rotary_dim, half = rotary / 2;
  FLOWONNX_REQUIRE(rotary > 0 && rotary % 2 == 0 && rotary <= head,
                   "rotary_embedding: rotary_embedding_dim {} must be even and within the head "
                   "size {}",
                   rotary, head);
  FLOWONNX_REQUIRE(cos.shape() == sin.shape(),
                   "rotary_embedding: cos_cache {} and sin_cache {} differ", cos.describe(),
                   sin.describe());
  if (positions.empty()) {
    FLOWONNX_REQUIRE(cos.shape() == (Shape{batch, seq, half}),
                     "rotary_embedding: without position_ids cos_cache {} must be [{}, {}, {}]",
                     cos.describe(), batch, seq, half);
  } else {
    FLOWONNX_REQUIRE(cos.rank() == 2 && cos.shape()[1] == half,
                     "rotary_embedding: with position_ids cos_cache {} must be [max_position, {}]",
                     cos.describe(), half);
    FLOWONNX_REQUIRE(static_cast<int64_t>(positions.size()) == batch * seq,
                     "rotary_embedding: {} position ids for batch {} x sequence {}",
                     positions.size(), batch, seq);
    for (int64_t p : positions)
      FLOWONNX_REQUIRE(p >= 0 && p < cos.shape()[0],
                       "rotary_embedding: position id {} outside the {} cached positions", p,
                       cos.shape()[0]);
  }
  detail::require_output("rotary_embedding", y, s, DType::Float32, {&x, &cos, &sin});
  const float *in = x.data<float>(), *cos_data = cos.data<float>(), *sin_data = sin.data<float>();
  float* out = y.data<float>();
  const int64_t rows = batch * seq * heads;
  const int threads = threads_for(rows * head, 2);
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t r = 0; r < rows; ++r) {
    // r enumerates (b, s, h); the row's offset depends on the layout.
    const int64_t h = r % heads, bs = r / heads, b = bs / seq, t = bs % seq;
    const int64_t offset =
        (params.sequence_major ? (bs * heads + h) : ((b * heads + h) * seq + t)) * head;
    const int64_t table_row = positions.empty() ? bs : positions[bs];
    const float *c = cos_data + table_row * half, *sn = sin_data + table_row * half;
    const float* xi = in + offset;
    float* yi = out + offset;
    for (int64_t i = 0; i < half; ++i) {
      const int64_t i1 = params.interleaved ? 2 * i : i,
                    i2 = params.interleaved ? 2 * i + 1 : i + half;
      const float x1 = xi[i1], x2 = xi[i2];
      yi[i1] = x1 * c[i] - x2 * sn[i];
      yi[i2] = x1 * sn[i] + x2 * c[i];
    }
    std::memcpy(yi + rotary, xi + rotary, (head - rotary) * sizeof(float));
  }
}

}  // namespace flowonnx::kernels
