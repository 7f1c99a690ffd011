// How torch pickles a tensor (torch/_tensor.py __reduce_ex__, torch/serialization.py _save):
//   _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks
//                      [, metadata])
// where `storage` is a persistent id ('storage', torch.FloatStorage, key, location, numel) (the
// legacy format adds a sixth item, view metadata, None since torch 0.4). nn.Parameter wraps it:
// _rebuild_parameter(tensor, requires_grad, backward_hooks). A state_dict() is an OrderedDict,
// pickled as REDUCE(OrderedDict, ()) followed by SETITEMS.
#include "flow/checkpoint/torch_checkpoint.h"

#include <cstring>
#include <map>
#include <set>

#include "base/error.h"
#include "flow/checkpoint/pickle_reader.h"
#include "flow/checkpoint/zip_archive.h"
#include "tensor/half.h"

namespace flowonnx::checkpoint {
namespace {

using pickle::Value;
using pickle::ValueKind;

constexpr const char* kRebuildTensor = "torch._utils._rebuild_tensor_v2";
constexpr const char* kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr const char* kBFloat16Storage = "torch.BFloat16Storage";
constexpr int kMaxDepth = 64;
constexpr size_t kMaxVisits = size_t{1} << 20;

// Storage type -> our dtype and its element size in the file. bfloat16 has no dtype here: it is
// widened to float32 (exactly) when the tensor is built.
struct StorageType {
  DType dtype;
  size_t element_size;
};
const std::map<std::string, StorageType, std::less<>>& storage_types() {
  static const std::map<std::string, StorageType, std::less<>> types = {
      {"torch.FloatStorage", {DType::Float32, 4}}, {"torch.DoubleStorage", {DType::Float64, 8}},
      {"torch.HalfStorage", {DType::Float16, 2}},  {kBFloat16Storage, {DType::Float32, 2}},
      {"torch.LongStorage", {DType::Int64, 8}},    {"torch.IntStorage", {DType::Int32, 4}},
      {"torch.ShortStorage", {DType::Int16, 2}},   {"torch.CharStorage", {DType::Int8, 1}},
      {"torch.ByteStorage", {DType::UInt8, 1}},    {"torch.BoolStorage", {DType::Bool, 1}},
  };
  return types;
}

const pickle::ParseOptions& torch_parse_options() {
  static const std::set<std::string, std::less<>> allowed = [] {
    std::set<std::string, std::less<>> names = {kRebuildTensor, kRebuildParameter,
                                                "collections.OrderedDict", "torch.device"};
    for (const auto& [name, type] : storage_types()) names.insert(name);
    return names;
  }();
  static const pickle::ParseOptions options{&allowed, /*persistent_ids=*/true};
  return options;
}

// Where a storage's bytes are: the zip entry, or the legacy file's record.
using StorageBytes = std::map<std::string, std::string_view>;

struct StorageRef {
  std::string key;
  std::string type_name;
  StorageType type;
  int64_t numel = 0;
};

bool is_global(const Value* value, std::string_view name) {
  return value && value->kind == ValueKind::Global && value->text == name;
}

class TensorBuilder {
 public:
  TensorBuilder(const std::string& source, const StorageBytes& storages)
      : source_(source), storages_(storages) {}

  [[noreturn]] void bad(const std::string& key, const std::string& what) const {
    fail(ErrorCode::InvalidModel, "{}: tensor '{}': {}", source_, key, what);
  }

  int64_t integer(const Value* value, const std::string& key, const char* what) const {
    if (!value || value->kind != ValueKind::Int)
      bad(key, fmt::format("{} is a {}, expected an int", what,
                           value ? pickle::value_kind_name(value->kind) : "missing value"));
    return value->integer;
  }
  std::vector<int64_t> integers(const Value* value, const std::string& key,
                                const char* what) const {
    if (!value || value->kind != ValueKind::Tuple) bad(key, fmt::format("{} is not a tuple", what));
    std::vector<int64_t> out;
    for (const Value* item : value->items) out.push_back(integer(item, key, what));
    return out;
  }

