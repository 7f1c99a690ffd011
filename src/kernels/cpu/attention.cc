#include "kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/softmax.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

namespace {

constexpr float kMinusInfinity = -std::numeric_limits<float>::infinity();

struct AttentionDims {
  int64_t batch, q_heads, kv_heads, group, q_len, kv_len, head, v_head;
};

AttentionDims validate_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                 const Tensor& bias, const std::vector<int64_t>& kv_lengths,
                                 const Tensor& y, const Tensor* scores) {
  for (const auto& [what, t] :
       {std::pair<const char*, const Tensor*>{"Q", &q}, {"K", &k}, {"V", &v}}) {
    detail::require_dtype("attention", what, *t, DType::Float32);
    FLOWONNX_REQUIRE(t->rank() == 4,
                     "attention: {} must be 4-d [batch, heads, sequence, size], got {}", what,
                     t->describe());
  }
  const Shape &qs = q.shape(), &ks = k.shape(), &vs = v.shape();
  AttentionDims d{qs[0], qs[1], ks[1], 0, qs[2], ks[2], qs[3], vs[3]};
  FLOWONNX_REQUIRE(ks[0] == d.batch && vs[0] == d.batch && vs[1] == d.kv_heads &&
                       vs[2] == d.kv_len && ks[3] == d.head,
                   "attention: Q {}, K {} and V {} do not agree (K's batch and head size must be "
                   "Q's, V's batch, heads and sequence K's)",
                   q.describe(), k.describe(), v.describe());
  FLOWONNX_REQUIRE(d.kv_heads > 0 && d.q_heads % d.kv_heads == 0,
                   "attention: {} query heads are not a multiple of {} key/value heads", d.q_heads,
                   d.kv_heads);
  d.group = d.q_heads / d.kv_heads;
  if (bias.defined()) {
    detail::require_dtype("attention", "bias", bias, DType::Float32);
    const Shape full = {d.batch, d.q_heads, d.q_len, d.kv_len};
    bool fits = bias.rank() == 4 && bias.shape()[3] == d.kv_len;
    for (int i = 0; fits && i < 3; ++i) fits = bias.shape()[i] == 1 || bias.shape()[i] == full[i];
    FLOWONNX_REQUIRE(fits, "attention: bias {} does not broadcast to {} (last dim exactly {})",
                     bias.describe(), shape_to_string(full), d.kv_len);
  }
  FLOWONNX_REQUIRE(kv_lengths.empty() || static_cast<int64_t>(kv_lengths.size()) == d.batch,
                   "attention: {} key lengths for a batch of {}", kv_lengths.size(), d.batch);
  detail::require_output("attention", y, {d.batch, d.q_heads, d.q_len, d.v_head}, DType::Float32,
                         {&q, &k, &v});
  if (scores)
    detail::require_output("attention", *scores, {d.batch, d.q_heads, d.q_len, d.kv_len},
                           DType::Float32, {&q, &k, &v});
  return d;
}

// Keys [0, visible) of query i in batch b survive the causal and padding masks.
int64_t visible_keys(const AttentionDims& d, const std::vector<int64_t>& kv_lengths,
                     const AttentionParams& p, int64_t b, int64_t i) {
  int64_t visible = d.kv_len;
  if (p.is_causal) visible = std::min(visible, i + p.past_length + 1);
  if (!kv_lengths.empty()) visible = std::min(visible, kv_lengths[b]);
  return std::max<int64_t>(visible, 0);
}

// The row of the broadcast bias for (b, h, i), or nullptr without a bias.
const float* bias_row(const Tensor& bias, int64_t b, int64_t h, int64_t i) {
  if (!bias.defined()) return nullptr;
  const Shape& s = bias.shape();
  const int64_t at =
      ((s[0] == 1 ? 0 : b) * s[1] + (s[1] == 1 ? 0 : h)) * s[2] + (s[2] == 1 ? 0 : i);
  return bias.data<float>() + at * s[3];
}

// Turns one row of scale * q.k into attention weights in place, saving the requested
// intermediate into `saved` (nullptr: none).
void finish_row(float* row, int64_t n, const float* bias, int64_t visible, const AttentionParams& p,
                float* saved) {
  auto save = [&](AttentionScores stage) {
    if (saved && p.scores_mode == stage) std::memcpy(saved, row, n * sizeof(float));
  };
  save(AttentionScores::MatMul);
  if (p.softcap > 0) {
    const float cap = static_cast<float>(p.softcap), inverse = 1.0f / cap;
    for (int64_t t = 0; t < n; ++t) row[t] = cap * std::tanh(row[t] * inverse);
  }
  save(AttentionScores::Softcapped);
  if (bias)
    for (int64_t t = 0; t < visible; ++t) row[t] += bias[t];
  std::fill(row + visible, row + n, kMinusInfinity);
  save(AttentionScores::Masked);
  float max_value = kMinusInfinity;
  for (int64_t t = 0; t < n; ++t) max_value = std::max(max_value, row[t]);
  if (max_value == kMinusInfinity)  // every key masked: 0/0 as in the formula
    std::fill(row, row + n, std::numeric_limits<float>::quiet_NaN());
  else
    softmax_row(row, row, n);
  save(AttentionScores::Softmax);
}

