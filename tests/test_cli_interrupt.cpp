// SIGINT / SIGTERM during a long run: exit 130 / 143, the earlier output untouched, no temp files.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fstream>

#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("an interrupted solve leaves the earlier result file as it was") {
    const auto dir = test::temp_dir("interrupt");
    const std::string mdp = (dir / "slow.json").string();
    REQUIRE(test::run_cli("generate garnet --states 20000 --seed 3 --discount 0.9999 --output " + mdp).code == 0);
    const std::string out = (dir / "out.json").string();
    for (int sig : {SIGINT, SIGTERM}) {
        test::write_file(out, "earlier result\n");
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::execl(SOFTMDP_BINARY, "softmdp", "solve", mdp.c_str(), "--method", "vi", "--tolerance", "1e-13", "--json",
                    out.c_str(), "--quiet", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        ::kill(pid, sig);
        int status = 0;
        ::waitpid(pid, &status, 0);
        CAPTURE(sig);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == (sig == SIGINT ? 130 : 143));
        std::ifstream in(out);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(content == "earlier result\n");
        for (const auto& e : std::filesystem::directory_iterator(dir))
            CHECK_MESSAGE(e.path().filename().string().find(".tmp.") == std::string::npos, e.path().string());
    }
}

TEST_CASE("a failing write exits 3 with the reason and leaves nothing behind") {
    const auto r = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --quiet --json /dev/full");
    CHECK(r.code == 3);
    CHECK(r.err.find("No space left on device") != std::string::npos);
    const auto dir = test::temp_dir("missing-dir");
    const auto r2 = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --quiet --json " +
                                  (dir / "no" / "such" / "dir.json").string());
    CHECK(r2.code == 3);
    CHECK(r2.err.find("cannot create a file") != std::string::npos);
}
