// The CPU execution provider: one registration function per op family (one file each).
#pragma once

#include "runtime/kernel_registry.h"

namespace flowonnx::runtime::cpu {

void register_nn_kernels(KernelRegistry& registry);          // nn.cc: Conv, pools, norms
void register_conv_transpose_kernels(KernelRegistry& registry);  // conv_transpose.cc
void register_math_kernels(KernelRegistry& registry);        // math.cc: Gemm, MatMul, Softmax
void register_elementwise_kernels(KernelRegistry& registry); // elementwise.cc: unary / binary
void register_tensor_kernels(KernelRegistry& registry);      // tensor.cc: shape and data movement
void register_indexing_kernels(KernelRegistry& registry);    // indexing.cc: Gather, Slice, ...
void register_reduce_kernels(KernelRegistry& registry);      // reduce.cc: ReduceX, ArgMax
void register_resize_kernels(KernelRegistry& registry);      // resize.cc: Resize
void register_rnn_kernels(KernelRegistry& registry);         // rnn.cc: RNN, GRU, LSTM
void register_quantize_kernels(KernelRegistry& registry);    // quantize.cc: QuantizeLinear, DequantizeLinear
void register_control_flow_kernels(KernelRegistry& registry);  // control_flow.cc: If, Loop, Scan
void register_loss_kernels(KernelRegistry& registry);        // loss.cc: NLL, SoftmaxCrossEntropy
// detection.cc: NonMaxSuppression, RoiAlign, GridSample
void register_detection_kernels(KernelRegistry& registry);
// indexing_extra.cc: Unique, Compress, ReverseSequence, MaxUnpool
void register_indexing_extra_kernels(KernelRegistry& registry);
void register_einsum_kernels(KernelRegistry& registry);      // einsum.cc: Einsum
void register_quantized_math_kernels(KernelRegistry& registry);  // quantized_math.cc: MatMulInteger, QLinearConv
void register_signal_kernels(KernelRegistry& registry);      // signal.cc: windows, DFT, MelWeightMatrix
void register_linalg_kernels(KernelRegistry& registry);      // linalg.cc: Det
void register_moments_kernels(KernelRegistry& registry);     // moments.cc: MeanVarianceNormalization
void register_text_kernels(KernelRegistry& registry);        // text.cc: TfIdfVectorizer
// spatial.cc: Col2Im, AffineGrid, DeformConv
void register_spatial_kernels(KernelRegistry& registry);
// bitwise.cc: BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot
void register_bitwise_kernels(KernelRegistry& registry);
// ml.cc: ai.onnx.ml ArrayFeatureExtractor, Binarizer, TreeEnsemble
void register_ml_kernels(KernelRegistry& registry);
// attention.cc: Attention, RotaryEmbedding, TensorScatter
void register_attention_kernels(KernelRegistry& registry);

// The one list: every kernel family of the CPU provider.
void register_cpu_kernels(KernelRegistry& registry);

// Runtime-internal ops of the session-time rewrites (fused.cc, domain flowonnx.cpu); kept out of
// the list above because no model may name them.
void register_fused_kernels(KernelRegistry& registry);
void register_fused_math_kernels(KernelRegistry& registry);  // fused_math.cc: Gelu, FusedMatMul

}  // namespace flowonnx::runtime::cpu
