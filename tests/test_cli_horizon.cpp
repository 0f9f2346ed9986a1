// CLI: solve/evaluate --horizon H [--terminal V.json] — values hand-derived on chain2, the
// softmdp-result/1 per-time fields, exit codes and messages of bad horizons and options.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

namespace {
double lse2(double x, double y) { return std::log(std::exp(x) + std::exp(y)); }  // alpha = 1
}  // namespace

TEST_CASE("solve --horizon 2 on chain2: V_t, Q_t and pi_t by hand, with and without --terminal") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto r = test::run_cli("solve " + chain + " --alpha 1 --horizon 2 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-result/1");
    CHECK(j["method"] == "backward-induction");
    CHECK(j["horizon"] == 2);
    CHECK(j["converged"] == true);
    CHECK(j["error_bound"].is_null());
    REQUIRE(j["values_by_time"].size() == 3);
    REQUIRE(j["q_by_time"].size() == 2);
    REQUIRE(j["policy_by_time"].size() == 2);
    // t = 1: Q_1(A) = (1, 0), Q_1(B) = (2, 0); t = 0: Q_0(A) = (1 + 0.9 V_1(A), 0.9 V_1(B)).
    const double V1A = lse2(1, 0), V1B = lse2(2, 0), V0A = lse2(1 + 0.9 * V1A, 0.9 * V1B);
    CHECK(j["values_by_time"][1][0].get<double>() == doctest::Approx(V1A).epsilon(1e-14));
    CHECK(j["values_by_time"][1][1].get<double>() == doctest::Approx(V1B).epsilon(1e-14));
    CHECK(j["values_by_time"][2][0].get<double>() == 0.0);
    CHECK(j["values"][0].get<double>() == doctest::Approx(V0A).epsilon(1e-14));
    CHECK(j["values"] == j["values_by_time"][0]);
    CHECK(j["q"] == j["q_by_time"][0]);
    CHECK(j["policy"] == j["policy_by_time"][0]);
    CHECK(j["objective"].get<double>() == doctest::Approx(V0A).epsilon(1e-14));  // p0 = A
    CHECK(j["q_by_time"][0][0][1].get<double>() == doctest::Approx(0.9 * V1B).epsilon(1e-14));
    CHECK(j["policy_by_time"][1][1][0].get<double>() == doctest::Approx(std::exp(2 - V1B)).epsilon(1e-14));

    // Terminal values V_2 = (1, -1) from a softmdp-result/1 file.
    const auto dir = test::temp_dir("horizon-terminal");
    const std::string term = (dir / "v.json").string();
    test::write_file(term, R"({"format": "softmdp-result/1", "states": ["A", "B"], "values": [1, -1]})");
    const auto t = test::run_cli("solve " + chain + " --alpha 1 --horizon 2 --terminal " + term + " --json -");
    REQUIRE(t.code == 0);
    const json k = json::parse(t.out);
    CHECK(k["values_by_time"][2] == json::array({1.0, -1.0}));
    CHECK(k["values_by_time"][1][0].get<double>() == doctest::Approx(lse2(1 + 0.9, -0.9)).epsilon(1e-14));
    // Hard: V_1 = (1, 2), V_0(A) = max(1 + 0.9, 0.9 * 2), greedy in the table.
    const auto h = test::run_cli("solve " + chain + " --horizon 2 --json -");
    REQUIRE(h.code == 0);
    CHECK(json::parse(h.out)["values"][0].get<double>() == doctest::Approx(1.9).epsilon(1e-15));
    const auto text = test::run_cli("solve " + chain + " --horizon 2");
    CHECK(text.code == 0);
    CHECK(text.out.find("backward-induction (alpha 0) over horizon 2") != std::string::npos);
    const auto csv = test::run_cli("solve " + chain + " --alpha 1 --horizon 2 --format csv");
    CHECK(csv.code == 0);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 1 + 3 * 2);  // header + (H + 1) x S rows
}

TEST_CASE("evaluate --policy uniform --horizon 2 on chain2: the hand-derived soft evaluation") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto r = test::run_cli("evaluate " + chain + " --policy uniform --alpha 1 --horizon 2 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["method"] == "evaluate-finite-horizon-state");
    CHECK(j["convention"] == "state");
    // V_t(s) = mean_a Q_t(s,a) + log 2: V_1 = (0.5 + log 2, 1 + log 2).
    const double l2 = std::log(2.0), V1A = 0.5 + l2, V1B = 1.0 + l2;
    const double V0A = 0.5 * (1 + 0.9 * V1A) + 0.5 * 0.9 * V1B + l2, V0B = 0.5 * (2 + 0.9 * V1B) + 0.5 * 0.9 * V1A + l2;
    CHECK(j["values"][0].get<double>() == doctest::Approx(V0A).epsilon(1e-14));
    CHECK(j["values"][1].get<double>() == doctest::Approx(V0B).epsilon(1e-14));
    CHECK(j["policy_by_time"][1][0][0].get<double>() == 0.5);
}

TEST_CASE("--horizon: bad values and options that do not apply exit 2 with a clear message") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto expect = [](const std::string& args, const std::string& message) {
        CAPTURE(args);
        const auto r = test::run_cli(args);
        CHECK(r.code == 2);
        CHECK(r.err.find(message) != std::string::npos);
        CHECK(r.out.empty());
    };
    expect("solve " + chain + " --horizon 0", "--horizon must be in 1..1000000000, got 0");
    expect("solve " + chain + " --horizon -3", "--horizon");
    expect("solve " + chain + " --horizon 100000000000", "--horizon must be in 1..1000000000");
    expect("solve " + chain + " --horizon x", "--horizon");
    expect("solve " + chain + " --alpha 1 --horizon 1000000000", "--horizon 1000000000 needs");  // 82 GB of tables
    expect("solve " + chain + " --alpha 1 --horizon 3 --method soft-vi", "--method does not apply with --horizon");
    expect("solve " + chain + " --horizon 3 --tolerance 1e-3", "--tolerance does not apply with --horizon");
    expect("solve " + chain + " --horizon 3 --threads -3", "--threads must be >= 0");
    expect("solve " + chain + " --terminal v.json", "--terminal gives the values at the end of a finite horizon");
    expect("solve " + test::source_path("mdps/continuous1d.json") + " --alpha 1 --horizon 3", "--horizon applies to discrete MDPs only");
    expect("evaluate " + chain + " --policy uniform --horizon 3 --convention action", "state convention only");
    expect("evaluate " + chain + " --policy uniform --horizon 3 --iterative", "--iterative does not apply with --horizon");
    expect("occupancy " + chain + " --policy uniform --horizon 0", "--horizon must be in 1..");
    expect("irl " + chain + " --demonstrations d.json --horizon 0", "--horizon must be in 1..");
    const auto missing = test::run_cli("solve " + chain + " --horizon 2 --terminal /nonexistent/v.json");
    CHECK(missing.code == 3);
}
