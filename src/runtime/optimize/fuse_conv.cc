#include "runtime/optimize/fuse_conv.h"

#include <cmath>
#include <limits>

#include "ir/rewrite.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime {

namespace {

bool is_float_vector(const Tensor* t, int64_t size) {
  return t && t->dtype() == DType::Float32 && t->num_elements() == size && t->rank() <= 1;
}

// Reads Relu or Clip (constant bounds) as an activation: kind name and bounds.
bool read_activation(const ir::Graph& graph, const ir::Node& node, std::string& kind, double& min,
                     double& max) {
  if (!is_onnx_node(node) || node.outputs.size() != 1) return false;
  if (node.op_type == "Relu" && node.inputs.size() == 1) {
    kind = "Relu";
    return true;
  }
  if (node.op_type != "Clip" || node.inputs.empty() || node.attrs.has("min") ||
      node.attrs.has("max"))
    return false;
  min = -std::numeric_limits<float>::max();
  max = std::numeric_limits<float>::max();
  for (size_t i = 1; i < node.inputs.size() && i < 3; ++i) {
    if (node.inputs[i].empty()) continue;
    const Tensor* bound = fixed_constant(graph, node.inputs[i]);
    if (!bound || bound->dtype() != DType::Float32 || bound->num_elements() != 1) return false;
    (i == 1 ? min : max) = bound->data<float>()[0];
  }
  kind = "Clip";
  return true;
}

// SiLU spelled out, x * Sigmoid(x) (PyTorch's exports of EfficientNet and RegNet): `value` read
// by exactly a Sigmoid and a Mul of `value` by that Sigmoid's output, which nothing else reads.
// Returns {Sigmoid, Mul} or nulls.
std::pair<ir::Node*, ir::Node*> swish_of(const ir::Graph& graph, const std::string& value) {
  if (is_graph_output(graph, value)) return {nullptr, nullptr};
  const std::vector<ir::Node*> readers = consumers_of(graph, value);
  if (readers.size() != 2) return {nullptr, nullptr};
  for (int first = 0; first < 2; ++first) {
    ir::Node* sigmoid = readers[first];
    ir::Node* mul = readers[1 - first];
    if (!is_onnx_node(*sigmoid) || sigmoid->op_type != "Sigmoid" ||
        sigmoid->outputs.size() != 1 || !is_onnx_node(*mul) || mul->op_type != "Mul" ||
        mul->inputs.size() != 2 || mul->outputs.size() != 1)
      continue;
    const std::string& gate = sigmoid->outputs[0];
    const bool pair = (mul->inputs[0] == value && mul->inputs[1] == gate) ||
                      (mul->inputs[1] == value && mul->inputs[0] == gate);
    if (pair && sole_consumer(graph, gate) == mul) return {sigmoid, mul};
  }
  return {nullptr, nullptr};
}

}  // namespace

