// Importance-sampling estimates of log Z against closed forms, within 4 standard errors.
#include <doctest/doctest.h>

#include <cmath>

#include "continuous_targets.hpp"
#include "softmdp/importance_sampling.hpp"

using namespace softmdp;

namespace {
test::Quadratic wide_gaussian() {
    test::Quadratic q;
    q.mu = {0.2, -0.3};
    q.A = {3.0, 1.0, 1.0, 2.0};  // det 5
    q.c = 0.4;
    q.alpha = 0.5;
    q.lo = {-5, -5};
    q.hi = {5, 5};  // truncation below 1e-12 for N(mu, alpha A^-1)
    return q;
}
}  // namespace

TEST_CASE("uniform, Gaussian and mixture proposals fall within 4 standard errors of the closed form") {
    const auto q = wide_gaussian();
    const double exact = q.soft_value(std::log(5.0));
    Proposal uniform;
    Proposal gauss;
    gauss.kind = Proposal::Kind::gaussian;
    gauss.mean = {0.0, 0.0};
    gauss.stddev = {0.8, 0.8};
    Proposal mix;
    mix.kind = Proposal::Kind::mixture;
    mix.centers = {0.2, -0.3, 0.5, 0.0, -0.1, -0.6};
    mix.mixture_stddev = 0.5;
    for (const Proposal& p : {uniform, gauss, mix}) {
        for (std::uint64_t seed : {1, 2, 3}) {
            const auto e = log_integral_mc(q, p, 200000, seed);
            CAPTURE(p.name());
            CAPTURE(seed);
            CHECK(std::abs(q.alpha * e.log_z - exact) <= 4.0 * q.alpha * e.std_error);
            CHECK(e.std_error > 0.0);
            CHECK(e.ess > 1.0);
            CHECK(e.ess <= 200000.0);
            CHECK(e.samples == 200000);
        }
    }
}

TEST_CASE("the standard error shrinks like 1/sqrt(n) and a seed reproduces the estimate") {
    const auto q = wide_gaussian();
    const auto a = log_integral_mc(q, Proposal{}, 10000, 7);
    const auto b = log_integral_mc(q, Proposal{}, 160000, 7);
    CHECK(b.std_error == doctest::Approx(a.std_error / 4.0).epsilon(0.25));
    const auto again = log_integral_mc(q, Proposal{}, 10000, 7);
    CHECK(again.log_z == a.log_z);
    CHECK(log_integral_mc(q, Proposal{}, 10000, 8).log_z != a.log_z);
}

TEST_CASE("a Gaussian proposal far outside the box: samples outside weigh 0, no NaN") {
    const auto q = wide_gaussian();
    Proposal far;
    far.kind = Proposal::Kind::gaussian;
    far.mean = {100.0, 100.0};
    far.stddev = {0.1, 0.1};
    const auto e = log_integral_mc(q, far, 1000, 1);
    CHECK(std::isinf(e.log_z));
    CHECK(e.log_z < 0);
}
