// fast_exp and fast_log against the C library's correctly rounded (or nearly) exp and log.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "softmdp/fast_math.hpp"

using namespace softmdp;

namespace {
// Distance in units in the last place of the reference value.
double ulps(double x, double ref) {
    if (x == ref) return 0.0;
    const double ulp = std::nextafter(std::abs(ref), std::numeric_limits<double>::infinity()) - std::abs(ref);
    return std::abs(x - ref) / ulp;
}
}  // namespace

TEST_CASE("fast_exp is within 1 ulp of std::exp over the whole normal range") {
    std::mt19937_64 g(1);
    std::uniform_real_distribution<double> wide(-708.0, 709.7), narrow(-1.0, 1.0);
    double worst = 0.0;
    for (int i = 0; i < 2'000'000; ++i) {
        const double x = i % 2 ? wide(g) : narrow(g);
        worst = std::max(worst, ulps(fast_exp(x), std::exp(x)));
    }
    CHECK(worst <= 1.0);
    CHECK(fast_exp(0.0) == 1.0);
    CHECK(fast_exp(1.0) == doctest::Approx(std::exp(1.0)).epsilon(2.3e-16));
}

TEST_CASE("fast_exp: underflow, overflow and the special values") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(fast_exp(-inf) == 0.0);
    CHECK(fast_exp(-1e300) == 0.0);
    CHECK(fast_exp(inf) == inf);
    CHECK(fast_exp(710.0) == inf);
    CHECK(std::isnan(fast_exp(std::nan(""))));
    // Subnormal results: within one subnormal step of the library's.
    for (double x : {-708.5, -720.0, -740.0, -744.0})
        CHECK(std::abs(fast_exp(x) - std::exp(x)) <= std::numeric_limits<double>::denorm_min());
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
