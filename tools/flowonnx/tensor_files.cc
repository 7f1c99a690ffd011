#include "tensor_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "onnx/model_io.h"
#include "tensor/npy.h"

namespace flowonnx::cli {

namespace {
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Tensor read_tensor_file(const std::string& path) {
  if (ends_with(path, ".npy")) return read_npy(path);
  if (ends_with(path, ".pb")) return onnx_io::read_tensor_pb(path);
  fail(ErrorCode::InvalidArgument, "{}: unknown tensor file type (use .npy or .pb)", path);
}

void write_tensor_file(const std::string& path, const Tensor& tensor) {
  if (ends_with(path, ".npy")) return write_npy(path, tensor);
  if (ends_with(path, ".pb")) return onnx_io::write_tensor_pb(path, tensor);
  fail(ErrorCode::InvalidArgument, "{}: unknown tensor file type (use .npy or .pb)", path);
}

Binding parse_binding(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) return {"", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<Binding> resolve_bindings(const std::vector<std::string>& texts,
                                      const std::vector<std::string>& names, const char* what) {
  std::vector<Binding> bindings;
  std::set<std::string> taken;
  for (const auto& text : texts) {
    Binding binding = parse_binding(text);
    if (binding.name.empty()) continue;
    if (std::find(names.begin(), names.end(), binding.name) == names.end())
      fail(ErrorCode::InvalidArgument, "--{} {}: the model has no {} named '{}'", what, text, what,
           binding.name);
    if (!taken.insert(binding.name).second)
      fail(ErrorCode::InvalidArgument, "--{}: '{}' is bound twice", what, binding.name);
  }
  auto next = names.begin();
  for (const auto& text : texts) {
    Binding binding = parse_binding(text);
    if (binding.name.empty()) {
      while (next != names.end() && taken.count(*next)) ++next;
      if (next == names.end())
        fail(ErrorCode::InvalidArgument, "--{} {}: the model has only {} {}{}", what, text,
             names.size(), what, names.size() == 1 ? "" : "s");
      binding.name = *next;
      taken.insert(*next);
    }
    bindings.push_back(binding);
  }
  return bindings;
}

std::map<std::string, Tensor> read_inputs(const std::vector<std::string>& texts,
                                          const std::vector<InputSpec>& inputs) {
  std::vector<std::string> names;
  for (const InputSpec& input : inputs) names.push_back(input.name);
  std::map<std::string, Tensor> feeds;
  for (const Binding& binding : resolve_bindings(texts, names, "input")) {
    const InputSpec& input = *std::find_if(
        inputs.begin(), inputs.end(), [&](const InputSpec& i) { return i.name == binding.name; });
    Tensor tensor = read_tensor_file(binding.file);
    if (input.dtype && tensor.dtype() != *input.dtype)
      fail(ErrorCode::InvalidArgument,
           "--input {}: holds {}, but input '{}' takes {} (no implicit cast, as in ONNX Runtime: "
           "save the array as {})",
           binding.file, tensor.describe(), input.name, dtype_name(*input.dtype),
           dtype_name(*input.dtype));
    if (input.rank >= 0 && tensor.rank() != input.rank)
      fail(ErrorCode::InvalidArgument, "--input {}: holds {}, but input '{}' takes rank {}",
           binding.file, tensor.describe(), input.name, input.rank);
    feeds[binding.name] = std::move(tensor);
  }
  return feeds;
}

void check_tensor_file_name(const std::string& option, const std::string& path) {
  if (!ends_with(path, ".npy") && !ends_with(path, ".pb"))
    fail(ErrorCode::InvalidArgument, "{} {}: unknown tensor file type (use .npy or .pb)", option,
         path);
}

std::string summarize(const Tensor& tensor) {
  std::vector<double> values = tensor.to_double_vector();
  if (values.empty()) return "empty";
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  std::string first;
  for (size_t i = 0; i < std::min<size_t>(values.size(), 6); ++i)
    first += fmt::format(" {:.6g}", values[i]);
  return fmt::format("min {:.6g} max {:.6g} mean {:.6g}; first:{}{}", *low, *high,
                     sum / values.size(), first, values.size() > 6 ? " ..." : "");
}

}  // namespace flowonnx::cli
