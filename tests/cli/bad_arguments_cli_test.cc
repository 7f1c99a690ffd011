// The CLI rule book (docs/cli.md), one row per bad invocation: the exit code (2 for usage errors,
// 1 for errors found while working) and the one `error:` line that must say what is wrong.
// In a row, {tmp} is a folder holding f32.npy (float32[1,3,32,32]), f64.npy (float64[1,3,32,32]),
// i64.npy (int64[3,4,5]), trunc.jpg (the first half of data/cat.jpg), a plain file x.npy and a
// folder m.onnx/; {add} is the ONNX node test
// model test_add (float32 inputs x, y of [3,4,5]).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include "base/file_util.h"
#include "tensor/npy.h"
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

const char kAddModel[] = "/usr/share/libonnx-testdata/data/node/test_add/model.onnx";

class BadArgumentsCli : public ::testing::TestWithParam<BadArguments> {
 protected:
  static void SetUpTestSuite() {
    files_ = std::make_unique<test_util::TempDir>("bad_arguments");
    const auto& dir = files_->path();
    write_npy(dir / "f32.npy", Tensor(Shape{1, 3, 32, 32}, DType::Float32));
    write_npy(dir / "f64.npy", Tensor(Shape{1, 3, 32, 32}, DType::Float64));
    write_npy(dir / "i64.npy", Tensor(Shape{3, 4, 5}, DType::Int64));
    std::ofstream(dir / "x.npy") << "not a folder";
    std::string cat = read_file(std::string(FLOWONNX_SOURCE_DIR) + "/data/cat.jpg");
    std::ofstream(dir / "trunc.jpg", std::ios::binary) << cat.substr(0, cat.size() / 2);
    std::filesystem::create_directory(dir / "m.onnx");
  }
  static void TearDownTestSuite() { files_.reset(); }

  // The row's text with {tmp} and {add} filled in.
  static std::string fill(std::string text) {
    for (const auto& [key, value] :
         {std::pair<std::string, std::string>{"{tmp}", files_->path().string()},
          {"{add}", kAddModel}})
      for (size_t at; (at = text.find(key)) != std::string::npos;)
        text.replace(at, key.size(), value);
    return text;
  }

  static inline std::unique_ptr<test_util::TempDir> files_;
};

