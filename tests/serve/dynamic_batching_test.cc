// Dynamic batching: concurrent requests to one model are merged into batches
// (fewer executions than requests) and every client still gets exactly its own
// rows; instance_group count is honoured; a model whose first output dim is not
// the batch cannot be batched.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

constexpr const char* kBatchingConfig = R"(
name: "add_mul"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [ { name: "a" data_type: TYPE_FP32 dims: [ 3 ] },
        { name: "b" data_type: TYPE_FP32 dims: [ 3 ] } ]
output [ { name: "sum" data_type: TYPE_FP32 dims: [ 3 ] },
         { name: "prod" data_type: TYPE_FP32 dims: [ 3 ] } ]
dynamic_batching { max_queue_delay_microseconds: 50000 }
instance_group [ { count: 1 kind: KIND_CPU } ]
)";

// Runs `clients` threads that each send `per_client` batch-1 requests with
// their own values and check the answers exactly. Returns the number of wrong
// or failed answers.
int run_clients(RunningServer& server, const std::string& model, int clients, int per_client) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      auto client = server.new_client();
      for (int r = 0; r < per_client; ++r) {
        const float base = static_cast<float>(c * 100 + r);
        std::vector<float> a = {base, base + 0.5f, -base}, b = {2, base, 0.25f};
        auto res = client->Post(("/v2/models/" + model + "/infer").c_str(),
                                add_mul_request(a, b).dump(), "application/json");
        if (!res || res->status != 200) {
          ADD_FAILURE() << "request " << c << "/" << r << ": "
                        << (res ? res->body : httplib::to_string(res.error()));
          ++wrong;
          continue;
        }
        json body = json::parse(res->body);
        for (int i = 0; i < 3; ++i)
          if (body["outputs"][0]["data"][i].get<float>() != a[i] + b[i] ||
              body["outputs"][1]["data"][i].get<float>() != a[i] * b[i] ||
              body["outputs"][0]["shape"] != json::array({1, 3}))
            ++wrong;
      }
    });
  for (std::thread& thread : threads) thread.join();
  return wrong;
}

TEST(DynamicBatching, ConcurrentRequestsShareExecutionsAndGetTheirOwnRows) {
  Repository repository("batching");
  repository.add("add_mul", add_mul_model(), 1, kBatchingConfig);
  RunningServer server(repository.root());
  constexpr int kClients = 16, kPerClient = 4;
  EXPECT_EQ(run_clients(server, "add_mul", kClients, kPerClient), 0);
  json stats = server.get_json("/v2/models/add_mul/stats")["model_stats"][0];
  EXPECT_EQ(stats["inference_stats"]["success"]["count"], kClients * kPerClient);
  EXPECT_EQ(stats["inference_count"], kClients * kPerClient);
  const int executions = stats["execution_count"].get<int>();
  EXPECT_LT(executions, kClients * kPerClient) << "no request was batched with another";
  int largest = 0;
  for (const json& batch : stats["batch_stats"]) {
    EXPECT_LE(batch["batch_size"].get<int>(), 8);
    largest = std::max(largest, batch["batch_size"].get<int>());
  }
  EXPECT_GT(largest, 1);
}

TEST(DynamicBatching, WithoutDynamicBatchingEachRequestRunsAlone) {
  Repository repository("no_batching");
  std::string config = kBatchingConfig;
  config.replace(config.find("dynamic_batching"), std::string("dynamic_batching").size(),
                 "# dynamic_batching");
  config.replace(config.find("count: 1"), 8, "count: 2");
  repository.add("add_mul", add_mul_model(), 1, config);
  RunningServer server(repository.root());
  EXPECT_EQ(run_clients(server, "add_mul", 4, 4), 0);
  json stats = server.get_json("/v2/models/add_mul/stats")["model_stats"][0];
  EXPECT_EQ(stats["execution_count"], 16);
  EXPECT_EQ(server.get_json("/v2/models/add_mul/config")["instance_group"][0]["count"], 2);
}

TEST(DynamicBatching, MatMulRowsOfAMergedBatchMatchTheReference) {
  Repository repository("affine_batching");
  repository.add("affine", affine_model(), 1,
                 "max_batch_size: 4\ndynamic_batching { "
                 "max_queue_delay_microseconds: 50000 }\n");
  RunningServer server(repository.root());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 8; ++c)
    threads.emplace_back([&, c] {
      auto client = server.new_client();
      std::vector<float> x = {static_cast<float>(c), 1.5f, -2.0f, 0.25f * c};
      json request = {
          {"inputs", {{{"name", "x"}, {"datatype", "FP32"}, {"shape", {1, 4}}, {"data", x}}}}};
      auto res = client->Post("/v2/models/affine/infer", request.dump(), "application/json");
      if (!res || res->status != 200) {
        ++wrong;
        return;
      }
      std::vector<double> want = affine_reference(x);
      json data = json::parse(res->body)["outputs"][0]["data"];
      for (int j = 0; j < 3; ++j)
        if (std::abs(data[j].get<double>() - want[j]) > 1e-5 * (1 + std::abs(want[j]))) ++wrong;
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LT(
      server.get_json("/v2/models/affine/stats")["model_stats"][0]["execution_count"].get<int>(),
      8);
}

TEST(DynamicBatching, GracefulStopFinishesRequestsInFlight) {
  Repository repository("graceful");
  std::string config = kBatchingConfig;
  config.replace(config.find("50000"), 5, "400000");
  repository.add("add_mul", add_mul_model(), 1, config);
  RunningServer server(repository.root());
  std::atomic<int> wrong{-1};
  std::thread clients([&] { wrong = run_clients(server, "add_mul", 6, 1); });
  // The batcher holds the first request up to 400 ms waiting for more: stop
  // while they wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server.server().stop();
  clients.join();
  EXPECT_EQ(wrong.load(), 0) << "a request in flight was dropped by the shutdown";
}

}  // namespace
}  // namespace flowonnx::serve::testing
