// Runs the built flowonnx binary as a user would and checks exit codes, output and files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "tensor/npy.h"
#include "verify/verify_test_util.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

// The built CLI with `args`; stdout and stderr together.
test_util::CommandResult run_cli(const std::string& args) {
  return test_util::run_command(std::string(FLOWONNX_CLI_PATH) + " " + args);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowonnx_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CliTest, ModelsListsTheZoo) {
  auto r = run_cli("models");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("resnet34"), std::string::npos);
  EXPECT_NE(r.output.find("wide_resnet50_2"), std::string::npos);
}

TEST_F(CliTest, InitThenInferWritesLogits) {
  fs::path ck = dir_ / "ck", x = dir_ / "x.npy", y = dir_ / "y.npy";
  auto init = run_cli("init --model resnet18 --seed 3 -o " + ck.string());
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_TRUE(fs::exists(ck / "snapshot_done"));
  EXPECT_TRUE(fs::exists(ck / "conv1.weight" / "out"));
  Generator gen(1);
  write_npy(x, randn({2, 3, 64, 64}, gen));
  auto infer = run_cli("infer --model resnet18 --weights " + ck.string() + " --input " + x.string() +
                         " --output " + y.string() + " --threads 1");
  ASSERT_EQ(infer.exit_code, 0) << infer.output;
  EXPECT_NE(infer.output.find("top-5 [1]:"), std::string::npos) << infer.output;
  Tensor logits = read_npy(y);
  EXPECT_EQ(logits.shape(), (Shape{2, 1000}));
}

TEST_F(CliTest, MissingWeightsIsAnErrorAndWritesNothing) {
  fs::path y = dir_ / "y.npy";
  auto r = run_cli("infer --model resnet18 --weights " + (dir_ / "nope").string() +
                     " --input-shape 1,3,32,32 --output " + y.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("error:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nope"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(y));
}

TEST_F(CliTest, WrongCheckpointModelNamesTheMismatch) {
  fs::path ck = dir_ / "ck";
  ASSERT_EQ(run_cli("init --model resnet18 -o " + ck.string()).exit_code, 0);
  auto r = run_cli("infer --model resnet34 --weights " + ck.string() + " --input-shape 1,3,32,32");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing key(s): layer1.2"), std::string::npos) << r.output;
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_cli("infer --input x.npy").exit_code, 2);
  EXPECT_EQ(run_cli("no-such-command").exit_code, 2);
  EXPECT_EQ(run_cli("infer --help").exit_code, 0);
  auto unknown = run_cli("init --model resnet35 -o " + (dir_ / "ck").string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("unknown model 'resnet35'"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "ck"));
}

}  // namespace
}  // namespace flowonnx
