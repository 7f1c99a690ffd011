#include "flow/nn/activation.h"

#include "flow/dispatch.h"

namespace flowonnx::nn {

Tensor ElementwiseActivation::forward(const Tensor& x) { return flow::call_op(op_, {x}, attrs_)[0]; }

PReLU::PReLU(int64_t num_parameters, double init) {
  weight = register_parameter("weight", Tensor::full({num_parameters}, init));
}

Tensor PReLU::forward(const Tensor& x) { return flow::call_op("prelu", {x, weight})[0]; }

}  // namespace flowonnx::nn
