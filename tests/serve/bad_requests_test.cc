// Bad requests get the protocol's error object with a 4xx status that says what
// is wrong, and the server keeps serving: malformed JSON, wrong datatype, shape
// or name, unknown model or version, inconsistent binary sizes, a body over the
// limit, and a few thousand mutated requests.
#include <gtest/gtest.h>

#include <random>

#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

class BadRequests : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = std::make_unique<Repository>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    repository_->add("add_mul", add_mul_model());
    server_ = std::make_unique<RunningServer>(repository_->root(),
                                              /*max_request_mb=*/1);
  }
  // Posts `body` and expects `status` with an error message containing
  // `fragment`.
  void expect_error(const std::string& path, const std::string& body, int status,
                    const std::string& fragment, const httplib::Headers& headers = {}) {
    auto res = server_->client().Post(path.c_str(), headers, body, "application/json");
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->status, status) << body << " -> " << res->body;
    json error = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(error.is_object() && error.contains("error")) << res->body;
    EXPECT_NE(error["error"].get<std::string>().find(fragment), std::string::npos)
        << "'" << fragment << "' not in: " << error["error"];
  }
  void expect_still_serving() {
    auto res =
        server_->post_json("/v2/models/add_mul/infer", add_mul_request({1, 2, 3}, {4, 5, 6}));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  std::unique_ptr<Repository> repository_;
  std::unique_ptr<RunningServer> server_;
};

constexpr const char* kInfer = "/v2/models/add_mul/infer";

TEST_F(BadRequests, MalformedOrMistypedJson) {
  expect_error(kInfer, "{\"inputs\": [", 400, "not valid JSON");
  expect_error(kInfer, "[1, 2]", 400, "JSON object");
  expect_error(kInfer, "{}", 400, "'inputs' array");
  expect_error(kInfer, R"({"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 3]}]})", 400,
               "needs 'data' or a binary_data_size");
  expect_error(kInfer, R"({"inputs": [{"name": 5}]})", 400, "'name' must be a string");
  expect_error(kInfer,
               R"({"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, -3], "data": []}]})",
               400, "non-negative integers");
  expect_still_serving();
}

TEST_F(BadRequests, WrongDatatypeShapeOrName) {
  json request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][0]["datatype"] = "FP64";
  expect_error(kInfer, request.dump(), 400,
               "input 'a': datatype FP64 but model 'add_mul' expects FP32");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][0]["datatype"] = "BYTES";
  expect_error(kInfer, request.dump(), 400, "unsupported datatype 'BYTES'");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][1]["shape"] = {3, 1};
  expect_error(kInfer, request.dump(), 400,
               "input 'b': shape [3,1] does not match the model's [-1,3]");
  request = add_mul_request({1, 2, 3, 4}, {4, 5, 6, 7});
  request["inputs"][0]["shape"] = {1, 4};
  request["inputs"][1]["shape"] = {1, 4};
  expect_error(kInfer, request.dump(), 400,
               "input 'a': shape [1,4] does not match the model's [-1,3]");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][1]["data"] = {1, 2};
  expect_error(kInfer, request.dump(), 400,
               "input 'b': 'data' has 2 elements but shape [1,3] needs 3");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][1]["data"] = {1, "x", 3};
  expect_error(kInfer, request.dump(), 400, "input 'b': data[1] is \"x\", expected a number");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"][1]["name"] = "c";
  expect_error(kInfer, request.dump(), 400,
               "unknown input 'c' for model 'add_mul' (its inputs: a, b)");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["inputs"].erase(1);
  expect_error(kInfer, request.dump(), 400, "needs input 'b'");
  request = add_mul_request({1, 2, 3}, {4, 5, 6});
  request["outputs"] = {{{"name", "nope"}}};
  expect_error(kInfer, request.dump(), 400, "unknown output 'nope'");
  std::vector<float> nine(27, 1.0f);
  expect_error(kInfer, add_mul_request(nine, nine).dump(), 400,
               "batch size 9 is outside [1, max_batch_size 8]");
  expect_still_serving();
}

