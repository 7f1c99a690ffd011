#include "runtime/optimize/blocked_layout.h"

#include <map>
#include <set>

#include "kernels/cpu/blocked_layout.h"
#include "runtime/optimize/fuse_conv.h"
#include "runtime/optimize/graph_views.h"

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
    for (ir::Node* node : graph_.topological_order()) {
      if (is_fused_conv(*node)) {
        const Tensor& weights = graph_.initializer(node->inputs[1]);
        const int64_t groups = node->attrs.has("group") ? node->attrs.get_int("group") : 1;
        const bool src_blocked = kernels::can_block(weights.shape()[1] * groups);
        const bool dst_blocked = kernels::can_block(weights.shape()[0]);
        node->inputs[0] =
            src_blocked ? blocked(node->inputs[0], node) : plain(node->inputs[0], node);
        if (node->inputs.size() > 3 && !node->inputs[3].empty())
          node->inputs[3] =
              dst_blocked ? blocked(node->inputs[3], node) : plain(node->inputs[3], node);
        if (dst_blocked) produce_blocked(*node);
      } else if (blocked_only_.count(node->inputs.empty() ? "" : node->inputs[0]) &&
                 is_blockable_max_pool(graph_, *node)) {
        node->domain = kInternalDomain;
        node->op_type = kBlockedMaxPool;
        node->inputs[0] = blocked_of_.at(node->inputs[0]);
        produce_blocked(*node);
      } else {
        for (auto& in : node->inputs)
          if (blocked_only_.count(in)) in = plain(in, node);
      }
    }
    for (const auto& output : graph_.outputs)
      if (blocked_only_.count(output)) plain(output, nullptr);
    return reorders_;
  }

 private:
  // The node's output 0 becomes "<value>/blocked"; the plain value is made on demand.
  void produce_blocked(ir::Node& node) {
    const std::string value = node.outputs[0];
    const std::string name = graph_.unique_name(value + "/blocked");
    if (graph_.has_type(value)) graph_.set_type(name, graph_.type(value));
    node.outputs[0] = name;
    blocked_of_[value] = name;
    blocked_only_.insert(value);
  }

  std::string plain(const std::string& value, const ir::Node* before) {
    if (!blocked_only_.count(value)) return value;
    add_reorder(kToPlain, blocked_of_.at(value), value, before);
    blocked_only_.erase(value);
    return value;
  }

  std::string blocked(const std::string& value, const ir::Node* before) {
    auto found = blocked_of_.find(value);
    if (found != blocked_of_.end()) return found->second;
    const std::string name = graph_.unique_name(value + "/blocked");
    if (graph_.has_type(value)) graph_.set_type(name, graph_.type(value));
    add_reorder(kToBlocked, value, name, before);
    blocked_of_[value] = name;
    return name;
  }

  void add_reorder(const char* op, const std::string& from, const std::string& to,
                   const ir::Node* before) {
    ir::Node node;
    node.name = graph_.unique_name(to + "/" + op);
    node.domain = kInternalDomain;
    node.op_type = op;
    node.inputs = {from};
    node.outputs = {to};
    if (before)
      graph_.insert_node_before(before, std::move(node));
    else
      graph_.add_node(std::move(node));
    ++reorders_;
  }

  ir::Graph& graph_;
  std::map<std::string, std::string> blocked_of_;  // value -> its blocked copy
  std::set<std::string> blocked_only_;             // values that exist only blocked so far
  int reorders_ = 0;
};

}  // namespace

int plan_blocked_layout(ir::Graph& graph) { return LayoutPlanner(graph).run(); }

}  // namespace flowonnx::runtime
