// Neural-network ops: Conv, BatchNormalization, the pools, LRN, InstanceNormalization,
// LayerNormalization, RMSNormalization, GroupNormalization, LpNormalization, Dropout (inference).
#include <cmath>
#include <limits>

#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/moments.h"
#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/group_norm.h"
#include "kernels/cpu/normalization.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/pool_nd.h"
#include "kernels/cpu/rms_norm.h"
#include "kernels/cpu/threading.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/window.h"
#include "runtime/type_rules_window.h"

namespace flowonnx::runtime::cpu {

namespace {

Shape spatial_of(const Shape& shape) { return Shape(shape.begin() + 2, shape.end()); }

void require_float_input(const char* op, const Tensor& x, int min_rank) {
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() >= min_rank,
                   "{}: input must be float32 of rank >= {}, got {}", op, min_rank, x.describe());
}

ComputeFn make_conv(const KernelInit& init) {
  WindowAttrs attrs = read_window_attrs(init);
  int64_t group = init.attr_int("group", 1);
  if (group < 1) init.fail_model("group must be positive");
  return [attrs, group](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Tensor bias = ctx.has_input(2) ? ctx.input(2) : Tensor();
    require_float_input("Conv", x, 3);
    FLOWONNX_REQUIRE(w.rank() == x.rank(), "Conv: weight {} does not match input {}",
                     w.describe(), x.describe());
    FLOWONNX_REQUIRE(x.rank() <= 4, "Conv: {}-d convolution is not supported (1-d and 2-d are)",
                     x.rank() - 2);
    std::vector<int64_t> kernel = attrs.kernel.empty() ? spatial_of(w.shape()) : attrs.kernel;
    FLOWONNX_REQUIRE(kernel == spatial_of(w.shape()), "Conv: kernel_shape {} but weight {}",
                     shape_to_string(kernel), w.describe());
    WindowGeometry g = resolve_window(attrs, spatial_of(x.shape()), kernel);
    // 1-d convolution runs as 2-d with a height of 1.
    bool one_d = x.rank() == 3;
    auto lift = [&](const std::vector<int64_t>& v, int64_t fill) {
      return one_d ? std::array<int64_t, 2>{fill, v[0]} : std::array<int64_t, 2>{v[0], v[1]};
    };
    kernels::Conv2dParams params;
    params.strides = lift(g.strides, 1);
    params.dilations = lift(g.dilations, 1);
    params.pads_begin = lift(g.pads_begin, 0);
    params.pads_end = lift(g.pads_end, 0);
    params.groups = group;
    Tensor x4 = one_d ? x.reshape({x.shape()[0], x.shape()[1], 1, x.shape()[2]}) : x;
    Tensor w4 = one_d ? w.reshape({w.shape()[0], w.shape()[1], 1, w.shape()[2]}) : w;
    Shape out4 = kernels::conv2d_output_shape(x4.shape(), w4.shape(), params);
    Shape out = one_d ? Shape{out4[0], out4[1], out4[3]} : out4;
    Tensor y4 = ctx.allocate_output(0, out, DType::Float32).reshape(out4);
    kernels::conv2d(x4, w4, bias, params, y4);
  };
}

// training_mode=1 (opset 14+; outputs running_mean and running_var) normalises with the batch's
// own statistics (kernels/cpu/moments.h).
ComputeFn make_batch_norm(const KernelInit& init) {
  double epsilon = init.attr_float("epsilon", 1e-5);
  if (init.attr_int("training_mode", 0) != 0) {
    double momentum = init.attr_float("momentum", 0.9);
    if (init.num_outputs() != 3) init.fail_model("training mode needs the outputs Y, running_mean, running_var");
    return [epsilon, momentum](KernelContext& ctx) {
      const Tensor& x = ctx.input(0);
      const Tensor& mean = ctx.input(3);
      kernels::batch_norm_training(x, ctx.input(1), ctx.input(2), mean, ctx.input(4), epsilon, momentum,
                                   ctx.allocate_output(0, x.shape(), x.dtype()),
                                   ctx.allocate_output(1, mean.shape(), x.dtype()),
                                   ctx.allocate_output(2, mean.shape(), x.dtype()));
    };
  }
  if (init.has_output(1))
    init.fail_model("outputs past Y need training_mode=1 (opset 14+; earlier training outputs are unsupported)");
  return [epsilon](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    require_float_input("BatchNormalization", x, 2);
    kernels::batch_norm_inference(x, ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4),
                                  epsilon, ctx.allocate_output(0, x.shape(), DType::Float32));
  };
}

