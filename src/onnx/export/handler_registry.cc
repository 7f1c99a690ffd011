#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {

const HandlerRegistry& HandlerRegistry::global() {
  static const HandlerRegistry registry = [] {
    HandlerRegistry all;
    register_nn_handlers(all);
    register_math_handlers(all);
    register_array_handlers(all);
    return all;
  }();
  return registry;
}

void HandlerRegistry::add(const std::string& flow_op, ExportHandler handler) {
  FLOWONNX_CHECK(!handlers_.count(flow_op), "export handler for '{}' registered twice", flow_op);
  handlers_.emplace(flow_op, std::move(handler));
}

const ExportHandler* HandlerRegistry::find(const std::string& flow_op) const {
  auto found = handlers_.find(flow_op);
  return found == handlers_.end() ? nullptr : &found->second;
}

}  // namespace flowonnx::exporter
