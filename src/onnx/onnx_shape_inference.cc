// infer_shapes_with_onnx: libonnx's shape inference over our model, for tools that need the
// shape of every value (flowonnx info's FLOP count).
#include <onnx/shape_inference/implementation.h>

#include "onnx/model_io.h"

namespace flowonnx::onnx_io {

void infer_shapes_with_onnx(Model& model) {
  ::onnx::ModelProto proto;
  std::string bytes = serialize_model(model);
  if (!proto.ParseFromString(bytes)) fail(ErrorCode::Internal, "shape inference: cannot reparse our own model");
  try {
    ::onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/true);
    ::onnx::shape_inference::InferShapes(proto, ::onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception&) {
    return;  // strict_mode 0 rarely throws; without inferred types, values stay untyped
  }
  proto.mutable_graph()->clear_initializer();  // only the types are wanted back
  Model inferred = parse_model(proto.SerializeAsString(), ".", "<shape inference>");
  for (const auto& [value, type] : inferred.graph.types())
    if (!model.graph.has_type(value)) model.graph.set_type(value, type);
}

}  // namespace flowonnx::onnx_io
