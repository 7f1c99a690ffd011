#include "flow/dispatch.h"

#include "flow/op_registry.h"

namespace flowonnx::flow {
namespace {

thread_local Tracer* t_tracer = nullptr;

ir::Attributes with_defaults(const OpSchema& schema, const ir::Attributes& attrs) {
  ir::Attributes merged = schema.defaults;
  for (const auto& [name, value] : attrs) {
    FLOWONNX_CHECK(schema.defaults.has(name), "op '{}' has no attribute '{}'", schema.name, name);
    FLOWONNX_CHECK(schema.defaults.get(name).index() == value.index(),
                   "op '{}' attribute '{}' is {}, schema says {}", schema.name, name,
                   ir::attr_kind_name(value), ir::attr_kind_name(schema.defaults.get(name)));
    merged.set(name, value);
  }
  return merged;
}

void check_input_count(const OpSchema& schema, size_t count) {
  bool ok = schema.variadic_input ? count >= 1 : count == schema.inputs.size();
  FLOWONNX_REQUIRE(ok, "{}: expected {}{} inputs, got {}", schema.name,
                   schema.variadic_input ? "at least " : "",
                   schema.variadic_input ? 1 : schema.inputs.size(), count);
}

}  // namespace

TracerGuard::TracerGuard(Tracer* tracer) : previous_(t_tracer) { t_tracer = tracer; }
TracerGuard::~TracerGuard() { t_tracer = previous_; }
Tracer* current_tracer() { return t_tracer; }

std::vector<TensorMeta> infer_op(const std::string& name, const std::vector<TensorMeta>& inputs,
                                 const ir::Attributes& attrs) {
  const OpSchema& schema = OpRegistry::global().get(name);
  check_input_count(schema, inputs.size());
  return schema.infer(inputs, with_defaults(schema, attrs));
}

std::vector<Tensor> call_op(const std::string& name, const std::vector<Tensor>& inputs,
                            const ir::Attributes& attrs) {
  const OpSchema& schema = OpRegistry::global().get(name);
  check_input_count(schema, inputs.size());
  ir::Attributes merged = with_defaults(schema, attrs);
  std::vector<TensorMeta> metas;
  for (size_t i = 0; i < inputs.size(); ++i) {
    FLOWONNX_REQUIRE(inputs[i].defined(), "{}: input {} is undefined", name, i);
    metas.push_back({inputs[i].dtype(), inputs[i].shape()});
  }
  std::vector<TensorMeta> expected = schema.infer(metas, merged);
  std::vector<Tensor> outputs;
  for (const TensorMeta& meta : expected) outputs.emplace_back(meta.shape, meta.dtype);
  schema.compute(inputs, merged, outputs);
  if (t_tracer) t_tracer->record(schema, inputs, merged, outputs);
  return outputs;
}

}  // namespace flowonnx::flow
