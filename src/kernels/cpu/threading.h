// Thread count for every CPU kernel (ours use OpenMP, as does Debian's oneDNN).
#pragma once

namespace flowonnx::kernels {

void set_num_threads(int num_threads);
int num_threads();

}  // namespace flowonnx::kernels
