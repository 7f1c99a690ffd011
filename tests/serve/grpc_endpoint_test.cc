// The gRPC endpoint (Triton's GRPCInferenceService) against an in-process server, through a stub
// generated from the same grpc_service.proto: health, metadata, config, infer with raw and typed
// tensor contents, statistics, repository calls, and errors as gRPC status codes.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstring>

#include "grpc_service.grpc.pb.h"
#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

class GrpcEndpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = std::make_unique<Repository>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    repository_->add("add_mul", add_mul_model());
    server_ = std::make_unique<RunningServer>(repository_->root());
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->server().grpc_port()),
                                       grpc::InsecureChannelCredentials());
    stub_ = inference::GRPCInferenceService::NewStub(channel);
  }

  // An add_mul request for one row, with raw tensor bytes.
  static inference::ModelInferRequest raw_request(const std::vector<float>& a,
                                                  const std::vector<float>& b) {
    inference::ModelInferRequest request;
    request.set_model_name("add_mul");
    request.set_id("g1");
    for (const auto& [name, values] : {std::pair{"a", &a}, std::pair{"b", &b}}) {
      auto* input = request.add_inputs();
      input->set_name(name);
      input->set_datatype("FP32");
      input->add_shape(1);
      input->add_shape(3);
      request.add_raw_input_contents(reinterpret_cast<const char*>(values->data()), 12);
    }
    return request;
  }

  std::unique_ptr<Repository> repository_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

TEST_F(GrpcEndpoint, HealthAndMetadata) {
  grpc::ClientContext live_context;
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub_->ServerLive(&live_context, {}, &live).ok());
  EXPECT_TRUE(live.live());
  grpc::ClientContext meta_context;
  inference::ServerMetadataResponse meta;
  ASSERT_TRUE(stub_->ServerMetadata(&meta_context, {}, &meta).ok());
  EXPECT_EQ(meta.name(), "flowonnx");

  grpc::ClientContext model_context;
  inference::ModelMetadataRequest model_request;
  model_request.set_name("add_mul");
  inference::ModelMetadataResponse model;
  ASSERT_TRUE(stub_->ModelMetadata(&model_context, model_request, &model).ok());
  ASSERT_EQ(model.inputs_size(), 2);
  EXPECT_EQ(model.inputs(1).name(), "b");
  EXPECT_EQ(model.inputs(1).datatype(), "FP32");
  EXPECT_EQ(std::vector<int64_t>(model.inputs(1).shape().begin(), model.inputs(1).shape().end()),
            (std::vector<int64_t>{-1, 3}));

  grpc::ClientContext config_context;
  inference::ModelConfigRequest config_request;
  config_request.set_name("add_mul");
  inference::ModelConfigResponse config;
  ASSERT_TRUE(stub_->ModelConfig(&config_context, config_request, &config).ok());
  EXPECT_EQ(config.config().max_batch_size(), 8);
  EXPECT_EQ(config.config().output(0).name(), "sum");
}

