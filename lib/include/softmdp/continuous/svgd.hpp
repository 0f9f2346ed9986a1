#pragma once
// Stein Variational Gradient Descent (Liu & Wang 2016) for a target density over a box.
//   phi(x_i) = (1/n) sum_j [ k(x_j, x_i) grad log p(x_j) + grad_{x_j} k(x_j, x_i) ]
// RBF kernel k(x, y) = exp(-||x - y||^2 / h), median heuristic h = med^2 / log(n + 1) (as in the
// reference implementation), AdaGrad with momentum (0.9) step sizes.
// The box: SVGD runs on unconstrained u in R^d, mapped coordinate-wise to actions
//   a_k = low_k + (high_k - low_k) Phi(u_k)        (Phi the standard normal CDF)
// with target log p_u(u) = log p(a(u)) + sum_k log(da_k/du_k), da_k/du_k = (high_k - low_k) phi(u_k).
// p_u vanishes at infinity, so the Stein identity holds and the fixed point is the target; a uniform
// start in the box is u ~ N(0, I). Particles that moved in action space and were reflected at the
// faces piled up there (SVGD's fixed point is the target only when p(x) k(x, .) vanishes on the
// domain's boundary): on multigoal's anchor target (alpha 0.1), 41% of 200 particles within 0.02 of
// a face against 2.4% of the mass; now 1.1% with 200 particles (SVGD thins the far tails in u),
// 2.8% with 400, 1.9% with 1000. Measurements and the alternatives (logistic map, boundary-vanishing
// kernel): docs/continuous.md, "The box"; bench/bench_svgd_box.cpp.
// Particles are returned in action space, strictly inside the box; the bandwidth and the kernel
// Stein discrepancy (V-statistic, same RBF kernel: the convergence diagnostic) are those of u-space,
// where SVGD runs; the movement tolerance is measured on the actions.
// Cost per step O(n^2 d), without allocation: each pair i < j is visited once, its kernel value
// serving both phi(x_i) and phi(x_j); the work is split into row blocks fixed by n alone and summed
// in a fixed order, so a seed gives the same particles with any thread count.
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "softmdp/core/random.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

struct SvgdOptions {
    std::size_t particles = 100;
    std::size_t max_steps = 1000;
    double step_size = 0.01;
    double tolerance = 1e-5;    // stop when no coordinate of a particle's action moves more than this in a step
    std::uint64_t seed = 0;
    int threads = 0;  // 0: all cores (fewer for small n: see svgd.cpp); the particles do not depend on it
    std::size_t bandwidth_every = 0;  // recompute the median bandwidth every this many steps (0: 1 up to 256
                                      // particles, else 10: the median costs two more passes over the pairs)
};

// At most this many particles (a step is O(n^2); 10^5 particles take minutes per step already).
constexpr std::size_t kMaxParticles = 100000;
// Throws UsageError unless 2 <= n <= kMaxParticles.
void check_particles(std::size_t n);

struct SvgdResult {
    std::vector<double> particles;  // n x d, row-major, in action space (strictly inside the box)
    std::size_t steps = 0;
    bool converged = false;
    double bandwidth = 0.0;  // h at the end, in u-space
    double ksd = 0.0;        // kernel Stein discrepancy at the end, of the particles u against p_u
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
    // update(i) brings particle i's score (and whatever the caller derives from x_i) up to date and
    // returns how far it moved by the caller's measure; called for every particle, in parallel.
    void score_all(const std::function<double(std::size_t)>& update);
    // One AdaGrad-momentum step, each particle then updated in the same parallel pass (one
    // synchronisation less per step); returns the largest value update returned.
    double step(std::span<double> y, std::span<const double> scores, double h, double step_size, bool first,
                const std::function<double(std::size_t)>& update);
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
// a = low + (high - low) Phi(u) (Phi the standard normal CDF), computed from the nearer face and kept
// strictly inside the box; returns max_k |change of a_k|.
double to_box(std::span<const double> low, std::span<const double> high, std::span<const double> u, std::span<double> a);
// grad_a log p into grad_u log p_u, in place: s_k (high_k - low_k) phi(u_k) - u_k (phi the normal density).
void score_in_u(std::span<const double> low, std::span<const double> high, std::span<const double> u, std::span<double> s);
}  // namespace detail

template <LogDensityTarget T>
SvgdResult svgd(const T& target, const SvgdOptions& opt) {
    const std::size_t n = opt.particles, d = target.dim();
    const auto low = target.low(), high = target.high();
    Rng rng(opt.seed);
    // u: SVGD's particles; a: their actions; scores: grad_u log p_u.
    std::vector<double> u(n * d), a(n * d), scores(n * d);
    for (double& v : u) v = rng.normal();  // N(0, I) in u: uniform actions in the box
    detail::SvgdState state(n, d, opt.threads);
    const std::function<double(std::size_t)> update = [&](std::size_t i) {
        const std::span<const double> ui(u.data() + i * d, d);
        const std::span<double> ai(a.data() + i * d, d), si(scores.data() + i * d, d);
        const double moved = detail::to_box(low, high, ui, ai);
        target.log_density(ai, si);
        detail::score_in_u(low, high, ui, si);
        return moved;
    };
    state.score_all(update);
    SvgdResult res;
    double h = 1.0;
    for (std::size_t step = 0; step < opt.max_steps; ++step) {
        const std::size_t every = opt.bandwidth_every ? opt.bandwidth_every : (n <= 256 ? 1 : 10);
        if (step % every == 0) h = state.median_bandwidth(u);
        const double moved = state.step(u, scores, h, opt.step_size, step == 0, update);
        res.steps = step + 1;
        if (moved < opt.tolerance) {
            res.converged = true;
            break;
        }
    }
    res.bandwidth = state.median_bandwidth(u);
    res.ksd = state.ksd(u, scores, res.bandwidth);
    res.particles = std::move(a);
    return res;
}

}  // namespace softmdp
