#include "kernels/cpu/threading.h"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "base/error.h"

namespace flowonnx::kernels {
namespace {

std::atomic<NumThreadsProbe> num_threads_probe{nullptr};

}  // namespace

// Debian's oneDNN uses the OpenMP runtime, so this one setting governs our loops and oneDNN's.
void set_num_threads(int num_threads) {
  FLOWONNX_REQUIRE(num_threads >= 1, "set_num_threads: {} is not a positive thread count",
                   num_threads);
  omp_set_num_threads(num_threads);
}

int num_threads() { return omp_get_max_threads(); }

ScopedNumThreads::ScopedNumThreads(int num_threads) {
  FLOWONNX_REQUIRE(num_threads >= 0, "thread count must be >= 0, got {}", num_threads);
  if (num_threads == 0) return;
  previous_ = omp_get_max_threads();
  if (previous_ != num_threads) omp_set_num_threads(num_threads);
}

ScopedNumThreads::~ScopedNumThreads() {
  if (previous_ > 0 && omp_get_max_threads() != previous_) omp_set_num_threads(previous_);
}

int threads_for(int64_t items, int64_t cost_per_item) {
  // Inside a parallel region (a kernel called from another's loop) stay on this thread.
  if (omp_in_parallel()) return 1;
  if (NumThreadsProbe probe = num_threads_probe.load(std::memory_order_relaxed)) probe();
  const int64_t work = items * std::max<int64_t>(cost_per_item, 1);
  if (work < 2 * kMinParallelWorkPerThread) return 1;
  return static_cast<int>(std::min<int64_t>(num_threads(), work / kMinParallelWorkPerThread));
}

void set_num_threads_probe_for_testing(NumThreadsProbe probe) {
  num_threads_probe.store(probe, std::memory_order_relaxed);
}

}  // namespace flowonnx::kernels
