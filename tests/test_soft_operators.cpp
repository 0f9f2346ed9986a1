// The backup operators: alpha = 0 is the hard max, stability at extreme alpha and rewards.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "softmdp/solvers/soft_operators.hpp"

using namespace softmdp;

TEST_CASE("alpha = 0 is exactly the hard max and the greedy policy") {
    const std::vector<double> q{1.0, 3.0, 3.0, -2.0};
    std::vector<double> pi(4);
    CHECK(LogSumExp{0.0}.value(q) == 3.0);
    CHECK(Mellowmax{0.0}.value(q) == 3.0);
    CHECK(Boltzmann{0.0}.value(q) == 3.0);
    LogSumExp{0.0}.policy(q, pi);
    CHECK(pi == std::vector<double>{0.0, 1.0, 0.0, 0.0});
}

TEST_CASE("max_of (selects, no branches) agrees with std::max_element, NaN included") {
    const double nan = std::nan("");
    const std::vector<std::vector<double>> cases = {{2.0}, {1.0, 3.0, 3.0, -2.0}, {-1e300, -INFINITY, -5.0},
                                                    {1.0, nan, 4.0}, {nan, 1.0, 2.0}, {-0.0, 0.0}, {0.0, -0.0}};
    for (const auto& q : cases) {
        const double expected = *std::max_element(q.begin(), q.end());
        CAPTURE(q.size());
        if (std::isnan(expected))
            CHECK(std::isnan(max_of(q)));
        else
            CHECK(std::bit_cast<std::uint64_t>(max_of(q)) == std::bit_cast<std::uint64_t>(expected));
    }
}

TEST_CASE("log-sum-exp: closed form, and no overflow for rewards of 1e6 or tiny alpha") {
    const std::vector<double> q{1.0, 2.0};
    CHECK(soft_max(q, 1.0) == doctest::Approx(std::log(std::exp(1.0) + std::exp(2.0))).epsilon(1e-15));
    const std::vector<double> big{1e6, 1e6 - 1.0};
    CHECK(soft_max(big, 1.0) == doctest::Approx(1e6 + std::log1p(std::exp(-1.0))).epsilon(1e-15));
    CHECK(soft_max(big, 1e-8) == 1e6);
    const std::vector<double> tie{5.0, 5.0, 5.0};
    CHECK(soft_max(tie, 1e-8) == doctest::Approx(5.0 + 1e-8 * std::log(3.0)).epsilon(1e-15));
    // alpha -> infinity: alpha log sum exp(q/alpha) = mean(q) + alpha log n + O(1/alpha).
    CHECK(soft_max(q, 1e8) - 1e8 * std::log(2.0) == doctest::Approx(1.5).epsilon(1e-6));
    std::vector<double> pi(2);
    softmax_policy(big, 1.0, pi);
    CHECK(pi[0] == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
    CHECK(std::isfinite(pi[1]));
}

TEST_CASE("Boltzmann average and mellowmax by hand") {
    const std::vector<double> q{0.0, 1.0};
    const double w = std::exp(1.0) / (1.0 + std::exp(1.0));
    CHECK(Boltzmann{1.0}.value(q) == doctest::Approx(w));
    CHECK(Mellowmax{1.0}.value(q) == doctest::Approx(std::log((1.0 + std::exp(1.0)) / 2.0)));
    // Mellowmax's policy has zero expected advantage: sum pi (q - mm) = 0.
    const std::vector<double> q3{0.3, 1.0, -0.5};
    std::vector<double> pi(3);
    const Mellowmax mm{0.4};
    mm.policy(q3, pi);
    double adv = 0.0, total = 0.0;
    for (std::size_t i = 0; i < 3; ++i) {
        adv += pi[i] * (q3[i] - mm.value(q3));
        total += pi[i];
    }
    CHECK(total == doctest::Approx(1.0));
    CHECK(std::abs(adv) <= 1e-10);
    CHECK(entropy(std::vector<double>{0.5, 0.5}) == doctest::Approx(std::log(2.0)));
}

TEST_CASE("mellowmax at a huge alpha is the mean, not the cancellation of two huge terms") {
    // alpha log mean exp(q/alpha) = mean(q) + var(q)/(2 alpha) + O(alpha^-2): 0.5 at alpha 1e308
    // (formerly soft_max - alpha log 2 = 6.9e307 - 6.9e307 = 0).
    CHECK(Mellowmax{1e308}.value(std::vector<double>{1.0, 0.0}) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(Mellowmax{1e10}.value(std::vector<double>{1.0, 0.0, -4.0}) == doctest::Approx(-1.0).epsilon(1e-9));
    CHECK(Mellowmax{1e-3}.value(std::vector<double>{1.0, 0.0}) == doctest::Approx(1.0 - 1e-3 * std::log(2.0)).epsilon(1e-12));
}
