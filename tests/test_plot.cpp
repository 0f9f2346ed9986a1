// Pictures: gnuplot writes a real PNG of the requested size; data and script are always written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/plot.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {
// Width and height from a PNG's IHDR chunk (bytes 16..23), or (0, 0) if the file is not a PNG.
std::pair<unsigned, unsigned> png_size(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    unsigned char h[24] = {};
    in.read(reinterpret_cast<char*>(h), 24);
    const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!in || !std::equal(sig, sig + 8, h)) return {0, 0};
    const auto be = [&](int i) { return (unsigned(h[i]) << 24) | (unsigned(h[i + 1]) << 16) | (unsigned(h[i + 2]) << 8) | h[i + 3]; };
    return {be(16), be(20)};
}
}  // namespace

TEST_CASE("plot_grid draws a PNG heatmap of a grid-shaped MDP") {
    const Model m = test::example("frozenlake4x4.json");
    const auto sol = solve(m, "soft-pi", 0.05);
    const auto dir = test::temp_dir("plot");
    const auto out = (dir / "lake.png").string();
    const auto o = plot_grid(m, sol, out);
    CHECK(std::filesystem::exists(out + ".dat"));
    CHECK(std::filesystem::exists(out + ".gp"));
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
        CHECK_FALSE(o.drawn);
        CHECK(o.message.find("gnuplot is not installed") != std::string::npos);
        return;
    }
    CHECK(o.drawn);
    CHECK(png_size(out) == std::pair<unsigned, unsigned>{900, 700});
    CHECK_THROWS_AS(plot_grid(test::example("chain2.json"), solve(test::example("chain2.json"), "pi", 0.0), out), UsageError);
    CHECK_THROWS_AS(plot_grid(m, sol, (dir / "lake.jpg").string()), UsageError);
    // Through the CLI, a model without a grid is refused before solving.
    const auto r = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --plot " + out);
    CHECK(r.code == 2);
    CHECK(r.out.empty());  // nothing solved, no table
    CHECK(r.err.find("--plot needs a grid-shaped MDP") != std::string::npos);
}

TEST_CASE("a grid with zero rows or columns, or whose rows x cols wraps, is refused before plotting") {
    // Formerly validated, then solve --plot died of SIGFPE (s % 0) in plot_grid.
    const auto dir = test::temp_dir("plot-grid0");
    for (const char* file : {"grid_zero_cols.json", "grid_overflow.json"}) {
        CAPTURE(file);
        const auto r = test::run_cli("solve " + test::source_path(std::string("tests/bad/") + file) + " --plot " + (dir / "g.png").string());
        CHECK(r.code == 2);
        CHECK(r.err.find("field 'grid") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(dir / "g.png.dat"));
    // A Model built around the builder holds the same invariant.
    ModelData d = test::example("chain2.json").data();
    d.grid_rows = 2;
    d.grid_cols = 0;
    CHECK_THROWS_AS(Model{d}, InvalidArgument);
    d.grid_rows = (std::size_t{1} << 63) + 1;
    d.grid_cols = 2;
    CHECK_THROWS_AS(Model{d}, InvalidArgument);
    d.grid_rows = 1;
    CHECK_NOTHROW(Model{d});
}

TEST_CASE("sweep --plot and sample --plot through the CLI") {
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return;
    const auto dir = test::temp_dir("plot-cli");
    const auto sweep = (dir / "sweep.svg").string();
    REQUIRE(test::run_cli("sweep " + test::source_path("mdps/riverswim.json") + " --alpha-min 0.01 --alpha-max 1 --points 3 --log --quiet --plot " + sweep).code == 0);
    std::ifstream in(sweep);
    std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(svg.find("<svg") != std::string::npos);
    const auto png = (dir / "particles.png").string();
    REQUIRE(test::run_cli("sample " + test::source_path("mdps/multigoal.json") + " --state center --alpha 0.1 --particles 50 --steps 50 --quiet --plot " + png).code == 0);
    CHECK(png_size(png) == std::pair<unsigned, unsigned>{900, 700});
}

namespace {
// Sets PATH for the commands run by this test (run_cli inherits it) and restores it after.
struct PathOverride {
    std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
    explicit PathOverride(const std::string& path) { ::setenv("PATH", path.c_str(), 1); }
    ~PathOverride() { ::setenv("PATH", saved.c_str(), 1); }
};

std::string slurp_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool has_temp_files(const std::filesystem::path& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
    return false;
}
}  // namespace

TEST_CASE("a failed plot exits 3 with the reason and leaves the earlier picture untouched") {
    const auto dir = test::temp_dir("plot-fail");
    const auto bin = dir / "bin";
    std::filesystem::create_directories(bin);
    const auto fake = [&](const std::string& body) {
        test::write_file(bin / "gnuplot", "#!/bin/sh\n" + body + "\n");
        std::filesystem::permissions(bin / "gnuplot", std::filesystem::perms::owner_all);
    };
    const PathOverride path(bin.string() + ":" + std::string(std::getenv("PATH")));
    const std::string out = (dir / "sweep.png").string();
    const std::string cmd = "sweep " + test::source_path("mdps/chain2.json") + " --alpha-min 0.1 --alpha-max 1 --points 2 --quiet --plot " + out;
    fake("echo 'line 3: undefined variable: nonsense' >&2; exit 1");
    test::write_file(out, "earlier picture");
    const auto r = test::run_cli(cmd);
    CHECK(r.code == 3);
    CHECK(r.err.find("gnuplot failed (exit status 1)") != std::string::npos);
    CHECK(r.err.find("undefined variable: nonsense") != std::string::npos);
    CHECK(slurp_file(out) == "earlier picture");
    CHECK_FALSE(has_temp_files(dir));
    // gnuplot that exits 0 without drawing anything: still a failure.
    fake("exit 0");
    const auto empty = test::run_cli(cmd);
    CHECK(empty.code == 3);
    CHECK(empty.err.find("gnuplot exited 0 but wrote nothing") != std::string::npos);
    CHECK(slurp_file(out) == "earlier picture");
    CHECK_FALSE(has_temp_files(dir));
    // The picture goes to the temporary file named by `outfile`, never to OUT itself.
    fake("echo \"$2\" > " + (dir / "args.txt").string() + "; exit 1");
    CHECK(test::run_cli(cmd).code == 3);
    CHECK(slurp_file(dir / "args.txt").rfind("outfile='" + (dir / ".sweep.png.tmp.").string(), 0) == 0);
}

TEST_CASE("without gnuplot: data and script written, no picture, exit 0") {
    const auto dir = test::temp_dir("plot-none");
    std::filesystem::create_directories(dir / "empty");
    const PathOverride path((dir / "empty").string());
    const std::string out = (dir / "s.svg").string();
    const auto r = test::run_cli("sweep " + test::source_path("mdps/chain2.json") + " --alpha-min 0.1 --alpha-max 1 --points 2 --quiet --plot " + out);
    CHECK(r.code == 0);
    CHECK(r.err.find("gnuplot is not installed") != std::string::npos);
    CHECK(std::filesystem::exists(out + ".gp"));
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(has_temp_files(dir));
}

TEST_CASE("plot paths with quotes and spaces; key text is not enhanced") {
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return;
    const auto dir = test::temp_dir("plot-quote") / "it's a dir";
    std::filesystem::create_directories(dir);
    const auto out = dir / "J's \"sweep\".svg";
    const auto r = test::run_cli("sweep " + test::source_path("mdps/riverswim.json") +
                                 " --alpha-min 0.01 --alpha-max 1 --points 3 --log --quiet --plot '" +
                                 std::regex_replace(out.string(), std::regex("'"), "'\\''") + "'");
    REQUIRE(r.code == 0);
    const std::string svg = slurp_file(out);
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("J_soft (return + alpha entropy)") != std::string::npos);  // not J with a subscript
    CHECK(slurp_file(out.string() + ".gp").find("it''s a dir") != std::string::npos);
    CHECK_FALSE(has_temp_files(dir));
    // The script redraws the picture by hand too (outfile defaults to OUT).
    std::filesystem::remove(out);
    CHECK(std::system(("gnuplot '" + std::regex_replace(out.string(), std::regex("'"), "'\\''") + ".gp' 2>/dev/null").c_str()) == 0);
    CHECK(std::filesystem::file_size(out) > 0);
}