int fuse_conv_post_ops(ir::Graph& graph) {
  std::vector<ir::Node*> convs;
  for (ir::Node* node : graph.topological_order())
    if (is_onnx_node(*node) && node->op_type == "Conv") convs.push_back(node);
  int fused = 0;
  for (ir::Node* conv : convs) {
    if (conv->inputs.size() < 2 || conv->outputs.size() != 1) continue;
    const Tensor* weights = fixed_constant(graph, conv->inputs[1]);
    if (!weights || weights->dtype() != DType::Float32 || weights->rank() != 4) continue;
    const bool has_bias = conv->inputs.size() > 2 && !conv->inputs[2].empty();
    if (has_bias && !is_float_vector(fixed_constant(graph, conv->inputs[2]), weights->shape()[0]))
      continue;
    if (graph.has_type(conv->inputs[0]) && graph.type(conv->inputs[0]).dtype != DType::Float32)
      continue;

    ir::Node node;
    node.name = conv->name;
    node.domain = kInternalDomain;
    node.op_type = kFusedConv;
    node.inputs = {conv->inputs[0], conv->inputs[1], has_bias ? conv->inputs[2] : "", ""};
    node.outputs = conv->outputs;
    node.attrs = conv->attrs;
    bool with_sum = false, with_pre = false, with_post = false;
    // Absorb what follows while the chain is linear: act?, Add?, act?.
    while (ir::Node* next = sole_consumer(graph, node.outputs[0])) {
      std::string kind;
      double min = 0, max = 0;
      const std::string& value = node.outputs[0];
      if (read_activation(graph, *next, kind, min, max) && next->inputs[0] == value &&
          !(with_sum ? with_post : with_pre)) {
        const std::string prefix = with_sum ? "post_" : "pre_";
        node.attrs.set(prefix + "activation", kind);
        node.attrs.set(prefix + "min", min);
        node.attrs.set(prefix + "max", max);
        (with_sum ? with_post : with_pre) = true;
      } else if (is_onnx_node(*next) && next->op_type == "Add" && !with_sum &&
                 next->inputs.size() == 2 && next->outputs.size() == 1 &&
                 next->inputs[0] != next->inputs[1]) {
        const std::string& other = next->inputs[0] == value ? next->inputs[1] : next->inputs[0];
        // Same shape (no broadcasting). `other` cannot be computed from this chain: every value
        // of the chain has one consumer, the next link, and the last one's is this Add.
        if (!same_known_type(graph, other, value) ||
            !same_known_type(graph, other, next->outputs[0]))
          break;
        node.inputs[3] = other;
        with_sum = true;
      } else {
        break;
      }
      node.outputs = next->outputs;
      graph.remove_node(next);
    }
    graph.insert_node_before(conv, std::move(node));
    graph.remove_node(conv);
    ++fused;
  }
  if (fused) graph.prune_values();
  return fused;
}

int fuse_conv_cpu_activations(ir::Graph& graph) {
  int fused = 0;
  for (ir::Node* conv : graph.topological_order()) {
    if (conv->domain != kInternalDomain || conv->op_type != kFusedConv) continue;
    // The free slot: after the residual sum when there is one, else right after the conv.
    const bool with_sum = conv->inputs.size() > 3 && !conv->inputs[3].empty();
    const std::string slot = with_sum ? "post_activation" : "pre_activation";
    if (conv->attrs.has(slot) && !conv->attrs.get_string(slot).empty()) continue;
    std::string& out = conv->outputs[0];
    if (auto [sigmoid, mul] = swish_of(graph, out); sigmoid) {
      conv->attrs.set(slot, std::string("Swish"));
      out = mul->outputs[0];
      graph.remove_node(sigmoid);
      graph.remove_node(mul);
      ++fused;
    } else if (ir::Node* next = sole_consumer(graph, out);
               next && is_onnx_node(*next) &&
               (next->op_type == "Sigmoid" || next->op_type == "HardSwish") &&
               next->inputs.size() == 1 && next->outputs.size() == 1) {
      conv->attrs.set(slot, next->op_type);
      out = next->outputs[0];
      graph.remove_node(next);
      ++fused;
    }
  }
  if (fused) graph.prune_values();
  return fused;
}

kernels::Conv2dParams conv_layout_params(const ir::Node& node) {
  kernels::Conv2dParams params;
  auto pair = [&](const char* name, std::array<int64_t, 2>& out) {
    if (!node.attrs.has(name)) return;
    const std::vector<int64_t> values = node.attrs.get_ints(name);
    if (values.size() == 2) out = {values[0], values[1]};
  };
  pair("strides", params.strides);
  pair("dilations", params.dilations);
  if (node.attrs.has("group")) params.groups = node.attrs.get_int("group");
  const std::string auto_pad = node.attrs.has("auto_pad") ? node.attrs.get_string("auto_pad") : "";
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (node.attrs.has("kernel_shape") && node.attrs.get_ints("kernel_shape").size() == 2) {
      const std::vector<int64_t> kernel = node.attrs.get_ints("kernel_shape");
      for (int i = 0; i < 2; ++i) {
        const int64_t total = (kernel[i] - 1) * params.dilations[i];
        params.pads_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        params.pads_end[i] = total - params.pads_begin[i];
      }
    }
  } else if (node.attrs.has("pads") && node.attrs.get_ints("pads").size() == 4) {
    const std::vector<int64_t> pads = node.attrs.get_ints("pads");
    params.pads_begin = {pads[0], pads[1]};
    params.pads_end = {pads[2], pads[3]};
  }
  return params;
}

}  // namespace flowonnx::runtime
