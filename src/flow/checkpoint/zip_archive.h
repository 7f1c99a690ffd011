// A minimal, bounds-checked reader of zip archives held in memory, enough for torch.save's zip
// format: entries are found through the central directory (zip64 records included) and read
// only when stored uncompressed, which is how torch writes them (so tensors can be mapped).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowonnx::checkpoint {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;       // 0: stored; 8: deflate (refused by data())
  uint64_t data_offset = 0;  // of the entry's bytes, past its local header
  uint64_t size = 0;         // compressed size (= the size for stored entries)
  bool encrypted = false;
};

// "PK\3\4" or "PK\5\6" (an empty archive).
bool is_zip(std::string_view bytes);

class ZipArchive {
 public:
  // Reads the central directory; `bytes` must outlive the archive. Throws InvalidModel naming
  // `source` for a missing or inconsistent directory, or entries that point past the end.
  ZipArchive(std::string_view bytes, std::string source);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr when no entry has exactly this name.
  const ZipEntry* find(std::string_view name) const;
  // The entry's bytes; throws NotImplemented for compressed or encrypted entries.
  std::string_view data(const ZipEntry& entry) const;
  const std::string& source() const { return source_; }

 private:
  std::string_view bytes_;
  std::string source_;
  std::vector<ZipEntry> entries_;
};

}  // namespace flowonnx::checkpoint
