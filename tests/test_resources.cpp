// What the process may use: memory (lowered by ulimit -v), disk, and the stream limit derived from them.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "softmdp/core/resources.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("usable_memory follows ulimit -v; stream_limit is a quarter of it") {
    CHECK(usable_memory() > 0);
    CHECK(stream_limit() == usable_memory() / 4);
    // In a child, so that the limit does not outlive the check.
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        rlimit lim{};
        ::getrlimit(RLIMIT_AS, &lim);
        lim.rlim_cur = std::uint64_t{1} << 40;  // 1 TiB: above the RAM of test machines, below unlimited
        if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(2);
        ::_exit(usable_memory() <= (std::uint64_t{1} << 40) ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) != 1));
}

TEST_CASE("free_disk: a directory's file system; unknown for stdout and devices") {
    CHECK(free_disk("-") == UINT64_MAX);
    CHECK(free_disk("/dev/null") == UINT64_MAX);
    const auto dir = test::temp_dir("free-disk");
    const std::uint64_t here = free_disk((dir / "out.json").string());
    CHECK(here > 0);
    CHECK(here < UINT64_MAX);
    CHECK(human_bytes(1536.0 * 1024 * 1024) == "1.5 GiB");
    CHECK(human_bytes(3.0 * 1024 * 1024) == "3.0 MiB");
    CHECK(human_bytes(12.0) == "12 bytes");
    CHECK(thread_limit() >= 64);
}
