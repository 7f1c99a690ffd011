// Export handlers of the array family: identity (and its single-device aliases), flatten,
// reshape, squeeze, expand_dims, expand, transpose, concat, slice, narrow, gather, gather_nd,
// cast, constant, where.
#include <algorithm>
#include <limits>

#include "flow/ops/scalar_attrs.h"
#include "onnx/export/handler_registry.h"
#include "onnx/model_io.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

void export_identity(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Identity", node.inputs, {}, node.outputs);
}

// A Reshape whose target never bakes in a dynamic dim (the batch or another dynamic axis, see
// dynamic_dims.h). `target` is the traced target (-1 allowed). A target dim equal to a dynamic
// input dim at the same position is kept from the input (0, "copy"; the dynamic-dims probe
// treats it the same way); another dynamic output dim must be the one -1. With a dynamic batch,
// a reshape that does not keep the batch first is refused rather than exported wrong.
void emit_reshape(const ir::Node& node, ExportContext& ctx, Ints target) {
  const std::string &input = node.inputs[0], &output = node.outputs[0];
  Shape in = ctx.shape(input), out = ctx.shape(output);
  bool dynamic_input = false;
  for (size_t d = 0; d < in.size(); ++d) dynamic_input = dynamic_input || ctx.is_dynamic(input, d);
  if (dynamic_input) {
    for (size_t d = 0; d < target.size() && d < in.size(); ++d)
      if (target[d] == in[d] && ctx.is_dynamic(input, d) && ctx.same_size(input, d, output, d)) target[d] = 0;
    if (ctx.dynamic_batch() && !in.empty() && ctx.is_dynamic(input, 0) && (target.empty() || target[0] != 0))
      fail(ErrorCode::NotImplemented,
           "export: node '{}' reshapes {} to {}, which does not keep the batch dim first; it cannot "
           "be exported with a dynamic batch size", node.name, shape_to_string(in), shape_to_string(out));
    for (size_t d = 0; d < out.size(); ++d)
      if (ctx.is_dynamic(output, d) && target[d] != 0 && target[d] != -1)
        fail(ErrorCode::NotImplemented,
             "export: node '{}' reshapes {} to the traced sizes {}; dim {} of the result follows a dynamic axis but "
             "is neither kept from the input nor the one inferred (-1) dim, so no Reshape target expresses it",
             node.name, shape_to_string(in), shape_to_string(out), d);
  }
  ctx.emit("Reshape", {input, ctx.add_int64s(node.name + "/shape", target)}, {}, node.outputs);
}

// flatten(start, end) is ONNX Flatten only for start=1, end=last (2-D result); every other
// case is a Reshape (oneflow-onnx dropped the axis here and exported wrong shapes), whose
// merged dim is -1 when it follows a dynamic axis.
void export_flatten(const ir::Node& node, ExportContext& ctx) {
  Shape in = ctx.shape(node.inputs[0]);
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t start = node.attrs.get_int("start_dim"), end = node.attrs.get_int("end_dim");
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  if (rank >= 2 && start == 1 && end == rank - 1) {
    ctx.emit("Flatten", node.inputs, {{"axis", int64_t{1}}}, node.outputs);
    return;
  }
  Shape out = ctx.shape(node.outputs[0]);
  Ints target(out.begin(), out.end());
  if (rank > 0 && start <= end && ctx.is_dynamic(node.outputs[0], static_cast<size_t>(start))) target[start] = -1;
  emit_reshape(node, ctx, target);
}

void export_reshape(const ir::Node& node, ExportContext& ctx) {
  bool dynamic = false;
  Shape in = ctx.shape(node.inputs[0]);
  for (size_t d = 0; d < in.size(); ++d) dynamic = dynamic || ctx.is_dynamic(node.inputs[0], d);
  // The traced target keeps its -1 where dims are dynamic; otherwise the resolved static shape.
  Shape out = ctx.shape(node.outputs[0]);
  emit_reshape(node, ctx, dynamic ? node.attrs.get_ints("shape") : Ints(out.begin(), out.end()));
}

void export_transpose(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Transpose", node.inputs, {{"perm", node.attrs.get_ints("perm")}}, node.outputs);
}

void export_concat(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Concat", node.inputs, {{"axis", node.attrs.get_int("axis")}}, node.outputs);
}


int64_t rank_of(ExportContext& ctx, const std::string& value) {
  return static_cast<int64_t>(ctx.type(value).shape->size());
}

