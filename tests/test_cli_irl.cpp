// CLI: occupancy, simulate, irl — hand-derived values, schemas, exit codes, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

TEST_CASE("occupancy --policy uniform on chain2: the hand-derived visitation, schema and finite horizon") {
    // Uniform on chain2 mixes in one step: x = p0 + 0.9 (1/2, 1/2) * 10 = (5.5, 4.5), d(s,a) = x(s)/2.
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto r = test::run_cli("occupancy " + chain + " --policy uniform --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-occupancy/1");
    CHECK(j["horizon"].is_null());
    CHECK(j["policy_source"] == "uniform");
    CHECK(j["states"][0].get<double>() == doctest::Approx(5.5).epsilon(1e-12));
    CHECK(j["states"][1].get<double>() == doctest::Approx(4.5).epsilon(1e-12));
    CHECK(j["state_actions"][0][1].get<double>() == doctest::Approx(2.75).epsilon(1e-12));
    CHECK(j["total"].get<double>() == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(j["error_bound"].get<double>() <= 1e-8);
    CHECK(j["policy"][1][0].get<double>() == 0.5);
    // Horizon 2: t = 0 at A, t = 1 half and half discounted by 0.9: (1.45, 0.45).
    const auto h = test::run_cli("occupancy " + chain + " --policy uniform --horizon 2 --json -");
    REQUIRE(h.code == 0);
    const json k = json::parse(h.out);
    CHECK(k["horizon"] == 2);
    CHECK(k["states"][0].get<double>() == doctest::Approx(1.45).epsilon(1e-14));
    CHECK(k["states"][1].get<double>() == doctest::Approx(0.45).epsilon(1e-14));
}

TEST_CASE("occupancy: unavailable actions are null, terminal states absorb, d(s) = sum_a d(s,a) elsewhere") {
    const auto r = test::run_cli("occupancy " + test::source_path("mdps/gridworld4x4.json") + " --alpha 0.5 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    double total = 0.0;
    for (std::size_t s = 0; s < j["states"].size(); ++s) {
        total += j["states"][s].get<double>();
        double sum = 0.0;
        bool any = false;
        for (const auto& v : j["state_actions"][s])
            if (!v.is_null()) sum += v.get<double>(), any = true;
        if (any) CHECK(sum == doctest::Approx(j["states"][s].get<double>()).epsilon(1e-12));
    }
    CHECK(total == doctest::Approx(1.0 / (1.0 - j["discount"].get<double>())).epsilon(1e-10));
}

TEST_CASE("simulate: the schema, and the same seed gives the same episodes") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto a = test::run_cli("simulate " + chain + " --alpha 1 --episodes 5 --horizon 7 --seed 3 --json -");
    const auto b = test::run_cli("simulate " + chain + " --alpha 1 --episodes 5 --horizon 7 --seed 3 --json -");
    const auto c = test::run_cli("simulate " + chain + " --alpha 1 --episodes 5 --horizon 7 --seed 4 --json -");
    REQUIRE(a.code == 0);
    const json j = json::parse(a.out);
    CHECK(j["format"] == "softmdp-trajectories/1");
    CHECK(j["trajectories"].size() == 5);
    CHECK(j["trajectories"][0]["states"].size() == 7);
    CHECK(j["trajectories"][0]["states"][0] == 0);  // p0 is all on A
    CHECK(json::parse(b.out)["trajectories"] == j["trajectories"]);
    CHECK(json::parse(c.out)["trajectories"] != j["trajectories"]);
}

TEST_CASE("simulate -> irl: the curve's log-likelihood never decreases and the gap closes") {
    const auto dir = test::temp_dir("cli-irl");
    const std::string grid = test::source_path("mdps/gridworld4x4.json"), demos = (dir / "demos.json").string();
    REQUIRE(test::run_cli("simulate " + grid + " --alpha 0.5 --episodes 200 --horizon 50 --seed 1 --json " + demos).code == 0);
    const auto r = test::run_cli("irl " + grid + " --demonstrations " + demos + " --alpha 0.5 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-irl/1");
    CHECK(j["converged"] == true);
    const auto& curve = j["curve"];
    REQUIRE(curve.size() > 2);
    for (std::size_t i = 1; i < curve.size(); ++i) CHECK(curve[i]["log_likelihood"].get<double>() >= curve[i - 1]["log_likelihood"].get<double>());
    CHECK(curve.back()["feature_gap"].get<double>() < 1e-3 * curve.front()["feature_gap"].get<double>());
    CHECK(j["reward"].size() == j["states"].size());
    // An iteration cap below what it needs: the result is written and the exit code is 4.
    const auto capped = test::run_cli("irl " + grid + " --demonstrations " + demos + " --irl-iterations 2 --json " + (dir / "capped.json").string());
    CHECK(capped.code == 4);
    CHECK(json::parse(test::read_file(dir / "capped.json"))["converged"] == false);
}

TEST_CASE("occupancy, simulate, irl: bad input and usage exit 2, unreadable files exit 3, nothing written") {
    const auto dir = test::temp_dir("cli-irl-bad");
    const std::string chain = test::source_path("mdps/chain2.json"), out = (dir / "out.json").string();
    test::write_file(dir / "demos.json", R"({"format": "softmdp-trajectories/1", "trajectories": [{"states": [0, 1], "actions": [0, "jump"]}]})");
    test::write_file(dir / "counts.json", R"({"format": "softmdp-trajectories/1", "counts": [[1, 2], [3]]})");
    test::write_file(dir / "features.json", R"({"format": "softmdp-features/1", "per": "state", "features": [[1, 0], [0]]})");
    test::write_file(dir / "good.json", R"({"format": "softmdp-trajectories/1", "trajectories": [[["A", "stay"], ["A", "move"], ["B", "stay"]]]})");
    const struct {
        std::string args;
        int code;
        std::string message;
    } cases[] = {
        {"occupancy " + chain, 2, "give --policy"},
        {"occupancy " + chain + " --alpha 1 --horizon 0", 2, "--horizon"},
        {"occupancy " + chain + " --policy nothere.json", 3, "nothere.json"},
        {"occupancy " + chain + " --alpha -1", 2, "--alpha"},
        {"simulate " + chain + " --alpha 1 --episodes 0", 2, "--episodes"},
        {"simulate " + chain, 2, "give --policy"},
        {"irl " + chain + " --demonstrations " + (dir / "demos.json").string(), 2, "trajectories[0]"},
        {"irl " + chain + " --demonstrations " + (dir / "counts.json").string(), 2, "counts for state B"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --features " + (dir / "features.json").string(), 2, "features for state B"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --alpha 0", 2, "--alpha"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --optimizer newton", 2, "--optimizer"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --horizon 2", 2, "more than the horizon"},
        {"irl " + chain + " --demonstrations " + (dir / "missing.json").string(), 3, "missing.json"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --method vi", 2, "alpha"},
        {"irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --method soft-vi --horizon 3", 2, "--method"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = test::run_cli(c.args + " --json " + out);
        CHECK(r.code == c.code);
        CHECK(r.err.find(c.message) != std::string::npos);
        CHECK(!std::filesystem::exists(out));
    }
    // Names or indices, pairs or states/actions: the good file runs.
    CHECK(test::run_cli("irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --json " + out).code == 0);
    // Another inner solver, the same optimum (to the gradient tolerance's effect on the weights).
    const auto a = test::run_cli("irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --json -");
    const auto b = test::run_cli("irl " + chain + " --demonstrations " + (dir / "good.json").string() + " --method soft-vi --json -");
    REQUIRE(a.code == 0);
    REQUIRE(b.code == 0);
    const json ja = json::parse(a.out), jb = json::parse(b.out);
    for (std::size_t k = 0; k < ja["weights"].size(); ++k)
        CHECK(ja["weights"][k].get<double>() == doctest::Approx(jb["weights"][k].get<double>()).epsilon(1e-4));
}
