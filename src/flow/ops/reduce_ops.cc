// Framework ops of the reduce family: reduce_{sum,mean,min,max,prod}(axis, keepdims), argmax /
// argmin (OneFlow's ops reduce the last axis and drop it), and var (dim, unbiased, keepdim).
#include <fmt/ranges.h>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/pointwise.h"
#include "kernels/cpu/reduce.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

// Marks the reduced dims of `shape`; an empty list reduces every dim. Throws naming the op for
// an axis out of range or repeated.
std::vector<bool> reduced_dims(const char* op, const Shape& shape, const Ints& axes) {
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> reduce(shape.size(), axes.empty());
  for (int64_t axis : axes) {
    FLOWONNX_REQUIRE(axis >= -rank && axis < rank, "{}: axis {} out of range for {}", op, axis,
                     shape_to_string(shape));
    int64_t normal = axis < 0 ? axis + rank : axis;
    FLOWONNX_REQUIRE(!reduce[normal], "{}: axis {} repeated in [{}]", op, axis, fmt::join(axes, ","));
    reduce[normal] = true;
  }
  return reduce;
}

OpSchema reduce_schema(const char* name, kernels::ReduceOp op) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"input_tensor"};
  schema.outputs = {"output_tensor"};
  schema.defaults = {{"axis", Ints{}}, {"keepdims", int64_t{0}}};
  schema.infer = [name](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    FLOWONNX_REQUIRE(in[0].dtype != DType::Bool && in[0].dtype != DType::Float16,
                     "{}: input must be numeric float32/64 or integer, got {}", name, dtype_name(in[0].dtype));
    std::vector<bool> dims = reduced_dims(name, in[0].shape, attrs.get_ints("axis"));
    return std::vector<TensorMeta>{
        {in[0].dtype, kernels::reduced_shape(in[0].shape, dims, attrs.get_bool("keepdims"))}};
  };
  schema.compute = [name, op](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::reduce(op, in[0], reduced_dims(name, in[0].shape(), attrs.get_ints("axis")), out[0]);
  };
  return schema;
}

OpSchema arg_reduce_schema(const char* name, bool max) {
  OpSchema schema;
  schema.name = name;
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.infer = [name](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    FLOWONNX_REQUIRE(!in[0].shape.empty() && in[0].shape.back() > 0,
                     "{}: input needs a non-empty last axis, got {}", name, shape_to_string(in[0].shape));
    Shape out(in[0].shape.begin(), in[0].shape.end() - 1);
    return std::vector<TensorMeta>{{DType::Int64, out}};
  };
  schema.compute = [max](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    kernels::arg_reduce(max, in[0], -1, false, out[0]);
  };
  return schema;
}

// var(input) over `dim` (empty = all dims): mean of squared deviations, divided by n - 1 when
// unbiased.
OpSchema var_schema() {
  OpSchema schema;
  schema.name = "var";
  schema.inputs = {"input"};
  schema.outputs = {"output"};
  schema.defaults = {{"dim", Ints{}}, {"unbiased", int64_t{1}}, {"keepdim", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    require_float32("var", "input", in[0]);
    std::vector<bool> dims = reduced_dims("var", in[0].shape, attrs.get_ints("dim"));
    return std::vector<TensorMeta>{
        {in[0].dtype, kernels::reduced_shape(in[0].shape, dims, attrs.get_bool("keepdim"))}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    std::vector<bool> dims = reduced_dims("var", in[0].shape(), attrs.get_ints("dim"));
    Tensor mean(kernels::reduced_shape(in[0].shape(), dims, true), in[0].dtype());
    kernels::reduce(kernels::ReduceOp::Mean, in[0], dims, mean);
    Tensor squared(in[0].shape(), in[0].dtype());
    kernels::pointwise("var", {in[0], mean}, squared, [](const double* v) { return (v[0] - v[1]) * (v[0] - v[1]); });
    int64_t count = in[0].num_elements() / std::max<int64_t>(1, mean.num_elements());
    Tensor sum(out[0].shape(), in[0].dtype());
    kernels::reduce(kernels::ReduceOp::Sum, squared, dims, sum);
    double divisor = static_cast<double>(count - (attrs.get_bool("unbiased") ? 1 : 0));
    kernels::pointwise("var", {sum}, out[0], [divisor](const double* v) { return v[0] / divisor; });
  };
  return schema;
}

}  // namespace

void register_reduce_ops(OpRegistry& registry) {
  registry.add(reduce_schema("reduce_sum", kernels::ReduceOp::Sum));
  registry.add(reduce_schema("reduce_mean", kernels::ReduceOp::Mean));
  registry.add(reduce_schema("reduce_min", kernels::ReduceOp::Min));
  registry.add(reduce_schema("reduce_max", kernels::ReduceOp::Max));
  registry.add(reduce_schema("reduce_prod", kernels::ReduceOp::Prod));
  registry.add(arg_reduce_schema("argmax", true));
  registry.add(arg_reduce_schema("argmin", false));
  registry.add(var_schema());
}

}  // namespace flowonnx::flow
