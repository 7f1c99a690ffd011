// Framework ops of the array family: identity, flatten, reshape, transpose, concat.
#include <cstring>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/layout.h"

namespace flowonnx::flow {
namespace {

using Ints = std::vector<int64_t>;

// Shape-only ops copy the bytes: outputs never alias inputs, so an op's output can be
// overwritten without touching its input (the runtime's buffer reuse relies on the same rule).
void copy_bytes(const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
  std::memcpy(out[0].raw_data(), in[0].raw_data(), in[0].nbytes());
}

// identity(in) -> out: names a value again (graph outputs that are inputs or parameters).
OpSchema identity_schema() {
  OpSchema schema;
  schema.name = "identity";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
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

}  // namespace

void register_array_ops(OpRegistry& registry) {
  registry.add(identity_schema());
  registry.add(flatten_schema());
  registry.add(reshape_schema());
  registry.add(transpose_schema());
  registry.add(concat_schema());
}

}  // namespace flowonnx::flow
