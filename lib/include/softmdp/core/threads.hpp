#pragma once
// How many threads a parallel region gets.
#include <omp.h>

namespace softmdp {

// Resolves the thread count (0: all cores).
inline int thread_count(int threads) noexcept { return threads > 0 ? threads : omp_get_max_threads(); }

}  // namespace softmdp
