// SIGINT / SIGTERM / SIGHUP (and SIGUSR1, SIGALRM, SIGXCPU) during a long run: exit 3 with the reason, the earlier output untouched,
// no temporary file left; --time-limit: exit 4 with the result and a finite bound.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/io/loader.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The temporary files (.NAME.tmp.XXXXXX) in dir.
std::vector<std::string> temp_files(const std::filesystem::path& dir) {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path().string());
    return found;
}

// Runs softmdp ARGS in the background with stderr to err_file; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& err_file) {
    std::fflush(nullptr);  // the child must not write the test's buffered output again
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::vector<char*> argv{const_cast<char*>("softmdp")};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), null = ::open("/dev/null", O_RDWR);
        if (err < 0 || null < 0 || ::dup2(err, 2) < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 0) < 0) ::_exit(126);
        ::execv(SOFTMDP_BINARY, argv.data());
        ::_exit(127);
    }
    return pid;
}

int exit_code(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        case SIGUSR1: return "SIGUSR1";
        case SIGALRM: return "SIGALRM";
        default: return "SIGXCPU";
    }
}

}  // namespace

TEST_CASE("an interrupted solve exits 3 and leaves the earlier result file as it was") {
    const auto dir = test::temp_dir("interrupt");
    const std::string mdp = (dir / "slow.json").string();
    // A long chain: value iteration needs about one sweep per state to converge (tens of seconds).
    REQUIRE(test::run_cli("generate chain --states 100000 --discount 0.9999 --quiet --output " + mdp).code == 0);
    const std::string out = (dir / "out.json").string(), err = (dir / "err.txt").string();
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        test::write_file(out, "earlier result\n");
        const pid_t pid = spawn({"solve", mdp, "--method", "vi", "--json", out, "--quiet"}, err);
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        ::kill(pid, sig);
        CAPTURE(std::string(signal_name(sig)));
        CHECK(exit_code(pid) == 3);
        CHECK(slurp(err).find(fmt::format("interrupted by {}; no output file written", signal_name(sig))) != std::string::npos);
        CHECK(slurp(out) == "earlier result\n");
        CHECK(temp_files(dir).empty());
    }
}

TEST_CASE("an interrupt while the output is being written removes the temporary file") {
    // generate streams a large Garnet into F's temporary file: signal once that file exists.
    const auto dir = test::temp_dir("interrupt-write");
    const std::string out = (dir / "big.json").string(), err = (dir / "err.txt").string();
    // SIGUSR1, SIGALRM and SIGXCPU end a process by default too (a stray kill, `timeout -s`, ulimit -t).
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGALRM, SIGXCPU}) {
        test::write_file(out, "earlier file\n");
        const pid_t pid = spawn({"generate", "garnet", "--states", "2000000", "--output", out}, err);
        const auto start = std::chrono::steady_clock::now();
        while (temp_files(dir).empty() && std::chrono::steady_clock::now() - start < std::chrono::seconds(20))
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const auto pending = temp_files(dir);
        REQUIRE(pending.size() == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // some of the MDP is written
        ::kill(pid, sig);
        CAPTURE(std::string(signal_name(sig)));
        CHECK(exit_code(pid) == 3);
        CHECK(slurp(err).find(fmt::format("interrupted by {}", signal_name(sig))) != std::string::npos);
        CHECK(slurp(out) == "earlier file\n");
        CHECK_MESSAGE(temp_files(dir).empty(), pending[0]);
    }
}

TEST_CASE("--time-limit: exit 4, the result written with converged false and a finite bound") {
    const auto dir = test::temp_dir("time-limit");
    const std::string mdp = (dir / "slow.json").string(), out = (dir / "r.json").string();
    REQUIRE(test::run_cli("generate chain --states 100000 --discount 0.9999 --quiet --output " + mdp).code == 0);
    const auto r = test::run_cli("solve " + mdp + " --method vi --time-limit 0.5 --quiet --json " + out);
    CHECK(r.code == 4);
    CHECK(r.err.find("not converged") != std::string::npos);
    const auto j = read_json_file(out);
    CHECK(j["converged"] == false);
    REQUIRE(j["error_bound"].is_number());
    CHECK(std::isfinite(j["error_bound"].get<double>()));
    CHECK(j["error_bound"].get<double>() > 1e-8);
    CHECK(j["reason"].get<std::string>().find("time limit") != std::string::npos);
    CHECK(j["values"].size() == 100000);
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

TEST_CASE("a file-size limit (ulimit -f, SIGXFSZ) is a write error: exit 3, no temporary file, earlier files kept") {
    const auto dir = test::temp_dir("xfsz");
    const std::string mdp = (dir / "g.json").string();
    REQUIRE(test::run_cli("generate garnet --states 2000 --actions 4 --branching 3 --quiet --output " + mdp).code == 0);
    const auto limited = [&](const std::string& args) {
        // ulimit -f counts 1024-byte blocks in dash and bash: 20 KB, less than each output below.
        return test::run_cli("--version >/dev/null; ulimit -f 20; " + std::string(SOFTMDP_BINARY) + " " + args);
    };
    test::write_file(dir / "big.json", "earlier\n");
    auto r = limited("generate garnet --states 20000 --output " + (dir / "big.json").string());
    CHECK(r.code == 3);
    CHECK(r.err.find("File too large") != std::string::npos);
    CHECK(slurp(dir / "big.json") == "earlier\n");
    // PRISM output is three files: none is left half-written, no temporary file stays.
    r = limited("convert " + mdp + " " + (dir / "out.tra").string() + " --to prism");
    CHECK(r.code == 3);
    CHECK(r.err.find("out.tra (PRISM files .tra, .trew, .lab): write failed: File too large") != std::string::npos);
    CHECK(r.err.find("unexpected") == std::string::npos);
    CHECK(!std::filesystem::exists(dir / "out.tra"));
    CHECK(temp_files(dir).empty());
}

TEST_CASE("an interrupted --plot kills gnuplot") {
    // A fake gnuplot that never exits: SIGINT must end softmdp (exit 3) and take gnuplot with it.
    const auto dir = test::temp_dir("interrupt-plot");
    const std::string path = test::put_hanging_gnuplot_first(dir);
    const std::string err = (dir / "err").string();
    const pid_t pid = spawn({"solve", test::source_path("mdps/frozenlake4x4.json"), "--plot", (dir / "lake.png").string(), "--quiet"}, err);
    ::setenv("PATH", path.c_str(), 1);
    for (int i = 0; i < 500 && !std::filesystem::exists(dir / "pid"); ++i) ::usleep(10'000);
    REQUIRE(std::filesystem::exists(dir / "pid"));
    ::kill(pid, SIGINT);
    CHECK(exit_code(pid) == 3);
    CHECK(test::read_file(err).find("interrupted by SIGINT") != std::string::npos);
    const std::string proc = "/proc/" + std::to_string(std::stoi(test::read_file(dir / "pid")));
    // Gone, or a zombie waiting for a reaper (its parent exited): not sleeping on.
    bool running = true;
    for (int i = 0; i < 200 && running; ++i) {
        const std::string stat = test::read_file(proc + "/stat");
        running = !stat.empty() && stat.find(") Z") == std::string::npos;
        if (running) ::usleep(10'000);
    }
    CHECK_FALSE(running);
    CHECK_FALSE(std::filesystem::exists(dir / "lake.png"));
}
