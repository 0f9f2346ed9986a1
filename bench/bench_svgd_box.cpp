// How SVGD's particles match their target near the box's faces, for the library's sampler (normal-CDF
// map, svgd.hpp) and the box handlings it was chosen over (docs/continuous.md, "The box"), each a
// plain O(n^2) implementation of the same update (AdaGrad with momentum, median bandwidth):
//   reflect   particles move in action space and are reflected at the faces (the library before)
//   logistic  u in R^d, a = low + (high - low) sigmoid(u), log-Jacobian in the target
//   kernel    k(x, y) = g(x) g(y) exp(-|x - y|^2 / h), g = prod_k 4 (x_k - low_k)(high_k - x_k) / w_k^2
//             (vanishes at the faces), AdaGrad steps; a step that leaves the box is reflected (counted)
//   kernel-g  the same kernel, AdaGrad on phi / g and the step scaled by g (no step leaves the box)
// Targets: multigoal (mdps/multigoal.json, state center, alpha 0.1, V by quadrature soft
// Q-iteration), fourmodes, truncated (1-D, mode near a face) and gaussian (tests/continuous_targets.hpp).
// Reference masses and moments by a midpoint grid (2000 x 2000, or 200000 points in 1-D).
//   build/softmdp_bench_svgd_box TARGET METHOD [PARTICLES=200] [STEPS=1000] [SEEDS=32]
// prints, pooled over seeds 0 .. SEEDS-1: the share of particles within 0.02 of a face, E[a_k^2],
// mean and variance, each quadrant's share (1-D: a > 0), the root-mean-square deviation of one run's
// shares from the masses and their range relative to the masses.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../tests/continuous_targets.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;

namespace {

constexpr double kBand = 0.02;

template <class T>
std::vector<double> plain_svgd(const T& t, const std::string& method, std::size_t n, std::size_t steps, std::uint64_t seed,
                               long& reflections) {
    const std::size_t d = t.dim();
    const auto lo = t.low(), hi = t.high();
    const bool logistic = method == "logistic", kernel = method.starts_with("kernel"), scaled = method == "kernel-g";
    Rng rng(seed);
    std::vector<double> x(n * d), a(n * d), s(n * d), phi(n * d), ada(n * d, 0.0), g(n, 1.0), r2;
    for (std::size_t i = 0; i < n * d; ++i) {
        const std::size_t k = i % d;
        a[i] = rng.uniform(lo[k], hi[k]);
        x[i] = logistic ? std::log(a[i] - lo[k]) - std::log(hi[k] - a[i]) : a[i];
    }
    const auto sigmoid = [](double u) { return u >= 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u)); };
    const auto rescore = [&](std::size_t i) {
        for (std::size_t k = 0; k < d; ++k) {
            const std::size_t at = i * d + k;
            a[at] = logistic ? std::clamp(lo[k] + (hi[k] - lo[k]) * sigmoid(x[at]), lo[k], hi[k]) : x[at];
        }
        t.log_density(std::span<const double>(a.data() + i * d, d), std::span<double>(s.data() + i * d, d));
        g[i] = 1.0;
        for (std::size_t k = 0; k < d; ++k) {
            const std::size_t at = i * d + k;
            const double w = hi[k] - lo[k], sp = sigmoid(x[at]), sm = sigmoid(-x[at]);
            if (logistic) s[at] = s[at] * w * sp * sm + (sm - sp);  // chain rule and d/du log(da/du)
            if (kernel) {  // s + grad log g: k(x_j, .) grad log p(x_j) + grad_{x_j} k = g_j k_rbf (s + grad log g + ...)
                g[i] *= 4.0 * (x[at] - lo[k]) * (hi[k] - x[at]) / (w * w);
                s[at] += 1.0 / (x[at] - lo[k]) - 1.0 / (hi[k] - x[at]);
            }
        }
    };
    for (std::size_t i = 0; i < n; ++i) rescore(i);
    double h = 1.0;
    for (std::size_t step = 0; step < steps; ++step) {
        if (step % (n <= 256 ? 1 : 10) == 0) {
            r2.clear();
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i + 1; j < n; ++j) {
                    double q = 0.0;
                    for (std::size_t k = 0; k < d; ++k) q += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
                    r2.push_back(q);
                }
            std::nth_element(r2.begin(), r2.begin() + static_cast<std::ptrdiff_t>(r2.size() / 2), r2.end());
            h = r2[r2.size() / 2] / std::log(static_cast<double>(n) + 1.0);
            if (h <= 1e-12) h = 1.0;
        }
        // phi_i = (1/n) sum_j kw_ij (s_j + (2/h)(x_i - x_j)), kw = g_i g_j k_rbf (g = 1 but for the kernels).
        std::fill(phi.begin(), phi.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                double q = 0.0;
                for (std::size_t k = 0; k < d; ++k) q += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
                const double kw = g[i] * g[j] * std::exp(-q / h);
                for (std::size_t k = 0; k < d; ++k) phi[i * d + k] += kw * (s[j * d + k] + 2.0 / h * (x[i * d + k] - x[j * d + k]));
            }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < d; ++k) {
                const std::size_t at = i * d + k;
                const double p = phi[at] / static_cast<double>(n) / (scaled ? g[i] : 1.0);
                ada[at] = step == 0 ? ada[at] + p * p : 0.9 * ada[at] + 0.1 * p * p;
                x[at] += (scaled ? g[i] : 1.0) * 0.01 * p / (1e-6 + std::sqrt(ada[at]));
                if (logistic || (x[at] > lo[k] && x[at] < hi[k])) continue;
                ++reflections;
                if (x[at] < lo[k]) x[at] = lo[k] + (lo[k] - x[at]);
                if (x[at] > hi[k]) x[at] = hi[k] - (x[at] - hi[k]);
                // The kernels need g > 0: strictly inside.
                const double margin = kernel ? 1e-9 * (hi[k] - lo[k]) : 0.0;
                x[at] = std::clamp(x[at], lo[k] + margin, hi[k] - margin);
            }
            rescore(i);
        }
    }
    return a;
}

