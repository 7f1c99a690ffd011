// Index-driven ops: Slice, Gather, GatherElements, GatherND, ScatterElements, ScatterND, OneHot,
// TopK, NonZero. Every index is checked against its dim before any data moves.
#include <algorithm>
#include <numeric>

#include "kernels/cpu/data_movement.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/shape_rules.h"
#include "runtime/type_rules_data_movement.h"

namespace flowonnx::runtime::cpu {

namespace {

// Negative indices count from the end; anything outside [-n, n) is an error.
std::vector<int64_t> checked_indices(const Tensor& indices, int64_t n, const char* op) {
  std::vector<int64_t> values = tensor_to_int64s(indices, op);
  for (int64_t& v : values) {
    FLOWONNX_REQUIRE(v >= -n && v < n, "{}: index {} out of range for a dim of {}", op, v, n);
    if (v < 0) v += n;
  }
  return values;
}

ComputeFn make_slice(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> starts = tensor_to_int64s(ctx.input(1), "Slice starts");
    std::vector<int64_t> ends = tensor_to_int64s(ctx.input(2), "Slice ends");
    std::vector<int64_t> axes, steps;
    if (ctx.has_input(3)) axes = tensor_to_int64s(ctx.input(3), "Slice axes");
    else { axes.resize(starts.size()); std::iota(axes.begin(), axes.end(), 0); }
    if (ctx.has_input(4)) steps = tensor_to_int64s(ctx.input(4), "Slice steps");
    else steps.assign(starts.size(), 1);
    FLOWONNX_REQUIRE(ends.size() == starts.size() && axes.size() == starts.size() && steps.size() == starts.size(),
                     "Slice: starts, ends, axes and steps must have the same length");
    for (int64_t step : steps) FLOWONNX_REQUIRE(step != 0, "Slice: step must not be 0");
    const SliceGeometry g = resolve_slice(x.shape(), starts, ends, axes, steps);
    kernels::strided_slice(x, g.begin, g.step, ctx.allocate_output(0, g.shape, x.dtype()));
  };
}

ComputeFn make_gather(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  return [axis](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    int64_t a = kernels::detail::normalize_axis("Gather", axis, x.rank());
    std::vector<int64_t> idx = checked_indices(indices, x.shape()[a], "Gather indices");
    Shape shape(x.shape().begin(), x.shape().begin() + a);
    shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
    shape.insert(shape.end(), x.shape().begin() + a + 1, x.shape().end());
    kernels::gather(x, a, idx, ctx.allocate_output(0, shape, x.dtype()));
  };
}

// out[i] = data[i with axis replaced by indices[i]] (GatherElements), and its inverse scatter.
template <bool Scatter>
ComputeFn make_elements(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  std::string reduction = init.attr_string("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    fail(ErrorCode::NotImplemented, "ScatterElements: reduction '{}' is not supported", reduction);
  return [axis, reduction](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    int64_t a = kernels::detail::normalize_axis(Scatter ? "ScatterElements" : "GatherElements", axis, x.rank());
    FLOWONNX_REQUIRE(indices.rank() == x.rank(), "indices {} must have the rank of data {}",
                     indices.describe(), x.describe());
    std::vector<int64_t> idx = checked_indices(indices, x.shape()[a], "element indices");
    std::vector<int64_t> strides = contiguous_strides(x.shape());
    const Shape& ishape = indices.shape();
    for (size_t d = 0; d < ishape.size(); ++d)
      FLOWONNX_REQUIRE(ishape[d] <= x.shape()[d] || static_cast<int64_t>(d) == a,
                       "indices {} larger than data {}", indices.describe(), x.describe());
    // Flat data offset for each index element.
    std::vector<int64_t> offsets(idx.size());
    std::vector<int64_t> pos(ishape.size(), 0);
    for (size_t i = 0; i < idx.size(); ++i) {
      int64_t at = 0;
      for (size_t d = 0; d < pos.size(); ++d)
        at += (static_cast<int64_t>(d) == a ? idx[i] : pos[d]) * strides[d];
      offsets[i] = at;
      for (size_t d = pos.size(); d-- > 0;) {
        if (++pos[d] < ishape[d]) break;
        pos[d] = 0;
      }
    }
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (Scatter) {
        const Tensor& updates = ctx.input(2);
        FLOWONNX_REQUIRE(updates.shape() == ishape && updates.dtype() == x.dtype(),
                         "ScatterElements: updates {} must match indices {}", updates.describe(), indices.describe());
        Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
        std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
        T* out = y.data<T>();
        const T* up = updates.data<T>();
        for (size_t i = 0; i < offsets.size(); ++i) {
          if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, bool>) {
            out[offsets[i]] = up[i];
          } else {
            if (reduction == "add") out[offsets[i]] = T(out[offsets[i]] + up[i]);
            else if (reduction == "mul") out[offsets[i]] = T(out[offsets[i]] * up[i]);
            else out[offsets[i]] = up[i];
          }
        }
      } else {
        Tensor& y = ctx.allocate_output(0, ishape, x.dtype());
        const T* in = x.data<T>();
        T* out = y.data<T>();
        for (size_t i = 0; i < offsets.size(); ++i) out[i] = in[offsets[i]];
      }
    });
  };
}

