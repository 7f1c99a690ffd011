#include "runtime/optimize/blocked_layout.h"

#include <map>
#include <set>

#include "ir/rewrite.h"
#include "kernels/cpu/blocked_layout.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/fuse_conv.h"

namespace flowonnx::runtime {

namespace {

bool is_fused_conv(const ir::Node& node) {
  return node.domain == kInternalDomain && node.op_type == kFusedConv;
}

// MaxPool that BlockedMaxPool computes: 2-D, explicit pads, no dilation, no indices output.
bool is_blockable_max_pool(const ir::Graph& graph, const ir::Node& node) {
  if (!(node.domain.empty() || node.domain == "ai.onnx") || node.op_type != "MaxPool" ||
      node.outputs.size() != 1 || node.inputs.size() != 1)
    return false;
  if (node.attrs.has("auto_pad") && node.attrs.get_string("auto_pad") != "NOTSET") return false;
  if (!node.attrs.has("kernel_shape") || node.attrs.get_ints("kernel_shape").size() != 2)
    return false;
  if (node.attrs.has("strides") && node.attrs.get_ints("strides").size() != 2) return false;
  if (node.attrs.has("pads") && node.attrs.get_ints("pads").size() != 4) return false;
  if (node.attrs.has("dilations"))
    for (int64_t d : node.attrs.get_ints("dilations"))
      if (d != 1) return false;
  auto channels = static_dim_of(graph, node.inputs[0], 1);
  return channels && kernels::can_block(*channels) && graph.has_type(node.inputs[0]) &&
         graph.type(node.inputs[0]).shape->size() == 4;
}

class LayoutPlanner {
 public:
  explicit LayoutPlanner(ir::Graph& graph) : graph_(graph) {}

  int run() {
    using kernels::ActivationLayout;
    for (ir::Node* node : graph_.topological_order()) {
      if (is_fused_conv(*node)) {
        const kernels::ConvLayouts layouts = kernels::conv_layouts(
            graph_.initializer(node->inputs[1]).shape(), conv_layout_params(*node));
        node->inputs[0] = copy_in(node->inputs[0], layouts.src, node);
        if (node->inputs.size() > 3 && !node->inputs[3].empty())
          node->inputs[3] = copy_in(node->inputs[3], layouts.dst, node);
        if (layouts.dst != ActivationLayout::Plain) produce(*node, layouts.dst);
      } else if (!node->inputs.empty() && has_copy(node->inputs[0], ActivationLayout::Blocked) &&
                 is_blockable_max_pool(graph_, *node)) {
        node->domain = kInternalDomain;
        node->op_type = kBlockedMaxPool;
        node->inputs[0] = copy_in(node->inputs[0], ActivationLayout::Blocked, node);
        produce(*node, ActivationLayout::Blocked);
      } else {
        for (auto& in : node->inputs)
          if (!in.empty()) in = copy_in(in, ActivationLayout::Plain, node);
      }
    }
    for (const auto& output : graph_.outputs) copy_in(output, ActivationLayout::Plain, nullptr);
    return reorders_;
  }

 private:
  bool has_copy(const std::string& value, kernels::ActivationLayout layout) const {
    auto found = copies_.find(value);
    return found != copies_.end() && found->second.count(layout);
  }

  // The node's output 0 is written in `layout` under the name "<value>/<layout>"; the other
  // layouts, plain included, are made on demand.
  void produce(ir::Node& node, kernels::ActivationLayout layout) {
    const std::string value = node.outputs[0];
    const std::string name = copy_name(value, layout);
    node.outputs[0] = name;
    copies_[value] = {{layout, name}};
  }

  // The name of `value` in `layout`, adding a reorder before `before` (at the end when null)
  // from a copy that exists when it is not there yet. A value this pass never touched exists
  // only plain, under its own name.
  std::string copy_in(const std::string& value, kernels::ActivationLayout layout,
                      const ir::Node* before) {
    auto& copies = copies_.try_emplace(value).first->second;
    if (copies.empty()) copies[kernels::ActivationLayout::Plain] = value;
    auto found = copies.find(layout);
    if (found != copies.end()) return found->second;
    const auto& [from_layout, from] = *copies.begin();
    const std::string name =
        layout == kernels::ActivationLayout::Plain ? value : copy_name(value, layout);
    add_reorder(from_layout, layout, from, name, before);
    copies[layout] = name;
    return name;
  }

  std::string copy_name(const std::string& value, kernels::ActivationLayout layout) {
    const std::string name =
        graph_.unique_name(value + "/" + kernels::layout_name(layout));
    if (graph_.has_type(value)) graph_.set_type(name, graph_.type(value));
    return name;
  }

  void add_reorder(kernels::ActivationLayout from_layout, kernels::ActivationLayout to_layout,
                   const std::string& from, const std::string& to, const ir::Node* before) {
    ir::Node node;
    node.name = graph_.unique_name(to + "/" + kReorderLayout);
    node.domain = kInternalDomain;
    node.op_type = kReorderLayout;
    node.attrs.set("from", std::string(kernels::layout_name(from_layout)));
    node.attrs.set("to", std::string(kernels::layout_name(to_layout)));
    node.inputs = {from};
    node.outputs = {to};
    if (before)
      graph_.insert_node_before(before, std::move(node));
    else
      graph_.add_node(std::move(node));
    ++reorders_;
  }

  ir::Graph& graph_;
  // value -> its copies by layout. Values not in here exist only plain, under their own name.
  std::map<std::string, std::map<kernels::ActivationLayout, std::string>> copies_;
  int reorders_ = 0;
};

}  // namespace

int plan_blocked_layout(ir::Graph& graph) { return LayoutPlanner(graph).run(); }

}  // namespace flowonnx::runtime
