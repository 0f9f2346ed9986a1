// softmdp: exact soft (entropy-regularised) and hard solutions of finite MDPs.
// The one place where library exceptions become exit codes.
#include <csignal>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <new>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/output_file.hpp"

namespace {

void on_signal(int sig) {
    softmdp::remove_pending_outputs();
    const char msg[] = "\nsoftmdp: interrupted; no output file was written\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    ::_exit(sig == SIGINT ? 130 : 143);
}

void print_overview() {
    fmt::print("softmdp: exact soft (entropy-regularised) and hard solvers for finite MDPs\n\n"
               "usage: softmdp COMMAND [options]   (softmdp COMMAND --help for each)\n\ncommands:\n");
    for (const auto& c : softmdp::cli::commands()) fmt::print("  {:<10} {}\n", c.name, c.summary);
    fmt::print("\nexit codes: 0 ok, 1 unexpected, 2 invalid input or usage, 3 I/O, 4 not converged (result written)\n");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace softmdp::cli;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        print_overview();
        return kInvalid;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_overview();
        return kOk;
    }
    if (name == "--version") {
        fmt::print("softmdp 0.1.0\n");
        return kOk;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        for (const auto& c : commands())
            if (c.name == name) return c.run(args);
        fmt::print(stderr, "softmdp: unknown command '{}' (run softmdp --help for the list)\n", name);
        return kInvalid;
    } catch (const softmdp::InputError& e) {
        fmt::print(stderr, "softmdp: error: {}\n", e.what());
        return kInvalid;
    } catch (const softmdp::UsageError& e) {
        fmt::print(stderr, "softmdp: usage error: {}\n", e.what());
        return kInvalid;
    } catch (const softmdp::IoError& e) {
        fmt::print(stderr, "softmdp: I/O error: {}\n", e.what());
        return kIo;
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "softmdp: out of memory (the model or result is too large for this machine)\n");
        return kUnexpected;
    } catch (const std::exception& e) {
        fmt::print(stderr, "softmdp: unexpected error: {}\n", e.what());
        return kUnexpected;
    }
}