// GatherND / ScatterND: the last dim of indices addresses a slice of data.
template <bool Scatter>
ComputeFn make_nd(const KernelInit& init) {
  int64_t batch_dims = init.attr_int("batch_dims", 0);
  std::string reduction = init.attr_string("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    fail(ErrorCode::NotImplemented, "ScatterND: reduction '{}' is not supported", reduction);
  return [batch_dims, reduction](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    std::vector<int64_t> idx = tensor_to_int64s(indices, "ND indices");
    FLOWONNX_REQUIRE(indices.rank() >= 1, "ND indices must have rank >= 1");
    const int64_t k = indices.shape().back();
    const int64_t b = Scatter ? 0 : batch_dims;
    FLOWONNX_REQUIRE(k >= 0 && b + k <= x.rank(), "ND: index depth {} too large for {}", k, x.describe());
    const int64_t slice = std::accumulate(x.shape().begin() + b + k, x.shape().end(), int64_t{1}, std::multiplies<>());
    const int64_t batch = std::accumulate(x.shape().begin(), x.shape().begin() + b, int64_t{1}, std::multiplies<>());
    const int64_t tuples = k == 0 ? 0 : static_cast<int64_t>(idx.size()) / k;
    const int64_t per_batch = batch == 0 ? 0 : tuples / batch;
    const int64_t batch_stride = std::accumulate(x.shape().begin() + b, x.shape().end(), int64_t{1}, std::multiplies<>());
    std::vector<int64_t> strides = contiguous_strides(x.shape());
    std::vector<int64_t> starts(tuples);
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t at = (per_batch == 0 ? 0 : t / per_batch) * batch_stride;
      for (int64_t j = 0; j < k; ++j) {
        int64_t n = x.shape()[b + j], v = idx[t * k + j];
        FLOWONNX_REQUIRE(v >= -n && v < n, "ND: index {} out of range for a dim of {}", v, n);
        at += (v < 0 ? v + n : v) * strides[b + j];
      }
      starts[t] = at;
    }
    const size_t esize = dtype_size(x.dtype());
    if (Scatter) {
      const Tensor& updates = ctx.input(2);
      FLOWONNX_REQUIRE(updates.num_elements() == tuples * slice && updates.dtype() == x.dtype(),
                       "ScatterND: updates {} do not match", updates.describe());
      Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
      std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
      visit_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        T* out = y.data<T>();
        const T* up = updates.data<T>();
        for (int64_t t = 0; t < tuples; ++t)
          for (int64_t i = 0; i < slice; ++i) {
            T& dst = out[starts[t] + i];
            if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, bool>) {
              dst = up[t * slice + i];
            } else {
              if (reduction == "add") dst = T(dst + up[t * slice + i]);
              else if (reduction == "mul") dst = T(dst * up[t * slice + i]);
              else dst = up[t * slice + i];
            }
          }
      });
    } else {
      Shape shape(indices.shape().begin(), indices.shape().end() - 1);
      shape.insert(shape.end(), x.shape().begin() + b + k, x.shape().end());
      Tensor& y = ctx.allocate_output(0, shape, x.dtype());
      const auto* in = static_cast<const uint8_t*>(x.raw_data());
      auto* out = static_cast<uint8_t*>(y.raw_data());
      for (int64_t t = 0; t < tuples; ++t)
        std::memcpy(out + t * slice * esize, in + starts[t] * esize, slice * esize);
    }
  };
}

