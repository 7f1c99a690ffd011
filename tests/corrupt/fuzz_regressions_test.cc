// Regression tests from fuzzing (issue #9, fuzz/ and scripts/fuzz.sh). Two parts:
//  - every committed seed (fuzz/corpus/<target>/) and every crash input the fuzzers found
//    (tests/corrupt/fuzz_regressions/<target>/) goes through the same driver as its fuzz target
//    (fuzz/fuzz_inputs.h), in the ordinary build: it must load or throw flowonnx::Error;
//  - each crash found gets its own case asserting the ErrorCode and message the fix gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../../fuzz/fuzz_inputs.h"
#include "base/logging.h"
#include "onnx/model_io_test_util.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using onnx_io::testing::expect_error;
using onnx_io::testing::read_bytes;

struct Driver {
  std::string target;  // fuzz target name, also the folder name of its inputs
  std::function<void(std::string_view)> run;
};

const std::vector<Driver>& drivers() {
  static const std::vector<Driver> all = {
      {"fuzz_npy", fuzz::run_npy},
      {"fuzz_pickle", fuzz::run_pickle},
      {"fuzz_checkpoint", fuzz::run_checkpoint},
      {"fuzz_tensor_proto", fuzz::run_tensor_proto},
      {"fuzz_model_load", fuzz::run_model_load},
  };
  return all;
}

std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  if (fs::is_directory(folder))
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzInputs : public ::testing::TestWithParam<Driver> {};

// An exception other than flowonnx::Error escapes run() and fails the test; a crash kills it.
TEST_P(FuzzInputs, SeedsAndCrashInputsLoadOrThrowError) {
  const Driver& driver = GetParam();
  const fs::path source = FLOWONNX_SOURCE_DIR;
  auto seeds = files_in(source / "fuzz" / "corpus" / driver.target);
  auto crashes = files_in(source / "tests" / "corrupt" / "fuzz_regressions" / driver.target);
  EXPECT_FALSE(seeds.empty()) << "no seeds in fuzz/corpus/" << driver.target;
  // Seeds without snapshot_done etc. log warnings by design; keep the test output readable.
  struct QuietLogs {
    LogLevel saved = log_level();
    QuietLogs() { set_log_level(LogLevel::Silent); }
    ~QuietLogs() { set_log_level(saved); }
  } quiet;
  for (const auto& files : {seeds, crashes})
    for (const fs::path& file : files) {
      SCOPED_TRACE(file.string());
      EXPECT_NO_THROW(driver.run(read_bytes(file)));
    }
}

INSTANTIATE_TEST_SUITE_P(Replay, FuzzInputs, ::testing::ValuesIn(drivers()),
                         [](const auto& info) { return info.param.target; });

fs::path crash_input(const std::string& target, const std::string& name) {
  return fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "corrupt" / "fuzz_regressions" / target / name;
}

// --- Crashes found by the fuzzers, one case each, through the public API.

// fuzz_pickle (timeout): 40 lists, each holding the previous one twice through the memo, is a
// 327-byte pickle with 2^40 paths; the dotted-key walk followed every path.
TEST(FuzzRegressions, PickleSharedReferencesDoNotExplodeTheWalk) {
  for (const char* name : {"shared_lists_2pow40_paths", "shared_dicts_2pow40_paths"}) {
    SCOPED_TRACE(name);
    const std::string bytes = read_bytes(crash_input("fuzz_pickle", name));
    expect_error([&] { checkpoint::read_pickled_tensor_paths(bytes, "pickled_data"); },
                 ErrorCode::InvalidModel, "pickled_data: more than 262144 values to walk");
    onnx_io::testing::ScratchDir dir;
    fs::create_directories(dir / "ck");
    onnx_io::testing::write_bytes(dir / "ck" / "pickled_data", bytes);
    expect_error([&] { load(dir / "ck"); }, ErrorCode::InvalidModel,
                 "more than 262144 values to walk (shared references repeated "
                 "over and over)");
  }
}