TEST_CASE("comparable_ranges: one y axis only for curves of comparable spread") {
    const std::vector<double> j{2.8, 2.9, 13.9}, hard{2.8, 2.7, 0.05};
    CHECK(comparable_ranges(j, hard));
    const std::vector<double> big{100.0, 150.0, 400.0}, small{1.0, 0.9, 0.5};
    CHECK_FALSE(comparable_ranges(big, small));  // the small curve would be a flat line at the bottom
    const std::vector<double> flat{1.0, 1.0, 1.0};
    CHECK(comparable_ranges(big, flat));
    CHECK(comparable_ranges(std::vector<double>{}, small));
}

TEST_CASE("a gnuplot that never exits is killed at the time limit (SOFTMDP_GNUPLOT_TIMEOUT)") {
    // Formerly --plot waited for it for ever. A fake gnuplot first on PATH records its pid and sleeps.
    const auto dir = test::temp_dir("plot-hang");
    const std::string path = test::put_hanging_gnuplot_first(dir);
    ::setenv("SOFTMDP_GNUPLOT_TIMEOUT", "0.5", 1);
    const Model m = test::example("frozenlake4x4.json");
    const auto sol = solve(m, "vi", 0.0);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(plot_grid(m, sol, (dir / "lake.png").string()), doctest::Contains("gnuplot did not finish within 0.5 s and was killed"),
                         IoError);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::setenv("PATH", path.c_str(), 1);
    ::unsetenv("SOFTMDP_GNUPLOT_TIMEOUT");
    CHECK(seconds < 5.0);
    CHECK_FALSE(std::filesystem::exists(dir / "lake.png"));
    const pid_t pid = std::stoi(test::read_file(dir / "pid"));
    CHECK((::kill(pid, 0) == -1 && errno == ESRCH));  // killed and reaped
    // One that closes its output first and then hangs is held to the same limit.
    test::write_file(dir / "gnuplot", "#!/bin/sh\nexec >/dev/null 2>&1\nexec sleep 30\n");
    ::setenv("PATH", (dir.string() + ":" + path).c_str(), 1);
    ::setenv("SOFTMDP_GNUPLOT_TIMEOUT", "0.5", 1);
    CHECK_THROWS_WITH_AS(plot_grid(m, sol, (dir / "lake.png").string()), doctest::Contains("did not finish within 0.5 s"), IoError);
    ::setenv("PATH", path.c_str(), 1);
    ::unsetenv("SOFTMDP_GNUPLOT_TIMEOUT");
}
