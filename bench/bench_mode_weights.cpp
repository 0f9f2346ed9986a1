// Mode weights of SVGD particles and of two exact corrections on unequal-mode targets: the
// measurement behind docs/continuous.md, "Mode weights".
//   softmdp_bench_mode_weights 1d|2d [STEPS] [PARTICLES] [SEEDS]
// 1d: weights 0.27 / 0.73 at -0.5 / 0.5 (s = 0.12) on [-1, 1], share left of 0;
// 2d: weights 0.4 / 0.3 / 0.2 / 0.1 at (+-0.6, +-0.6) (s = 0.15) on [-1, 1]^2, share of the light mode's
// quadrant. Per seed: the exact mass (erf), plain SVGD, SVGD + importance resampling (the library's
// `sample`), and independence Metropolis-Hastings on the same proposal (n chains of M/n - 1 steps,
// each started at a draw), with the same number M of draws.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../tests/continuous_targets.hpp"
#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/svgd.hpp"

using namespace softmdp;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s 1d|2d [STEPS] [PARTICLES] [SEEDS]\n", argv[0]);
        return 2;
    }
    const bool one = std::string(argv[1]) == "1d";
    const std::size_t steps = argc > 2 ? std::stoul(argv[2]) : 300, n = argc > 3 ? std::stoul(argv[3]) : 1000;
    const std::uint64_t seeds = argc > 4 ? std::stoul(argv[4]) : 8;
    const test::WeightedModes t = one ? test::WeightedModes{{{-0.5}, {0.5}}, {0.27, 0.73}, 0.12, {-1.0}, {1.0}}
                                      : test::WeightedModes{{{0.6, 0.6}, {-0.6, 0.6}, {-0.6, -0.6}, {0.6, -0.6}},
                                                            {0.4, 0.3, 0.2, 0.1}, 0.15, {-1.0, -1.0}, {1.0, 1.0}};
    const std::size_t d = t.dim();
    const auto in_mode = [&](const double* a) { return one ? a[0] < 0.0 : a[0] > 0.0 && a[1] < 0.0; };
    const auto share = [&](const std::vector<double>& p) {
        double c = 0.0;
        for (std::size_t i = 0; i < p.size() / d; ++i) c += in_mode(p.data() + i * d);
        return c / static_cast<double>(p.size() / d);
    };
    const double mass = one ? t.mass({-1.0}, {0.0}) : t.mass({0.0, -1.0}, {1.0, 0.0});
    std::printf("exact mass %.4f, binomial sd for %zu particles %.4f\n", mass, n, std::sqrt(mass * (1.0 - mass) / static_cast<double>(n)));
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
        SvgdOptions o;
        o.particles = n;
        o.max_steps = steps;
        o.tolerance = 0.0;
        o.seed = seed;
        const SvgdResult r = svgd(t, o);
        ResampleOptions ro;
        ro.seed = seed;
        const ResampleResult rs = importance_resample(t, r.particles, n, ro);
        // Independence MH on fresh draws from the same proposal.
        const std::size_t M = rs.weights.samples, K = M / n - 1;
        const detail::WeightedDraws w = detail::importance_draws(detail::block_density(t), t.low(), t.high(), particle_proposal(r.particles, d),
                                                                 M, stream_seed(seed, 99), 0);
        Rng rng(stream_seed(seed, 100));
        std::vector<double> imh(n * d);
        double accepted = 0.0;
        for (std::size_t c = 0; c < n; ++c) {
            std::size_t cur = c * (K + 1);
            for (std::size_t k = 1; k <= K; ++k) {
                const std::size_t y = c * (K + 1) + k;
                if (std::log(rng.uniform()) < w.log_w[y] - w.log_w[cur]) cur = y, accepted += 1.0;
            }
            for (std::size_t i = 0; i < d; ++i) imh[c * d + i] = w.points[cur * d + i];
        }
        std::printf("seed %2llu: plain SVGD %.3f | resampled %.3f (ESS %.0f of %zu, %zu distinct) | independence MH %.3f (K %zu, acceptance %.2f)\n",
                    static_cast<unsigned long long>(seed), share(r.particles), share(rs.particles), rs.weights.ess, M, rs.distinct, share(imh), K,
                    accepted / static_cast<double>(n * K));
    }
}
