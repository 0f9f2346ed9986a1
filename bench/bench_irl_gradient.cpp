// One maximum causal entropy IRL gradient (soft solve + occupancy + Phi^T d) on a model file, with
// 10 per-state features phi_k(s) = sin(0.7 (k + 1) (s + 1)) and weights w = linspace(-1, 1, 10),
// r(s, a) = phi(s) . w: the same arithmetic as bench/irl_gradient.py, which bench/irl_gradient.sh
// runs on the same file in the same run. Prints the seconds of each repetition and the gradient's
// first entries (the two programs must agree).
//   usage: softmdp_bench_irl_gradient MODEL ALPHA TOLERANCE [REPETITIONS [METHOD]]   (METHOD: default_method)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>

#include "softmdp/analysis/features.hpp"
#include "softmdp/analysis/reward_gradient.hpp"
#include "softmdp/io/loader.hpp"

using namespace softmdp;

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s MODEL ALPHA TOLERANCE [REPETITIONS [METHOD]]\n", argv[0]);
        return 2;
    }
    const Model loaded = load_model(argv[1]);
    const double alpha = std::atof(argv[2]);
    const int reps = argc > 4 ? std::atoi(argv[4]) : 3;
    constexpr std::size_t K = 10;
    const std::size_t S = loaded.num_states();
    std::vector<double> table(S * K), w(K);
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t k = 0; k < K; ++k) table[s * K + k] = std::sin(0.7 * static_cast<double>(k + 1) * static_cast<double>(s + 1));
    for (std::size_t k = 0; k < K; ++k) w[k] = -1.0 + 2.0 * static_cast<double>(k) / static_cast<double>(K - 1);
    const Features phi(loaded, Features::Kind::per_state, K, table);
    ModelData d = loaded.data();
    d.row_reward = phi.reward(loaded, w);
    d.next_reward.clear();
    const Model m(std::move(d));
    SolverOptions opt;
    opt.tolerance = std::atof(argv[3]);
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const RewardGradient g = soft_reward_gradient(m, alpha, opt, argc > 5 ? argv[5] : "");
        const auto grad = weight_gradient(m, phi, g);
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print("{:.4f} s  (solve {:.3f} s: {}, {} iterations, {} sweeps; occupancy {:.3f} s: {})  dJ/dw[0..2] = {:.10g} {:.10g} {:.10g}\n",
                   sec, g.solution.seconds, g.solution.method, g.solution.iterations, g.solution.sweeps, g.occupancy.seconds,
                   g.occupancy.method, grad[0], grad[1], grad[2]);
    }
}
