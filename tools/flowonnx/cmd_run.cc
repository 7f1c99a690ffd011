// flowonnx run: run an ONNX model on tensor files (or seeded random inputs) with the
// InferenceSession; optionally save the inputs (ONNX test-data layout) and the outputs, and
// compare the outputs with reference files (exit 3 on a mismatch).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "cli_rules.h"
#include "commands.h"
#include "onnx/model_io.h"
#include "output_paths.h"
#include "providers.h"
#include "runtime/session.h"
#include "tensor_files.h"
#include "verify/compare.h"
#include "verify/random_inputs.h"

namespace flowonnx::cli {
namespace {

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs, outputs, expected;
  std::string providers = "cpu", save_inputs;
  bool random_input = false;
  uint64_t seed = 0;
  double rtol = Tolerance{}.rtol, atol = Tolerance{}.atol;
  int threads = 0;
};

std::optional<DType> dtype_of(const NodeArg& arg) {
  for (DType dtype : kAllDTypes)
    if (onnx_io::onnx_type_string(dtype) == arg.type) return dtype;
  return std::nullopt;
}

std::vector<InputSpec> input_specs(const InferenceSession& session) {
  std::vector<InputSpec> specs;
  for (const NodeArg& arg : session.get_inputs())
    specs.push_back(
        {arg.name, dtype_of(arg), arg.has_shape ? static_cast<int>(arg.shape.size()) : -1});
  return specs;
}

// --random-input: every input not given by --input, with symbolic dims as 1: floats U(-1, 1),
// integers in [0, 10), bools coin flips (the numbers of `export --check`), from --seed.
void add_random_inputs(const InferenceSession& session, uint64_t seed,
                       std::map<std::string, Tensor>& feeds) {
  Generator gen(seed);
  for (const NodeArg& arg : session.get_inputs()) {
    if (feeds.count(arg.name)) continue;
    std::optional<DType> dtype = dtype_of(arg);
    if (!dtype || !arg.has_shape)
      fail(ErrorCode::InvalidArgument,
           "--random-input: input '{}' has {} ({}); give it with --input NAME=FILE", arg.name,
           dtype ? "no declared shape" : "a type without random values", arg.type);
    Shape shape;
    for (const NodeArg::DimValue& dim : arg.shape)
      shape.push_back(std::holds_alternative<int64_t>(dim) ? std::get<int64_t>(dim) : 1);
    feeds[arg.name] = random_tensor(*dtype, shape, RandomInputOptions{}, gen);
  }
}

// The inputs in graph-input order as input_0.pb, input_1.pb, ... holding their names: the layout
// of the ONNX test data sets, which `run --input` reads back.
void save_inputs(const std::string& folder, const InferenceSession& session,
                 const std::map<std::string, Tensor>& feeds) {
  create_output_folder("--save-inputs", folder);
  size_t index = 0;
  for (const NodeArg& arg : session.get_inputs()) {
    auto feed = feeds.find(arg.name);
    if (feed == feeds.end()) continue;
    std::string path =
        (std::filesystem::path(folder) / fmt::format("input_{}.pb", index++)).string();
    onnx_io::write_tensor_pb(path, feed->second, arg.name);
    fmt::print("saved input {} to {}\n", arg.name, path);
  }
}

// Compares every --expected output; prints one line each and, for a failing one, its worst
// element. Returns the verdict of the first failure, or an empty string.
std::string compare_expected(const std::vector<Binding>& expected,
                             const std::vector<std::string>& output_names,
                             const std::vector<Tensor>& results, const Tolerance& tolerance) {
  std::string verdict;
  for (const Binding& binding : expected) {
    size_t index =
        std::find(output_names.begin(), output_names.end(), binding.name) - output_names.begin();
    Tensor reference = read_tensor_file(binding.file);
    const Tensor& got = results[index];
    if (reference.dtype() != got.dtype() || reference.shape() != got.shape()) {
      fmt::print("expected {}: {} holds {}, the model gives {}\n", binding.name, binding.file,
                 reference.describe(), got.describe());
      if (verdict.empty())
        verdict = fmt::format("check FAILED: output '{}' is {}, {} holds {}", binding.name,
                              got.describe(), binding.file, reference.describe());
      continue;
    }
    OutputComparison c = compare_output(binding.name, reference, got, tolerance, 1);
    fmt::print(
        "expected {}: max abs err {:.3g}, max rel err {:.3g}, {} of {} outside rtol {:g} "
        "atol {:g}\n",
        binding.name, c.max_abs_err, c.max_rel_err, c.num_outside, c.num_elements, tolerance.rtol,
        tolerance.atol);
    if (c.ok()) continue;
    const Outlier& worst = c.worst.at(0);
    fmt::print("  worst: {}{} expected {:.9g}, got {:.9g} (abs err {:.3g})\n", binding.name,
               index_to_string(worst.index), worst.framework, worst.onnx, worst.abs_err);
    if (verdict.empty())
      verdict = fmt::format("check FAILED: output '{}' differs from {} in {} of {} elements",
                            binding.name, binding.file, c.num_outside, c.num_elements);
  }
  return verdict;
}

void run_model(const RunOptions& options) {
  for (const std::string& text : options.outputs) {
    std::string file = parse_binding(text).file;
    check_output_path("--output", file, OutputKind::kFile);
    check_tensor_file_name("--output", file);
  }
  if (!options.save_inputs.empty())
    check_output_path("--save-inputs", options.save_inputs, OutputKind::kFolder);

  SessionOptions session_options;
  session_options.intra_op_num_threads = options.threads;
  InferenceSession session(options.model, provider_names(options.providers), session_options);

  std::vector<std::string> output_names;
  for (const NodeArg& arg : session.get_outputs()) output_names.push_back(arg.name);
  std::map<std::string, Tensor> feeds = read_inputs(options.inputs, input_specs(session));
  if (options.random_input) add_random_inputs(session, options.seed, feeds);
  std::vector<Binding> saves = resolve_bindings(options.outputs, output_names, "output");
  std::vector<Binding> expected = resolve_bindings(options.expected, output_names, "output");
  if (!options.save_inputs.empty()) save_inputs(options.save_inputs, session, feeds);

  auto start = std::chrono::steady_clock::now();
  std::vector<Tensor> results = session.run({}, feeds);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fmt::print("ran {} in {:.2f} ms\n", options.model, ms);
  for (size_t i = 0; i < results.size(); ++i)
    fmt::print("{}: {} {}\n", output_names[i], results[i].describe(), summarize(results[i]));
  for (const Binding& save : saves) {
    size_t index =
        std::find(output_names.begin(), output_names.end(), save.name) - output_names.begin();
    write_tensor_file(save.file, results[index]);
    fmt::print("wrote {} to {}\n", save.name, save.file);
  }
  std::string verdict =
      compare_expected(expected, output_names, results, {options.rtol, options.atol});
  std::cout.flush();
  if (!verdict.empty()) throw CheckFailed(verdict);
  if (!expected.empty()) fmt::print("check passed: {} output(s) as expected\n", expected.size());
}

}  // namespace

