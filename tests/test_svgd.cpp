// SVGD against a Gaussian (closed-form mean and covariance) and a four-mode mixture; the median
// bandwidth against a direct std::nth_element; the same particles with any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "continuous_targets.hpp"
#include "softmdp/svgd.hpp"

using namespace softmdp;

namespace {

// h = med^2 / log(n + 1) from all pairwise squared distances, by std::nth_element.
double direct_median_bandwidth(const std::vector<double>& y, std::size_t n, std::size_t d) {
    std::vector<double> r2;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            double s = 0.0;
            for (std::size_t k = 0; k < d; ++k) s += (y[i * d + k] - y[j * d + k]) * (y[i * d + k] - y[j * d + k]);
            r2.push_back(s);
        }
    std::nth_element(r2.begin(), r2.begin() + static_cast<std::ptrdiff_t>(r2.size() / 2), r2.end());
    const double h = r2[r2.size() / 2] / std::log(static_cast<double>(n) + 1.0);
    return h > 1e-12 ? h : 1.0;
}

}  // namespace

TEST_CASE("the median bandwidth equals a direct std::nth_element over all pairs") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> digit(0, 9);
    // Sizes on both sides of the radix select's thresholds (16384 candidates, one and two 16-bit
    // levels); ties: points on a coarse grid (every candidate equal: all 64 bits are resolved);
    // every particle at one point (h falls back to 1).
    for (std::size_t n : {2, 3, 50, 181, 182, 400, 1200}) {
        for (std::size_t d : {1, 2, 3}) {
            for (int kind = 0; kind < 3; ++kind) {
                std::vector<double> y(n * d);
                for (double& v : y) v = kind == 0 ? normal(rng) : kind == 1 ? digit(rng) : 0.25;
                for (int threads : {1, 3}) {
                    detail::SvgdState state(n, d, threads);
                    CAPTURE(n);
                    CAPTURE(d);
                    CAPTURE(kind);
                    CAPTURE(threads);
                    CHECK(state.median_bandwidth(y) == direct_median_bandwidth(y, n, d));
                }
            }
        }
    }
}

TEST_CASE("the particles do not depend on the number of threads") {
    test::FourModes t;
    SvgdOptions o;
    o.particles = 900;  // enough pairs for three threads
    o.max_steps = 25;
    o.tolerance = 0.0;
    o.seed = 4;
    o.threads = 1;
    const auto one = svgd(t, o);
    for (int threads : {2, 3}) {
        o.threads = threads;
        const auto r = svgd(t, o);
        CAPTURE(threads);
        CHECK(r.particles == one.particles);
        CHECK(r.ksd == one.ksd);
        CHECK(r.bandwidth == one.bandwidth);
    }
}

TEST_CASE("quadratic target: particles match N(mu, alpha A^-1)") {
    test::Quadratic q;
    q.mu = {0.5, -0.5};
    q.A = {4.0, 0.0, 0.0, 1.0};
    q.alpha = 0.25;  // covariance alpha A^-1 = diag(0.0625, 0.25)
    q.lo = {-4, -4};
    q.hi = {4, 4};
    // 200 particles: the bandwidth every step; 400: every 10 steps, by the radix select.
    for (std::size_t n : {200, 400}) {
        SvgdOptions o;
        o.particles = n;
        o.max_steps = 2000;
        o.seed = 3;
        CAPTURE(n);
        const auto r = svgd(q, o);
        double m[2] = {0, 0}, v[2] = {0, 0};
        for (std::size_t i = 0; i < n; ++i)
            for (int k = 0; k < 2; ++k) m[k] += r.particles[i * 2 + k] / static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i)
            for (int k = 0; k < 2; ++k)
                v[k] += (r.particles[i * 2 + k] - m[k]) * (r.particles[i * 2 + k] - m[k]) / static_cast<double>(n);
        // Tolerances: an i.i.d. sample of 200 has a mean error of sd/sqrt(200) (0.018 for sd 0.25) and a
        // relative variance error of sqrt(2/200) = 10%; SVGD's deterministic particles do better on the
        // mean, and with a median-heuristic kernel it is known to underestimate variance by a few percent.
        CHECK(m[0] == doctest::Approx(0.5).epsilon(0.05));
        CHECK(m[1] == doctest::Approx(-0.5).epsilon(0.05));
        CHECK(v[0] == doctest::Approx(0.0625).epsilon(0.2));
        CHECK(v[1] == doctest::Approx(0.25).epsilon(0.2));
        for (double x : r.particles) {
            CHECK(x >= -4.0);
            CHECK(x <= 4.0);
        }
    }
}

TEST_CASE("four modes: every mode is covered, shares match the masses on average, KSD falls") {
    test::FourModes t;
    SvgdOptions o;
    o.particles = 200;
    o.tolerance = 0.0;
    double previous = INFINITY;
    for (std::size_t steps : {5, 50, 500}) {
        o.max_steps = steps;
        const auto r = svgd(t, o);
        CAPTURE(steps);
        CHECK(r.ksd < previous);
        previous = r.ksd;
    }
    // Each mode has mass 1/4. With a finite particle set and the median-heuristic kernel, SVGD
    // shares particles between modes only approximately (neighbouring modes are coupled through the
    // kernel; measured spread over seeds: 0.5x to 1.7x of the fair share of one run). So: every mode
    // holds 0.4x to 1.8x of its share in every run, and pooled over four seeds each mode is within
    // 20% of its mass.
    o.max_steps = 500;
    int pooled[4] = {0, 0, 0, 0};
    for (std::uint64_t seed : {0, 1, 2, 3}) {
        o.seed = seed;
        const auto r = svgd(t, o);
        int count[4] = {0, 0, 0, 0};
        for (std::size_t i = 0; i < o.particles; ++i) {
            const double x = r.particles[2 * i], y = r.particles[2 * i + 1];
            const int c = (x > 0 ? 0 : 1) + (y > 0 ? 0 : 2);
            ++count[c];
            ++pooled[c];
        }
        CAPTURE(seed);
        for (int c : count) {
            CHECK(c >= 20);
            CHECK(c <= 90);
        }
    }
    for (int c : pooled) {
        CHECK(c >= 160);
        CHECK(c <= 240);
    }
}

TEST_CASE("a seed reproduces the particles") {
    test::FourModes t;
    SvgdOptions o;
    o.particles = 50;
    o.max_steps = 50;
    o.seed = 9;
    CHECK(svgd(t, o).particles == svgd(t, o).particles);
}