// fuzz_model_load (UBSan, 12:34): Max(data_0, data_0, data_2) with data_0 a scalar (the fuzzer
// broke its shape proto) ran the broadcast loop on a rank-0 output, which indexed out[-2]. Fixed in
// kernels/cpu/broadcast_loop.h by commit a372722 (found by the ASan preset the same hour); this
// pins the variadic path the fuzzer reached: scalars first, then a broadcast.
TEST(FuzzRegressions, VariadicMaxOfScalarsThenVector) {
  ::onnx::ModelProto proto;
  proto.set_ir_version(8);
  proto.add_opset_import()->set_version(13);
  auto* graph = proto.mutable_graph();
  graph->set_name("g");
  onnx_io::testing::set_tensor_type(graph->add_input(), "a", ::onnx::TensorProto::FLOAT, {});
  onnx_io::testing::set_tensor_type(graph->add_input(), "b", ::onnx::TensorProto::FLOAT, {2});
  onnx_io::testing::set_tensor_type(graph->add_output(), "y", ::onnx::TensorProto::FLOAT, {2});
  auto* node = graph->add_node();
  node->set_name("max");
  node->set_op_type("Max");
  for (const char* input : {"a", "a", "b"}) node->add_input(input);
  node->add_output("y");
  InferenceSession session(onnx_io::testing::parse_proto(proto));
  auto outputs = session.run(
      {}, {{"a", Tensor::scalar(1.5f)}, {"b", Tensor::from_vector<float>({2}, {-1.0f, 4.0f})}});
  ASSERT_EQ(outputs.size(), 1u);
  ASSERT_EQ(outputs[0].shape(), (Shape{2}));
  EXPECT_EQ(outputs[0].data<float>()[0], 1.5f);  // max(1.5, 1.5, -1)
  EXPECT_EQ(outputs[0].data<float>()[1], 4.0f);  // max(1.5, 1.5, 4)
  // The fuzzer's own bytes (declared output [3] vs the actual [2]) load or throw an Error.
  EXPECT_NO_THROW(
      fuzz::run_model_load(read_bytes(crash_input("fuzz_model_load", "max_of_two_scalars"))));
}

// fuzz_model_load (uncaught std::out_of_range, 12:44): an opset-10 Softmax whose input had become a
// doc_string reached the pre-opset-13 rewrite in onnx/import/legacy_ops.cc, which read
// node.inputs.at(0) before any arity check.
TEST(FuzzRegressions, LegacySoftmaxWithoutInputIsAnError) {
  ::onnx::ModelProto proto;
  proto.set_ir_version(5);
  proto.add_opset_import()->set_version(10);
  auto* graph = proto.mutable_graph();
  graph->set_name("g");
  onnx_io::testing::set_tensor_type(graph->add_output(), "y", ::onnx::TensorProto::FLOAT, {3});
  auto* node = graph->add_node();
  node->set_name("sm");
  node->set_op_type("Softmax");
  node->add_output("y");
  expect_error([&] { InferenceSession session(onnx_io::testing::parse_proto(proto)); },
               ErrorCode::InvalidModel,
               "Softmax node 'sm' (opset 10): needs 1 input and 1 output, has 0 and 1");
  EXPECT_NO_THROW(fuzz::run_model_load(
      read_bytes(crash_input("fuzz_model_load", "softmax_opset10_without_input"))));
}

