// Shape and data-movement ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split,
// Expand, Tile, Pad, CenterCropPad, Shape, Size, ConstantOfShape, Cast, CastLike, Range, Identity, EyeLike,
// DepthToSpace, SpaceToDepth, Trilu.
#include <cmath>
#include <optional>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/data_movement.h"
#include "kernels/cpu/layout.h"
#include "onnx/model_io.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/shape_rules.h"
#include "runtime/type_rules_data_movement.h"
#include "tensor/integer_math.h"

namespace flowonnx::runtime::cpu {

namespace {

ComputeFn make_reshape(const KernelInit& init) {
  bool allow_zero = init.attr_int("allowzero", 0) != 0;
  return [allow_zero](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> target = tensor_to_int64s(ctx.input(1), "Reshape shape");
    ctx.set_output(0, x.reshape(reshape_target(x.shape(), target, allow_zero)));
  };
}

ComputeFn make_flatten(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  return [axis](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    ctx.set_output(0, x.reshape(flatten_shape(x.shape(), axis)));
  };
}

ComputeFn make_squeeze(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::optional<std::vector<int64_t>> axes;
    if (ctx.has_input(1)) axes = tensor_to_int64s(ctx.input(1), "Squeeze axes");
    ctx.set_output(0, x.reshape(squeeze_shape(x.shape(), axes)));
  };
}

ComputeFn make_unsqueeze(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    ctx.set_output(0, x.reshape(unsqueeze_shape(x.shape(), tensor_to_int64s(ctx.input(1), "Unsqueeze axes"))));
  };
}

ComputeFn make_identity(const KernelInit&) {
  return [](KernelContext& ctx) { ctx.set_output(0, ctx.input(0)); };
}

ComputeFn make_transpose(const KernelInit& init) {
  std::vector<int64_t> perm = init.attr_ints("perm");
  return [perm](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> p = perm;
    if (p.empty())
      for (int64_t d = x.rank() - 1; d >= 0; --d) p.push_back(d);
    Shape shape = kernels::transpose_output_shape(x.shape(), p);
    kernels::transpose(x, p, ctx.allocate_output(0, shape, x.dtype()));
  };
}

ComputeFn make_concat(const KernelInit& init) {
  if (!init.has_attr("axis")) init.fail_model("attribute 'axis' is required");
  int64_t axis = init.attr_int("axis", 0);
  return [axis](KernelContext& ctx) {
    std::vector<Tensor> inputs;
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      inputs.push_back(ctx.input(i));
      shapes.push_back(inputs.back().shape());
    }
    FLOWONNX_REQUIRE(!inputs.empty(), "Concat: no inputs");
    Shape shape = kernels::concat_output_shape(shapes, axis);
    Tensor& y = ctx.allocate_output(0, shape, inputs[0].dtype());
    if (y.num_elements() > 0) kernels::concat(inputs, axis, y);
  };
}

ComputeFn make_split(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 0);
  return [axis](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    int64_t a = kernels::detail::normalize_axis("Split", axis, x.rank());
    int64_t n = x.shape()[a];
    std::vector<int64_t> sizes;
    if (ctx.has_input(1)) {
      sizes = tensor_to_int64s(ctx.input(1), "Split sizes");
      int64_t total = 0;
      for (int64_t s : sizes) total += s;
      FLOWONNX_REQUIRE(sizes.size() == ctx.num_outputs() && total == n,
                       "Split: sizes {} do not split dim {} ({}) into {} outputs",
                       shape_to_string(sizes), a, n, ctx.num_outputs());
    } else {
      int64_t parts = static_cast<int64_t>(ctx.num_outputs());
      int64_t each = (n + parts - 1) / parts;
      for (int64_t k = 0; k < parts; ++k) sizes.push_back(std::max<int64_t>(0, std::min(each, n - k * each)));
    }
    std::vector<int64_t> starts(x.rank(), 0), steps(x.rank(), 1);
    for (size_t k = 0; k < sizes.size(); ++k) {
      Shape shape = x.shape();
      shape[a] = sizes[k];
      kernels::strided_slice(x, starts, steps, ctx.allocate_output(k, shape, x.dtype()));
      starts[a] += sizes[k];
    }
  };
}

ComputeFn make_expand(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    Shape target = tensor_to_int64s(ctx.input(1), "Expand shape");
    Shape shape = kernels::broadcast_all({x.shape(), target}, "Expand");
    kernels::broadcast_to(x, ctx.allocate_output(0, shape, x.dtype()));
  };
}

