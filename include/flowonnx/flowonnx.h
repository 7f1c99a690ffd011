// The public API of flowonnx in one header: tensors, the eager framework and static graphs, the
// model zoo, OneFlow checkpoints, ONNX export and its check, the InferenceSession and the
// tutorial's image pipeline.
// `namespace fo = flowonnx;` reads like the tutorial.
#pragma once

#include "base/error.h"
#include "flow/checkpoint.h"
#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "flow/nn/module.h"
#include "kernels/cpu/threading.h"
#include "models/resnet.h"
#include "models/transformer.h"
#include "models/zoo.h"
#include "runtime/session.h"
#include "tensor/npy.h"
#include "tensor/random.h"
#include "tensor/tensor.h"
#include "verify/check.h"
#include "verify/export.h"
#include "vision/classify.h"
#include "vision/image.h"
#include "vision/labels.h"
#include "vision/preprocess.h"
#include "vision/topk.h"
