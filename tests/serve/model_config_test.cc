// config.pbtxt: Triton's text format parsed against our ModelConfig subset,
// errors that name the file and line, checks against the ONNX model, the config
// derived when there is none, and the version policy.
#include "serve/model_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "runtime/expect_error.h"
#include "serve/serve_fixture.h"

namespace flowonnx::serve::testing {
namespace {

// The config is refused with an InvalidArgument error whose message contains
// `part`.
template <typename Body>
void expect_refused(Body&& body, ErrorCode code, const std::string& part) {
  ::flowonnx::testing::expect_error(body, code, std::vector<std::string>{part});
}

class ModelConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowonnx_serve_config_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    fs::path file = dir_ / "config.pbtxt";
    std::ofstream(file) << text;
    return file;
  }
  inference::ModelConfig complete(const std::string& text) {
    inference::ModelConfig config = parse_model_config(write(text));
    complete_model_config(config, "add_mul", session_, "config.pbtxt");
    return config;
  }
  fs::path dir_;
  InferenceSession session_{add_mul_model()};
};

TEST_F(ModelConfigTest, ParsesTritonsFieldsAndSkipsOthers) {
  inference::ModelConfig config = parse_model_config(write(R"(
name: "add_mul"
platform: "onnxruntime_onnx"
max_batch_size: 16
input [ { name: "a" data_type: TYPE_FP32 dims: [ 3 ] } ]
dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
instance_group [ { count: 2 kind: KIND_CPU } ]
optimization { execution_accelerators { cpu_execution_accelerator : [ { name : "openvino" } ] } }
)"));
  EXPECT_EQ(config.max_batch_size(), 16);
  EXPECT_EQ(config.input(0).dims(0), 3);
  EXPECT_EQ(config.dynamic_batching().preferred_batch_size_size(), 2);
  EXPECT_EQ(config.dynamic_batching().max_queue_delay_microseconds(), 100u);
  EXPECT_EQ(instance_count(config), 2);
}

TEST_F(ModelConfigTest, SyntaxErrorsNameFileLineAndColumn) {
  fs::path file = write("name: \"m\"\nmax_batch_size: \"eight\"\n");
  expect_refused([&] { parse_model_config(file); }, ErrorCode::InvalidArgument,
                 file.string() + ":2:17:");
  file = write("input [ { name: \"a\" \n");
  expect_refused([&] { parse_model_config(file); }, ErrorCode::InvalidArgument,
                 file.string() + ":2:");
}

TEST_F(ModelConfigTest, ChecksTheConfigAgainstTheModel) {
  EXPECT_EQ(complete("max_batch_size: 4").input_size(),
            2);  // filled from the model
  expect_refused(
      [&] {
        complete(
            "max_batch_size: 4\ninput [ { name: \"a\" data_type: "
            "TYPE_INT64 dims: [3] } ]");
      },
      ErrorCode::InvalidArgument,
      "config.pbtxt: input 'a' has data_type TYPE_INT64 but the model's is "
      "TYPE_FP32");
  expect_refused(
      [&] {
        complete(
            "max_batch_size: 4\ninput [ { name: \"a\" data_type: "
            "TYPE_FP32 dims: [4] } ]");
      },
      ErrorCode::InvalidArgument, "input 'a' has dims [4] but the model's are [3]");
  expect_refused([&] { complete("input [ { name: \"z\" data_type: TYPE_FP32 dims: [3] } ]"); },
                 ErrorCode::InvalidArgument,
                 "input 'z' is not an input of the model (its inputs: a, b)");
  expect_refused(
      [&] {
        complete(
            "max_batch_size: 4\ninput [ { name: \"a\" data_type: "
            "TYPE_FP32 dims: [3] } ]");
      },
      ErrorCode::InvalidArgument, "the model's input 'b' is missing from the config");
  expect_refused([&] { complete("name: \"other\""); }, ErrorCode::InvalidArgument,
                 "name 'other' differs from the model's folder name 'add_mul'");
  expect_refused([&] { complete("platform: \"tensorrt_plan\""); }, ErrorCode::InvalidArgument,
                 "platform 'tensorrt_plan' is not served");
  expect_refused([&] { complete("dynamic_batching { }"); }, ErrorCode::InvalidArgument,
                 "dynamic_batching needs max_batch_size > 0");
  expect_refused(
      [&] {
        complete(
            "max_batch_size: 4\ndynamic_batching { preferred_batch_size: "
            "[ 6 ] }");
      },
      ErrorCode::InvalidArgument, "preferred_batch_size 6 is outside [1, max_batch_size 4]");
  // A model with a fixed batch of 2 cannot take max_batch_size > 0.
  InferenceSession fixed(add_mul_model(2));
  inference::ModelConfig config;
  config.set_max_batch_size(4);
  expect_refused([&] { complete_model_config(config, "fixed", fixed, "config.pbtxt"); },
                 ErrorCode::InvalidArgument,
                 "max_batch_size > 0 needs a variable first dim on input 'a'");
}

TEST_F(ModelConfigTest, DerivedConfigBatchesWhenEveryFirstDimIsVariable) {
  inference::ModelConfig derived = derive_model_config("add_mul", session_);
  EXPECT_EQ(derived.max_batch_size(), kDerivedMaxBatchSize);
  EXPECT_TRUE(derived.has_dynamic_batching());
  ASSERT_EQ(derived.output_size(), 2);
  EXPECT_EQ(derived.output(1).name(), "prod");
  EXPECT_EQ(derived.output(1).dims_size(), 1);
  InferenceSession fixed(add_mul_model(2));
  inference::ModelConfig unbatched = derive_model_config("fixed", fixed);
  EXPECT_EQ(unbatched.max_batch_size(), 0);
  EXPECT_FALSE(unbatched.has_dynamic_batching());
  EXPECT_EQ(unbatched.input(0).dims_size(), 2);
}

TEST_F(ModelConfigTest, VersionPolicy) {
  const std::set<int64_t> on_disk = {1, 2, 5};
  inference::ModelConfig config;
  EXPECT_EQ(select_versions(config, on_disk), (std::set<int64_t>{5}));
  config.mutable_version_policy()->mutable_latest()->set_num_versions(2);
  EXPECT_EQ(select_versions(config, on_disk), (std::set<int64_t>{2, 5}));
  config.mutable_version_policy()->mutable_all();
  EXPECT_EQ(select_versions(config, on_disk), on_disk);
  config.mutable_version_policy()->mutable_specific()->add_versions(1);
  config.mutable_version_policy()->mutable_specific()->add_versions(9);
  EXPECT_EQ(select_versions(config, on_disk), (std::set<int64_t>{1}));
}

}  // namespace
}  // namespace flowonnx::serve::testing