ComputeFn make_tile(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> repeats = tensor_to_int64s(ctx.input(1), "Tile repeats");
    FLOWONNX_REQUIRE(static_cast<int64_t>(repeats.size()) == x.rank(),
                     "Tile: {} repeats for {}", repeats.size(), x.describe());
    Shape shape = x.shape();
    for (size_t d = 0; d < shape.size(); ++d) {
      FLOWONNX_REQUIRE(repeats[d] >= 0, "Tile: negative repeat {}", repeats[d]);
      shape[d] *= repeats[d];
    }
    kernels::tile(x, ctx.allocate_output(0, shape, x.dtype()));
  };
}

// Pad-18: `pads` may be given for `axes` (input 3, negative counts from the back) only.
std::vector<int64_t> pads_for_every_dim(const std::vector<int64_t>& pads, const KernelContext& ctx,
                                        int64_t rank) {
  if (!ctx.has_input(3)) {
    FLOWONNX_REQUIRE(static_cast<int64_t>(pads.size()) == 2 * rank,
                     "Pad: input 1 (pads) has {} values for rank {}", pads.size(), rank);
    return pads;
  }
  std::vector<int64_t> axes = tensor_to_int64s(ctx.input(3), "Pad axes");
  FLOWONNX_REQUIRE(pads.size() == 2 * axes.size(), "Pad: input 1 (pads) has {} values for {} axes",
                   pads.size(), axes.size());
  std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = kernels::detail::normalize_axis("Pad", axes[i], rank);
    FLOWONNX_REQUIRE(!seen[a], "Pad: input 3 (axes) repeats axis {}", axes[i]);
    seen[a] = true;
    full[a] = pads[i];
    full[a + rank] = pads[i + axes.size()];
  }
  return full;
}

ComputeFn make_pad(const KernelInit& init) {
  std::string mode_name = init.attr_string("mode", "constant");
  kernels::PadMode mode = kernels::PadMode::Constant;
  if (mode_name == "reflect") mode = kernels::PadMode::Reflect;
  else if (mode_name == "edge") mode = kernels::PadMode::Edge;
  else if (mode_name == "wrap") mode = kernels::PadMode::Wrap;
  else if (mode_name != "constant") init.fail_model("mode must be constant, reflect, edge or wrap");
  return [mode](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    std::vector<int64_t> pads =
        pads_for_every_dim(tensor_to_int64s(ctx.input(1), "Pad pads"), ctx, rank);
    double value = 0;
    if (ctx.has_input(2) && ctx.input(2).num_elements() > 0) value = ctx.input(2).to_double_vector()[0];
    Shape shape = x.shape();
    std::vector<int64_t> begin(pads.begin(), pads.begin() + rank);
    for (int64_t d = 0; d < rank; ++d) {
      shape[d] += pads[d] + pads[d + rank];
      FLOWONNX_REQUIRE(shape[d] >= 0, "Pad: pads {} crop more than {}", shape_to_string(pads), x.describe());
    }
    kernels::pad(x, begin, mode, value, ctx.allocate_output(0, shape, x.dtype()));
  };
}

// CenterCropPad-18: each listed axis is cropped or zero-padded to shape[i] around its centre;
// an odd difference crops or pads its extra element at the end, as the ONNX reference does. One constant Pad with negative begins for the crops.
ComputeFn make_center_crop_pad(const KernelInit& init) {
  std::optional<std::vector<int64_t>> axes_attr;
  if (init.has_attr("axes")) axes_attr = init.attr_ints("axes");
  return [axes_attr](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    std::vector<int64_t> shape = tensor_to_int64s(ctx.input(1), "CenterCropPad shape");
    std::vector<int64_t> axes;
    if (axes_attr) {
      for (int64_t axis : *axes_attr)
        axes.push_back(kernels::detail::normalize_axis("CenterCropPad", axis, rank));
    } else {
      for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    }
    FLOWONNX_REQUIRE(shape.size() == axes.size(),
                     "CenterCropPad: input 1 (shape) has {} values for {} axes of {}", shape.size(),
                     axes.size(), x.describe());
    Shape out = x.shape();
    std::vector<int64_t> begin(static_cast<size_t>(rank), 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = axes[i], in = x.shape()[a];
      FLOWONNX_REQUIRE(shape[i] >= 0, "CenterCropPad: input 1 (shape) has a negative size {}",
                       shape[i]);
      begin[a] = shape[i] >= in ? (shape[i] - in) / 2 : -((in - shape[i]) / 2);
      out[a] = shape[i];
    }
    kernels::pad(x, begin, kernels::PadMode::Constant, 0.0, ctx.allocate_output(0, out, x.dtype()));
  };
}

