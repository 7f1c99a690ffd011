// Writes PyTorch checkpoint files byte by byte, as torch.save lays them out
// (see src/flow/checkpoint/torch_checkpoint.h), so tests can make valid files
// and every kind of hostile one without Python: the pickle of a state dict
// (protocol 2), a zip archive of stored entries, the legacy stream, and
// safetensors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace flowonnx::testing::torch_files {

// One tensor of the state dict: which storage it views and how.
struct PickledTensor {
  std::string key;
  std::string storage_key = "0";
  std::string storage_type = "FloatStorage";  // torch.<storage_type>
  int64_t storage_numel = 0;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
  bool parameter = false;  // wrapped in torch._utils._rebuild_parameter
};

inline void append_le(std::string &out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}
inline std::string unicode(const std::string &text) {  // BINUNICODE
  std::string out = "X";
  append_le(out, text.size(), 4);
  return out + text;
}
inline std::string global(const std::string &module, const std::string &name) {
  return "c" + module + "\n" + name + "\n";
}
inline std::string integer(int64_t value) {  // BININT (4-byte signed), else LONG1 of 8 bytes
  std::string out;
  if (value >= INT32_MIN && value <= INT32_MAX) {
    out = "J";
    append_le(out, static_cast<uint64_t>(value), 4);
  } else {
    out = "\x8a\x08";
    append_le(out, static_cast<uint64_t>(value), 8);
  }
  return out;
}
inline std::string int_tuple(const std::vector<int64_t> &values) {
  std::string out = "(";
  for (int64_t v : values) out += integer(v);
  return out + "t";
}

// REDUCE(_rebuild_tensor_v2, (persistent_id, offset, size, stride, False,
// OrderedDict())). `rebuild` replaces the rebuild function's "module\nname"
// (for the off-allow-list case).
inline std::string tensor_pickle(const PickledTensor &t,
                                 const std::string &rebuild = "torch._utils\n_rebuild_tensor_v2") {
  std::string out;
  if (t.parameter) out += global("torch._utils", "_rebuild_parameter") + "(";
  out += "c" + rebuild + "\n(";
  out += "(" + unicode("storage") + global("torch", t.storage_type) + unicode(t.storage_key) +
         unicode("cpu") + integer(t.storage_numel) + "tQ";
  out += integer(t.offset) + int_tuple(t.size) + int_tuple(t.stride) + "\x89";
  out += global("collections", "OrderedDict") + ")R";
  out += "tR";
  if (t.parameter) out += "\x88" + global("collections", "OrderedDict") + ")Rt" + "R";
  return out;
}

// An OrderedDict of the tensors, optionally inside {wrapper: ...}.
inline std::string state_dict_pickle(
    const std::vector<PickledTensor> &tensors, const std::string &wrapper = "",
    const std::string &rebuild = "torch._utils\n_rebuild_tensor_v2") {
  std::string out = "\x80\x02";
  if (!wrapper.empty()) out += "}" + unicode(wrapper);
  out += global("collections", "OrderedDict") + ")R(";
  for (const PickledTensor &t : tensors) out += unicode(t.key) + tensor_pickle(t, rebuild);
  out += "u";
  if (!wrapper.empty()) out += "s";
  return out + ".";
}

// A zip of stored entries, as torch's PyTorchStreamWriter writes them (no
// compression).
inline std::string zip(const std::vector<std::pair<std::string, std::string>> &entries) {
  std::string out, directory;
  for (const auto &[name, data] : entries) {
    const uint64_t local = out.size();
    out += "PK\x03\x04";
    append_le(out, 20, 2);  // version needed
    append_le(out, 0, 2);   // flags
    append_le(out, 0, 2);   // method: stored
    append_le(out, 0, 4);   // time, date
    append_le(out, 0, 4);   // crc (not checked by the reader)
    append_le(out, data.size(), 4);
    append_le(out, data.size(), 4);
    append_le(out, name.size(), 2);
    append_le(out, 0, 2);
    out += name + data;
    directory += "PK\x01\x02";
    append_le(directory, 20, 2);
    append_le(directory, 20, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 4);
    append_le(directory, 0, 4);
    append_le(directory, data.size(), 4);
    append_le(directory, data.size(), 4);
    append_le(directory, name.size(), 2);
    append_le(directory, 0, 2);  // extra
    append_le(directory, 0, 2);  // comment
    append_le(directory, 0, 2);  // disk
    append_le(directory, 0, 2);  // internal attributes
    append_le(directory, 0, 4);  // external attributes
    append_le(directory, local, 4);
    directory += name;
  }
  const uint64_t directory_offset = out.size();
  out += directory + "PK\x05\x06";
  append_le(out, 0, 4);
  append_le(out, entries.size(), 2);
  append_le(out, entries.size(), 2);
  append_le(out, directory.size(), 4);
  append_le(out, directory_offset, 4);
  append_le(out, 0, 2);
  return out;
}

// The bytes of `values` as little-endian float32.
inline std::string floats(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

// torch's zip format: <folder>/data.pkl, <folder>/data/<key>, <folder>/version.
inline std::string torch_zip(const std::string &pickle,
                             const std::vector<std::pair<std::string, std::string>> &storages,
                             const std::string &folder = "archive") {
  std::vector<std::pair<std::string, std::string>> entries = {{folder + "/data.pkl", pickle}};
  for (const auto &[key, bytes] : storages) entries.emplace_back(folder + "/data/" + key, bytes);
  entries.emplace_back(folder + "/version", "3\n");
  return zip(entries);
}

// The legacy stream: magic, protocol 1001, sys_info, the object, the key list,
// the storages (each an int64 element count and the bytes; `element_size` to
// count them).
inline std::string torch_legacy(const std::string &pickle,
                                const std::vector<std::pair<std::string, std::string>> &storages,
                                int element_size = 4) {
  std::string out = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
  out += "\x80\x02" + integer(1001) + ".";
  out += "\x80\x02}(" + unicode("protocol_version") + integer(1001) + unicode("little_endian") +
         "\x88u.";
  out += pickle;
  out += "\x80\x02(";
  for (const auto &[key, bytes] : storages) out += unicode(key);
  out += "l.";
  for (const auto &[key, bytes] : storages) {
    append_le(out, bytes.size() / element_size, 8);
    out += bytes;
  }
  return out;
}

// safetensors with a raw JSON header (so tests can write inconsistent ones).
inline std::string safetensors(const std::string &header, const std::string &data) {
  std::string out;
  append_le(out, header.size(), 8);
  return out + header + data;
}

}  // namespace flowonnx::testing::torch_files