TEST_F(BadRequests, UnknownModelVersionOrEndpoint) {
  json request = add_mul_request({1, 2, 3}, {4, 5, 6});
  expect_error("/v2/models/nothing/infer", request.dump(), 404, "unknown model 'nothing'");
  expect_error("/v2/models/add_mul/versions/7/infer", request.dump(), 404,
               "model 'add_mul' has no version '7' loaded (loaded: 1)");
  expect_error("/v2/nowhere", "", 404, "no endpoint POST /v2/nowhere");
  auto res = server_->client().Get("/v2/models/nothing");
  EXPECT_EQ(res->status, 404);
  expect_still_serving();
}

TEST_F(BadRequests, InconsistentBinaryData) {
  json header = {{"inputs",
                  {{{"name", "a"},
                    {"datatype", "FP32"},
                    {"shape", {1, 3}},
                    {"parameters", {{"binary_data_size", 12}}}},
                   {{"name", "b"},
                    {"datatype", "FP32"},
                    {"shape", {1, 3}},
                    {"parameters", {{"binary_data_size", 12}}}}}}};
  const std::string json_part = header.dump();
  auto with_length = [&](size_t n) {
    return httplib::Headers{{"Inference-Header-Content-Length", std::to_string(n)}};
  };
  expect_error(kInfer, json_part + std::string(20, '\0'), 400, "runs past the end of the body",
               with_length(json_part.size()));
  expect_error(kInfer, json_part + std::string(30, '\0'), 400, "binary_data_size add up to 24",
               with_length(json_part.size()));
  expect_error(kInfer, json_part + std::string(24, '\0'), 400, "is not a byte count",
               {{"Inference-Header-Content-Length", "12abc"}});
  expect_error(kInfer, json_part, 400, "but the body has only", with_length(json_part.size() + 5));
  header["inputs"][0]["parameters"]["binary_data_size"] = 8;
  expect_error(kInfer, header.dump() + std::string(20, '\0'), 400,
               "binary_data_size is 8 bytes but FP32 [1,3] needs 12",
               with_length(header.dump().size()));
  expect_still_serving();
}

TEST_F(BadRequests, BodyOverTheLimitIs413) {
  std::string body(2 << 20, ' ');  // the fixture's server takes 1 MiB at most
  auto res = server_->client().Post(kInfer, body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  expect_still_serving();
}

TEST_F(BadRequests, ThousandsOfMutatedRequestsNeverCrashTheServer) {
  const std::string valid = add_mul_request({1, 2, 3}, {4, 5, 6}).dump();
  std::mt19937 rng(2024);
  int ok = 0, client_errors = 0, other = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string body = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % body.size();
      switch (rng() % 4) {
        case 0:
          body[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          body.erase(at, 1 + rng() % 8);
          break;
        case 2:
          body.insert(at, std::string(1 + rng() % 3, "{}[],:\"0-9e"[rng() % 11]));
          break;
        default:
          body = body.substr(0, at);
          break;
      }
      if (body.empty()) body = "{";
    }
    auto res = server_->client().Post(kInfer, body, "application/json");
    ASSERT_TRUE(res) << "the server stopped answering at request " << i << ": " << body;
    if (res->status == 200) {
      ++ok;
    } else if (res->status >= 400 && res->status < 500) {
      ++client_errors;
      ASSERT_TRUE(json::parse(res->body, nullptr, false).contains("error")) << res->body;
    } else {
      ++other;
      ADD_FAILURE() << "status " << res->status << " for " << body << ": " << res->body;
    }
  }
  EXPECT_GT(client_errors, 1000);
  EXPECT_EQ(other, 0);
  expect_still_serving();
}

}  // namespace
}  // namespace flowonnx::serve::testing
