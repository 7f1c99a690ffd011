// Reading: ModelProto -> Model (graph, types, initializers, attributes), and single TensorProto
// files. Writing lives in model_writer.cc, the libonnx checker in onnx_check.cc.
#include "onnx/model_io.h"

#include <climits>
#include <fstream>
#include <set>
#include <system_error>

#include "base/file_util.h"
#include "onnx/attribute_proto.h"
#include "onnx/external_data.h"
#include "onnx/model_writer.h"
#include "onnx/tensor_proto.h"
#include "ir/subgraph.h"

namespace flowonnx::onnx_io {
namespace fs = std::filesystem;

namespace {

std::string normalize_domain(const std::string& domain) {
  return domain == "ai.onnx" ? "" : domain;
}

double gib(uint64_t bytes) { return static_cast<double>(bytes) / (uint64_t{1} << 30); }

// Refuses files protobuf cannot parse before reading them into memory.
void check_protobuf_size(uint64_t nbytes, const std::string& source) {
  if (nbytes > kProtobufLimit)
    fail(ErrorCode::InvalidModel, "{}: file is {:.2f} GiB, over protobuf's 2 GiB limit", source,
         gib(nbytes));
}

std::string read_limited_file(const fs::path& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (!ec) check_protobuf_size(size, path.string());
  return read_file(path);  // IoError naming the path when missing or unreadable
}

// TypeProto -> ValueType. Values without a (tensor) type or with an element type we do not
// support yield nullopt, unless `required` (graph inputs and outputs), where such types are
// NotImplemented: the runtime could never feed or return them.
std::optional<ir::ValueType> value_type_from_proto(const ::onnx::ValueInfoProto& info,
                                                   const std::string& context, bool required) {
  if (!info.has_type()) return std::nullopt;
  const ::onnx::TypeProto& type = info.type();
  if (!type.has_tensor_type()) {
    if (required && type.value_case() != ::onnx::TypeProto::VALUE_NOT_SET)
      fail(ErrorCode::NotImplemented,
           "{}: value '{}' is not a tensor (only tensor values are supported)", context,
           info.name());
    return std::nullopt;
  }
  const auto& tensor_type = type.tensor_type();
  if (tensor_type.elem_type() == ::onnx::TensorProto::UNDEFINED) return std::nullopt;
  ir::ValueType result;
  try {
    result.dtype = dtype_from_onnx(tensor_type.elem_type());
  } catch (const Error& error) {
    if (!required) return std::nullopt;
    fail(ErrorCode::NotImplemented, "{}: value '{}': {}", context, info.name(), error.what());
  }
  if (tensor_type.has_shape()) {
    result.shape.emplace();
    for (const auto& dim : tensor_type.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() >= 0)
        result.shape->push_back(ir::Dim::of(dim.dim_value()));
      else if (dim.has_dim_param() && !dim.dim_param().empty())
        result.shape->push_back(ir::Dim::named(dim.dim_param()));
      else
        result.shape->push_back(ir::Dim{});  // unknown (negative dim_value read as unknown too)
    }
  }
  return result;
}

ir::Node node_from_proto(const ::onnx::NodeProto& proto, size_t index, const std::string& source,
                         ExternalDataReader& external) {
  ir::Node node;
  node.op_type = proto.op_type();
  if (node.op_type.empty())
    fail(ErrorCode::InvalidModel, "{}: node {} has no op_type", source, index);
  node.name = proto.name().empty() ? fmt::format("node_{}_{}", index, node.op_type) : proto.name();
  node.domain = normalize_domain(proto.domain());
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  for (const auto& attr : proto.attribute()) {
    std::string context = fmt::format("{}: node '{}' ({}) attribute '{}'", source, node.name,
                                      node.op_type, attr.name());
    if (attr.name().empty()) fail(ErrorCode::InvalidModel, "{}: has no name", context);
    if (node.attrs.has(attr.name())) fail(ErrorCode::InvalidModel, "{}: is given twice", context);
    node.attrs.set(attr.name(), attr_from_proto(attr, context, &external));
  }
  return node;
}

// Frees each initializer's bytes in `proto` once converted, so a load holds the weights about
// once rather than twice (the parsed proto and the tensors).
// `subgraph`: an If/Loop/Scan body, whose inputs and outputs may be sequences or optionals (left
// untyped here: the runtime's kernels check them) and need no type.
ir::Graph graph_from_proto(::onnx::GraphProto& proto, const std::string& source,
                           ExternalDataReader& external, std::set<std::string>& overridable,
                           bool subgraph = false) {
  ir::Graph graph;
  graph.name = proto.name();
  if (proto.sparse_initializer_size() > 0)
    fail(ErrorCode::NotImplemented, "{}: sparse initializers are not supported ('{}')", source,
         proto.sparse_initializer(0).values().name());

  std::map<std::string, Tensor> initializers;
  for (auto& tensor : *proto.mutable_initializer()) {
    if (tensor.name().empty())
      fail(ErrorCode::InvalidModel, "{}: an initializer has no name", source);
    std::string context = fmt::format("{}: initializer '{}'", source, tensor.name());
    if (initializers.count(tensor.name()))
      fail(ErrorCode::InvalidModel, "{}: is defined twice", context);
    initializers.emplace(tensor.name(), tensor_from_proto(tensor, context, &external));
    if (tensor.has_raw_data()) std::string().swap(*tensor.mutable_raw_data());
  }

  for (const auto& input : proto.input()) {
    if (input.name().empty())
      fail(ErrorCode::InvalidModel, "{}: a graph input has no name", source);
    if (initializers.count(input.name()) && !subgraph) {
      overridable.insert(input.name());  // an input with a default (IR v3 style)
      continue;
    }
    graph.inputs.push_back(input.name());
    if (auto type = value_type_from_proto(input, source + ": graph input", !subgraph))
      graph.set_type(input.name(), *type);
  }
  for (const auto& output : proto.output()) {
    if (output.name().empty())
      fail(ErrorCode::InvalidModel, "{}: a graph output has no name", source);
    graph.outputs.push_back(output.name());
    if (auto type = value_type_from_proto(output, source + ": graph output", !subgraph))
      graph.set_type(output.name(), *type);
  }
  for (const auto& info : proto.value_info())
    if (auto type = value_type_from_proto(info, source + ": value_info", false))
      graph.set_type(info.name(), *type);
  // Initializers last: their data decides their type.
  for (auto& [name, tensor] : initializers) graph.set_initializer(name, std::move(tensor));

  for (int i = 0; i < proto.node_size(); ++i)
    graph.add_node(node_from_proto(proto.node(i), static_cast<size_t>(i), source, external));
  return graph;
}

Model model_from_proto(::onnx::ModelProto& proto, const fs::path& base_dir,
                       const std::string& source) {
  if (!proto.has_graph())
    fail(ErrorCode::InvalidModel, "{}: not an ONNX model (it has no graph)", source);
  if (proto.functions_size() > 0)
    fail(ErrorCode::NotImplemented, "{}: model-local functions are not supported ('{}')", source,
         proto.functions(0).name());

  Model model;
  model.ir_version = proto.ir_version();
  model.producer_name = proto.producer_name();
  model.producer_version = proto.producer_version();
  model.doc_string = proto.doc_string();
  for (const auto& entry : proto.metadata_props()) model.metadata[entry.key()] = entry.value();

  ExternalDataReader external(base_dir);
  model.graph =
      graph_from_proto(*proto.mutable_graph(), source, external, model.overridable_initializers);
  for (const auto& opset : proto.opset_import())
    model.graph.opset_imports[normalize_domain(opset.domain())] = opset.version();
  // Subgraphs have no opset imports of their own: they use the model's.
  ir::for_each_subgraph(model.graph, [](ir::Graph& sub, const ir::Graph& outer) {
    sub.opset_imports = outer.opset_imports;
  });
  return model;
}

}  // namespace

