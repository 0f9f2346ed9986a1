// One side of bench/ab_sweep.sh: the sweep kernel of one source tree, compiled into its own namespace
// (-Dsoftmdp=...) so that two revisions run in one process. Includes the tree's bellman.cpp and
// model.cpp, which are all a Jacobi sweep needs.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "softmdp/bellman.hpp"
#include "softmdp/random.hpp"
#include SIDE_BELLMAN
#include SIDE_MODEL

namespace SIDE {

using namespace softmdp;

namespace {
Model* model = nullptr;
std::vector<double> V, TV;
}  // namespace

// The Garnet of bench_sweep.cpp: S states, A = 4, B = 5 uniform successors (repeats allowed), seed 1.
void init(std::size_t S) {
    constexpr std::size_t A = 4, B = 5;
    Rng rng(1);
    ModelData d;
    d.discount = 0.99;
    d.num_states = S;
    d.num_actions = A;
    d.initial.assign(S, 1.0 / static_cast<double>(S));
    d.state_begin.resize(S + 1);
    d.row_begin.push_back(0);
    std::vector<double> cuts(B + 1);
    for (std::size_t s = 0; s < S; ++s) {
        d.state_begin[s] = s * A;
        for (std::size_t a = 0; a < A; ++a) {
            d.row_action.push_back(static_cast<ActionId>(a));
            d.row_reward.push_back(rng.uniform());
            cuts[0] = 0.0;
            cuts[B] = 1.0;
            for (std::size_t k = 1; k < B; ++k) cuts[k] = rng.uniform();
            std::sort(cuts.begin(), cuts.end());
            for (std::size_t k = 0; k < B; ++k) d.transitions.push_back({static_cast<StateId>(rng.index(S)), cuts[k + 1] - cuts[k]});
            d.row_begin.push_back(d.transitions.size());
        }
    }
    d.state_begin[S] = S * A;
    model = new Model(std::move(d));
    V.assign(S, 0.0);
    TV.assign(S, 0.0);
    for (int i = 0; i < 5; ++i) {  // away from V = 0, as in a solve
        jacobi_sweep(*model, HardMax{}, V, TV, 2);
        V.swap(TV);
    }
}

// One sweep from the same V each time (alpha = 0: hard); returns a value that depends on all of TV.
double sweep(double alpha, int threads) {
    const SweepStats st = alpha == 0.0 ? jacobi_sweep(*model, HardMax{}, V, TV, threads)
                                       : jacobi_sweep(*model, LogSumExp{alpha}, V, TV, threads);
    return st.hi + st.lo + st.vmax;
}

// The gather floor of bench_sweep.cpp: the sum of V(s') over a separate 4-byte index array.
double gather_floor(int threads) {
    static const std::vector<StateId> next = [] {
        std::vector<StateId> n;
        for (const Transition& t : model->data().transitions) n.push_back(t.next);
        return n;
    }();
    const auto T = static_cast<std::int64_t>(next.size());
    double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : sum) num_threads(threads)
    for (std::int64_t t = 0; t < T; ++t) sum += V[next[t]];
    return sum;
}

}  // namespace SIDE
