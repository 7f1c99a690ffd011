// The scheduler's limits: a full queue refuses the next request with 503, a request that waited
// longer than the queue timeout fails with 503 instead of running, and requests whose non-batch
// dims differ are never merged. The batcher's queue delay holds the first request while the
// others arrive, so the tests do not depend on how fast the machine is.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "serve/scheduler.h"
#include "serve/serve_error.h"
#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

using namespace std::chrono_literals;

// y = Relu(x) for x of shape [N, K], both dims variable.
std::shared_ptr<const InferenceSession> relu_session() {
  onnx_io::Model model =
      flowonnx::testing::GraphBuilder()
          .input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::named("K")})
          .node("Relu", {"x"}, {"y"})
          .output("y", DType::Float32, {ir::Dim::named("N"), ir::Dim::named("K")})
          .build();
  return std::make_shared<const InferenceSession>(std::move(model));
}

std::map<std::string, Tensor> rows_of_width(int64_t width) {
  return {{"x", Tensor::full({1, width}, -1.0 * static_cast<double>(width))}};
}

SchedulerOptions holding_options() {
  SchedulerOptions options;
  options.max_batch_size = 4;
  options.dynamic_batching = true;
  options.max_queue_delay = 600ms;  // the first request waits this long for companions
  return options;
}

int status_of(std::future<std::vector<Tensor>>& result) {
  try {
    result.get();
    return 200;
  } catch (const ServeError& e) {
    return e.status();
  }
}

TEST(SchedulerLimits, FullQueueAnswers503) {
  SchedulerOptions options = holding_options();
  options.max_queue_size = 1;
  auto stats = std::make_shared<ModelStats>();
  Scheduler scheduler({relu_session()}, options, stats);
  // Width 1: taken by the worker, which waits for more of the same width. Width 2: cannot join,
  // stays queued (the queue is now full). Width 3: refused.
  auto first = std::async(std::launch::async, [&] { return scheduler.infer(rows_of_width(1)); });
  std::this_thread::sleep_for(150ms);
  auto second = std::async(std::launch::async, [&] { return scheduler.infer(rows_of_width(2)); });
  std::this_thread::sleep_for(150ms);
  try {
    scheduler.infer(rows_of_width(3));
    ADD_FAILURE() << "a request beyond max_queue_size was accepted";
  } catch (const ServeError& e) {
    EXPECT_EQ(e.status(), kUnavailable);
    EXPECT_NE(std::string(e.what()).find("queue is full (1 requests waiting)"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(status_of(first), 200);
  EXPECT_EQ(status_of(second), 200);
  const ModelStatsSnapshot snapshot = stats->snapshot();
  EXPECT_EQ(snapshot.execution_count, 2u) << "different widths were merged";
  EXPECT_EQ(snapshot.success.count, 2u);
}

TEST(SchedulerLimits, RequestsPastTheQueueTimeoutFailWith503) {
  // A lone request is held for companions for the 300 ms batch delay, past the 50 ms timeout,
  // and fails; one that fills a whole batch runs at once and succeeds.
  SchedulerOptions options = holding_options();
  options.max_queue_delay = 300ms;
  options.queue_timeout = 50ms;
  auto stats = std::make_shared<ModelStats>();
  Scheduler scheduler({relu_session()}, options, stats);
  try {
    scheduler.infer(rows_of_width(2));
    ADD_FAILURE() << "a request held past the queue timeout ran";
  } catch (const ServeError& e) {
    EXPECT_EQ(e.status(), kUnavailable);
    EXPECT_NE(std::string(e.what()).find("queue timeout of 50000 us"), std::string::npos)
        << e.what();
  }
  std::vector<Tensor> out = scheduler.infer({{"x", Tensor::full({4, 2}, -3.0)}});
  EXPECT_EQ(out.at(0).shape(), (Shape{4, 2}));
  EXPECT_EQ(stats->snapshot().fail.count, 1u);
  EXPECT_EQ(stats->snapshot().success.count, 1u);
}

TEST(SchedulerLimits, OutputsAreEachRequestsOwnRows) {
  auto stats = std::make_shared<ModelStats>();
  SchedulerOptions options = holding_options();
  options.max_queue_delay = 300ms;
  Scheduler scheduler({relu_session()}, options, stats);
  std::vector<std::future<std::vector<Tensor>>> results;
  for (int i = 0; i < 4; ++i)
    results.push_back(std::async(std::launch::async, [&scheduler, i] {
      return scheduler.infer({{"x", Tensor::from_vector<float>({1, 2}, {float(i), -1.0f})}});
    }));
  for (int i = 0; i < 4; ++i) {
    std::vector<Tensor> out = results[i].get();
    ASSERT_EQ(out.at(0).shape(), (Shape{1, 2}));
    EXPECT_EQ(out[0].data<float>()[0], static_cast<float>(i));
    EXPECT_EQ(out[0].data<float>()[1], 0.0f);
  }
  EXPECT_EQ(stats->snapshot().execution_count, 1u) << "four compatible requests within the delay";
}

}  // namespace
}  // namespace flowonnx::serve::testing
