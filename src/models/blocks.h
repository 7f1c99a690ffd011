// Building blocks shared by the zoo's CNNs, with torchvision's structure and initialisation:
// Conv2d + BatchNorm2d + activation (torchvision.ops.Conv2dNormActivation), and the weight
// initialisation torchvision applies after building a classification net.
#pragma once

#include <memory>

#include "flow/nn/layers.h"

namespace flowonnx::models {

enum class Activation { None, ReLU, ReLU6, Hardswish };

std::shared_ptr<nn::Module> make_activation(Activation activation);

// Sequential(0: Conv2d(bias=False), 1: BatchNorm2d[, 2: activation]) with padding (k-1)/2.
std::shared_ptr<nn::Sequential> conv_bn_act(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                                            Activation activation, Generator& gen,
                                            double bn_eps = 1e-5);

// torchvision's init: convs kaiming_normal(fan_out) with zero bias, batch/group norms 1 and 0,
// Linear normal(0, linear_std) with zero bias (linear_std 0 keeps Linear's default init).
void init_classifier_weights(nn::Module& model, double linear_std, Generator& gen);

}  // namespace flowonnx::models
