// Google Benchmark of one Jacobi sweep of hard and soft value iteration on an in-memory Garnet MDP
// (S states, A = 4 actions, B = 5 successors, gamma = 0.99), against a plain C loop over the same
// CSR arrays measured in the same run (the "untuned C loop" peer of issue 5), and the random-gather
// floor (sum of V(s') over all transitions, nothing else).
//
//   ./build/softmdp_bench_sweep [--benchmark_filter=...]     (SOFTMDP_BENCH_STATES, default 10^6)
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/value_iteration.hpp"
#include "garnet.hpp"

namespace {

using namespace softmdp;

const Model& model() {
    static const Model m = [] {
        const char* env = std::getenv("SOFTMDP_BENCH_STATES");
        return bench::garnet(env ? std::strtoull(env, nullptr, 10) : 1000000, 4, 5, 1);
    }();
    return m;
}

void report(benchmark::State& state) {
    const Model& m = model();
    state.counters["states"] = static_cast<double>(m.num_states());
    state.counters["transitions"] = static_cast<double>(m.num_transitions());
    state.counters["threads"] = static_cast<double>(state.range(0));
}

// softmdp: value_iteration with a budget of one sweep per call (what `solve --method vi` runs).
template <class Op>
void BM_softmdp_sweep(benchmark::State& state, Op op) {
    const Model& m = model();
    SolverOptions opt;
    opt.threads = static_cast<int>(state.range(0));
    opt.tolerance = 0.0;
    std::vector<double> V(m.num_states(), 0.0), Vn(m.num_states());
    for (auto _ : state) {
        jacobi_sweep(m, op, V, Vn, opt.threads);
        V.swap(Vn);
        benchmark::DoNotOptimize(V.data());
    }
    report(state);
}

// Reference: the straightforward loop over the same arrays (scalar libm exp/log for soft).
void BM_plain_loop(benchmark::State& state, double alpha) {
    const Model& m = model();
    const ModelData& d = m.data();
    const auto S = static_cast<std::int64_t>(m.num_states());
    const double gamma = d.discount;
    if (m.max_actions_per_state() > 64) return state.SkipWithError("the plain loop keeps Q on the stack: at most 64 actions");
    std::vector<double> V(m.num_states(), 0.0), Vn(m.num_states());
    for (auto _ : state) {
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(state.range(0)))
        for (std::int64_t s = 0; s < S; ++s) {
            double q[64];
            const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
            double mx = -INFINITY;
            for (Offset r = b; r < e; ++r) {
                double acc = 0.0;
                for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) acc += d.transitions[t].prob() * V[d.transitions[t].next];
                q[r - b] = d.row_reward[r] + gamma * acc;
                mx = std::max(mx, q[r - b]);
            }
            if (alpha > 0.0) {
                double sum = 0.0;
                for (Offset r = b; r < e; ++r) sum += std::exp((q[r - b] - mx) / alpha);
                mx += alpha * std::log(sum);
            }
            Vn[s] = mx;
        }
        V.swap(Vn);
        benchmark::DoNotOptimize(V.data());
    }
    report(state);
}

// Floor: gather V(s') once per transition, no arithmetic beyond a sum.
void BM_gather_floor(benchmark::State& state) {
    const Model& m = model();
    const auto T = static_cast<std::int64_t>(m.num_transitions());
    // The successor indices alone, 4 bytes each (the floor of issue 5 streams nothing else).
    static const std::vector<StateId> next = [&] {
        std::vector<StateId> n;
        n.reserve(m.num_transitions());
        for (const Transition& t : m.data().transitions) n.push_back(t.next);
        return n;
    }();
    std::vector<double> V(m.num_states(), 1.0);
    for (auto _ : state) {
        double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : sum) num_threads(static_cast<int>(state.range(0)))
        for (std::int64_t t = 0; t < T; ++t) sum += V[next[t]];
        benchmark::DoNotOptimize(sum);
    }
    report(state);
}

}  // namespace

BENCHMARK_CAPTURE(BM_softmdp_sweep, hard, softmdp::HardMax{})->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_softmdp_sweep, soft_alpha1, softmdp::LogSumExp{1.0})->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_plain_loop, hard, 0.0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_plain_loop, soft_alpha1, 1.0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_gather_floor)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
