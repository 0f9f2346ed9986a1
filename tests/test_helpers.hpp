#pragma once
// Shared by the tests: paths, running the CLI binary, small models.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>
#include <sys/wait.h>

#include "softmdp/json_writer.hpp"
#include "softmdp/loader.hpp"
#include "softmdp/model.hpp"
#include "softmdp/model_builder.hpp"

namespace softmdp::test {

// Built with AddressSanitizer (5-10x slower): the longest statistical test cases, which exercise no
// code path that shorter ones miss, run in the plain build only (doctest::skip(kSanitized)).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

inline std::string source_path(const std::string& rel) { return std::string(SOFTMDP_SOURCE_DIR) + "/" + rel; }
inline Model example(const std::string& name) { return load_model(source_path("mdps/" + name)); }

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Run {
    int code = -1;
    std::string out, err;
};

// Runs `softmdp ARGS` through the shell; captures stdout, stderr and the exit code.
inline Run run_cli(const std::string& args, const std::string& stdin_text = {}) {
    static int counter = 0;
    const auto dir = std::filesystem::temp_directory_path() / ("softmdp-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string base = (dir / std::to_string(counter++)).string();
    std::string cmd = std::string(SOFTMDP_BINARY) + " " + args + " >" + base + ".out 2>" + base + ".err";
    if (!stdin_text.empty()) {
        std::ofstream(base + ".in") << stdin_text;
        cmd += " <" + base + ".in";
    } else {
        cmd += " </dev/null";
    }
    const int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(base + ".out");
    r.err = read_file(base + ".err");
    return r;
}

// A fresh temporary directory for a test's files.
inline std::filesystem::path temp_dir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("softmdp-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// One state whose actions all loop back to it, with rewards r_a: V* = B(r)/(1 - gamma) in closed form.
inline Model self_loops(const std::vector<double>& rewards, double gamma) {
    ModelBuilder b;
    b.set_discount(gamma);
    b.set_state_count(1);
    b.set_action_count(rewards.size());
    for (std::size_t a = 0; a < rewards.size(); ++a) b.add(Ref::at(0), Ref::at(a), rewards[a], {{Ref::at(0), 1.0}});
    return b.build();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

// Puts a fake gnuplot that never exits first on PATH: it writes its pid to DIR/pid (atomically: via
// pid.tmp and a rename) and becomes `sleep 30`. Returns the old PATH, for setenv("PATH", ...) after.
inline std::string put_hanging_gnuplot_first(const std::filesystem::path& dir) {
    write_file(dir / "gnuplot", "#!/bin/sh\nd=\"$(dirname \"$0\")\"\necho $$ > \"$d/pid.tmp\"\nmv \"$d/pid.tmp\" \"$d/pid\"\nexec sleep 30\n");
    std::filesystem::permissions(dir / "gnuplot", std::filesystem::perms::owner_all);
    const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
    ::setenv("PATH", (dir.string() + ":" + path).c_str(), 1);
    return path;
}

// What a writer (e.g. a generator) writes, as text.
inline std::string written(const std::function<void(JsonWriter&)>& fn) {
    char* buf = nullptr;
    std::size_t size = 0;
    std::FILE* mem = open_memstream(&buf, &size);
    try {
        JsonWriter w(mem);
        fn(w);
    } catch (...) {
        std::fclose(mem);
        std::free(buf);
        throw;
    }
    std::fclose(mem);
    const std::string text(buf, size);
    std::free(buf);
    return text;
}

}  // namespace softmdp::test
