#include "kernels/cpu/tfidf.h"

#include <algorithm>

namespace flowonnx::kernels {

TfIdfParams make_tfidf_params(int64_t min_gram_length, int64_t max_gram_length, int64_t max_skip_count,
                              TfIdfMode mode, const std::vector<int64_t>& ngram_counts,
                              const std::vector<int64_t>& ngram_indexes, const std::vector<int64_t>& pool,
                              const std::vector<float>& weights) {
  FLOWONNX_REQUIRE(min_gram_length >= 1 && min_gram_length <= max_gram_length && max_skip_count >= 0,
                   "TfIdfVectorizer: need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0, "
                   "got {}, {}, {}", min_gram_length, max_gram_length, max_skip_count);
  FLOWONNX_REQUIRE(static_cast<int64_t>(ngram_counts.size()) <= max_gram_length,
                   "TfIdfVectorizer: ngram_counts has {} entries for max_gram_length {}", ngram_counts.size(),
                   max_gram_length);
  TfIdfParams p;
  p.min_gram_length = min_gram_length;
  p.max_gram_length = max_gram_length;
  p.max_skip_count = max_skip_count;
  p.mode = mode;
  const int64_t pool_size = static_cast<int64_t>(pool.size());
  size_t next_index = 0;
  for (size_t n = 0; n < ngram_counts.size(); ++n) {
    const int64_t begin = ngram_counts[n];
    const int64_t end = n + 1 < ngram_counts.size() ? ngram_counts[n + 1] : pool_size;
    const int64_t length = static_cast<int64_t>(n) + 1;
    FLOWONNX_REQUIRE(begin >= 0 && begin <= end && end <= pool_size && (end - begin) % length == 0,
                     "TfIdfVectorizer: ngram_counts {} does not split a pool of {} into {}-grams", begin,
                     pool_size, length);
    for (int64_t at = begin; at < end; at += length) {
      FLOWONNX_REQUIRE(next_index < ngram_indexes.size(), "TfIdfVectorizer: ngram_indexes has {} entries, the "
                       "pool holds more n-grams", ngram_indexes.size());
      const int64_t column = ngram_indexes[next_index++];
      FLOWONNX_REQUIRE(column >= 0 && column < (int64_t{1} << 24), "TfIdfVectorizer: ngram index {} out of range",
                       column);
      p.ngrams[std::vector<int64_t>(pool.begin() + at, pool.begin() + at + length)] = column;
      p.columns = std::max(p.columns, column + 1);
    }
  }
  FLOWONNX_REQUIRE(next_index == ngram_indexes.size(), "TfIdfVectorizer: ngram_indexes has {} entries for {} "
                   "n-grams", ngram_indexes.size(), next_index);
  FLOWONNX_REQUIRE(weights.empty() || weights.size() == ngram_indexes.size(),
                   "TfIdfVectorizer: weights has {} entries for {} n-grams", weights.size(), ngram_indexes.size());
  if (!weights.empty()) {
    p.weights.assign(static_cast<size_t>(p.columns), 1.0f);
    for (size_t i = 0; i < weights.size(); ++i) p.weights[ngram_indexes[i]] = weights[i];
  }
  return p;
}

void tfidf_vectorize(const Tensor& x, const TfIdfParams& p, Tensor& y) {
  FLOWONNX_REQUIRE((x.dtype() == DType::Int32 || x.dtype() == DType::Int64) && (x.rank() == 1 || x.rank() == 2),
                   "TfIdfVectorizer: input must be int32 or int64 [C] or [N, C], got {}", x.describe());
  const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1, length = x.shape().back();
  Shape out = x.rank() == 2 ? Shape{rows, p.columns} : Shape{p.columns};
  FLOWONNX_REQUIRE(y.dtype() == DType::Float32 && y.shape() == out, "TfIdfVectorizer: output {} must be float32 {}",
                   y.describe(), shape_to_string(out));
  const std::vector<double> tokens = x.to_double_vector();  // exact: token ids below 2^53
  float* counts = y.data<float>();
  std::fill(counts, counts + y.num_elements(), 0.0f);
  std::vector<int64_t> gram;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = counts + r * p.columns;
    auto token = [&](int64_t i) { return static_cast<int64_t>(tokens[r * length + i]); };
    int64_t shortest = p.min_gram_length;
    for (int64_t skip = 0; skip <= p.max_skip_count; ++skip) {
      for (int64_t start = 0; start < length; ++start) {
        gram.clear();
        for (int64_t n = 1, at = start; n <= p.max_gram_length && at < length; ++n, at += skip + 1) {
          gram.push_back(token(at));
          if (n < shortest) continue;
          auto hit = p.ngrams.find(gram);
          if (hit != p.ngrams.end()) row[hit->second] += 1.0f;
        }
      }
      if (shortest == 1) ++shortest;  // unigrams do not depend on the skip: counted once
      if (shortest > p.max_gram_length) break;
    }
    for (int64_t c = 0; c < p.columns; ++c) {
      const float weight = p.weights.empty() ? 1.0f : p.weights[c];
      if (p.mode == TfIdfMode::IDF) row[c] = row[c] > 0 ? weight : 0.0f;
      else if (p.mode == TfIdfMode::TFIDF) row[c] *= weight;
    }
  }
}

}  // namespace flowonnx::kernels
