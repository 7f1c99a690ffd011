#include "kernels/cpu/threading.h"

#include <omp.h>

#include <algorithm>

#include "base/error.h"

namespace flowonnx::kernels {

// Debian's oneDNN uses the OpenMP runtime, so this one setting governs our loops and oneDNN's.
void set_num_threads(int num_threads) {
  FLOWONNX_REQUIRE(num_threads >= 1, "set_num_threads: {} is not a positive thread count",
                   num_threads);
  omp_set_num_threads(num_threads);
}

int num_threads() { return omp_get_max_threads(); }

int threads_for(int64_t items, int64_t cost_per_item) {
  const int64_t work = items * std::max<int64_t>(cost_per_item, 1);
  if (work < 2 * kMinParallelWorkPerThread) return 1;
  // Inside a parallel region (a kernel called from another's loop) stay on this thread.
  if (omp_in_parallel()) return 1;
  return static_cast<int>(std::min<int64_t>(num_threads(), work / kMinParallelWorkPerThread));
}

}  // namespace flowonnx::kernels
