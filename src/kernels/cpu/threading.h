// Thread count for every CPU kernel (ours use OpenMP, as does Debian's oneDNN), and the rule that
// decides when one of our loops is worth a parallel region at all.
#pragma once

#include <cstdint>

namespace flowonnx::kernels {

void set_num_threads(int num_threads);
int num_threads();

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

}  // namespace flowonnx::kernels