TEST_P(BadArgumentsCli, ExitCodeAndErrorLine) {
  const BadArguments& row = GetParam();
  const std::string args = fill(row.args), message = fill(row.message);
  auto result = test_util::run_command(std::string(FLOWONNX_CLI_PATH) + " " + args + " </dev/null");
  EXPECT_EQ(result.exit_code, row.exit_code) << args << "\n" << result.output;
  EXPECT_NE(result.output.find("error: " + message), std::string::npos) << args << "\n"
                                                                        << result.output;
  // A refused command creates nothing: no folder "no", no output file.
  EXPECT_FALSE(std::filesystem::exists(files_->path() / "no")) << args;
  EXPECT_FALSE(std::filesystem::exists(files_->path() / "y.npy")) << args;
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
        BadArguments{"export --model resnet18 --check --rtol -1", 2,
                     "--rtol: must be >= 0, got -1"},
        BadArguments{"export --model resnet18 --check --atol x", 2, "--atol: 'x' is not a number"},
        BadArguments{"simplify a.onnx b.onnx --check -3", 2, "--check: must be >= 0, got -3"},
        BadArguments{"demo --work-dir /proc/version", 1,
                     "--work-dir /proc/version: is a file, not a folder"},
        BadArguments{"demo --work-dir /proc/version/sub", 1,
                     "--work-dir /proc/version/sub: /proc/version is a file, not a folder"},
        BadArguments{"demo --work-dir {tmp}/no/w", 1,
                     "--work-dir {tmp}/no/w: folder {tmp}/no does not exist"},
        BadArguments{"classify {add} {tmp}/trunc.jpg", 1,
                     "image {tmp}/trunc.jpg: corrupt JPEG: Premature end of JPEG file"},
        // Inputs: one rule for infer and run (no implicit cast; names or positions).
        BadArguments{"infer --model resnet18 --input {tmp}/f64.npy", 1,
                     "--input {tmp}/f64.npy: holds float64[1,3,32,32], but input 'input' takes "
                     "float32"},
        BadArguments{"run {add} --input {tmp}/i64.npy", 1,
                     "--input {tmp}/i64.npy: holds int64[3,4,5], but input 'x' takes float32"},
        BadArguments{"run {add} --input y={tmp}/f64.npy", 1,
                     "--input {tmp}/f64.npy: holds float64[1,3,32,32], but input 'y' takes "
                     "float32"},
        BadArguments{"infer --model resnet18 --input {tmp}/f32.npy --input-shape 1,3,8,8", 2,
                     "--input excludes --input-shape"},
        BadArguments{"infer --model resnet18 --input x={tmp}/f32.npy", 1,
                     "--input x={tmp}/f32.npy: the model has no input named 'x'"},
        BadArguments{"run {add} --input z={tmp}/f32.npy", 1,
                     "--input z={tmp}/f32.npy: the model has no input named 'z'"},
        BadArguments{"infer --model resnet18 --input {tmp}/f32.npy --input {tmp}/f32.npy", 1,
                     "--input {tmp}/f32.npy: the model has only 1 input"},
        BadArguments{"run {add} --input a.npy --input b.npy --input c.npy", 1,
                     "--input c.npy: the model has only 2 inputs"},
        BadArguments{"run {add} --seed 1", 2, "--seed requires --random-input"},
        BadArguments{"run {add} --rtol 1e-3", 2, "--rtol requires --expected"},
        BadArguments{"run {add} --random-input --expected e.npy --atol -1", 2,
                     "--atol: must be >= 0, got -1"},
        // Output paths: the folder that holds the output must exist (docs/cli.md).
        BadArguments{"export --model resnet18 -o {tmp}/x.npy/m.onnx", 1,
                     "-o {tmp}/x.npy/m.onnx: {tmp}/x.npy is a file, not a folder"},
        BadArguments{"export --model resnet18 -o {tmp}/weird.txt", 1,
                     "-o {tmp}/weird.txt: expected a .onnx file or a folder"},
        BadArguments{"export --model resnet18 -o {tmp}/no/such/m.onnx", 1,
                     "-o {tmp}/no/such/m.onnx: folder {tmp}/no/such does not exist"},
        BadArguments{"export --model resnet18 -o {tmp}/no/such/", 1,
                     "-o {tmp}/no/such/: folder {tmp}/no does not exist"},
        BadArguments{"export --model resnet18 -o {tmp}/m.onnx", 1,
                     "-o {tmp}/m.onnx: is a folder, not a file"},
        BadArguments{"init --model resnet18 -o {tmp}/x.npy", 1,
                     "-o {tmp}/x.npy: is a file, not a folder"},
        BadArguments{"init --model resnet18 -o {tmp}/no/ck", 1,
                     "-o {tmp}/no/ck: folder {tmp}/no does not exist"},
        BadArguments{"simplify {add} {tmp}/no/out.onnx", 1,
                     "OUT {tmp}/no/out.onnx: folder {tmp}/no does not exist"},
        BadArguments{"optimize {add} {tmp}/x.npy/out.onnx", 1,
                     "OUT {tmp}/x.npy/out.onnx: {tmp}/x.npy is a file, not a folder"},
        BadArguments{"infer --model resnet18 --output {tmp}/no/y.npy", 1,
                     "--output {tmp}/no/y.npy: folder {tmp}/no does not exist"},
        BadArguments{"run {add} --random-input --output {tmp}/no/y.npy", 1,
                     "--output {tmp}/no/y.npy: folder {tmp}/no does not exist"},
        BadArguments{"run {add} --random-input --output z={tmp}/y.npy", 1,
                     "--output z={tmp}/y.npy: the model has no output named 'z'"},
        BadArguments{"run {add} --random-input --output {tmp}/y.txt", 1,
                     "--output {tmp}/y.txt: unknown tensor file type (use .npy or .pb)"},
        BadArguments{"run {add} --random-input --save-inputs {tmp}/x.npy", 1,
                     "--save-inputs {tmp}/x.npy: is a file, not a folder"},
        BadArguments{"demo --model bert_tiny", 1,
                     "demo --model bert_tiny: the demo classifies images, and this model takes "
                     "int64 [1,16]"}));

}  // namespace
}  // namespace flowonnx
