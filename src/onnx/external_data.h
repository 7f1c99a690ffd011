// Reading tensor bytes stored outside a .onnx file (TensorProto.data_location == EXTERNAL, with
// external_data keys location / offset / length). Locations are confined to the model's folder:
// absolute paths, ".." components and symlinks that leave the folder are refused, and every byte
// range is checked against the file size before anything is allocated or read.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flowonnx::onnx_io {

class ExternalDataReader {
 public:
  // `base_dir` is the model's folder ("" means the current folder).
  explicit ExternalDataReader(std::filesystem::path base_dir);

  // A validated byte range of one external file.
  struct Span {
    std::string location;
    uint64_t offset = 0;
    uint64_t length = 0;
    size_t file = 0;  // index into files_
  };

  // Validates the tensor's external_data keys, resolves and opens the file (cached: tensors
  // sharing a file share one stream) and checks that the range lies inside the file.
  // `context` ("model.onnx: initializer 'w'") prefixes every error; errors are InvalidModel.
  Span locate(const ::onnx::TensorProto& proto, const std::string& context);
  // Reads exactly span.length bytes into `out` (IoError on a short read).
  void read(const Span& span, void* out, const std::string& context);

 private:
  struct OpenFile {
    std::filesystem::path path;  // canonical
    std::ifstream stream;
    uint64_t size = 0;
  };
  size_t open(const std::string& location, const std::string& context);
  const std::filesystem::path& canonical_base(const std::string& context);

  std::filesystem::path base_dir_;
  std::filesystem::path canonical_base_;      // resolved on first use
  std::map<std::string, size_t> file_index_;  // canonical path -> index into files_
  std::vector<std::unique_ptr<OpenFile>> files_;
};

}  // namespace flowonnx::onnx_io
