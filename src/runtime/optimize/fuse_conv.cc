#include "runtime/optimize/fuse_conv.h"

#include <cmath>
#include <limits>

#include "runtime/optimize/graph_views.h"

namespace flowonnx::runtime {

namespace {

bool is_float_vector(const Tensor* t, int64_t size) {
  return t && t->dtype() == DType::Float32 && t->num_elements() == size && t->rank() <= 1;
}

// Reads Relu or Clip (constant bounds) as an activation: kind name and bounds.
bool read_activation(const ir::Graph& graph, const ir::Node& node, std::string& kind, double& min,
                     double& max) {
  if (!is_default_domain(node) || node.outputs.size() != 1) return false;
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
    if (!is_default_domain(*sigmoid) || sigmoid->op_type != "Sigmoid" ||
        sigmoid->outputs.size() != 1 || !is_default_domain(*mul) || mul->op_type != "Mul" ||
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

int fold_batch_norm_into_conv(ir::Graph& graph) {
  int folded = 0;
  std::vector<ir::Node*> batch_norms;
  for (const auto& node : graph.nodes())
    if (is_default_domain(*node) && node->op_type == "BatchNormalization")
      batch_norms.push_back(node.get());
  const auto producers = graph.producers();
  for (ir::Node* bn : batch_norms) {
    if (bn->inputs.size() != 5 || bn->outputs.size() != 1 ||
        (bn->attrs.has("training_mode") && bn->attrs.get_int("training_mode") != 0))
      continue;
    auto found = producers.find(bn->inputs[0]);
    if (found == producers.end()) continue;
    ir::Node* conv = const_cast<ir::Node*>(found->second);
    const bool transposed = conv->op_type == "ConvTranspose";
    if (!is_default_domain(*conv) || (conv->op_type != "Conv" && !transposed) ||
        conv->outputs.size() != 1 || sole_consumer(graph, conv->outputs[0]) != bn)
      continue;
    const Tensor* weights = fixed_constant(graph, conv->inputs.size() > 1 ? conv->inputs[1] : "");
    if (!weights || weights->dtype() != DType::Float32 || weights->rank() < 3) continue;
    const int64_t group = conv->attrs.has("group") ? conv->attrs.get_int("group") : 1;
    if (group < 1 || weights->shape()[0] % group != 0) continue;  // the kernel reports it
    // Conv weights are [O, C/group, k...]; ConvTranspose weights [C, O/group, k...].
    const int64_t out_channels = transposed ? weights->shape()[1] * group : weights->shape()[0];
    const bool has_bias = conv->inputs.size() > 2 && !conv->inputs[2].empty();
    const Tensor* bias = has_bias ? fixed_constant(graph, conv->inputs[2]) : nullptr;
    if (has_bias && !is_float_vector(bias, out_channels)) continue;
    const Tensor* scale = fixed_constant(graph, bn->inputs[1]);
    const Tensor* shift = fixed_constant(graph, bn->inputs[2]);
    const Tensor* mean = fixed_constant(graph, bn->inputs[3]);
    const Tensor* var = fixed_constant(graph, bn->inputs[4]);
    if (!is_float_vector(scale, out_channels) || !is_float_vector(shift, out_channels) ||
        !is_float_vector(mean, out_channels) || !is_float_vector(var, out_channels))
      continue;
    const double epsilon = bn->attrs.has("epsilon") ? bn->attrs.get_float("epsilon") : 1e-5;

    // w' = w * s, b' = (b - mean) * s + shift with s = scale / sqrt(var + eps), per output
    // channel. Conv's [O, C/groups, k...] holds output channel o's weights in row o; a
    // ConvTranspose's [C, O/groups, k...] in column o % (O/groups) of its group's rows.
    Tensor new_weights = weights->clone();
    Tensor new_bias({out_channels}, DType::Float32);
    const int64_t kernel_size = num_elements(Shape(weights->shape().begin() + 2, weights->shape().end()));
    const int64_t rows = weights->shape()[0], columns = weights->shape()[1];
    const int64_t rows_per_group = rows / group;
    float* w = new_weights.data<float>();
    std::vector<double> factors(out_channels);
    for (int64_t o = 0; o < out_channels; ++o)
      factors[o] = scale->data<float>()[o] / std::sqrt(var->data<float>()[o] + epsilon);
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t column = 0; column < columns; ++column) {
        const double s = factors[transposed ? row / rows_per_group * columns + column : row];
        float* taps = w + (row * columns + column) * kernel_size;
        for (int64_t i = 0; i < kernel_size; ++i) taps[i] = static_cast<float>(taps[i] * s);
      }
    for (int64_t o = 0; o < out_channels; ++o) {
      const double s = factors[o];
      const double b = has_bias ? bias->data<float>()[o] : 0.0;
      new_bias.data<float>()[o] =
          static_cast<float>((b - mean->data<float>()[o]) * s + shift->data<float>()[o]);
    }
    const std::string old_weights = conv->inputs[1];
    const std::string old_bias = has_bias ? conv->inputs[2] : "";
    const std::string weights_name = graph.unique_name(old_weights + "/bn_folded");
    const std::string bias_name = graph.unique_name(bn->name + "/folded_bias");
    graph.set_initializer(weights_name, std::move(new_weights));
    graph.set_initializer(bias_name, std::move(new_bias));
    conv->inputs.resize(3);
    conv->inputs[1] = weights_name;
    conv->inputs[2] = bias_name;
    conv->outputs[0] = bn->outputs[0];
    std::vector<std::string> bn_params(bn->inputs.begin() + 1, bn->inputs.end());
    graph.remove_node(bn);
    for (const auto& value : bn_params) drop_if_unused(graph, value);
    drop_if_unused(graph, old_weights);
    drop_if_unused(graph, old_bias);
    ++folded;
  }
  if (folded) graph.prune_values();
  return folded;
}

int fuse_conv_post_ops(ir::Graph& graph) {
  std::vector<ir::Node*> convs;
  for (ir::Node* node : graph.topological_order())
    if (is_default_domain(*node) && node->op_type == "Conv") convs.push_back(node);
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
      } else if (is_default_domain(*next) && next->op_type == "Add" && !with_sum &&
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
               next && is_default_domain(*next) &&
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
