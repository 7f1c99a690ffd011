// The normalisation ops of the nn family (normalization, layer_norm, rms_norm, rms_layer_norm,
// group_norm), registered by register_nn_ops.
#pragma once

#include "flow/op_registry.h"

namespace flowonnx::flow {

void register_nn_norm_ops(OpRegistry& registry);

}  // namespace flowonnx::flow
