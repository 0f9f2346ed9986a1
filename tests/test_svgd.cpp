// SVGD against a Gaussian (closed-form mean and covariance), a four-mode mixture, a truncated
// Gaussian with its mode near a face (erf closed forms) and multigoal's centre (quadrature masses);
// the box map against its definition; the median bandwidth against a direct std::nth_element; the
// same particles with any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "continuous_targets.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/continuous/quadrature.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/continuous_reader.hpp"

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

// The target t on the sub-box [lo, hi] of its box: masses of sub-boxes by quadrature.
template <class T>
struct OnSubBox {
    const T* t;
    std::vector<double> lo, hi;
    std::size_t dim() const { return t->dim(); }
    std::span<const double> low() const { return lo; }
    std::span<const double> high() const { return hi; }
    double log_density(std::span<const double> a, std::span<double> grad) const { return t->log_density(a, grad); }
};

// The target's probability of the sub-box [lo, hi] (Gauss-Legendre, 96 nodes per dimension).
template <class T>
double sub_box_mass(const T& t, std::vector<double> lo, std::vector<double> hi) {
    return std::exp(log_integral_quadrature(OnSubBox<T>{&t, std::move(lo), std::move(hi)}, 96) - log_integral_quadrature(t, 96));
}

}  // namespace

TEST_CASE("the box map: actions strictly inside, scores the derivative of log p(a(u)) + log da/du") {
    const std::vector<double> low{-1.0, 0.5}, high{1.0, 0.75};
    // Moderate u against the definition a = low + w (1 + erf(u / sqrt 2)) / 2; far tails and
    // overflowing u strictly inside; the return value is the largest change of a coordinate.
    const double inf = INFINITY;
    for (double u : {-inf, -1e300, -40.0, -8.0, -1.0, 0.0, 0.3, 8.0, 40.0, 1e300, inf}) {
        const std::vector<double> us{u, -u};
        std::vector<double> a{0.0, 0.6};
        const double moved = detail::to_box(low, high, us, a);
        CAPTURE(u);
        for (std::size_t k = 0; k < 2; ++k) {
            CHECK(a[k] > low[k]);
            CHECK(a[k] < high[k]);
            if (std::abs(u) <= 8.0)
                CHECK(a[k] == doctest::Approx(low[k] + (high[k] - low[k]) * 0.5 * (1.0 + std::erf(us[k] / std::sqrt(2.0)))).epsilon(1e-14));
        }
        CHECK(moved == std::max(std::abs(a[0]), std::abs(a[1] - 0.6)));
    }
    // The score in u against a central difference of log p(a(u)) + sum_k log(w_k phi(u_k)).
    test::Quadratic q;
    q.mu = {0.3, 0.6};
    q.A = {2.0, 0.5, 0.5, 1.0};
    q.alpha = 0.5;
    q.lo = low;
    q.hi = high;
    const auto log_pu = [&](std::vector<double> u) {
        std::vector<double> a(2);
        detail::to_box(low, high, u, a);
        double l = q.log_density(a, {});
        for (std::size_t k = 0; k < 2; ++k) l += std::log((high[k] - low[k]) * test::TruncatedGaussian::phi(u[k]));
        return l;
    };
    for (const auto& u : {std::vector<double>{-2.5, 0.7}, {0.0, 0.0}, {1.2, -3.0}}) {
        std::vector<double> a(2), s(2);
        detail::to_box(low, high, u, a);
        q.log_density(a, s);
        detail::score_in_u(low, high, u, s);
        for (std::size_t k = 0; k < 2; ++k) {
            const double e = 1e-5;
            auto up = u, down = u;
            up[k] += e;
            down[k] -= e;
            CAPTURE(u[0]);
            CAPTURE(u[1]);
            CHECK(s[k] == doctest::Approx((log_pu(up) - log_pu(down)) / (2.0 * e)).epsilon(1e-7));
        }
    }
}

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

