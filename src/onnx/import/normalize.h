// Import normalisation: rewrites every ai.onnx node of opset 7-17 into one canonical form per op,
// so each runtime kernel implements one semantics. The canonical forms are the newest ones:
// axes/pads/split/min/max/starts/ends as inputs (Squeeze, Unsqueeze, ReduceX, Pad, Split, Clip,
// Slice, TopK), Upsample -> Resize (X, roi, scales, sizes), BatchNormalization without
// spatial/is_test, Softmax/LogSoftmax/Hardmax < 13 as Flatten -> op(axis=-1) -> Reshape, and
// Constant nodes turned into initializers. New helper values get fresh names; the names of
// existing values never change.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::onnx_import {

// The ai.onnx opset the graph imports (from "" or "ai.onnx"); 0 when none is declared.
int64_t onnx_opset(const ir::Graph& graph);

// Rewrites `graph` in place. Throws InvalidModel naming the node for malformed old forms
// (e.g. a Constant without a value).
void normalize_graph(ir::Graph& graph);

// A node the runtime cannot run, for the "unsupported ops" error that lists them all at once.
struct UnsupportedOp {
  std::string op_type;
  std::string domain;  // "ai.onnx" for the default domain
  int64_t opset = 0;
  int count = 0;
};
// "unsupported ops: Foo (domain com.x, opset 13) x2, Bar (domain ai.onnx, opset 17)"
std::string describe_unsupported(const std::vector<UnsupportedOp>& ops);

}  // namespace flowonnx::onnx_import
