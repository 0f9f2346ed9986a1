// The CLI: info, validate, solve — exit codes, JSON schema fields, names in the output.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "softmdp/io/loader.hpp"
#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

TEST_CASE("solve --json - writes a softmdp-result/1 with the documented fields") {
    const auto r = test::run_cli("solve " + test::source_path("mdps/frozenlake8x8.json") + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-result/1");
    for (const char* key : {"method", "alpha", "discount", "converged", "iterations", "error_bound", "seconds", "states",
                            "actions", "values", "q", "policy", "objective", "entropy", "greedy"})
        CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["alpha"] == 0.0);
    CHECK(j["converged"] == true);
    CHECK(j["states"].size() == 64);
    CHECK(j["states"][0] == "r0c0");
    CHECK(j["actions"] == json({"left", "down", "right", "up"}));
    CHECK(j["values"].size() == 64);
    CHECK(j["q"][0].size() == 4);
    CHECK(j["q"][63] == json({nullptr, nullptr, nullptr, nullptr}));  // the goal is terminal
    CHECK(j["policy"][63] == json({0, 0, 0, 0}));
    CHECK(j["error_bound"].get<double>() <= 1e-8);
    // Known value (FrozenLake 8x8 slippery, gamma 0.99), from tests/reference/solve_mdp.py.
    CHECK(j["values"][0].get<double>() == doctest::Approx(0.4146403617999851).epsilon(1e-8));
    double objective = j["values"][0].get<double>();  // initial: all mass on r0c0
    CHECK(j["objective"].get<double>() == doctest::Approx(objective).epsilon(1e-15));
}

TEST_CASE("solve prints a table with state and action names") {
    const auto r = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --method pi");
    REQUIRE(r.code == 0);
    CHECK(r.out.find("converged") != std::string::npos);
    CHECK(r.out.find("A                              18  move") != std::string::npos);
    CHECK(r.out.find("B                              20  stay") != std::string::npos);
}

TEST_CASE("solve --alpha uses a soft method and writes a stochastic policy") {
    const auto r = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --alpha 1 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["alpha"] == 1.0);
    CHECK(j["method"].get<std::string>().rfind("soft-", 0) == 0);
    const double p = j["policy"][0][0].get<double>();
    CHECK(p > 0.0);
    CHECK(p < 1.0);
    CHECK(j["entropy"][0].get<double>() > 0.0);
}

TEST_CASE("exit codes: 0 ok, 2 invalid input or usage, 3 I/O, 4 not converged with the result written") {
    const std::string chain = test::source_path("mdps/chain2.json");
    CHECK(test::run_cli("validate " + chain).code == 0);
    CHECK(test::run_cli("info " + chain).code == 0);
    CHECK(test::run_cli("").code == 2);
    CHECK(test::run_cli("frobnicate").code == 2);
    CHECK(test::run_cli("solve").code == 2);
    CHECK(test::run_cli("solve " + chain + " --bogus").code == 2);
    CHECK(test::run_cli("solve " + chain + " --alpha -1").code == 2);
    CHECK(test::run_cli("solve " + chain + " --alpha nan").code == 2);
    CHECK(test::run_cli("solve " + chain + " --tolerance 0").code == 2);
    CHECK(test::run_cli("solve " + chain + " --method vi --alpha 1").code == 2);
    CHECK(test::run_cli("solve /nonexistent.json").code == 3);

    const auto dir = test::temp_dir("cli-solve");
    test::write_file(dir / "bad.json", R"({"format": "softmdp/1", "discount": 2, "states": 1, "actions": 1})");
    const auto bad = test::run_cli("validate " + (dir / "bad.json").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("bad.json:1: field 'discount': discount must be in [0, 1], got 2") != std::string::npos);

    const auto out = dir / "partial.json";
    const auto r = test::run_cli("solve " + chain + " --method vi --max-iterations 3 --json " + out.string());
    CHECK(r.code == 4);
    CHECK(r.err.find("not converged") != std::string::npos);
    const json j = read_json_file(out);
    CHECK(j["converged"] == false);
    CHECK(j["iterations"] == 3);
    // From V = 0, three sweeps of chain2 give V_3(B) = 2 (1 + 0.9 + 0.81) = 5.42 before the MacQueen
    // midpoint moves it; the bound must still cover V*(B) = 20.
    CHECK(std::abs(j["values"][1].get<double>() - 20.0) <= j["error_bound"].get<double>());
}