ir::GraphPtr subgraph_from_proto(const ::onnx::GraphProto& proto, const std::string& context,
                                 ExternalDataReader* external) {
  ::onnx::GraphProto copy = proto;  // graph_from_proto frees initializer bytes as it goes
  std::set<std::string> overridable;
  std::string source = fmt::format("{} (subgraph '{}')", context, proto.name());
  if (external)
    return std::make_shared<ir::Graph>(
        graph_from_proto(copy, source, *external, overridable, /*subgraph=*/true));
  ExternalDataReader here{std::filesystem::path()};
  return std::make_shared<ir::Graph>(
      graph_from_proto(copy, source, here, overridable, /*subgraph=*/true));
}

Model parse_model(std::string_view bytes, const fs::path& base_dir, const std::string& source) {
  check_protobuf_size(bytes.size(), source);
  ::onnx::ModelProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail(ErrorCode::InvalidModel, "{}: not a valid ONNX model (protobuf parse failed)", source);
  return model_from_proto(proto, base_dir, source);
}

Model load_model(const fs::path& path) {
  // Parsed from the file stream rather than from a copy of the whole file in memory: with the
  // initializer bytes freed as they are converted, the peak memory of a load is about one copy
  // of the weights, not three.
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (!ec) check_protobuf_size(size, path.string());
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) read_file(path);  // throws the IoError naming the path
  ::onnx::ModelProto proto;
  if (!proto.ParseFromIstream(&in))
    fail(ErrorCode::InvalidModel, "{}: not a valid ONNX model (protobuf parse failed)",
         path.string());
  return model_from_proto(proto, path.has_parent_path() ? path.parent_path() : fs::path("."),
                          path.string());
}

Tensor read_tensor_pb(const fs::path& path) {
  std::string bytes = read_limited_file(path);
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    fail(ErrorCode::InvalidModel, "{}: not a valid TensorProto (protobuf parse failed)",
         path.string());
  ExternalDataReader external(path.has_parent_path() ? path.parent_path() : fs::path("."));
  std::string context = proto.name().empty()
                            ? path.string()
                            : fmt::format("{}: tensor '{}'", path.string(), proto.name());
  return tensor_from_proto(proto, context, &external);
}

void write_tensor_pb(const fs::path& path, const Tensor& tensor, const std::string& name) {
  FLOWONNX_REQUIRE(tensor.defined(), "{}: cannot write an undefined tensor", path.string());
  if (tensor.nbytes() > kProtobufLimit)
    fail(ErrorCode::InvalidArgument, "{}: tensor is {:.2f} GiB, over protobuf's 2 GiB limit",
         path.string(), gib(tensor.nbytes()));
  ::onnx::TensorProto proto;
  tensor_to_proto(tensor, name, &proto);
  write_file_atomically(path, [&](std::ostream& out) {
    if (!proto.SerializeToOstream(&out))
      fail(ErrorCode::IoError, "{}: write failed", path.string());
  });
}

}  // namespace flowonnx::onnx_io
