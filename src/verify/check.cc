#include "verify/check.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <iostream>

#include "runtime/session.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

std::vector<OutputComparison> compare_all(const std::vector<std::string>& names,
                                          const std::vector<Tensor>& framework,
                                          const std::vector<Tensor>& onnx,
                                          const CheckOptions& options, const std::string& runtime) {
  if (framework.size() != onnx.size())
    fail(ErrorCode::InvalidModel, "check: the framework graph has {} outputs, {} in {} has {}",
         framework.size(), "the exported model", runtime, onnx.size());
  Tolerance tolerance{options.rtol, options.atol};
  std::vector<OutputComparison> comparisons;
  for (size_t i = 0; i < framework.size(); ++i)
    comparisons.push_back(
        compare_output(names[i], framework[i], onnx[i], tolerance, options.max_outliers));
  return comparisons;
}

std::string format_error(double value) { return fmt::format("{:.3g}", value); }

}  // namespace

bool CheckRun::ok() const {
  return std::all_of(outputs.begin(), outputs.end(),
                     [](const OutputComparison& c) { return c.ok(); });
}

bool CheckReport::passed() const {
  return !runs.empty() &&
         std::all_of(runs.begin(), runs.end(), [](const CheckRun& r) { return r.ok(); });
}

double CheckReport::max_abs_err() const {
  double worst = 0;
  for (const CheckRun& run : runs)
    for (const OutputComparison& output : run.outputs) worst = std::max(worst, output.max_abs_err);
  return worst;
}

std::string CheckReport::verdict() const {
  size_t compared = 0;
  for (const CheckRun& run : runs) compared += run.outputs.size();
  std::string tolerance_text = fmt::format("rtol {:g}, atol {:g}", tolerance.rtol, tolerance.atol);
  for (const CheckRun& run : runs)
    for (const OutputComparison& output : run.outputs) {
      if (output.ok()) continue;
      std::string what =
          output.mismatch.empty()
              ? fmt::format("{} of {} elements outside {} (max abs err {})", output.num_outside,
                            output.num_elements, tolerance_text, format_error(output.max_abs_err))
              : output.mismatch;
      return fmt::format("check FAILED: {} at batch {}{} in {}: {}", output.name, run.batch,
                         run.sizes.empty() ? "" : " (" + run.sizes + ")", run.runtime, what);
    }
  if (runs.empty()) return "check FAILED: nothing was compared";
  return fmt::format("check passed: {} output comparison{} in {} run{} within {} (max abs err {})",
                     compared, compared == 1 ? "" : "s", runs.size(), runs.size() == 1 ? "" : "s",
                     tolerance_text, format_error(max_abs_err()));
}

void print_report(const CheckReport& report, std::ostream& out, bool with_verdict) {
  fmt::print(out, "check {} (opset {}{}) against graph {}, rtol {:g}, atol {:g}\n",
             report.model_path.string(), report.opset,
             report.dynamic_batch ? ", dynamic batch" : "", report.graph_name,
             report.tolerance.rtol, report.tolerance.atol);
  fmt::print(out, "  {:>5}  {:<12}  {:<32}  {:<16}  {:>9}  {:>9}  {:>16}\n", "batch", "runtime",
             "output", "shape", "max abs", "max rel", "outside");
  for (const CheckRun& run : report.runs)
    for (const OutputComparison& output : run.outputs) {
      std::string outside =
          output.mismatch.empty()
              ? fmt::format("{}/{} ({:.2g}%)", output.num_outside, output.num_elements,
                            100.0 * output.fraction_outside())
              : "shape/dtype";
      fmt::print(out, "  {:>5}  {:<12}  {:<32}  {:<16}  {:>9}  {:>9}  {:>16}  {}{}\n", run.batch,
                 run.runtime, output.name, shape_to_string(output.shape),
                 format_error(output.max_abs_err), format_error(output.max_rel_err), outside,
                 output.ok() ? "ok" : "FAIL", run.sizes.empty() ? "" : "  " + run.sizes);
      if (!output.mismatch.empty()) fmt::print(out, "         {}\n", output.mismatch);
    }
  if (with_verdict) fmt::print(out, "{}\n", report.verdict());
}

void print_outlier(const CheckReport& report, std::ostream& out, size_t max_rows) {
  for (const CheckRun& run : report.runs)
    for (const OutputComparison& output : run.outputs) {
      if (output.ok() || !output.mismatch.empty()) continue;
      fmt::print(out, "outliers of {} at batch {}{} in {} ({} of {} elements, worst first):\n",
                 output.name, run.batch, run.sizes.empty() ? "" : " (" + run.sizes + ")", run.runtime,
                 output.num_outside, output.num_elements);
      fmt::print(out, "  {:<20}  {:>15}  {:>15}  {:>11}\n", "index", "framework", "onnx",
                 "abs err");
      size_t rows = std::min(max_rows, output.worst.size());
      for (size_t i = 0; i < rows; ++i) {
        const Outlier& o = output.worst[i];
        fmt::print(out, "  {:<20}  {:>15.8g}  {:>15.8g}  {:>11.3g}\n", index_to_string(o.index),
                   o.framework, o.onnx, o.abs_err);
      }
      int64_t rest = output.num_outside - static_cast<int64_t>(rows);
      if (rest > 0) fmt::print(out, "  ... and {} more\n", rest);
    }
}

