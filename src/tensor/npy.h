// NumPy .npy files (format versions 1.0, 2.0 and 3.0 headers; C order; every flowonnx dtype).
// Readers refuse Fortran order, unknown dtypes, big-endian data, lying headers and truncated
// data with an InvalidModel/IoError that names the file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tensor/tensor.h"

namespace flowonnx {

Tensor read_npy(const std::filesystem::path& path);
// `source` names the data in error messages (a file name, "<memory>").
Tensor parse_npy(std::string_view bytes, const std::string& source);

// Writes atomically (temporary file + rename): a failure leaves no partial file.
void write_npy(const std::filesystem::path& path, const Tensor& tensor);
std::string serialize_npy(const Tensor& tensor);

}  // namespace flowonnx
