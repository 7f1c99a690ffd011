// cuBLASLt is loaded on first use (dlopen), not linked: mapping libcublasLt (540 MB) at program
// start cost every process ~150 MB of resident memory, CPU-only runs included. The cublasLt*
// functions the provider calls are defined in cublaslt_loader.cc and forward to the library.
#pragma once

#include <string>

namespace flowonnx::cuda {

// Empty when libcublasLt.so.<major> is loaded (loading it if needed); else dlopen's error.
std::string cublaslt_load_error();

}  // namespace flowonnx::cuda
