// The public API of flowonnx in one header: tensors, the eager framework, the model zoo and
// OneFlow checkpoints. `namespace fo = flowonnx;` reads like the tutorial.
#pragma once

#include "base/error.h"
#include "flow/checkpoint.h"
#include "flow/functional.h"
#include "flow/nn/layers.h"
#include "flow/nn/module.h"
#include "kernels/cpu/threading.h"
#include "models/resnet.h"
#include "models/zoo.h"
#include "tensor/npy.h"
#include "tensor/random.h"
#include "tensor/tensor.h"
