// The HTTP/REST endpoints of the Open Inference Protocol against an in-process
// server: health, metadata, config, infer with JSON and binary tensors,
// statistics, repository index, load and unload. Every output is checked
// against values computed here.
#include <gtest/gtest.h>

#include <cstring>

#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

class HttpEndpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = std::make_unique<Repository>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    repository_->add("add_mul", add_mul_model());
    repository_->add("affine", affine_model(), 1);
    repository_->add("affine", affine_model(),
                     3);  // Triton's default policy: latest only
    repository_->add("fixed", add_mul_model(/*fixed_batch=*/2));
    server_ = std::make_unique<RunningServer>(repository_->root());
  }
  std::unique_ptr<Repository> repository_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(HttpEndpoints, HealthAndServerMetadata) {
  EXPECT_EQ(server_->client().Get("/v2/health/live")->status, 200);
  EXPECT_EQ(server_->client().Get("/v2/health/ready")->status, 200);
  json meta = server_->get_json("/v2");
  EXPECT_EQ(meta["name"], "flowonnx");
  EXPECT_NE(std::find(meta["extensions"].begin(), meta["extensions"].end(), "binary_tensor_data"),
            meta["extensions"].end());
}

TEST_F(HttpEndpoints, ModelMetadataReadyAndConfig) {
  json meta = server_->get_json("/v2/models/add_mul");
  EXPECT_EQ(meta["name"], "add_mul");
  EXPECT_EQ(meta["versions"], json::array({"1"}));
  EXPECT_EQ(meta["platform"], "onnxruntime_onnx");
  ASSERT_EQ(meta["inputs"].size(), 2u);
  EXPECT_EQ(meta["inputs"][0]["name"], "a");
  EXPECT_EQ(meta["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ(meta["inputs"][0]["shape"], json::array({-1, 3}));
  EXPECT_EQ(meta["outputs"][1]["name"], "prod");
  // The static-batch model cannot be batched: its metadata has the batch dim as
  // the model does.
  EXPECT_EQ(server_->get_json("/v2/models/fixed")["inputs"][0]["shape"], json::array({2, 3}));

  EXPECT_EQ(server_->get_json("/v2/models/affine")["versions"], json::array({"3"}));
  EXPECT_EQ(server_->client().Get("/v2/models/affine/versions/3/ready")->status, 200);
  EXPECT_EQ(server_->client().Get("/v2/models/affine/versions/1/ready")->status, 404);
  EXPECT_EQ(server_->client().Get("/v2/models/add_mul/ready")->status, 200);

  json config = server_->get_json("/v2/models/add_mul/config");
  EXPECT_EQ(config["name"], "add_mul");
  EXPECT_EQ(config["max_batch_size"], 8);
  EXPECT_TRUE(config.contains("dynamic_batching"));
  EXPECT_EQ(config["input"][0]["data_type"], "TYPE_FP32");
  EXPECT_EQ(config["input"][0]["dims"], json::array({"3"}));  // protobuf JSON: int64 as strings
  EXPECT_EQ(server_->get_json("/v2/models/fixed/config")["max_batch_size"], 0);
}

TEST_F(HttpEndpoints, InferWithJsonTensors) {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {0.5f, -1, 2, 8, 0, -3};
  json request = add_mul_request(a, b);
  request["id"] = "r1";
  auto res = server_->post_json("/v2/models/add_mul/infer", request);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["model_name"], "add_mul");
  EXPECT_EQ(body["model_version"], "1");
  EXPECT_EQ(body["id"], "r1");
  ASSERT_EQ(body["outputs"].size(), 2u);
  EXPECT_EQ(body["outputs"][0]["name"], "sum");
  EXPECT_EQ(body["outputs"][0]["shape"], json::array({2, 3}));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(body["outputs"][0]["data"][i].get<float>(), a[i] + b[i]);
    EXPECT_EQ(body["outputs"][1]["data"][i].get<float>(), a[i] * b[i]);
  }
  // Nested data and one requested output.
  request = {{"inputs",
              {{{"name", "x"}, {"datatype", "FP32"}, {"shape", {1, 4}}, {"data", {{1, 2, 3, 4}}}}}},
             {"outputs", {{{"name", "y"}}}}};
  res = server_->post_json("/v2/models/affine/infer", request);
  ASSERT_EQ(res->status, 200) << res->body;
  body = json::parse(res->body);
  std::vector<double> want = affine_reference({1, 2, 3, 4});
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(body["outputs"][0]["data"][j].get<double>(), want[j], 1e-5);
}

