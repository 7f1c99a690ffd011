// Export handlers of the nn family's normalisations, registered by register_nn_handlers, and
// the name of the nn family's export test cases.
#pragma once

#include <string>

#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {

void register_nn_norm_handlers(HandlerRegistry& registry);

// The export test of an nn-family op: its case in tests/export/nn_ops_export_test.cc.
inline std::string nn_export_test(const std::string& op) {
  return "NnOps/OpExportTest.MatchesEagerAndOnnxRuntime/" + op;
}

}  // namespace flowonnx::exporter
