// Writing: Model -> ModelProto (topologically sorted nodes, typed inputs / outputs / value_info,
// initializers as raw_data or external data) and the atomic two-file save.
#include "onnx/model_writer.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include "base/temporary_path.h"
#include "onnx/attribute_proto.h"
#include "onnx/tensor_proto.h"

namespace flowonnx::onnx_io {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kExternalAlignment = 4096;

double gib(uint64_t bytes) { return static_cast<double>(bytes) / (uint64_t{1} << 30); }

[[noreturn]] void fail_too_big(uint64_t bytes) {
  fail(ErrorCode::InvalidArgument,
       "model is {:.2f} GiB, over protobuf's 2 GiB limit; export with external data "
       "(--external-data)",
       gib(bytes));
}

void value_info_to_proto(const ir::Graph& graph, const std::string& name,
                         ::onnx::ValueInfoProto* info) {
  info->set_name(name);
  if (!graph.has_type(name)) return;
  const ir::ValueType& type = graph.type(name);
  auto* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(dtype_to_onnx(type.dtype));
  if (!type.shape) return;
  auto* shape = tensor_type->mutable_shape();
  for (const ir::Dim& dim : *type.shape) {
    auto* out = shape->add_dim();
    if (dim.is_static())
      out->set_dim_value(dim.value);
    else if (!dim.symbol.empty())
      out->set_dim_param(dim.symbol);
  }
}

// An initializer stored in the external data file at `offset`.
struct ExternalTensor {
  const Tensor* tensor;
  uint64_t offset;
};

// Everything in `model`, with initializers of at least `threshold` bytes placed in `location`
// (when `location` is not empty) at 4096-aligned offsets recorded in `external`.
::onnx::ModelProto model_to_proto(const Model& model, const std::string& location, size_t threshold,
                                  uint64_t inline_limit, std::vector<ExternalTensor>* external) {
  const ir::Graph& graph = model.graph;
  auto goes_external = [&](const Tensor& tensor) {
    return !location.empty() && tensor.nbytes() >= threshold;
  };

  // Refuse an oversized model before copying any tensor bytes.
  uint64_t inline_bytes = 0;
  for (const auto& [name, tensor] : graph.initializers())
    if (!goes_external(tensor)) inline_bytes += tensor.nbytes();
  for (const auto& node : graph.nodes())
    for (const auto& [key, value] : node->attrs)
      if (const Tensor* tensor = std::get_if<Tensor>(&value)) inline_bytes += tensor->nbytes();
  if (inline_bytes > inline_limit) fail_too_big(inline_bytes);

  ::onnx::ModelProto proto;
  proto.set_ir_version(model.ir_version);
  proto.set_producer_name(model.producer_name);
  proto.set_producer_version(model.producer_version);
  if (!model.doc_string.empty()) proto.set_doc_string(model.doc_string);
  for (const auto& [key, value] : model.metadata) {
    auto* entry = proto.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }

  // Opsets: every import of the graph, ai.onnx always (the checker requires it), and version 1
  // for any other domain a node uses without an import.
  std::map<std::string, int64_t> opsets = graph.opset_imports;
  opsets.emplace("", kDefaultOpset);
  for (const auto& node : graph.nodes()) opsets.emplace(node->domain, 1);
  for (const auto& [domain, version] : opsets) {
    auto* opset = proto.add_opset_import();
    opset->set_domain(domain);
    opset->set_version(version);
  }

  ::onnx::GraphProto* out = proto.mutable_graph();
  out->set_name(graph.name.empty() ? "graph" : graph.name);  // the checker wants a name
  std::set<std::string> listed;  // inputs and outputs: no value_info for them
  for (const auto& name : graph.inputs) {
    value_info_to_proto(graph, name, out->add_input());
    listed.insert(name);
  }
  for (const auto& name : model.overridable_initializers)
    if (graph.is_initializer(name) && !listed.count(name)) {
      value_info_to_proto(graph, name, out->add_input());
      listed.insert(name);
    }
  for (const auto& name : graph.outputs) {
    value_info_to_proto(graph, name, out->add_output());
    listed.insert(name);
  }

  uint64_t data_size = 0;
  for (const auto& [name, tensor] : graph.initializers()) {
    auto* tensor_proto = out->add_initializer();
    if (!goes_external(tensor)) {
      tensor_to_proto(tensor, name, tensor_proto);
      continue;
    }
    tensor_to_proto(tensor, name, tensor_proto, /*with_data=*/false);
    uint64_t offset =
        (data_size + kExternalAlignment - 1) / kExternalAlignment * kExternalAlignment;
    tensor_proto->set_data_location(::onnx::TensorProto::EXTERNAL);
    for (auto [key, value] : {std::pair<const char*, std::string>{"location", location},
                              {"offset", std::to_string(offset)},
                              {"length", std::to_string(tensor.nbytes())}}) {
      auto* entry = tensor_proto->add_external_data();
      entry->set_key(key);
      entry->set_value(value);
    }
    external->push_back({&tensor, offset});
    data_size = offset + tensor.nbytes();
  }

  for (const ir::Node* node : graph.topological_order()) {  // ONNX requires topological order
    auto* node_proto = out->add_node();
    node_proto->set_name(node->name);
    node_proto->set_op_type(node->op_type);
    if (!node->domain.empty()) node_proto->set_domain(node->domain);
    for (const auto& in : node->inputs) node_proto->add_input(in);
    for (const auto& value : node->outputs) {
      node_proto->add_output(value);
      if (!value.empty() && graph.has_type(value) && !listed.count(value) &&
          !graph.is_initializer(value)) {
        value_info_to_proto(graph, value, out->add_value_info());
        listed.insert(value);
      }
    }
    for (const auto& [key, value] : node->attrs)
      attr_to_proto(key, value, node_proto->add_attribute());
  }

  uint64_t total = proto.ByteSizeLong();
  if (total > inline_limit) fail_too_big(total);
  return proto;
}

// A file written under a temporary name in the target folder; removed unless committed by
// rename, so a failure anywhere leaves the folder as it was.
class TemporaryFile {
 public:
  TemporaryFile(const fs::path& target) : target_(target), temporary_(temporary_name(target)) {}

