#include "onnx/export/dynamic_dims.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "flow/dispatch.h"

namespace flowonnx::exporter {
namespace {

// A probe size no traced size is likely to equal by accident, and large enough that ops which
// divide a dim (strided convolutions, pooling) still see it change.
int64_t probe_size_of(int64_t compile_size) { return compile_size * 2 + 3; }

// Reshape is probed the way it is exported (onnx/export/array.cc): a target dim equal to the
// input dim at the same position follows that input dim.
ir::Attributes reshape_probe_attrs(const ir::Node& node, const Shape& compile_in, const Shape& probe_in) {
  std::vector<int64_t> target = node.attrs.get_ints("shape");
  for (size_t d = 0; d < target.size() && d < compile_in.size(); ++d)
    if (target[d] == compile_in[d]) target[d] = probe_in[d];
  ir::Attributes attrs = node.attrs;
  attrs.set("shape", target);
  return attrs;
}

}  // namespace

DynamicDims::DynamicDims(const ir::Graph& graph, const std::vector<DynamicAxis>& axes) {
  for (const auto& [name, type] : graph.types())
    if (type.shape && type.is_static()) compile_[name] = type.static_shape();
  for (const auto& [name, tensor] : graph.initializers()) compile_[name] = tensor.shape();

  // Group the axes by symbol; every dim of one symbol must have the same traced size.
  std::map<std::string, size_t> index;
  std::vector<std::vector<std::pair<std::string, size_t>>> dims;
  std::map<std::pair<std::string, int64_t>, std::string> seen;
  for (const DynamicAxis& axis : axes) {
    FLOWONNX_REQUIRE(!axis.symbol.empty(), "export: dynamic axis {} of input '{}' has an empty symbol", axis.dim, axis.input);
    FLOWONNX_REQUIRE(std::find(graph.inputs.begin(), graph.inputs.end(), axis.input) != graph.inputs.end(),
                     "export: dynamic axis '{}' names '{}', which is not an input of graph {} (inputs: {})", axis.symbol,
                     axis.input, graph.name, fmt::join(graph.inputs, ", "));
    const Shape& shape = compiled(axis.input);
    FLOWONNX_REQUIRE(axis.dim >= 0 && axis.dim < static_cast<int64_t>(shape.size()),
                     "export: dynamic axis '{}': input '{}' is {}, it has no dim {}", axis.symbol, axis.input,
                     shape_to_string(shape), axis.dim);
    auto [previous, inserted] = seen.emplace(std::pair{axis.input, axis.dim}, axis.symbol);
    FLOWONNX_REQUIRE(inserted || previous->second == axis.symbol, "export: dim {} of input '{}' is given two symbols, '{}' and '{}'",
                     axis.dim, axis.input, previous->second, axis.symbol);
    if (!inserted) continue;
    int64_t size = shape[axis.dim];
    auto [found, added] = index.emplace(axis.symbol, symbols_.size());
    if (added) {
      symbols_.push_back({axis.symbol, size, probe_size_of(size)});
      dims.emplace_back();
    }
    Symbol& symbol = symbols_[found->second];
    FLOWONNX_REQUIRE(symbol.compile_size == size,
                     "export: dynamic axis '{}' is {} at dim {} of input '{}' but {} elsewhere in the traced inputs",
                     axis.symbol, size, axis.dim, axis.input, symbol.compile_size);
    dims[found->second].emplace_back(axis.input, static_cast<size_t>(axis.dim));
  }

  probes_.resize(symbols_.size());
  for (size_t p = 0; p < symbols_.size(); ++p) {
    for (const auto& [input, dim] : dims[p]) {
      Shape shape = probe_shape(p, input);
      shape[dim] = symbols_[p].probe_size;
      probes_[p][input] = shape;
    }
    infer_probe(graph, p);
  }
}

const Shape& DynamicDims::compiled(const std::string& value) const {
  auto found = compile_.find(value);
  FLOWONNX_CHECK(found != compile_.end(), "export: value '{}' has no traced shape", value);
  return found->second;
}

const Shape& DynamicDims::probe_shape(size_t probe, const std::string& value) const {
  auto found = probes_[probe].find(value);
  if (found != probes_[probe].end()) return found->second;
  return compiled(value);
}

void DynamicDims::infer_probe(const ir::Graph& graph, size_t probe) {
  const Symbol& symbol = symbols_[probe];
  for (const ir::Node* node : graph.topological_order()) {
    std::vector<flow::TensorMeta> metas;
    bool changed = false;
    for (const std::string& input : node->inputs) {
      const Shape& shape = probe_shape(probe, input);
      changed = changed || shape != compiled(input);
      metas.push_back({graph.type(input).dtype, shape});
    }
    if (!changed) continue;
    ir::Attributes attrs = node->op_type == "reshape"
                               ? reshape_probe_attrs(*node, compiled(node->inputs[0]), metas[0].shape)
                               : node->attrs;
    std::vector<flow::TensorMeta> outputs;
    try {
      outputs = flow::infer_op(node->op_type, metas, attrs);
    } catch (const Error& error) {
      std::vector<std::string> changed_inputs;
      for (size_t i = 0; i < node->inputs.size(); ++i)
        if (metas[i].shape != compiled(node->inputs[i]))
          changed_inputs.push_back(fmt::format("'{}' {} -> {}", node->inputs[i], shape_to_string(compiled(node->inputs[i])),
                                               shape_to_string(metas[i].shape)));
      fail(ErrorCode::InvalidArgument,
           "export: node '{}' ({}) cannot follow dynamic axis '{}': the traced graph holds its compile-time size {} "
           "there. With '{}' = {} (inputs {}) the node fails: {}. Compute that shape from the input in the model "
           "(e.g. flatten instead of a reshape to traced sizes) or export with '{}' static",
           node->name, node->op_type, symbol.name, symbol.compile_size, symbol.name, symbol.probe_size,
           fmt::join(changed_inputs, ", "), error.what(), symbol.name);
    }
    for (size_t i = 0; i < outputs.size() && i < node->outputs.size(); ++i)
      if (outputs[i].shape != compiled(node->outputs[i])) probes_[probe][node->outputs[i]] = outputs[i].shape;
  }
}

bool DynamicDims::is_dynamic(const std::string& value, size_t dim) const {
  for (size_t p = 0; p < probes_.size(); ++p) {
    auto found = probes_[p].find(value);
    if (found != probes_[p].end() && dim < found->second.size() && found->second[dim] != compiled(value)[dim]) return true;
  }
  return false;
}

bool DynamicDims::same_size(const std::string& a, size_t dim_a, const std::string& b, size_t dim_b) const {
  auto size = [](const Shape& shape, size_t dim) { return dim < shape.size() ? shape[dim] : -1; };
  if (size(compiled(a), dim_a) != size(compiled(b), dim_b)) return false;
  for (size_t p = 0; p < probes_.size(); ++p)
    if (size(probe_shape(p, a), dim_a) != size(probe_shape(p, b), dim_b)) return false;
  return true;
}

std::vector<ir::Dim> DynamicDims::symbolic_shape(const std::string& value) const {
  const Shape& traced = compiled(value);
  std::vector<ir::Dim> dims;
  for (size_t d = 0; d < traced.size(); ++d) {
    std::vector<std::string> followed;
    bool exactly_symbol = true;
    for (size_t p = 0; p < probes_.size(); ++p) {
      int64_t probed = probe_shape(p, value)[d];
      if (probed != traced[d]) {
        followed.push_back(symbols_[p].name);
        exactly_symbol = exactly_symbol && traced[d] == symbols_[p].compile_size && probed == symbols_[p].probe_size;
      }
    }
    if (followed.empty()) dims.push_back(ir::Dim::of(traced[d]));
    else if (followed.size() == 1 && exactly_symbol) dims.push_back(ir::Dim::named(followed[0]));
    else dims.push_back(ir::Dim::named(fmt::format("{}_d{}", fmt::join(followed, "_"), d)));
  }
  return dims;
}

}  // namespace flowonnx::exporter
