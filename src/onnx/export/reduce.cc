// Export handlers of the reduce family: reduce_{sum,mean,min,max,prod}, argmax, argmin, var.
#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

// The reduced axes, non-negative (an empty list means every dim, as the framework op).
Ints reduce_axes(ExportContext& ctx, const std::string& value, const Ints& axes) {
  int64_t rank = static_cast<int64_t>(ctx.type(value).shape->size());
  Ints result;
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d) result.push_back(d);
  for (int64_t axis : axes) result.push_back(axis < 0 ? axis + rank : axis);
  return result;
}

ExportHandler reduce(const char* onnx_op) {
  return [onnx_op](const ir::Node& node, ExportContext& ctx) {
    Ints axes = reduce_axes(ctx, node.inputs[0], node.attrs.get_ints("axis"));
    ctx.emit_reduce(onnx_op, node.inputs[0], axes, node.attrs.get_bool("keepdims"), node.outputs);
  };
}

// OneFlow's argmax / argmin reduce the last axis and drop it.
ExportHandler arg_reduce(const char* onnx_op) {
  return [onnx_op](const ir::Node& node, ExportContext& ctx) {
    int64_t rank = static_cast<int64_t>(ctx.type(node.inputs[0]).shape->size());
    ctx.emit(onnx_op, node.inputs, {{"axis", rank - 1}, {"keepdims", int64_t{0}}}, node.outputs);
  };
}

// var = ReduceMean((x - ReduceMean(x))^2) * n / (n - unbiased), n the reduced element count.
void export_var(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  Ints axes = reduce_axes(ctx, x, node.attrs.get_ints("dim"));
  Shape shape = ctx.shape(x);
  int64_t count = 1;
  for (int64_t axis : axes) count *= shape[axis];
  std::string mean = ctx.emit_reduce("ReduceMean", x, axes, true);
  std::string deviation = ctx.emit("Sub", {x, mean});
  std::string squared = ctx.emit("Mul", {deviation, deviation});
  bool unbiased = node.attrs.get_bool("unbiased");
  if (!unbiased) {
    ctx.emit_reduce("ReduceMean", squared, axes, node.attrs.get_bool("keepdim"), node.outputs);
    return;
  }
  std::string mean_squared = ctx.emit_reduce("ReduceMean", squared, axes, node.attrs.get_bool("keepdim"));
  float correction = static_cast<float>(count) / static_cast<float>(count - 1);
  ctx.emit("Mul", {mean_squared, ctx.add_constant(node.name + "/correction", Tensor::scalar<float>(correction))}, {},
           node.outputs);
}

}  // namespace

void register_reduce_handlers(HandlerRegistry& registry) {
  auto add = [&](const char* op, ExportHandler handler, std::vector<OpsetMapping> mappings) {
    registry.add(op, std::move(handler), std::move(mappings), std::string(kReduceOpsExportTest) + op);
  };
  add("reduce_sum", reduce("ReduceSum"), {{9, "ReduceSum(axes attr)"}, {13, "ReduceSum(axes input)"}});
  add("reduce_mean", reduce("ReduceMean"), {{9, "ReduceMean(axes attr)"}, {18, "ReduceMean(axes input)"}});
  add("reduce_min", reduce("ReduceMin"), {{9, "ReduceMin(axes attr)"}, {18, "ReduceMin(axes input)"}});
  add("reduce_max", reduce("ReduceMax"), {{9, "ReduceMax(axes attr)"}, {18, "ReduceMax(axes input)"}});
  add("reduce_prod", reduce("ReduceProd"), {{9, "ReduceProd(axes attr)"}, {18, "ReduceProd(axes input)"}});
  add("argmax", arg_reduce("ArgMax"), {{9, "ArgMax(last axis, keepdims 0)"}});
  add("argmin", arg_reduce("ArgMin"), {{9, "ArgMin(last axis, keepdims 0)"}});
  add("var", export_var, {{9, "ReduceMean, Sub, Mul, ReduceMean, Mul(n / (n - 1))"}});
}

}  // namespace flowonnx::exporter
