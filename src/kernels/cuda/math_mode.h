// How cuDNN convolutions and cuBLASLt matrix products may compute on fp32 tensors: exact fp32
// FMA (the default: results match the CPU within 1e-4 per op), or on tensor cores after rounding
// the inputs to TF32 or to fp16 (both 10-bit mantissas, ~1e-3 relative; fp16 also narrows the
// range, so very large or tiny activations can lose more). Tensors stay fp32 in memory either way.
#pragma once

namespace flowonnx::cuda {

enum class MathMode { Fp32, Tf32, Fp16 };

}  // namespace flowonnx::cuda
