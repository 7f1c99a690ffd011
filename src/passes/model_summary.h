// The before/after table the simplify and optimize commands print: node count per op type,
// initializer bytes and file size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "ir/graph.h"

namespace flowonnx::passes {

struct ModelSummary {
  std::map<std::string, int> op_counts;
  int nodes = 0;
  int64_t initializer_bytes = 0;
  int64_t file_bytes = -1;  // -1 when not on disk
};

// `path`: the .onnx file (its .data file, if any, is added to the size); may be empty.
ModelSummary summarize(const ir::Graph& graph, const std::filesystem::path& path = {});
std::string format_summary_table(const ModelSummary& before, const ModelSummary& after);

}  // namespace flowonnx::passes
