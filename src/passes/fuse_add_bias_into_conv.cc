// Conv(x, W[, B]) + C with C constant and per-channel (every dim but the channel dim is 1 once
// right-aligned to the Conv output's rank) becomes Conv(x, W, B + C).
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool fuse_add_bias_into_conv(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* add : graph.topological_order()) {
    if (!is_onnx_node(*add) || add->op_type != "Add" || add->inputs.size() != 2) continue;
    ir::UseMap uses(graph);
    for (int side = 0; side < 2; ++side) {
      ir::Node* conv = producer_of(graph, add->inputs[side]);
      const Tensor* addend = constant_of(graph, add->inputs[1 - side]);
      if (!conv || !addend || !is_onnx_node(*conv) || conv->op_type != "Conv" ||
          conv->outputs.size() != 1 || uses.count(conv->outputs[0]) != 1 || conv->inputs.size() < 2)
        continue;
      auto weight_dims = dims_of(graph, conv->inputs[1]);
      if (!weight_dims || weight_dims->size() < 3 || !(*weight_dims)[0].is_static()) continue;
      int64_t rank = static_cast<int64_t>(weight_dims->size());  // output rank = weight rank
      int64_t channels = (*weight_dims)[0].value;
      const Shape& shape = addend->shape();
      int64_t offset = rank - static_cast<int64_t>(shape.size());
      bool per_channel = offset >= 0 && addend->dtype() == graph.type(conv->inputs[1]).dtype;
      for (int64_t i = 0; per_channel && i < static_cast<int64_t>(shape.size()); ++i) {
        int64_t axis = i + offset;
        per_channel = shape[i] == 1 || (axis == 1 && shape[i] == channels);
      }
      bool has_bias = conv->inputs.size() > 2 && !conv->inputs[2].empty();
      const Tensor* bias = has_bias ? constant_of(graph, conv->inputs[2]) : nullptr;
      if (!per_channel || (has_bias && !bias)) continue;
      std::vector<double> c = addend->to_double_vector();
      std::vector<double> b = bias ? bias->to_double_vector() : std::vector<double>(channels, 0.0);
      Tensor new_bias({channels}, DType::Float64);
      for (int64_t m = 0; m < channels; ++m)
        new_bias.data<double>()[m] = b[m] + c[c.size() == 1 ? 0 : m];
      conv->inputs.resize(3);
      conv->inputs[2] = add_initializer(graph, (conv->name.empty() ? add->outputs[0] : conv->name) + ".bias_add_fused",
                                        new_bias.to(addend->dtype()));
      conv->outputs[0] = add->outputs[0];
      graph.remove_node(add);
      changed = true;
      break;
    }
  }
  return changed;
}

}  // namespace flowonnx::passes
