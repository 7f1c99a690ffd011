#include "verify/random_inputs.h"

#include <cmath>

namespace flowonnx {

Tensor random_tensor(DType dtype, const Shape& shape, const RandomInputOptions& options,
                     Generator& gen) {
  if (is_floating(dtype)) {
    FLOWONNX_REQUIRE(options.low < options.high, "random inputs: empty float range [{}, {})",
                     options.low, options.high);
    return rand_uniform(shape, options.low, options.high, gen, DType::Float32).to(dtype);
  }
  Tensor values(shape, DType::Int64);
  int64_t* out = values.data<int64_t>();
  const int64_t count = values.num_elements();
  if (dtype == DType::Bool) {
    for (int64_t i = 0; i < count; ++i) out[i] = gen.uniform() < 0.5 ? 0 : 1;
  } else {
    FLOWONNX_REQUIRE(options.int_low < options.int_high,
                     "random inputs: empty integer range [{}, {})", options.int_low,
                     options.int_high);
    const double span = static_cast<double>(options.int_high - options.int_low);
    for (int64_t i = 0; i < count; ++i)
      out[i] = options.int_low + static_cast<int64_t>(std::floor(gen.uniform() * span));
  }
  return values.to(dtype);
}

std::vector<Tensor> random_inputs(const ir::Graph& graph, const RandomInputOptions& options,
                                  int64_t batch) {
  // Distinct, reproducible streams per batch size: the check at batch 3 does not reuse the
  // numbers of batch 1 shifted by one row.
  Generator gen(options.seed * 1000003ULL + static_cast<uint64_t>(std::max<int64_t>(batch, 0)));
  std::vector<Tensor> tensors;
  for (const std::string& name : graph.inputs) {
    const ir::ValueType& type = graph.type(name);
    Shape shape = type.static_shape();
    if (batch > 0) {
      FLOWONNX_REQUIRE(!shape.empty(), "random inputs: input {} is a scalar, it has no batch dim",
                       name);
      shape[0] = batch;
    }
    tensors.push_back(random_tensor(type.dtype, shape, options, gen));
  }
  return tensors;
}

std::vector<Tensor> random_inputs(const ir::Graph& graph, const RandomInputOptions& options,
                                  const std::vector<Shape>& shapes) {
  FLOWONNX_REQUIRE(shapes.size() == graph.inputs.size(), "random inputs: {} shapes for {} inputs",
                   shapes.size(), graph.inputs.size());
  uint64_t stream = options.seed * 1000003ULL;
  for (const Shape& shape : shapes)
    for (int64_t dim : shape) stream = stream * 31 + static_cast<uint64_t>(dim);
  Generator gen(stream);
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < shapes.size(); ++i)
    tensors.push_back(random_tensor(graph.type(graph.inputs[i]).dtype, shapes[i], options, gen));
  return tensors;
}

}  // namespace flowonnx
