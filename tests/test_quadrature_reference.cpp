// The self-checking quadrature reference (quadrature_reference.hpp) against erf closed forms, on
// targets sharp enough that one 64-node Gauss-Legendre rule is wrong.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "continuous_targets.hpp"
#include "softmdp/continuous/quadrature.hpp"
#include "softmdp/continuous/quadrature_reference.hpp"

using namespace softmdp;

namespace {

// log integral_lo^hi exp(-(a - m)^2 / (2 s^2)) da by erf.
double log_gauss_mass(double m, double s, double lo, double hi) {
    const auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
    return std::log(s * std::sqrt(2.0 * std::numbers::pi) * (Phi((hi - m) / s) - Phi((lo - m) / s)));
}

}  // namespace

TEST_CASE("quadrature reference: a sharp 1-D Gaussian, where 64 nodes are wrong, to its stated error") {
    test::TruncatedGaussian t;
    t.m = 0.1234;
    t.s = 0.01;
    const double exact = log_gauss_mass(t.m, t.s, -1.0, 1.0);
    REQUIRE(std::abs(log_integral_quadrature(t, 64) - exact) > 1e-3);  // what the old reference printed
    const QuadratureReference r = quadrature_reference(t);
    CHECK(r.converged);
    CHECK(r.error <= 1e-9);
    CHECK(std::abs(r.log_z - exact) <= std::max(r.error, 1e-12));
    CHECK(r.panels >= 4);
}

TEST_CASE("quadrature reference: a sharp 2-D Gaussian; a small budget reports its error honestly") {
    test::Quadratic q;
    q.mu = {0.31, -0.2};
    q.A = {1.0 / (0.03 * 0.03), 0.0, 0.0, 1.0 / (0.05 * 0.05)};
    q.lo = {-1.0, -1.0};
    q.hi = {1.0, 1.0};
    const double exact = log_gauss_mass(0.31, 0.03, -1.0, 1.0) + log_gauss_mass(-0.2, 0.05, -1.0, 1.0);
    REQUIRE(std::abs(log_integral_quadrature(q, 64) - exact) > 1e-4);
    const QuadratureReference r = quadrature_reference(q);
    CHECK(r.converged);
    CHECK(std::abs(r.log_z - exact) <= std::max(r.error, 1e-12));
    // A budget too small to converge: not converged, and the stated error still covers the truth.
    QuadratureReferenceOptions small;
    small.max_points = 4096;
    const QuadratureReference s = quadrature_reference(q, small);
    CHECK_FALSE(s.converged);
    CHECK(s.points <= 4096);
    CHECK(std::abs(s.log_z - exact) <= s.error);
}