// A [rows, cols] window into `t` starting at element `offset` (no copy; `t` must outlive it).
Tensor view(const Tensor& t, int64_t offset, const Shape& shape) {
  float* base = const_cast<float*>(t.data<float>()) + offset;
  return Tensor::borrow(base, shape, DType::Float32, [] {});
}

// Scores one work item materialises: 256 KiB, so they stay in the L2 cache between the QK^T
// product, the row pass and the product with V.
constexpr int64_t kItemScoreFloats = int64_t{1} << 16;

// A work item: pairs [pair, pair + pairs) of (batch, key head) and, of each, the query rows
// [row, row + rows) of the pair's group * Sq rows (all rows when several pairs; else a block).
struct WorkItem {
  int64_t pair, pairs, row, rows;
};

std::vector<WorkItem> split_work(int64_t pairs, int64_t rows, int64_t keys) {
  std::vector<WorkItem> items;
  if (rows * keys <= kItemScoreFloats) {
    const int64_t per_item =
        std::max<int64_t>(kItemScoreFloats / std::max<int64_t>(rows * keys, 1), 1);
    for (int64_t p = 0; p < pairs; p += per_item)
      items.push_back({p, std::min(per_item, pairs - p), 0, rows});
  } else {
    const int64_t block = std::max<int64_t>(kItemScoreFloats / keys, 1);
    for (int64_t p = 0; p < pairs; ++p)
      for (int64_t r = 0; r < rows; r += block)
        items.push_back({p, 1, r, std::min(block, rows - r)});
  }
  return items;
}

}  // namespace

void attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
               const std::vector<int64_t>& kv_lengths, const AttentionParams& params, Tensor& y,
               Tensor* scores) {
  const AttentionDims d = validate_attention(q, k, v, bias, kv_lengths, y, scores);
  if (y.num_elements() == 0 && (!scores || scores->num_elements() == 0)) return;
  if (d.kv_len == 0) {  // no key at all: every query is fully masked
    std::fill_n(y.data<float>(), y.num_elements(), std::numeric_limits<float>::quiet_NaN());
    return;
  }
  // Query heads h = kv * group + g share key head kv, so Q viewed as [B * Hkv, group * Sq, D]
  // lines up with K [B * Hkv, T, D]: each work item is two small batched GEMMs around a row pass,
  // on one thread (oneDNN runs single-threaded inside the parallel loop), its scores in L2.
  const int64_t pairs = d.batch * d.kv_heads, rows = d.group * d.q_len, n = d.kv_len;
  const std::vector<WorkItem> items = split_work(pairs, rows, n);
  const int64_t item_count = static_cast<int64_t>(items.size());
  MatMulParams qk;
  qk.transpose_b = true;
  qk.alpha = params.scale;
  float* saved = scores ? scores->data<float>() : nullptr;
  // About 2 (D + Dv) multiply-adds and one exp per score.
  const int threads =
      std::min<int64_t>(threads_for(pairs * rows * n, 2 * (d.head + d.v_head) + 16), item_count);
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1)
  for (int64_t w = 0; w < item_count; ++w) {
    const WorkItem it = items[w];
    // Keys that every row of a one-pair item has masked (the causal future, padding) take no
    // part: the products stop at the last key any of its rows sees (about half the work of a
    // causal prefill). Not when the scores output wants the raw products of every key.
    int64_t keys = n;
    if (it.pairs == 1 && (!saved || params.scores_mode >= AttentionScores::Masked)) {
      keys = 0;
      for (int64_t row = it.row; row < it.row + it.rows; ++row)
        keys = std::max(keys,
                        visible_keys(d, kv_lengths, params, it.pair / d.kv_heads, row % d.q_len));
      if (keys == 0) keys = n;  // every row fully masked: the full path writes their NaNs
    }
    thread_local std::vector<float> buffer;  // grows to the largest item, reused across calls
    buffer.resize(std::max<size_t>(buffer.size(), it.pairs * it.rows * keys));
    Tensor s = Tensor::borrow(buffer.data(), {it.pairs, it.rows, keys}, DType::Float32, [] {});
    const int64_t first_row = it.pair * rows + it.row;  // in [B * Hkv * group * Sq]
    matmul(view(q, first_row * d.head, {it.pairs, it.rows, d.head}),
           view(k, it.pair * n * d.head, {it.pairs, keys, d.head}), qk, s);
    for (int64_t p = 0; p < it.pairs; ++p)
      for (int64_t r = 0; r < it.rows; ++r) {
        const int64_t pair = it.pair + p, row = it.row + r, b = pair / d.kv_heads;
        const int64_t h = (pair % d.kv_heads) * d.group + row / d.q_len, i = row % d.q_len;
        float* scores_row = buffer.data() + (p * it.rows + r) * keys;
        // The scores output [B, Hq, Sq, T] lists rows in the same order as Q's [B, Hq, Sq].
        float* saved_row = saved ? saved + (pair * rows + row) * n : nullptr;
        finish_row(scores_row, keys, bias_row(bias, b, h, i),
                   visible_keys(d, kv_lengths, params, b, i), params, saved_row);
        if (saved_row && keys < n) {  // the skipped keys: masked, weight 0 (NaN rows stay NaN)
          const float tail = params.scores_mode == AttentionScores::Masked ? kMinusInfinity
                             : std::isnan(scores_row[0])                   ? scores_row[0]
                                                                           : 0.0f;
          std::fill(saved_row + keys, saved_row + n, tail);
        }
      }
    Tensor y_item = view(y, first_row * d.v_head, {it.pairs, it.rows, d.v_head});
    matmul(s, view(v, it.pair * n * d.v_head, {it.pairs, keys, d.v_head}), MatMulParams{}, y_item);
  }
}

