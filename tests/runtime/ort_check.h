// Helpers of the runtime op tests that compare with ONNX Runtime: run a hand-built model in both
// on the same feeds, capture the error a hostile run throws, and seeded random integers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "oracle/ort_oracle.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx::testing {

using Feeds = std::map<std::string, Tensor>;

inline std::filesystem::path temp_model_path(const std::string& name) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("flowonnx_opcheck_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / (name + ".onnx");
}

// Runs the model (saved to disk) in flowonnx and ONNX Runtime on each feed set and compares
// every output.
inline void expect_same_as_onnxruntime(onnx_io::Model model, const std::string& name,
                                       const std::vector<Feeds>& feed_sets, double rtol = 1e-5,
                                       double atol = 1e-5) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  const std::filesystem::path path = temp_model_path(name);
  onnx_io::save_model(model, path);
  InferenceSession session(path);
  for (const Feeds& feeds : feed_sets) {
    std::vector<std::pair<std::string, Tensor>> ort_feeds(feeds.begin(), feeds.end());
    std::vector<Tensor> expected = run_onnxruntime(path, ort_feeds);
    std::vector<Tensor> got = session.run({}, feeds);
    ASSERT_EQ(got.size(), expected.size()) << name;
    for (size_t i = 0; i < got.size(); ++i) {
      auto result = compare_tensors(got[i], expected[i], rtol, atol);
      EXPECT_TRUE(result.ok()) << name << " output " << i << " (" << session.get_outputs()[i].name
                               << "): " << result;
    }
  }
  std::filesystem::remove(path);
}

// The message of the error that loading `model` or running it on `feeds` throws; "" if none.
inline std::string run_error(onnx_io::Model model, const Feeds& feeds) {
  try {
    InferenceSession session(std::move(model));
    session.run({}, feeds);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

inline void expect_error_mentions(const std::string& error,
                                  std::initializer_list<const char*> parts) {
  ASSERT_FALSE(error.empty()) << "expected an error";
  for (const char* part : parts)
    EXPECT_NE(error.find(part), std::string::npos) << "'" << error << "' lacks '" << part << "'";
}

inline std::mt19937_64& test_rng() {
  static std::mt19937_64 gen(1234);
  return gen;
}

inline int64_t uniform_int(int64_t lo, int64_t hi) {  // in [lo, hi]
  return std::uniform_int_distribution<int64_t>(lo, hi)(test_rng());
}

inline Tensor random_ints(const Shape& shape, int64_t lo, int64_t hi) {
  Tensor t(shape, DType::Int64);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<int64_t>()[i] = uniform_int(lo, hi);
  return t;
}

}  // namespace flowonnx::testing