ComputeFn make_shape(const KernelInit& init) {
  int64_t start = init.attr_int("start", 0);
  std::optional<int64_t> end;
  if (init.has_attr("end")) end = init.attr_int("end", 0);
  return [start, end](KernelContext& ctx) {
    const Shape& shape = ctx.input(0).shape();
    int64_t rank = static_cast<int64_t>(shape.size());
    auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    int64_t b = clamp(start), e = clamp(end.value_or(rank));
    std::vector<int64_t> dims;
    for (int64_t d = b; d < e; ++d) dims.push_back(shape[d]);
    Tensor& y = ctx.allocate_output(0, {static_cast<int64_t>(dims.size())}, DType::Int64);
    std::copy(dims.begin(), dims.end(), y.data<int64_t>());
  };
}

ComputeFn make_size(const KernelInit&) {
  return [](KernelContext& ctx) {
    ctx.allocate_output(0, {}, DType::Int64).data<int64_t>()[0] = ctx.input(0).num_elements();
  };
}

ComputeFn make_constant_of_shape(const KernelInit& init) {
  Tensor value = init.attr_tensor("value");
  if (!value.defined()) value = Tensor::scalar<float>(0.0f);
  if (value.num_elements() != 1) init.fail_model("value must hold one element");
  return [value](KernelContext& ctx) {
    Shape shape = tensor_to_int64s(ctx.input(0), "ConstantOfShape shape");
    Tensor& y = ctx.allocate_output(0, shape, value.dtype());
    const size_t size = dtype_size(value.dtype());
    auto* out = static_cast<uint8_t*>(y.raw_data());
    for (int64_t i = 0; i < y.num_elements(); ++i) std::memcpy(out + i * size, value.raw_data(), size);
  };
}

// Float -> integer follows ONNX Runtime on x86-64 (integer_math::float_to_integer: NaN to int32
// is INT_MIN, -1.5 to uint8 is 255) rather than Tensor::to's saturation, so a model casts as it
// does in ORT; every other pair converts as Tensor::to.
void cast_into(const Tensor& x, Tensor& y) {
  if (x.dtype() == y.dtype()) {
    std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
    return;
  }
  if (!is_floating(x.dtype()) || !is_integer(y.dtype())) return y.copy_from(x);
  const Tensor source = x.dtype() == DType::Float16 ? x.to(DType::Float32) : x;
  visit_dtype(source.dtype(), [&](auto in_zero) {
    using In = decltype(in_zero);
    visit_dtype(y.dtype(), [&](auto out_zero) {
      using Out = decltype(out_zero);
      if constexpr (std::is_floating_point_v<In> && std::is_integral_v<Out> && !std::is_same_v<Out, bool>) {
        const In* in = source.data<In>();
        Out* out = y.data<Out>();
        for (int64_t i = 0; i < source.num_elements(); ++i)
          out[i] = integer_math::float_to_integer<Out>(in[i]);
      }
    });
  });
}

ComputeFn make_cast(const KernelInit& init) {
  if (!init.has_attr("to")) init.fail_model("attribute 'to' is required");
  DType to = onnx_io::dtype_from_onnx(static_cast<int>(init.attr_int("to", 0)));
  return [to](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    cast_into(x, ctx.allocate_output(0, x.shape(), to));
  };
}

// BitCast (opset 26): the same bytes read as another type of the same width. A bool target is
// refused: bytes other than 0 and 1 are not bools.
ComputeFn make_bitcast(const KernelInit& init) {
  if (!init.has_attr("to")) init.fail_model("attribute 'to' is required");
  DType to = onnx_io::dtype_from_onnx(static_cast<int>(init.attr_int("to", 0)));
  if (to == DType::Bool) init.fail_model("BitCast to bool is not supported");
  return [to](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(dtype_size(x.dtype()) == dtype_size(to),
                     "BitCast: {} and {} differ in width ({} and {} bytes)", x.describe(),
                     dtype_name(to), dtype_size(x.dtype()), dtype_size(to));
    Tensor& y = ctx.allocate_output(0, x.shape(), to);
    std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
  };
}