  StorageRef storage(const Value* value, const std::string& key) const {
    if (!value || value->kind != ValueKind::PersistentId || value->items.size() != 1 ||
        value->items[0]->kind != ValueKind::Tuple)
      bad(key, "the storage is not a persistent id tuple");
    const std::vector<Value*>& id = value->items[0]->items;
    if (id.size() < 5 || !id[0]->is_string() || id[0]->text != "storage")
      bad(key, "the storage's persistent id is not ('storage', type, key, location, numel)");
    if (id.size() > 5 && id[5]->kind != ValueKind::None)
      fail(ErrorCode::NotImplemented,
           "{}: tensor '{}': a storage view (pre-0.4 torch files); re-save the checkpoint with a "
           "current torch",
           source_, key);
    StorageRef ref;
    if (id[1]->kind != ValueKind::Global) bad(key, "the storage type is not a class");
    ref.type_name = id[1]->text;
    auto type = storage_types().find(ref.type_name);
    if (type == storage_types().end())
      fail(ErrorCode::NotImplemented, "{}: tensor '{}': storage type {} is not supported", source_,
           key, ref.type_name);
    ref.type = type->second;
    if (!id[2]->is_string()) bad(key, "the storage key is not a string");
    ref.key = id[2]->text;
    ref.numel = integer(id[4], key, "the storage's element count");
    if (ref.numel < 0) bad(key, fmt::format("negative storage element count {}", ref.numel));
    return ref;
  }

  // The bytes of `ref`, which must hold its declared element count.
  std::string_view storage_bytes(const StorageRef& ref, const std::string& key) const {
    auto found = storages_.find(ref.key);
    if (found == storages_.end())
      fail(ErrorCode::InvalidModel, "{}: tensor '{}': storage '{}' is missing from the file",
           source_, key, ref.key);
    // Compared by division: numel * element_size may not fit 64 bits in a hostile file.
    if (static_cast<uint64_t>(ref.numel) > found->second.size() / ref.type.element_size)
      fail(ErrorCode::InvalidModel,
           "{}: tensor '{}': storage '{}' has {} bytes but the pickle declares {} elements of {} "
           "({} bytes each)",
           source_, key, ref.key, found->second.size(), ref.numel, ref.type_name,
           ref.type.element_size);
    return found->second;
  }

  Tensor build(const Value& call, const std::string& key) const {
    const Value* args = call.object_args;
    if (!args || args->kind != ValueKind::Tuple || args->items.size() < 4)
      bad(key, "_rebuild_tensor_v2 needs (storage, offset, size, stride, ...)");
    StorageRef ref = storage(args->items[0], key);
    int64_t offset = integer(args->items[1], key, "the storage offset");
    std::vector<int64_t> size = integers(args->items[2], key, "the size");
    std::vector<int64_t> stride = integers(args->items[3], key, "the stride");
    if (size.size() != stride.size())
      bad(key, fmt::format("size has {} dims but stride {}", size.size(), stride.size()));
    // The furthest element the view reaches must lie inside the storage.
    int64_t numel = 1, last = offset;
    bool empty = false;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] < 0 || stride[d] < 0)
        bad(key, fmt::format("negative size or stride in {} / {}", shape_to_string(size),
                             shape_to_string(stride)));
      if (size[d] == 0) empty = true;
      if (size[d] > 0 && stride[d] > 0 && size[d] - 1 > (INT64_MAX - last) / stride[d])
        bad(key, "size and stride overflow 64 bits");
      if (size[d] > 0) last += (size[d] - 1) * stride[d];
      if (size[d] > 0 && numel > INT64_MAX / size[d]) bad(key, "the size overflows 64 bits");
      numel *= size[d];
    }
    if (offset < 0 || (!empty && last >= ref.numel))
      fail(ErrorCode::InvalidModel,
           "{}: tensor '{}': {} at storage offset {} with stride {} reaches element {}, past the "
           "end of storage '{}' ({} elements)",
           source_, key, shape_to_string(size), offset, shape_to_string(stride), last, ref.key,
           ref.numel);
    std::string_view bytes = storage_bytes(ref, key);
    Tensor tensor(size, ref.type.dtype);
    if (empty) return tensor;
    copy_strided(bytes, ref, offset, size, stride, tensor);
    return tensor;
  }

 private:
  // Gathers a (possibly non-contiguous) view into C order, converting bfloat16 to float32.
  static void copy_strided(std::string_view bytes, const StorageRef& ref, int64_t offset,
                           const std::vector<int64_t>& size, const std::vector<int64_t>& stride,
                           Tensor& out) {
    const size_t element = ref.type.element_size;
    const bool widen = ref.type_name == kBFloat16Storage;
    char* target = static_cast<char*>(out.raw_data());
    const size_t out_element = dtype_size(out.dtype());
    std::vector<int64_t> index(size.size(), 0);
    const int64_t count = out.num_elements();
    int64_t source = offset;
    for (int64_t n = 0; n < count; ++n) {
      const char* from = bytes.data() + static_cast<size_t>(source) * element;
      if (widen) {
        uint32_t bits = static_cast<uint32_t>(static_cast<unsigned char>(from[0]) |
                                              (static_cast<unsigned char>(from[1]) << 8))
                        << 16;
        std::memcpy(target + n * out_element, &bits, 4);
      } else {
        std::memcpy(target + n * out_element, from, element);
      }
      for (size_t d = size.size(); d-- > 0;) {  // odometer over the view's index
        source += stride[d];
        if (++index[d] < size[d]) break;
        source -= stride[d] * size[d];
        index[d] = 0;
      }
    }
  }

  const std::string& source_;
  const StorageBytes& storages_;
};

