// `flowonnx export --check` as a user runs it: a good export passes (exit 0) with the report; an
// export whose weights come from a checkpoint with one tensor changed fails with exit 3, the
// outlier table and a one-line verdict.
#include <gtest/gtest.h>

#include "flow/checkpoint.h"
#include "verify/verify_test_util.h"

namespace flowonnx {
namespace {

using test_util::run_command;
using test_util::TempDir;

std::string cli() { return FLOWONNX_CLI_PATH; }

TEST(ExportCheckCliTest, GoodExportPassesAtBothBatches) {
  TempDir dir("cli_check");
  auto r = run_command(
      cli() + " export --model resnet18 --input-shape 1,3,32,32 --dynamic-batch --check -o " +
      dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("check passed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[1,1000]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[3,1000]"), std::string::npos) << "second batch: " << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "model.onnx"));
}

TEST(ExportCheckCliTest, PerturbedWeightFailsWithExitCode3AndOutliers) {
  TempDir dir("cli_check");
  auto ck = dir.path() / "ck", broken = dir.path() / "broken";
  ASSERT_EQ(run_command(cli() + " init --model resnet18 --seed 2 -o " + ck.string()).exit_code, 0);
  test_util::save_perturbed_checkpoint(load(ck), "conv1.weight", 5, 1.0f, broken);
  auto r = run_command(cli() + " export --model resnet18 --weights " + ck.string() +
                       " --flow-weight-dir " + broken.string() +
                       " --input-shape 1,3,32,32 --check --print-outlier -o " +
                       (dir.path() / "out").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("check FAILED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("outliers of _ResNet18Graph_0-output_0/out"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("framework"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("... and "), std::string::npos) << "the table is capped: " << r.output;

  // The same export against its own weights passes; a loose tolerance is honoured.
  auto same = run_command(cli() + " export --model resnet18 --weights " + ck.string() +
                          " --input-shape 1,3,32,32 --check -o " + (dir.path() / "ok").string());
  EXPECT_EQ(same.exit_code, 0) << same.output;
  auto loose = run_command(cli() + " export --model resnet18 --weights " + ck.string() +
                           " --flow-weight-dir " + broken.string() +
                           " --input-shape 1,3,32,32 --check --atol 1e9 -o " +
                           (dir.path() / "loose").string());
  EXPECT_EQ(loose.exit_code, 0) << loose.output;
}

TEST(ExportCheckCliTest, NegativeToleranceIsAUsageError) {
  auto r = run_command(cli() + " export --model resnet18 --check --rtol -1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace flowonnx