ComputeFn make_cast_like(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    cast_into(x, ctx.allocate_output(0, x.shape(), ctx.input(1).dtype()));
  };
}

ComputeFn make_range(const KernelInit&) {
  return [](KernelContext& ctx) {
    const Tensor& start = ctx.input(0);
    DType dtype = start.dtype();
    for (size_t i = 0; i < 3; ++i)
      FLOWONNX_REQUIRE(ctx.input(i).num_elements() == 1,
                       "Range: start, limit and delta must be scalars, input {} is {}", i,
                       ctx.input(i).describe());
    double s = start.to_double_vector()[0];
    double limit = ctx.input(1).to_double_vector()[0];
    double delta = ctx.input(2).to_double_vector()[0];
    FLOWONNX_REQUIRE(delta != 0, "Range: delta must not be 0");
    double steps = std::ceil((limit - s) / delta);
    FLOWONNX_REQUIRE(steps < static_cast<double>(kMaxElements), "Range: {} elements is too many", steps);
    int64_t n = std::max<int64_t>(0, static_cast<int64_t>(steps));
    Tensor& y = ctx.allocate_output(0, {n}, dtype);
    visit_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, bool>) {
        fail(ErrorCode::InvalidArgument, "Range: dtype {} is not supported", dtype_name(dtype));
      } else {
        T* out = y.data<T>();
        T value = start.data<T>()[0];
        if constexpr (std::is_integral_v<T>) {
          T step = integer_math::float_to_integer<T>(delta);
          for (int64_t i = 0; i < n; ++i, value = integer_math::add(value, step)) out[i] = value;
        } else {
          T step = static_cast<T>(delta);
          for (int64_t i = 0; i < n; ++i, value = T(value + step)) out[i] = value;
        }
      }
    });
  };
}

ComputeFn make_eye_like(const KernelInit& init) {
  int64_t k = init.attr_int("k", 0);
  std::optional<DType> dtype;
  if (init.has_attr("dtype")) dtype = onnx_io::dtype_from_onnx(static_cast<int>(init.attr_int("dtype", 1)));
  return [k, dtype](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() == 2, "EyeLike: input must be 2-d, got {}", x.describe());
    int64_t rows = x.shape()[0], cols = x.shape()[1];
    Tensor eye = Tensor::zeros(x.shape(), DType::Float64);
    double* data = eye.data<double>();
    for (int64_t r = 0; r < rows; ++r)
      if (r + k >= 0 && r + k < cols) data[r * cols + r + k] = 1.0;
    cast_into(eye, ctx.allocate_output(0, x.shape(), dtype.value_or(x.dtype())));
  };
}

// DepthToSpace (DCR / CRD) and SpaceToDepth as 6-d transposes.
template <bool ToSpace>
ComputeFn make_depth_space(const KernelInit& init) {
  int64_t block = init.attr_int("blocksize", 0);
  if (block < 1) init.fail_model("blocksize must be positive");
  bool crd = init.attr_string("mode", "DCR") == "CRD";
  return [block, crd](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() == 4, "depth/space: input must be 4-d, got {}", x.describe());
    int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    Tensor view;
    std::vector<int64_t> perm;
    Shape out;
    if (ToSpace) {
      FLOWONNX_REQUIRE(c % (block * block) == 0, "DepthToSpace: channels {} not divisible by {}", c, block * block);
      int64_t oc = c / (block * block);
      if (crd) {
        view = x.reshape({n, oc, block, block, h, w});
        perm = {0, 1, 4, 2, 5, 3};
      } else {
        view = x.reshape({n, block, block, oc, h, w});
        perm = {0, 3, 4, 1, 5, 2};
      }
      out = {n, oc, h * block, w * block};
    } else {
      FLOWONNX_REQUIRE(h % block == 0 && w % block == 0, "SpaceToDepth: {} not divisible by {}", x.describe(), block);
      view = x.reshape({n, c, h / block, block, w / block, block});
      perm = {0, 3, 5, 1, 2, 4};
      out = {n, c * block * block, h / block, w / block};
    }
    Tensor moved(kernels::transpose_output_shape(view.shape(), perm), x.dtype());
    kernels::transpose(view, perm, moved);
    ctx.set_output(0, moved.reshape(out));
  };
}

