// Warp- and block-wide all-reductions shared by the reduction and normalisation kernels (device
// code: include from .cu files only).
#pragma once

namespace flowonnx::cuda {

// Every lane gets the combination of all 32 lanes' values (xor butterfly: with a commutative
// combine every lane computes bit-identical results).
template <class Combine>
__device__ double warp_allreduce(double v, Combine combine) {
  for (int offset = 16; offset > 0; offset >>= 1) v = combine(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Every thread of the block gets the combination of all threads' values. `shared` holds one
// slot per warp; the leading barrier protects it from the previous call's readers.
template <class Combine>
__device__ double block_allreduce(double v, Combine combine, double* shared) {
  v = warp_allreduce(v, combine);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  double result = shared[0];
  for (int w = 1; w < int(blockDim.x >> 5); ++w) result = combine(result, shared[w]);
  return result;
}

}  // namespace flowonnx::cuda
