// Zip layout (APPNOTE 6.3): local headers + data, then the central directory, then the end of
// central directory record (EOCD, possibly followed by a comment). Zip64 archives (> 4 GiB, or
// > 65535 entries) mark 32-bit fields 0xFFFFFFFF and keep the real values in a zip64 EOCD and in
// the extra field 0x0001 of each directory entry. Every offset read from the file is checked
// against its size before use.
#include "flow/checkpoint/zip_archive.h"

#include "base/error.h"

namespace flowonnx::checkpoint {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr size_t kEocdSize = 22, kLocatorSize = 20, kZip64EocdSize = 56;
constexpr size_t kCentralSize = 46, kLocalSize = 30;

// Little-endian reads at an offset already checked to be in range.
uint64_t read_le(std::string_view bytes, uint64_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

}  // namespace

bool is_zip(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 2) == "PK" &&
         ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

ZipArchive::ZipArchive(std::string_view bytes, std::string source)
    : bytes_(bytes), source_(std::move(source)) {
  auto corrupt = [&](const std::string& what) {
    fail(ErrorCode::InvalidModel, "{}: corrupt zip archive: {}", source_, what);
  };
  auto need = [&](uint64_t offset, uint64_t length, const char* what) {
    if (offset > bytes_.size() || length > bytes_.size() - offset)
      corrupt(fmt::format("{} at byte {} ({} bytes) runs past the end of the {}-byte file", what,
                          offset, length, bytes_.size()));
  };
  auto u = [&](uint64_t offset, size_t width) { return read_le(bytes_, offset, width); };

  // The EOCD is the last record; a comment of up to 65535 bytes may follow it.
  if (bytes_.size() < kEocdSize) corrupt("shorter than an end-of-directory record (truncated?)");
  uint64_t eocd = bytes_.size() - kEocdSize;
  const uint64_t lowest = eocd > 0xFFFF ? eocd - 0xFFFF : 0;
  while (u(eocd, 4) != kEndOfDirectory) {
    if (eocd == lowest) corrupt("no end-of-central-directory record (truncated?)");
    --eocd;
  }
  uint64_t count = u(eocd + 10, 2), directory_size = u(eocd + 12, 4),
           directory_offset = u(eocd + 16, 4);
  if (count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    if (eocd < kLocatorSize || u(eocd - kLocatorSize, 4) != kZip64Locator)
      corrupt("zip64 sizes without a zip64 locator");
    uint64_t zip64 = u(eocd - kLocatorSize + 8, 8);
    need(zip64, kZip64EocdSize, "the zip64 end-of-directory record");
    if (u(zip64, 4) != kZip64EndOfDirectory) corrupt("bad zip64 end-of-directory signature");
    count = u(zip64 + 32, 8);
    directory_size = u(zip64 + 40, 8);
    directory_offset = u(zip64 + 48, 8);
  }
  need(directory_offset, directory_size, "the central directory");
  // Each entry takes at least 46 bytes, so a huge count cannot make us allocate or loop long.
  if (count > directory_size / kCentralSize)
    corrupt(
        fmt::format("{} entries cannot fit a {}-byte central directory", count, directory_size));

  uint64_t at = directory_offset;
  const uint64_t directory_end = directory_offset + directory_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + kCentralSize > directory_end || u(at, 4) != kCentralHeader)
      corrupt(fmt::format("entry {} of the central directory is malformed", i));
    ZipEntry entry;
    entry.encrypted = u(at + 8, 2) & 1;
    entry.method = static_cast<uint16_t>(u(at + 10, 2));
    uint64_t compressed = u(at + 20, 4), uncompressed = u(at + 24, 4);
    uint64_t name_length = u(at + 28, 2), extra_length = u(at + 30, 2),
             comment_length = u(at + 32, 2), local = u(at + 42, 4);
    uint64_t end = at + kCentralSize + name_length + extra_length + comment_length;
    if (end > directory_end) corrupt(fmt::format("entry {} runs past the central directory", i));
    entry.name = std::string(bytes_.substr(at + kCentralSize, name_length));
    // Zip64 extended information: the 64-bit values of the fields saturated above, in order.
    for (uint64_t x = at + kCentralSize + name_length;
         x + 4 <= at + kCentralSize + name_length + extra_length;) {
      uint64_t id = u(x, 2), length = u(x + 2, 2), field = x + 4;
      if (field + length > at + kCentralSize + name_length + extra_length)
        corrupt(fmt::format("entry '{}': extra field runs past its end", entry.name));
      if (id == 1) {
        auto take = [&](uint64_t& value) {
          if (value != 0xFFFFFFFF) return;
          if (field + 8 > x + 4 + length)
            corrupt(fmt::format("entry '{}': zip64 field too short", entry.name));
          value = u(field, 8);
          field += 8;
        };
        take(uncompressed);
        take(compressed);
        take(local);
      }
      x += 4 + length;
    }
    need(local, kLocalSize, fmt::format("the local header of '{}'", entry.name).c_str());
    if (u(local, 4) != kLocalHeader)
      corrupt(fmt::format("entry '{}': bad local header signature", entry.name));
    entry.data_offset = local + kLocalSize + u(local + 26, 2) + u(local + 28, 2);
    entry.size = compressed;
    if (entry.method == 0 && compressed != uncompressed)
      corrupt(fmt::format("stored entry '{}' has compressed size {} but size {}", entry.name,
                          compressed, uncompressed));
    need(entry.data_offset, entry.size, fmt::format("the data of '{}'", entry.name).c_str());
    entries_.push_back(std::move(entry));
    at = end;
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const ZipEntry& entry : entries_)
    if (entry.name == name) return &entry;
  return nullptr;
}

std::string_view ZipArchive::data(const ZipEntry& entry) const {
  if (entry.encrypted)
    fail(ErrorCode::NotImplemented, "{}: entry '{}' is encrypted", source_, entry.name);
  if (entry.method != 0)
    fail(ErrorCode::NotImplemented,
         "{}: entry '{}' is compressed (zip method {}); torch.save stores entries uncompressed, "
         "so this archive was rewritten by another tool: re-save it with torch.save",
         source_, entry.name, entry.method);
  return bytes_.substr(entry.data_offset, entry.size);
}

}  // namespace flowonnx::checkpoint
