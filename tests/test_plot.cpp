// Pictures: gnuplot writes a real PNG of the requested size; data and script are always written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "softmdp/errors.hpp"
#include "softmdp/plot.hpp"
#include "softmdp/solve.hpp"
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