// Squeeze / Unsqueeze take `axes` as an attribute before opset 13 and as an input from 13.
void emit_axes_op(const char* onnx_op, const ir::Node& node, ExportContext& ctx, const Ints& axes) {
  if (ctx.opset() >= 13)
    ctx.emit(onnx_op, {node.inputs[0], ctx.add_int64s(node.name + "/axes", axes)}, {}, node.outputs);
  else
    ctx.emit(onnx_op, {node.inputs[0]}, {{"axes", axes}}, node.outputs);
}

void export_squeeze(const ir::Node& node, ExportContext& ctx) {
  Ints axes = node.attrs.get_ints("axes");
  int64_t rank = rank_of(ctx, node.inputs[0]);
  for (int64_t& axis : axes) axis = axis < 0 ? axis + rank : axis;  // negative axes: opset 11+
  if (axes.empty()) ctx.emit("Identity", node.inputs, {}, node.outputs);  // ONNX: empty = all 1s
  else emit_axes_op("Squeeze", node, ctx, axes);
}

void export_expand_dims(const ir::Node& node, ExportContext& ctx) {
  int64_t axis = node.attrs.get_int("axis");
  if (axis < 0) axis += rank_of(ctx, node.inputs[0]) + 1;
  emit_axes_op("Unsqueeze", node, ctx, {axis});
}

// Expand broadcasts both ways, so a target dim equal to the input's is written as 1: the
// output keeps the input's (possibly dynamic) size there.
void export_expand(const ir::Node& node, ExportContext& ctx) {
  Shape in = ctx.shape(node.inputs[0]), out = ctx.shape(node.outputs[0]);
  Ints target(out.begin(), out.end());
  size_t lead = out.size() - in.size();
  for (size_t d = lead; d < out.size(); ++d)
    if (in[d - lead] == out[d]) target[d] = 1;
  ctx.emit("Expand", {node.inputs[0], ctx.add_int64s(node.name + "/shape", target)}, {}, node.outputs);
}

// Slice with Python bounds per dim (positive steps; negative or past-the-end bounds allowed):
// starts/ends/axes attributes before opset 10 (no steps there: a step > 1 is refused), inputs
// with steps from 10. Only the dims actually sliced are listed. A static dim gets its bounds
// normalised; a dynamic dim keeps the traced bounds, which ONNX Slice clamps at run time the
// way the framework does, and is left out when it passes through whole for every size.
void emit_slice(const ir::Node& node, ExportContext& ctx, const Ints& starts, const Ints& ends, const Ints& steps) {
  const std::string &input = node.inputs[0], &output = node.outputs[0];
  Shape in = ctx.shape(input);
  Ints axes, begin, end, step;
  for (size_t d = 0; d < in.size(); ++d) {
    if (ctx.is_dynamic(input, d)) {
      if (steps[d] == 1 && ctx.same_size(input, d, output, d)) continue;  // whole dim at every size
      axes.push_back(static_cast<int64_t>(d));
      begin.push_back(starts[d]);
      end.push_back(ends[d]);
      step.push_back(steps[d]);
      continue;
    }
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + in[d] : v, int64_t{0}, in[d]); };
    int64_t first = clamp(starts[d]), last = std::max(first, clamp(ends[d]));
    if (first == 0 && last == in[d] && steps[d] == 1) continue;  // whole dim
    axes.push_back(static_cast<int64_t>(d));
    begin.push_back(first);
    end.push_back(last);
    step.push_back(steps[d]);
  }
  if (axes.empty()) {
    ctx.emit("Identity", {input}, {}, node.outputs);
  } else if (ctx.opset() >= 10) {
    ctx.emit("Slice", {input, ctx.add_int64s(node.name + "/starts", begin), ctx.add_int64s(node.name + "/ends", end),
                       ctx.add_int64s(node.name + "/axes", axes), ctx.add_int64s(node.name + "/steps", step)},
             {}, node.outputs);
  } else {
    FLOWONNX_REQUIRE(std::all_of(step.begin(), step.end(), [](int64_t s) { return s == 1; }),
                     "export: node '{}' slices with a step > 1, which Slice supports from opset 10; got opset {}",
                     node.name, ctx.opset());
    ctx.emit("Slice", {input}, {{"starts", begin}, {"ends", end}, {"axes", axes}}, node.outputs);
  }
}

void export_slice(const ir::Node& node, ExportContext& ctx) {
  emit_slice(node, ctx, node.attrs.get_ints("start"), node.attrs.get_ints("stop"), node.attrs.get_ints("step"));
}

