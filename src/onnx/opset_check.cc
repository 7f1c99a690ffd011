#include "onnx/opset_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/defs/schema.h>

#include <set>

namespace flowonnx::exporter {
namespace {

using AttrType = ::onnx::AttributeProto::AttributeType;

bool attr_matches(const ir::AttrValue& value, AttrType type) {
  switch (type) {
    case ::onnx::AttributeProto::INT: return std::holds_alternative<int64_t>(value);
    case ::onnx::AttributeProto::FLOAT: return std::holds_alternative<double>(value);
    case ::onnx::AttributeProto::STRING: return std::holds_alternative<std::string>(value);
    case ::onnx::AttributeProto::TENSOR: return std::holds_alternative<Tensor>(value);
    case ::onnx::AttributeProto::INTS: return std::holds_alternative<std::vector<int64_t>>(value);
    case ::onnx::AttributeProto::FLOATS: return std::holds_alternative<std::vector<double>>(value);
    case ::onnx::AttributeProto::STRINGS: return std::holds_alternative<std::vector<std::string>>(value);
    case ::onnx::AttributeProto::GRAPH: return std::holds_alternative<ir::GraphPtr>(value);
    case ::onnx::AttributeProto::GRAPHS: return std::holds_alternative<std::vector<ir::GraphPtr>>(value);
    default: return false;
  }
}

}  // namespace

int first_opset_with(const std::string& op_type) {
  const auto* latest = ::onnx::OpSchemaRegistry::Schema(op_type, ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at(::onnx::ONNX_DOMAIN).second, ::onnx::ONNX_DOMAIN);
  if (latest == nullptr) return 0;
  int first = latest->since_version();
  // Walk back through older versions of the op to its first one.
  while (first > 1) {
    const auto* older = ::onnx::OpSchemaRegistry::Schema(op_type, first - 1, ::onnx::ONNX_DOMAIN);
    if (older == nullptr) break;
    first = older->since_version();
  }
  return first;
}

void check_node_against_opset(const ir::Node& node, int opset) {
  FLOWONNX_CHECK(node.domain.empty(), "node '{}' ({}) is not in the ai.onnx domain", node.name, node.qualified_type());
  const ::onnx::OpSchema* schema = ::onnx::OpSchemaRegistry::Schema(node.op_type, opset, ::onnx::ONNX_DOMAIN);
  if (schema == nullptr) {
    int first = first_opset_with(node.op_type);
    if (first == 0) fail(ErrorCode::InvalidArgument, "node '{}': {} is not an ONNX op", node.name, node.op_type);
    fail(ErrorCode::InvalidArgument,
         "node '{}': ONNX op {} is not available at opset {}; it exists from opset {} (export with "
         "opset >= {})", node.name, node.op_type, opset, first, first);
  }
  if (schema->Deprecated())
    fail(ErrorCode::InvalidArgument, "node '{}': ONNX op {} is deprecated at opset {}", node.name, node.op_type, opset);
  const auto& known = schema->attributes();
  for (const auto& [name, value] : node.attrs) {
    auto found = known.find(name);
    if (found == known.end())
      fail(ErrorCode::InvalidArgument, "node '{}': {} at opset {} has no attribute '{}'", node.name,
           node.op_type, opset, name);
    if (!attr_matches(value, found->second.type))
      fail(ErrorCode::InvalidArgument, "node '{}': attribute '{}' of {} is {}, the schema wants type {}",
           node.name, name, node.op_type, ir::attr_kind_name(value),
           ::onnx::AttributeProto::AttributeType_Name(found->second.type));
  }
  for (const auto& [name, attr] : known)
    if (attr.required && !node.attrs.has(name))
      fail(ErrorCode::InvalidArgument, "node '{}': {} at opset {} needs attribute '{}'", node.name,
           node.op_type, opset, name);
  int inputs = static_cast<int>(node.inputs.size());
  int outputs = static_cast<int>(node.outputs.size());
  if (inputs < schema->min_input() || inputs > schema->max_input() || outputs < schema->min_output() ||
      outputs > schema->max_output())
    fail(ErrorCode::InvalidArgument, "node '{}': {} at opset {} takes {}..{} inputs and {}..{} outputs, got {} and {}",
         node.name, node.op_type, opset, schema->min_input(), schema->max_input(), schema->min_output(),
         schema->max_output(), inputs, outputs);
}

void check_ops_exist_at_opset(const ir::Graph& graph, int opset) {
  int newest = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at(::onnx::ONNX_DOMAIN).second;
  // Newer opsets change op semantics (e.g. ReduceX axes as inputs in 18) that import does not
  // know: refuse instead of running with the wrong meaning.
  if (opset > newest)
    fail(ErrorCode::InvalidModel, "graph '{}' imports ai.onnx opset {}; supported opsets are up to {}",
         graph.name, opset, newest);
  std::set<std::string> missing;
  for (const auto& node : graph.nodes()) {
    if (!(node->domain.empty() || node->domain == "ai.onnx")) continue;
    if (::onnx::OpSchemaRegistry::Schema(node->op_type, opset, ::onnx::ONNX_DOMAIN)) continue;
    int first = first_opset_with(node->op_type);
    // Ops ONNX does not define at all are left to the runtime's "unsupported ops" report.
    if (first != 0) missing.insert(fmt::format("{} (first in opset {})", node->op_type, first));
  }
  if (!missing.empty())
    fail(ErrorCode::InvalidModel, "graph '{}' imports ai.onnx opset {}, which has no {}", graph.name, opset,
         fmt::join(missing, ", "));
}

void check_graph_against_opset(const ir::Graph& graph, int opset) {
  for (const auto& node : graph.nodes()) check_node_against_opset(*node, opset);
}

}  // namespace flowonnx::exporter
