// The document writers of io/documents.hpp: a C++ caller who runs the same analysis gets the
// CLI's document (times aside, as each run takes its own).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/analysis/sweep.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/q_table_reader.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/learning/soft_q_learning.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

namespace {
// The document without its run times ("seconds" at any depth).
json without_times(json j) {
    if (j.is_object()) {
        j.erase("seconds");
        for (auto& [k, v] : j.items()) v = without_times(v);
    } else if (j.is_array()) {
        for (auto& v : j) v = without_times(v);
    }
    return j;
}

// The CLI's --json - document of `args`.
json cli_document(const std::string& args) {
    const auto r = test::run_cli(args + " --json -");
    REQUIRE(r.code == 0);
    return without_times(json::parse(r.out));
}

json library_document(const std::function<void(JsonWriter&)>& fn) { return without_times(json::parse(test::written(fn))); }
}  // namespace

TEST_CASE("info, compare, sweep and learn documents from the library are the CLI's") {
    const std::string file = test::source_path("mdps/chain2.json");
    const Model m = load_model(file);
    CHECK(library_document([&](JsonWriter& w) { write_info_document(w, m); }) == cli_document("info " + file));

    const Comparison c = compare(m, 0.5);
    const json cmp = library_document([&](JsonWriter& w) { write_compare_document(w, m, c, 0.5, summarise(m, c.soft), summarise(m, c.hard)); });
    CHECK(cmp["format"] == "softmdp-compare/1");
    CHECK(cmp == cli_document("compare " + file + " --alpha 0.5"));

    const auto points = alpha_sweep(m, alpha_grid(0.0, 1.0, 3, false));
    CHECK(library_document([&](JsonWriter& w) { write_sweep_document(w, m, points); }) ==
          cli_document("sweep " + file + " --alpha-min 0 --alpha-max 1 --points 3"));

    LearnOptions o;
    o.alpha = 1.0;
    o.steps = 2000;
    o.seed = 4;
    o.curve_points = 3;
    o.behaviour = LearnOptions::Behaviour::soft;
    const LearnResult r = soft_q_learning(m, o);
    CHECK(library_document([&](JsonWriter& w) { write_learn_document(w, m, o, r); }) ==
          cli_document("learn " + file + " --alpha 1 --steps 2000 --seed 4 --points 3 --behaviour soft"));
}

TEST_CASE("the residuals document and a result document from the library are the CLI's") {
    const std::string file = test::source_path("mdps/gridworld4x4.json");
    const Model m = load_model(file);
    const auto dir = test::temp_dir("documents");
    const std::string result = (dir / "r.json").string();
    const Solution sol = solve(m, "soft-pi", 0.3);
    test::write_file(result, test::written([&](JsonWriter& w) { write_result(w, m, sol, summarise(m, sol)); }));
    // The result file itself is the CLI's (same method, same alpha).
    CHECK(without_times(json::parse(test::read_file(result))) == cli_document("solve " + file + " --alpha 0.3 --method soft-pi"));

    const auto q = read_q_table(result, m);
    std::vector<ResidualsOf> rows;
    for (auto kind : {SoftValueOfQ::soft, SoftValueOfQ::boltzmann}) rows.push_back({kind, soft_bellman_residuals(m, q, 0.3, kind)});
    const ResidualWeights weights{"initial", "uniform"};
    const json doc = library_document([&](JsonWriter& w) { write_residuals_document(w, 0.3, weights, rows); });
    CHECK(doc["format"] == "softmdp-residuals/1");
    CHECK(doc == cli_document("evaluate " + file + " --alpha 0.3 --residual " + result));
}
