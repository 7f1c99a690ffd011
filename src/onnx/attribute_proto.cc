#include "onnx/attribute_proto.h"

#include <fmt/format.h>

#include <vector>

#include "ir/graph.h"

#include "onnx/tensor_proto.h"

namespace flowonnx::onnx_io {

namespace {

using A = ::onnx::AttributeProto;

// Which value fields of the proto are filled, by the AttributeType they belong to.
std::vector<A::AttributeType> filled_kinds(const A& proto) {
  std::vector<A::AttributeType> kinds;
  auto add_if = [&](bool filled, A::AttributeType kind) {
    if (filled) kinds.push_back(kind);
  };
  add_if(proto.has_i(), A::INT);
  add_if(proto.has_f(), A::FLOAT);
  add_if(proto.has_s(), A::STRING);
  add_if(proto.has_t(), A::TENSOR);
  add_if(proto.has_g(), A::GRAPH);
  add_if(proto.has_sparse_tensor(), A::SPARSE_TENSOR);
  add_if(proto.has_tp(), A::TYPE_PROTO);
  add_if(proto.ints_size() > 0, A::INTS);
  add_if(proto.floats_size() > 0, A::FLOATS);
  add_if(proto.strings_size() > 0, A::STRINGS);
  add_if(proto.tensors_size() > 0, A::TENSORS);
  add_if(proto.graphs_size() > 0, A::GRAPHS);
  add_if(proto.sparse_tensors_size() > 0, A::SPARSE_TENSORS);
  add_if(proto.type_protos_size() > 0, A::TYPE_PROTOS);
  return kinds;
}

const std::string& kind_name(A::AttributeType kind) { return A::AttributeType_Name(kind); }

}  // namespace

ir::AttrValue attr_from_proto(const A& proto, const std::string& context,
                              ExternalDataReader* external) {
  if (!proto.ref_attr_name().empty())
    fail(ErrorCode::NotImplemented,
         "{}: refers to function attribute '{}' (functions are not supported)", context,
         proto.ref_attr_name());
  std::vector<A::AttributeType> filled = filled_kinds(proto);
  A::AttributeType type = proto.type();
  if (type == A::UNDEFINED) {
    // IR v1 files may omit the type; the one filled field then says it.
    if (filled.size() != 1)
      fail(ErrorCode::InvalidModel, "{}: has no type and {} filled value fields", context,
           filled.size());
    type = filled[0];
  }
  for (A::AttributeType kind : filled)
    if (kind != type)
      fail(ErrorCode::InvalidModel, "{}: is declared {} but holds a {} value", context,
           kind_name(type), kind_name(kind));

  switch (type) {
    case A::INT:
      return proto.i();
    case A::FLOAT:
      return static_cast<double>(proto.f());
    case A::STRING:
      return proto.s();
    case A::TENSOR:
      if (!proto.has_t())
        fail(ErrorCode::InvalidModel, "{}: is declared TENSOR but holds no tensor", context);
      return tensor_from_proto(proto.t(), context, external);
    case A::INTS:
      return std::vector<int64_t>(proto.ints().begin(), proto.ints().end());
    case A::FLOATS:
      return std::vector<double>(proto.floats().begin(), proto.floats().end());
    case A::STRINGS:
      return std::vector<std::string>(proto.strings().begin(), proto.strings().end());
    case A::GRAPH:
      if (!proto.has_g())
        fail(ErrorCode::InvalidModel, "{}: is declared GRAPH but holds no graph", context);
      return subgraph_from_proto(proto.g(), context, external);
    case A::GRAPHS: {
      std::vector<ir::GraphPtr> graphs;
      for (int i = 0; i < proto.graphs_size(); ++i)
        graphs.push_back(
            subgraph_from_proto(proto.graphs(i), fmt::format("{} graph {}", context, i), external));
      return graphs;
    }
    default:
      fail(ErrorCode::NotImplemented, "{}: {} attributes are not supported", context,
           kind_name(type));
  }
}

void attr_to_proto(const std::string& name, const ir::AttrValue& value, A* proto) {
  proto->set_name(name);
  struct Writer {
    A* proto;
    void operator()(int64_t v) const { proto->set_type(A::INT), proto->set_i(v); }
    void operator()(double v) const {
      proto->set_type(A::FLOAT), proto->set_f(static_cast<float>(v));
    }
    void operator()(const std::string& v) const { proto->set_type(A::STRING), proto->set_s(v); }
    void operator()(const Tensor& v) const {
      proto->set_type(A::TENSOR);
      tensor_to_proto(v, "", proto->mutable_t());
    }
    void operator()(const std::vector<int64_t>& v) const {
      proto->set_type(A::INTS);
      for (int64_t x : v) proto->add_ints(x);
    }
    void operator()(const std::vector<double>& v) const {
      proto->set_type(A::FLOATS);
      for (double x : v) proto->add_floats(static_cast<float>(x));
    }
    void operator()(const std::vector<std::string>& v) const {
      proto->set_type(A::STRINGS);
      for (const auto& x : v) proto->add_strings(x);
    }
    void operator()(const ir::GraphPtr& v) const {
      proto->set_type(A::GRAPH);
      subgraph_to_proto(*v, proto->mutable_g());
    }
    void operator()(const std::vector<ir::GraphPtr>& v) const {
      proto->set_type(A::GRAPHS);
      for (const auto& g : v) subgraph_to_proto(*g, proto->add_graphs());
    }
  };
  std::visit(Writer{proto}, value);
}

}  // namespace flowonnx::onnx_io
