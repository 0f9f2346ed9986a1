#pragma once
// How many threads a parallel region gets.
#include <cstdint>
#include <omp.h>

namespace softmdp {

// Resolves the thread count (0: all cores).
inline int thread_count(int threads) noexcept { return threads > 0 ? threads : omp_get_max_threads(); }

// body(i) for i in [0, n): statically split over `threads` OpenMP threads, or for one thread in a
// plain loop outside any parallel region. libgomp enters even a one-thread region with futex calls,
// 1 to 3 us each on a virtual machine: more than a whole pass over a small model (many small solves,
// the IRL inner loop, pay it on every pass).
template <class F>
inline void parallel_for(std::int64_t n, int threads, F&& body) {
    if (threads <= 1) {
        for (std::int64_t i = 0; i < n; ++i) body(i);
        return;
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < n; ++i) body(i);
}

}  // namespace softmdp