// Same class as the Softmax crash, found by looking for .at(0) on tensors in the CPU kernels and
// confirmed with fuzz_model_load (uncaught std::out_of_range): Range, Trilu's k and Dropout's ratio
// fed an empty tensor where ONNX wants a scalar. Files are hand-made models.
TEST(FuzzRegressions, ScalarInputsGivenEmptyTensorsAreErrors) {
  struct Case {
    const char* file;
    std::map<std::string, Tensor> feeds;
    const char* fragment;
  };
  const Tensor empty_float = Tensor::zeros({0});
  const std::vector<Case> cases = {
      {"range_empty_start",
       {{"a", empty_float}, {"b", Tensor::scalar(1.0f)}, {"c", Tensor::scalar(1.0f)}},
       "Range: start, limit and delta must be scalars, input 0 is"},
      {"trilu_empty_k",
       {{"x", Tensor::zeros({2, 2})}, {"k", Tensor::zeros({0}, DType::Int64)}},
       "Trilu: k must be a scalar"},
      {"dropout_empty_ratio",
       {{"x", Tensor::zeros({2})}, {"r", empty_float}, {"t", Tensor::scalar(true)}},
       "Dropout: ratio must be a scalar"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string bytes = read_bytes(crash_input("fuzz_model_load", c.file));
    InferenceSession session(onnx_io::parse_model(bytes, ".", c.file));
    expect_error([&] { session.run({}, c.feeds); }, ErrorCode::InvalidArgument, c.fragment);
  }
}

// fuzz_model_load (UBSan float-cast-overflow, 12:56): an opset-6 Clip on an int16 input. The import
// rule turning Clip's min/max attributes into inputs made an int16 constant from the default min
// -FLT_MAX. Clip and Pad before opset 11 are float-only in ONNX; other types are now refused.
TEST(FuzzRegressions, LegacyClipAndPadOnIntegersAreErrors) {
  for (const char* op : {"Clip", "Pad"}) {
    SCOPED_TRACE(op);
    ::onnx::ModelProto proto;
    proto.set_ir_version(3);
    proto.add_opset_import()->set_version(6);
    auto* graph = proto.mutable_graph();
    graph->set_name("g");
    onnx_io::testing::set_tensor_type(graph->add_input(), "x", ::onnx::TensorProto::INT16, {2});
    onnx_io::testing::set_tensor_type(graph->add_output(), "y", ::onnx::TensorProto::INT16, {});
    auto* node = graph->add_node();
    node->set_name("n");
    node->set_op_type(op);
    node->add_input("x");
    node->add_output("y");
    if (std::string(op) == "Pad") {
      auto* pads = node->add_attribute();
      pads->set_name("pads");
      pads->set_type(::onnx::AttributeProto::INTS);
      pads->add_ints(1);
      pads->add_ints(1);
    }
    expect_error([&] { InferenceSession session(onnx_io::testing::parse_proto(proto)); },
                 ErrorCode::InvalidModel,
                 std::string(op) + " node 'n' (opset 6): " + op +
                     " before opset 11 takes float16, float or double, not int16");
  }
  EXPECT_NO_THROW(
      fuzz::run_model_load(read_bytes(crash_input("fuzz_model_load", "clip_opset6_int16_input"))));
}

// fuzz_model_load (UBSan float-cast-overflow, 13:01): a reduction over an empty int16 tensor
// computed NaN in double and converted it to int16 (src/tensor/tensor.cc convert_elements, which
// every cast goes through). Floating -> integer conversions now give 0 for NaN and saturate.
TEST(FuzzRegressions, FloatToIntegerConversionsAreDefined) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector<float>({5}, {nan, 1e10f, -1e10f, 2.7f, -2.7f});
  Tensor i32 = x.to(DType::Int32);
  const int32_t* v = i32.data<int32_t>();
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[1], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(v[2], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(v[3], 2);  // truncation toward zero, as before
  EXPECT_EQ(v[4], -2);
  Tensor i16 = Tensor::from_vector<double>({2}, {1e300, -40000.0}).to(DType::Int16);
  EXPECT_EQ(i16.data<int16_t>()[0], std::numeric_limits<int16_t>::max());
  EXPECT_EQ(i16.data<int16_t>()[1], std::numeric_limits<int16_t>::min());
  Tensor u8 = Tensor::full({1}, -1.0, DType::UInt8);
  EXPECT_EQ(u8.data<uint8_t>()[0], 0);
  EXPECT_NO_THROW(
      fuzz::run_model_load(read_bytes(crash_input("fuzz_model_load", "reduce_int16_nan"))));
}

// fuzz_model_load (UBSan, 13:14): Conv with x and w declared as scalars. Session type inference
// (runtime/type_inference.cc infer_window_op) read the weight's dim 0 of an empty shape. It now
// leaves such shapes to the kernel, which refuses the input at run time.
TEST(FuzzRegressions, ConvWithScalarOperandsIsAnError) {
  ::onnx::ModelProto proto;
  proto.set_ir_version(8);
  proto.add_opset_import()->set_version(13);
  auto* graph = proto.mutable_graph();
  graph->set_name("g");
  onnx_io::testing::set_tensor_type(graph->add_input(), "x", ::onnx::TensorProto::FLOAT, {});
  onnx_io::testing::set_tensor_type(graph->add_input(), "w", ::onnx::TensorProto::FLOAT, {});
  onnx_io::testing::set_tensor_type(graph->add_output(), "y", ::onnx::TensorProto::FLOAT, {});
  auto* node = graph->add_node();
  node->set_name("conv");
  node->set_op_type("Conv");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");
  InferenceSession session(onnx_io::testing::parse_proto(proto));
  expect_error(
      [&] {
        session.run({}, {{"x", Tensor::scalar(1.0f)}, {"w", Tensor::scalar(1.0f)}});
      },
      ErrorCode::InvalidArgument, "Conv: input must be float32 of rank >= 3, got float32[]");
  EXPECT_NO_THROW(
      fuzz::run_model_load(read_bytes(crash_input("fuzz_model_load", "conv_rank0_weight_type"))));
}

}  // namespace
}  // namespace flowonnx