TEST_CASE("--help on every command, with examples") {
    for (const char* cmd : {"solve", "info", "validate", "evaluate", "compare", "sweep", "estimate", "sample", "learn", "generate"}) {
        const auto r = test::run_cli(std::string(cmd) + " --help");
        CAPTURE(cmd);
        CHECK(r.code == 0);
        CHECK(r.out.find("usage: softmdp") != std::string::npos);
        CHECK(r.out.find("examples:") != std::string::npos);
        CHECK(r.out.find("--json") != std::string::npos);  // every command can write JSON
    }
    const auto top = test::run_cli("--help");
    CHECK(top.code == 0);
    CHECK(top.out.find("solve") != std::string::npos);
}

TEST_CASE("validate --json reports valid and invalid files") {
    const auto ok = test::run_cli("validate " + test::source_path("mdps/chain2.json") + " --json -");
    CHECK(ok.code == 0);
    CHECK(json::parse(ok.out)["valid"] == true);
    const auto bad = test::run_cli("validate " + test::source_path("tests/bad/sum_half.json") + " --json -");
    CHECK(bad.code == 2);
    const json j = json::parse(bad.out);
    CHECK(j["format"] == "softmdp-validation/1");
    CHECK(j["valid"] == false);
    CHECK(j["error"].get<std::string>().find("probabilities sum to 0.5") != std::string::npos);
}

TEST_CASE("info --json") {
    const auto r = test::run_cli("info " + test::source_path("mdps/frozenlake4x4.json") + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);  // the JSON alone, no table before it
    CHECK(j["format"] == "softmdp-info/1");
    CHECK(j["action_space"] == "discrete");
    CHECK(j["states"] == 16);
    CHECK(j["terminal"] == 5);  // 4 holes and the goal
    CHECK(j["transitions"] == 128);
}

TEST_CASE("info describes continuous-action files") {
    const auto r = test::run_cli("info " + test::source_path("mdps/multigoal.json") + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-info/1");
    CHECK(j["action_space"] == "continuous");
    CHECK(j["states"] == 2);
    CHECK(j["dimension"] == 2);
    CHECK(j["low"] == json({-1.0, -1.0}));
    CHECK(j["high"] == json({1.0, 1.0}));
    CHECK(j["anchors"] == 9);
    CHECK(j["terminal"] == 1);
    CHECK(j["bandwidth"] == 0.2);
    CHECK(j["action_cost"] == 0.1);
    CHECK(j["discount"] == 0.9);
    const auto table = test::run_cli("info " + test::source_path("mdps/multigoal.json"));
    CHECK(table.code == 0);
    CHECK(table.out.find("actions      continuous, 2-dimensional") != std::string::npos);
    CHECK(table.out.find("box          [-1, 1] x [-1, 1]") != std::string::npos);
}

TEST_CASE("--init warm-starts from a result and refuses a result of another MDP") {
    const auto dir = test::temp_dir("cli-init");
    const std::string fl = test::source_path("mdps/frozenlake4x4.json");
    REQUIRE(test::run_cli("solve " + fl + " --json " + (dir / "r.json").string()).code == 0);
    const auto warm = test::run_cli("solve " + fl + " --method vi --init " + (dir / "r.json").string() + " --json -");
    REQUIRE(warm.code == 0);
    const auto cold = test::run_cli("solve " + fl + " --method vi --json -");
    REQUIRE(cold.code == 0);
    CHECK(5 * json::parse(warm.out)["iterations"].get<int>() < json::parse(cold.out)["iterations"].get<int>());
    const auto other = test::run_cli("solve " + test::source_path("mdps/chain2.json") + " --init " + (dir / "r.json").string());
    CHECK(other.code == 2);
    CHECK(other.err.find("has 16 values, the model has 2 states") != std::string::npos);
}

TEST_CASE("solve --method soft-ipi/ipi: --stats and the result report outer, inner and matrix-vector counts") {
    const std::string grid = test::source_path("mdps/gridworld4x4.json");
    for (const char* krylov : {"bicgstab", "gmres"}) {
        CAPTURE(krylov);
        const auto r = test::run_cli("solve " + grid + " --method soft-ipi --alpha 0.5 --json - --stats --krylov " + krylov);
        REQUIRE(r.code == 0);
        const auto j = json::parse(r.out);
        CHECK(j["method"] == "soft-ipi");
        CHECK(j["inner_iterations"].get<std::uint64_t>() > 0);
        CHECK(j["matvecs"].get<std::uint64_t>() >= j["inner_iterations"].get<std::uint64_t>());
        CHECK(r.err.find(" outer iterations, ") != std::string::npos);
        CHECK(r.err.find(" inner Krylov iterations, ") != std::string::npos);
        CHECK(r.err.find(" matrix-vector products") != std::string::npos);
    }
    CHECK(test::run_cli("solve " + grid + " --method ipi --preconditioner-sweeps 0").code == 0);
    const auto bad = test::run_cli("solve " + grid + " --method ipi --krylov cg");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("--krylov must be gmres or bicgstab") != std::string::npos);
    // Methods without Krylov solves write no such fields.
    CHECK(!json::parse(test::run_cli("solve " + grid + " --method vi --json -").out).contains("matvecs"));
}

