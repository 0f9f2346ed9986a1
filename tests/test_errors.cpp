// The error hierarchy (core/errors.hpp): one base for everything the library throws on purpose, and
// messages that name parameters, which the CLI writes as its options.
#include <doctest/doctest.h>

#include <type_traits>

#include "softmdp/analysis/sweep.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/learning/soft_q_learning.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("every library exception is a softmdp::Error, which is a std::runtime_error") {
    static_assert(std::is_base_of_v<std::runtime_error, Error>);
    static_assert(std::is_base_of_v<Error, InputError>);
    static_assert(std::is_base_of_v<Error, UsageError>);
    static_assert(std::is_base_of_v<Error, IoError>);
    static_assert(std::is_base_of_v<IoError, OutputClosed>);
    static_assert(std::is_base_of_v<Error, NumericalError>);
    static_assert(std::is_same_v<InvalidArgument, UsageError>);
    // A Model built from inconsistent arrays: formerly std::invalid_argument.
    ModelData d;
    d.num_states = 0;
    CHECK_THROWS_AS(Model{d}, InvalidArgument);
    CHECK_THROWS_AS(Model{d}, Error);
}

TEST_CASE("param() marks a parameter: what() names it plainly, message_with() as the caller writes it") {
    const UsageError e(param("alpha_min") + " 2 is larger than " + param("alpha_max") + " 1");
    CHECK(std::string(e.what()) == "alpha_min 2 is larger than alpha_max 1");
    CHECK(e.parameters() == std::vector<std::string>{"alpha_min", "alpha_max"});
    CHECK(e.parameter() == "alpha_min");
    const auto bracketed = [](std::string_view n) {
        std::string out(1, '<');
        out.append(n).push_back('>');
        return out;
    };
    CHECK(e.message_with(bracketed) == "<alpha_min> 2 is larger than <alpha_max> 1");
    // No parameter: parameter() is empty; a separator byte not around a name is kept as it is.
    const InputError plain("state '\x1e' is odd \x1f", Location{"f.json", 3, {}, "states[0]"});
    CHECK(plain.parameter().empty());
    CHECK(std::string(plain.what()) == "f.json:3: field 'states[0]': state '\x1e' is odd \x1f");
    CHECK(plain.location().line == 3u);
}

TEST_CASE("library messages name parameters, not command-line flags") {
    const Model m = test::self_loops({1.0, 0.0}, 0.9);
    const auto usage = [](auto fn) -> UsageError {
        try {
            fn();
        } catch (const UsageError& e) {
            return e;
        }
        FAIL("no UsageError");
        return UsageError("");
    };
    const UsageError a = usage([&] { solve(m, "soft-vi", -1.0); });
    CHECK(std::string(a.what()) == "alpha must be a finite number >= 0, got -1");
    CHECK(a.parameter() == "alpha");
    const UsageError g = usage([] { alpha_grid(1.0, 0.5, 3, false); });
    CHECK(std::string(g.what()) == "alpha_min 1 is larger than alpha_max 0.5");
    CHECK(g.parameters() == std::vector<std::string>{"alpha_min", "alpha_max"});
    LearnOptions o;
    o.omega = 2.0;
    const UsageError l = usage([&] { soft_q_learning(m, o); });
    CHECK(l.parameter() == "omega");
    CHECK(std::string(l.what()).find("--") == std::string::npos);
}

TEST_CASE("a NumericalError wrapped by solve() keeps the parameter of the step that failed") {
    const Model m = test::self_loops({1.0, 0.0}, 0.9);
    try {
        solve(m, "soft-pi", 1e308);
        FAIL("no NumericalError");
    } catch (const NumericalError& e) {
        CHECK(std::string(e.what()).rfind("soft-pi", 0) == 0);
        CHECK(e.parameter() == "alpha");
    }
}
