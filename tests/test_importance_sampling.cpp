// Importance-sampling estimates of log Z against closed forms, within 4 standard errors; the
// block-wise weight sums against the direct formulas; the same estimate with any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "continuous_targets.hpp"
#include "softmdp/continuous/importance_sampling.hpp"

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

Proposal gaussian(std::vector<double> mean, std::vector<double> stddev) {
    Proposal p;
    p.kind = Proposal::Kind::gaussian;
    p.mean = std::move(mean);
    p.stddev = std::move(stddev);
    return p;
}

Proposal mixture(std::vector<double> centers, double stddev) {
    Proposal p;
    p.kind = Proposal::Kind::mixture;
    p.centers = std::move(centers);
    p.mixture_stddev = stddev;
    return p;
}
}  // namespace

TEST_CASE("uniform, Gaussian and mixture proposals fall within 4 standard errors of the closed form") {
    const auto q = wide_gaussian();
    const double exact = q.soft_value(std::log(5.0));
    for (const Proposal& p : {Proposal{}, gaussian({0.0, 0.0}, {0.8, 0.8}), mixture({0.2, -0.3, 0.5, 0.0, -0.1, -0.6}, 0.5)}) {
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
    const auto e = log_integral_mc(q, gaussian({100.0, 100.0}, {0.1, 0.1}), 1000, 1);
    CHECK(std::isinf(e.log_z));
    CHECK(e.log_z < 0);
}

TEST_CASE("the estimate does not depend on the number of threads") {
    const auto q = wide_gaussian();
    const std::uint64_t samples = 5 * detail::kSampleBlock + 123;  // a partial last block
    for (const Proposal& p : {Proposal{}, gaussian({0.0, 0.0}, {1.5, 1.5}), mixture({0.2, -0.3, 0.5, 0.0}, 0.5)}) {
        const auto one = log_integral_mc(q, p, samples, 9, 1);
        for (int threads : {2, 3}) {
            const auto e = log_integral_mc(q, p, samples, 9, threads);
            CAPTURE(p.name());
            CAPTURE(threads);
            CHECK(e.log_z == one.log_z);
            CHECK(e.std_error == one.std_error);
            CHECK(e.ess == one.ess);
            CHECK(e.samples == samples);
        }
    }
}

TEST_CASE("weight sums merged block by block match the direct log-mean-exp, delta method and ESS") {
    std::mt19937_64 rng(2);
    std::normal_distribution<double> normal(0.0, 3.0);
    std::vector<double> log_w(10007);
    for (std::size_t i = 0; i < log_w.size(); ++i)
        log_w[i] = i % 11 == 0 ? -std::numeric_limits<double>::infinity() : normal(rng) + (i < 5000 ? 40.0 : -40.0);
    // Direct formulas with w_i = exp(lw_i - M), M the largest log-weight, over `count` samples.
    const double M = *std::max_element(log_w.begin(), log_w.end());
    long double s1 = 0, s2 = 0;
    for (double lw : log_w) {
        const long double w = std::exp(static_cast<long double>(lw - M));
        s1 += w;
        s2 += w * w;
    }
    const auto check = [&](const LogZEstimate& e, std::size_t count) {
        const auto n = static_cast<long double>(count);
        const long double mean = s1 / n, var = (s2 - n * mean * mean) / (n - 1);
        CHECK(e.log_z == doctest::Approx(static_cast<double>(M + std::log(mean))).epsilon(1e-13));
        CHECK(e.std_error == doctest::Approx(static_cast<double>(std::sqrt(var / n) / mean)).epsilon(1e-10));
        CHECK(e.ess == doctest::Approx(static_cast<double>(s1 * s1 / s2)).epsilon(1e-10));
        CHECK(e.samples == count);
    };
    const auto whole = detail::combine(log_w);
    check(whole, log_w.size());
    detail::WeightSums sums;  // blocks of unequal sizes, then an empty one and one of zero weights
    for (std::size_t begin = 0, size = 1; begin < log_w.size(); begin += size, size = size * 3 + 1)
        sums.add(std::span<const double>(log_w).subspan(begin, std::min(size, log_w.size() - begin)));
    sums.add({});
    const double none[2] = {-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    sums.add(none);
    check(sums.estimate(), log_w.size() + 2);
}

TEST_CASE("the bias of log mean(w): -(n/ESS - 1)/(2n) matches the closed form, and removing it leaves a smaller bias") {
    // p(a) = exp(c a) on [0, 1] with a uniform proposal: w = exp(c a), Z = (e^c - 1)/c,
    // E[w^2] = (e^{2c} - 1)/(2c), so the delta method's bias is -(E[w^2]/Z^2 - 1)/(2n) exactly in
    // closed form. 40000 replicates of n = 20 samples (standard error of the mean bias about 1e-3).
    const double c = 3.0, Z = std::expm1(c) / c, Ew2 = std::expm1(2.0 * c) / (2.0 * c);
    const int n = 20, reps = 40000;
    const double predicted = -(Ew2 / (Z * Z) - 1.0) / (2.0 * n);
    std::mt19937_64 gen(12345);
    std::uniform_real_distribution<double> unif(0.0, 1.0);
    double bias = 0.0, estimated = 0.0, corrected = 0.0;
    std::vector<double> lw(n);
    for (int r = 0; r < reps; ++r) {
        for (double& x : lw) x = c * unif(gen);
        const LogZEstimate e = detail::combine(lw);
        bias += (e.log_z - std::log(Z)) / reps;
        estimated += e.log_bias() / reps;
        corrected += (e.log_z - e.log_bias() - std::log(Z)) / reps;
    }
    CHECK(predicted == doctest::Approx(-0.0164).epsilon(0.01));
    CHECK(bias < 0.0);
    CHECK(bias == doctest::Approx(predicted).epsilon(0.2));
    CHECK(estimated == doctest::Approx(predicted).epsilon(0.2));
    CHECK(std::abs(corrected) < 0.3 * std::abs(predicted));
}

TEST_CASE("more blocks than one merge round: every block counted, in block order (memory no longer grows with the samples)") {
    // 257 full blocks and a partial one: log_integral_mc merges its blocks in rounds of 256; the same
    // draws (importance_draws, same streams), merged here block by block in one pass, must give the
    // same sums to the bit.
    const auto q = wide_gaussian();
    const std::uint64_t n = 257 * detail::kSampleBlock + 123;
    const LogZEstimate e = log_integral_mc(q, Proposal{}, n, 11);
    const detail::WeightedDraws w = detail::importance_draws(detail::block_density(q), q.low(), q.high(), Proposal{}, n, 11, 0);
    detail::WeightSums sums;
    for (std::size_t b = 0; b * detail::kSampleBlock < n; ++b) {
        const std::size_t at = b * detail::kSampleBlock, m = std::min<std::size_t>(detail::kSampleBlock, n - at);
        detail::WeightSums block;
        block.add(std::span<const double>(w.log_w.data() + at, m));
        sums.merge(block);
    }
    const LogZEstimate direct = sums.estimate();
    CHECK(e.samples == n);
    CHECK(e.log_z == direct.log_z);
    CHECK(e.std_error == direct.std_error);
    CHECK(e.ess == direct.ess);
}
