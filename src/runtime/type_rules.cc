#include "runtime/type_rules.h"

namespace flowonnx::runtime {

using Dims = std::vector<ir::Dim>;

const ir::ValueType* TypeContext::input(size_t i) const {
  if (i >= node_.inputs.size() || node_.inputs[i].empty() || !graph_.has_type(node_.inputs[i]))
    return nullptr;
  return &graph_.type(node_.inputs[i]);
}

std::optional<Dims> broadcast_dims(const std::vector<const ir::ValueType*>& types) {
  Dims result;
  for (const auto* type : types) {
    if (!type || !type->shape) return std::nullopt;
    const Dims& dims = *type->shape;
    if (dims.size() > result.size())
      result.insert(result.begin(), dims.size() - result.size(), ir::Dim::of(1));
    size_t offset = result.size() - dims.size();
    for (size_t i = 0; i < dims.size(); ++i) {
      ir::Dim& out = result[offset + i];
      const ir::Dim& in = dims[i];
      if (in.is_static() && in.value == 1) continue;
      if (out.is_static() && out.value == 1) out = in;
      else if (!(out == in)) out = ir::Dim{};  // unknown (or a mismatch the kernel will report)
    }
  }
  return result;
}

namespace rules {

namespace {

std::vector<const ir::ValueType*> all_inputs(const TypeContext& ctx) {
  std::vector<const ir::ValueType*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i)
    if (!ctx.node().inputs[i].empty()) inputs.push_back(ctx.input(i));
  return inputs;
}

}  // namespace

TypeRule same_as_input(size_t i) {
  return [i](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0 || !ctx.input(i)) return std::nullopt;
    return *ctx.input(i);
  };
}

TypeRule broadcast(size_t dtype_input) {
  return [dtype_input](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0 || !ctx.input(dtype_input)) return std::nullopt;
    return ir::ValueType{ctx.input(dtype_input)->dtype, broadcast_dims(all_inputs(ctx))};
  };
}

TypeRule broadcast_as(DType dtype) {
  return [dtype](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0) return std::nullopt;
    return ir::ValueType{dtype, broadcast_dims(all_inputs(ctx))};
  };
}

TypeRule elementwise_as(DType dtype) {
  return [dtype](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0) return std::nullopt;
    return ir::ValueType{dtype, ctx.input(0) ? ctx.input(0)->shape : std::nullopt};
  };
}

TypeRule dtype_only(DType dtype) {
  return [dtype](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0) return std::nullopt;
    return ir::ValueType{dtype, std::nullopt};
  };
}

TypeRule input_dtype_only() { return dtype_of_input(0); }

TypeRule dtype_of_input(size_t i) {
  return [i](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() != 0 || !ctx.input(i)) return std::nullopt;
    return ir::ValueType{ctx.input(i)->dtype, std::nullopt};
  };
}

TypeRule per_output(std::vector<TypeRule> outputs) {
  return [outputs = std::move(outputs)](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (ctx.output() >= outputs.size() || !outputs[ctx.output()]) return std::nullopt;
    // Each rule types "its" output as if it were output 0.
    return outputs[ctx.output()](TypeContext(ctx.graph(), ctx.node(), 0));
  };
}

}  // namespace rules

}  // namespace flowonnx::runtime
