// Initializers with equal dtype, shape and bytes are merged into the first (by name); graph inputs
// and outputs keep their own.
#include <algorithm>
#include <functional>
#include <string_view>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_duplicate_initializer(ir::Graph& graph, PassContext& context) {
  auto is_boundary = [&](const std::string& name) {
    return std::count(graph.inputs.begin(), graph.inputs.end(), name) ||
           std::count(graph.outputs.begin(), graph.outputs.end(), name);
  };
  std::map<size_t, std::vector<std::string>> by_hash;  // content hash -> kept names
  std::vector<std::pair<std::string, std::string>> merges;  // duplicate -> kept
  for (const auto& [name, tensor] : graph.initializers()) {
    if (is_boundary(name)) continue;
    size_t hash = std::hash<std::string_view>{}(
        std::string_view(static_cast<const char*>(tensor.raw_data()), tensor.nbytes()));
    auto& kept = by_hash[hash];
    auto same = std::find_if(kept.begin(), kept.end(), [&](const std::string& other) {
      return ir::tensors_equal(graph.initializer(other), tensor);
    });
    if (same == kept.end()) kept.push_back(name);
    else merges.emplace_back(name, *same);
  }
  for (const auto& [duplicate, kept] : merges) {
    replace_value(graph, duplicate, kept);
    graph.remove_initializer(duplicate);
  }
  return !merges.empty();
}

}  // namespace flowonnx::passes
