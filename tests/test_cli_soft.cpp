// CLI: evaluate, compare, sweep — schemas, exit codes, bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "softmdp/loader.hpp"
#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

TEST_CASE("evaluate --policy uniform: the hand-derived chain2 values, both conventions") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const double mid = (0.75 + 0.5 * std::log(2.0)) / 0.1;
    for (const char* conv : {"state", "action"}) {
        const auto r = test::run_cli("evaluate " + chain + " --policy uniform --alpha 0.5 --convention " + conv + " --json -");
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["format"] == "softmdp-result/1");
        CHECK(j["convention"] == conv);
        CHECK(j["values"][0].get<double>() == doctest::Approx(mid - 0.25).epsilon(1e-12));
        CHECK(j["values"][1].get<double>() == doctest::Approx(mid + 0.25).epsilon(1e-12));
        CHECK(j["objective"].get<double>() == doctest::Approx(mid - 0.25).epsilon(1e-12));
    }
}

TEST_CASE("evaluate reads policy files by name and rejects policies of another MDP") {
    const auto dir = test::temp_dir("cli-evaluate");
    const std::string chain = test::source_path("mdps/chain2.json");
    test::write_file(dir / "pi.json", R"({"format": "softmdp-policy/1", "policy": {"A": {"move": 1}, "B": {"stay": 1}}})");
    const auto r = test::run_cli("evaluate " + chain + " --policy " + (dir / "pi.json").string() + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["values"][0].get<double>() == doctest::Approx(18.0));  // the optimal policy, by hand
    test::write_file(dir / "other.json", R"({"format": "softmdp-policy/1", "policy": [[1, 0], [1, 0], [1, 0]]})");
    const auto bad = test::run_cli("evaluate " + chain + " --policy " + (dir / "other.json").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("has 3 states, the model has 2") != std::string::npos);
    test::write_file(dir / "sum.json", R"({"format": "softmdp-policy/1", "policy": [[0.5, 0.4], [1, 0]]})");
    const auto sum = test::run_cli("evaluate " + chain + " --policy " + (dir / "sum.json").string());
    CHECK(sum.code == 2);
    CHECK(sum.err.find("state A") != std::string::npos);
    CHECK(test::run_cli("evaluate " + chain).code == 2);
    CHECK(test::run_cli("evaluate " + chain + " --policy uniform --convention both").code == 2);
    CHECK(test::run_cli("evaluate " + chain + " --policy softmax").code == 2);  // needs alpha > 0
}

TEST_CASE("evaluate --residual: zero soft residual at the soft optimum, positive Boltzmann residual") {
    const auto dir = test::temp_dir("cli-residual");
    const std::string chain = test::source_path("mdps/chain2.json");
    REQUIRE(test::run_cli("solve " + chain + " --alpha 1 --tolerance 1e-12 --json " + (dir / "r.json").string()).code == 0);
    const auto r = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + (dir / "r.json").string() + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-residuals/1");
    CHECK(j["residuals"]["soft"]["v_residual"].get<double>() < 1e-18);
    CHECK(j["residuals"]["soft"]["q_residual"].get<double>() < 1e-18);
    CHECK(j["residuals"]["boltzmann"]["v_residual"].get<double>() > 1e-3);
}

TEST_CASE("compare: JSON holds both results and the bounds hold") {
    const auto r = test::run_cli("compare " + test::source_path("mdps/frozenlake4x4.json") + " --alpha 0.05 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-compare/1");
    CHECK(j["soft"]["format"] == "softmdp-result/1");
    CHECK(j["hard"]["alpha"] == 0.0);
    CHECK(j["soft"]["alpha"] == 0.05);
    const double global = j["global_bound"].get<double>();
    CHECK(global == doctest::Approx(0.05 * std::log(4.0) / 0.01));
    for (std::size_t s = 0; s < 16; ++s) {
        CHECK(j["gap"][s].get<double>() >= -1e-7);
        CHECK(j["gap"][s].get<double>() <= j["gap_bound"][s].get<double>() + 1e-7);
    }
    CHECK(j["soft_policy_hard_return"].get<double>() <= j["j_hard"].get<double>() + 1e-7);
    const auto table = test::run_cli("compare " + test::source_path("mdps/frozenlake4x4.json") + " --alpha 0.05");
    CHECK(table.out.find("hard return of the soft policy") != std::string::npos);
    CHECK(test::run_cli("compare " + test::source_path("mdps/chain2.json")).code == 2);  // --alpha is required
    CHECK(test::run_cli("compare " + test::source_path("mdps/chain2.json") + " --alpha 0").code == 2);
}

TEST_CASE("sweep: table, JSON points, CSV, and bad ranges") {
    const auto dir = test::temp_dir("cli-sweep");
    const std::string river = test::source_path("mdps/riverswim.json");
    const auto r = test::run_cli("sweep " + river + " --alpha-min 0.001 --alpha-max 1 --points 4 --log --json " +
                                 (dir / "s.json").string() + " --csv " + (dir / "s.csv").string());
    REQUIRE(r.code == 0);
    CHECK(r.out.find("hard return") != std::string::npos);
    const json j = read_json_file(dir / "s.json");
    CHECK(j["format"] == "softmdp-sweep/1");
    REQUIRE(j["points"].size() == 4);
    CHECK(j["points"][0]["alpha"].get<double>() == doctest::Approx(0.001));
    CHECK(j["points"][1]["alpha"].get<double>() == doctest::Approx(0.01));
    CHECK(j["points"][3]["alpha"] == 1.0);
    CHECK(j["points"][3]["entropy"].size() == 6);
    const std::string csv(MappedFile(dir / "s.csv").text());
    CHECK(csv.rfind("alpha,j_soft,hard_return", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 1 --alpha-max 0.5").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 0 --alpha-max 1 --log").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min -1 --alpha-max 1").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 0 --alpha-max 1 --points 0").code == 2);
}
