#include "ir/fold_batch_norm.h"

#include <cmath>

#include "ir/rewrite.h"

namespace flowonnx::ir {

namespace {

// The Conv feeding `bn` when the pair can be folded, else nullptr.
Node* foldable_conv(const Graph& graph, const Node& bn) {
  if (!is_onnx_op(bn, "BatchNormalization") || bn.inputs.size() != 5 || bn.outputs.empty() ||
      (bn.attrs.has("training_mode") && bn.attrs.get_int("training_mode") != 0))
    return nullptr;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (!bn.outputs[i].empty() &&
        (!consumers_of(graph, bn.outputs[i]).empty() || is_graph_output(graph, bn.outputs[i])))
      return nullptr;
  Node* conv = producer_of(graph, bn.inputs[0]);
  if (!conv || !(is_onnx_op(*conv, "Conv") || is_onnx_op(*conv, "ConvTranspose")) ||
      conv->outputs.size() != 1 || sole_consumer(graph, conv->outputs[0]) != &bn)
    return nullptr;
  return conv;
}

}  // namespace

int fold_batch_norms_into_convs(Graph& graph) {
  int folded = 0;
  for (Node* bn : graph.topological_order()) {
    Node* conv = foldable_conv(graph, *bn);
    if (!conv) continue;
    const Tensor* weight = fixed_constant(graph, conv->inputs.size() > 1 ? conv->inputs[1] : "");
    const bool has_bias = conv->inputs.size() > 2 && !conv->inputs[2].empty();
    const Tensor* bias = has_bias ? fixed_constant(graph, conv->inputs[2]) : nullptr;
    if (!weight || !is_floating(weight->dtype()) || weight->rank() < 3 || (has_bias && !bias))
      continue;
    const bool transposed = conv->op_type == "ConvTranspose";
    const int64_t group = conv->attrs.has("group") ? conv->attrs.get_int("group") : 1;
    const int64_t rows = weight->shape()[0], columns = weight->shape()[1];
    if (group < 1 || rows % group != 0) continue;  // the kernel reports it
    // Conv weights are [O, C/group, k...]: output channel o's taps are row o. ConvTranspose
    // weights are [C, O/group, k...]: output channel o's taps are column o % (O/group) of the
    // rows of its group.
    const int64_t channels = transposed ? columns * group : rows;
    const Tensor* params[4];
    bool usable = !bias || bias->num_elements() == channels;
    for (int i = 0; i < 4 && usable; ++i) {
      params[i] = fixed_constant(graph, bn->inputs[i + 1]);
      usable = params[i] && is_floating(params[i]->dtype()) && params[i]->num_elements() == channels;
    }
    if (!usable) continue;

    const double epsilon = bn->attrs.has("epsilon") ? bn->attrs.get_float("epsilon") : 1e-5;
    const std::vector<double> scale = params[0]->to_double_vector(),
                              shift = params[1]->to_double_vector(),
                              mean = params[2]->to_double_vector(),
                              var = params[3]->to_double_vector();
    const std::vector<double> w = weight->to_double_vector();
    const std::vector<double> b = bias ? bias->to_double_vector() : std::vector<double>(channels, 0.0);
    std::vector<double> factors(channels);
    for (int64_t m = 0; m < channels; ++m) factors[m] = scale[m] / std::sqrt(var[m] + epsilon);
    const int64_t taps = rows * columns == 0 ? 0 : weight->num_elements() / (rows * columns);
    Tensor new_weight(weight->shape(), DType::Float64), new_bias({channels}, DType::Float64);
    double* wo = new_weight.data<double>();
    double* bo = new_bias.data<double>();
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t column = 0; column < columns; ++column) {
        const double s = factors[transposed ? row / (rows / group) * columns + column : row];
        const int64_t start = (row * columns + column) * taps;
        for (int64_t k = start; k < start + taps; ++k) wo[k] = w[k] * s;
      }
    for (int64_t m = 0; m < channels; ++m) bo[m] = (b[m] - mean[m]) * factors[m] + shift[m];
    const DType dtype = weight->dtype();
    const std::string base = conv->name.empty() ? bn->outputs[0] : conv->name;
    std::vector<std::string> old_constants(bn->inputs.begin() + 1, bn->inputs.end());
    old_constants.push_back(conv->inputs[1]);
    if (has_bias) old_constants.push_back(conv->inputs[2]);
    conv->inputs.resize(3);
    conv->inputs[1] = add_initializer(graph, base + ".weight_bn_fused", new_weight.to(dtype));
    conv->inputs[2] = add_initializer(graph, base + ".bias_bn_fused", new_bias.to(dtype));
    conv->outputs[0] = bn->outputs[0];
    graph.remove_node(bn);
    for (const std::string& value : old_constants) drop_if_unused(graph, value);
    ++folded;
  }
  if (folded) graph.prune_values();
  return folded;
}

}  // namespace flowonnx::ir
