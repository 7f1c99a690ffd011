// Seeded random inputs for a numerical check: one tensor per graph input, floats drawn from
// U(low, high), integers from [int_low, int_high), bools fair coin flips. The same options and
// seed give the same tensors on every platform (our own generator, see tensor/random.h).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "tensor/random.h"

namespace flowonnx {

struct RandomInputOptions {
  uint64_t seed = 0;
  double low = -1.0, high = 1.0;       // floating inputs: U(low, high)
  int64_t int_low = 0, int_high = 10;  // integer inputs: uniform in [int_low, int_high)
};

// One tensor of `dtype` and `shape`; throws InvalidArgument for an empty range.
Tensor random_tensor(DType dtype, const Shape& shape, const RandomInputOptions& options,
                     Generator& gen);

// A tensor for every input of `graph` (a compiled flow graph: inputs have static shapes). When
// `batch` > 0 it replaces dim 0 of every input (the dynamic-batch check). The generator is seeded
// from options.seed and the batch, so each batch gets its own reproducible draw.
std::vector<Tensor> random_inputs(const ir::Graph& graph, const RandomInputOptions& options,
                                  int64_t batch = 0);

// A tensor for every input of `graph` with the given shapes (one per input; the dynamic-axes
// check), seeded from options.seed and the shapes.
std::vector<Tensor> random_inputs(const ir::Graph& graph, const RandomInputOptions& options,
                                  const std::vector<Shape>& shapes);

}  // namespace flowonnx
