// softmdp convert on the command line: PRISM's explicit files both ways, '-' for stdin and stdout,
// the errors a user sees.
#include <doctest/doctest.h>

#include <filesystem>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("convert: softmdp -> PRISM -> softmdp through the CLI keeps the values") {
    const auto dir = test::temp_dir("cli-prism");
    const auto tra = (dir / "lake.tra").string(), back = (dir / "lake.json").string();
    const auto w = test::run_cli("convert " + test::source_path("mdps/frozenlake4x4.json") + " " + tra);
    REQUIRE(w.code == 0);
    CHECK(std::filesystem::exists(dir / "lake.lab"));
    CHECK(std::filesystem::exists(dir / "lake.trew"));  // reaching the goal pays 1
    CHECK_FALSE(std::filesystem::exists(dir / "lake.srew"));
    CHECK(w.err.find("--discount 0.99") != std::string::npos);  // how to read it back
    CHECK(test::read_file(dir / "lake.tra").rfind("16 ", 0) == 0);

    // PRISM files have no discount: without --discount, a usage error naming the option.
    const auto missing = test::run_cli("convert " + tra + " " + back);
    CHECK(missing.code == 2);
    CHECK(missing.err.find("needs --discount") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(back));

    // The option may come before the files.
    REQUIRE(test::run_cli("convert --discount 0.99 " + tra + " " + back).code == 0);
    const Model m = test::example("frozenlake4x4.json"), b = load_model(back);
    CHECK(b.discount() == 0.99);
    const auto x = solve(m, "pi", 0.0), y = solve(b, "pi", 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(std::abs(x.values[s] - y.values[s]) <= 1e-12);
    CHECK(b.action_name(3) == "up");
}

TEST_CASE("convert: bad PRISM files and bad uses exit 2 with file:line and field") {
    const auto dir = test::temp_dir("cli-prism-bad");
    test::write_file(dir / "bad.tra", "2 2 3\n0 0 0 0.5\n0 0 1 0.25\n1 0 0 1\n");
    const auto r = test::run_cli("convert " + (dir / "bad.tra").string() + " " + (dir / "bad.json").string() + " --discount 0.9");
    CHECK(r.code == 2);
    CHECK(r.err.find("bad.tra:2: field 'p': state 0, choice 0: probabilities sum to 0.75") != std::string::npos);
    // --renormalize fixes drift (with a warning), not a quarter missing.
    test::write_file(dir / "drift.tra", "2 2 3\n0 0 0 0.3333333\n0 0 1 0.6666666\n1 0 0 1\n");
    const std::string drift = "convert " + (dir / "drift.tra").string() + " " + (dir / "d.json").string() + " --discount 0.9";
    CHECK(test::run_cli(drift).code == 2);
    const auto fixed = test::run_cli(drift + " --renormalize");
    CHECK(fixed.code == 0);
    CHECK(fixed.err.find("renormalised") != std::string::npos);
    CHECK(test::run_cli("convert " + (dir / "bad.tra").string() + " " + (dir / "bad.json").string() + " --discount 0.9 --renormalize").code == 2);

    test::write_file(dir / "ok.tra", "1 1 1\n0 0 0 1\n");
    const auto ok = (dir / "ok.tra").string();
    CHECK(test::run_cli("convert " + ok + " " + ok + " --discount 0.9").code == 2);  // OUT is IN
    const auto to_stdout = test::run_cli("convert " + test::source_path("mdps/chain2.json") + " - --to prism");
    CHECK(to_stdout.code == 2);
    CHECK(to_stdout.err.find("several files") != std::string::npos);
    const auto bad_discount = test::run_cli("convert " + ok + " " + (dir / "x.json").string() + " --discount 2");
    CHECK(bad_discount.code == 2);
    CHECK(bad_discount.err.find("--discount must be in [0, 1]") != std::string::npos);
    CHECK(test::run_cli("convert " + (dir / "none.tra").string() + " " + (dir / "x.json").string() + " --discount 0.9").code == 3);
}

TEST_CASE("convert: '-' is stdout as OUT and stdin as IN") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto out = test::run_cli("convert " + chain + " -");
    REQUIRE(out.code == 0);
    const Model m = parse_model(out.out, {}, "stdout");
    const Model ref = test::example("chain2.json");
    CHECK(m.num_states() == 2);
    CHECK(solve(m, "pi", 0.0).values[0] == doctest::Approx(solve(ref, "pi", 0.0).values[0]).epsilon(1e-12));

    const auto dir = test::temp_dir("cli-convert-stdin");
    const auto in = test::run_cli("convert - " + (dir / "c.tra").string(), test::read_file(chain));
    REQUIRE(in.code == 0);
    const auto back = test::run_cli("convert " + (dir / "c.tra").string() + " - --discount 0.9");
    REQUIRE(back.code == 0);
    CHECK(objective(parse_model(back.out), solve(parse_model(back.out), "pi", 0.0).values) ==
          doctest::Approx(objective(ref, solve(ref, "pi", 0.0).values)).epsilon(1e-12));
    // Both at once, with an option between them.
    const auto pipe = test::run_cli("convert - --to cassandra -", test::read_file(chain));
    CHECK(pipe.code == 0);
    CHECK(pipe.out.find("discount: 0.9") != std::string::npos);
    // Input errors on stdin are named as such.
    const auto bad = test::run_cli("convert - -", "{\"format\": \"softmdp/1\"}");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("<stdin>") != std::string::npos);
}

TEST_CASE("binary models through a pipe: told by their magic bytes, not refused as text; /dev/zero still is") {
    // A stream is checked as text (first byte '{', no NUL) unless its first 512 bytes carry a binary
    // model's magic bytes: PETSc's start with a NUL byte, UMB's with a tar header, npz's with "PK".
    const auto dir = test::temp_dir("cli-binary-pipe");
    const std::string src = test::source_path("mdps/frozenlake4x4.json");
    const auto direct = test::run_cli("solve " + src + " --json - --quiet");
    REQUIRE(direct.code == 0);
    const auto expected = nlohmann::json::parse(direct.out)["values"];
    for (const char* ext : {"umb", "petsc", "npz"}) {
        CAPTURE(ext);
        const std::string bin = (dir / (std::string("lake.") + ext)).string();
        REQUIRE(test::run_cli("convert " + src + " " + bin).code == 0);
        // Through a real pipe (a redirected regular file would be mapped, not streamed).
        const auto piped = test::run_cli("--version >/dev/null; sh -c 'cat " + bin + " | " + SOFTMDP_BINARY + " solve /dev/stdin --json - --quiet'");
        CHECK(piped.code == 0);
        CHECK(nlohmann::json::parse(piped.out)["values"] == expected);
    }
    const auto zero = test::run_cli("--version >/dev/null; sh -c 'head -c 1000 /dev/zero | " + std::string(SOFTMDP_BINARY) + " validate /dev/stdin'");
    CHECK(zero.code == 2);
    CHECK(zero.err.find("starts with byte 0x00") != std::string::npos);
}
