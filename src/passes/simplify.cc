#include "passes/simplify.h"

#include <algorithm>

#include "base/logging.h"
#include "passes/node_evaluator.h"

namespace flowonnx::passes {

namespace {

// Intermediate types are dropped (they go stale when an input shape changes) and inferred again.
void apply_input_shapes(onnx_io::Model& model, const SimplifyOptions& options) {
  ir::Graph& graph = model.graph;
  for (const auto& [name, dims] : options.overwrite_input_shapes) {
    if (!std::count(graph.inputs.begin(), graph.inputs.end(), name))
      fail(ErrorCode::InvalidArgument, "--overwrite-input-shape: '{}' is not an input of the model (inputs: {})",
           name, fmt::join(graph.inputs, ", "));
    ir::ValueType type = graph.has_type(name) ? graph.type(name) : ir::ValueType{};
    std::vector<ir::Dim> shape;
    for (size_t i = 0; i < dims.size(); ++i) {
      FLOWONNX_REQUIRE(dims[i] >= -1, "--overwrite-input-shape {}: dim {} is {}", name, i, dims[i]);
      bool keep = dims[i] == -1 && type.shape && type.shape->size() == dims.size();
      shape.push_back(keep ? (*type.shape)[i] : dims[i] == -1 ? ir::Dim{} : ir::Dim::of(dims[i]));
    }
    type.shape = shape;
    graph.set_type(name, type);
  }
  onnx_io::Model fresh = clone_model(model);
  ir::Graph& copy = fresh.graph;
  ir::Graph rebuilt;
  rebuilt.name = copy.name;
  rebuilt.inputs = copy.inputs;
  rebuilt.outputs = copy.outputs;
  rebuilt.opset_imports = copy.opset_imports;
  for (const auto& name : copy.inputs) rebuilt.set_type(name, copy.type(name));
  for (const auto& name : copy.outputs)
    if (copy.has_type(name)) rebuilt.set_type(name, ir::ValueType{copy.type(name).dtype, std::nullopt});
  for (const auto& [name, tensor] : copy.initializers()) rebuilt.set_initializer(name, tensor);
  for (const auto& node : copy.nodes()) rebuilt.add_node(*node);
  model.graph = std::move(rebuilt);
}

SimplifyReport run_passes(onnx_io::Model& model, const std::vector<std::string>& passes,
                          const SimplifyOptions& options) {
  ir::Graph& graph = model.graph;
  graph.verify();
  PassManagerOptions manager_options;
  manager_options.max_iterations = options.max_iterations;
  manager_options.verify_after_each = options.verify_after_each_pass;
  manager_options.print_after = options.print_after;
  manager_options.dump = options.dump;
  PassManager manager(manager_options);
  manager.add(passes);
  PassContext context;
  context.tensor_size_threshold = options.tensor_size_threshold;
  context.note_sink = options.note_sink ? options.note_sink
                                        : [](const std::string& note) { log_info("{}", note); };
  SimplifyReport report;
  report.run = manager.run(graph, context);
  graph.prune_values();
  graph.verify();
  // Overridable initializers that are gone are no longer listed as inputs.
  for (auto it = model.overridable_initializers.begin(); it != model.overridable_initializers.end();)
    it = graph.is_initializer(*it) ? std::next(it) : model.overridable_initializers.erase(it);
  report.notes = context.notes;
  return report;
}

}  // namespace

std::vector<std::string> default_optimizer_passes() {
  return {"extract_constant_to_initializer", "eliminate_identity", "eliminate_nop_dropout",
          "eliminate_nop_cast", "eliminate_nop_transpose", "eliminate_nop_pad",
          "eliminate_nop_reshape", "fuse_consecutive_transposes", "fuse_transpose_into_gemm",
          "fuse_consecutive_squeezes", "fuse_consecutive_unsqueezes", "fuse_consecutive_concats",
          "fuse_consecutive_slices", "fuse_pad_into_conv", "fuse_pad_into_pool",
          "fuse_bn_into_conv", "fuse_add_bias_into_conv", "fuse_matmul_add_bias_into_gemm",
          "eliminate_common_subexpression", "eliminate_duplicate_initializer", "eliminate_deadend",
          "eliminate_unused_initializer"};
}

std::vector<std::string> simplify_pipeline(const SimplifyOptions& options) {
  std::vector<std::string> passes = {"extract_constant_to_initializer", "infer_shapes"};
  if (!options.skip_constant_folding) {
    passes.push_back("fold_shapes");
    passes.push_back("fold_constants");
  }
  for (const auto& name : default_optimizer_passes()) {
    if (name == "extract_constant_to_initializer") continue;
    if (name == "fuse_bn_into_conv" && options.skip_fuse_bn) continue;
    passes.push_back(name);
  }
  return passes;
}

SimplifyReport simplify(onnx_io::Model& model, const SimplifyOptions& options) {
  if (!options.overwrite_input_shapes.empty()) apply_input_shapes(model, options);
  // As onnxsim: initializers listed as graph inputs become plain constants (else nothing that
  // reads them could be folded).
  model.overridable_initializers.clear();
  return run_passes(model, simplify_pipeline(options), options);
}

SimplifyReport optimize(onnx_io::Model& model, std::vector<std::string> passes,
                        const SimplifyOptions& options) {
  if (passes.empty()) passes = default_optimizer_passes();
  return run_passes(model, passes, options);
}

std::pair<std::string, std::vector<int64_t>> parse_input_shape_override(const std::string& text) {
  size_t colon = text.rfind(':');
  FLOWONNX_REQUIRE(colon != std::string::npos && colon > 0 && colon + 1 < text.size(),
                   "input shape '{}': expected NAME:DIMS, e.g. input:1,3,224,224", text);
  std::vector<int64_t> dims;
  std::string rest = text.substr(colon + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string part = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      size_t used = 0;
      dims.push_back(std::stoll(part, &used));
      FLOWONNX_REQUIRE(used == part.size(), "bad dim");
    } catch (const std::exception&) {
      fail(ErrorCode::InvalidArgument, "input shape '{}': '{}' is not an integer dim", text, part);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {text.substr(0, colon), dims};
}

onnx_io::Model clone_model(const onnx_io::Model& model) {
  onnx_io::Model copy;
  copy.ir_version = model.ir_version;
  copy.producer_name = model.producer_name;
  copy.producer_version = model.producer_version;
  copy.doc_string = model.doc_string;
  copy.metadata = model.metadata;
  copy.overridable_initializers = model.overridable_initializers;
  copy_graph(model.graph, copy.graph);
  return copy;
}

}  // namespace flowonnx::passes
