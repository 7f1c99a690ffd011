#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {

const HandlerRegistry& HandlerRegistry::global() {
  static const HandlerRegistry registry = [] {
    HandlerRegistry all;
    register_nn_handlers(all);
    register_math_handlers(all);
    register_array_handlers(all);
    register_reduce_handlers(all);
    register_cumsum_handlers(all);
    register_quantize_handlers(all);
    return all;
  }();
  return registry;
}

void HandlerRegistry::add(const std::string& flow_op, ExportHandler handler,
                          std::vector<OpsetMapping> mappings, std::string tests) {
  FLOWONNX_CHECK(!handlers_.count(flow_op), "export handler for '{}' registered twice", flow_op);
  for (size_t i = 1; i < mappings.size(); ++i)
    FLOWONNX_CHECK(mappings[i - 1].since < mappings[i].since,
                   "export handler for '{}': opset mappings must ascend", flow_op);
  handlers_.emplace(flow_op, HandlerEntry{std::move(handler), std::move(mappings), std::move(tests)});
}

const HandlerEntry* HandlerRegistry::entry(const std::string& flow_op) const {
  auto found = handlers_.find(flow_op);
  return found == handlers_.end() ? nullptr : &found->second;
}

const ExportHandler* HandlerRegistry::find(const std::string& flow_op) const {
  const HandlerEntry* found = entry(flow_op);
  return found ? &found->handler : nullptr;
}

}  // namespace flowonnx::exporter
