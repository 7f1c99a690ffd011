// TfIdfVectorizer over integer token ids: counts the pool's n-grams (tokens `skip + 1` apart,
// skip <= max_skip_count; unigrams counted once) in each row and weights the counts.
#pragma once

#include <map>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class TfIdfMode { TF, IDF, TFIDF };

struct TfIdfParams {
  int64_t min_gram_length = 1, max_gram_length = 1, max_skip_count = 0;
  TfIdfMode mode = TfIdfMode::TF;
  std::map<std::vector<int64_t>, int64_t> ngrams;  // n-gram -> output column
  std::vector<float> weights;                      // one per column; empty: all 1
  int64_t columns = 0;                             // max(ngram_indexes) + 1
};

// Checks the ONNX attributes and builds the n-gram table; throws InvalidArgument naming the
// attribute that is inconsistent.
TfIdfParams make_tfidf_params(int64_t min_gram_length, int64_t max_gram_length, int64_t max_skip_count,
                              TfIdfMode mode, const std::vector<int64_t>& ngram_counts,
                              const std::vector<int64_t>& ngram_indexes, const std::vector<int64_t>& pool,
                              const std::vector<float>& weights);

// x int32/int64 [C] or [N, C] -> y float32 [columns] or [N, columns].
void tfidf_vectorize(const Tensor& x, const TfIdfParams& params, Tensor& y);

}  // namespace flowonnx::kernels