ComputeFn make_one_hot(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", -1);
  return [axis](KernelContext& ctx) {
    const Tensor& indices = ctx.input(0);
    std::vector<double> depth_value = ctx.input(1).to_double_vector();
    FLOWONNX_REQUIRE(depth_value.size() == 1 && depth_value[0] >= 1, "OneHot: depth must be a positive scalar");
    const int64_t depth = static_cast<int64_t>(depth_value[0]);
    const Tensor& values = ctx.input(2);
    FLOWONNX_REQUIRE(values.num_elements() == 2, "OneHot: values must hold [off, on]");
    int64_t rank = indices.rank() + 1;
    int64_t a = kernels::detail::normalize_axis("OneHot", axis, rank);
    Shape shape = indices.shape();
    shape.insert(shape.begin() + a, depth);
    std::vector<double> idx = indices.to_double_vector();
    int64_t outer = 1;
    for (int64_t d = 0; d < a; ++d) outer *= indices.shape()[d];
    int64_t inner = static_cast<int64_t>(idx.size()) / std::max<int64_t>(outer, 1);
    Tensor plain = Tensor::zeros(shape, DType::Float64);
    double* out = plain.data<double>();
    std::vector<double> vals = values.to_double_vector();
    for (int64_t i = 0; i < plain.num_elements(); ++i) out[i] = vals[0];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t v = static_cast<int64_t>(idx[o * inner + i]);
        if (v < 0) v += depth;
        if (v >= 0 && v < depth) out[(o * depth + v) * inner + i] = vals[1];
      }
    ctx.allocate_output(0, shape, values.dtype()).copy_from(plain);
  };
}

ComputeFn make_top_k(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", -1);
  bool largest = init.attr_int("largest", 1) != 0;
  return [axis, largest](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> k_values = tensor_to_int64s(ctx.input(1), "TopK k");
    FLOWONNX_REQUIRE(k_values.size() == 1, "TopK: k must hold one value");
    int64_t a = kernels::detail::normalize_axis("TopK", axis, x.rank());
    int64_t n = x.shape()[a], k = k_values[0];
    FLOWONNX_REQUIRE(k >= 0 && k <= n, "TopK: k = {} for a dim of {}", k, n);
    Shape shape = x.shape();
    shape[a] = k;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x.shape()[d];
    for (int64_t d = a + 1; d < x.rank(); ++d) inner *= x.shape()[d];
    std::vector<double> in = x.to_double_vector();
    Tensor values_d(shape, DType::Float64);
    Tensor& indices = ctx.allocate_output(1, shape, DType::Int64);
    double* vout = values_d.data<double>();
    int64_t* iout = indices.data<int64_t>();
    std::vector<int64_t> order(n);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t j) { return in[(o * n + j) * inner + i]; };
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
          return largest ? at(p) > at(q) : at(p) < at(q);
        });
        for (int64_t j = 0; j < k; ++j) {
          vout[(o * k + j) * inner + i] = at(order[j]);
          iout[(o * k + j) * inner + i] = order[j];
        }
      }
    ctx.allocate_output(0, shape, x.dtype()).copy_from(values_d);
  };
}

ComputeFn make_non_zero(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<double> values = x.to_double_vector();
    std::vector<int64_t> hits;
    for (size_t i = 0; i < values.size(); ++i) if (values[i] != 0) hits.push_back(static_cast<int64_t>(i));
    int64_t rank = std::max(x.rank(), 1);
    Tensor& y = ctx.allocate_output(0, {rank, static_cast<int64_t>(hits.size())}, DType::Int64);
    int64_t* out = y.data<int64_t>();
    Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    for (size_t h = 0; h < hits.size(); ++h) {
      int64_t rest = hits[h];
      for (int64_t d = rank; d-- > 0;) {
        out[d * hits.size() + h] = rest % shape[d];
        rest /= shape[d];
      }
    }
  };
}

}  // namespace

void register_indexing_kernels(KernelRegistry& r) {
  r.add("", "Slice", make_slice, rules::data_movement());
  r.add("", "Gather", make_gather);
  r.add("", "GatherElements", make_elements<false>);
  r.add("", "ScatterElements", make_elements<true>);
  r.add("", "GatherND", make_nd<false>);
  r.add("", "ScatterND", make_nd<true>);
  r.add("", "OneHot", make_one_hot, rules::dtype_of_input(2));
  r.add("", "TopK", make_top_k, rules::per_output({rules::input_dtype_only(), rules::dtype_only(DType::Int64)}));
  r.add("", "NonZero", make_non_zero, rules::dtype_only(DType::Int64));
}

}  // namespace flowonnx::runtime::cpu
