// Internal to import normalisation: the rewrite context and the rule families. Each rule looks at
// one ai.onnx node and, when it is an old form, rewrites it in place (adding constant inputs or
// helper nodes through ImportContext).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/rewrite.h"

namespace flowonnx::onnx_import::detail {

class ImportContext {
 public:
  ImportContext(ir::Graph& graph, int64_t opset) : graph_(graph), opset_(opset) {}
  ir::Graph& graph() { return graph_; }
  int64_t opset() const { return opset_; }

  // A new initializer named after `node` and `what`; returns its value name.
  std::string add_constant(const ir::Node& node, const std::string& what, Tensor value);
  // A new node placed before `before`; its outputs get fresh names from `output_bases`.
  std::vector<std::string> add_node_before(const ir::Node& before, const std::string& op_type,
                                           std::vector<std::string> inputs,
                                           std::vector<std::string> output_bases,
                                           ir::Attributes attrs = {});
  // Rank of a value when its type says so.
  std::optional<int64_t> rank_of(const std::string& value) const;
  // Moves attribute `name` of `node` (ints) to input `index` as an int64 tensor; inputs before
  // it are padded with "" (omitted). Does nothing when the attribute is absent.
  void ints_attr_to_input(ir::Node& node, const std::string& name, size_t index);
  [[noreturn]] void fail_node(const ir::Node& node, const std::string& message) const;

 private:
  ir::Graph& graph_;
  int64_t opset_;
};

// attribute_inputs.cc: Squeeze/Unsqueeze/ReduceX/Clip/Pad/Split/Slice/TopK attributes -> inputs.
void normalize_attribute_inputs(ImportContext& context, ir::Node& node);
// legacy_ops.cc: Upsample/Resize-10 -> Resize, BatchNormalization, Dropout, Softmax family < 13,
// opset < 7 broadcast attributes, Scatter -> ScatterElements.
void normalize_legacy_ops(ImportContext& context, ir::Node& node);

}  // namespace flowonnx::onnx_import::detail
