#include "onnx/external_data.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <system_error>

#include "base/error.h"

namespace flowonnx::onnx_io {
namespace fs = std::filesystem;

namespace {

// external_data offsets and lengths are decimal strings; anything else is a corrupt model.
uint64_t parse_size(const std::string& text, const char* key, const std::string& context) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [last, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || last != end)
    fail(ErrorCode::InvalidModel, "{}: external data {} '{}' is not a non-negative integer",
         context, key, text);
  return value;
}

// True when `inner` is `outer` or lies below it (both canonical).
bool is_within(const fs::path& outer, const fs::path& inner) {
  auto [outer_end, inner_end] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return outer_end == outer.end();
}

}  // namespace

ExternalDataReader::ExternalDataReader(fs::path base_dir)
    : base_dir_(base_dir.empty() ? fs::path(".") : std::move(base_dir)) {}

const fs::path& ExternalDataReader::canonical_base(const std::string& context) {
  if (canonical_base_.empty()) {
    std::error_code ec;
    canonical_base_ = fs::canonical(base_dir_, ec);
    if (ec)
      fail(ErrorCode::IoError, "{}: cannot resolve the model folder '{}' for external data: {}",
           context, base_dir_.string(), ec.message());
  }
  return canonical_base_;
}

size_t ExternalDataReader::open(const std::string& location, const std::string& context) {
  // Lexical checks first: they need no file system and catch the plain escapes.
  if (location.find('\0') != std::string::npos)
    fail(ErrorCode::InvalidModel, "{}: external data location contains a NUL character", context);
  fs::path relative(location);
  if (relative.is_absolute() || relative.has_root_directory() || relative.has_root_name())
    fail(ErrorCode::InvalidModel,
         "{}: external data location '{}' is an absolute path; it must be relative to the model's "
         "folder",
         context, location);
  for (const fs::path& part : relative)
    if (part == "..")
      fail(ErrorCode::InvalidModel,
           "{}: external data location '{}' contains '..'; it must stay inside the model's folder",
           context, location);

  // Then resolve symlinks: the real file must still be inside the real model folder.
  const fs::path& base = canonical_base(context);
  std::error_code ec;
  fs::path real = fs::canonical(base / relative, ec);
  if (ec)
    fail(ErrorCode::InvalidModel, "{}: external data file '{}' not found in '{}': {}", context,
         location, base.string(), ec.message());
  if (!is_within(base, real))
    fail(ErrorCode::InvalidModel,
         "{}: external data location '{}' resolves to '{}', outside the model's folder '{}' "
         "(symlink escape)",
         context, location, real.string(), base.string());
  if (!fs::is_regular_file(real, ec))
    fail(ErrorCode::InvalidModel, "{}: external data location '{}' is not a regular file", context,
         location);

  auto cached = file_index_.find(real.string());
  if (cached != file_index_.end()) return cached->second;
  auto file = std::make_unique<OpenFile>();
  file->path = real;
  file->size = fs::file_size(real, ec);
  if (ec)
    fail(ErrorCode::IoError, "{}: cannot stat external data file '{}': {}", context, real.string(),
         ec.message());
  file->stream.open(real, std::ios::binary);
  if (!file->stream)
    fail(ErrorCode::IoError, "{}: cannot open external data file '{}'", context, real.string());
  files_.push_back(std::move(file));
  file_index_[real.string()] = files_.size() - 1;
  return files_.size() - 1;
}

ExternalDataReader::Span ExternalDataReader::locate(const ::onnx::TensorProto& proto,
                                                    const std::string& context) {
  std::optional<std::string> location, offset_text, length_text;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset_text = entry.value();
    else if (entry.key() == "length")
      length_text = entry.value();
    // "checksum" (and anything newer) is ignored: the byte range check is what keeps us safe.
  }
  if (!location || location->empty())
    fail(ErrorCode::InvalidModel, "{}: external data has no 'location'", context);
  Span span;
  span.location = *location;
  span.offset = offset_text ? parse_size(*offset_text, "offset", context) : 0;
  span.file = open(*location, context);
  uint64_t file_size = files_[span.file]->size;
  if (span.offset > file_size)
    fail(ErrorCode::InvalidModel,
         "{}: external data offset {} is past the end of '{}' (file size {} bytes)", context,
         span.offset, *location, file_size);
  span.length = length_text ? parse_size(*length_text, "length", context) : file_size - span.offset;
  if (span.length > file_size - span.offset)
    fail(ErrorCode::InvalidModel,
         "{}: external data offset {} + length {} is past the end of '{}' (file size {} bytes)",
         context, span.offset, span.length, *location, file_size);
  return span;
}

void ExternalDataReader::read(const Span& span, void* out, const std::string& context) {
  OpenFile& file = *files_.at(span.file);
  file.stream.clear();
  file.stream.seekg(static_cast<std::streamoff>(span.offset));
  file.stream.read(static_cast<char*>(out), static_cast<std::streamsize>(span.length));
  if (!file.stream || static_cast<uint64_t>(file.stream.gcount()) != span.length)
    fail(ErrorCode::IoError, "{}: short read of {} bytes at offset {} from '{}' (file changed?)",
         context, span.length, span.offset, file.path.string());
}

}  // namespace flowonnx::onnx_io