// Walks the unpickled object, turning every rebuilt tensor into a state-dict entry.
class Flattener {
 public:
  Flattener(const std::string& source, const TensorBuilder& builder)
      : source_(source), builder_(builder) {}

  void walk(const Value& value, const std::string& key, int depth) {
    if (depth > kMaxDepth)
      fail(ErrorCode::InvalidModel, "{}: objects nested deeper than {} levels (or cyclic) at '{}'",
           source_, kMaxDepth, key);
    if (++visits_ > kMaxVisits)
      fail(ErrorCode::InvalidModel, "{}: more than {} values to walk at '{}'", source_, kMaxVisits,
           key);
    if (value.kind == ValueKind::Object && is_global(value.object_class, kRebuildParameter)) {
      const Value* args = value.object_args;
      if (!args || args->kind != ValueKind::Tuple || args->items.empty())
        builder_.bad(key, "_rebuild_parameter without a tensor");
      return walk(*args->items[0], key, depth + 1);
    }
    if (value.kind == ValueKind::Object && is_global(value.object_class, kRebuildTensor)) {
      if (key.empty())
        fail(ErrorCode::InvalidModel, "{}: the file holds a single tensor, not a dict of them",
             source_);
      if (!tensors_.emplace(key, builder_.build(value, key)).second)
        fail(ErrorCode::InvalidModel, "{}: two tensors flatten to the key '{}'", source_, key);
      return;
    }
    auto child = [&](const std::string& name) { return key.empty() ? name : key + "." + name; };
    for (const auto& [k, v] : value.entries) {
      if (k->kind == ValueKind::String)
        walk(*v, child(k->text), depth + 1);
      else if (k->kind == ValueKind::Int)
        walk(*v, child(std::to_string(k->integer)), depth + 1);
      // Other keys (tuples, ...) cannot name a parameter: skipped like non-tensor leaves.
    }
    if (value.kind == ValueKind::List || value.kind == ValueKind::Tuple)
      for (size_t i = 0; i < value.items.size(); ++i)
        walk(*value.items[i], child(std::to_string(i)), depth + 1);
  }

  StateDict take() { return std::move(tensors_); }

 private:
  const std::string& source_;
  const TensorBuilder& builder_;
  StateDict tensors_;
  size_t visits_ = 0;
};

bool is_mapping(const Value* value) {
  return value && (value->kind == ValueKind::Dict ||
                   (value->kind == ValueKind::Object &&
                    is_global(value->object_class, "collections.OrderedDict")));
}

// Training scripts save {"epoch": ..., "state_dict": ..., "optimizer": ...}; only the weights
// are wanted.
const Value& unwrap(const Value& root) {
  if (!is_mapping(&root)) return root;
  for (const char* name : {"state_dict", "model"})
    if (const Value* inner = root.find(name); is_mapping(inner)) return *inner;
  return root;
}

StateDict flatten(const Value& root, const std::string& source, const StorageBytes& storages) {
  if (!is_mapping(&root))
    fail(ErrorCode::InvalidModel, "{}: the checkpoint holds a {}, not a dict of tensors", source,
         pickle::value_kind_name(root.kind));
  TensorBuilder builder(source, storages);
  Flattener flattener(source, builder);
  flattener.walk(unwrap(root), "", 0);
  StateDict state_dict = flattener.take();
  if (state_dict.empty())
    fail(ErrorCode::InvalidModel, "{}: the checkpoint holds no tensors", source);
  return state_dict;
}

StateDict read_zip(std::string_view bytes, const std::string& source) {
  ZipArchive archive(bytes, source);
  const ZipEntry* pickle_entry = nullptr;
  for (const ZipEntry& entry : archive.entries()) {
    size_t slash = entry.name.find('/');
    if (slash != std::string::npos && entry.name.substr(slash + 1) == "data.pkl") {
      if (pickle_entry)
        fail(ErrorCode::InvalidModel, "{}: two data.pkl entries ('{}' and '{}')", source,
             pickle_entry->name, entry.name);
      pickle_entry = &entry;
    }
  }
  if (!pickle_entry)
    fail(ErrorCode::InvalidModel,
         "{}: a zip archive without <folder>/data.pkl: not a torch.save checkpoint", source);
  const std::string prefix =
      pickle_entry->name.substr(0, pickle_entry->name.size() - std::string("data.pkl").size()) +
      "data/";
  StorageBytes storages;
  for (const ZipEntry& entry : archive.entries())
    if (entry.name.size() > prefix.size() && entry.name.compare(0, prefix.size(), prefix) == 0)
      storages.emplace(entry.name.substr(prefix.size()), archive.data(entry));
  if (const ZipEntry* order = archive.find(prefix.substr(0, prefix.size() - 5) + "byteorder");
      order && archive.data(*order) != "little")
    fail(ErrorCode::NotImplemented, "{}: saved with byteorder '{}' (only little-endian is read)",
         source, std::string(archive.data(*order).substr(0, 16)));
  std::string pickle_source = source + ":" + pickle_entry->name;
  pickle::Document document =
      pickle::parse(archive.data(*pickle_entry), pickle_source, torch_parse_options());
  return flatten(document.root(), source, storages);
}