// AddressSanitizer's shadow memory and quarantine inflate RSS several-fold: the plain build checks this.
TEST_CASE("solve's peak memory on a 10^6-transition UMB Garnet: the CSR arrays and O(S) vectors, no per-row tables" * doctest::skip(test::kSanitized)) {
    // Not a timing test: peak RSS from --stats, less that of a solve of a 2-state model (the
    // program, its libraries and buffers), against what the solve must hold: the model's CSR arrays
    // and five vectors of S doubles (V and V' of the sweeps, p0, and the document's entropy and
    // greedy actions), plus 1 MiB for allocator and page rounding. Q and policy tables (16 bytes per
    // row, 3.05 MiB here) would not fit in that: the documents recompute them per state.
    const auto dir = test::temp_dir("solve-memory");
    const std::string umb = (dir / "g.umb").string();
    REQUIRE(test::run_cli("generate garnet --states 50000 --actions 4 --branching 5 --seed 1 --output " + umb).code == 0);
    struct Peak {
        double rss = 0.0, csr = 0.0;  // MiB
    };
    const auto peak = [&](const std::string& file) {
        const auto r = test::run_cli("solve " + file + " --alpha 1 --method soft-vi --stats --json " + (dir / "r.json").string());
        REQUIRE(r.code == 0);
        Peak p;
        const auto at = r.err.find("peak RSS ");
        REQUIRE(at != std::string::npos);
        p.rss = std::stod(r.err.substr(at + 9));
        p.csr = std::stod(r.err.substr(r.err.find("CSR ", at) + 4));
        return p;
    };
    const Peak base = peak(test::source_path("mdps/chain2.json")), big = peak(umb);
    const double S = 50000, mib = 1024.0 * 1024.0;
    CHECK(big.csr == doctest::Approx((S * 8 + 4 * S * (4 + 8 + 8) + 20 * S * 12) / mib).epsilon(0.01));  // state_begin, rows, transitions (printed to 0.1 MiB)
    const double allowed = big.csr + 5 * S * 8 / mib + 1.0;
    CAPTURE(big.rss);
    CAPTURE(base.rss);
    CHECK(big.rss - base.rss <= allowed);
    CHECK(big.rss - base.rss <= 1.2 * big.csr);  // the target of issue 16
}
