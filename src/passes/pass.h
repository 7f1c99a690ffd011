// A pass is a named graph -> graph rewrite on ONNX-domain IR that reports whether it changed
// anything; the pass manager composes them into pipelines run to a fixed point. Every pass the
// project has is listed once, in pass_registry.cc, with a one-line description.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::passes {

// Settings and the message sink shared by the passes of one run.
struct PassContext {
  // Tile / ConstantOfShape / Expand outputs larger than this many bytes are not materialised by
  // constant folding (onnxsim's tensor_size_threshold, default 1.5 GB).
  int64_t tensor_size_threshold = int64_t{1536} * 1024 * 1024;
  // Every "kept node X: reason" line, once each, in the order they were first seen. A node a
  // pass could not rewrite for a reason the user should know about is never kept silently.
  std::vector<std::string> notes;
  std::function<void(const std::string&)> note_sink;  // also called for each new note

  void note(const std::string& message);

 private:
  std::set<std::string> seen_;
};

// Returns true when the graph changed.
using PassFn = bool (*)(ir::Graph& graph, PassContext& context);

struct PassInfo {
  const char* name;         // "fuse_bn_into_conv"
  const char* description;  // one line for `flowonnx optimize --list`
  PassFn run;
  bool optimizer;           // part of onnxoptimizer's set (listed by `optimize --list`)
};

// Every pass, in the order `--list` prints them.
const std::vector<PassInfo>& all_passes();
// Throws InvalidArgument naming the unknown pass and listing the known ones.
const PassInfo& find_pass(const std::string& name);

// The passes, one function each (one file each).
bool infer_shapes(ir::Graph& graph, PassContext& context);
bool fold_constants(ir::Graph& graph, PassContext& context);
bool fold_shapes(ir::Graph& graph, PassContext& context);
bool eliminate_deadend(ir::Graph& graph, PassContext& context);
bool eliminate_identity(ir::Graph& graph, PassContext& context);
bool eliminate_nop_dropout(ir::Graph& graph, PassContext& context);
bool eliminate_nop_transpose(ir::Graph& graph, PassContext& context);
bool eliminate_nop_pad(ir::Graph& graph, PassContext& context);
bool eliminate_nop_reshape(ir::Graph& graph, PassContext& context);
bool eliminate_nop_cast(ir::Graph& graph, PassContext& context);
bool eliminate_unused_initializer(ir::Graph& graph, PassContext& context);
bool eliminate_duplicate_initializer(ir::Graph& graph, PassContext& context);
bool eliminate_common_subexpression(ir::Graph& graph, PassContext& context);
bool extract_constant_to_initializer(ir::Graph& graph, PassContext& context);
bool fuse_bn_into_conv(ir::Graph& graph, PassContext& context);
bool fuse_add_bias_into_conv(ir::Graph& graph, PassContext& context);
bool fuse_pad_into_conv(ir::Graph& graph, PassContext& context);
bool fuse_pad_into_pool(ir::Graph& graph, PassContext& context);
bool fuse_consecutive_transposes(ir::Graph& graph, PassContext& context);
bool fuse_transpose_into_gemm(ir::Graph& graph, PassContext& context);
bool fuse_matmul_add_bias_into_gemm(ir::Graph& graph, PassContext& context);
bool fuse_consecutive_squeezes(ir::Graph& graph, PassContext& context);
bool fuse_consecutive_unsqueezes(ir::Graph& graph, PassContext& context);
bool fuse_consecutive_concats(ir::Graph& graph, PassContext& context);
bool fuse_consecutive_slices(ir::Graph& graph, PassContext& context);

}  // namespace flowonnx::passes
