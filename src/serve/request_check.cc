#include "serve/request_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "serve/datatype.h"
#include "serve/serve_error.h"

namespace flowonnx::serve {
namespace {

template <typename Tensors>
std::string names_of(const Tensors& tensors) {
  std::vector<std::string> names;
  for (const auto& tensor : tensors) names.push_back(tensor.name());
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::map<std::string, Tensor> check_request_inputs(
    const inference::ModelConfig& config, std::vector<std::pair<std::string, Tensor>> inputs) {
  const bool batching = config.max_batch_size() > 0;
  std::map<std::string, Tensor> feeds;
  for (auto& [name, tensor] : inputs) {
    auto it =
        std::find_if(config.input().begin(), config.input().end(),
                     [&](const inference::ModelInput& input) { return input.name() == name; });
    if (it == config.input().end())
      serve_fail(kBadRequest, "unknown input '{}' for model '{}' (its inputs: {})", name,
                 config.name(), names_of(config.input()));
    const std::string want_type = inference::DataType_Name(it->data_type()).substr(5);  // TYPE_
    if (protocol_datatype(tensor.dtype()) != want_type)
      serve_fail(kBadRequest, "input '{}': datatype {} but model '{}' expects {}", name,
                 protocol_datatype(tensor.dtype()), config.name(), want_type);
    std::vector<int64_t> want(it->dims().begin(), it->dims().end());
    if (batching) want.insert(want.begin(), -1);
    const Shape& got = tensor.shape();
    bool ok = got.size() == want.size();
    for (size_t i = 0; ok && i < want.size(); ++i) ok = want[i] == -1 || want[i] == got[i];
    if (!ok)
      serve_fail(kBadRequest, "input '{}': shape [{}] does not match the model's [{}]{}", name,
                 fmt::join(got, ","), fmt::join(want, ","),
                 batching ? " (-1 first: the batch dim)" : "");
    if (batching && (got[0] < 1 || got[0] > config.max_batch_size()))
      serve_fail(kBadRequest, "input '{}': batch size {} is outside [1, max_batch_size {}]", name,
                 got[0], config.max_batch_size());
    feeds.emplace(name, std::move(tensor));
  }
  for (const inference::ModelInput& input : config.input())
    if (!feeds.count(input.name()) && !input.optional())
      serve_fail(kBadRequest, "model '{}' needs input '{}', which the request lacks", config.name(),
                 input.name());
  return feeds;
}

size_t requested_output_index(const inference::ModelConfig& config,
                              const std::vector<std::string>& output_names,
                              const std::string& name) {
  bool configured = std::any_of(config.output().begin(), config.output().end(),
                                [&](const inference::ModelOutput& o) { return o.name() == name; });
  auto it = std::find(output_names.begin(), output_names.end(), name);
  if (!configured || it == output_names.end())
    serve_fail(kBadRequest, "unknown output '{}' for model '{}' (its outputs: {})", name,
               config.name(), names_of(config.output()));
  return static_cast<size_t>(it - output_names.begin());
}

}  // namespace flowonnx::serve
