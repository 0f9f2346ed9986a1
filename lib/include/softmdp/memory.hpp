#pragma once
// How much memory this process may use, for refusing sizes that cannot fit before allocating them.
#include <cstdint>

namespace softmdp {

// Bytes: physical memory, lowered by address-space or data limits (ulimit -v / -d).
std::uint64_t usable_memory();

}  // namespace softmdp