void add_run_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("run", "Run an ONNX model on .npy / .pb tensors");
  auto options = std::make_shared<RunOptions>();
  cmd->add_option("model", options->model, "Model file (.onnx)")->required();
  cmd->add_option("--input", options->inputs,
                  "[NAME=]FILE input (.npy or .pb); unnamed bind in order");
  CLI::Option* random = cmd->add_flag(
      "--random-input", options->random_input,
      "Seeded random values for every input not given by --input (symbolic dims as 1)");
  cmd->add_option("--seed", options->seed, "With --random-input: the seed")
      ->capture_default_str()
      ->needs(random);
  cmd->add_option("--save-inputs", options->save_inputs,
                  "Write the inputs to this folder as input_0.pb, ... (ONNX test-data layout)");
  cmd->add_option("--output", options->outputs,
                  "[NAME=]FILE to save an output; unnamed bind in order");
  CLI::Option* expected = cmd->add_option(
      "--expected", options->expected,
      "[NAME=]FILE reference output; unnamed bind in order; exit 3 when one differs");
  cmd->add_option("--rtol", options->rtol, "With --expected: relative tolerance")
      ->capture_default_str()
      ->check(at_least(0))
      ->needs(expected);
  cmd->add_option("--atol", options->atol, "With --expected: absolute tolerance")
      ->capture_default_str()
      ->check(at_least(0))
      ->needs(expected);
  cmd->add_option("--providers", options->providers,
                  "Execution providers in order: cpu, cuda, tensorrt")
      ->capture_default_str();
  add_threads_option(cmd, &options->threads);
  cmd->callback([options] { run_model(*options); });
}

}  // namespace flowonnx::cli
