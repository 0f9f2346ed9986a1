// One side of bench/ab_sweep.sh: the sweep kernel of one source tree, compiled into its own namespace
// (-Dsoftmdp=...) so that two revisions run in one process. Includes the tree's bellman.cpp and
// model.cpp, which are all a Jacobi sweep needs, and this tree's bench/garnet.hpp (so the base
// revision needs the same ModelData fields: 2026-12-01 or later).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "softmdp/solvers/bellman.hpp"
#include SIDE_BELLMAN
#include SIDE_MODEL
#include "../garnet.hpp"

namespace SIDE {

using namespace softmdp;

namespace {
Model* model = nullptr;
std::vector<double> V, TV;
}  // namespace

// The Garnet of bench_sweep.cpp (A = 4, B = 5, seed 1), swept 5 times away from V = 0.
void init(std::size_t S) {
    model = new Model(bench::garnet(S, 4, 5, 1));
    V.assign(S, 0.0);
    TV.assign(S, 0.0);
    for (int i = 0; i < 5; ++i) {
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
