// Policies: built-ins and softmdp-policy/1 files, including inputs the fuzzer found.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/core/errors.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/io/result.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/q_table_reader.hpp"
#include "softmdp/io/policy_reader.hpp"

using namespace softmdp;

TEST_CASE("built-in policies") {
    const Model m = test::example("frozenlake4x4.json");
    const auto u = uniform_policy(m);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) CHECK(u[r] == 0.25);
    std::vector<double> q(m.num_rows(), 0.0);
    q[m.row_first(0) + 2] = 1.0;
    const auto g = greedy_policy(m, q);
    CHECK(g[m.row_first(0) + 2] == 1.0);
    const auto sm = softmax_policy(m, q, 1.0);
    CHECK(sm[m.row_first(0) + 2] == doctest::Approx(std::exp(1.0) / (3.0 + std::exp(1.0))));
}

TEST_CASE("policy, result and Q-table readers reject malformed files with a message, never crash") {
    const Model m = test::example("chain2.json");
    const auto dir = test::temp_dir("readers");
    const auto file = dir / "f.json";
    const char* bad[] = {
        R"({"format": 1, "policy": []})",  // found by fuzz_readers: a non-string format
        R"({"format": "softmdp-policy/1"})",
        R"({"format": "softmdp-policy/1", "policy": 3})",
        R"({"format": "softmdp-policy/1", "policy": [[1, 0], "x"]})",
        R"({"format": "softmdp-policy/1", "policy": {"Q": [1, 0]}})",
        R"({"format": "softmdp-policy/1", "policy": [{"fly": 1}, [1, 0]]})",
        R"({"format": "softmdp-policy/1", "policy": [[1e999, 0], [1, 0]]})",
        "[1, 2",
    };
    for (const char* text : bad) {
        test::write_file(file, text);
        CAPTURE(text);
        CHECK_THROWS_AS(read_policy(file, m), InputError);
        CHECK_THROWS_AS(read_result_values(file, m), InputError);
        CHECK_THROWS_AS(read_q_table(file, m), InputError);
    }
    test::write_file(file, R"({"format": "softmdp-policy/1", "policy": {"A": {"move": 1}, "B": [0.25, 0.75]}})");
    const auto pi = read_policy(file, m);
    CHECK(pi == std::vector<double>{0.0, 1.0, 0.25, 0.75});
}

TEST_CASE("policy, result and Q-table files with a repeated key are refused, naming the key, the object and the line") {
    const Model m = test::example("chain2.json");
    const auto dir = test::temp_dir("readers-dup");
    const auto file = dir / "f.json";
    // {"move": 0.5, "move": 0.5} would read as {"move": 0.5} and be blamed for summing to 0.5.
    test::write_file(file, "{\"format\": \"softmdp-policy/1\",\n \"policy\": {\"A\": {\"move\": 0.5,\n \"move\": 0.5}, \"B\": [0.25, 0.75]}}");
    CHECK_THROWS_WITH_AS(read_policy(file, m), doctest::Contains("f.json:3: field 'policy.A': duplicate key 'move'"), InputError);
    test::write_file(file, "{\"format\": \"softmdp-policy/1\", \"policy\": [[1, 0], [1, 0]],\n\"policy\": [[0, 1], [0, 1]]}");
    CHECK_THROWS_WITH_AS(read_policy(file, m), doctest::Contains("f.json:2: duplicate key 'policy'"), InputError);
    const auto result = dir / "r.json";
    test::write_file(result, "{\"format\": \"softmdp-result/1\", \"values\": [1, 2], \"values\": [3, 4]}");
    CHECK_THROWS_WITH_AS(read_result_values(result, m), doctest::Contains("duplicate key 'values'"), InputError);
    CHECK_THROWS_WITH_AS(read_q_table(result.string(), m), doctest::Contains("duplicate key 'values'"), InputError);
}

TEST_CASE("state weights near the largest double are normalised without overflow") {
    // Formerly their sum overflowed to inf and every weight became 0: residuals exactly 0.
    const Model m = test::example("chain2.json");
    const auto dir = test::temp_dir("weights-huge");
    test::write_file(dir / "w.json", R"({"format": "softmdp-weights/1", "weights": [1e308, 1e308]})");
    const auto w = read_state_weights((dir / "w.json").string(), m);
    CHECK(w == std::vector<double>{0.5, 0.5});
    test::write_file(dir / "w.json", R"({"format": "softmdp-weights/1", "weights": {"B": 1.7e308, "A": 5e-324}})");
    const auto v = read_state_weights((dir / "w.json").string(), m);
    CHECK(v[1] == 1.0);
    CHECK(v[0] == 0.0);  // 5e-324 / 1.7e308 underflows: its true share is 3e-632
}
