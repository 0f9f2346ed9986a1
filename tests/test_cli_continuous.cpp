// CLI: solve on a continuous file, estimate, sample.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/continuous/quadrature.hpp"
#include "softmdp/continuous/target.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;
using nlohmann::json;

TEST_CASE("solve detects a continuous-action file; estimate uses its values") {
    const auto dir = test::temp_dir("cli-continuous");
    const std::string mg = test::source_path("mdps/multigoal.json");
    const auto r = test::run_cli("solve " + mg + " --alpha 0.1 --json " + (dir / "r.json").string());
    REQUIRE(r.code == 0);
    CHECK(r.out.find("soft-qi-quadrature") != std::string::npos);
    const json res = read_json_file(dir / "r.json");
    CHECK(res["format"] == "softmdp-result/1");
    CHECK(res["states"] == json({"center", "goal"}));
    const double v = res["values"][0].get<double>();
    // With V from solve, the soft value at the centre is V(center) itself (the Bellman equation).
    const auto e = test::run_cli("estimate " + mg + " --state center --alpha 0.1 --samples 200000 --values " +
                                 (dir / "r.json").string() + " --json -");
    REQUIRE(e.code == 0);
    const json est = json::parse(e.out);
    CHECK(est["format"] == "softmdp-estimate/1");
    for (const char* key : {"estimate", "std_error", "ess", "samples", "reference"}) CHECK_MESSAGE(est.contains(key), key);
    CHECK(est["reference"].get<double>() == doctest::Approx(v).epsilon(1e-3));
    CHECK(std::abs(est["estimate"].get<double>() - v) <= 4.0 * est["std_error"].get<double>() + 1e-3);
    const auto mc = test::run_cli("solve " + mg + " --alpha 0.1 --integrator mc --samples 20000 --json -");
    REQUIRE(mc.code == 0);
    CHECK(json::parse(mc.out).contains("mc_std_error"));
}

TEST_CASE("estimate --proposal svgd: defensive mixture stays honest with 1 particle; low ESS warns") {
    const auto dir = test::temp_dir("cli-estimate-defensive");
    const std::string mg = test::source_path("mdps/multigoal.json");
    REQUIRE(test::run_cli("solve " + mg + " --alpha 0.1 --json " + (dir / "r.json").string()).code == 0);
    // One particle cannot cover the four goals; the 10% uniform component bounds the weights, so the
    // estimate must sit within 4 standard errors of the quadrature reference (before: 380 SE off).
    const auto e = test::run_cli("estimate " + mg + " --state center --alpha 0.1 --samples 200000 --proposal svgd --particles 2 --values " +
                                 (dir / "r.json").string() + " --json -");
    REQUIRE(e.code == 0);
    const json est = json::parse(e.out);
    CHECK(est["proposal"] == "svgd");
    CHECK(est["proposal_detail"]["kind"] == "defensive mixture");
    CHECK(est["proposal_detail"]["defensive_uniform_weight"].get<double>() == doctest::Approx(0.1));
    const double ref = est["reference"].get<double>(), val = est["estimate"].get<double>(), se = est["std_error"].get<double>();
    CHECK_MESSAGE(std::abs(val - ref) <= 4.0 * se, val, " vs ", ref, " se ", se);
    CHECK(est["warnings"].empty());
    CHECK(e.err.find("warning") == std::string::npos);
    // At alpha 1e-12 one weight dominates: ESS ~ 1, and the report must say the SE is unreliable.
    const auto low = test::run_cli("estimate " + mg + " --state center --alpha 1e-12 --samples 20000 --json -");
    REQUIRE(low.code == 0);
    const json lj = json::parse(low.out);
    // (and the quadrature reference cannot resolve a spike of width about sqrt(alpha) either: a second warning)
    REQUIRE(lj["warnings"].size() >= 1);
    CHECK(lj["warnings"][0].get<std::string>().find("unreliable") != std::string::npos);
    CHECK(low.err.find("warning") != std::string::npos);
}

