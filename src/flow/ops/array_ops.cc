// Framework ops of the array family: identity and its single-device aliases (amp_*_identity,
// distribute_*), flatten, reshape, squeeze, expand_dims, expand, transpose, concat, slice,
// narrow, gather, gather_nd, cast, constant, where.
#include <algorithm>
#include <cstring>

#include <fmt/ranges.h>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "flow/ops/scalar_attrs.h"
#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/data_movement.h"
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/layout.h"
#include "kernels/cpu/pointwise.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

// Shape-only ops copy the bytes: outputs never alias inputs, so an op's output can be
// overwritten without touching its input (the runtime's buffer reuse relies on the same rule).
void copy_bytes(const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
  std::memcpy(out[0].raw_data(), in[0].raw_data(), in[0].nbytes());
}

// identity(in) -> out: names a value again (graph outputs that are inputs or parameters). The
// AMP markers and the distribute_* ops are identities too on a single device: there is one
// split, one clone, and nothing to concatenate or add across devices.
OpSchema identity_schema(const char* name = "identity", ir::Attributes defaults = {}) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = std::move(defaults);
  schema.infer = same_as_first;
  schema.compute = copy_bytes;
  return schema;
}

OpSchema flatten_schema() {
  OpSchema schema;
  schema.name = "flatten";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"start_dim", int64_t{0}}, {"end_dim", int64_t{-1}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    return std::vector<TensorMeta>{
        {in[0].dtype, kernels::flatten_output_shape(in[0].shape, attrs.get_int("start_dim"), attrs.get_int("end_dim"))}};
  };
  schema.compute = copy_bytes;
  return schema;
}

// reshape's `shape` may hold one -1 (inferred), as OneFlow's.
OpSchema reshape_schema() {
  OpSchema schema;
  schema.name = "reshape";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"shape", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    Shape target = resolve_reshape(in[0].shape, attrs.get_ints("shape"));
    return std::vector<TensorMeta>{{in[0].dtype, target}};
  };
  schema.compute = copy_bytes;
  return schema;
}

