// flowonnx simplify: onnx-simplifier for our models — shape inference, constant and shape
// folding, eliminations and fusions to a fixed point; external data stays external; --check N
// proves the result computes the same thing on N random inputs.
#include <fmt/format.h>

#include "cli_rules.h"
#include "commands.h"
#include "onnx/model_io.h"
#include "output_paths.h"
#include "passes/equivalence_check.h"
#include "passes/model_summary.h"
#include "passes/simplify.h"
#include "passes/model_file.h"

namespace flowonnx::cli {
namespace {

struct SimplifyCommandOptions {
  std::string input, output;
  int check = 0;
  bool skip_fuse_bn = false, skip_constant_folding = false;
  std::vector<std::string> overwrite_input_shape, print_after;
};

void run_simplify(const SimplifyCommandOptions& options) {
  check_output_path("OUT", options.output, OutputKind::kFile);
  onnx_io::Model model = onnx_io::load_model(options.input);
  passes::ModelSummary before = passes::summarize(model.graph, options.input);
  onnx_io::Model original = options.check > 0 ? passes::clone_model(model) : onnx_io::Model{};

  passes::SimplifyOptions simplify_options;
  simplify_options.skip_fuse_bn = options.skip_fuse_bn;
  simplify_options.skip_constant_folding = options.skip_constant_folding;
  for (const auto& text : options.overwrite_input_shape)
    simplify_options.overwrite_input_shapes.insert(passes::parse_input_shape_override(text));
  simplify_options.print_after.insert(options.print_after.begin(), options.print_after.end());
  simplify_options.note_sink = [](const std::string& note) { fmt::print("{}\n", note); };
  passes::SimplifyReport report = passes::simplify(model, simplify_options);

  if (options.check > 0) {
    passes::EquivalenceOptions check;
    check.runs = options.check;
    passes::EquivalenceResult result = passes::check_equivalence(original, model, check);
    if (!result.ok) throw CheckFailed("check failed: " + result.message + " (nothing written)");
    fmt::print("check passed: {} random input(s), every output within rtol 1e-4 / atol 1e-5 "
               "(max abs diff {:.3g})\n", options.check, result.max_abs);
  }
  passes::save_like_input(model, options.input, options.output);
  fmt::print("{}", passes::format_summary_table(before, passes::summarize(model.graph, options.output)));
  fmt::print("simplified {} -> {} ({} iteration(s){})\n", options.input, options.output,
             report.run.iterations, report.run.reached_fixed_point ? "" : ", iteration cap reached");
}

}  // namespace

void add_simplify_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("simplify", "Simplify an ONNX model (onnx-simplifier)");
  auto options = std::make_shared<SimplifyCommandOptions>();
  cmd->add_option("input", options->input, "Input .onnx")->required();
  cmd->add_option("output", options->output, "Output .onnx (external data kept if the input has it)")->required();
  cmd->add_option("--check", options->check, "Compare original and simplified on N random inputs")
      ->check(at_least(0));
  cmd->add_flag("--skip-fuse-bn", options->skip_fuse_bn, "Keep BatchNormalization nodes");
  cmd->add_flag("--skip-constant-folding", options->skip_constant_folding, "Do not fold constants or shapes");
  cmd->add_option("--overwrite-input-shape", options->overwrite_input_shape,
                  "NAME:DIMS, e.g. input:1,3,224,224 (repeatable)");
  cmd->add_option("--print-after", options->print_after, "Dump the graph after this pass (repeatable; 'all')");
  cmd->callback([options] { run_simplify(*options); });
}

}  // namespace flowonnx::cli
