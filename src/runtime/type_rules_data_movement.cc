// Static output shapes of the data-movement ops that sit between convolutions (Concat in
// DenseNet/SqueezeNet, Split/Reshape/Transpose in ShuffleNet's channel shuffle, Slice, Flatten,
// Pad before EfficientNet's TensorFlow-style SAME convolutions),
// so the convs after them are prepared at load time and their weights released. Only inputs the
// import canonicalised (Split sizes, Slice bounds and Reshape shapes as constant inputs) are read;
// anything not static is left to run time.
#include "runtime/type_rules_data_movement.h"

#include <algorithm>
#include <numeric>

#include "runtime/kernel.h"

namespace flowonnx::runtime {

namespace {

using Dims = std::vector<ir::Dim>;

std::optional<std::vector<int64_t>> constant_ints(const ir::Graph& graph, const ir::Node& node,
                                                  size_t i) {
  if (i >= node.inputs.size() || node.inputs[i].empty() || !graph.is_initializer(node.inputs[i]))
    return std::nullopt;
  return tensor_to_int64s(graph.initializer(node.inputs[i]), "shape input");
}

bool all_static(const Dims& dims) {
  return std::all_of(dims.begin(), dims.end(), [](const ir::Dim& d) { return d.is_static(); });
}

// axis in [-rank, rank) -> [0, rank); nullopt when out of range.
std::optional<size_t> normalize(int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return std::nullopt;
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

std::optional<Dims> concat(const ir::Graph& graph, const ir::Node& node) {
  std::optional<Dims> out;
  std::optional<size_t> axis;
  for (const auto& in : node.inputs) {
    if (in.empty() || !graph.has_type(in) || !graph.type(in).shape) return std::nullopt;
    const Dims& dims = *graph.type(in).shape;
    if (!out) {
      axis = normalize(node.attrs.get_int("axis"), dims.size());
      if (!axis) return std::nullopt;
      out = dims;
      continue;
    }
    if (dims.size() != out->size()) return std::nullopt;
    ir::Dim& total = (*out)[*axis];
    total = total.is_static() && dims[*axis].is_static()
                ? ir::Dim::of(total.value + dims[*axis].value)
                : ir::Dim{};
  }
  return out;
}

std::optional<Dims> transpose(const ir::Node& node, const Dims& x) {
  std::vector<int64_t> perm(x.size());
  std::iota(perm.rbegin(), perm.rend(), 0);
  if (node.attrs.has("perm")) perm = node.attrs.get_ints("perm");
  if (perm.size() != x.size()) return std::nullopt;
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x.size())) return std::nullopt;
    out.push_back(x[p]);
  }
  return out;
}

std::optional<Dims> reshape(const ir::Graph& graph, const ir::Node& node, const Dims& x) {
  auto shape = constant_ints(graph, node, 1);
  if (!shape || !all_static(x)) return std::nullopt;
  const bool allowzero = node.attrs.has("allowzero") && node.attrs.get_int("allowzero") != 0;
  int64_t known = 1, total = 1, inferred = -1;
  for (const auto& d : x) total *= d.value;
  std::vector<int64_t> dims = *shape;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0 && !allowzero) {
      if (i >= x.size()) return std::nullopt;
      dims[i] = x[i].value;
    }
    if (dims[i] == -1) {
      if (inferred >= 0) return std::nullopt;
      inferred = static_cast<int64_t>(i);
    } else if (dims[i] < 0) {
      return std::nullopt;
    } else {
      known *= dims[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || total % known) return std::nullopt;
    dims[inferred] = total / known;
  } else if (known != total) {
    return std::nullopt;  // the kernel reports the mismatch
  }
  Dims out;
  for (int64_t d : dims) out.push_back(ir::Dim::of(d));
  return out;
}

std::optional<Dims> flatten(const ir::Node& node, const Dims& x) {
  const int64_t axis = node.attrs.has("axis") ? node.attrs.get_int("axis") : 1;
  const int64_t rank = static_cast<int64_t>(x.size());
  if (axis < -rank || axis > rank || !all_static(x)) return std::nullopt;
  const size_t split = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < x.size(); ++i) (i < split ? outer : inner) *= x[i].value;
  return Dims{ir::Dim::of(outer), ir::Dim::of(inner)};
}

