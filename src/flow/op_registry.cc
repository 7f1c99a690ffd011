#include "flow/op_registry.h"

namespace flowonnx::flow {

const OpRegistry& OpRegistry::global() {
  static const OpRegistry registry = [] {
    OpRegistry all;
    register_nn_ops(all);
    register_math_ops(all);
    register_array_ops(all);
    register_reduce_ops(all);
    register_cumsum_ops(all);
    register_quantize_ops(all);
    return all;
  }();
  return registry;
}

void OpRegistry::add(OpSchema schema) {
  FLOWONNX_CHECK(!schemas_.count(schema.name), "framework op '{}' registered twice", schema.name);
  FLOWONNX_CHECK(schema.infer && schema.compute, "framework op '{}' lacks infer or compute", schema.name);
  std::string name = schema.name;
  schemas_.emplace(std::move(name), std::move(schema));
}

const OpSchema& OpRegistry::get(const std::string& name) const {
  auto found = schemas_.find(name);
  if (found == schemas_.end()) fail(ErrorCode::NotImplemented, "unknown framework op '{}'", name);
  return found->second;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& [name, schema] : schemas_) names.push_back(name);
  return names;
}

}  // namespace flowonnx::flow
