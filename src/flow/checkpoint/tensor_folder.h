// One tensor of a OneFlow checkpoint: a folder holding `out` (raw little-endian C-order bytes) and
// `meta` (text proto). Shared by the legacy and the pickle layouts, which store tensors alike.
#pragma once

#include <filesystem>
#include <string>

#include "tensor/tensor.h"

namespace flowonnx::checkpoint {

// Resolves `relative` (a path read from the checkpoint) inside `root`, refusing absolute paths,
// `..` components and symlinks that lead outside `root`. Throws InvalidModel naming `key`.
std::filesystem::path resolve_inside(const std::filesystem::path& root, const std::string& relative,
                                     const std::string& key);

// Reads `folder`/meta and `folder`/out into a tensor named `key` (for messages). The files must
// lie inside `root` (no symlink escape). Missing files are IoErrors; a size that disagrees with
// the meta, or a bad meta, is InvalidModel. Both name the key and the file.
Tensor read_tensor_folder(const std::filesystem::path& root, const std::filesystem::path& folder,
                          const std::string& key);

// Writes `folder`/out and `folder`/meta for `tensor`; `folder` must exist. Throws IoError.
void write_tensor_folder(const std::filesystem::path& folder, const Tensor& tensor);

}  // namespace flowonnx::checkpoint
