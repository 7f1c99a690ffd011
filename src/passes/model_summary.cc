#include "passes/model_summary.h"

#include <fmt/format.h>

#include <set>

namespace flowonnx::passes {

namespace fs = std::filesystem;

ModelSummary summarize(const ir::Graph& graph, const fs::path& path) {
  ModelSummary summary;
  for (const auto& node : graph.nodes()) {
    ++summary.op_counts[node->domain.empty() ? node->op_type : node->domain + "." + node->op_type];
    ++summary.nodes;
  }
  for (const auto& [name, tensor] : graph.initializers()) summary.initializer_bytes += tensor.nbytes();
  std::error_code ec;
  if (!path.empty() && fs::exists(path, ec)) {
    summary.file_bytes = static_cast<int64_t>(fs::file_size(path, ec));
    fs::path data = path.string() + ".data";
    if (fs::exists(data, ec)) summary.file_bytes += static_cast<int64_t>(fs::file_size(data, ec));
  }
  return summary;
}

std::string format_summary_table(const ModelSummary& before, const ModelSummary& after) {
  std::set<std::string> ops;
  for (const auto& [op, count] : before.op_counts) ops.insert(op);
  for (const auto& [op, count] : after.op_counts) ops.insert(op);
  size_t width = 16;
  for (const auto& op : ops) width = std::max(width, op.size());
  auto count_of = [](const ModelSummary& s, const std::string& op) {
    auto found = s.op_counts.find(op);
    return found == s.op_counts.end() ? 0 : found->second;
  };
  auto bytes = [](int64_t b) { return b < 0 ? std::string("-") : fmt::format("{}", b); };
  std::string out = fmt::format("{:<{}}  {:>14}  {:>14}\n", "", width, "before", "after");
  for (const auto& op : ops)
    out += fmt::format("{:<{}}  {:>14}  {:>14}\n", op, width, count_of(before, op), count_of(after, op));
  out += fmt::format("{:<{}}  {:>14}  {:>14}\n", "nodes", width, before.nodes, after.nodes);
  out += fmt::format("{:<{}}  {:>14}  {:>14}\n", "initializer bytes", width, before.initializer_bytes,
                     after.initializer_bytes);
  out += fmt::format("{:<{}}  {:>14}  {:>14}\n", "file bytes", width, bytes(before.file_bytes),
                     bytes(after.file_bytes));
  return out;
}

}  // namespace flowonnx::passes