template <kernels::PoolNdKind Kind>
ComputeFn make_pool(const KernelInit& init) {
  WindowAttrs attrs = read_window_attrs(init);
  if (attrs.kernel.empty()) init.fail_model("kernel_shape is required");
  kernels::PoolNdParams base;
  base.count_include_pad = init.attr_int("count_include_pad", 0) != 0;
  base.p = init.attr_int("p", 2);
  base.column_major_indices = init.attr_int("storage_order", 0) != 0;
  return [attrs, base](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() >= 3, "pool: input {} must be [N,C,spatial...]", x.describe());
    WindowGeometry g = resolve_window(attrs, spatial_of(x.shape()), attrs.kernel);
    Shape out = {x.shape()[0], x.shape()[1]};
    out.insert(out.end(), g.out.begin(), g.out.end());
    Tensor& y = ctx.allocate_output(0, out, x.dtype());
    bool want_indices = ctx.num_outputs() > 1;
    if (Kind != kernels::PoolNdKind::Lp && x.rank() == 4 && x.dtype() == DType::Float32 &&
        !want_indices) {
      kernels::Pool2dParams p;
      p.kernel = {g.kernel[0], g.kernel[1]};
      p.strides = {g.strides[0], g.strides[1]};
      p.pads_begin = {g.pads_begin[0], g.pads_begin[1]};
      p.pads_end = {g.pads_end[0], g.pads_end[1]};
      p.dilations = {g.dilations[0], g.dilations[1]};
      p.ceil_mode = attrs.ceil_mode && attrs.auto_pad == "NOTSET";
      p.count_include_pad = base.count_include_pad;
      bool fits = p.kernel[0] <= x.shape()[2] + p.pads_begin[0] + p.pads_end[0];
      if (fits && kernels::pool2d_output_shape(x.shape(), p) == out) {
        kernels::pool2d(Kind == kernels::PoolNdKind::Max ? kernels::PoolKind::Max
                                                         : kernels::PoolKind::Average,
                        x, p, y);
        return;
      }
    }
    kernels::PoolNdParams p = base;
    p.kernel = g.kernel;
    p.strides = g.strides;
    p.dilations = g.dilations;
    p.pads_begin = g.pads_begin;
    p.pads_end = g.pads_end;
    Tensor* indices = want_indices ? &ctx.allocate_output(1, out, DType::Int64) : nullptr;
    kernels::pool_nd(Kind, x, p, y, indices);
  };
}

template <bool Max>
ComputeFn make_global_pool(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() >= 3 && (x.dtype() == DType::Float32),
                     "global pool: input must be float32 [N,C,spatial...], got {}", x.describe());
    Shape out(x.shape().size(), 1);
    out[0] = x.shape()[0];
    out[1] = x.shape()[1];
    Tensor& y = ctx.allocate_output(0, out, x.dtype());
    const int64_t planes = out[0] * out[1];
    const int64_t size = x.num_elements() / std::max<int64_t>(planes, 1);
    const float* in = x.data<float>();
    float* o = y.data<float>();
    const int threads = kernels::threads_for(planes * size);
#pragma omp parallel for num_threads(threads) if (threads > 1)
    for (int64_t p = 0; p < planes; ++p) {
      const float* row = in + p * size;
      double acc = Max ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t i = 0; i < size; ++i) acc = Max ? std::max<double>(acc, row[i]) : acc + row[i];
      o[p] = static_cast<float>(Max ? acc : acc / static_cast<double>(size));
    }
  };
}

