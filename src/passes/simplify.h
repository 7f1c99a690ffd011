// The two front doors of src/passes: simplify (onnx-simplifier: shape inference, constant and
// shape folding, eliminations and the fusions, to a fixed point) and optimize (onnxoptimizer:
// a chosen list of passes, by default its Fuse + Nop set), both on an in-memory model.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onnx/model_io.h"
#include "passes/pass_manager.h"

namespace flowonnx::passes {

struct SimplifyOptions {
  bool skip_fuse_bn = false;
  bool skip_constant_folding = false;  // also skips Shape folding
  // Input name -> new shape; -1 keeps the dim symbolic/unknown as it was (onnxsim's
  // --overwrite-input-shape).
  std::map<std::string, std::vector<int64_t>> overwrite_input_shapes;
  int64_t tensor_size_threshold = int64_t{1536} * 1024 * 1024;
  int max_iterations = 50;
  bool verify_after_each_pass = false;  // tests turn this on
  std::set<std::string> print_after;    // pass names (or "all") to dump the graph after
  std::function<void(const std::string&)> dump;       // default stdout
  std::function<void(const std::string&)> note_sink;  // "kept node X: ..." lines; default log_info
};

struct SimplifyReport {
  PassRunReport run;
  std::vector<std::string> notes;  // every "kept node X: reason" line
};

// The pass names simplify runs, in order.
std::vector<std::string> simplify_pipeline(const SimplifyOptions& options);
// onnxoptimizer's default Fuse + Nop set, in a sensible order.
std::vector<std::string> default_optimizer_passes();

// Simplifies `model` in place. Throws InvalidArgument for an --overwrite-input-shape naming no
// input, InvalidModel when the model fails verification before or after.
SimplifyReport simplify(onnx_io::Model& model, const SimplifyOptions& options = {});
// Runs `passes` (empty = default_optimizer_passes()) to a fixed point on `model`.
SimplifyReport optimize(onnx_io::Model& model, std::vector<std::string> passes = {},
                        const SimplifyOptions& options = {});

// "NAME:1,3,224,224" -> {"NAME", {1,3,224,224}} (the name may itself contain ':').
std::pair<std::string, std::vector<int64_t>> parse_input_shape_override(const std::string& text);

// A deep copy of a model (Model is move-only: its graph owns its nodes).
onnx_io::Model clone_model(const onnx_io::Model& model);

}  // namespace flowonnx::passes
