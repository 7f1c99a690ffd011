// Export handlers by flow op name, registered by explicit calls (one per op-family file, the
// same family names as src/flow/ops/).
#pragma once

#include <map>
#include <string>

#include "onnx/export/export_context.h"

namespace flowonnx::exporter {

class HandlerRegistry {
 public:
  static const HandlerRegistry& global();
  void add(const std::string& flow_op, ExportHandler handler);
  const ExportHandler* find(const std::string& flow_op) const;
  const std::map<std::string, ExportHandler>& handlers() const { return handlers_; }

 private:
  std::map<std::string, ExportHandler> handlers_;
};

void register_nn_handlers(HandlerRegistry& registry);
void register_math_handlers(HandlerRegistry& registry);
void register_array_handlers(HandlerRegistry& registry);

}  // namespace flowonnx::exporter
