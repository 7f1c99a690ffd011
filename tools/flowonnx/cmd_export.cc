// flowonnx export: build a zoo model, load weights, compile it as a static graph with a sample
// input and export it to ONNX with the tutorial's options.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli_rules.h"
#include "commands.h"
#include "flow/checkpoint.h"
#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "output_paths.h"
#include "verify/check.h"
#include "verify/export.h"
#include "tensor/random.h"

namespace flowonnx::cli {
namespace {

struct ExportCommandOptions {
  std::string model, weights, input_shape, output = ".";
  int opset = kPreferredOpset;
  uint64_t seed = 0;
  bool dynamic_batch = false, dynamic_sequence = false, external_data = false;
  std::vector<std::string> dynamic_axes;  // INPUT:DIM=SYMBOL
  bool no_simplify = false;
  // The tutorial's flow_weight_dir when it differs from --weights (default: --weights).
  std::string flow_weight_dir;
  // --check: convert_to_onnx_and_check instead of export_onnx_model.
  bool check = false, print_outlier = false;
  double rtol = CheckOptions{}.rtol, atol = CheckOptions{}.atol;
};

// "INPUT:DIM=SYMBOL", INPUT a graph input's name or position ("0:1=sequence").
DynamicAxis parse_dynamic_axis(const std::string& text) {
  size_t colon = text.rfind(':'), equals = text.rfind('=');
  bool ok = colon != std::string::npos && equals != std::string::npos && colon > 0 && equals > colon + 1 &&
            equals + 1 < text.size();
  DynamicAxis axis;
  if (ok) {
    axis.input = text.substr(0, colon);
    axis.symbol = text.substr(equals + 1);
    std::string dim = text.substr(colon + 1, equals - colon - 1);
    ok = dim.size() < 10 && std::all_of(dim.begin(), dim.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (ok) axis.dim = std::stoll(dim);
  }
  if (!ok)
    throw CLI::ValidationError("--dynamic-axis", fmt::format("'{}' is not INPUT:DIM=SYMBOL (e.g. 0:1=sequence)", text));
  return axis;
}

void run_export(const ExportCommandOptions& options) {
  const std::filesystem::path model_path = export_model_path("-o", options.output);
  const models::ModelInfo& info = models::find_model(options.model);
  auto model = models::create_seeded_model(options.model, options.seed);
  if (!options.weights.empty()) model->load_state_dict(load(options.weights));
  model->eval();
  Shape shape = options.input_shape.empty() ? info.input_shape : parse_shape(options.input_shape);

  auto start = std::chrono::steady_clock::now();
  nn::ModuleGraph graph(info.graph_name, model);
  Generator gen(options.seed);
  graph.compile({models::sample_input(info, shape, gen)});
  ExportOptions export_options;
  export_options.external_data = options.external_data;
  export_options.opset = options.opset;
  export_options.flow_weight_dir = options.flow_weight_dir.empty() ? options.weights : options.flow_weight_dir;
  export_options.onnx_model_path = model_path.string();
  export_options.dynamic_batch_size = options.dynamic_batch;
  export_options.simplify = !options.no_simplify;
  for (const std::string& text : options.dynamic_axes) export_options.dynamic_axes.push_back(parse_dynamic_axis(text));
  if (options.dynamic_sequence) {
    if (info.sequence_dims.empty())
      fail(ErrorCode::InvalidArgument, "--dynamic-sequence: model '{}' has no sequence dim (use --dynamic-axis)", info.name);
    for (int64_t dim : info.sequence_dims) export_options.dynamic_axes.push_back({"0", dim, "S"});
  }
  std::string symbols;
  for (const DynamicAxis& axis : export_options.dynamic_axes) symbols += (symbols.empty() ? "" : ",") + axis.symbol;
  CheckReport report;
  std::filesystem::path path;
  if (options.check) {
    CheckOptions check_options;
    check_options.rtol = options.rtol;
    check_options.atol = options.atol;
    if (info.input_index_bound > 0) check_options.inputs.int_high = info.input_index_bound;  // token ids
    report = convert_to_onnx_and_check(graph, export_options, check_options);
    path = report.model_path;
  } else {
    path = export_onnx_model(graph, export_options);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("exported {} (opset {}{}{}{}) to {} in {:.2f} s\n", options.model, options.opset,
             options.dynamic_batch ? ", dynamic batch" : "", symbols.empty() ? "" : ", dynamic axes " + symbols,
             options.external_data ? ", external data" : "", path.string(), seconds);
  if (!options.check) return;
  // A failed check's verdict goes to stderr once, from main(), with exit code 3.
  print_report(report, std::cout, /*with_verdict=*/report.passed());
  if (options.print_outlier) print_outlier(report, std::cout);
  std::cout.flush();
  if (!report.passed()) throw CheckFailed(report.verdict());
}

}  // namespace

void add_export_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("export", "Export a zoo model to ONNX");
  auto options = std::make_shared<ExportCommandOptions>();
  cmd->add_option("--model", options->model, "Model name (see `flowonnx models`)")->required();
  cmd->add_option("--weights", options->weights, "Checkpoint: OneFlow folder, PyTorch .pth/.pt or .safetensors (also the flow_weight_dir)");
  cmd->add_option("--seed", options->seed, "Seed of the weights when no --weights is given")->capture_default_str();
  cmd->add_option("--input-shape", options->input_shape, "Sample input shape (default: the model's, e.g. 1,3,224,224)");
  cmd->add_option("--opset", options->opset, "ONNX opset")->capture_default_str()->check(CLI::Range(kMinOpset, kMaxOpset));
  cmd->add_flag("--dynamic-batch", options->dynamic_batch, "Make the batch dim symbolic");
  cmd->add_option("--dynamic-axis", options->dynamic_axes,
                  "Make one more input dim symbolic: INPUT:DIM=SYMBOL, INPUT a name or position (e.g. 0:1=S); "
                  "repeatable");
  cmd->add_flag("--dynamic-sequence", options->dynamic_sequence,
                "Make the model's sequence dim symbolic as S (text encoders, e.g. bert_tiny)");
  cmd->add_flag("--external-data", options->external_data, "Store weights in <model>.onnx.data");
  cmd->add_flag("--no-simplify", options->no_simplify, "Write the plain conversion (skip simplify)");
  cmd->add_option("-o,--output", options->output, "Folder (writes model.onnx in it) or .onnx path")->capture_default_str();
  cmd->add_option("--flow-weight-dir", options->flow_weight_dir,
                  "Checkpoint the ONNX initializers are read from (the tutorial's flow_weight_dir; default --weights)");
  CLI::Option* check = cmd->add_flag("--check", options->check,
                "Run the framework graph and the exported model on the same random inputs and compare every output "
                "(exit 3 when they disagree)");
  cmd->add_flag("--print-outlier", options->print_outlier, "With --check: print the worst elements outside tolerance")
      ->needs(check);
  cmd->add_option("--rtol", options->rtol, "With --check: relative tolerance")
      ->capture_default_str()
      ->check(at_least(0))
      ->needs(check);
  cmd->add_option("--atol", options->atol, "With --check: absolute tolerance")
      ->capture_default_str()
      ->check(at_least(0))
      ->needs(check);
  cmd->callback([options] { run_export(*options); });
}

}  // namespace flowonnx::cli