std::optional<Dims> split(const ir::Graph& graph, const ir::Node& node, const Dims& x, size_t k) {
  const auto axis = normalize(node.attrs.has("axis") ? node.attrs.get_int("axis") : 0, x.size());
  if (!axis || !x[*axis].is_static()) return std::nullopt;
  int64_t size = -1;
  if (auto sizes = constant_ints(graph, node, 1)) {
    if (sizes->size() != node.outputs.size()) return std::nullopt;
    size = (*sizes)[k];
  } else if (node.inputs.size() < 2 || node.inputs[1].empty()) {
    const int64_t parts = static_cast<int64_t>(node.outputs.size());
    if (x[*axis].value % parts) return std::nullopt;  // uneven: left to the kernel
    size = x[*axis].value / parts;
  }
  if (size < 0) return std::nullopt;
  Dims out = x;
  out[*axis] = ir::Dim::of(size);
  return out;
}

std::optional<Dims> slice(const ir::Graph& graph, const ir::Node& node, const Dims& x) {
  auto starts = constant_ints(graph, node, 1), ends = constant_ints(graph, node, 2);
  if (!starts || !ends || starts->size() != ends->size()) return std::nullopt;
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (node.inputs.size() > 3 && !node.inputs[3].empty()) {
    auto given = constant_ints(graph, node, 3);
    if (!given) return std::nullopt;
    axes = *given;
  }
  if (node.inputs.size() > 4 && !node.inputs[4].empty()) {
    auto given = constant_ints(graph, node, 4);
    if (!given) return std::nullopt;
    steps = *given;
  }
  if (axes.size() != starts->size() || steps.size() != starts->size()) return std::nullopt;
  Dims out = x;
  for (size_t i = 0; i < axes.size(); ++i) {
    const auto axis = normalize(axes[i], x.size());
    if (!axis || !x[*axis].is_static() || steps[i] == 0) return std::nullopt;
    const int64_t dim = x[*axis].value, step = steps[i];
    // ONNX's clamping: negative indices count from the end; the range is clamped to the dim
    // ([0, dim] forwards, [-1, dim - 1] backwards).
    auto clamp = [&](int64_t v) {
      if (v < 0) v += dim;
      return step > 0 ? std::clamp<int64_t>(v, 0, dim) : std::clamp<int64_t>(v, -1, dim - 1);
    };
    const int64_t start = clamp((*starts)[i]), end = clamp((*ends)[i]);
    const int64_t count =
        step > 0 ? (end - start + step - 1) / step : (start - end + (-step) - 1) / (-step);
    out[*axis] = ir::Dim::of(std::max<int64_t>(count, 0));
  }
  return out;
}

// Pad with constant pads (input 1; the import moves older opsets' attribute there): each dim
// grows by its before + after pads. An axes input (opset 18) is left to run time.
std::optional<Dims> pad(const ir::Graph& graph, const ir::Node& node, const Dims& x) {
  if (node.inputs.size() > 3 && !node.inputs[3].empty()) return std::nullopt;
  const std::optional<std::vector<int64_t>> pads = constant_ints(graph, node, 1);
  if (!pads || pads->size() != 2 * x.size()) return std::nullopt;
  Dims out = x;
  for (size_t d = 0; d < x.size(); ++d) {
    if (!x[d].is_static()) continue;
    const int64_t size = x[d].value + (*pads)[d] + (*pads)[d + x.size()];
    if (size < 0) return std::nullopt;  // the kernel reports over-cropping
    out[d] = ir::Dim::of(size);
  }
  return out;
}

}  // namespace

std::optional<std::vector<ir::Dim>> infer_data_movement_dims(const ir::Graph& graph,
                                                             const ir::Node& node, size_t k) {
  const std::string& op = node.op_type;
  if (node.inputs.empty() || node.inputs[0].empty() || !graph.has_type(node.inputs[0]))
    return std::nullopt;
  const auto& shape = graph.type(node.inputs[0]).shape;
  if (!shape) return std::nullopt;
  try {
    if (op == "Split") return split(graph, node, *shape, k);
    if (k != 0) return std::nullopt;
    if (op == "Concat") return concat(graph, node);
    if (op == "Transpose") return transpose(node, *shape);
    if (op == "Reshape") return reshape(graph, node, *shape);
    if (op == "Flatten") return flatten(node, *shape);
    if (op == "Slice") return slice(graph, node, *shape);
    if (op == "Pad") return pad(graph, node, *shape);
  } catch (const Error&) {
    // malformed attributes or constants: the kernel factory reports them
  }
  return std::nullopt;
}

namespace rules {

TypeRule data_movement() {
  return [](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    if (!ctx.input(0)) return std::nullopt;
    return ir::ValueType{ctx.input(0)->dtype,
                         infer_data_movement_dims(ctx.graph(), ctx.node(), ctx.output())};
  };
}

}  // namespace rules

}  // namespace flowonnx::runtime