TEST_CASE("sample writes particles inside the box, reproducibly") {
    const std::string mg = test::source_path("mdps/multigoal.json");
    const std::string cmd = "sample " + mg + " --state center --alpha 0.1 --particles 60 --steps 100 --seed 5 --json -";
    const auto a = test::run_cli(cmd), b = test::run_cli(cmd);
    REQUIRE(a.code == 0);
    const json j = json::parse(a.out);
    CHECK(j["format"] == "softmdp-samples/1");
    for (const char* key : {"particles", "ksd", "steps", "bandwidth"}) CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["particles"].size() == 60);
    for (const auto& p : j["particles"]) {  // strictly inside: SVGD runs on u in R^2, mapped into the box
        CHECK(std::abs(p[0].get<double>()) < 1.0);
        CHECK(std::abs(p[1].get<double>()) < 1.0);
    }
    CHECK(a.out == b.out);
}

TEST_CASE("sample: particles do not pile up at the faces") {
    // pi(a|center) at alpha 0.1 with V from solve has 2.4% of its mass within 0.02 of a face; the
    // sampler that reflected particles at the faces put 41% there. The library test (test_svgd.cpp)
    // measures 0.84x to 1.57x of the mass with 400 particles over 24 seeds: here 0.5x to 2x.
    const auto dir = test::temp_dir("cli-sample-faces");
    const std::string mg = test::source_path("mdps/multigoal.json");
    REQUIRE(test::run_cli("solve " + mg + " --alpha 0.1 --json " + (dir / "r.json").string()).code == 0);
    const auto r = test::run_cli("sample " + mg + " --state center --alpha 0.1 --particles 400 --steps 1000 --values " +
                                 (dir / "r.json").string() + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    double near = 0.0;
    for (const auto& p : j["particles"])
        near += (std::max(std::abs(p[0].get<double>()), std::abs(p[1].get<double>())) > 0.98) / 400.0;
    CHECK(near >= 0.5 * 0.0239);
    CHECK(near <= 2.0 * 0.0239);
}

TEST_CASE("continuous commands reject bad input") {
    const std::string mg = test::source_path("mdps/multigoal.json");
    CHECK(test::run_cli("estimate " + mg + " --state nowhere --alpha 0.1").code == 2);
    CHECK(test::run_cli("estimate " + mg + " --state goal --alpha 0.1").code == 2);  // terminal
    CHECK(test::run_cli("estimate " + mg + " --state center --alpha 0").code == 2);
    CHECK(test::run_cli("estimate " + mg + " --state center --alpha 0.1 --proposal magic").code == 2);
    CHECK(test::run_cli("estimate " + test::source_path("mdps/chain2.json") + " --state A --alpha 0.1").code == 2);
    CHECK(test::run_cli("sample " + mg + " --state center --alpha 0.1 --particles 1").code == 2);
    CHECK(test::run_cli("solve " + mg + " --alpha 0.1 --integrator simpson").code == 2);
    CHECK(test::run_cli("solve " + mg + " --alpha 0.1 --values " + test::source_path("mdps/chain2.json")).code == 2);
}

TEST_CASE("solve on continuous actions: the two-part error report, --nodes range and memory, --samples memory") {
    const auto dir = test::temp_dir("cli-continuous-accuracy");
    const std::string c1 = test::source_path("mdps/continuous1d.json");
    const auto r = test::run_cli("solve " + c1 + " --alpha 0.5 --tolerance 1e-6 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    for (const char* key : {"iteration_bound", "integration_error", "nodes", "comparison_nodes", "refinement", "quadrature_rule"})
        CHECK_MESSAGE(j.contains(key), key);
    CHECK(j["error_bound"].get<double>() <= 1e-6);
    CHECK(j["error_bound"].get<double>() ==
          doctest::Approx(j["iteration_bound"].get<double>() + j["integration_error"].get<double>()).epsilon(1e-12));
    // The truth 8.777078237406: reference_values of tests/test_continuous_solver.cpp (independent
    // composite Gauss-Legendre fixed point), 100 and 200 panels agreeing to 4e-15.
    CHECK(std::abs(j["values"][1].get<double>() - 8.777078237406) <= j["error_bound"].get<double>());
    CHECK(r.out.find("quadrature_check") == std::string::npos);
    const auto t = test::run_cli("solve " + c1 + " --alpha 0.5");
    CHECK(t.out.find("iteration bound") != std::string::npos);
    CHECK(t.out.find("integration error") != std::string::npos);

    // --nodes: 1..1000 as the message says (1000 was refused: its check grid had 2000 nodes).
    const auto n1000 = test::run_cli("solve " + c1 + " --alpha 0.5 --nodes 1000 --json -");
    CHECK(n1000.code == 0);
    CHECK(json::parse(n1000.out)["nodes"] == json({1000}));
    for (const char* bad : {"0", "1001"}) {
        const auto b = test::run_cli("solve " + c1 + " --alpha 0.5 --nodes " + bad);
        CHECK(b.code == 2);
        CHECK(b.err.find("--nodes must be in 1..1000") != std::string::npos);
    }
    // A fixed coarse grid: exit 4 (the tolerance is not met), the result written with its real estimate.
    const auto coarse = test::run_cli("solve " + c1 + " --alpha 0.5 --nodes 4 --json " + (dir / "c.json").string());
    CHECK(coarse.code == 4);
    const json cj = read_json_file(dir / "c.json");
    CHECK(cj["converged"] == false);
    CHECK(cj["integration_error"].get<double>() > 1e-8);
    CHECK(std::abs(cj["values"][1].get<double>() - 8.777078237406) <= cj["error_bound"].get<double>());

    // --nodes 1000 on a 3-D box: 10^9 points per state; refused before allocating, naming --nodes and the size.
    test::write_file(dir / "box3.json", R"({"format": "softmdp/1", "discount": 0.9, "states": ["s"],
      "action_space": {"low": [-1, -1, -1], "high": [1, 1, 1]}, "bandwidth": 0.5,
      "anchors": [{"s": "s", "at": [0, 0, 0], "r": 1, "next": [["s", 1]]}]})");
    const auto big = test::run_cli("solve " + (dir / "box3.json").string() + " --alpha 1 --nodes 1000");
    CHECK(big.code == 2);
    CHECK(big.err.find("--nodes 1000") != std::string::npos);
    CHECK(big.err.find("GiB") != std::string::npos);

    // --samples 2^64-1: refused with its name (was exit 1 "vector::_M_default_append").
    const auto huge = test::run_cli("solve " + c1 + " --alpha 0.5 --integrator mc --samples 18446744073709551615");
    CHECK(huge.code == 2);
    CHECK(huge.err.find("--samples 18446744073709551615") != std::string::npos);

    // Options of the other integrator are refused, not ignored.
    for (const char* bad : {" --integrator mc --nodes 8", " --integrator mc --max-nodes 64", " --samples 100", " --seed 2"}) {
        const auto b = test::run_cli("solve " + c1 + " --alpha 0.5" + bad);
        CAPTURE(bad);
        CHECK(b.code == 2);
        CHECK(b.err.find("is for --integrator") != std::string::npos);
    }

    // The node budget runs out: exit 4, the result written, the reason says so.
    const auto budget = test::run_cli("solve " + c1 + " --alpha 0.5 --max-nodes 16 --json " + (dir / "b.json").string());
    CHECK(budget.code == 4);
    CHECK(budget.err.find("node budget") != std::string::npos);
    const json bj = read_json_file(dir / "b.json");
    CHECK(bj["converged"] == false);
    CHECK(bj["integration_error"].is_number());
}

TEST_CASE("solve --integrator mc: propagated standard errors, and the method named") {
    const std::string c1 = test::source_path("mdps/continuous1d.json");
    const auto r = test::run_cli("solve " + c1 + " --alpha 0.5 --integrator mc --seed 3 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["mc_std_error_method"] == "propagated");
    // Before: V(right) 8.76143 +- 0.000206, 76 standard errors from the truth 8.777078.
    const double v = j["values"][1].get<double>(), se = j["mc_std_error"][1].get<double>();
    CHECK(std::abs(v - 8.777078237406) <= 3.0 * se);
    CHECK(se > j["mc_backup_std_error"][1].get<double>());
    const auto t = test::run_cli("solve " + c1 + " --alpha 0.5 --integrator mc --seed 3");
    CHECK(t.out.find("propagated through the fixed point") != std::string::npos);
}

TEST_CASE("estimate and sample: absurd sizes and an unusable alpha are refused with exit 2, naming the option") {
    const std::string mg = test::source_path("mdps/multigoal.json");
    const std::string est = "estimate " + mg + " --state center ";
    const auto refused = [](const std::string& args, const char* names) {
        const auto r = test::run_cli(args);
        CAPTURE(args);
        CHECK(r.code == 2);
        CHECK(r.err.find(names) != std::string::npos);
    };
    refused(est + "--alpha 0.1 --proposal svgd --particles 1000000000", "--particles");  // sample's cap: was unbounded
    refused(est + "--alpha 0.1 --samples 1000000000000", "--samples");                    // reserved 7.6 GB
    refused(est + "--alpha 0.1 --samples 18446744073709551615", "--samples");              // wrapped to 0 samples, exit 0
    refused(est + "--alpha 0.1 --nodes 1000", "--nodes");
    // alpha 1e-320: Q/alpha overflows; was nulls with exit 0 ("converged": true for sample).
    refused(est + "--alpha 1e-320", "alpha >=");
    refused("sample " + mg + " --state center --alpha 1e-320 --particles 20 --steps 5", "alpha >=");
    refused("sample " + mg + " --state center --alpha 0.1 --weighting magic", "--weighting");
    refused("sample " + mg + " --state center --alpha 0.1 --particles 20 --draws 5", "--draws");
}

TEST_CASE("estimate: the reference states its error; the difference is in combined standard errors; the bias is corrected") {
    const std::string mg = test::source_path("mdps/multigoal.json");
    const auto e = test::run_cli("estimate " + mg + " --state center --alpha 0.1 --samples 20000 --json -");
    REQUIRE(e.code == 0);
    const json j = json::parse(e.out);
    CHECK(j["reference_detail"]["converged"] == true);
    const double ref_err = j["reference_error"].get<double>(), se = j["std_error"].get<double>();
    CHECK(ref_err <= 1e-8);
    const double corrected = j["estimate_corrected"].get<double>();
    CHECK(corrected == doctest::Approx(j["estimate"].get<double>() + j["bias_correction"].get<double>()));
    // bias_correction = alpha (n/ESS - 1)/(2n) > 0
    const double n = j["samples"].get<double>(), ess = j["ess"].get<double>();
    CHECK(j["bias_correction"].get<double>() == doctest::Approx(0.1 * (n / ess - 1.0) / (2.0 * n)));
    CHECK(j["difference_std_errors"].get<double>() ==
          doctest::Approx((corrected - j["reference"].get<double>()) / std::hypot(se, ref_err)));
    // At alpha 1e-12 the reference cannot resolve the spike of width about sqrt(alpha) within its
    // budget (error about 1e-6) while the standard error is 1e-12: no difference is claimed.
    const auto t = test::run_cli("estimate " + mg + " --state center --alpha 1e-12 --samples 2000");
    CHECK(t.code == 0);
    CHECK(t.out.find("difference  not judged") != std::string::npos);
    const auto tj = test::run_cli("estimate " + mg + " --state center --alpha 1e-12 --samples 2000 --json -");
    REQUIRE(tj.code == 0);
    CHECK(json::parse(tj.out)["difference_std_errors"].is_null());
}

TEST_CASE("sample: importance-resampled particles give the heavy goal its mass (multigoal, one goal paying 1.1)" *
          doctest::skip(test::kSanitized)) {
    // multigoal with the goal at (0.6, 0.6) paying 1.1 (V = 0: no --values): the heavy quadrant's
    // mass by Gauss-Legendre over the quadrant (96 x 96 nodes) against the whole box. Plain SVGD put
    // 0.24-0.32 of the particles there.
    const auto dir = test::temp_dir("cli-sample-heavy");
    std::string text = test::read_file(test::source_path("mdps/multigoal.json"));
    const std::string goal = R"("at": [0.6,0.6],"r": 1.0)";
    REQUIRE(text.find(goal) != std::string::npos);
    text.replace(text.find(goal), goal.size(), R"("at": [0.6,0.6],"r": 1.1)");
    test::write_file(dir / "heavy.json", text);
    const ContinuousModel m = load_continuous_model(dir / "heavy.json");
    const std::vector<double> V(2, 0.0);
    const SoftQTarget t(m, 0, V, 0.1);
    struct Quadrant {
        const SoftQTarget* t;
        std::vector<double> lo{0.0, 0.0}, hi{1.0, 1.0};
        std::size_t dim() const { return 2; }
        std::span<const double> low() const { return lo; }
        std::span<const double> high() const { return hi; }
        double log_density(std::span<const double> a, std::span<double> g) const { return t->log_density(a, g); }
    };
    const double mass = std::exp(log_integral_quadrature(Quadrant{&t}, 96) - log_integral_quadrature(t, 192));
    REQUIRE(mass > 0.4);
    const double se = std::sqrt(mass * (1.0 - mass) / 1000.0);
    for (const char* seed : {"1", "2"}) {
        const auto r = test::run_cli("sample " + (dir / "heavy.json").string() + " --state center --alpha 0.1 --particles 1000 --steps 100 --threads 1 --seed " +
                                     seed + " --json -");
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["weighting"] == "importance-resampled");
        CHECK(j["importance"]["ess"].get<double>() > 1000.0);
        double heavy = 0.0;
        for (const auto& p : j["particles"]) heavy += (p[0].get<double>() > 0 && p[1].get<double>() > 0) / 1000.0;
        CAPTURE(seed);
        CHECK(std::abs(heavy - mass) <= 3.0 * se);
        // The diagnostic sees it: the weighted share below the midpoint in a[0] is below SVGD's.
        CHECK(j["importance"]["share_below_midpoint"]["weighted"][0].get<double>() <
              j["importance"]["share_below_midpoint"]["svgd"][0].get<double>());
    }
}

TEST_CASE("estimate on a sharp target: the refined reference does not blame a correct estimate (64 nodes did)" *
          doctest::skip(test::kSanitized)) {
    // multigoal with bandwidth 0.05 (V = 0): one 64-node rule is 1.05e-3 off, about 10 standard errors
    // of a 10^6-sample estimate; the refined reference (tested against erf closed forms in
    // test_quadrature_reference.cpp) states an error far below the standard error.
    const auto dir = test::temp_dir("cli-estimate-sharp");
    std::string text = test::read_file(test::source_path("mdps/multigoal.json"));
    const std::string bw = R"("bandwidth": 0.2)";
    REQUIRE(text.find(bw) != std::string::npos);
    text.replace(text.find(bw), bw.size(), R"("bandwidth": 0.05)");
    test::write_file(dir / "sharp.json", text);
    const auto e = test::run_cli("estimate " + (dir / "sharp.json").string() + " --state center --alpha 0.1 --samples 1000000 --json -");
    REQUIRE(e.code == 0);
    const json j = json::parse(e.out);
    const double se = j["std_error"].get<double>(), ref = j["reference"].get<double>();
    CHECK(j["reference_error"].get<double>() <= 0.01 * se);
    CHECK(std::abs(j["difference_std_errors"].get<double>()) <= 4.0);
    CHECK(j["warnings"].empty());
    const ContinuousModel m = load_continuous_model(dir / "sharp.json");
    const std::vector<double> V(2, 0.0);
    const double old_reference = 0.1 * log_integral_quadrature(SoftQTarget(m, 0, V, 0.1), 64);
    CHECK(std::abs(old_reference - ref) > 8.0 * se);
    CHECK(std::abs(j["estimate_corrected"].get<double>() - old_reference) > 8.0 * se);
}

TEST_CASE("solve on continuous actions at an alpha whose values leave the doubles: numerical error, exit 2, nothing written") {
    // Formerly exit 4 with null values ("values became non-finite"); discrete models say
    // "numerical error" and name the parameter (numerical.hpp): continuous ones now do the same.
    const auto dir = test::temp_dir("cli-continuous-numerical");
    const std::string mg = test::source_path("mdps/multigoal.json"), out = (dir / "r.json").string();
    const auto r = test::run_cli("solve " + mg + " --alpha 1e-320 --json " + out);
    CHECK(r.code == 2);
    CHECK(r.err.find("numerical error") != std::string::npos);
    CHECK(r.err.find("--alpha 1e-320 is too small") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
}