// The legacy magic number 0x1950a86a20f9469cfc6c, as pickled by protocol 2 (LONG1 of 10 bytes).
constexpr std::string_view kLegacyMagic("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 12);
constexpr int64_t kLegacyProtocol = 1001;

StateDict read_legacy(std::string_view bytes, const std::string& source) {
  size_t at = 0;
  auto next = [&](const char* what) {
    pickle::Document document =
        pickle::parse(bytes.substr(at), source + " (" + what + ")", torch_parse_options());
    at += document.end_offset();
    return document;
  };
  pickle::Document magic = next("magic number");
  if (magic.root().kind != ValueKind::BigInt || magic.root().text != kLegacyMagic.substr(2))
    fail(ErrorCode::InvalidModel, "{}: not a torch file (wrong magic number)", source);
  pickle::Document protocol = next("protocol version");
  if (protocol.root().kind != ValueKind::Int || protocol.root().integer != kLegacyProtocol)
    fail(ErrorCode::NotImplemented, "{}: torch legacy protocol version is not {}", source,
         kLegacyProtocol);
  pickle::Document sys_info = next("sys_info");
  const Value* little_endian = sys_info.root().find("little_endian");
  if (little_endian && little_endian->kind == ValueKind::Bool && !little_endian->boolean)
    fail(ErrorCode::NotImplemented, "{}: saved on a big-endian machine", source);
  pickle::Document object = next("object");
  pickle::Document keys = next("storage keys");
  if (keys.root().kind != ValueKind::List)
    fail(ErrorCode::InvalidModel, "{}: the storage key list is a {}", source,
         pickle::value_kind_name(keys.root().kind));

  // Element sizes come from the storage types the object pickle names for each key.
  std::map<std::string, size_t> element_size;
  for (const auto& value : object.values())
    if (value->kind == ValueKind::PersistentId && value->items.size() == 1 &&
        value->items[0]->kind == ValueKind::Tuple && value->items[0]->items.size() >= 3) {
      const auto& id = value->items[0]->items;
      auto type = id[1]->kind == ValueKind::Global ? storage_types().find(id[1]->text)
                                                   : storage_types().end();
      if (type != storage_types().end() && id[2]->is_string())
        element_size[id[2]->text] = type->second.element_size;
    }
  StorageBytes storages;
  for (const Value* key : keys.root().items) {
    if (!key->is_string())
      fail(ErrorCode::InvalidModel, "{}: a storage key is a {}", source,
           pickle::value_kind_name(key->kind));
    auto size = element_size.find(key->text);
    if (size == element_size.end())
      fail(ErrorCode::InvalidModel, "{}: storage '{}' is listed but no tensor names its type",
           source, key->text);
    if (bytes.size() - at < 8)
      fail(ErrorCode::InvalidModel, "{}: truncated: storage '{}' has no size record (byte {})",
           source, key->text, at);
    uint64_t count = 0;
    for (size_t i = 0; i < 8; ++i)
      count |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    at += 8;
    if (count > (bytes.size() - at) / size->second)
      fail(ErrorCode::InvalidModel,
           "{}: truncated: storage '{}' declares {} elements of {} bytes at byte {}, but only {} "
           "bytes are left",
           source, key->text, count, size->second, at, bytes.size() - at);
    storages[key->text] = bytes.substr(at, count * size->second);
    at += count * size->second;
  }
  return flatten(object.root(), source, storages);
}

}  // namespace

// Protocol 2 (torch's default) puts the magic right after PROTO; protocol 4 and up put a FRAME
// opcode (9 bytes) in between.
bool is_torch_legacy(std::string_view bytes) {
  return !bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80 &&
         bytes.substr(0, 24).find(kLegacyMagic) != std::string_view::npos;
}

StateDict read_torch_checkpoint(std::string_view bytes, const std::string& source) {
  if (is_zip(bytes)) return read_zip(bytes, source);
  if (is_torch_legacy(bytes)) return read_legacy(bytes, source);
  fail(ErrorCode::InvalidModel, "{}: neither a torch zip archive nor a legacy torch file", source);
}

}  // namespace flowonnx::checkpoint
