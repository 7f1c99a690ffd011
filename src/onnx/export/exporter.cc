#include "onnx/export/exporter.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "flow/checkpoint.h"
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

ir::ValueType io_type(const ir::ValueType& type, bool dynamic_batch) {
  ir::ValueType result = type;
  if (dynamic_batch && result.shape && !result.shape->empty()) (*result.shape)[0] = ir::Dim::named("N");
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
  for (const auto& value : source.inputs) target.set_type(value, io_type(source.type(value), options.dynamic_batch_size));
  for (const auto& value : source.outputs) target.set_type(value, io_type(source.type(value), options.dynamic_batch_size));

  std::map<std::string, Tensor> weights = options.flow_weight_dir.empty()
                                             ? source.initializers()
                                             : weights_from_checkpoint(source, options.flow_weight_dir);
  for (const auto& [name, tensor] : weights) target.set_initializer(name, tensor);

  exporter::ExportContext context(source, target, opset, options.dynamic_batch_size);
  for (const ir::Node* node : source.topological_order()) {
    context.set_current(node);
    (*exporter::HandlerRegistry::global().find(node->op_type))(*node, context);
  }
  remove_unused_initializers(target);
  exporter::check_graph_against_opset(target, opset);
  target.verify();
  return model;
}

fs::path resolve_model_path(const std::string& onnx_model_path) {
  FLOWONNX_REQUIRE(!onnx_model_path.empty(), "export: onnx_model_path is empty");
  fs::path path(onnx_model_path);
  if (path.extension() == ".onnx") return path;
  return path / "model.onnx";
}

}  // namespace flowonnx