struct Stats {
    double face = 0.0, m2 = 0.0, mean = 0.0, var = 0.0;
    std::vector<double> cell;  // quadrants (1-D: a <= 0, a > 0)
};

int cell_of(std::span<const double> a) { return (a[0] > 0 ? 0 : 1) + (a.size() > 1 && a[1] <= 0 ? 2 : 0); }

bool near_face(std::span<const double> a, std::span<const double> lo, std::span<const double> hi) {
    for (std::size_t k = 0; k < a.size(); ++k)
        if (a[k] - lo[k] < kBand || hi[k] - a[k] < kBand) return true;
    return false;
}

// Weighted statistics of points (n x d) with weights w (summing to 1); m2, mean and var of coordinate 0.
Stats stats(const std::vector<double>& pts, const std::vector<double>& w, std::size_t d, std::span<const double> lo,
            std::span<const double> hi) {
    Stats r;
    r.cell.assign(d == 1 ? 2 : 4, 0.0);
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::span<const double> a(pts.data() + i * d, d);
        if (near_face(a, lo, hi)) r.face += w[i];
        r.cell[static_cast<std::size_t>(cell_of(a))] += w[i];
        r.m2 += w[i] * a[0] * a[0];
        r.mean += w[i] * a[0];
    }
    r.var = r.m2 - r.mean * r.mean;
    return r;
}

template <class T>
Stats grid_stats(const T& t) {
    const std::size_t d = t.dim(), m = d == 1 ? 200000 : 2000, total = d == 1 ? m : m * m;
    const auto lo = t.low(), hi = t.high();
    std::vector<double> pts(total * d), w(total);
    double mx = -INFINITY, z = 0.0;
    for (std::size_t p = 0; p < total; ++p) {
        for (std::size_t k = 0; k < d; ++k)
            pts[p * d + k] = lo[k] + (hi[k] - lo[k]) * (static_cast<double>(k == 0 ? p % m : p / m) + 0.5) / static_cast<double>(m);
        w[p] = t.log_density(std::span<const double>(pts.data() + p * d, d), {});
        mx = std::max(mx, w[p]);
    }
    for (double& v : w) z += (v = std::exp(v - mx));
    for (double& v : w) v /= z;
    return stats(pts, w, d, lo, hi);
}

