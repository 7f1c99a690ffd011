// Constant folding: every deterministic ai.onnx node whose inputs are all initializers is
// evaluated with the CPU kernels and its outputs become initializers. Never folded: Random* and
// Multinomial/Bernoulli, Quantize/Dequantize (kept as the model's quantisation contract),
// nodes producing graph outputs, and Tile/ConstantOfShape/Expand whose output would exceed
// tensor_size_threshold. A node that cannot be evaluated is kept with a note saying why.
#include <algorithm>
#include <set>

#include "ir/rewrite.h"
#include "passes/node_evaluator.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

bool never_folded(const std::string& op) {
  static const std::set<std::string> ops = {
      "RandomNormal",  "RandomUniform",  "RandomNormalLike", "RandomUniformLike",
      "Multinomial",   "Bernoulli",      "QuantizeLinear",   "DequantizeLinear",
      "DynamicQuantizeLinear", "Constant"};
  return ops.count(op) != 0;
}

// Bytes of the output of a size-expanding op, computed from its constant inputs without
// materialising it; nullopt for other ops or when the inputs do not say.
std::optional<double> expanded_bytes(const ir::Graph& graph, const ir::Node& node) {
  auto product = [](const std::vector<int64_t>& dims) {
    double n = 1;
    for (int64_t d : dims) n *= static_cast<double>(std::max<int64_t>(d, 0));
    return n;
  };
  const Tensor* data = constant_of(graph, node.inputs[0]);
  if (node.op_type == "ConstantOfShape") {
    auto shape = constant_ints(graph, node.inputs[0]);
    DType dtype = node.attrs.has("value") ? node.attrs.get_tensor("value").dtype() : DType::Float32;
    if (shape) return product(*shape) * static_cast<double>(dtype_size(dtype));
  } else if (node.op_type == "Tile" && data && node.inputs.size() > 1) {
    auto repeats = constant_ints(graph, node.inputs[1]);
    if (repeats) return static_cast<double>(data->nbytes()) * product(*repeats);
  } else if (node.op_type == "Expand" && data && node.inputs.size() > 1) {
    auto shape = constant_ints(graph, node.inputs[1]);
    if (!shape) return std::nullopt;
    std::vector<int64_t> out = *shape;
    const Shape& in = data->shape();
    if (in.size() > out.size()) out.insert(out.begin(), in.size() - out.size(), 1);
    for (size_t i = 0; i < in.size(); ++i) {
      int64_t& d = out[out.size() - in.size() + i];
      d = std::max(d, in[i]);
    }
    return product(out) * static_cast<double>(dtype_size(data->dtype()));
  }
  return std::nullopt;
}

}  // namespace

bool fold_constants(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || never_folded(node->op_type) || node->inputs.empty()) continue;
    bool all_constant = std::all_of(node->inputs.begin(), node->inputs.end(), [&](const std::string& in) {
      return in.empty() || graph.is_initializer(in);
    });
    if (!all_constant) continue;
    std::string label = "kept node " + node->name + " (" + node->op_type + "): ";
    auto output_is_graph_output = std::find_first_of(node->outputs.begin(), node->outputs.end(),
                                                     graph.outputs.begin(), graph.outputs.end());
    if (output_is_graph_output != node->outputs.end()) {
      context.note(label + "its output '" + *output_is_graph_output +
                   "' is a graph output, which stays computed");
      continue;
    }
    if (auto bytes = expanded_bytes(graph, *node); bytes && *bytes > static_cast<double>(context.tensor_size_threshold)) {
      context.note(fmt::format("{}output of {:.0f} bytes exceeds the folding threshold of {} bytes",
                               label, *bytes, context.tensor_size_threshold));
      continue;
    }
    std::vector<Tensor> outputs;
    try {
      outputs = evaluate_node(graph, *node);
    } catch (const Error& error) {
      context.note(label + "constant folding failed: " + error.what());
      continue;
    }
    std::vector<std::string> names = node->outputs;
    graph.remove_node(node);
    for (size_t i = 0; i < names.size(); ++i)
      if (!names[i].empty()) graph.set_initializer(names[i], outputs[i]);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
