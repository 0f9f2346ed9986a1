// CLI: learn writes softmdp-learn/1 with a curve that starts at step 0.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "test_helpers.hpp"

using nlohmann::json;
using namespace softmdp;

TEST_CASE("learn --json: schema and reproducibility") {
    const std::string cmd = "learn " + test::source_path("mdps/chain2.json") + " --alpha 1 --steps 5000 --seed 3 --points 5 --json -";
    const auto a = test::run_cli(cmd), b = test::run_cli(cmd);
    REQUIRE(a.code == 0);
    const json j = json::parse(a.out);
    CHECK(j["format"] == "softmdp-learn/1");
    REQUIRE(j["curve"].size() == 6);
    CHECK(j["curve"][0]["step"] == 0);
    CHECK(j["curve"][5]["step"] == 5000);
    CHECK(j["curve"][5]["q_error"].get<double>() < j["curve"][0]["q_error"].get<double>());
    CHECK(a.out == b.out);
    CHECK(test::run_cli("learn " + test::source_path("mdps/chain2.json") + " --behaviour greedy").code == 2);
    CHECK(test::run_cli("learn " + test::source_path("mdps/chain2.json") + " --alpha -1").code == 2);
}
