#include "softmdp/resources.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace softmdp {

std::uint64_t usable_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    std::uint64_t bytes = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : UINT64_MAX;
    for (int what : {RLIMIT_AS, RLIMIT_DATA}) {
        struct rlimit lim {};
        if (::getrlimit(what, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) bytes = std::min<std::uint64_t>(bytes, lim.rlim_cur);
    }
    return bytes;
}

}  // namespace softmdp
