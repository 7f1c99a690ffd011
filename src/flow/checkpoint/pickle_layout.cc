#include "flow/checkpoint/pickle_layout.h"

#include "base/error.h"
#include "flow/checkpoint/pickle_reader.h"

namespace flowonnx::checkpoint {
namespace {

using pickle::Value;
using pickle::ValueKind;

constexpr int kMaxDepth = 64;  // also stops cycles (a list that contains itself)
// Shared references (memo GETs) make the walk a DAG walk: a 300-byte pickle of 40 lists each
// holding the previous one twice has 2^40 paths. Real state dicts have thousands of entries.
constexpr size_t kMaxVisits = size_t{1} << 18;

// A tensor pickled by OneFlow's Tensor.__getstate__ inside flow.save: an object whose BUILD state
// is {"path": "tensor_N"}. A bare {"path": "..."} dict is accepted too, for tolerance.
const Value* state_of(const Value& value) {
  if (value.kind == ValueKind::Dict) return &value;
  if (value.kind != ValueKind::Object || !value.object_state) return nullptr;
  const Value* state = value.object_state;
  if (state->kind == ValueKind::Tuple && !state->items.empty())
    state = state->items[0];  // (dict, slots)
  return state->kind == ValueKind::Dict ? state : nullptr;
}

const Value* tensor_path(const Value& value) {
  const Value* state = state_of(value);
  if (!state) return nullptr;
  if (value.kind == ValueKind::Dict && state->entries.size() != 1) return nullptr;
  const Value* path = state->find("path");
  return path && path->is_string() ? path : nullptr;
}

// A tensor pickled with its data inline (flow.save without save_as_external_data).
bool is_inline_tensor(const Value& value) {
  const Value* state = value.kind == ValueKind::Object ? state_of(value) : nullptr;
  return state && state->find("data") && state->find("dtype");
}

std::string key_text(const Value& key, const std::string& source, const std::string& prefix) {
  if (key.kind == ValueKind::String) return key.text;
  if (key.kind == ValueKind::Int) return std::to_string(key.integer);
  fail(ErrorCode::InvalidModel,
       "{}: dict under '{}' has a {} key; only str and int keys name tensors", source, prefix,
       pickle::value_kind_name(key.kind));
}

class Flattener {
 public:
  explicit Flattener(const std::string& source) : source_(source) {}

  void walk(const Value& value, const std::string& key, int depth) {
    if (depth > kMaxDepth)
      fail(ErrorCode::InvalidModel, "{}: objects nested deeper than {} levels (or cyclic) at '{}'",
           source_, kMaxDepth, key);
    if (++visits_ > kMaxVisits)
      fail(ErrorCode::InvalidModel,
           "{}: more than {} values to walk (shared references repeated over and over) at '{}'",
           source_, kMaxVisits, key);
    if (const Value* path = tensor_path(value)) {
      if (key.empty())
        fail(ErrorCode::InvalidModel, "{}: the data is a single tensor, not a dict", source_);
      if (!paths_.emplace(key, path->text).second)
        fail(ErrorCode::InvalidModel, "{}: two tensors flatten to the key '{}'", source_, key);
      return;
    }
    if (is_inline_tensor(value))
      fail(ErrorCode::NotImplemented,
           "{}: tensor '{}' is stored inline in the pickle; re-save it with "
           "flow.save(..., save_as_external_data=True) or in the legacy format",
           source_, key);
    auto child_key = [&](const std::string& name) { return key.empty() ? name : key + "." + name; };
    // Dicts, and objects built by SETITEMS (collections.OrderedDict, the type of state_dict()).
    for (const auto& [k, v] : value.entries)
      walk(*v, child_key(key_text(*k, source_, key)), depth + 1);
    if (value.kind == ValueKind::List || value.kind == ValueKind::Tuple) {
      for (size_t i = 0; i < value.items.size(); ++i)
        walk(*value.items[i], child_key(std::to_string(i)), depth + 1);
    }
  }

  std::map<std::string, std::string> take() { return std::move(paths_); }

 private:
  const std::string& source_;
  std::map<std::string, std::string> paths_;
  size_t visits_ = 0;
};

}  // namespace

std::map<std::string, std::string> read_pickled_tensor_paths(std::string_view bytes,
                                                             const std::string& source) {
  pickle::Document document = pickle::parse(bytes, source);
  const Value& root = document.root();
  if (root.kind != ValueKind::Dict)
    fail(ErrorCode::InvalidModel,
         "{}: expected a dict {{'protocol_version': 1, 'data': ...}}, found a {}", source,
         pickle::value_kind_name(root.kind));
  const Value* version = root.find("protocol_version");
  if (!version || version->kind != ValueKind::Int)
    fail(ErrorCode::InvalidModel, "{}: the top dict has no integer 'protocol_version'", source);
  if (version->integer != 1)
    fail(ErrorCode::NotImplemented, "{}: checkpoint protocol_version {} (supported: 1)", source,
         version->integer);
  const Value* data = root.find("data");
  if (!data) fail(ErrorCode::InvalidModel, "{}: the top dict has no 'data'", source);
  Flattener flattener(source);
  flattener.walk(*data, "", 0);
  return flattener.take();
}

}  // namespace flowonnx::checkpoint
