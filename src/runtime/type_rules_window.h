// Type rules of the windowed ops: Conv, MaxPool/AveragePool/LpPool and the global pools, whose
// static output shapes the conv fusions need (residual Add checks) and the layout pass uses to
// prepare convolutions at load time.
#pragma once

#include "runtime/type_rules.h"

namespace flowonnx::runtime::rules {

// Conv: input 0's dtype; batch, the weight's output channels, and each spatial dim when static.
TypeRule conv();
// MaxPool / AveragePool / LpPool from kernel_shape; MaxPool's output 1 (indices) is Int64 of the
// same shape.
TypeRule pool();
// GlobalAveragePool / GlobalMaxPool: batch and channels kept, spatial dims 1.
TypeRule global_pool();

}  // namespace flowonnx::runtime::rules
