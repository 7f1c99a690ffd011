// The one definition of a framework op (domain "flow", OneFlow user-op names): its inputs,
// outputs, attributes with defaults, shape/dtype inference and eager compute. The tracer, the
// exporter and the op listing all find ops here by name.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "tensor/tensor.h"

namespace flowonnx::flow {

struct TensorMeta {
  DType dtype;
  Shape shape;
};

using InferFn = std::function<std::vector<TensorMeta>(const std::vector<TensorMeta>& inputs,
                                                      const ir::Attributes& attrs)>;
// Fills `outputs`, which call_op has allocated with the inferred metas.
using ComputeFn = std::function<void(const std::vector<Tensor>& inputs, const ir::Attributes& attrs,
                                     std::vector<Tensor>& outputs)>;

struct OpSchema {
  std::string name;                 // OneFlow user-op name, e.g. "conv2d"
  std::vector<std::string> inputs;  // OneFlow arg names, e.g. {"in", "weight"}
  std::vector<std::string> outputs;
  // When true the single declared input takes one or more tensors (add_n, concat).
  bool variadic_input = false;
  ir::Attributes defaults;  // every attribute the op accepts, with its default
  // Validates the inputs (throws InvalidArgument naming the op and shapes) and returns the
  // output metas. Runs before compute, and alone when only shapes are wanted.
  InferFn infer;
  ComputeFn compute;
};

}  // namespace flowonnx::flow
