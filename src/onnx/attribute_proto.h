// AttributeProto <-> ir::AttrValue for the kinds the IR holds: INT, FLOAT (as double), STRING,
// TENSOR, INTS, FLOATS, STRINGS, GRAPH and GRAPHS (If/Loop/Scan subgraphs). Sparse-tensor and
// type attributes are NotImplemented; a filled field that contradicts the declared type is
// InvalidModel.
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

// A subgraph is a whole graph, read and written by the model reader and writer (model_io.cc,
// model_writer.cc). Its initializers are always written inline; external data read inside one
// is resolved like the main graph's.
ir::GraphPtr subgraph_from_proto(const ::onnx::GraphProto& proto, const std::string& context,
                                 ExternalDataReader* external);
void subgraph_to_proto(const ir::Graph& graph, ::onnx::GraphProto* proto);

}  // namespace flowonnx::onnx_io
