// fast_exp and fast_log against std::exp (glibc's exp is correctly rounded in all but rare cases, < 1 ulp).
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "../lib/src/core/fast_math.hpp"

using namespace softmdp;

namespace {
// |a - b| in units of the last place of b (for subnormal b, of the smallest subnormal).
double ulps(double a, double b) {
    if (a == b) return 0.0;
    const double ulp = std::nextafter(std::abs(b), INFINITY) - std::abs(b);
    return std::abs(a - b) / ulp;
}
}  // namespace

TEST_CASE("fast_exp is within 1 ulp of exp over the whole range, subnormal results included") {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> wide(-746.0, 710.0), near(-2.0, 2.0);
    double worst = 0.0, worst_rel = 0.0;
    for (int i = 0; i < 2'000'000; ++i) {
        const double x = i % 2 ? wide(rng) : near(rng);
        const double e = std::exp(x);
        worst = std::max(worst, ulps(fast_exp(x), e));
        if (e >= DBL_MIN && std::isfinite(e)) worst_rel = std::max(worst_rel, std::abs(fast_exp(x) - e) / e);
    }
    CHECK(worst <= 1.0);
    CHECK(worst_rel <= 2.3e-16);
    // The reduction's edges: multiples of ln 2 / 2, where |r| is largest.
    for (int k = -2140; k <= 2046; ++k) {
        const double x = k * 0.5 * std::numbers::ln2;
        CAPTURE(x);
        CHECK(ulps(fast_exp(x), std::exp(x)) <= 1.0);
    }
    CHECK(fast_exp(0.0) == 1.0);
    CHECK(ulps(fast_exp(1.0), std::numbers::e) <= 1.0);
}

TEST_CASE("fast_exp: infinities, NaN, overflow and underflow") {
    CHECK(fast_exp(-std::numeric_limits<double>::infinity()) == 0.0);
    CHECK(fast_exp(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(fast_exp(std::numeric_limits<double>::quiet_NaN())));
    // Largest finite result and the first overflow (ln DBL_MAX = 709.782712893384).
    CHECK(fast_exp(709.78) == doctest::Approx(std::exp(709.78)).epsilon(1e-15));
    CHECK(std::isinf(fast_exp(709.79)));
    CHECK(std::isinf(fast_exp(1e300)));
    // The smallest subnormal is exp(-744.44); below -745.14 exp rounds to 0.
    CHECK(fast_exp(-745.0) == std::exp(-745.0));
    CHECK(fast_exp(-745.2) == 0.0);
    CHECK(fast_exp(-1e300) == 0.0);
    CHECK(fast_exp(-708.5) == std::exp(-708.5));  // just below DBL_MIN
}

TEST_CASE("fast_exp_le0 is fast_exp down to -708 and leaves a sum >= 1 unchanged below") {
    std::mt19937_64 rng(2);
    std::uniform_real_distribution<double> wide(-708.0, 0.0), near(-40.0, 0.0);
    for (int i = 0; i < 200'000; ++i) {
        const double x = i % 2 ? wide(rng) : near(rng);
        if (fast_exp_le0(x) != fast_exp(x)) FAIL_CHECK("differs at x = " << x);
    }
    for (int i = 0; i < 200'000; ++i) {  // and so within 1 ulp of std::exp (libm: correctly rounded)
        const double x = wide(rng), e = std::exp(x);
        CHECK(std::abs(fast_exp_le0(x) - e) <= std::nextafter(e, INFINITY) - e);
    }
    CHECK(fast_exp_le0(0.0) == 1.0);
    CHECK(fast_exp_le0(-708.0) == fast_exp(-708.0));
    CHECK(fast_exp_le0(-708.0) >= DBL_MIN);  // still normal: one scaling is exact
    for (double x : {-708.5, -745.0, -1e5, -1e300, -std::numeric_limits<double>::infinity()}) {
        CAPTURE(x);
        CHECK(fast_exp_le0(x) <= 4e-308);
        CHECK(1.0 + fast_exp_le0(x) == 1.0);
    }
    CHECK(std::isnan(fast_exp_le0(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("fast_exp in a loop (vectorised) gives the same values as one call at a time") {
    std::vector<double> x(1001), y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = -50.0 + 0.1 * static_cast<double>(i);
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = fast_exp(x[i]);
    for (std::size_t i = 0; i < x.size(); i += 7) {
        volatile double xi = x[i];  // a scalar call the compiler cannot fold into the loop
        CHECK(fast_exp(xi) == y[i]);
    }
}

TEST_CASE("fast_log is within 2 ulp of std::log, subnormals included") {
    std::mt19937_64 g(2);
    std::uniform_real_distribution<double> expo(-740.0, 709.0), near1(0.5, 8.0);
    double worst = 0.0;
    for (int i = 0; i < 2'000'000; ++i) {
        const double x = i % 2 ? std::exp(expo(g)) : near1(g);
        worst = std::max(worst, ulps(fast_log(x), std::log(x)));
    }
    CHECK(worst <= 2.0);
    CHECK(fast_log(1.0) == 0.0);
    CHECK(fast_log(std::numeric_limits<double>::denorm_min()) == doctest::Approx(std::log(std::numeric_limits<double>::denorm_min())).epsilon(1e-15));
}

TEST_CASE("fast_log: zero, infinity, negative numbers and NaN") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(fast_log(0.0) == -inf);
    CHECK(fast_log(inf) == inf);
    CHECK(std::isnan(fast_log(-1.0)));
    CHECK(std::isnan(fast_log(std::nan(""))));
}
