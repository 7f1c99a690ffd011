// Session-time fusion of the exact (erf) GELU that exporters spell out before opset 20:
//   e = Erf(Div(x, sqrt 2))  or  Erf(Mul(x, 1 / sqrt 2))
//   a = Add(e, 1)
//   y = x * a * 0.5, as Mul(Mul(x, 0.5), a) (our exporter), Mul(Mul(x, a), 0.5) (torch.onnx) or
//       Mul(x, Mul(a, 0.5)); operands of Add and Mul in either order
// -> flowonnx.cpu.Gelu(x). Constants are one-element fixed constants (sqrt 2 to a relative 1e-5,
// 1 and 0.5 exactly); every intermediate value is read only by the next node of the pattern and
// is no graph output; x is float32 or float64 and no constant has a higher rank than x, so y has
// x's shape. Anything else is left alone.
// (ONNX Runtime's GeluFusion matches the same forms.) Gelu is a CPU-internal op, so this runs in
// prepare_for_cpu, on what the CPU runs.
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

inline const char* const kGelu = "Gelu";

// Returns the number of GELUs fused.
int fuse_gelu(ir::Graph& graph);

}  // namespace flowonnx::runtime
