#include "onnx/export/exporter.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "flow/checkpoint.h"
#include "onnx/export/dynamic_dims.h"
#include "onnx/export/handler_registry.h"
#include "onnx/opset_check.h"

namespace flowonnx {
namespace fs = std::filesystem;

namespace {

// Every flow op without a handler, with counts, in one error (no partial models).
void require_handlers(const ir::Graph& graph) {
  std::map<std::string, int> missing;
  for (const auto& node : graph.nodes())
    if (!exporter::HandlerRegistry::global().find(node->op_type)) ++missing[node->op_type];
  if (missing.empty()) return;
  std::vector<std::string> listed;
  for (const auto& [op, count] : missing) listed.push_back(fmt::format("{} x{}", op, count));
  fail(ErrorCode::NotImplemented, "export of {}: no ONNX export for framework op(s): {}", graph.name,
       fmt::join(listed, ", "));
}

// The checkpoint key of an initializer, by oneflow-onnx's rule: "model.conv1.weight/out" is
// "model.conv1.weight" in a nested checkpoint and "conv1.weight" in a flat one.
const Tensor* find_checkpoint_weight(const StateDict& checkpoint, const std::string& initializer) {
  std::string key = initializer.ends_with("/out") ? initializer.substr(0, initializer.size() - 4) : initializer;
  auto found = checkpoint.find(key);
  if (found == checkpoint.end() && key.find('.') != std::string::npos) found = checkpoint.find(key.substr(key.find('.') + 1));
  return found == checkpoint.end() ? nullptr : &found->second;
}

// The initializers with their weights taken from `folder`; every missing or mis-shaped weight
// is reported at once.
std::map<std::string, Tensor> weights_from_checkpoint(const ir::Graph& source, const std::string& folder) {
  StateDict checkpoint = load(folder);
  std::map<std::string, Tensor> weights;
  std::vector<std::string> problems;
  for (const auto& [name, traced] : source.initializers()) {
    const Tensor* weight = find_checkpoint_weight(checkpoint, name);
    if (weight == nullptr) {
      if (name.starts_with("_" + source.name + "-constant_")) weights[name] = traced;  // made in build()
      else problems.push_back(fmt::format("'{}' missing", name));
    } else if (weight->shape() != traced.shape()) {
      problems.push_back(fmt::format("'{}' is {} in the checkpoint but {} in the graph", name,
                                     shape_to_string(weight->shape()), shape_to_string(traced.shape())));
    } else {
      weights[name] = weight->dtype() == traced.dtype() ? *weight : weight->to(traced.dtype());
    }
  }
  if (!problems.empty())
    fail(ErrorCode::InvalidArgument, "flow_weight_dir {}: no matching tensor for {} initializer(s): {}", folder,
         problems.size(), fmt::join(problems, ", "));
  return weights;
}

ir::ValueType io_type(const ir::ValueType& type, const exporter::DynamicDims& dims, const std::string& value) {
  ir::ValueType result = type;
  if (dims.any() && result.shape) result.shape = dims.symbolic_shape(value);
  return result;
}

void remove_unused_initializers(ir::Graph& graph) {
  std::set<std::string> used(graph.outputs.begin(), graph.outputs.end());
  for (const auto& node : graph.nodes()) used.insert(node->inputs.begin(), node->inputs.end());
  std::vector<std::string> unused;
  for (const auto& [name, tensor] : graph.initializers())
    if (!used.count(name)) unused.push_back(name);
  for (const auto& name : unused) graph.remove_initializer(name);
  graph.prune_values();
}

}  // namespace

onnx_io::Model convert_to_onnx(const nn::Graph& graph, const ExportOptions& options) {
  const ir::Graph& source = graph.ir_graph();
  int opset = options.opset == 0 ? kPreferredOpset : options.opset;
  FLOWONNX_REQUIRE(opset >= kMinOpset && opset <= kMaxOpset, "export: opset {} is not supported (use {}..{})",
                   opset, kMinOpset, kMaxOpset);
  require_handlers(source);

  onnx_io::Model model;
  ir::Graph& target = model.graph;
  target.name = source.name;
  target.opset_imports[""] = opset;
  target.inputs = source.inputs;
  target.outputs = source.outputs;
  exporter::DynamicDims dynamic_dims(source, resolve_dynamic_axes(source, options));
  for (const auto& value : source.inputs) target.set_type(value, io_type(source.type(value), dynamic_dims, value));
  for (const auto& value : source.outputs) target.set_type(value, io_type(source.type(value), dynamic_dims, value));

  std::map<std::string, Tensor> weights = options.flow_weight_dir.empty()
                                             ? source.initializers()
                                             : weights_from_checkpoint(source, options.flow_weight_dir);
  for (const auto& [name, tensor] : weights) target.set_initializer(name, tensor);

  exporter::ExportContext context(source, target, opset, options.dynamic_batch_size, &dynamic_dims);
  for (const ir::Node* node : source.topological_order()) {
    context.set_current(node);
    (*exporter::HandlerRegistry::global().find(node->op_type))(*node, context);
  }
  remove_unused_initializers(target);
  exporter::check_graph_against_opset(target, opset);
  target.verify();
  return model;
}

std::vector<DynamicAxis> resolve_dynamic_axes(const ir::Graph& graph, const ExportOptions& options) {
  std::vector<DynamicAxis> axes;
  if (options.dynamic_batch_size)
    for (const auto& input : graph.inputs)
      if (graph.type(input).shape && !graph.type(input).shape->empty()) axes.push_back({input, 0, "N"});
  for (DynamicAxis axis : options.dynamic_axes) {
    const std::string& input = axis.input;
    bool is_position = !input.empty() && std::all_of(input.begin(), input.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (is_position && std::find(graph.inputs.begin(), graph.inputs.end(), input) == graph.inputs.end()) {
      size_t position = input.size() > 6 ? graph.inputs.size() : std::stoul(input);
      FLOWONNX_REQUIRE(position < graph.inputs.size(), "export: dynamic axis '{}' names input {}, but graph {} has {} input(s)",
                       axis.symbol, input, graph.name, graph.inputs.size());
      axis.input = graph.inputs[position];
    }
    axes.push_back(axis);
  }
  return axes;
}

fs::path resolve_model_path(const std::string& onnx_model_path) {
  FLOWONNX_REQUIRE(!onnx_model_path.empty(), "export: onnx_model_path is empty");
  fs::path path(onnx_model_path);
  if (path.extension() == ".onnx") return path;
  return path / "model.onnx";
}

}  // namespace flowonnx
