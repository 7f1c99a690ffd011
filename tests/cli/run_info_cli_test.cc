// `flowonnx export`, `info` and `run` as a user chains them.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/zoo.h"
#include "onnx/export/exporter.h"
#include "oracle/ort_oracle.h"
#include "tensor/npy.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out, err;
};

Result run_cli(const std::string& args, const fs::path& dir) {
  fs::path err_file = dir / "stderr.txt";
  std::string command = std::string(FLOWONNX_CLI_PATH) + " " + args + " 2>" + err_file.string();
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  std::string err;
  if (FILE* f = fopen(err_file.c_str(), "r")) {
    while (size_t n = fread(buffer.data(), 1, buffer.size(), f)) err.append(buffer.data(), n);
    fclose(f);
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

class RunInfoCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("flowonnx_runinfo_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    Result exported = run_cli("export --model resnet18 --seed 5 --input-shape 1,3,32,32 --dynamic-batch --no-simplify -o " +
                                  (dir_ / "r18").string(), dir_);
    ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
    model_ = dir_ / "r18" / "model.onnx";
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static inline fs::path dir_, model_;
};

TEST_F(RunInfoCliTest, InfoDescribesTheExportedModel) {
  Result text = run_cli("info " + model_.string(), dir_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("_ResNet18Graph_0-input_0/out tensor(float) [N,3,32,32]"), std::string::npos) << text.out;
  Result json = run_cli("info --json " + model_.string(), dir_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json info = nlohmann::json::parse(json.out);
  EXPECT_EQ(info["ops"]["Conv"], 20);
  EXPECT_EQ(info["ops"]["BatchNormalization"], 20);
  // torchvision's 11,689,512 parameters plus the BN running mean/var (2 x 4,800 channels).
  EXPECT_EQ(info["parameters"], 11689512 + 9600);
  EXPECT_EQ(info["opsets"]["ai.onnx"], kPreferredOpset);
  EXPECT_TRUE(info["flops_complete"]);
  // ResNet-18 at 32x32 is 1/49 of its 224x224 work (1.82 GMACs): conv + fc MACs x2.
  EXPECT_NEAR(info["flops"].get<double>() / 1e9, 2 * 1.8186 / 49.0 + 2 * 512 * 1000 / 1e9 * (1 - 1 / 49.0), 0.01);
}

TEST_F(RunInfoCliTest, RunMatchesTheEagerModelAndSavesOutputs) {
  Generator gen(2);
  Tensor x = randn({2, 3, 32, 32}, gen);
  write_npy(dir_ / "x.npy", x);
  fs::path y = dir_ / "y.npy";
  Result run = run_cli("run " + model_.string() + " --input " + (dir_ / "x.npy").string() + " --output " +
                           y.string() + " --threads 1", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("_ResNet18Graph_0-output_0/out: float32[2,1000]"), std::string::npos) << run.out;
  auto model = models::create_seeded_model("resnet18", 5);  // what `export --seed 5` builds
  model->eval();
  auto result = testing::compare_tensors(read_npy(y), model->forward(x), 1e-4, 1e-5);
  EXPECT_TRUE(result.ok()) << result;
}

TEST_F(RunInfoCliTest, BadBindingsAndFilesAreErrors) {
  write_npy(dir_ / "small.npy", randn({1, 3, 16, 16}));
  Result unknown = run_cli("run " + model_.string() + " --input nope=" + (dir_ / "small.npy").string(), dir_);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no input named 'nope'"), std::string::npos) << unknown.err;
  Result wrong_shape = run_cli("run " + model_.string() + " --input " + (dir_ / "small.npy").string(), dir_);
  EXPECT_EQ(wrong_shape.exit_code, 1);
  EXPECT_NE(wrong_shape.err.find("error:"), std::string::npos);
  Result missing = run_cli("info " + (dir_ / "missing.onnx").string(), dir_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("missing.onnx"), std::string::npos) << missing.err;
  Result garbage_type = run_cli("run " + model_.string() + " --input x.txt", dir_);
  EXPECT_EQ(garbage_type.exit_code, 1);
  EXPECT_NE(garbage_type.err.find("use .npy or .pb"), std::string::npos) << garbage_type.err;
}

// run --random-input / --save-inputs make a test case; --expected checks against it: exit 0 on
// the same inputs, exit 3 naming the worst element once one value of the reference is changed.
TEST_F(RunInfoCliTest, RandomInputsSavedInputsAndExpectedOutputs) {
  const fs::path inputs = dir_ / "case", y = dir_ / "ref.npy";
  Result made = run_cli("run " + model_.string() + " --random-input --seed 7 --save-inputs " +
                            inputs.string() + " --output " + y.string(), dir_);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(fs::exists(inputs / "input_0.pb")) << made.out;
  EXPECT_NE(made.out.find("_ResNet18Graph_0-output_0/out: float32[1,1000]"), std::string::npos)
      << made.out;  // the symbolic batch N drawn as 1

  Result same = run_cli("run " + model_.string() + " --input " + (inputs / "input_0.pb").string() +
                            " --expected " + y.string(), dir_);
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("check passed: 1 output(s) as expected"), std::string::npos) << same.out;
  Result again = run_cli("run " + model_.string() + " --random-input --seed 7 --expected " +
                             y.string() + " --rtol 0 --atol 0", dir_);
  EXPECT_EQ(again.exit_code, 0) << "the same seed gives the same inputs\n" << again.out;

  Tensor changed = read_npy(y).clone();
  changed.data<float>()[17] += 1.0f;
  write_npy(dir_ / "changed.npy", changed);
  Result differs = run_cli("run " + model_.string() + " --input " +
                               (inputs / "input_0.pb").string() + " --expected " +
                               (dir_ / "changed.npy").string(), dir_);
  EXPECT_EQ(differs.exit_code, 3) << differs.out << differs.err;
  EXPECT_NE(differs.out.find("1 of 1000 outside"), std::string::npos) << differs.out;
  EXPECT_NE(differs.out.find("worst: _ResNet18Graph_0-output_0/out[0, 17]"), std::string::npos)
      << differs.out;
  EXPECT_NE(differs.err.find("check FAILED: output '_ResNet18Graph_0-output_0/out' differs"),
            std::string::npos)
      << differs.err;
}

// info --dot: one box per node, the graph's input and output, edges labelled with types; and the
// compute line names MACs and FLOPs.
TEST_F(RunInfoCliTest, InfoDrawsTheGraphAndNamesMacsAndFlops) {
  const fs::path dot = dir_ / "graph.dot";
  Result json = run_cli("info --json --dot " + dot.string() + " " + model_.string(), dir_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json info = nlohmann::json::parse(json.out);
  EXPECT_EQ(info["macs"].get<int64_t>() * 2, info["flops"].get<int64_t>());
  std::ifstream in(dot);
  std::stringstream text;
  text << in.rdbuf();
  const std::string graph = text.str();
  ASSERT_EQ(graph.rfind("digraph \"ResNet18Graph_0\" {", 0), 0u) << graph.substr(0, 200);
  const std::regex box(R"(\n  n\d+ \[shape=box)");
  const auto boxes = std::distance(std::sregex_iterator(graph.begin(), graph.end(), box),
                                   std::sregex_iterator());
  EXPECT_EQ(boxes, info["nodes"].get<int64_t>());
  EXPECT_NE(graph.find("label=\"conv2d-0\\nConv\\n(1 weight)\"]"), std::string::npos);
  EXPECT_NE(graph.find("in0 -> n0 [label=\"f32[N,3,32,32]\"]"), std::string::npos);
  EXPECT_NE(graph.find(" -> out0;"), std::string::npos);
  EXPECT_EQ(graph.substr(graph.size() - 2), "}\n");

  Result text_info = run_cli("info " + model_.string(), dir_);
  EXPECT_NE(text_info.out.find(" G MACs (multiply-adds) = "), std::string::npos) << text_info.out;
  EXPECT_NE(text_info.out.find(" GFLOPs (2 per MAC) per run"), std::string::npos) << text_info.out;
}

}  // namespace
}  // namespace flowonnx