TEST_F(GrpcEndpoint, InferWithRawAndTypedContents) {
  const std::vector<float> a = {1.5f, -2, 4}, b = {2, 0.25f, -8};
  grpc::ClientContext context;
  inference::ModelInferResponse response;
  grpc::Status status = stub_->ModelInfer(&context, raw_request(a, b), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.id(), "g1");
  EXPECT_EQ(response.model_version(), "1");
  ASSERT_EQ(response.outputs_size(), 2);
  ASSERT_EQ(response.raw_output_contents_size(), 2);
  std::vector<float> sum(3), prod(3);
  ASSERT_EQ(response.raw_output_contents(0).size(), 12u);
  std::memcpy(sum.data(), response.raw_output_contents(0).data(), 12);
  std::memcpy(prod.data(), response.raw_output_contents(1).data(), 12);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sum[i], a[i] + b[i]);
    EXPECT_EQ(prod[i], a[i] * b[i]);
  }

  // Typed contents, one requested output.
  inference::ModelInferRequest typed = raw_request(a, b);
  typed.clear_raw_input_contents();
  for (float v : a) typed.mutable_inputs(0)->mutable_contents()->add_fp32_contents(v);
  for (float v : b) typed.mutable_inputs(1)->mutable_contents()->add_fp32_contents(v);
  typed.add_outputs()->set_name("prod");
  grpc::ClientContext typed_context;
  inference::ModelInferResponse typed_response;
  status = stub_->ModelInfer(&typed_context, typed, &typed_response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(typed_response.outputs_size(), 1);
  EXPECT_EQ(typed_response.outputs(0).name(), "prod");
  std::memcpy(prod.data(), typed_response.raw_output_contents(0).data(), 12);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(prod[i], a[i] * b[i]);

  grpc::ClientContext stats_context;
  inference::ModelStatisticsRequest stats_request;
  stats_request.set_name("add_mul");
  inference::ModelStatisticsResponse stats;
  ASSERT_TRUE(stub_->ModelStatistics(&stats_context, stats_request, &stats).ok());
  ASSERT_EQ(stats.model_stats_size(), 1);
  EXPECT_EQ(stats.model_stats(0).inference_stats().success().count(), 2u);
}

TEST_F(GrpcEndpoint, ErrorsAreStatusCodes) {
  inference::ModelInferRequest request = raw_request({1, 2, 3}, {4, 5, 6});
  request.set_model_name("nothing");
  grpc::ClientContext unknown_context;
  inference::ModelInferResponse response;
  grpc::Status status = stub_->ModelInfer(&unknown_context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("unknown model 'nothing'"), std::string::npos);

  request = raw_request({1, 2, 3}, {4, 5, 6});
  request.mutable_raw_input_contents(1)->resize(8);
  grpc::ClientContext size_context;
  status = stub_->ModelInfer(&size_context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(
      status.error_message().find("raw_input_contents[1] has 8 bytes but FP32 [1,3] needs 12"),
      std::string::npos)
      << status.error_message();

  request = raw_request({1, 2, 3}, {4, 5, 6});
  request.mutable_inputs(0)->set_datatype("INT64");
  request.mutable_raw_input_contents(0)->resize(24);
  grpc::ClientContext type_context;
  status = stub_->ModelInfer(&type_context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("datatype INT64 but model 'add_mul' expects FP32"),
            std::string::npos);
}

TEST_F(GrpcEndpoint, RepositoryIndexUnloadAndLoad) {
  grpc::ClientContext unload_context;
  inference::RepositoryModelUnloadRequest unload;
  unload.set_model_name("add_mul");
  inference::RepositoryModelUnloadResponse unloaded;
  ASSERT_TRUE(stub_->RepositoryModelUnload(&unload_context, unload, &unloaded).ok());
  grpc::ClientContext ready_context;
  inference::ModelReadyRequest ready_request;
  ready_request.set_name("add_mul");
  inference::ModelReadyResponse ready;
  ASSERT_TRUE(stub_->ModelReady(&ready_context, ready_request, &ready).ok());
  EXPECT_FALSE(ready.ready());
  grpc::ClientContext index_context;
  inference::RepositoryIndexResponse index;
  ASSERT_TRUE(stub_->RepositoryIndex(&index_context, {}, &index).ok());
  ASSERT_EQ(index.models_size(), 1);
  EXPECT_EQ(index.models(0).state(), "UNAVAILABLE");
  grpc::ClientContext load_context;
  inference::RepositoryModelLoadRequest load;
  load.set_model_name("add_mul");
  inference::RepositoryModelLoadResponse loaded;
  ASSERT_TRUE(stub_->RepositoryModelLoad(&load_context, load, &loaded).ok());
  grpc::ClientContext infer_context;
  inference::ModelInferResponse response;
  EXPECT_TRUE(stub_->ModelInfer(&infer_context, raw_request({1, 2, 3}, {1, 1, 1}), &response).ok());
}

}  // namespace
}  // namespace flowonnx::serve::testing