CheckReport convert_to_onnx_and_check(const nn::Graph& graph, const ExportOptions& export_options,
                                      const CheckOptions& options) {
  FLOWONNX_REQUIRE(options.rtol >= 0 && options.atol >= 0,
                   "check: rtol ({}) and atol ({}) must be >= 0", options.rtol, options.atol);
  const ir::Graph& traced = graph.ir_graph();  // throws before compile()
  CheckReport report;
  report.model_path = export_onnx_model(graph, export_options);
  report.graph_name = graph.name();
  report.opset = export_options.opset == 0 ? kPreferredOpset : export_options.opset;
  report.dynamic_batch = export_options.dynamic_batch_size;
  report.tolerance = {options.rtol, options.atol};

  InferenceSession session(report.model_path, options.providers);
  std::vector<std::string> output_names;
  for (const NodeArg& output : session.get_outputs()) output_names.push_back(output.name);

  // The compile sizes always; for each dynamic axis also another size, because a baked-in size
  // (a Reshape to [1, -1], say) only shows at a size the graph was not compiled with.
  FLOWONNX_REQUIRE(!traced.inputs.empty(), "check: graph {} has no inputs", graph.name());
  std::vector<DynamicAxis> axes = resolve_dynamic_axes(traced, export_options);
  std::map<std::string, int64_t> other_size;  // symbol -> its size in the second check
  std::vector<std::string> symbols;           // in order of appearance
  for (const DynamicAxis& axis : axes) {
    if (other_size.count(axis.symbol)) continue;
    int64_t compiled = traced.type(axis.input).static_shape()[axis.dim];
    int64_t other = compiled + 3;
    if (axis.symbol == "N" && export_options.dynamic_batch_size)
      other = options.dynamic_check_batch > 0 ? options.dynamic_check_batch : compiled + 2;
    else if (options.dynamic_check_sizes.count(axis.symbol))
      other = options.dynamic_check_sizes.at(axis.symbol);
    FLOWONNX_REQUIRE(other != compiled, "check: the second size of dynamic axis '{}' is its compile size {}",
                     axis.symbol, compiled);
    other_size[axis.symbol] = other;
    symbols.push_back(axis.symbol);
  }
  // Runs: none changed, each symbol alone, then (two or more) all of them together.
  std::vector<std::vector<std::string>> runs = {{}};
  for (const std::string& symbol : symbols) runs.push_back({symbol});
  if (symbols.size() > 1) runs.push_back(symbols);

  for (const std::vector<std::string>& changed : runs) {
    std::vector<Shape> shapes;
    for (const std::string& input : traced.inputs) shapes.push_back(traced.type(input).static_shape());
    // The compile sizes and the batch alone keep the seeding of random_inputs(graph, options, batch).
    bool only_batch = changed.empty() || (export_options.dynamic_batch_size && changed == std::vector<std::string>{"N"});
    std::string sizes;
    for (const DynamicAxis& axis : axes) {
      size_t position = std::find(traced.inputs.begin(), traced.inputs.end(), axis.input) - traced.inputs.begin();
      if (std::find(changed.begin(), changed.end(), axis.symbol) != changed.end())
        shapes[position][axis.dim] = other_size.at(axis.symbol);
      if (axis.symbol != "N" && sizes.find(axis.symbol + "=") == std::string::npos)
        sizes += fmt::format("{}{}={}", sizes.empty() ? "" : ", ", axis.symbol, shapes[position][axis.dim]);
    }
    std::vector<Tensor> inputs;
    if (only_batch) inputs = random_inputs(traced, options.inputs, changed.empty() ? 0 : other_size.at("N"));
    else inputs = random_inputs(traced, options.inputs, shapes);
    std::vector<Tensor> expected = graph.run(inputs);
    std::map<std::string, Tensor> feeds;
    std::vector<std::pair<std::string, Tensor>> ordered_feeds;
    for (size_t i = 0; i < inputs.size(); ++i) {
      feeds.emplace(traced.inputs[i], inputs[i]);
      ordered_feeds.emplace_back(traced.inputs[i], inputs[i]);
    }
    int64_t shown_batch = inputs.empty() || inputs[0].rank() == 0 ? 1 : inputs[0].dim(0);
    report.runs.push_back(
        {shown_batch, sizes, "flowonnx",
         compare_all(output_names, expected, session.run({}, feeds), options, "flowonnx")});
    if (options.reference_runtime) {
      std::vector<Tensor> reference = options.reference_runtime(report.model_path, ordered_feeds);
      report.runs.push_back({shown_batch, sizes, options.reference_runtime_name,
                             compare_all(output_names, expected, reference, options,
                                         options.reference_runtime_name)});
    }
  }

  std::ostream& out = options.out ? *options.out : std::cout;
  if (options.print_report) print_report(report, out);
  if (options.print_outlier) print_outlier(report, out, options.max_outliers);
  return report;
}

}  // namespace flowonnx
