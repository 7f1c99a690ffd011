// Shape inference: libonnx's InferShapes on a light copy of the graph (float weights become typed
// inputs, so no weight bytes are serialised; small integer initializers stay, since Reshape
// targets and the like need their values), then our runtime's dtype rules for what it leaves
// untyped. Symbolic dims (dim_param) are carried through. An inferred dim never replaces a
// known one with unknown.
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "ir/rewrite.h"
#include "onnx/model_io.h"
#include "passes/pass.h"
#include "runtime/type_inference.h"

namespace flowonnx::passes {

namespace {

constexpr int64_t kInlineIntegerLimit = 1 << 16;  // elements

std::optional<ir::ValueType> type_from_proto(const ::onnx::ValueInfoProto& info) {
  if (!info.has_type() || !info.type().has_tensor_type()) return std::nullopt;
  const auto& tensor_type = info.type().tensor_type();
  ir::ValueType type;
  try {
    type.dtype = onnx_io::dtype_from_onnx(tensor_type.elem_type());
  } catch (const Error&) {
    return std::nullopt;
  }
  if (tensor_type.has_shape()) {
    type.shape.emplace();
    for (const auto& dim : tensor_type.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() >= 0) type.shape->push_back(ir::Dim::of(dim.dim_value()));
      else if (dim.has_dim_param() && !dim.dim_param().empty()) type.shape->push_back(ir::Dim::named(dim.dim_param()));
      else type.shape->push_back(ir::Dim{});
    }
  }
  return type;
}

// `inferred` merged into `known`: a static or symbolic dim wins over an unknown one.
ir::ValueType merge(const ir::ValueType& known, const ir::ValueType& inferred) {
  if (!inferred.shape) return known;
  if (!known.shape || known.shape->size() != inferred.shape->size() || known.dtype != inferred.dtype)
    return inferred;
  ir::ValueType result = inferred;
  for (size_t i = 0; i < result.shape->size(); ++i) {
    ir::Dim& dim = (*result.shape)[i];
    if (!dim.is_static() && dim.symbol.empty()) dim = (*known.shape)[i];
  }
  return result;
}

}  // namespace

bool infer_shapes(ir::Graph& graph, PassContext& context) {
  onnx_io::Model light;
  ir::Graph& copy = light.graph;
  copy.name = graph.name;
  copy.opset_imports = graph.opset_imports;
  copy.inputs = graph.inputs;
  copy.outputs = graph.outputs;
  for (const auto& name : graph.inputs)
    if (graph.has_type(name)) copy.set_type(name, graph.type(name));
  for (const auto& name : graph.outputs)
    if (graph.has_type(name)) copy.set_type(name, graph.type(name));
  for (const auto& [name, tensor] : graph.initializers()) {
    bool integer = tensor.dtype() == DType::Int64 || tensor.dtype() == DType::Int32;
    if (integer && tensor.num_elements() <= kInlineIntegerLimit) {
      copy.set_initializer(name, tensor);
    } else {
      copy.inputs.push_back(name);
      copy.set_type(name, ir::ValueType::of(tensor.dtype(), tensor.shape()));
    }
  }
  for (const auto& node : graph.nodes()) copy.add_node(*node);

  ::onnx::ModelProto proto;
  bool changed = false;
  if (proto.ParseFromString(onnx_io::serialize_model(light))) {
    try {
      ::onnx::shape_inference::InferShapes(proto);
    } catch (const std::exception& error) {
      context.note(std::string("shape inference (libonnx) stopped early: ") + error.what());
    }
    auto take = [&](const ::onnx::ValueInfoProto& info) {
      const std::string& name = info.name();
      if (graph.is_initializer(name) ||
          std::count(graph.inputs.begin(), graph.inputs.end(), name))
        return;
      auto inferred = type_from_proto(info);
      if (!inferred) return;
      ir::ValueType merged = graph.has_type(name) ? merge(graph.type(name), *inferred) : *inferred;
      if (graph.has_type(name) && graph.type(name) == merged) return;
      graph.set_type(name, merged);
      changed = true;
    };
    for (const auto& info : proto.graph().value_info()) take(info);
    for (const auto& info : proto.graph().output()) take(info);
  }
  size_t typed = graph.types().size();
  runtime::infer_types(graph);
  return changed || graph.types().size() != typed;
}

}  // namespace flowonnx::passes
