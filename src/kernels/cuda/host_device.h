// FLOWONNX_HOST_DEVICE marks inline functions that nvcc compiles for the device and a host
// compiler for the host, so the exact index math a kernel runs can also be checked without a GPU.
#pragma once

#ifdef __CUDACC__
#define FLOWONNX_HOST_DEVICE __host__ __device__
#else
#define FLOWONNX_HOST_DEVICE
#endif
