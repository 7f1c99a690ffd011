// flowonnx optimize: onnxoptimizer's passes (default: its Fuse + Nop set) on an ONNX model;
// --list prints every pass with one line.
#include <fmt/format.h>

#include "commands.h"
#include "onnx/model_io.h"
#include "output_paths.h"
#include "passes/model_summary.h"
#include "passes/pass.h"
#include "passes/simplify.h"
#include "passes/model_file.h"

namespace flowonnx::cli {
namespace {

struct OptimizeCommandOptions {
  std::string input, output, passes;
  bool list = false;
  std::vector<std::string> print_after;
};

void run_optimize(const OptimizeCommandOptions& options) {
  if (options.list) {
    for (const passes::PassInfo& pass : passes::all_passes())
      fmt::print("{:<34} {}{}\n", pass.name, pass.description, pass.optimizer ? "" : " (simplify only)");
    return;
  }
  if (options.input.empty() || options.output.empty())
    throw CLI::ValidationError("optimize", "IN and OUT are required (or --list)");
  std::vector<std::string> names;
  for (size_t start = 0; start < options.passes.size();) {
    size_t comma = options.passes.find(',', start);
    std::string name = options.passes.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const auto& name : names) passes::find_pass(name);  // unknown names fail before loading

  check_output_path("OUT", options.output, OutputKind::kFile);
  onnx_io::Model model = onnx_io::load_model(options.input);
  passes::ModelSummary before = passes::summarize(model.graph, options.input);
  passes::SimplifyOptions run_options;
  run_options.print_after.insert(options.print_after.begin(), options.print_after.end());
  run_options.note_sink = [](const std::string& note) { fmt::print("{}\n", note); };
  passes::SimplifyReport report = passes::optimize(model, names, run_options);
  passes::save_like_input(model, options.input, options.output);
  fmt::print("{}", passes::format_summary_table(before, passes::summarize(model.graph, options.output)));
  fmt::print("optimized {} -> {} ({} iteration(s))\n", options.input, options.output, report.run.iterations);
}

}  // namespace

void add_optimize_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("optimize", "Optimize an ONNX model (onnxoptimizer passes)");
  auto options = std::make_shared<OptimizeCommandOptions>();
  cmd->add_option("input", options->input, "Input .onnx");
  cmd->add_option("output", options->output, "Output .onnx");
  cmd->add_option("--passes", options->passes, "Comma-separated pass names (default: the Fuse + Nop set)");
  cmd->add_flag("--list", options->list, "List the passes, one line each");
  cmd->add_option("--print-after", options->print_after, "Dump the graph after this pass (repeatable; 'all')");
  cmd->callback([options] { run_optimize(*options); });
}

}  // namespace flowonnx::cli
