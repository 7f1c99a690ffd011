// A session's intra_op_num_threads holds for each of its runs, from any calling thread, and two
// sessions with different counts running at once do not see each other's count. libgomp keeps
// the OpenMP thread count per calling thread, so the session sets it around every run; these
// tests watch, from inside the kernels, the count and the team size that a parallel region
// (ours, or one oneDNN opens) gets.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "kernels/cpu/threading.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::GraphBuilder;

// What the kernels of the current run on this thread were given: the smallest and largest
// OpenMP thread count, and the largest team an unqualified parallel region formed.
thread_local int seen_min_threads = 0;
thread_local int seen_max_threads = 0;
thread_local int seen_team = 0;
thread_local int probe_calls = 0;

void reset_seen() { seen_min_threads = seen_max_threads = seen_team = probe_calls = 0; }

void record_threads() {
  const int threads = omp_get_max_threads();
  seen_min_threads = probe_calls == 0 ? threads : std::min(seen_min_threads, threads);
  seen_max_threads = std::max(seen_max_threads, threads);
  int team = 0;
  // A region without num_threads(), as oneDNN opens them: its team size follows the count.
#pragma omp parallel
  {
#pragma omp single
    team = omp_get_num_threads();
  }
  seen_team = std::max(seen_team, team);
  ++probe_calls;
}

struct ProbeInstalled {
  ProbeInstalled() { kernels::set_num_threads_probe_for_testing(record_threads); }
  ~ProbeInstalled() { kernels::set_num_threads_probe_for_testing(nullptr); }
};

constexpr int64_t kElements = int64_t{1} << 18;  // large enough for a parallel Mul

// y = x * x (element-wise, our kernel) and z = Conv(x as 1x1x512x512, 3x3 ones) (oneDNN).
onnx_io::Model square_and_conv_model() {
  Tensor weight = Tensor::full({1, 1, 3, 3}, 1.0f);
  return GraphBuilder()
      .input("x", DType::Float32, Shape{1, 1, 512, 512})
      .initializer("w", weight)
      .node("Mul", {"x", "x"}, {"y"})
      .node("Conv", {"x", "w"}, {"z"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .output("y")
      .output("z")
      .build();
}

InferenceSession session_with_threads(int threads) {
  SessionOptions options;
  options.intra_op_num_threads = threads;
  return InferenceSession(square_and_conv_model(), {"CPUExecutionProvider"}, options);
}

// A count no other setting here gives: one more than this process's default.
int distinct_count() { return omp_get_max_threads() + 1; }

TEST(SessionThreads, EachRunUsesItsSessionsCountOnAnyThread) {
  ProbeInstalled probe;
  const int many = distinct_count();
  const InferenceSession one = session_with_threads(1);
  const InferenceSession several = session_with_threads(many);
  Generator gen(5);
  const Tensor x = randn({1, 1, 512, 512}, gen);
  // A fresh thread has the process default, never the count a session was created with.
  std::thread([&] {
    const int before = omp_get_max_threads();
    reset_seen();
    one.run({}, {{"x", x}});
    EXPECT_GT(probe_calls, 0);
    EXPECT_EQ(seen_min_threads, 1);
    EXPECT_EQ(seen_max_threads, 1);
    EXPECT_EQ(seen_team, 1);
    reset_seen();
    several.run({}, {{"x", x}});
    EXPECT_EQ(seen_min_threads, many);
    EXPECT_EQ(seen_max_threads, many);
    EXPECT_EQ(seen_team, many);
    EXPECT_EQ(omp_get_max_threads(), before) << "a run leaves the caller's setting as it was";
  }).join();
}

TEST(SessionThreads, ConcurrentSessionsKeepTheirOwnCounts) {
  ProbeInstalled probe;
  const int many = distinct_count();
  const InferenceSession one = session_with_threads(1);
  const InferenceSession several = session_with_threads(many);
  Generator gen(9);
  const Tensor x = randn({1, 1, 512, 512}, gen);
  const std::vector<Tensor> reference_one = one.run({}, {{"x", x}});
  const std::vector<Tensor> reference_several = several.run({}, {{"x", x}});
  // The independent oracle for the element-wise output: x * x computed here.
  const float* xs = x.data<float>();
  const float* squares = reference_one[0].data<float>();
  for (int64_t i = 0; i < kElements; ++i) ASSERT_EQ(squares[i], xs[i] * xs[i]) << "at " << i;
  EXPECT_LT(testing::max_relative_error(reference_several[1], reference_one[1]), 1e-5);

  constexpr int kThreadsPerSession = 3, kRuns = 4;
  std::atomic<int> wrong_count{0}, wrong_result{0}, errors{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 2 * kThreadsPerSession; ++t)
    callers.emplace_back([&, t] {
      const bool single = t % 2 == 0;
      const InferenceSession& session = single ? one : several;
      const std::vector<Tensor>& expected = single ? reference_one : reference_several;
      const int want = single ? 1 : many;
      for (int i = 0; i < kRuns; ++i) {
        reset_seen();
        try {
          std::vector<Tensor> out = session.run({}, {{"x", x}});
          if (seen_min_threads != want || seen_max_threads != want || seen_team != want)
            ++wrong_count;
          for (size_t k = 0; k < out.size(); ++k)
            if (!std::equal(out[k].data<float>(), out[k].data<float>() + out[k].num_elements(),
                            expected[k].data<float>()))
              ++wrong_result;
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(wrong_count.load(), 0) << "runs whose kernels saw another session's thread count";
  EXPECT_EQ(wrong_result.load(), 0);
  EXPECT_EQ(errors.load(), 0);
}

TEST(SessionThreads, ZeroKeepsTheCallersSetting) {
  ProbeInstalled probe;
  const InferenceSession session = session_with_threads(0);
  Generator gen(3);
  const Tensor x = randn({1, 1, 512, 512}, gen);
  std::thread([&] {
    omp_set_num_threads(1);
    reset_seen();
    session.run({}, {{"x", x}});
    EXPECT_EQ(seen_max_threads, 1);
    omp_set_num_threads(distinct_count());
    reset_seen();
    session.run({}, {{"x", x}});
    EXPECT_EQ(seen_min_threads, omp_get_max_threads());
  }).join();
}

}  // namespace
}  // namespace flowonnx