void export_narrow(const ir::Node& node, ExportContext& ctx) {
  Shape in = ctx.shape(node.inputs[0]);
  int64_t rank = static_cast<int64_t>(in.size()), dim = node.attrs.get_int("dim");
  if (dim < 0) dim += rank;
  Ints starts(rank, 0), ends(in.begin(), in.end()), steps(rank, 1);
  // Untouched dims end at INT64_MAX, not at their traced size: "to the end" at any size.
  std::fill(ends.begin(), ends.end(), std::numeric_limits<int64_t>::max());
  starts[dim] = node.attrs.get_int("start");
  ends[dim] = starts[dim] + node.attrs.get_int("length");
  emit_slice(node, ctx, starts, ends, steps);
}

void export_gather(const ir::Node& node, ExportContext& ctx) {
  int64_t axis = node.attrs.get_int("axis");
  if (axis < 0) axis += rank_of(ctx, node.inputs[0]);
  ctx.emit("Gather", node.inputs, {{"axis", axis}}, node.outputs);
}

// GatherND (opset 11+; refused below by the opset check) takes int64 indices only.
void export_gather_nd(const ir::Node& node, ExportContext& ctx) {
  std::string indices = node.inputs[1];
  if (ctx.type(indices).dtype != DType::Int64)
    indices = ctx.emit("Cast", {indices}, {{"to", int64_t{onnx_io::dtype_to_onnx(DType::Int64)}}});
  ctx.emit("GatherND", {node.inputs[0], indices}, {}, node.outputs);
}

void export_cast(const ir::Node& node, ExportContext& ctx) {
  DType to = dtype_from_name(node.attrs.get_string("dtype"));
  ctx.emit("Cast", node.inputs, {{"to", int64_t{onnx_io::dtype_to_onnx(to)}}}, node.outputs);
}

// The value as an initializer, named again by an Identity so the node's output keeps its name.
void export_constant(const ir::Node& node, ExportContext& ctx) {
  DType dtype = dtype_from_name(node.attrs.get_string("dtype"));
  Tensor value = Tensor::full(Shape(node.attrs.get_ints("shape")), flow::fill_value(node.attrs), DType::Float64).to(dtype);
  ctx.emit("Identity", {ctx.add_constant(node.name + "/value", value)}, {}, node.outputs);
}

void export_where(const ir::Node& node, ExportContext& ctx) {
  std::string condition = node.inputs[0];
  if (ctx.type(condition).dtype != DType::Bool)
    condition = ctx.emit("Cast", {condition}, {{"to", int64_t{onnx_io::dtype_to_onnx(DType::Bool)}}});
  ctx.emit("Where", {condition, node.inputs[1], node.inputs[2]}, {}, node.outputs);
}

}  // namespace

void register_array_handlers(HandlerRegistry& registry) {
  auto add = [&](const char* op, ExportHandler handler, std::vector<OpsetMapping> mappings) {
    registry.add(op, std::move(handler), std::move(mappings), std::string(kArrayOpsExportTest) + op);
  };
  // Single-device semantics: the AMP markers and distribute_* ops name their input again.
  for (const char* op : {"identity", "amp_white_identity", "amp_black_identity", "distribute_split",
                         "distribute_concat", "distribute_clone", "distribute_add"})
    add(op, export_identity, {{9, "Identity"}});
  add("flatten", export_flatten, {{9, "Flatten (start 1 to last) or Reshape"}});
  add("reshape", export_reshape, {{9, "Reshape"}});
  add("squeeze", export_squeeze, {{9, "Squeeze(axes attr)"}, {13, "Squeeze(axes input)"}});
  add("expand_dims", export_expand_dims, {{9, "Unsqueeze(axes attr)"}, {13, "Unsqueeze(axes input)"}});
  add("expand", export_expand, {{9, "Expand"}});
  add("transpose", export_transpose, {{9, "Transpose"}});
  add("concat", export_concat, {{9, "Concat"}});
  add("slice", export_slice, {{9, "Slice(attrs; step 1 only)"}, {10, "Slice(inputs, steps)"}});
  add("narrow", export_narrow, {{9, "Slice(attrs)"}, {10, "Slice(inputs)"}});
  add("gather", export_gather, {{9, "Gather"}});
  add("gather_nd", export_gather_nd, {{11, "GatherND (+Cast of int32 indices)"}});
  add("cast", export_cast, {{9, "Cast"}});
  add("constant", export_constant, {{9, "initializer + Identity"}});
  add("where", export_where, {{9, "Where (+Cast of the condition to bool)"}});
}

}  // namespace flowonnx::exporter
