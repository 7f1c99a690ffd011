#include "flow/checkpoint/tensor_folder.h"

#include <cstring>
#include <fstream>
#include <system_error>

#include "base/error.h"
#include "base/file_util.h"
#include "flow/checkpoint/meta_text.h"

namespace flowonnx::checkpoint {
namespace fs = std::filesystem;
namespace {

bool is_within(const fs::path& root, const fs::path& path) {
  auto [root_end, path_end] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

// Follows every symlink of an existing `path` and checks the target still lies inside `root`.
void require_inside(const fs::path& root, const fs::path& path, const std::string& key) {
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec)
    fail(ErrorCode::IoError, "{}: cannot resolve checkpoint folder: {}", root.string(),
         ec.message());
  fs::path real_path = fs::weakly_canonical(path, ec);
  if (ec || !is_within(real_root, real_path))
    fail(ErrorCode::InvalidModel, "{}: tensor '{}' leads outside the checkpoint folder {}",
         path.string(), key, root.string());
}

void write_bytes(const fs::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorCode::IoError, "{}: cannot create file", path.string());
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.flush();
  if (!out) fail(ErrorCode::IoError, "{}: write failed (disk full?)", path.string());
}

}  // namespace

fs::path resolve_inside(const fs::path& root, const std::string& relative, const std::string& key) {
  fs::path path(relative);
  bool bad = relative.empty() || path.has_root_name() || path.has_root_directory() ||
             relative.find('\0') != std::string::npos;
  for (const fs::path& part : path) bad = bad || part == "..";
  if (bad)
    fail(ErrorCode::InvalidModel,
         "{}: tensor '{}' has path '{}', which is not a plain path inside the checkpoint",
         root.string(), key, relative);
  fs::path joined = root / path;
  require_inside(root, joined, key);
  return joined;
}

Tensor read_tensor_folder(const fs::path& root, const fs::path& folder, const std::string& key) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    fail(ErrorCode::IoError, "{}: tensor '{}': folder is missing", folder.string(), key);
  fs::path out_path = folder / "out";
  fs::path meta_path = folder / "meta";
  if (!fs::exists(out_path, ec))
    fail(ErrorCode::IoError, "{}: tensor '{}': missing out file (the tensor data)",
         out_path.string(), key);
  if (!fs::exists(meta_path, ec))
    fail(ErrorCode::InvalidModel,
         "{}: tensor '{}': missing meta file, so its shape and data type are unknown",
         meta_path.string(), key);
  require_inside(root, out_path, key);
  require_inside(root, meta_path, key);

  constexpr uintmax_t kMaxMetaBytes = 1 << 20;  // a real meta is < 100 bytes
  uintmax_t meta_size = fs::file_size(meta_path, ec);
  if (!ec && meta_size > kMaxMetaBytes)
    fail(ErrorCode::InvalidModel, "{}: tensor '{}': meta file is {} bytes, not a VariableMetaInfo",
         meta_path.string(), key, meta_size);
  VariableMeta meta = parse_variable_meta(read_file(meta_path), key, meta_path.string());

  // Compare sizes before reading, so a hostile meta or a huge out never costs memory.
  size_t expected = static_cast<size_t>(num_elements(meta.shape)) * dtype_size(meta.dtype);
  uintmax_t actual = fs::file_size(out_path, ec);
  if (ec)
    fail(ErrorCode::IoError, "{}: tensor '{}': cannot stat out: {}", out_path.string(), key,
         ec.message());
  auto size_error = [&](uintmax_t got) {
    fail(ErrorCode::InvalidModel,
         "{}: tensor '{}': out has {} bytes but meta says {} {} ({} bytes)", out_path.string(), key,
         got, dtype_name(meta.dtype), shape_to_string(meta.shape), expected);
  };
  if (actual != expected) size_error(actual);
  std::string bytes = read_file(out_path);
  if (bytes.size() != expected) size_error(bytes.size());

  Tensor tensor(meta.shape, meta.dtype);
  if (expected) std::memcpy(tensor.raw_data(), bytes.data(), expected);
  if (meta.dtype == DType::Bool) {  // bytes other than 0/1 are not valid C++ bools
    auto* data = static_cast<uint8_t*>(tensor.raw_data());
    for (size_t i = 0; i < expected; ++i) data[i] = data[i] != 0;
  }
  return tensor;
}

void write_tensor_folder(const fs::path& folder, const Tensor& tensor) {
  write_bytes(folder / "out", tensor.raw_data(), tensor.nbytes());
  std::string meta = format_variable_meta(tensor.shape(), tensor.dtype());
  write_bytes(folder / "meta", meta.data(), meta.size());
}

}  // namespace flowonnx::checkpoint
