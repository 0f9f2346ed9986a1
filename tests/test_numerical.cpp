// Numerical failure as its own outcome: NumericalError (never an InputError about a file), a message
// naming the parameter that left the doubles, and no solver returning non-finite values.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {
// A message with its parameters named plainly (what() of an Error made from it).
std::string plain(const std::string& marked) { return Error(marked).what(); }

// The message of the NumericalError that fn throws ("" if it throws none; other errors propagate).
template <class Fn>
std::string numerical_message(Fn fn) {
    try {
        fn();
    } catch (const NumericalError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST_CASE("numerical_culprit blames the term that leaves the doubles") {
    // V* of one state with two self-loops: alpha log(e^{r1/alpha} + e^{r2/alpha}) / (1 - gamma);
    // at alpha 1e308 the entropy term alone is 1e308 log 2 / 0.1 = 6.9e308 > DBL_MAX = 1.8e308.
    CHECK(plain(numerical_culprit(test::self_loops({1.0, 0.0}, 0.9), 1e308)).find("alpha 1e+308 is too large: the entropy term alpha log A / (1 - gamma) = 6.9e+308") != std::string::npos);
    // max |r| / (1 - gamma) = 1e307 / 0.01 = 1e309: the rewards.
    CHECK(numerical_culprit(test::self_loops({1e307, 0.0}, 0.99), 0.1).find("the rewards are too large: max |r| / (1 - gamma) = 1e+309") != std::string::npos);
    CHECK(plain(numerical_culprit(test::self_loops({1.0, 0.0}, 0.9), 1e-310)).find("alpha 1e-310 is too small") != std::string::npos);
    CHECK(plain(numerical_culprit(test::self_loops({1.0, 0.0}, 0.9), 0.5)).find("with alpha 0.5, rewards up to 1 and discount 0.9") != std::string::npos);
}

TEST_CASE("require_finite: values, policy and a NaN bound; Q may hold +inf") {
    const Model m = test::self_loops({1.0, 0.0}, 0.9);
    Solution sol;
    sol.alpha = 1.0;
    sol.values = {1.0};
    sol.policy = {0.5, 0.5};
    sol.q = {std::numeric_limits<double>::infinity(), 0.0};  // the action convention's Q of pi = 0
    CHECK_NOTHROW(require_finite(m, sol, "test"));
    sol.values = {std::numeric_limits<double>::infinity()};
    CHECK_THROWS_WITH_AS(require_finite(m, sol, "test"), doctest::Contains("test at alpha 1: the values became non-finite"), NumericalError);
    sol.values = {1.0};
    sol.policy = {std::nan(""), 0.5};
    CHECK_THROWS_WITH_AS(require_finite(m, sol, "test"), doctest::Contains("the policy became non-finite"), NumericalError);
    sol.policy = {0.5, 0.5};
    sol.error_bound = std::nan("");
    CHECK_THROWS_AS(require_finite(m, sol, "test"), NumericalError);
    sol.error_bound = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH_AS(require_finite(m, sol, "test"), doctest::Contains("the error bound overflowed"), NumericalError);
}

TEST_CASE("every solver stops on values beyond the doubles with a NumericalError naming the parameter") {
    // The true values are about 6.9e308 (above): not representable, so no method may return a result.
    const Model m = test::self_loops({1.0, 0.0}, 0.9);
    for (const std::string method : {"soft-vi", "soft-gs-vi", "soft-qi", "soft-pi", "soft-mpi"}) {
        CAPTURE(method);
        const std::string msg = numerical_message([&] { solve(m, method, 1e308); });
        CHECK(msg.rfind(method, 0) == 0);  // soft-pi: "soft-pi: policy evaluation at alpha ..."
        CHECK(msg.find(" at alpha 1e+308: the ") != std::string::npos);
        CHECK(msg.find(": alpha 1e+308 is too large") != std::string::npos);
    }
    // Rewards whose values are 1e309: hard methods too.
    const Model huge = test::self_loops({1e307, -1e307}, 0.99);
    for (const std::string method : {"vi", "gs-vi", "pi", "mpi"}) {
        CAPTURE(method);
        CHECK(numerical_message([&] { solve(huge, method, 0.0); }).find("the rewards are too large") != std::string::npos);
    }
}

TEST_CASE("policy evaluation and compare fail numerically, not as an input error about a file 'policy'") {
    const Model m = test::self_loops({1.0, 0.0}, 0.9);
    // Formerly InputError "policy: policy evaluation diverged (non-finite values)".
    const std::string eval = numerical_message([&] { evaluate_policy_exact(m, uniform_policy(m), 1e308); });
    CHECK(eval.find("policy evaluation at alpha 1e+308: the solution of (I - gamma P_pi) V = r_pi is not finite: alpha 1e+308 is too large") != std::string::npos);
    CHECK(numerical_message([&] { evaluate_policy_iterative(m, uniform_policy(m), 1e308); }).find("alpha 1e+308") != std::string::npos);
    CHECK(numerical_message([&] { compare(m, 1e308); }).find("alpha 1e+308 is too large") != std::string::npos);
    CHECK(numerical_message([&] { compare(test::self_loops({1e307, -1e307}, 0.99), 1.0); }).find("the rewards are too large") !=
          std::string::npos);
}

TEST_CASE("discount 1, valid in exact arithmetic, singular in doubles: a numerical error") {
    // x -> x with probability 1 and -> T with 1e-10: the sum 1 + 1e-10 is within the 1e-9 tolerance
    // and T is reached (the model validates), but 1 - 1 = 0 makes I - P_pi singular in doubles.
    const Model m = parse_model(R"({"format": "softmdp/1", "discount": 1, "states": ["x", "T"], "actions": ["a"],
        "transitions": [{"s": "x", "a": "a", "r": -1, "next": [["x", 1], ["T", 1e-10]]}]})");
    const std::string msg = numerical_message([&] { solve(m, "soft-pi", 0.5); });
    CHECK(msg.find("is singular in floating point (discount 1)") != std::string::npos);
    CHECK(msg.find("policy:") == std::string::npos);  // formerly "policy: ... singular", as if a file were wrong
}
