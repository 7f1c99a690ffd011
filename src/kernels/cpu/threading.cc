#include "kernels/cpu/threading.h"

#include <omp.h>

#include "base/error.h"

namespace flowonnx::kernels {

// Debian's oneDNN uses the OpenMP runtime, so this one setting governs our loops and oneDNN's.
void set_num_threads(int num_threads) {
  FLOWONNX_REQUIRE(num_threads >= 1, "set_num_threads: {} is not a positive thread count",
                   num_threads);
  omp_set_num_threads(num_threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace flowonnx::kernels
