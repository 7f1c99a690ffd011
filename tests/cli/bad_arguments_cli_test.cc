// The CLI rule book (docs/cli.md), one row per bad invocation: the exit code (2 for usage errors,
// 1 for errors found while working) and the one `error:` line that must say what is wrong.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "verify/verify_test_util.h"

namespace flowonnx {
namespace {

struct BadArguments {
  const char* args;
  int exit_code;
  const char* message;  // a part of the error line
};

// Readable test names in ctest's list: the arguments.
void PrintTo(const BadArguments& row, std::ostream* out) { *out << row.args; }

class BadArgumentsCli : public ::testing::TestWithParam<BadArguments> {};

TEST_P(BadArgumentsCli, ExitCodeAndErrorLine) {
  const BadArguments& row = GetParam();
  auto result = test_util::run_command(std::string(FLOWONNX_CLI_PATH) + " " + row.args +
                                       " </dev/null");
  EXPECT_EQ(result.exit_code, row.exit_code) << row.args << "\n" << result.output;
  EXPECT_NE(result.output.find(std::string("error: ") + row.message), std::string::npos)
      << row.args << "\n" << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BadArgumentsCli,
    ::testing::Values(
        BadArguments{"convert x", 2, "unknown subcommand 'convert'"},
        BadArguments{"run", 2, "model is required"},
        BadArguments{"bench /nonexistent/m.onnx", 1, "/nonexistent/m.onnx: cannot open"},
        BadArguments{"info /nonexistent/m.onnx", 1, "/nonexistent/m.onnx: cannot open"},
        BadArguments{"bench m.onnx --tf32 --fp16", 2, "--tf32 excludes --fp16"},
        BadArguments{"bench m.onnx --batch 0", 2, "--batch: must be >= 1, got 0"},
        BadArguments{"bench m.onnx --runs 0", 2, "--runs: must be >= 1, got 0"},
        BadArguments{"bench m.onnx --warmup -1", 2, "--warmup: must be >= 0, got -1"},
        BadArguments{"bench m.onnx --threads -2", 2, "--threads: must be >= 0, got -2"},
        BadArguments{"run m.onnx --threads -2", 2, "--threads: must be >= 0, got -2"},
        BadArguments{"infer --model resnet18 --threads -2", 2, "--threads: must be >= 0, got -2"},
        BadArguments{"export --model resnet18 --check --rtol -1", 2, "--rtol: must be >= 0, got -1"},
        BadArguments{"export --model resnet18 --check --atol x", 2, "--atol: 'x' is not a number"},
        BadArguments{"simplify a.onnx b.onnx --check -3", 2, "--check: must be >= 0, got -3"},
        BadArguments{"demo --work-dir /proc/version", 1,
                     "--work-dir /proc/version: exists and is not a folder"},
        BadArguments{"demo --work-dir /proc/version/sub", 1,
                     "--work-dir /proc/version/sub: cannot create the folder"},
        BadArguments{"demo --model bert_tiny", 1,
                     "demo --model bert_tiny: the demo classifies images, and this model takes "
                     "int64 [1,16]"}));

}  // namespace
}  // namespace flowonnx