  std::ofstream open() {
    std::ofstream out(temporary_.path(), std::ios::binary | std::ios::trunc);
    if (!out)
      fail(ErrorCode::IoError, "{}: cannot create temporary file {}", target_.string(),
           temporary_.path().string());
    return out;
  }
  void finish(std::ofstream& out) {
    out.flush();
    if (!out) fail(ErrorCode::IoError, "{}: write failed (disk full?)", target_.string());
    out.close();
  }
  void commit() {
    std::error_code ec;
    fs::rename(temporary_.path(), target_, ec);
    if (ec)
      fail(ErrorCode::IoError, "{}: cannot rename temporary file into place: {}", target_.string(),
           ec.message());
    temporary_.release();
  }

 private:
  static fs::path temporary_name(const fs::path& target) {
    std::random_device entropy;
    return target.parent_path() /
           fmt::format(".{}.tmp{:08x}", target.filename().string(), entropy());
  }
  fs::path target_;
  TemporaryPath temporary_;  // removed unless committed, also when the process is interrupted
};

void write_external_data(std::ofstream& out, const std::vector<ExternalTensor>& tensors) {
  static const std::string kPadding(kExternalAlignment, '\0');
  uint64_t position = 0;
  for (const ExternalTensor& entry : tensors) {
    out.write(kPadding.data(), static_cast<std::streamsize>(entry.offset - position));
    out.write(static_cast<const char*>(entry.tensor->raw_data()),
              static_cast<std::streamsize>(entry.tensor->nbytes()));
    position = entry.offset + entry.tensor->nbytes();
  }
}

}  // namespace

std::string serialize_model(const Model& model) {
  std::vector<ExternalTensor> none;
  ::onnx::ModelProto proto = model_to_proto(model, "", 0, kProtobufLimit, &none);
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    fail(ErrorCode::Internal, "protobuf failed to serialise the model");
  return bytes;
}

void save_model(const Model& model, const fs::path& path, const SaveOptions& options) {
  save_model_with_limit(model, path, options, kProtobufLimit);
}

void save_model_with_limit(const Model& model, const fs::path& path, const SaveOptions& options,
                           uint64_t inline_limit) {
  fs::path target = path.has_parent_path() ? path : fs::path(".") / path;
  std::error_code ec;
  FLOWONNX_REQUIRE(!target.filename().empty(), "{}: not a file name", path.string());
  if (!fs::is_directory(target.parent_path(), ec))
    fail(ErrorCode::IoError, "{}: folder {} does not exist", path.string(),
         target.parent_path().string());

  const std::string location = options.external_data ? target.filename().string() + ".data" : "";
  std::vector<ExternalTensor> external;
  ::onnx::ModelProto proto =
      model_to_proto(model, location, options.external_threshold, inline_limit, &external);

  // Both files are complete under temporary names before either is renamed; the data file goes
  // first so the new model never points at missing data. Destructors remove what was not renamed.
  std::optional<TemporaryFile> data_file;
  if (!external.empty()) {
    data_file.emplace(target.parent_path() / location);
    std::ofstream out = data_file->open();
    write_external_data(out, external);
    data_file->finish(out);
  }
  TemporaryFile model_file(target);
  {
    std::ofstream out = model_file.open();
    if (!proto.SerializeToOstream(&out))
      fail(ErrorCode::IoError, "{}: write failed", path.string());
    model_file.finish(out);
  }
  if (data_file) data_file->commit();
  model_file.commit();
}

}  // namespace flowonnx::onnx_io