TEST_F(HttpEndpoints, InferWithBinaryTensorData) {
  const std::vector<float> a = {1.5f, -2, 3, 4, 5, 6.25f}, b = {2, 2, 2, -1, 0.5f, 4};
  json header = {
      {"inputs",
       {{{"name", "a"},
         {"datatype", "FP32"},
         {"shape", {2, 3}},
         {"parameters", {{"binary_data_size", 24}}}},
        {{"name", "b"},
         {"datatype", "FP32"},
         {"shape", {2, 3}},
         {"parameters", {{"binary_data_size", 24}}}}}},
      {"outputs",
       {{{"name", "prod"}, {"parameters", {{"binary_data", true}}}}, {{"name", "sum"}}}}};
  std::string json_part = header.dump();
  std::string body = json_part;
  body.append(reinterpret_cast<const char*>(a.data()), 24);
  body.append(reinterpret_cast<const char*>(b.data()), 24);
  httplib::Headers headers = {
      {"Inference-Header-Content-Length", std::to_string(json_part.size())}};
  auto res =
      server_->client().Post("/v2/models/add_mul/infer", headers, body, "application/octet-stream");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  size_t header_length = std::stoul(res->get_header_value("Inference-Header-Content-Length"));
  json response = json::parse(res->body.substr(0, header_length));
  ASSERT_EQ(response["outputs"][0]["name"], "prod");
  EXPECT_EQ(response["outputs"][0]["parameters"]["binary_data_size"], 24);
  ASSERT_EQ(res->body.size(), header_length + 24);
  std::vector<float> prod(6);
  std::memcpy(prod.data(), res->body.data() + header_length, 24);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(prod[i], a[i] * b[i]);
    EXPECT_EQ(response["outputs"][1]["data"][i].get<float>(),
              a[i] + b[i]);  // JSON, as asked
  }
  // binary_data_output asks for every output in binary.
  header.erase("outputs");
  header["parameters"] = {{"binary_data_output", true}};
  json_part = header.dump();
  body = json_part;
  body.append(reinterpret_cast<const char*>(a.data()), 24);
  body.append(reinterpret_cast<const char*>(b.data()), 24);
  headers = {{"Inference-Header-Content-Length", std::to_string(json_part.size())}};
  res =
      server_->client().Post("/v2/models/add_mul/infer", headers, body, "application/octet-stream");
  ASSERT_EQ(res->status, 200) << res->body;
  header_length = std::stoul(res->get_header_value("Inference-Header-Content-Length"));
  EXPECT_EQ(res->body.size(), header_length + 48);
}

TEST_F(HttpEndpoints, StatisticsCountRequestsAndExecutions) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(server_
                  ->post_json("/v2/models/add_mul/infer",
                              add_mul_request({1, 2, 3, 4, 5, 6}, {1, 1, 1, 1, 1, 1}))
                  ->status,
              200);
  json stats = server_->get_json("/v2/models/add_mul/stats")["model_stats"];
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0]["name"], "add_mul");
  EXPECT_EQ(stats[0]["version"], "1");
  EXPECT_EQ(stats[0]["inference_stats"]["success"]["count"], 3);
  EXPECT_EQ(stats[0]["inference_count"], 6);  // rows: three requests of batch 2
  EXPECT_EQ(stats[0]["execution_count"], 3);
  EXPECT_EQ(stats[0]["batch_stats"][0]["batch_size"], 2);
  EXPECT_EQ(server_->get_json("/v2/models/stats")["model_stats"].size(), 3u);

  // The same counters on the metrics endpoint.
  httplib::Client metrics("127.0.0.1", server_->server().metrics_port());
  auto res = metrics.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("nv_inference_request_success{model=\"add_mul\",version=\"1\"} 3"),
            std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("nv_inference_count{model=\"add_mul\",version=\"1\"} 6"),
            std::string::npos);
  EXPECT_NE(res->body.find("flowonnx_queue_duration_seconds_count{model=\"add_"
                           "mul\",version=\"1\"} 3"),
            std::string::npos);
}

TEST_F(HttpEndpoints, RepositoryIndexUnloadAndLoad) {
  auto res = server_->client().Post("/v2/repository/index", "", "application/json");
  ASSERT_EQ(res->status, 200);
  json index = json::parse(res->body);
  ASSERT_EQ(index.size(), 3u);
  EXPECT_EQ(index[0]["name"], "add_mul");
  EXPECT_EQ(index[0]["state"], "READY");
  EXPECT_EQ(index[1]["version"], "3");

  ASSERT_EQ(server_->client().Post("/v2/repository/models/add_mul/unload", "", "")->status, 200);
  EXPECT_EQ(server_->client().Get("/v2/models/add_mul/ready")->status, 503);
  res = server_->post_json("/v2/models/add_mul/infer", add_mul_request({1, 2, 3}, {1, 2, 3}));
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(json::parse(res->body)["error"].get<std::string>().find("unloaded"), std::string::npos);
  index = json::parse(server_->client()
                          .Post("/v2/repository/index", R"({"ready": true})", "application/json")
                          ->body);
  EXPECT_EQ(index.size(), 2u);
  // Other models keep serving.
  EXPECT_EQ(server_->client().Get("/v2/models/affine/ready")->status, 200);

  ASSERT_EQ(server_->client().Post("/v2/repository/models/add_mul/load", "", "")->status, 200);
  res = server_->post_json("/v2/models/add_mul/infer", add_mul_request({1, 2, 3}, {1, 2, 3}));
  EXPECT_EQ(res->status, 200) << res->body;
  res = server_->client().Post("/v2/repository/models/nothing/load", "", "");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("no model folder 'nothing'"), std::string::npos) << res->body;
}

}  // namespace
}  // namespace flowonnx::serve::testing