void attention_reference(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
                         const std::vector<int64_t>& kv_lengths, const AttentionParams& params,
                         Tensor& y, Tensor* scores) {
  const AttentionDims d = validate_attention(q, k, v, bias, kv_lengths, y, scores);
  const float *pq = q.data<float>(), *pk = k.data<float>(), *pv = v.data<float>();
  float* py = y.data<float>();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> s(d.kv_len), stage[4];
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t h = 0; h < d.q_heads; ++h)
      for (int64_t i = 0; i < d.q_len; ++i) {
        const int64_t kv = h / d.group;
        const float* qi = pq + ((b * d.q_heads + h) * d.q_len + i) * d.head;
        for (int64_t t = 0; t < d.kv_len; ++t) {
          const float* kt = pk + ((b * d.kv_heads + kv) * d.kv_len + t) * d.head;
          double dot = 0;
          for (int64_t c = 0; c < d.head; ++c) dot += double(qi[c]) * kt[c];
          s[t] = params.scale * dot;
        }
        stage[0] = s;
        if (params.softcap > 0)
          for (double& x : s) x = params.softcap * std::tanh(x / params.softcap);
        stage[1] = s;
        for (int64_t t = 0; t < d.kv_len; ++t) {
          if (bias.defined()) {
            const Shape& bs = bias.shape();
            s[t] +=
                bias.data<float>()[(((bs[0] == 1 ? 0 : b) * bs[1] + (bs[1] == 1 ? 0 : h)) * bs[2] +
                                    (bs[2] == 1 ? 0 : i)) *
                                       bs[3] +
                                   t];
          }
          if (params.is_causal && t > i + params.past_length) s[t] = -inf;
          if (!kv_lengths.empty() && t >= kv_lengths[b]) s[t] = -inf;
        }
        stage[2] = s;
        const double max_value = *std::max_element(s.begin(), s.end());
        double sum = 0;
        for (double& x : s) sum += (x = std::exp(x - max_value));
        for (double& x : s) x /= sum;  // all masked: -inf - -inf = NaN, as the formula gives
        stage[3] = s;
        float* yi = py + ((b * d.q_heads + h) * d.q_len + i) * d.v_head;
        for (int64_t c = 0; c < d.v_head; ++c) {
          double acc = 0;
          for (int64_t t = 0; t < d.kv_len; ++t)
            acc += s[t] * pv[((b * d.kv_heads + kv) * d.kv_len + t) * d.v_head + c];
          yi[c] = static_cast<float>(d.kv_len == 0 ? std::nan("") : acc);
        }
        if (scores) {
          float* out = scores->data<float>() + ((b * d.q_heads + h) * d.q_len + i) * d.kv_len;
          const std::vector<double>& kept = stage[static_cast<int>(params.scores_mode)];
          for (int64_t t = 0; t < d.kv_len; ++t) out[t] = static_cast<float>(kept[t]);
        }
      }
}

}  // namespace flowonnx::kernels
