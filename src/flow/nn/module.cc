#include "flow/nn/module.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

namespace flowonnx::nn {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// {"model.conv1.weight": ...} -> {"conv1.weight": ...} when every key starts with the same
// first component and the model itself has no key starting with it.
StateDict unwrap_common_prefix(const StateDict& state_dict, const StateDict& expected) {
  if (state_dict.empty()) return state_dict;
  const std::string& first = state_dict.begin()->first;
  size_t dot = first.find('.');
  if (dot == std::string::npos) return state_dict;
  std::string prefix = first.substr(0, dot + 1);
  for (const auto& [key, tensor] : state_dict)
    if (key.compare(0, prefix.size(), prefix) != 0) return state_dict;
  for (const auto& [key, tensor] : expected)
    if (key.compare(0, prefix.size(), prefix) == 0) return state_dict;
  StateDict unwrapped;
  for (const auto& [key, tensor] : state_dict) unwrapped.emplace(key.substr(prefix.size()), tensor);
  return unwrapped;
}

}  // namespace

Tensor Module::register_parameter(const std::string& name, Tensor tensor) {
  parameters_.emplace_back(name, std::move(tensor));
  return parameters_.back().second;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  buffers_.emplace_back(name, std::move(tensor));
  return buffers_.back().second;
}

void Module::collect(const std::string& prefix, bool parameters, NamedTensors& out) const {
  for (const auto& [name, tensor] : parameters ? parameters_ : buffers_) out.emplace_back(prefix + name, tensor);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", parameters, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", true, out);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", false, out);
  return out;
}

StateDict Module::state_dict() const {
  StateDict dict;
  for (auto& [name, tensor] : named_parameters()) dict.emplace(name, tensor);
  for (auto& [name, tensor] : named_buffers()) dict.emplace(name, tensor);
  return dict;
}

void Module::load_state_dict(const StateDict& given, bool strict) {
  StateDict expected = state_dict();
  StateDict source = unwrap_common_prefix(given, expected);
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [key, target] : expected) {
    auto found = source.find(key);
    if (found == source.end()) {
      if (!ends_with(key, "num_batches_tracked")) missing.push_back(key);
    } else if (found->second.shape() != target.shape()) {
      mismatched.push_back(fmt::format("{}: checkpoint {} vs model {}", key,
                                       shape_to_string(found->second.shape()), shape_to_string(target.shape())));
    }
  }
  for (const auto& [key, tensor] : source)
    if (!expected.count(key)) unexpected.push_back(key);

  std::vector<std::string> problems;
  if (strict && !missing.empty())
    problems.push_back(fmt::format("{} missing key(s): {}", missing.size(), fmt::join(missing, ", ")));
  if (strict && !unexpected.empty())
    problems.push_back(fmt::format("{} unexpected key(s): {}", unexpected.size(), fmt::join(unexpected, ", ")));
  if (!mismatched.empty())
    problems.push_back(fmt::format("{} shape mismatch(es): {}", mismatched.size(), fmt::join(mismatched, "; ")));
  if (!problems.empty())
    fail(ErrorCode::InvalidArgument, "load_state_dict into {}: {}", type_name(), fmt::join(problems, "; "));

  // Validated everything first, so a failed load leaves the module untouched.
  for (auto& [key, target] : expected) {
    auto found = source.find(key);
    if (found != source.end()) target.copy_from(found->second);
  }
}

void Module::train(bool mode) {
  training_ = mode;
  for (auto& [name, child] : children_) child->train(mode);
}

}  // namespace flowonnx::nn
