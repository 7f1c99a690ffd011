// `flowonnx simplify` and `flowonnx optimize` as a user runs them: exit codes, the before/after
// table, --check, external data kept, --list, and `export --no-simplify`.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "onnx/model_io.h"
#include "verify/verify_test_util.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

// The built CLI with `args`; stdout and stderr together.
test_util::CommandResult run_flowonnx(const std::string& args) {
  return test_util::run_command(std::string(FLOWONNX_CLI_PATH) + " " + args);
}

int count_op(const fs::path& path, const std::string& op) {
  int count = 0;
  onnx_io::Model model = onnx_io::load_model(path);  // named: the loop must not outlive it
  for (const auto& node : model.graph.nodes()) count += node->op_type == op;
  return count;
}

class SimplifyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowonnx_simplify_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path export_plain(bool external) {
    fs::path path = dir_ / "plain.onnx";
    auto r = run_flowonnx("export --model resnet18 --input-shape 1,3,32,32 --dynamic-batch --no-simplify" +
                               std::string(external ? " --external-data" : "") + " -o " + path.string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return path;
  }
  fs::path dir_;
};

TEST_F(SimplifyCliTest, SimplifyFoldsBatchNormChecksAndKeepsExternalData) {
  fs::path plain = export_plain(true), out = dir_ / "simple.onnx";
  EXPECT_EQ(count_op(plain, "BatchNormalization"), 20);
  auto r = run_flowonnx("simplify " + plain.string() + " " + out.string() + " --check 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("check passed: 2 random input(s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("BatchNormalization"), std::string::npos) << r.output;  // the table
  EXPECT_NE(r.output.find("initializer bytes"), std::string::npos) << r.output;
  EXPECT_EQ(count_op(out, "BatchNormalization"), 0);
  EXPECT_TRUE(fs::exists(dir_ / "simple.onnx.data"));
  EXPECT_LT(fs::file_size(out), 100000u);
}

TEST_F(SimplifyCliTest, SkipFuseBnKeepsBatchNormAndPrintAfterDumps) {
  fs::path plain = export_plain(false), out = dir_ / "simple.onnx";
  auto r = run_flowonnx("simplify " + plain.string() + " " + out.string() +
                             " --skip-fuse-bn --print-after eliminate_deadend");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--- after eliminate_deadend"), std::string::npos);
  EXPECT_EQ(count_op(out, "BatchNormalization"), 20);
  EXPECT_FALSE(fs::exists(dir_ / "simple.onnx.data"));
}

TEST_F(SimplifyCliTest, OverwriteInputShapeAndBadUsage) {
  fs::path plain = export_plain(false), out = dir_ / "simple.onnx";
  std::string input = onnx_io::load_model(plain).graph.inputs[0];
  auto r = run_flowonnx("simplify " + plain.string() + " " + out.string() +
                             " --overwrite-input-shape '" + input + ":4,3,32,32'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  onnx_io::Model model = onnx_io::load_model(out);
  EXPECT_EQ(model.graph.type(input).to_string(), "f32[4,3,32,32]");
  auto bad = run_flowonnx("simplify " + plain.string() + " " + out.string() +
                               " --overwrite-input-shape nope:1,2");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("error: --overwrite-input-shape: 'nope' is not an input"), std::string::npos) << bad.output;
  EXPECT_EQ(run_flowonnx("simplify " + plain.string()).exit_code, 2);
}

TEST_F(SimplifyCliTest, OptimizeListsPassesAndRunsChosenOnes) {
  auto list = run_flowonnx("optimize --list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  for (const char* name : {"fuse_bn_into_conv", "eliminate_nop_transpose", "fuse_consecutive_slices",
                           "extract_constant_to_initializer", "eliminate_common_subexpression"})
    EXPECT_NE(list.output.find(name), std::string::npos) << name;
  fs::path plain = export_plain(false), out = dir_ / "opt.onnx";
  auto r = run_flowonnx("optimize " + plain.string() + " " + out.string() +
                             " --passes fuse_bn_into_conv,eliminate_unused_initializer");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count_op(out, "BatchNormalization"), 0);
  EXPECT_EQ(count_op(out, "Conv"), 20);
  auto unknown = run_flowonnx("optimize " + plain.string() + " " + out.string() + " --passes nope");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("unknown pass 'nope'"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace flowonnx