ComputeFn make_lrn(const KernelInit& init) {
  double alpha = init.attr_float("alpha", 1e-4), beta = init.attr_float("beta", 0.75),
         bias = init.attr_float("bias", 1.0);
  int64_t size = init.attr_int("size", 0);
  if (size < 1) init.fail_model("size must be a positive int");
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::local_response_norm(x, size, alpha, beta, bias, ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

ComputeFn make_instance_norm(const KernelInit& init) {
  double epsilon = init.attr_float("epsilon", 1e-5);
  return [epsilon](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    kernels::instance_norm(x, ctx.input(1), ctx.input(2), epsilon,
                           ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

// scale/bias broadcast (unidirectionally) to x.shape[axis:], expanded to that many values.
Tensor expand_to(const Tensor& t, const Shape& shape, const char* op = "LayerNormalization") {
  if (t.num_elements() == num_elements(shape)) return t;
  FLOWONNX_REQUIRE(t.dtype() == DType::Float32, "{}: scale/bias must be float32, got {}", op,
                   t.describe());
  FLOWONNX_REQUIRE(kernels::broadcast_all({t.shape(), shape}, op) == shape,
                   "{}: {} does not broadcast to {}", op, t.describe(), shape_to_string(shape));
  Tensor out(shape, DType::Float32);
  const float* in = t.data<float>();
  float* o = out.data<float>();
  kernels::for_each_broadcast<1>(shape, {t.shape()},
                                 [&](int64_t i, const std::array<int64_t, 1>& at) { o[i] = in[at[0]]; });
  return out;
}

ComputeFn make_layer_norm(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", -1);
  double epsilon = init.attr_float("epsilon", 1e-5);
  return [axis, epsilon](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    require_float_input("LayerNormalization", x, 1);
    int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "LayerNormalization: axis {} for {}", axis, x.describe());
    Shape inner(x.shape().begin() + a, x.shape().end());
    Tensor scale = expand_to(ctx.input(1), inner);
    Tensor bias = ctx.has_input(2) ? expand_to(ctx.input(2), inner) : Tensor();
    Shape stat_shape = x.shape();
    for (size_t d = a; d < stat_shape.size(); ++d) stat_shape[d] = 1;
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Float32);
    Tensor* mean = ctx.num_outputs() > 1 ? &ctx.allocate_output(1, stat_shape, DType::Float32) : nullptr;
    Tensor* inv = ctx.num_outputs() > 2 ? &ctx.allocate_output(2, stat_shape, DType::Float32) : nullptr;
    kernels::layer_norm(x, a, scale, bias, epsilon, y, mean, inv);
  };
}

// float16 inputs of the normalisations run in float32 (ONNX's stash_type does the same).
Tensor float32_of(const char* op, const Tensor& t, const char* what) {
  FLOWONNX_REQUIRE(t.dtype() == DType::Float32 || t.dtype() == DType::Float16,
                   "{}: {} must be float32 or float16, got {}", op, what, t.describe());
  return t.dtype() == DType::Float32 ? t : t.to(DType::Float32);
}

void emit_as(KernelContext& ctx, const Tensor& y, DType dtype) {
  if (dtype == DType::Float32)
    ctx.set_output(0, y);
  else
    ctx.allocate_output(0, y.shape(), dtype).copy_from(y);
}

// RMSNormalization (opset 23): x / sqrt(mean(x^2 over axes [axis, rank)) + epsilon) * scale,
// scale broadcasting to x.shape[axis:].
ComputeFn make_rms_norm(const KernelInit& init) {
  const int64_t axis = init.attr_int("axis", -1);
  const double epsilon = init.attr_float("epsilon", 1e-5);
  return [axis, epsilon](KernelContext& ctx) {
    const Tensor& x_in = ctx.input(0);
    Tensor x = float32_of("RMSNormalization", x_in, "X");
    FLOWONNX_REQUIRE(x.rank() >= 1, "RMSNormalization: X {} must have rank >= 1", x.describe());
    const int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank(), "RMSNormalization: axis {} out of range for {}",
                     axis, x.describe());
    Shape inner(x.shape().begin() + a, x.shape().end());
    Tensor scale =
        expand_to(float32_of("RMSNormalization", ctx.input(1), "scale"), inner, "RMSNormalization");
    Tensor y(x.shape(), DType::Float32);
    kernels::rms_norm(x, a, scale, epsilon, y);
    emit_as(ctx, y, x_in.dtype());
  };
}

// GroupNormalization: x [N, C, ...] in num_groups groups. Opset 21 gives scale and bias per
// channel [C]; opset 18 gave them per group [num_groups], repeated here over each group's channels.
ComputeFn make_group_norm(const KernelInit& init) {
  const int64_t groups = init.attr_int("num_groups", 0);
  const double epsilon = init.attr_float("epsilon", 1e-5);
  if (groups < 1) init.fail_model("num_groups must be a positive int");
  const bool per_group = init.opset() < 21;
  return [=](KernelContext& ctx) {
    const Tensor& x_in = ctx.input(0);
    Tensor x = float32_of("GroupNormalization", x_in, "X");
    FLOWONNX_REQUIRE(x.rank() >= 2 && x.shape()[1] % groups == 0,
                     "GroupNormalization: X {} must be [N, C, ...] with C a multiple of "
                     "num_groups {}",
                     x.describe(), groups);
    const int64_t channels = x.shape()[1];
    auto per_channel = [&](size_t i, const char* what) {
      Tensor t = float32_of("GroupNormalization", ctx.input(i), what);
      const int64_t expected = per_group ? groups : channels;
      FLOWONNX_REQUIRE(t.num_elements() == expected,
                       "GroupNormalization: {} {} must hold {} values (one per {} at opset {})",
                       what, t.describe(), expected, per_group ? "group" : "channel",
                       per_group ? "18" : "21");
      if (!per_group) return t.reshape({channels});
      Tensor out({channels}, DType::Float32);
      for (int64_t c = 0; c < channels; ++c)
        out.data<float>()[c] = t.data<float>()[c / (channels / groups)];
      return out;
    };
    Tensor y(x.shape(), DType::Float32);
    kernels::group_norm(x, groups, per_channel(1, "scale"), per_channel(2, "bias"), epsilon, y);
    emit_as(ctx, y, x_in.dtype());
  };
}

// LpNormalization: x / ||x||_p along axis, p 1 or 2. A zero vector stays zero (as ONNX Runtime
// does) instead of becoming 0/0.
ComputeFn make_lp_norm(const KernelInit& init) {
  const int64_t axis = init.attr_int("axis", -1);
  const int64_t p = init.attr_int("p", 2);
  if (p != 1 && p != 2) init.fail_model("p must be 1 or 2");
  return [axis, p](KernelContext& ctx) {
    const Tensor& x_in = ctx.input(0);
    Tensor x = float32_of("LpNormalization", x_in, "input");
    const int64_t a = axis < 0 ? axis + x.rank() : axis;
    FLOWONNX_REQUIRE(a >= 0 && a < std::max<int64_t>(x.rank(), 1),
                     "LpNormalization: axis {} out of range for {}", axis, x.describe());
    const Shape& s = x.shape();
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d) outer *= s[d];
    for (int64_t d = a + 1; d < x.rank(); ++d) inner *= s[d];
    const int64_t n = x.rank() == 0 ? 1 : s[a];
    Tensor y(s, DType::Float32);
    const float* in = x.data<float>();
    float* out = y.data<float>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t base = o * n * inner + j;
        double norm = 0;
        for (int64_t i = 0; i < n; ++i) {
          const double v = in[base + i * inner];
          norm += p == 1 ? std::abs(v) : v * v;
        }
        if (p == 2) norm = std::sqrt(norm);
        for (int64_t i = 0; i < n; ++i)
          out[base + i * inner] =
              norm == 0 ? 0.0f : static_cast<float>(in[base + i * inner] / norm);
      }
    emit_as(ctx, y, x_in.dtype());
  };
}

