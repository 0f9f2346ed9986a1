#pragma once
// Stein Variational Gradient Descent (Liu & Wang 2016) for a target density over a box.
//   phi(x_i) = (1/n) sum_j [ k(x_j, x_i) grad log p(x_j) + grad_{x_j} k(x_j, x_i) ]
// RBF kernel k(x, y) = exp(-||x - y||^2 / h), median heuristic h = med^2 / log(n + 1) (as in the
// reference implementation), AdaGrad with momentum (0.9) step sizes.
// The box: particles move in action space and are reflected at the faces (a step that leaves the
// box by x comes back in by x). We tried the alternative, a tanh reparametrisation with its
// log-Jacobian: it distorts distances, so the median-bandwidth kernel couples neighbouring modes
// unevenly and particles drift between modes (on four equal Gaussians, one mode went from 108 to 72
// of 400 particles in 200 steps, against 108 to 93 with reflection). Reflection keeps the box's
// Euclidean geometry, but it is BIASED at the faces (open, docs/continuous.md): on multigoal's
// anchor target (alpha 0.1) 85 of 200 particles end within 0.02 of a face against 2.4% of the mass
// there; the outward kernel-gradient push is folded back onto the face and particles pile up.
// The kernel Stein discrepancy (V-statistic, same RBF kernel) is the convergence diagnostic.
// Cost per step O(n^2 d), without allocation: each pair i < j is visited once, its kernel value
// serving both phi(x_i) and phi(x_j); the work is split into row blocks fixed by n alone and summed
// in a fixed order, so a seed gives the same particles with any thread count.
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "softmdp/random.hpp"
#include "softmdp/target.hpp"

namespace softmdp {

struct SvgdOptions {
    std::size_t particles = 100;
    std::size_t max_steps = 1000;
    double step_size = 0.01;
    double tolerance = 1e-5;    // stop when no particle moves more than this in a step
    std::uint64_t seed = 0;
    int threads = 0;  // 0: all cores (fewer for small n: see svgd.cpp); the particles do not depend on it
    std::size_t bandwidth_every = 0;  // recompute the median bandwidth every this many steps (0: 1 up to 256
                                      // particles, else 10: the median costs two more passes over the pairs)
};

struct SvgdResult {
    std::vector<double> particles;  // n x d, row-major, in action space
    std::size_t steps = 0;
    bool converged = false;
    double bandwidth = 0.0;  // h of the last step
    double ksd = 0.0;        // kernel Stein discrepancy at the end
};

namespace detail {
// The target-independent part of SVGD, on particles x (n x d) with scores s = grad log p (n x d).
// Every buffer is allocated by the constructor.
class SvgdState {
public:
    SvgdState(std::size_t n, std::size_t d, int threads);
    int threads() const noexcept { return threads_; }
    // h = med^2 / log(n + 1), med^2 the median (the element of rank m/2 of the m = n(n-1)/2) squared
    // pairwise distance, found exactly by a radix select on the distances' bits (no O(n^2) buffer).
    double median_bandwidth(std::span<const double> y);
    // rescore(i) writes grad log p(x_i) into the scores; called for every particle, in parallel.
    void score_all(const std::function<void(std::size_t)>& rescore);
    // One AdaGrad-momentum step, each particle then reflected into the box [low, high] and rescored in
    // the same parallel pass (one synchronisation less per step); returns the largest move.
    double step(std::span<double> y, std::span<const double> scores, double h, double step_size, bool first,
                std::span<const double> low, std::span<const double> high, const std::function<void(std::size_t)>& rescore);
    double ksd(std::span<const double> y, std::span<const double> scores, double h);

private:
    std::size_t n_, d_, blocks_, block_rows_;
    int threads_;
    std::vector<double> xs_, ss_;        // particles and scores by coordinate (d x n): unit-stride loops over particles
    std::vector<double> col_;            // per row block (blocks x d x n): its pairs' contributions to phi of later particles
    std::vector<double> phi_, adagrad_;  // n x d
    std::vector<double> scratch_;        // per thread: two chunks of distances / kernel values
    std::vector<std::uint64_t> counts_;  // per thread: radix-select histogram
    std::vector<double> picked_;         // per thread: radix-select candidates
    std::vector<std::size_t> filled_;    // per thread: how many candidates
    std::vector<double> rows_;           // KSD row sums
};
// Mirrors coordinates that left the box back inside.
void reflect(std::span<const double> low, std::span<const double> high, std::span<double> x);
}  // namespace detail

template <LogDensityTarget T>
SvgdResult svgd(const T& target, const SvgdOptions& opt) {
    const std::size_t n = opt.particles, d = target.dim();
    const auto low = target.low(), high = target.high();
    Rng rng(opt.seed);
    std::vector<double> x(n * d), scores(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k) x[i * d + k] = rng.uniform(low[k], high[k]);  // uniform in the box
    detail::SvgdState state(n, d, opt.threads);
    const std::function<void(std::size_t)> score = [&](std::size_t i) {
        target.log_density(std::span<const double>(x.data() + i * d, d), std::span<double>(scores.data() + i * d, d));
    };
    state.score_all(score);
    SvgdResult res;
    double h = 1.0;
    for (std::size_t step = 0; step < opt.max_steps; ++step) {
        const std::size_t every = opt.bandwidth_every ? opt.bandwidth_every : (n <= 256 ? 1 : 10);
        if (step % every == 0) h = state.median_bandwidth(x);
        const double moved = state.step(x, scores, h, opt.step_size, step == 0, low, high, score);
        res.steps = step + 1;
        if (moved < opt.tolerance) {
            res.converged = true;
            break;
        }
    }
    res.bandwidth = state.median_bandwidth(x);
    res.ksd = state.ksd(x, scores, res.bandwidth);
    res.particles = std::move(x);
    return res;
}

}  // namespace softmdp
