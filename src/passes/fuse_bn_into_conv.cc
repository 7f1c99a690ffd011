// Conv -> BatchNormalization (inference) becomes one Conv: with s = scale / sqrt(var + eps),
// W' = W * s (per output channel, dim 0 of W for every group count) and
// B' = (B - mean) * s + bias (B = 0 for a Conv without bias). Computed in double and written in
// W's dtype into new initializers, so weights shared with other nodes stay untouched (the
// onnxoptimizer bug of rewriting shared initializers in place cannot happen).
#include <cmath>

#include "passes/pass.h"
#include "passes/rewrite.h"

namespace flowonnx::passes {

bool fuse_bn_into_conv(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* bn : graph.topological_order()) {
    if (!is_onnx_node(*bn) || bn->op_type != "BatchNormalization" || bn->inputs.size() != 5) continue;
    if (bn->attrs.has("training_mode") && bn->attrs.get_int("training_mode") != 0) continue;
    UseMap uses(graph);
    bool extra_outputs = false;
    for (size_t i = 1; i < bn->outputs.size(); ++i)
      extra_outputs |= !bn->outputs[i].empty() && uses.count(bn->outputs[i]) > 0;
    ir::Node* conv = producer_of(graph, bn->inputs[0]);
    if (extra_outputs || !conv || !is_onnx_node(*conv) || conv->op_type != "Conv" ||
        conv->outputs.size() != 1 || uses.count(conv->outputs[0]) != 1)
      continue;
    const Tensor* weight = constant_of(graph, conv->inputs.size() > 1 ? conv->inputs[1] : "");
    bool has_bias = conv->inputs.size() > 2 && !conv->inputs[2].empty();
    const Tensor* bias = has_bias ? constant_of(graph, conv->inputs[2]) : nullptr;
    const Tensor* params[4];
    bool constant = weight && (!has_bias || bias);
    for (int i = 0; i < 4; ++i) constant &= (params[i] = constant_of(graph, bn->inputs[i + 1])) != nullptr;
    if (!constant || !is_floating(weight->dtype()) || weight->rank() < 1) continue;
    int64_t channels = weight->shape()[0];
    bool sizes_ok = !bias || bias->num_elements() == channels;
    for (const Tensor* p : params) sizes_ok &= p->num_elements() == channels;
    if (!sizes_ok) continue;

    double epsilon = bn->attrs.has("epsilon") ? bn->attrs.get_float("epsilon") : 1e-5;
    std::vector<double> scale = params[0]->to_double_vector(), shift = params[1]->to_double_vector(),
                        mean = params[2]->to_double_vector(), var = params[3]->to_double_vector();
    std::vector<double> w = weight->to_double_vector();
    std::vector<double> b = bias ? bias->to_double_vector() : std::vector<double>(channels, 0.0);
    int64_t per_channel = channels == 0 ? 0 : weight->num_elements() / channels;
    Tensor new_weight(weight->shape(), DType::Float64), new_bias({channels}, DType::Float64);
    double* wo = new_weight.data<double>();
    double* bo = new_bias.data<double>();
    for (int64_t m = 0; m < channels; ++m) {
      double s = scale[m] / std::sqrt(var[m] + epsilon);
      for (int64_t k = 0; k < per_channel; ++k) wo[m * per_channel + k] = w[m * per_channel + k] * s;
      bo[m] = (b[m] - mean[m]) * s + shift[m];
    }
    DType dtype = weight->dtype();
    std::string base = conv->name.empty() ? bn->outputs[0] : conv->name;
    conv->inputs.resize(3);
    conv->inputs[1] = add_initializer(graph, base + ".weight_bn_fused", new_weight.to(dtype));
    conv->inputs[2] = add_initializer(graph, base + ".bias_bn_fused", new_bias.to(dtype));
    conv->outputs[0] = bn->outputs[0];
    graph.remove_node(bn);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