ComputeFn make_trilu(const KernelInit& init) {
  bool upper = init.attr_int("upper", 1) != 0;
  return [upper](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.rank() >= 2, "Trilu: input must have rank >= 2, got {}", x.describe());
    if (ctx.has_input(1))
      FLOWONNX_REQUIRE(ctx.input(1).num_elements() == 1, "Trilu: k must be a scalar, got {}",
                       ctx.input(1).describe());
    int64_t k = ctx.has_input(1) ? tensor_to_int64s(ctx.input(1), "Trilu k")[0] : 0;
    Tensor& y = ctx.allocate_output(0, x.shape(), x.dtype());
    int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
    size_t esize = dtype_size(x.dtype());
    const auto* in = static_cast<const uint8_t*>(x.raw_data());
    auto* out = static_cast<uint8_t*>(y.raw_data());
    int64_t mats = rows * cols == 0 ? 0 : x.num_elements() / (rows * cols);
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          int64_t at = (m * rows + r) * cols + c;
          bool keep = upper ? (c - r >= k) : (c - r <= k);
          if (keep) std::memcpy(out + at * esize, in + at * esize, esize);
          else std::memset(out + at * esize, 0, esize);
        }
  };
}

// Type rules of the ops whose output dtype comes from an attribute or another input.

// The dtype an ONNX type-enum attribute names; nullopt when absent or not supported (the kernel
// factory reports that).
std::optional<DType> dtype_attr(const ir::Node& node, const char* name) {
  if (!node.attrs.has(name)) return std::nullopt;
  try {
    return onnx_io::dtype_from_onnx(static_cast<int>(node.attrs.get_int(name)));
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<ir::ValueType> with_shape_of_input0(const TypeContext& ctx, std::optional<DType> dtype) {
  if (ctx.output() != 0 || !dtype) return std::nullopt;
  return ir::ValueType{*dtype, ctx.input(0) ? ctx.input(0)->shape : std::nullopt};
}

std::optional<ir::ValueType> cast_type(const TypeContext& ctx) {
  return with_shape_of_input0(ctx, dtype_attr(ctx.node(), "to"));
}

std::optional<ir::ValueType> cast_like_type(const TypeContext& ctx) {
  return with_shape_of_input0(ctx, ctx.input(1) ? std::optional(ctx.input(1)->dtype) : std::nullopt);
}

std::optional<ir::ValueType> eye_like_type(const TypeContext& ctx) {
  std::optional<DType> dtype = dtype_attr(ctx.node(), "dtype");
  if (!ctx.node().attrs.has("dtype") && ctx.input(0)) dtype = ctx.input(0)->dtype;
  return with_shape_of_input0(ctx, dtype);
}

std::optional<ir::ValueType> constant_of_shape_type(const TypeContext& ctx) {
  if (ctx.output() != 0) return std::nullopt;
  DType dtype = DType::Float32;
  if (ctx.node().attrs.has("value")) {
    try {
      dtype = ctx.node().attrs.get_tensor("value").dtype();
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  return ir::ValueType{dtype, std::nullopt};
}

}  // namespace

void register_tensor_kernels(KernelRegistry& r) {
  r.add("", "Reshape", make_reshape, rules::data_movement());
  r.add("", "Flatten", make_flatten, rules::data_movement());
  r.add("", "Squeeze", make_squeeze);
  r.add("", "Unsqueeze", make_unsqueeze);
  r.add("", "Identity", make_identity, rules::same_as_input());
  r.add("", "Transpose", make_transpose, rules::data_movement());
  r.add("", "Concat", make_concat, rules::data_movement());
  r.add("", "Split", make_split, rules::data_movement());
  r.add("", "Expand", make_expand);
  r.add("", "Tile", make_tile);
  r.add("", "Pad", make_pad, rules::data_movement());
  r.add("", "CenterCropPad", make_center_crop_pad);
  r.add("", "Shape", make_shape, rules::dtype_only(DType::Int64));
  r.add("", "Size", make_size, rules::dtype_only(DType::Int64));
  r.add("", "ConstantOfShape", make_constant_of_shape, constant_of_shape_type);
  r.add("", "Cast", make_cast, cast_type);
  r.add("", "CastLike", make_cast_like, cast_like_type);
  r.add("", "BitCast", make_bitcast, cast_type);
  r.add("", "Range", make_range);
  r.add("", "EyeLike", make_eye_like, eye_like_type);
  r.add("", "DepthToSpace", make_depth_space<true>);
  r.add("", "SpaceToDepth", make_depth_space<false>);
  r.add("", "Trilu", make_trilu);
}

}  // namespace flowonnx::runtime::cpu
