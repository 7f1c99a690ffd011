// Shared helpers of the fuzz targets: a per-process scratch folder and splitting one fuzz input
// into several files. Only flowonnx::Error is an expected outcome of a hostile input; anything else
// (crash, sanitizer report, other exception, hang, huge allocation) is a bug.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace flowonnx::fuzz {

// A fresh folder under the system temp dir, unique to this process (libFuzzer -jobs runs several).
// scripts/fuzz.sh points $TMPDIR at /dev/shm: the checkpoint target writes files on every run.
inline const std::filesystem::path& scratch_root() {
  // Leaked on purpose: the atexit cleanup runs after static destructors would have run.
  static const std::filesystem::path& root = *[] {
    auto* path = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                           ("flowonnx-fuzz-" + std::to_string(::getpid())));
    std::filesystem::remove_all(*path);
    std::filesystem::create_directories(*path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch_root(), ignored);
    });
    return path;
  }();
  return root;
}

// Empties `name` under the scratch root and returns it.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = scratch_root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Files in one fuzz input are separated by this marker (make_seed_corpus.py uses it too; the
// dictionaries list it so mutations can add and drop files).
inline constexpr std::string_view kFileSeparator = "\n@@FILE@@\n";

inline std::vector<std::string_view> split_files(std::string_view bytes, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = bytes.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(bytes.substr(0, at));
    bytes.remove_prefix(at + kFileSeparator.size());
  }
  parts.push_back(bytes);
  return parts;
}

}  // namespace flowonnx::fuzz
