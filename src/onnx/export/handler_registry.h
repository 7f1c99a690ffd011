// Export handlers by flow op name, registered by explicit calls (one per op-family file, the
// same family names as src/flow/ops/). Each registration also says, declaratively, which ONNX
// ops it emits from which opset on and which test covers it: `flowonnx ops` and docs/ops.md are
// generated from that, so the listing cannot drift from the handlers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "onnx/export/export_context.h"

namespace flowonnx::exporter {

// "From opset `since` on, the op is exported as `onnx`" (free text, e.g. "Squeeze(axes input)").
struct OpsetMapping {
  int since = 0;
  std::string onnx;
};

struct HandlerEntry {
  ExportHandler handler;
  std::vector<OpsetMapping> mappings;  // ascending `since`; empty = not described yet
  std::string tests;                   // the test(s) covering the op, e.g. "MathOpsExport.Unary"
};

class HandlerRegistry {
 public:
  static const HandlerRegistry& global();
  // `mappings` and `tests` may be left out while an op is being added; `flowonnx ops` then
  // prints "?" and the completeness test names the op.
  void add(const std::string& flow_op, ExportHandler handler, std::vector<OpsetMapping> mappings = {},
           std::string tests = {});
  const ExportHandler* find(const std::string& flow_op) const;
  const HandlerEntry* entry(const std::string& flow_op) const;
  const std::map<std::string, HandlerEntry>& handlers() const { return handlers_; }

 private:
  std::map<std::string, HandlerEntry> handlers_;
};

// The table-driven export tests of tests/export/{math,array,reduce}_ops_export_test.cc: an op's
// `tests` string is one of these prefixes plus the op name (its gtest case name), and the
// completeness test checks that the case exists.
inline constexpr const char* kMathOpsExportTest = "MathOps/OpExportTest.MatchesEagerAndOnnxRuntime/";
inline constexpr const char* kArrayOpsExportTest = "ArrayOps/OpExportTest.MatchesEagerAndOnnxRuntime/";
inline constexpr const char* kReduceOpsExportTest = "ReduceOps/OpExportTest.MatchesEagerAndOnnxRuntime/";

void register_nn_handlers(HandlerRegistry& registry);
void register_math_handlers(HandlerRegistry& registry);
void register_array_handlers(HandlerRegistry& registry);
void register_reduce_handlers(HandlerRegistry& registry);
void register_cumsum_handlers(HandlerRegistry& registry);
void register_quantize_handlers(HandlerRegistry& registry);
// math_elementwise.cc: called by register_math_handlers.
void register_math_elementwise_handlers(HandlerRegistry& registry);

}  // namespace flowonnx::exporter
