// AttributeProto <-> ir::AttrValue for the kinds the IR holds: INT, FLOAT (as double), STRING,
// TENSOR, INTS, FLOATS, STRINGS. Graph, sparse-tensor and type attributes are NotImplemented
// (no Loop/If/Scan subgraphs); a filled field that contradicts the declared type is InvalidModel.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/attribute.h"

namespace flowonnx::onnx_io {

class ExternalDataReader;

// `context` ("model.onnx: node 'conv1' (Conv) attribute 'pads'") prefixes every error.
ir::AttrValue attr_from_proto(const ::onnx::AttributeProto& proto, const std::string& context,
                              ExternalDataReader* external);

void attr_to_proto(const std::string& name, const ir::AttrValue& value,
                   ::onnx::AttributeProto* proto);

}  // namespace flowonnx::onnx_io