// Inference Dropout is the identity; the mask output is all true.
ComputeFn make_dropout(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    if (ctx.has_input(2)) {
      const Tensor& training = ctx.input(2);
      bool on = training.num_elements() == 1 && training.dtype() == DType::Bool && training.data<bool>()[0];
      if (ctx.has_input(1))
        FLOWONNX_REQUIRE(ctx.input(1).num_elements() == 1, "Dropout: ratio must be a scalar, got {}",
                         ctx.input(1).describe());
      double ratio = ctx.has_input(1) ? ctx.input(1).to_double_vector()[0] : 0.5;
      if (on && ratio != 0.0)
        fail(ErrorCode::NotImplemented, "Dropout: training mode with ratio {} is not supported", ratio);
    }
    ctx.set_output(0, x);
    if (ctx.num_outputs() > 1) {
      Tensor& mask = ctx.allocate_output(1, x.shape(), DType::Bool);
      std::memset(mask.raw_data(), 1, mask.nbytes());
    }
  };
}

}  // namespace

void register_nn_kernels(KernelRegistry& r) {
  r.add("", "Conv", make_conv, rules::conv());
  r.add("", "BatchNormalization", make_batch_norm, rules::same_as_input());
  r.add("", "MaxPool", make_pool<kernels::PoolNdKind::Max>, rules::pool());
  r.add("", "AveragePool", make_pool<kernels::PoolNdKind::Average>, rules::pool());
  r.add("", "LpPool", make_pool<kernels::PoolNdKind::Lp>, rules::pool());
  r.add("", "GlobalAveragePool", make_global_pool<false>, rules::global_pool());
  r.add("", "GlobalMaxPool", make_global_pool<true>, rules::global_pool());
  r.add("", "LRN", make_lrn, rules::same_as_input());
  r.add("", "InstanceNormalization", make_instance_norm, rules::same_as_input());
  r.add("", "LayerNormalization", make_layer_norm, rules::same_as_input());
  r.add("", "RMSNormalization", make_rms_norm, rules::same_as_input());
  r.add("", "GroupNormalization", make_group_norm, rules::same_as_input());
  r.add("", "LpNormalization", make_lp_norm, rules::same_as_input());
  r.add("", "Dropout", make_dropout,
        rules::per_output({rules::same_as_input(), rules::elementwise_as(DType::Bool)}));
}

}  // namespace flowonnx::runtime::cpu
