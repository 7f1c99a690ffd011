// cumsum(in, dim): running sums along one dim (OneFlow's cumsum user op), shape and dtype of the
// input. Models use it to derive positions from the actual input, e.g. BERT's position ids
// cumsum(ones_like(ids), 1) - 1, so a traced graph stays valid for any sequence length.
#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::flow {
namespace {

int64_t cumsum_dim(const ir::Attributes& attrs, size_t rank) {
  return kernels::detail::normalize_axis("cumsum", attrs.get_int("dim"), static_cast<int64_t>(rank));
}

OpSchema cumsum_schema() {
  OpSchema schema;
  schema.name = "cumsum";
  schema.inputs = {"in"};
  schema.outputs = {"out"};
  schema.defaults = {{"dim", int64_t{0}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    FLOWONNX_REQUIRE(in[0].dtype != DType::Bool && in[0].dtype != DType::Float16,
                     "cumsum: input 'in' must be a number type other than float16, got {}", dtype_name(in[0].dtype));
    FLOWONNX_REQUIRE(!in[0].shape.empty(), "cumsum: input 'in' must have rank >= 1");
    cumsum_dim(attrs, in[0].shape.size());
    return same_as_first(in, attrs);
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    const Tensor& x = in[0];
    int64_t dim = cumsum_dim(attrs, x.shape().size());
    int64_t outer = 1, inner = 1, length = x.dim(dim);
    for (int64_t d = 0; d < dim; ++d) outer *= x.dim(d);
    for (int64_t d = dim + 1; d < x.rank(); ++d) inner *= x.dim(d);
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, bool>) {
        fail(ErrorCode::Internal, "cumsum: {} passed infer", x.describe());
      } else {
        const T* source = x.data<T>();
        T* target = out[0].data<T>();
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            T sum = T(0);
            for (int64_t k = 0; k < length; ++k) {
              int64_t at = (o * length + k) * inner + i;
              sum = T(sum + source[at]);
              target[at] = sum;
            }
          }
      }
    });
  };
  return schema;
}

}  // namespace

void register_cumsum_ops(OpRegistry& registry) { registry.add(cumsum_schema()); }

}  // namespace flowonnx::flow
