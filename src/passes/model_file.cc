#include "passes/model_file.h"

#include <onnx/onnx_pb.h>

#include "base/file_util.h"

namespace flowonnx::passes {

bool uses_external_data(const std::filesystem::path& path) {
  ::onnx::ModelProto proto;
  if (!proto.ParseFromString(read_file(path))) return false;
  for (const auto& tensor : proto.graph().initializer())
    if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL) return true;
  return false;
}

void save_like_input(const onnx_io::Model& model, const std::filesystem::path& input,
                     const std::filesystem::path& output) {
  onnx_io::SaveOptions save;
  save.external_data = uses_external_data(input);
  onnx_io::save_model(model, output, save);
}

}  // namespace flowonnx::passes
