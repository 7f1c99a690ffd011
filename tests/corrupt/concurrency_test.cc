// One InferenceSession shared by 8 threads, each running a small ResNet many times on different
// inputs: every result is bit-identical to the sequential run of the same input. Run it under
// ThreadSanitizer with the `tsan` preset (CMakePresets.json).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "runtime/session.h"
#include "tensor/random.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

constexpr int kThreads = 8;
constexpr int kRunsPerThread = 200;
constexpr int kDistinctInputs = 24;

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

// This test found a real bug: oneDNN's library-managed scratchpad (Debian builds it with
// DNNL_ENABLE_CONCURRENT_EXEC=OFF) is shared, so prepared convs run from several threads wrote
// into each other's scratch space and 20-75 of 1600 runs differed. Primitives now use
// user-managed, per-thread scratchpads (kernels/cpu/dnnl_util.h).
TEST(Concurrency, EightThreadsMatchSequentialRunsBitForBit) {
  fs::path dir = fs::temp_directory_path() / ("flowonnx_concurrency_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  auto model = models::create_model("resnet18", 31);
  models::set_batch_norm_like_trained(*model, 32);
  model->eval();
  nn::ModuleGraph graph("ConcurrencyGraph", model);
  Generator sample_gen(1);
  graph.compile({randn({1, 3, 32, 32}, sample_gen)});
  ExportOptions options;
  options.onnx_model_path = dir.string();
  fs::path path = export_onnx_model(graph, options);

  SessionOptions session_options;
  session_options.intra_op_num_threads = 1;  // the parallelism under test is the callers'
  const InferenceSession session(path, {"CPUExecutionProvider"}, session_options);
  const std::string input = session.get_inputs().at(0).name;

  std::vector<Tensor> inputs, expected;
  Generator gen(77);
  for (int i = 0; i < kDistinctInputs; ++i) inputs.push_back(randn({1, 3, 32, 32}, gen));
  // The sequential reference runs on a fresh std::thread too: OpenMP's thread count is a
  // per-thread setting, so the main thread's (set by intra_op_num_threads) is not the workers'.
  std::thread([&] {
    for (const Tensor& x : inputs) expected.push_back(session.run({}, {{input, x}}).at(0));
  }).join();
  // Sequential runs are themselves deterministic.
  ASSERT_TRUE(bit_identical(session.run({}, {{input, inputs[0]}}).at(0), expected[0]));

  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRunsPerThread; ++i) {
        int which = (t * 7 + i) % kDistinctInputs;  // threads run different inputs at once
        try {
          std::vector<Tensor> out = session.run({}, {{input, inputs[which]}});
          if (out.size() != 1 || !bit_identical(out[0], expected[which])) ++mismatches;
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0) << "of " << kThreads * kRunsPerThread << " runs";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowonnx
