// convert_to_onnx_and_check, the tutorial's export-and-verify call: export a compiled graph with
// export_onnx_model, feed the same seeded random inputs to the framework graph and to the
// exported model in our InferenceSession, and compare every output. Unlike the original tool it
// also checks dynamic-batch exports (at the compile batch and at another batch) and compares all
// outputs, not only the first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "onnx/export/exporter.h"
#include "verify/compare.h"
#include "verify/random_inputs.h"

namespace flowonnx {

// Runs an ONNX file in another runtime (named feeds in graph-input order) and returns its outputs
// in graph-output order; used for an optional cross-check, e.g. ONNX Runtime in the tests.
using ReferenceRuntime = std::function<std::vector<Tensor>(
    const std::filesystem::path& model, const std::vector<std::pair<std::string, Tensor>>& feeds)>;

struct CheckOptions {
  // numpy.allclose's rule, |onnx - framework| <= atol + rtol * |framework|. The defaults fit
  // float32 networks of ResNet depth: reordered float sums differ by a few ulps per layer.
  double rtol = 1e-4;
  double atol = 1e-5;
  // Inputs: floats U(low, high), integers [int_low, int_high), bools coin flips, from `seed`.
  RandomInputOptions inputs;
  // Batch of the second check of a dynamic-batch export; 0 = compile batch + 2.
  int64_t dynamic_check_batch = 0;
  // Size of the second check of each other dynamic axis (ExportOptions::dynamic_axes) by
  // symbol; a symbol not listed is checked at its compile size + 3. Each axis gets a run of its
  // own and, with two or more axes, one run changes them all.
  std::map<std::string, int64_t> dynamic_check_sizes;
  // Providers of the InferenceSession that runs the exported model.
  std::vector<std::string> providers = {"CPUExecutionProvider"};
  // Print the report (one line per output and batch, then the verdict) to `out`.
  bool print_report = false;
  // Print a table of the worst outliers of every output outside tolerance to `out` (the
  // tutorial's print_outlier=True), at most `max_outliers` rows each plus a count of the rest.
  bool print_outlier = false;
  size_t max_outliers = 10;
  std::ostream* out = nullptr;  // nullptr = std::cout
  // When set, the exported file is also run in this runtime and compared the same way.
  ReferenceRuntime reference_runtime;
  std::string reference_runtime_name = "reference runtime";
};

// One comparison of every output, for one batch size and one runtime.
struct CheckRun {
  int64_t batch = 0;
  std::string sizes;    // the other dynamic axes of this run, "S=19"; empty with none
  std::string runtime;  // "flowonnx" or CheckOptions::reference_runtime_name
  std::vector<OutputComparison> outputs;
  bool ok() const;
};

struct CheckReport {
  std::filesystem::path model_path;  // the written .onnx file
  std::string graph_name;            // "ResNet34Graph_0"
  int opset = 0;
  bool dynamic_batch = false;
  Tolerance tolerance;
  std::vector<CheckRun> runs;

  bool passed() const;
  // Largest abs error over every run and output.
  double max_abs_err() const;
  // One line: "check passed: ..." or "check FAILED: ..." naming the first failing output.
  std::string verdict() const;
};

// Exports `graph` (compiled) with `export_options` and checks it. Throws what the export or the
// runtime throws; a numerical disagreement is not an exception but a report with passed() false.
[[nodiscard]] CheckReport convert_to_onnx_and_check(const nn::Graph& graph,
                                                    const ExportOptions& export_options,
                                                    const CheckOptions& check_options = {});

// The report as a table: one line per run and output with shape, max abs/rel errors and the
// count and fraction outside tolerance, then (with_verdict) the verdict line.
void print_report(const CheckReport& report, std::ostream& out, bool with_verdict = true);
// For every output outside tolerance: index, framework value, onnx value, abs err of its worst
// elements (at most `max_rows`, as kept in the report), then "... and N more".
void print_outlier(const CheckReport& report, std::ostream& out, size_t max_rows = 10);

}  // namespace flowonnx
