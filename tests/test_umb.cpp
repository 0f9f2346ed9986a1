// UMB (umb.hpp): round trips through softmdp's writer, the spec's own example file (PRISM's export,
// gzip-compressed), compressed copies, and a streamed write.
#include <doctest/doctest.h>

#include "softmdp/io/umb.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("UMB: JSON -> UMB -> JSON is exact on the examples and a Garnet; V bit for bit; the Python reader agrees") {
    test::check_binary_round_trip("umb", true);
}

TEST_CASE("UMB: the spec's example/mdp.umb (PRISM 4.10, gzip) reads as the model in its README") {
    // tests/data/umb_example_mdp.umb is example/mdp.umb of github.com/pmc-tools/umb (commit f7425110).
    // The PRISM model: x=0: [a] 0.5 -> x=1, 0.5 -> x=2; [b] 0.2 -> (2, b=false), 0.8 -> (2, b=true),
    // reward r = 1 on [b]; x=1: [a] 0.9 -> x=0, 0.1 -> x=1; x=2: self loops. It has no discount.
    const std::string file = test::source_path("tests/data/umb_example_mdp.umb");
    const auto r = test::run_cli("info " + file);
    CHECK(r.code == 2);
    CHECK(r.err.find("carries no discount") != std::string::npos);
    BuildOptions options;
    options.discount = 0.9;
    const Model m = load_model(file, options);
    CHECK(m.num_states() == 4);
    CHECK(m.num_rows() == 5);
    CHECK(m.num_transitions() == 8);
    REQUIRE(m.num_actions() == 3);  // #choice-actions: "" (unlabelled, named "0"), "a", "b"
    CHECK(m.action_name(1) == "a");
    CHECK(m.action_name(2) == "b");
    CHECK(std::vector<double>(m.initial().begin(), m.initial().end()) == std::vector<double>{1, 0, 0, 0});
    // State 0's choices come as [b, a] in the file: softmdp orders rows by action.
    REQUIRE(m.num_available(0) == 2);
    CHECK(m.row_action(0) == 1);
    CHECK(m.row_reward(0) == 0.0);
    CHECK(m.transitions(0)[0] == Transition(1, 0.5));
    CHECK(m.transitions(0)[1] == Transition(2, 0.5));
    CHECK(m.row_action(1) == 2);
    CHECK(m.row_reward(1) == 1.0);
    CHECK(m.transitions(1)[0] == Transition(2, 0.2));
    CHECK(m.transitions(1)[1] == Transition(3, 0.8));
    CHECK(m.transitions(2)[0] == Transition(0, 0.9));
    CHECK(m.transitions(4)[0] == Transition(3, 1.0));
    const auto s = test::run_cli("solve " + file + " --discount 0.9 --json -");
    CHECK(s.code == 0);
}

TEST_CASE("UMB: gzip and xz copies read as the tar itself; garbage after a gzip header is exit 2") {
    const auto dir = test::temp_dir("umb-compressed");
    const std::string tar = (dir / "m.umb").string();
    REQUIRE(test::run_cli("convert " + test::source_path("mdps/riverswim.json") + " " + tar).code == 0);
    const std::string py = test::python() + " -c \"import gzip, lzma, sys; d = open(sys.argv[1], 'rb').read(); "
                           "open(sys.argv[2], 'wb').write(gzip.compress(d)); open(sys.argv[3], 'wb').write(lzma.compress(d))\" " +
                           tar + " " + (dir / "gz.umb").string() + " " + (dir / "xz.umb").string();
    REQUIRE(std::system(py.c_str()) == 0);
    const Model a = load_model(tar), b = load_model(dir / "gz.umb"), c = load_model(dir / "xz.umb");
    CHECK(a.data().transitions == b.data().transitions);
    CHECK(a.data().transitions == c.data().transitions);
    CHECK(a.data().row_reward == c.data().row_reward);
    test::write_file(dir / "bad.umb", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) + "not deflate at all");
    const auto r = test::run_cli("validate " + (dir / "bad.umb").string());
    CHECK(r.code == 2);
    CHECK(r.err.find("gzip stream") != std::string::npos);
}

TEST_CASE("binary generate: a Garnet streamed to UMB, PETSc and npz is the Garnet generate writes as JSON") {
    const auto dir = test::temp_dir("umb-generate");
    const std::string args = "generate garnet --states 500 --actions 3 --branching 4 --seed 7 --output ";
    REQUIRE(test::run_cli(args + (dir / "g.json").string()).code == 0);
    const Model a = load_model(dir / "g.json");
    for (const std::string ext : {".umb", ".petsc", ".npz"}) {
        CAPTURE(ext);
        const auto streamed = dir / ("g" + ext), converted = dir / ("c" + ext);
        REQUIRE(test::run_cli(args + streamed.string()).code == 0);
        const Model b = load_model(streamed);
        CHECK(a.discount() == b.discount());
        CHECK(a.data().state_begin == b.data().state_begin);
        CHECK(a.data().row_action == b.data().row_action);
        CHECK(a.data().row_reward == b.data().row_reward);
        CHECK(a.data().row_begin == b.data().row_begin);
        CHECK(a.data().transitions == b.data().transitions);
        CHECK(a.data().initial == b.data().initial);
        // PETSc and npz carry nothing a Garnet lacks: the stream writes the bytes the model writer
        // writes (UMB's model writer adds softmdp's own annotations, e.g. the initial distribution).
        if (ext != ".umb") {
            REQUIRE(test::run_cli("convert " + (dir / "g.json").string() + " " + converted.string()).code == 0);
            CHECK(test::read_file(streamed) == test::read_file(converted));
        }
        const auto v = test::run_cli("validate " + streamed.string());
        CHECK(v.code == 0);
        CHECK(v.out.find(std::string("valid ") + (ext == ".umb" ? "UMB" : ext == ".npz" ? "npz" : "PETSc binary") + " MDP (500 states, 3 actions, 6000 transitions)") !=
              std::string::npos);
    }
}
