// Runs a float32/float64 kernel on float16 tensors: float16 inputs widen to float32 (exactly),
// the kernel runs, and its float32 outputs round once to float16 (other outputs, e.g. IsNaN's
// bool, pass through). For ops whose float16 form needs no kernel of its own.
#pragma once

#include "runtime/kernel.h"

namespace flowonnx::runtime::cpu {

ComputeFn float16_via_float32(ComputeFn compute);

// A factory whose kernels take float16 through float16_via_float32.
template <ComputeFn (*Make)(const KernelInit&)>
ComputeFn with_float16(const KernelInit& init) {
  return float16_via_float32(Make(init));
}

}  // namespace flowonnx::runtime::cpu
