#pragma once
// Shared by the tests: paths, running the CLI binary, small models.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>
#include <sys/wait.h>
#include <cstring>
#include <doctest/doctest.h>

#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

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

namespace softmdp::test {

// The Python 3 with numpy (Debian's; a pyenv shim first in PATH may lack it).
inline std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

// The discrete example MDPs of mdps/ and a small Garnet (written to `dir`), as JSON files.
inline std::vector<std::string> binary_test_models(const std::filesystem::path& dir) {
    std::vector<std::string> files;
    for (const char* ex : {"chain2.json", "forest.json", "gridworld4x4.json", "cliffwalking.json", "frozenlake4x4.json",
                           "frozenlake8x8.json", "riverswim.json", "boltzmann_counterexample.json"})
        files.push_back(source_path(std::string("mdps/") + ex));
    const std::string garnet = (dir / "garnet.json").string();
    const auto g = run_cli("generate garnet --states 300 --actions 4 --branching 5 --seed 3 --output " + garnet);
    REQUIRE(g.code == 0);
    files.push_back(garnet);
    return files;
}

// JSON -> EXT -> JSON through `softmdp convert` keeps every array of the model bit for bit (names
// too when `names`), solving the binary file gives the JSON's V bit for bit, and the independent
// Python reader (tests/reference/read_binary.py) agrees with the JSON.
inline void check_binary_round_trip(const std::string& ext, bool names) {
    const auto dir = temp_dir("binary-" + ext);
    for (const std::string& json : binary_test_models(dir)) {
        CAPTURE(json);
        const std::string bin = (dir / ("m." + ext)).string(), back = (dir / "back.json").string();
        REQUIRE(run_cli("convert " + json + " " + bin).code == 0);
        REQUIRE(run_cli("convert " + bin + " " + back).code == 0);
        const Model a = load_model(json), b = load_model(back), c = load_model(bin);
        for (const Model* m : {&b, &c}) {
            const ModelData &x = a.data(), &y = m->data();
            CHECK(x.discount == y.discount);
            CHECK(x.num_states == y.num_states);
            CHECK(x.num_actions == y.num_actions);
            CHECK(x.initial == y.initial);
            CHECK(x.state_begin == y.state_begin);
            CHECK(x.row_action == y.row_action);
            CHECK(std::memcmp(x.row_reward.data(), y.row_reward.data(), x.row_reward.size() * sizeof(double)) == 0);
            CHECK(x.row_begin == y.row_begin);
            CHECK(x.transitions == y.transitions);
            if (names) {
                CHECK(x.state_names == y.state_names);
                CHECK(x.action_names == y.action_names);
                CHECK(x.next_reward == y.next_reward);
            }
        }
        const auto py = std::system((python() + " " + source_path("tests/reference/read_binary.py") + " " + json + " " + bin + " > /dev/null").c_str());
        CHECK(py == 0);
    }
    // Solving the binary file gives the JSON's V bit for bit (values printed in full precision).
    const std::string json = source_path("mdps/frozenlake8x8.json"), bin = (dir / ("lake." + ext)).string();
    REQUIRE(run_cli("convert " + json + " " + bin).code == 0);
    for (const char* alpha : {"0", "1"}) {
        const auto x = run_cli(std::string("solve ") + json + " --alpha " + alpha + " --json -");
        const auto y = run_cli(std::string("solve ") + bin + " --alpha " + alpha + " --json -");
        REQUIRE(x.code == 0);
        REQUIRE(y.code == 0);
        CHECK(nlohmann::json::parse(x.out)["values"] == nlohmann::json::parse(y.out)["values"]);
    }
}

// Solves the dense S x S system A x = b (row-major A) by Gaussian elimination with partial pivoting:
// the independent reference the solver tests compare against.
inline std::vector<double> dense_solve(std::vector<double> A, std::vector<double> b) {
    const std::size_t S = b.size();
    for (std::size_t c = 0; c < S; ++c) {
        std::size_t piv = c;
        for (std::size_t r = c + 1; r < S; ++r)
            if (std::abs(A[r * S + c]) > std::abs(A[piv * S + c])) piv = r;
        for (std::size_t k = 0; k < S; ++k) std::swap(A[c * S + k], A[piv * S + k]);
        std::swap(b[c], b[piv]);
        for (std::size_t r = c + 1; r < S; ++r) {
            const double factor = A[r * S + c] / A[c * S + c];
            for (std::size_t k = c; k < S; ++k) A[r * S + k] -= factor * A[c * S + k];
            b[r] -= factor * b[c];
        }
    }
    for (std::size_t c = S; c-- > 0;) {
        for (std::size_t k = c + 1; k < S; ++k) b[c] -= A[c * S + k] * b[k];
        b[c] /= A[c * S + c];
    }
    return b;
}

}  // namespace softmdp::test
