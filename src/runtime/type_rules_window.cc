#include "runtime/type_rules_window.h"

#include "base/error.h"

namespace flowonnx::runtime::rules {

namespace {

using Dims = std::vector<ir::Dim>;

// Output dims of Conv / MaxPool / AveragePool (k == kernel dims, from the weights or the
// attribute): batch kept, channels from `channels`, spatial dims computed when static.
std::optional<Dims> window_output_dims(const ir::Node& node, const Dims& x, const ir::Dim& channels,
                                       const std::vector<int64_t>& kernel) {
  const size_t rank = x.size();
  if (rank < 3 || kernel.size() != rank - 2) return std::nullopt;
  auto ints = [&](const char* name, std::vector<int64_t> fallback) {
    return node.attrs.has(name) ? node.attrs.get_ints(name) : fallback;
  };
  const size_t spatial = rank - 2;
  const std::vector<int64_t> strides = ints("strides", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> dilations = ints("dilations", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> pads = ints("pads", std::vector<int64_t>(2 * spatial, 0));
  const std::string auto_pad =
      node.attrs.has("auto_pad") ? node.attrs.get_string("auto_pad") : "NOTSET";
  const bool ceil_mode = node.attrs.has("ceil_mode") && node.attrs.get_int("ceil_mode") != 0;
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return std::nullopt;
  Dims out = {x[0], channels};
  for (size_t i = 0; i < spatial; ++i) {
    const ir::Dim& in = x[2 + i];
    // Absurd sizes (declared dims and attributes are the file's word) would overflow below.
    constexpr int64_t kLimit = int64_t{1} << 31;
    auto absurd = [&](int64_t v) { return v < -kLimit || v > kLimit; };
    if (!in.is_static() || strides[i] < 1 || dilations[i] < 1 || absurd(strides[i]) ||
        absurd(dilations[i]) || absurd(kernel[i]) || absurd(pads[i]) || absurd(pads[spatial + i]) ||
        in.value > (int64_t{1} << 40)) {
      out.push_back(ir::Dim{});
      continue;
    }
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t size = -1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      size = (in.value + strides[i] - 1) / strides[i];
    } else {
      const int64_t padded = auto_pad == "VALID" ? in.value : in.value + pads[i] + pads[spatial + i];
      const int64_t span = padded - extent;
      if (span >= 0) {
        size = (ceil_mode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
        if (ceil_mode && (size - 1) * strides[i] >= in.value + pads[i]) --size;
      }
    }
    out.push_back(size >= 0 ? ir::Dim::of(size) : ir::Dim{});
  }
  return out;
}

}  // namespace

TypeRule conv() {
  return [](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    const ir::ValueType* x = ctx.input(0);
    const ir::ValueType* w = ctx.input(1);
    if (ctx.output() != 0 || !x) return std::nullopt;
    ir::ValueType out{x->dtype, std::nullopt};
    if (!x->shape || !w || !w->shape || w->shape->size() != x->shape->size() || w->shape->empty())
      return out;
    std::vector<int64_t> kernel;
    for (size_t i = 2; i < w->shape->size(); ++i) {
      if (!(*w->shape)[i].is_static()) return out;
      kernel.push_back((*w->shape)[i].value);
    }
    try {
      out.shape = window_output_dims(ctx.node(), *x->shape, (*w->shape)[0], kernel);
    } catch (const Error&) {
      // malformed attributes: the kernel factory reports them
    }
    return out;
  };
}

TypeRule pool() {
  return [](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    const ir::ValueType* x = ctx.input(0);
    if (ctx.output() > 1 || !x) return std::nullopt;
    ir::ValueType out{ctx.output() == 0 ? x->dtype : DType::Int64, std::nullopt};
    const ir::Node& node = ctx.node();
    try {
      if (x->shape && x->shape->size() >= 3 && node.attrs.has("kernel_shape"))
        out.shape = window_output_dims(node, *x->shape, (*x->shape)[1],
                                       node.attrs.get_ints("kernel_shape"));
    } catch (const Error&) {
      // malformed attributes: the kernel factory reports them
    }
    return out;
  };
}

TypeRule global_pool() {
  return [](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    const ir::ValueType* x = ctx.input(0);
    if (ctx.output() != 0 || !x) return std::nullopt;
    ir::ValueType out{x->dtype, std::nullopt};
    if (x->shape && x->shape->size() >= 3) {
      Dims dims(x->shape->begin(), x->shape->begin() + 2);
      dims.resize(x->shape->size(), ir::Dim::of(1));
      out.shape = dims;
    }
    return out;
  };
}

}  // namespace flowonnx::runtime::rules