template <class T>
void run(const T& t, const std::string& method, std::size_t n, std::size_t steps, int seeds) {
    const Stats ref = grid_stats(t);
    const std::size_t d = t.dim(), cells = ref.cell.size();
    Stats pool;
    pool.cell.assign(cells, 0.0);
    double sq = 0.0, lo_ratio = INFINITY, hi_ratio = 0.0;
    long reflections = 0;
    for (int seed = 0; seed < seeds; ++seed) {
        std::vector<double> a;
        if (method == "normal-cdf") {
            SvgdOptions o;
            o.particles = n;
            o.max_steps = steps;
            o.tolerance = 0.0;
            o.seed = static_cast<std::uint64_t>(seed);
            a = svgd(t, o).particles;
        } else {
            a = plain_svgd(t, method, n, steps, static_cast<std::uint64_t>(seed), reflections);
        }
        const Stats s = stats(a, std::vector<double>(n, 1.0 / static_cast<double>(n)), d, t.low(), t.high());
        pool.face += s.face / seeds, pool.m2 += s.m2 / seeds, pool.mean += s.mean / seeds, pool.var += s.var / seeds;
        for (std::size_t c = 0; c < cells; ++c) {
            pool.cell[c] += s.cell[c] / seeds;
            sq += (s.cell[c] - ref.cell[c]) * (s.cell[c] - ref.cell[c]) / static_cast<double>(seeds * cells);
            if (ref.cell[c] > 0.1) lo_ratio = std::min(lo_ratio, s.cell[c] / ref.cell[c]), hi_ratio = std::max(hi_ratio, s.cell[c] / ref.cell[c]);
        }
    }
    const auto cells_text = [](const std::vector<double>& v) {
        std::string out;
        char buf[32];
        for (double x : v) {
            std::snprintf(buf, sizeof buf, out.empty() ? "%.4f" : " %.4f", x);
            out += buf;
        }
        return out;
    };
    std::printf("%-10s n=%zu steps=%zu seeds=%d: face %.4f (mass %.4f)  E[a0^2] %.4f (%.4f)  mean %.4f (%.4f)  var %.4f (%.4f)\n",
                method.c_str(), n, steps, seeds, pool.face, ref.face, pool.m2, ref.m2, pool.mean, ref.mean, pool.var, ref.var);
    std::printf("           cells %s (masses %s), one run: rms deviation %.4f, %.2fx..%.2fx of the mass; %ld reflections\n",
                cells_text(pool.cell).c_str(), cells_text(ref.cell).c_str(), std::sqrt(sq), lo_ratio, hi_ratio, reflections);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s multigoal|fourmodes|truncated|gaussian normal-cdf|reflect|logistic|kernel|kernel-g [PARTICLES] [STEPS] [SEEDS]\n", argv[0]);
        return 2;
    }
    const std::string target = argv[1], method = argv[2];
    const std::size_t n = argc > 3 ? std::stoul(argv[3]) : 200, steps = argc > 4 ? std::stoul(argv[4]) : 1000;
    const int seeds = argc > 5 ? std::stoi(argv[5]) : 32;
    if (target == "multigoal") {
        const ContinuousModel m = load_continuous_model(SOFTMDP_SOURCE_DIR "/mdps/multigoal.json");
        const auto V = continuous_soft_q_iteration(m, 0.1, {}).solution.values;
        run(SoftQTarget(m, 0, V, 0.1), method, n, steps, seeds);
    } else if (target == "fourmodes") {
        run(test::FourModes{}, method, n, steps, seeds);
    } else if (target == "truncated") {
        run(test::TruncatedGaussian{}, method, n, steps, seeds);
    } else if (target == "gaussian") {  // the Gaussian of tests/test_svgd.cpp: N((0.5, -0.5), diag(0.0625, 0.25)) on [-4, 4]^2
        test::Quadratic q;
        q.mu = {0.5, -0.5};
        q.A = {4.0, 0.0, 0.0, 1.0};
        q.alpha = 0.25;
        q.lo = {-4, -4};
        q.hi = {4, 4};
        run(q, method, n, steps, seeds);
    } else {
        std::fprintf(stderr, "unknown target %s\n", target.c_str());
        return 2;
    }
    return 0;
}
