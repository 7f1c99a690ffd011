#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

void register_cpu_kernels(KernelRegistry& registry) {
  register_nn_kernels(registry);
  register_conv_transpose_kernels(registry);
  register_math_kernels(registry);
  register_elementwise_kernels(registry);
  register_tensor_kernels(registry);
  register_indexing_kernels(registry);
  register_reduce_kernels(registry);
  register_resize_kernels(registry);
  register_rnn_kernels(registry);
  register_quantize_kernels(registry);
  register_control_flow_kernels(registry);
  register_loss_kernels(registry);
  register_detection_kernels(registry);
  register_indexing_extra_kernels(registry);
  register_einsum_kernels(registry);
  register_quantized_math_kernels(registry);
  register_signal_kernels(registry);
  register_linalg_kernels(registry);
  register_moments_kernels(registry);
  register_text_kernels(registry);
  register_spatial_kernels(registry);
  register_bitwise_kernels(registry);
  register_ml_kernels(registry);
  register_attention_kernels(registry);
}

}  // namespace flowonnx::runtime::cpu
