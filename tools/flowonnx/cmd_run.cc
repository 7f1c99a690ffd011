// flowonnx run: run an ONNX model on tensor files with the InferenceSession.
#include <fmt/format.h>

#include <chrono>

#include "cli_rules.h"
#include "commands.h"
#include "providers.h"
#include "runtime/session.h"
#include "tensor_files.h"

namespace flowonnx::cli {
namespace {

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs, outputs;
  std::string providers = "cpu";
  int threads = 0;
};

void run_model(const RunOptions& options) {
  SessionOptions session_options;
  session_options.intra_op_num_threads = options.threads;
  InferenceSession session(options.model, provider_names(options.providers), session_options);

  std::vector<std::string> input_names, output_names;
  for (const NodeArg& arg : session.get_inputs()) input_names.push_back(arg.name);
  for (const NodeArg& arg : session.get_outputs()) output_names.push_back(arg.name);
  std::map<std::string, Tensor> feeds;
  for (const Binding& binding : resolve_bindings(options.inputs, input_names, "input"))
    feeds[binding.name] = read_tensor_file(binding.file);
  std::vector<Binding> saves = resolve_bindings(options.outputs, output_names, "output");

  auto start = std::chrono::steady_clock::now();
  std::vector<Tensor> results = session.run({}, feeds);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fmt::print("ran {} in {:.2f} ms\n", options.model, ms);
  for (size_t i = 0; i < results.size(); ++i)
    fmt::print("{}: {} {}\n", output_names[i], results[i].describe(), summarize(results[i]));
  for (const Binding& save : saves) {
    size_t index = std::find(output_names.begin(), output_names.end(), save.name) - output_names.begin();
    write_tensor_file(save.file, results[index]);
    fmt::print("wrote {} to {}\n", save.name, save.file);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("run", "Run an ONNX model on .npy / .pb tensors");
  auto options = std::make_shared<RunOptions>();
  cmd->add_option("model", options->model, "Model file (.onnx)")->required();
  cmd->add_option("--input", options->inputs, "[NAME=]FILE input (.npy or .pb); unnamed bind in order");
  cmd->add_option("--output", options->outputs, "[NAME=]FILE to save an output; unnamed bind in order");
  cmd->add_option("--providers", options->providers, "Execution providers in order: cpu, cuda, tensorrt")
      ->capture_default_str();
  add_threads_option(cmd, &options->threads);
  cmd->callback([options] { run_model(*options); });
}

}  // namespace flowonnx::cli
