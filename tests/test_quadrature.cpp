// Gauss-Legendre quadrature against polynomials and erf closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "continuous_targets.hpp"
#include "softmdp/continuous/quadrature.hpp"

using namespace softmdp;

TEST_CASE("n-point Gauss-Legendre integrates x^k exactly for k <= 2n - 1") {
    for (std::size_t n : {1, 2, 3, 5, 8, 20}) {
        const auto gl = gauss_legendre(n);
        for (std::size_t k = 0; k <= 2 * n - 1; ++k) {
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) sum += gl.weights[i] * std::pow(gl.nodes[i], static_cast<double>(k));
            const double exact = k % 2 ? 0.0 : 2.0 / static_cast<double>(k + 1);
            CAPTURE(n);
            CAPTURE(k);
            CHECK(sum == doctest::Approx(exact).epsilon(1e-13).scale(1.0));
        }
    }
    CHECK_THROWS(gauss_legendre(0));
}

TEST_CASE("1-D box: alpha log integral of a Gaussian bump matches the erf closed form to 1e-10") {
    // Q(a) = c - 0.5 k (a - mu)^2 on [lo, hi]: integral exp(Q/alpha) =
    //   exp(c/alpha) sqrt(pi alpha / (2k)) [erf((hi - mu) sqrt(k/(2 alpha))) - erf((lo - mu) sqrt(k/(2 alpha)))].
    test::Quadratic q;
    q.mu = {0.3};
    q.A = {4.0};
    q.c = 1.5;
    q.lo = {-1.0};
    q.hi = {1.0};
    for (double alpha : {0.05, 0.5, 2.0}) {
        q.alpha = alpha;
        const double s = std::sqrt(4.0 / (2.0 * alpha));
        const double exact = q.c + alpha * std::log(std::sqrt(std::numbers::pi * alpha / 8.0) * (std::erf((1.0 - 0.3) * s) - std::erf((-1.0 - 0.3) * s)));
        CAPTURE(alpha);
        CHECK(alpha * log_integral_quadrature(q, 64) == doctest::Approx(exact).epsilon(1e-10));
    }
}

TEST_CASE("2-D and 3-D Gaussians on a wide box: c + alpha(d/2 log(2 pi alpha) - 1/2 log det A)") {
    test::Quadratic q;
    q.mu = {0.2, -0.1};
    q.A = {2.0, 0.5, 0.5, 1.0};  // det = 1.75
    q.c = -0.7;
    q.alpha = 0.3;
    q.lo = {-6, -6};
    q.hi = {6, 6};
    CHECK(q.alpha * log_integral_quadrature(q, 80) == doctest::Approx(q.soft_value(std::log(1.75))).epsilon(1e-10));
    test::Quadratic q3;
    q3.mu = {0, 0.5, -0.5};
    q3.A = {1, 0, 0, 0, 2, 0, 0, 0, 3};
    q3.alpha = 0.5;
    q3.lo = {-6, -6, -6};
    q3.hi = {6, 6, 6};
    CHECK(q3.alpha * log_integral_quadrature(q3, 80) == doctest::Approx(q3.soft_value(std::log(6.0))).epsilon(1e-9));
    test::Quadratic q4;
    q4.mu = {0, 0, 0, 0};
    q4.A.assign(16, 0.0);
    q4.lo.assign(4, -1);
    q4.hi.assign(4, 1);
    CHECK_THROWS_AS(log_integral_quadrature(q4, 4), UsageError);
}
