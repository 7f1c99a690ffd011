#include "flow/checkpoint/safetensors.h"

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace flowonnx::checkpoint {
namespace {

using json = nlohmann::json;

// safetensors' own limit on the header (a bigger one is refused as hostile).
constexpr uint64_t kMaxHeader = uint64_t{100} << 20;

struct FileDType {
  DType dtype;
  size_t element_size;  // in the file (2 for BF16, widened to a 4-byte float32)
};

const std::map<std::string, FileDType, std::less<>>& file_dtypes() {
  static const std::map<std::string, FileDType, std::less<>> types = {
      {"F64", {DType::Float64, 8}},  {"F32", {DType::Float32, 4}}, {"F16", {DType::Float16, 2}},
      {"BF16", {DType::Float32, 2}}, {"I64", {DType::Int64, 8}},   {"I32", {DType::Int32, 4}},
      {"I16", {DType::Int16, 2}},    {"I8", {DType::Int8, 1}},     {"U64", {DType::UInt64, 8}},
      {"U32", {DType::UInt32, 4}},   {"U16", {DType::UInt16, 2}},  {"U8", {DType::UInt8, 1}},
      {"BOOL", {DType::Bool, 1}},
  };
  return types;
}

uint64_t header_length(std::string_view bytes) {
  uint64_t length = 0;
  for (size_t i = 0; i < 8; ++i)
    length |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return length;
}

Tensor read_one(const std::string& name, const json& info, std::string_view data,
                const std::string& source) {
  auto bad = [&](const std::string& what) {
    fail(ErrorCode::InvalidModel, "{}: tensor '{}': {}", source, name, what);
  };
  if (!info.is_object()) bad("its header entry is not an object");
  const json* dtype = info.contains("dtype") ? &info["dtype"] : nullptr;
  const json* shape = info.contains("shape") ? &info["shape"] : nullptr;
  const json* offsets = info.contains("data_offsets") ? &info["data_offsets"] : nullptr;
  if (!dtype || !dtype->is_string() || !shape || !shape->is_array() || !offsets ||
      !offsets->is_array() || offsets->size() != 2)
    bad("needs \"dtype\" (string), \"shape\" (list) and \"data_offsets\" ([begin, end])");
  auto type = file_dtypes().find(dtype->get<std::string>());
  if (type == file_dtypes().end())
    fail(ErrorCode::NotImplemented, "{}: tensor '{}': dtype {} is not supported", source, name,
         dtype->get<std::string>());
  Shape dims;
  uint64_t numel = 1;
  // At most 2^60 elements, so that numel * element_size (<= 8) cannot wrap.
  for (const json& dim : *shape) {
    if (!dim.is_number_unsigned())
      bad(fmt::format("shape {} has a non-integer dim", shape->dump()));
    uint64_t d = dim.get<uint64_t>();
    if (d > 0 && numel > (uint64_t{1} << 60) / d)
      bad(fmt::format("shape {} is absurd", shape->dump()));
    numel *= d;
    dims.push_back(static_cast<int64_t>(d));
  }
  for (const json& offset : *offsets)
    if (!offset.is_number_unsigned()) bad("data_offsets are not non-negative integers");
  uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
  if (begin > end || end > data.size())
    bad(fmt::format("data_offsets [{}, {}] fall outside the {} data bytes", begin, end,
                    data.size()));
  uint64_t expected = numel * type->second.element_size;
  if (end - begin != expected)
    bad(fmt::format("{} {} needs {} bytes but data_offsets [{}, {}] hold {}", type->first,
                    shape->dump(), expected, begin, end, end - begin));
  Tensor tensor(dims, type->second.dtype);
  const char* from = data.data() + begin;
  if (type->first == "BF16") {
    auto* out = static_cast<char*>(tensor.raw_data());
    for (uint64_t i = 0; i < numel; ++i) {
      uint32_t bits = static_cast<uint32_t>(static_cast<unsigned char>(from[2 * i]) |
                                            (static_cast<unsigned char>(from[2 * i + 1]) << 8))
                      << 16;
      std::memcpy(out + 4 * i, &bits, 4);
    }
  } else if (expected > 0) {
    std::memcpy(tensor.raw_data(), from, expected);
  }
  return tensor;
}

}  // namespace

// The header length is not required to fit: a truncated file is still recognised, and then
// refused as truncated rather than as an unknown format.
bool is_safetensors(std::string_view bytes) {
  return bytes.size() >= 10 && header_length(bytes) >= 2 && bytes[8] == '{';
}

StateDict read_safetensors(std::string_view bytes, const std::string& source) {
  if (bytes.size() < 8)
    fail(ErrorCode::InvalidModel, "{}: truncated safetensors file ({} bytes)", source,
         bytes.size());
  uint64_t length = header_length(bytes);
  if (length > bytes.size() - 8 || length > kMaxHeader)
    fail(ErrorCode::InvalidModel,
         "{}: safetensors header of {} bytes does not fit the {}-byte file (truncated?)", source,
         length, bytes.size());
  json header = json::parse(bytes.substr(8, length), nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    fail(ErrorCode::InvalidModel, "{}: the safetensors header is not a JSON object", source);
  std::string_view data = bytes.substr(8 + length);
  StateDict state_dict;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    state_dict.emplace(name, read_one(name, info, data, source));
  }
  if (state_dict.empty())
    fail(ErrorCode::InvalidModel, "{}: the safetensors file holds no tensors", source);
  return state_dict;
}

}  // namespace flowonnx::checkpoint
