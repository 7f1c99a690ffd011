// ONNX files <-> the IR (namespace onnx_io: libonnx itself owns ::onnx): parsing and serialising ModelProto with protobuf (libonnx's generated
// onnx.pb.h), TensorProto <-> Tensor, and external data. This is plain translation: no op is
// rewritten here (import normalisation lives in import/, export in export/).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "ir/graph.h"

namespace flowonnx::onnx_io {

struct Model {
  ir::Graph graph;  // opset_imports live in graph.opset_imports
  int64_t ir_version = 8;
  std::string producer_name = "flowonnx";
  std::string producer_version = "0.1.0";
  std::string doc_string;
  std::map<std::string, std::string> metadata;
  // Initializers that the file also lists in graph.input (IR v3 style): ONNX Runtime treats them
  // as inputs with a default value, so a feed may override them. They stay initializers here (not
  // in graph.inputs); save_model lists them in graph.input again.
  std::set<std::string> overridable_initializers;
};

// Reads and parses a .onnx file; external data is read relative to the file's folder.
// Errors (InvalidModel / IoError) name the file, and the node / tensor / attribute concerned.
Model load_model(const std::filesystem::path& path);
// `base_dir` resolves external data (strictly inside it: "..", absolute paths and symlinks
// leaving it are refused); `source` names the model in error messages.
Model parse_model(std::string_view bytes, const std::filesystem::path& base_dir,
                  const std::string& source);

struct SaveOptions {
  // Store every initializer of at least `external_threshold` bytes outside the .onnx file.
  bool external_data = false;
  size_t external_threshold = 1024;
};

// Serialises and writes atomically (temporary file + rename, external data files first). A model
// over 2 GiB without external_data is refused with an error suggesting it.
// With external_data, every initializer of at least `external_threshold` bytes goes into one file
// `<file name>.data` beside the model (e.g. model.onnx.data), each at a 4096-aligned offset, as
// onnx's convert_model_to_external_data(all_tensors_to_one_file=True) does.
void save_model(const Model& model, const std::filesystem::path& path, const SaveOptions& options = {});
// Serialised bytes of a model with every tensor inline (for tests and in-memory use).
std::string serialize_model(const Model& model);

// Adds the value types libonnx's shape inference (with data propagation, so Shape chains are
// followed) can work out to every untyped value of the graph; existing types are kept.
// Inference errors are ignored: values it cannot type stay untyped.
void infer_shapes_with_onnx(Model& model);

// A single TensorProto file (.pb, as in the ONNX backend test data).
Tensor read_tensor_pb(const std::filesystem::path& path);
void write_tensor_pb(const std::filesystem::path& path, const Tensor& tensor, const std::string& name = "");

// ONNX TensorProto.DataType <-> DType (throws NotImplemented naming the ONNX type otherwise).
DType dtype_from_onnx(int onnx_type);
int dtype_to_onnx(DType dtype);
// "tensor(float)", as ONNX Runtime's NodeArg.type.
std::string onnx_type_string(DType dtype);

// Runs libonnx's checker (loading the model from `path`, so external data is checked too) and its
// strict shape inference with type checks. Any complaint becomes Error(InvalidModel) carrying the
// checker's message and the path.
void check_model_with_onnx(const std::filesystem::path& path);

}  // namespace flowonnx::onnx_io