TEST_CASE("quadratic target: particles match N(mu, alpha A^-1)" * doctest::skip(test::kSanitized)) {
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
    // kernel; measured over 32 seeds: one run's mode held 0.52x to 1.50x of its share, 0.52x to 1.62x
    // when particles were reflected at the faces; bench/bench_svgd_box.cpp). So: every mode holds
    // 0.4x to 1.8x of its share in every run, and pooled over four seeds each mode is within 20% of
    // its mass.
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

TEST_CASE("truncated Gaussian with its mode near a face: face share, deciles, mean and variance match erf" *
          doctest::skip(test::kSanitized)) {
    // p(a) ∝ exp(-(a - 0.9)^2 / (2 0.3^2)) on [-1, 1]: 4.0% of the mass within 0.02 of a face (all at
    // a > 0.98), mean 0.7205, variance 0.0398. Particles reflected at the faces (the method before)
    // put 22% within 0.02 of the face, mean 0.753.
    const test::TruncatedGaussian t;
    const double face = t.cdf(-0.98) + 1.0 - t.cdf(0.98);
    std::vector<double> deciles{-1.0};
    for (int k = 1; k < 10; ++k) deciles.push_back(t.quantile(k / 10.0));
    deciles.push_back(1.0);
    SvgdOptions o;
    o.particles = 200;
    o.tolerance = 0.0;
    for (std::uint64_t seed : {0, 1, 2, 3}) {
        o.seed = seed;
        const auto r = svgd(t, o);
        double near = 0.0, mean = 0.0, var = 0.0;
        std::vector<double> bins(10, 0.0);
        for (double a : r.particles) {
            near += (a > 0.98 || a < -0.98) / 200.0;
            mean += a / 200.0;
            bins[static_cast<std::size_t>(std::upper_bound(deciles.begin(), deciles.end(), a) - deciles.begin() - 1)] += 1.0 / 200.0;
        }
        for (double a : r.particles) var += (a - mean) * (a - mean) / 200.0;
        CAPTURE(seed);
        // Tolerances from 24 seeds: face share 0.035 to 0.040 (one particle is 0.005), so within 0.01
        // (two particles); every decile held 0.08 to 0.12 (an i.i.d. sample of 200 has sd 0.021), so
        // within 0.03; the mean within 0.0004, so 0.002; the variance 0.7% to 1.7% low (SVGD with the
        // median kernel underestimates variance by a few percent), so within 4%.
        CHECK(std::abs(near - face) <= 0.01);
        for (double b : bins) CHECK(std::abs(b - 0.1) <= 0.03);
        CHECK(std::abs(mean - t.mean()) <= 0.002);
        CHECK(var == doctest::Approx(t.variance()).epsilon(0.04));
    }
}
TEST_CASE("multigoal's centre at alpha 0.1: no pile-up at the faces; bands, moments and quadrants match quadrature" *
          doctest::skip(test::kSanitized)) {
    // The anchor target of mdps/multigoal.json (state center, V from the quadrature solver): 2.4% of
    // its mass lies within 0.02 of a face. Particles reflected at the faces (the method before) put
    // 41% there and had E[a_k^2] 0.53 against 0.413.
    const ContinuousModel m = load_continuous_model(test::source_path("mdps/multigoal.json"));
    const auto V = continuous_soft_q_iteration(m, 0.1, {}).solution.values;
    const SoftQTarget t(m, 0, V, 0.1);
    // Masses of the bands of r = max_k |a_k| and of the quadrants, by quadrature over sub-boxes;
    // E[a_k^2] (the same for k = 0, 1 by symmetry) on the quadrature grid.
    const std::vector<double> edges{0.0, 0.3, 0.6, 0.9, 0.98, 1.0};
    std::vector<double> band;
    for (std::size_t b = 0; b + 1 < edges.size(); ++b) {
        const double outer = edges[b + 1], inner = edges[b];
        band.push_back(sub_box_mass(t, {-outer, -outer}, {outer, outer}) - (b == 0 ? 0.0 : sub_box_mass(t, {-inner, -inner}, {inner, inner})));
    }
    std::vector<double> quadrant;
    for (int c = 0; c < 4; ++c) {
        const double x0 = c % 2 == 0 ? 0.0 : -1.0, y0 = c < 2 ? 0.0 : -1.0;
        quadrant.push_back(sub_box_mass(t, {x0, y0}, {x0 + 1.0, y0 + 1.0}));
    }
    const QuadratureGrid g = quadrature_grid(t.low(), t.high(), 96);
    std::vector<double> f(g.size());
    for (std::size_t j = 0; j < g.size(); ++j) f[j] = t.log_density(std::span<const double>(g.points.data() + 2 * j, 2), {});
    const double log_z = log_sum_weighted(g.log_weights, f);
    double second = 0.0;
    for (std::size_t j = 0; j < g.size(); ++j) second += std::exp(g.log_weights[j] + f[j] - log_z) * g.points[2 * j] * g.points[2 * j];
    REQUIRE(band[4] == doctest::Approx(0.0239).epsilon(0.01));  // the audit's number
    REQUIRE(second == doctest::Approx(0.4133).epsilon(0.001));

    // 400 particles (the tail at the faces needs them: with 200, 0.3% to 3% of the particles are
    // there, 1.1% on average over 32 seeds), 1000 steps, eight seeds.
    SvgdOptions o;
    o.particles = 400;
    o.tolerance = 0.0;
    const auto n = static_cast<double>(o.particles);
    std::vector<double> pooled(4, 0.0);
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        o.seed = seed;
        const auto r = svgd(t, o);
        std::vector<double> bands(5, 0.0), quads(4, 0.0);
        double m2[2] = {0.0, 0.0};
        for (std::size_t i = 0; i < o.particles; ++i) {
            const double x = r.particles[2 * i], y = r.particles[2 * i + 1];
            const double sup = std::max(std::abs(x), std::abs(y));
            bands[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), sup) - edges.begin() - 1)] += 1.0 / n;
            quads[(x > 0 ? 0 : 1) + (y > 0 ? 0 : 2)] += 1.0 / n;
            m2[0] += x * x / n;
            m2[1] += y * y / n;
        }
        CAPTURE(seed);
        // Tolerances from 24 seeds: the face band held 0.84x to 1.57x of its mass (reflection: 17x),
        // so 0.5x to 2x; the other bands were within 0.032 of their masses (an i.i.d. sample of 400 has
        // sd up to 0.025), so 0.05; E[a_k^2] was 1.0% low to 0.4% high, so within 2%.
        CHECK(bands[4] >= 0.5 * band[4]);
        CHECK(bands[4] <= 2.0 * band[4]);
        for (std::size_t b = 0; b < 4; ++b) {
            CAPTURE(b);
            CHECK(std::abs(bands[b] - band[b]) <= 0.05);
        }
        CHECK(m2[0] == doctest::Approx(second).epsilon(0.02));
        CHECK(m2[1] == doctest::Approx(second).epsilon(0.02));
        // Quadrants (mass 1/4 each): SVGD shares separated modes only approximately (docs/continuous.md,
        // "Mode weights": sample resamples to fix it); over 24 seeds one run's quadrant held 0.43x to 1.81x of its mass, and the
        // mean of 8 runs deviated by up to 25% (per-run RMS deviation 0.075, so about 0.027 = 11% for
        // 8 runs). Every quadrant 0.4x to 1.9x in every run, and within 30% pooled: no mode dropped.
        for (int c = 0; c < 4; ++c) {
            CAPTURE(c);
            CHECK(quads[c] >= 0.4 * quadrant[c]);
            CHECK(quads[c] <= 1.9 * quadrant[c]);
            pooled[c] += quads[c] / 8.0;
        }
    }
    for (int c = 0; c < 4; ++c) CHECK(pooled[c] == doctest::Approx(quadrant[c]).epsilon(0.3));
}
