// softmdp: exact soft (entropy-regularised) and hard solutions of finite MDPs.
// The one place where library exceptions become exit codes.
#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <new>
#include <system_error>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/plot.hpp"
#include "softmdp/version.hpp"

namespace {

// The signals whose default action ends the process: each exits 3 through on_signal instead, so no
// temporary file is left (SIGUSR1/2, SIGALRM, SIGXCPU from `timeout -s`, `ulimit -t` or a stray kill).
constexpr std::pair<int, const char*> kFatalSignals[] = {
    {SIGINT, "softmdp: interrupted by SIGINT; no output file written\n"},
    {SIGTERM, "softmdp: interrupted by SIGTERM; no output file written\n"},
    {SIGHUP, "softmdp: interrupted by SIGHUP; no output file written\n"},
    {SIGUSR1, "softmdp: interrupted by SIGUSR1; no output file written\n"},
    {SIGUSR2, "softmdp: interrupted by SIGUSR2; no output file written\n"},
    {SIGALRM, "softmdp: interrupted by SIGALRM; no output file written\n"},
    {SIGXCPU, "softmdp: interrupted by SIGXCPU (CPU time limit); no output file written\n"},
};

// Exit 3 (an I/O failure: nothing was written) after removing the temporary files of pending outputs,
// so an earlier output is untouched and no partial file is left. Async-signal-safe.
void on_signal(int sig) {
    softmdp::kill_plotter();
    softmdp::remove_pending_outputs();
    const char* msg = "softmdp: interrupted by a signal; no output file written\n";
    for (const auto& [s, m] : kFatalSignals)
        if (s == sig) msg = m;
    ssize_t n = 0;
    if (softmdp::cli::progress_line_open()) n = ::write(2, "\n", 1);
    n = ::write(2, msg, std::strlen(msg));
    static_cast<void>(n);
    ::_exit(softmdp::cli::kIo);
}

// Ends a progress line, prints "softmdp: KIND: MESSAGE" on stderr and returns the exit code.
int fail(int code, const char* kind, const std::string& message) {
    softmdp::cli::end_progress();
    fmt::print(stderr, "softmdp: {}: {}\n", kind, softmdp::printable(message));
    return code;
}
int fail(int code, const char* kind, const std::exception& e) { return fail(code, kind, softmdp::cli::cli_message(e)); }

// The exit code of a run that printed what it had to: flushing stdout can still fail.
int finish(int code) {
    try {
        softmdp::flush_stdout();
    } catch (const softmdp::OutputClosed&) {
        return softmdp::cli::kIo;
    } catch (const softmdp::IoError& e) {
        return fail(softmdp::cli::kIo, "I/O error", e);
    }
    return code;
}

bool is_write_error(const std::error_code& ec) {
    if (ec.category() != std::generic_category() && ec.category() != std::system_category()) return false;
    for (int e : {EPIPE, ENOSPC, EFBIG, EIO, EDQUOT, EROFS, EBADF})
        if (ec.value() == e) return true;
    return false;
}

void print_overview() {
    fmt::print("softmdp: exact soft (entropy-regularised) and hard solvers for finite MDPs\n\n"
               "usage: softmdp COMMAND [options]   (softmdp COMMAND --help for each)\n\ncommands:\n");
    for (const auto& c : softmdp::cli::commands()) fmt::print("  {:<10} {}\n", c.name, c.summary);
    fmt::print("\nexit codes: 0 ok, 1 unexpected, 2 invalid input or usage, 3 I/O or interrupted (nothing written), 4 not converged (result written)\n");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace softmdp::cli;
    // OpenMP threads that spin at barriers cost 30x per sweep when the cores are shared (measured:
    // 18 ms against 0.5 ms on a 20000-state Garnet at load 4); sleeping costs microseconds. libgomp
    // reads OMP_WAIT_POLICY before main, so set it and start again, unless the user chose a policy.
    if (!std::getenv("OMP_WAIT_POLICY") && ::setenv("OMP_WAIT_POLICY", "passive", 1) == 0) ::execv("/proc/self/exe", argv);
    for (const auto& [sig, msg] : kFatalSignals) std::signal(sig, on_signal);
    // A closed pipe and a file-size limit (ulimit -f) become write errors (EPIPE, EFBIG) that the
    // writers report and clean up after, instead of killing the process with a temporary file left.
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        print_overview();
        return finish(kInvalid);
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_overview();
        return finish(kOk);
    }
    if (name == "--version") {
        fmt::print("softmdp {}\n", SOFTMDP_VERSION_STRING);  // project(VERSION) in CMakeLists.txt
        return finish(kOk);
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        for (const auto& c : commands())
            if (c.name == name) {
                const int code = c.run(args);
                softmdp::flush_stdout();  // a table still buffered must arrive, or the run failed
                return code;
            }
        fmt::print(stderr, "softmdp: unknown command '{}' (run softmdp --help for the list)\n", name);
        return kInvalid;
    } catch (const softmdp::OutputClosed&) {
        softmdp::cli::end_progress();
        return kIo;  // quiet: the reader has what it wanted (docs/reliability.md)
    } catch (const softmdp::InputError& e) {
        return fail(kInvalid, "error", e);
    } catch (const softmdp::UsageError& e) {
        return fail(kInvalid, "usage error", e);
    } catch (const softmdp::NumericalError& e) {
        return fail(kInvalid, "numerical error", e);
    } catch (const softmdp::IoError& e) {
        return fail(kIo, "I/O error", e);
    } catch (const softmdp::Error& e) {  // a kind without its own code yet
        return fail(kUnexpected, "error", e);
    } catch (const std::system_error& e) {
        // fmt::print throws this when a write fails (a full disk, a file-size limit, a closed pipe).
        if (is_write_error(e.code())) {
            if (e.code().value() == EPIPE) return kIo;
            return fail(kIo, "I/O error", e.what());
        }
        return fail(kUnexpected, "unexpected error", e.what());
    } catch (const std::bad_alloc&) {
        return fail(kUnexpected, "out of memory", "the model or result is too large for this machine");
    } catch (const std::exception& e) {
        return fail(kUnexpected, "unexpected error", e.what());
    }
}
