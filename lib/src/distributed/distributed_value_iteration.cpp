#include "softmdp/distributed/distributed_value_iteration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/iteration.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp::distributed {

namespace {

// The owned states [0, owned) of the block in chunks of at most kChunkRows rows, cut as the serial
// detail::for_each_chunk cuts a model, once per solve.
std::vector<detail::Chunk> chunks_of(const Model& m, std::size_t owned) {
    const Offset* sb = m.data().state_begin.data();
    std::vector<detail::Chunk> chunks;
    for (std::size_t s0 = 0, s1; s0 < owned; s0 = s1) {
        const Offset* fits_end = std::upper_bound(sb + s0 + 1, sb + std::min(owned, s0 + detail::kChunkRows) + 1, sb[s0] + detail::kChunkRows);
        s1 = std::max(s0 + 1, static_cast<std::size_t>(fits_end - sb) - 1);
        chunks.push_back({s0, s1, detail::common_width(sb + s0, s1 - s0), m.uniform_successors()});
    }
    return chunks;
}

// One Jacobi sweep over the owned states with the serial chunk kernel (detail::sweep_chunk: the
// unrolled and vectorised Q and backup passes), over `threads` OpenMP threads as jacobi_sweep.
template <Backup Op>
SweepStats local_sweep(const Model& m, const std::vector<detail::Chunk>& chunks, const Op& op, const double* V, double* TV, int threads) {
    const ModelData& d = m.data();
    const std::size_t rows_max = std::max(detail::kChunkRows, m.max_actions_per_state());
    const auto n = static_cast<std::int64_t>(chunks.size());
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, vmax = 0.0;
#pragma omp parallel num_threads(threads) reduction(min : lo) reduction(max : hi, vmax)
    {
        double* q = detail::thread_scratch(detail::chunk_scratch(m));
        SweepStats mine;
#pragma omp for schedule(dynamic, 4)
        for (std::int64_t i = 0; i < n; ++i) detail::sweep_chunk(d, op, chunks[static_cast<std::size_t>(i)], V, TV, q, q + rows_max, mine);
        lo = mine.lo, hi = mine.hi, vmax = mine.vmax;
    }
    return {lo, hi, vmax};
}

template <Backup Op>
DistributedSolution run_value_iteration(DistributedModel& dm, const Op& op, const SolverOptions& opt) {
    Iteration it(opt, "sweeps");
    const Model& m = dm.local;
    const std::size_t owned = dm.owned, L = m.num_states();
    const double gamma = dm.discount, c = gamma / (1.0 - gamma);
    std::vector<double> V(L, 0.0), TV(L, 0.0);
    const std::vector<detail::Chunk> chunks = chunks_of(m, owned);
    const int threads = std::max(1, thread_count(opt.threads));
    DistributedSolution out;
    Solution& sol = out.solution;
    sol.alpha = op.temperature();
    SweepStats st;
    std::optional<double> bound;
    const auto exchange = [&](std::vector<double>& x) {
        const Stopwatch t;
        dm.exchange.exchange(x, owned);
        out.exchange_seconds += t.seconds();
    };
    while (!it.at_iteration_limit()) {
        exchange(V);
        st = local_sweep(m, chunks, op, V.data(), TV.data(), threads);
        // NaN (inf - inf) would not survive a max reduction: make it an infinite change.
        if (std::isnan(st.lo) || std::isnan(st.hi)) st.lo = -std::numeric_limits<double>::infinity(), st.hi = -st.lo;
        double red[4] = {-st.lo, st.hi, st.vmax, it.seconds() >= opt.time_limit ? 1.0 : 0.0};
        const Stopwatch t;
        MPI_Allreduce(MPI_IN_PLACE, red, 4, MPI_DOUBLE, MPI_MAX, dm.comm);
        out.reduce_seconds += t.seconds();
        st.lo = -red[0], st.hi = red[1], st.vmax = red[2];
        V.swap(TV);
        it.count_step();
        const double change = std::max(-st.lo, st.hi);
        if (it.non_finite(change, "values became non-finite (overflow)")) break;
        // The serial rounding_slack(m, vmax) with the whole model's successor count and rewards.
        const double slack = rounding_allowance(static_cast<double>(dm.max_successors + 4), c, st.vmax + dm.max_abs_reward);
        bound = c * (st.hi - st.lo) / 2.0 + slack;
        if (it.at_resolution_floor(*bound, slack)) break;
        if (dm.rank == 0) it.report(bound);
        if (it.reached(*bound <= opt.tolerance)) break;
        // Decided by the reduction, so on every rank at the same sweep.
        if (red[3] > 0.0) {
            it.halt(Stop::time_limit, fmt::format("stopped at the time limit ({} s)", opt.time_limit));
            break;
        }
    }
    if (it.count() > 0 && std::isfinite(st.lo) && std::isfinite(st.hi)) {
        const double shift = c * (st.lo + st.hi) / 2.0;  // the MacQueen midpoint (move_to_midpoint)
        for (std::size_t s = 0; s < owned; ++s)
            if (!m.is_terminal(s)) V[s] += shift;
    }
    exchange(V);  // the ghosts' final values, for Q
    sol.error_bound = bound;
    sol.q.resize(m.num_rows());
    sol.policy.resize(m.num_rows());
    compute_q(m, V, sol.q, threads);
    policy_from_q(m, op, sol.q, sol.policy);
    sol.values = std::move(V);
    it.finish(sol);
    sol.sweeps = sol.iterations;
    double j = 0.0;
    for (std::size_t s = 0; s < owned; ++s) j += dm.initial[s] * sol.values[s];
    MPI_Allreduce(&j, &out.objective, 1, MPI_DOUBLE, MPI_SUM, dm.comm);
    out.bytes_sent = dm.exchange.bytes_sent();
    out.bytes_received = dm.exchange.bytes_received();
    out.exchanges = it.count() + 1;
    out.reductions = it.count() + 1;  // the sweeps' and the objective's
    out.bytes_reduced = it.count() * 4 * sizeof(double) + sizeof(double);
    return out;
}

}  // namespace

DistributedSolution distributed_value_iteration(DistributedModel& dm, double alpha, const SolverOptions& opt) {
    return alpha == 0.0 ? run_value_iteration(dm, HardMax{}, opt) : run_value_iteration(dm, LogSumExp{alpha}, opt);
}

}  // namespace softmdp::distributed
