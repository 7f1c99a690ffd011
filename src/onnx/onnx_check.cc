// check_model_with_onnx: libonnx's checker and strict shape inference as an independent judge of
// the files we write.
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "base/file_util.h"
#include "onnx/external_data.h"
#include "onnx/model_io.h"
#include "onnx/model_writer.h"

namespace flowonnx::onnx_io {
namespace fs = std::filesystem;

namespace {

// Shape inference reads shape-like initializers (Reshape's shape, ...) but cannot read external
// data itself, so integer tensors stored outside are pulled in (safely, through our reader).
void inline_integer_external_data(::onnx::ModelProto& proto, const fs::path& base_dir,
                                  const std::string& source) {
  ExternalDataReader external(base_dir);
  for (auto& tensor : *proto.mutable_graph()->mutable_initializer()) {
    bool integer = tensor.data_type() == ::onnx::TensorProto::INT64 ||
                   tensor.data_type() == ::onnx::TensorProto::INT32;
    if (tensor.data_location() != ::onnx::TensorProto::EXTERNAL || !integer) continue;
    std::string context = fmt::format("{}: initializer '{}'", source, tensor.name());
    ExternalDataReader::Span span = external.locate(tensor, context);
    std::string bytes(span.length, '\0');
    external.read(span, bytes.data(), context);
    tensor.clear_external_data();
    tensor.clear_data_location();
    tensor.set_raw_data(std::move(bytes));
  }
}

}  // namespace

void check_model_with_onnx(const fs::path& path) {
  fs::path absolute = fs::absolute(path);  // the checker finds external data beside the model
  std::string source = path.string();
  try {
    ::onnx::checker::check_model(absolute.string());
    std::string bytes = read_file(absolute);
    if (bytes.size() > kProtobufLimit)
      fail(ErrorCode::InvalidModel, "{}: over protobuf's 2 GiB limit", source);
    ::onnx::ModelProto proto;
    if (!proto.ParseFromString(bytes))
      fail(ErrorCode::InvalidModel, "{}: protobuf parse failed", source);
    inline_integer_external_data(proto, absolute.parent_path(), source);
    ::onnx::ShapeInferenceOptions options(/*check_type_val=*/true, /*strict_mode_val=*/1,
                                          /*data_prop_val=*/false);
    ::onnx::shape_inference::InferShapes(proto, ::onnx::OpSchemaRegistry::Instance(), options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    fail(ErrorCode::InvalidModel, "{}: rejected by the ONNX checker: {}", source, error.what());
  }
}

}  // namespace flowonnx::onnx_io
