// Shared by the serve tests: model repositories written in a temporary folder
// (small models whose outputs the tests compute themselves), an in-process
// InferenceServer on ephemeral loopback ports, and an httplib client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "onnx/model_io.h"
#include "runtime/graph_builder.h"
#include "serve/inference_server.h"

namespace flowonnx::serve::testing {

namespace fs = std::filesystem;
using nlohmann::json;

// sum = a + b, prod = a * b for a, b of shape [batch, 3] (batch symbolic unless
// `fixed_batch`).
inline onnx_io::Model add_mul_model(int64_t fixed_batch = 0) {
  ir::Dim batch = fixed_batch > 0 ? ir::Dim::of(fixed_batch) : ir::Dim::named("batch");
  return flowonnx::testing::GraphBuilder()
      .input("a", DType::Float32, {batch, ir::Dim::of(3)})
      .input("b", DType::Float32, {batch, ir::Dim::of(3)})
      .node("Add", {"a", "b"}, {"sum"})
      .node("Mul", {"a", "b"}, {"prod"})
      .output("sum", DType::Float32, {batch, ir::Dim::of(3)})
      .output("prod", DType::Float32, {batch, ir::Dim::of(3)})
      .build();
}

// y = x @ w + c for x of shape [batch, 4], w [4, 3] with w[i][j] = i - j / 2, c
// = [1, 2, 3].
inline onnx_io::Model affine_model() {
  std::vector<float> w;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) w.push_back(static_cast<float>(i) - static_cast<float>(j) / 2);
  return flowonnx::testing::GraphBuilder()
      .input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(4)})
      .initializer("w", Tensor::from_vector<float>({4, 3}, w))
      .initializer("c", Tensor::from_vector<float>({3}, {1, 2, 3}))
      .node("MatMul", {"x", "w"}, {"xw"})
      .node("Add", {"xw", "c"}, {"y"})
      .output("y", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(3)})
      .build();
}

// The reference for affine_model, in double.
inline std::vector<double> affine_reference(const std::vector<float>& x) {
  std::vector<double> y;
  for (size_t row = 0; row < x.size() / 4; ++row)
    for (int j = 0; j < 3; ++j) {
      double acc = 1.0 + j;
      for (int i = 0; i < 4; ++i) acc += static_cast<double>(x[row * 4 + i]) * (i - j / 2.0);
      y.push_back(acc);
    }
  return y;
}

class Repository {
 public:
  explicit Repository(const std::string& test_name) {
    root_ = fs::temp_directory_path() /
            ("flowonnx_serve_" + std::to_string(::getpid()) + "_" + test_name);
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~Repository() { fs::remove_all(root_); }
  void add(const std::string& name, const onnx_io::Model& model, int version = 1,
           const std::string& config = "") {
    fs::create_directories(root_ / name / std::to_string(version));
    onnx_io::save_model(model, root_ / name / std::to_string(version) / "model.onnx");
    if (!config.empty()) std::ofstream(root_ / name / "config.pbtxt") << config;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

class RunningServer {
 public:
  explicit RunningServer(const fs::path& root, int max_request_mb = 256) {
    ServerOptions options;
    options.model_repository = root;
    options.http.host = "127.0.0.1";
    options.http.port = 0;
    options.http.max_request_bytes = static_cast<size_t>(max_request_mb) << 20;
    options.grpc_port = 0;
    options.metrics_port = 0;
    options.repository.threads_per_instance = 1;
    server_ = std::make_unique<InferenceServer>(options);
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
    client_->set_read_timeout(60, 0);
  }
  InferenceServer& server() { return *server_; }
  httplib::Client& client() { return *client_; }
  // A fresh client (httplib clients are not for concurrent use).
  std::unique_ptr<httplib::Client> new_client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
    client->set_read_timeout(60, 0);
    return client;
  }
  json get_json(const std::string& path, int expect_status = 200) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  httplib::Result post_json(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }

 private:
  std::unique_ptr<InferenceServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

// An infer request for add_mul_model with JSON data.
inline json add_mul_request(const std::vector<float>& a, const std::vector<float>& b) {
  int64_t rows = static_cast<int64_t>(a.size() / 3);
  return {{"inputs",
           {{{"name", "a"}, {"datatype", "FP32"}, {"shape", {rows, 3}}, {"data", a}},
            {{"name", "b"}, {"datatype", "FP32"}, {"shape", {rows, 3}}, {"data", b}}}}};
}

}  // namespace flowonnx::serve::testing