OpSchema transpose_schema() {
  OpSchema schema;
  schema.name = "transpose";
  schema.inputs = {"input"};
  schema.outputs = {"output"};
  schema.defaults = {{"perm", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    return std::vector<TensorMeta>{{in[0].dtype, kernels::transpose_output_shape(in[0].shape, attrs.get_ints("perm"))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::transpose(in[0], attrs.get_ints("perm"), out[0]);
  };
  return schema;
}

OpSchema concat_schema() {
  OpSchema schema;
  schema.name = "concat";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.variadic_input = true;
  schema.defaults = {{"axis", int64_t{0}}, {"max_dim_size", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    std::vector<Shape> shapes;
    for (size_t i = 0; i < in.size(); ++i) {
      FLOWONNX_REQUIRE(in[i].dtype == in[0].dtype, "concat: input {} is {} but input 0 is {}", i,
                       dtype_name(in[i].dtype), dtype_name(in[0].dtype));
      shapes.push_back(in[i].shape);
    }
    return std::vector<TensorMeta>{{in[0].dtype, kernels::concat_output_shape(shapes, attrs.get_int("axis"))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::concat(in, attrs.get_int("axis"), out[0]);
  };
  return schema;
}


using kernels::detail::normalize_axis;

// squeeze(in, axes): drops the listed dims, each of which must be 1.
OpSchema squeeze_schema() {
  OpSchema schema;
  schema.name = "squeeze";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"axes", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    int64_t rank = static_cast<int64_t>(in[0].shape.size());
    std::vector<bool> drop(rank, false);
    for (int64_t axis : attrs.get_ints("axes")) {
      int64_t d = normalize_axis("squeeze", axis, rank);
      FLOWONNX_REQUIRE(in[0].shape[d] == 1, "squeeze: dim {} of {} is not 1", axis, shape_to_string(in[0].shape));
      drop[d] = true;
    }
    Shape out;
    for (int64_t d = 0; d < rank; ++d)
      if (!drop[d]) out.push_back(in[0].shape[d]);
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = copy_bytes;
  return schema;
}

// expand_dims(in, axis): inserts a 1 at `axis` of the output (negative counts from its end).
OpSchema expand_dims_schema() {
  OpSchema schema;
  schema.name = "expand_dims";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"axis", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    Shape out = in[0].shape;
    int64_t axis = normalize_axis("expand_dims", attrs.get_int("axis"), static_cast<int64_t>(out.size()) + 1);
    out.insert(out.begin() + axis, 1);
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = copy_bytes;
  return schema;
}

// expand(in, expand_shape): numpy broadcast to expand_shape; -1 keeps the input's dim.
Shape expand_target(const Shape& in, const Ints& target) {
  FLOWONNX_REQUIRE(target.size() >= in.size(), "expand: cannot expand {} to fewer dims [{}]",
                   shape_to_string(in), fmt::join(target, ","));
  Shape out(target.begin(), target.end());
  size_t lead = target.size() - in.size();
  for (size_t d = 0; d < out.size(); ++d) {
    int64_t from = d < lead ? 1 : in[d - lead];
    if (out[d] == -1 && d >= lead) out[d] = from;
    FLOWONNX_REQUIRE(out[d] >= 0 && (from == out[d] || from == 1), "expand: cannot expand {} to [{}]",
                     shape_to_string(in), fmt::join(target, ","));
  }
  return out;
}

OpSchema expand_schema() {
  OpSchema schema;
  schema.name = "expand";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"expand_shape", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    return std::vector<TensorMeta>{{in[0].dtype, expand_target(in[0].shape, attrs.get_ints("expand_shape"))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::broadcast_to(in[0], out[0]);
  };
  return schema;
}

// Python slice bounds of one dim (positive step): start/stop clamped into [0, dim].
struct SliceDim {
  int64_t start, size;
};
SliceDim slice_dim(int64_t dim, int64_t start, int64_t stop, int64_t step) {
  auto clamp = [dim](int64_t v) { return std::clamp(v < 0 ? v + dim : v, int64_t{0}, dim); };
  int64_t begin = clamp(start), end = clamp(stop);
  return {begin, end > begin ? (end - begin + step - 1) / step : 0};
}

// slice(x, start, stop, step): one python slice per dim, positive steps (OneFlow's slice op).
OpSchema slice_schema() {
  OpSchema schema;
  schema.name = "slice";
  schema.inputs = {"x"};
  schema.outputs = {"y"};
  schema.defaults = {{"start", Ints{}}, {"stop", Ints{}}, {"step", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const Ints &start = attrs.get_ints("start"), &stop = attrs.get_ints("stop"), &step = attrs.get_ints("step");
    size_t rank = in[0].shape.size();
    FLOWONNX_REQUIRE(start.size() == rank && stop.size() == rank && step.size() == rank,
                     "slice: start/stop/step need {} values each for {}", rank, shape_to_string(in[0].shape));
    Shape out(rank);
    for (size_t d = 0; d < rank; ++d) {
      FLOWONNX_REQUIRE(step[d] > 0, "slice: step {} of dim {} must be positive", step[d], d);
      out[d] = slice_dim(in[0].shape[d], start[d], stop[d], step[d]).size;
    }
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    const Ints &start = attrs.get_ints("start"), &stop = attrs.get_ints("stop"), &step = attrs.get_ints("step");
    Ints begins;
    for (int d = 0; d < in[0].rank(); ++d) begins.push_back(slice_dim(in[0].dim(d), start[d], stop[d], step[d]).start);
    kernels::strided_slice(in[0], begins, step, out[0]);
  };
  return schema;
}

// narrow(in, dim, start, length): in[..., start:start+length, ...] along dim.
OpSchema narrow_schema() {
  OpSchema schema;
  schema.name = "narrow";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"dim", int64_t{0}}, {"start", int64_t{0}}, {"length", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    Shape out = in[0].shape;
    int64_t dim = normalize_axis("narrow", attrs.get_int("dim"), static_cast<int64_t>(out.size()));
    int64_t start = attrs.get_int("start"), length = attrs.get_int("length");
    FLOWONNX_REQUIRE(start >= 0 && length >= 0 && start + length <= out[dim],
                     "narrow: [{}, {}) is outside dim {} of {}", start, start + length, dim, shape_to_string(out));
    out[dim] = length;
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    Ints begins(in[0].rank(), 0), steps(in[0].rank(), 1);
    begins[normalize_axis("narrow", attrs.get_int("dim"), in[0].rank())] = attrs.get_int("start");
    kernels::strided_slice(in[0], begins, steps, out[0]);
  };
  return schema;
}

void require_index_dtype(const char* op, const TensorMeta& meta) {
  FLOWONNX_REQUIRE(meta.dtype == DType::Int32 || meta.dtype == DType::Int64,
                   "{}: indices must be int32 or int64, got {}", op, dtype_name(meta.dtype));
}

// gather(in, indices, axis): in[:axis] + indices.shape + in[axis+1:]; indices in [0, dim).
OpSchema gather_schema() {
  OpSchema schema;
  schema.name = "gather";
  schema.inputs = {"in", "indices"};
  schema.outputs = {"out"};
  schema.defaults = {{"axis", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_index_dtype("gather", in[1]);
    const Shape& x = in[0].shape;
    int64_t axis = normalize_axis("gather", attrs.get_int("axis"), static_cast<int64_t>(x.size()));
    Shape out(x.begin(), x.begin() + axis);
    out.insert(out.end(), in[1].shape.begin(), in[1].shape.end());
    out.insert(out.end(), x.begin() + axis + 1, x.end());
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    int64_t axis = normalize_axis("gather", attrs.get_int("axis"), in[0].rank());
    Ints indices;
    for (double v : in[1].to_double_vector()) {
      FLOWONNX_REQUIRE(v >= 0 && v < in[0].dim(static_cast<int>(axis)), "gather: index {} out of range [0, {})",
                       static_cast<int64_t>(v), in[0].dim(static_cast<int>(axis)));
      indices.push_back(static_cast<int64_t>(v));
    }
    kernels::gather(in[0], axis, indices, out[0]);
  };
  return schema;
}

// gather_nd(params, indices [..., k]) -> indices[:-1] + params[k:]: each index row picks a
// slice of params by its first k coordinates.
OpSchema gather_nd_schema() {
  OpSchema schema;
  schema.name = "gather_nd";
  schema.inputs = {"params", "indices"};
  schema.outputs = {"out"};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    require_index_dtype("gather_nd", in[1]);
    const Shape &params = in[0].shape, &indices = in[1].shape;
    FLOWONNX_REQUIRE(!indices.empty() && indices.back() >= 1 && indices.back() <= static_cast<int64_t>(params.size()),
                     "gather_nd: indices {} must end in 1..{} for params {}", shape_to_string(indices),
                     params.size(), shape_to_string(params));
    Shape out(indices.begin(), indices.end() - 1);
    out.insert(out.end(), params.begin() + indices.back(), params.end());
    return std::vector<TensorMeta>{{in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    const Shape& params = in[0].shape();
    int64_t k = in[1].dim(-1), rows = in[1].num_elements() / k;
    std::vector<int64_t> strides = contiguous_strides(params);
    size_t slice_bytes = static_cast<size_t>(k < static_cast<int64_t>(params.size()) ? strides[k - 1] : 1) *
                         dtype_size(in[0].dtype());
    std::vector<double> indices = in[1].to_double_vector();
    const char* source = static_cast<const char*>(in[0].raw_data());
    char* target = static_cast<char*>(out[0].raw_data());
    for (int64_t row = 0; row < rows; ++row) {
      int64_t offset = 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t index = static_cast<int64_t>(indices[row * k + j]);
        FLOWONNX_REQUIRE(index >= 0 && index < params[j], "gather_nd: index {} out of range [0, {}) of dim {}",
                         index, params[j], j);
        offset += index * strides[j];
      }
      std::memcpy(target + row * slice_bytes, source + offset * dtype_size(in[0].dtype()), slice_bytes);
    }
  };
  return schema;
}

// cast(in, dtype): element conversion (float -> int truncates, nonzero -> true).
OpSchema cast_schema() {
  OpSchema schema;
  schema.name = "cast";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"dtype", std::string("float32")}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    return std::vector<TensorMeta>{{dtype_from_name(attrs.get_string("dtype")), in[0].shape}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    out[0].copy_from(in[0]);
  };
  return schema;
}

// constant() -> out: a `shape` tensor of `dtype` filled with one value.
OpSchema constant_schema() {
  OpSchema schema;
  schema.name = "constant";
  schema.outputs = {"out"};
  schema.defaults = {{"floating_value", 0.0}, {"integral_value", int64_t{0}}, {"is_floating_value", int64_t{1}},
                     {"dtype", std::string("float32")}, {"shape", Ints{}}};
  schema.infer = [](const std::vector<TensorMeta>&, const ir::Attributes& attrs) {
    Shape shape(attrs.get_ints("shape"));
    num_elements(shape);  // validates: no negative or absurd dims
    return std::vector<TensorMeta>{{dtype_from_name(attrs.get_string("dtype")), shape}};
  };
  schema.compute = [](const std::vector<Tensor>&, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    out[0].copy_from(Tensor::full(out[0].shape(), fill_value(attrs), DType::Float64));
  };
  return schema;
}

// where(condition, x, y): x where condition is nonzero, else y, with numpy broadcasting.
OpSchema where_schema() {
  OpSchema schema;
  schema.name = "where";
  schema.inputs = {"condition", "x", "y"};
  schema.outputs = {"out"};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    FLOWONNX_REQUIRE(in[1].dtype == in[2].dtype, "where: x is {} but y is {}", dtype_name(in[1].dtype),
                     dtype_name(in[2].dtype));
    return std::vector<TensorMeta>{
        {in[1].dtype, kernels::broadcast_all({in[0].shape, in[1].shape, in[2].shape}, "where")}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::pointwise("where", in, out[0], [](const double* v) { return v[0] != 0 ? v[1] : v[2]; });
  };
  return schema;
}

}  // namespace

void register_array_ops(OpRegistry& registry) {
  registry.add(identity_schema());
  registry.add(flatten_schema());
  registry.add(reshape_schema());
  registry.add(transpose_schema());
  registry.add(concat_schema());
  registry.add(identity_schema("amp_white_identity"));
  registry.add(identity_schema("amp_black_identity"));
  registry.add(identity_schema("distribute_split", {{"axis", int64_t{0}}}));
  registry.add(identity_schema("distribute_concat", {{"axis", int64_t{0}}}));
  registry.add(identity_schema("distribute_clone"));
  registry.add(identity_schema("distribute_add"));
  registry.add(squeeze_schema());
  registry.add(expand_dims_schema());
  registry.add(expand_schema());
  registry.add(slice_schema());
  registry.add(narrow_schema());
  registry.add(gather_schema());
  registry.add(gather_nd_schema());
  registry.add(cast_schema());
  registry.add(constant_schema());
  registry.add(where_schema());
}

}  // namespace flowonnx::flow
