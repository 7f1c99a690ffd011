// Thread count for every CPU kernel (ours use OpenMP, as does Debian's oneDNN), and the rule that
// decides when one of our loops is worth a parallel region at all.
//
// The count is OpenMP's nthreads ICV, which libgomp keeps per calling thread: a parallel region
// (ours, or one oneDNN opens) gets the value of the thread that opens it. A session therefore
// sets it for the span of each load and run with ScopedNumThreads, on whatever thread calls, and
// restores it after, so sessions with different counts never see each other's setting.
#pragma once

#include <cstdint>

namespace flowonnx::kernels {

// Sets the calling thread's count (omp_set_num_threads); it stays until changed.
void set_num_threads(int num_threads);
// The calling thread's count (omp_get_max_threads).
int num_threads();

// The calling thread's count set to `num_threads` for this object's lifetime, then restored.
// 0 leaves it as it is.
class ScopedNumThreads {
 public:
  explicit ScopedNumThreads(int num_threads);
  ~ScopedNumThreads();
  ScopedNumThreads(const ScopedNumThreads&) = delete;
  ScopedNumThreads& operator=(const ScopedNumThreads&) = delete;

 private:
  int previous_ = 0;  // 0: nothing to restore
};

// Work, in units of one cheap element-wise operation (about 0.3 ns of one core on an L2-resident
// float), that each thread of a parallel region must get. Smaller loops run on the calling
// thread: a region costs microseconds to fork and join on a quiet host, and on a busy one a team
// member that the scheduler has taken away stalls the region at its barrier (a 37,824-element Add
// of ViT-Tiny took 3.5 ms with 2 threads on a loaded 2-core host, 10 us on one).
inline constexpr int64_t kMinParallelWorkPerThread = int64_t{1} << 16;

// Threads for a loop of `items` items costing `cost_per_item` units each: 1 below the threshold,
// else as many as keep kMinParallelWorkPerThread each, at most num_threads(). Use as
//   #pragma omp parallel for num_threads(threads) if (threads > 1)
int threads_for(int64_t items, int64_t cost_per_item = 1);

// Test hook: when set, threads_for calls it on the kernel's calling thread (outside any parallel
// region) before deciding, so a test can see the count each kernel of a run was given. nullptr
// turns it off.
using NumThreadsProbe = void (*)();
void set_num_threads_probe_for_testing(NumThreadsProbe probe);

}  // namespace flowonnx::kernels
