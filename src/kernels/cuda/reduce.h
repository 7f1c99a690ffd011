// Float32 reductions of the CUDA provider (ReduceX, GlobalAveragePool, GlobalMaxPool). Plain
// header: the adapter (runtime/providers/cuda/reduce.cc) resolves axes and output shapes; this
// only enqueues work on `stream` and throws via check_cuda when a launch fails.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace flowonnx::cuda {

enum class ReduceOp { Sum, Mean, Max, Min, Prod, SumSquare, L1, L2, LogSum, LogSumExp };

// y = op over the dims of x (shape `dims`) where `reduced[d]`; y holds the kept elements in
// C order (keepdims only changes y's shape, not its data). Accumulates in double. Reducing an
// empty set gives the CPU's values (Sum 0, Mean NaN, Max -inf, Min +inf, Prod 1, LogSum and LogSumExp -inf).
// Contiguous trailing reduced dims (GlobalAveragePool, last-axis reductions) take a warp- or
// block-per-row path; other layouts a thread-per-output strided one.
void reduce_f32(ReduceOp op, const float* x, const std::vector<int64_t>& dims,
                const std::vector<bool>& reduced, float* y, cudaStream_t stream);

}  // namespace flowonnx::cuda
