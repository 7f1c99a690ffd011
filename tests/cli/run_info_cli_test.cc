// `flowonnx export`, `info` and `run` as a user chains them.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

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

}  // namespace
}  // namespace flowonnx
