#include "softmdp/distributed/distributed_policy_iteration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "../solvers/krylov_method.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/iteration.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/solvers/aggregation.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/krylov.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/policy_iteration.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp::distributed {

namespace {

// The communication of one run, counted and timed where it happens.
struct Traffic {
    DistributedModel& dm;
    DistributedSolution& out;
    // Fills x's ghosts (x of the block's length) from their owners.
    void exchange(std::span<double> x) {
        const Stopwatch t;
        dm.exchange.exchange(x, dm.owned);
        out.exchange_seconds += t.seconds();
        ++out.exchanges;
    }
    void allreduce(std::span<double> x, MPI_Op op) {
        const Stopwatch t;
        MPI_Allreduce(MPI_IN_PLACE, x.data(), static_cast<int>(x.size()), MPI_DOUBLE, op, dm.comm);
        out.reduce_seconds += t.seconds();
        ++out.reductions;
        out.bytes_reduced += sizeof(double) * x.size();
    }
};

// A rank's block as a krylov::Space: the Krylov vectors hold its owned states; a product with
// A = I - gamma P_pi first fetches the ghosts' entries from their owners. The preconditioner sees
// the ghosts as 0 (block Jacobi across ranks, Gauss-Seidel inside: EvaluationPreconditioner).
class BlockSpace {
public:
    BlockSpace(Traffic& traffic, std::span<const double> pi, const KrylovOptions& opt)
        : traffic_(traffic),
          m_(traffic.dm.local),
          owned_(traffic.dm.owned),
          pi_(pi),
          threads_(opt.threads),
          M_(m_, pi, opt),
          x_(m_.num_states(), 0.0),
          y_(m_.num_states(), 0.0) {}
    std::size_t n() const noexcept { return owned_; }
    void apply(std::span<const double> x, std::span<double> y) {
        std::copy(x.begin(), x.end(), x_.begin());
        traffic_.exchange(x_);
        apply_evaluation_operator(m_, pi_, x_, y_, threads_);
        std::copy_n(y_.begin(), owned_, y.begin());
    }
    std::uint64_t precondition(std::span<const double> z, std::span<double> y) {
        std::copy(z.begin(), z.end(), x_.begin());
        std::fill(x_.begin() + static_cast<std::ptrdiff_t>(owned_), x_.end(), 0.0);
        const std::uint64_t passes = M_.apply(x_, y_);
        std::copy_n(y_.begin(), owned_, y.begin());
        return passes;
    }
    void sum(std::span<double> partials) { traffic_.allreduce(partials, MPI_SUM); }

private:
    Traffic& traffic_;
    const Model& m_;
    std::size_t owned_;
    std::span<const double> pi_;
    int threads_;
    krylov::EvaluationPreconditioner M_;
    std::vector<double> x_, y_;  // the block's length: owned states, then the ghosts
};

// The serial default aggregate size (aggregation.hpp) from the whole model's bandwidth in global
// state numbers, so every rank takes the same decision.
std::uint32_t aggregate_size(Traffic& traffic, const SolverOptions& opt) {
    if (opt.aggregate_size) return *opt.aggregate_size;
    const DistributedModel& dm = traffic.dm;
    const ModelData& d = dm.local.data();
    const auto global = [&](std::size_t local) { return local < dm.owned ? dm.first + local : static_cast<std::size_t>(dm.ghosts[local - dm.owned]); };
    double band = 0.0;
    for (std::size_t s = 0; s < dm.owned; ++s)
        for (Offset t = d.row_begin[d.state_begin[s]]; t < d.row_begin[d.state_begin[s + 1]]; ++t) {
            const std::size_t g = global(d.transitions[t].next), me = dm.first + s;
            band = std::max(band, static_cast<double>(g > me ? g - me : me - g));
        }
    traffic.allreduce(std::span<double>(&band, 1), MPI_MAX);
    return default_aggregate_size(dm.num_states, static_cast<std::size_t>(band));
}

template <Regularised Op>
DistributedSolution run(DistributedModel& dm, const Op& op, const SolverOptions& opt) {
    if (!(dm.discount < 1.0))
        throw UsageError(fmt::format("softmdp-mpi ipi and soft-ipi need a discount < 1 (got {}): use vi or soft-vi", dm.discount));
    Iteration it(opt, "improvements");
    const Model& m = dm.local;
    const std::size_t owned = dm.owned, L = m.num_states(), R = m.num_rows();
    const double gamma = dm.discount, c = gamma / (1.0 - gamma);
    const double alpha = op.temperature();
    const int threads = std::max(1, thread_count(opt.threads));
    DistributedSolution out;
    Traffic traffic{dm, out};
    Solution& sol = out.solution;
    sol.alpha = alpha;
    // The serial rounding_slack(m, vmax) with the whole model's successor count and rewards.
    const auto slack = [&](double vmax) { return rounding_allowance(static_cast<double>(dm.max_successors + 4), c, vmax + dm.max_abs_reward); };
    std::vector<double> V(L, 0.0), TV(L, 0.0), q(R), pi(R, 0.0);
    compute_q(m, V, q, threads);  // V = 0: no ghosts to fetch
    policy_from_q(m, op, q, pi, {}, threads);
    Aggregation aggregation;
    if (const std::uint32_t size = aggregate_size(traffic, opt); size > 0 && owned > 0) aggregation = aggregate_states(m, size);

    // As the serial inexact evaluation (policy_iteration.hpp): the forcing sequence on ||T V - V||_2.
    double residual2 = 0.0, previous_residual = 0.0, eta_max = 0.1;
    double vmax_V = 0.0;  // max |V| over all ranks before the evaluation (of the rounding floor)
    double l = 0.0, u = 0.0, vmax_TV = 0.0;
    std::optional<double> bound;
    bool stepped = false;  // TV, l, u are of the last improvement
    // Krylov iterations each evaluation makes at least: on more than one rank, doubled after an
    // improvement that did not lower the bound. Block Jacobi is a weaker preconditioner than the
    // serial one, and near the rounding floor (a worst case: sqrt(S) times the per-entry rounding
    // in the 2-norm) a solve that stops after one iteration lets the policy's change undo it, so the
    // bound would stall above the tolerance (measured: the 300x300 gridworld at gamma 0.9999, soft,
    // on 2 ranks); the extra iterations (real progress: actual rounding is far below the worst case)
    // let it through. Decided from the global bound, so the same on every rank. One rank keeps the
    // serial rule (and so the serial iterations exactly).
    std::uint64_t min_iterations = 1;
    double best_bound = std::numeric_limits<double>::infinity();
    const double sqrt_s = std::sqrt(static_cast<double>(dm.num_states));
    while (!it.at_iteration_limit()) {
        // Evaluate pi: (I - gamma P_pi) v = r_pi + bonus from the previous values.
        KrylovOptions ko;
        ko.method = opt.krylov;
        ko.preconditioner_sweeps = opt.preconditioner_sweeps;
        ko.aggregation = aggregation.count() > 0 ? &aggregation : nullptr;
        ko.threads = threads;
        ko.min_iterations = min_iterations;
        const double floor = 4.0 * sqrt_s * slack(vmax_V) / (c + 1.0);
        if (opt.forcing) {
            ko.relative_tolerance = previous_residual > 0.0 ? std::min(eta_max, residual2 / previous_residual) : eta_max;
            ko.absolute_tolerance = std::max(0.01 * opt.tolerance * (1.0 - gamma), floor);
        } else {
            ko.relative_tolerance = 0.0;
            ko.absolute_tolerance = std::max(std::min(opt.tolerance, 1e-10) * (1.0 - gamma) * (1.0 - gamma) * 1e-2, floor);
        }
        {
            const auto bonus = regularisation_bonus(m, op, pi);
            const auto b = policy_rhs(m, pi, bonus);
            BlockSpace space(traffic, pi, ko);
            const KrylovStats ks = krylov::solve(space, std::span<const double>(b).first(owned), std::span<double>(V).first(owned), ko);
            sol.inner_iterations += ks.iterations;
            sol.matvecs += ks.matvecs;
            // ks.residual is a global norm: every rank takes this branch or none.
            if (!std::isfinite(ks.residual)) numerical_failure(m, alpha, "policy evaluation", "the values became non-finite");
        }
        it.count_step();
        // Improve: Q = Q_V, TV = B(Q), pi' = the policy of Q.
        traffic.exchange(V);
        compute_q(m, V, q, threads);
        backup_values(m, op, q, TV, threads);
        bool changed = false;
        for (std::size_t s = 0; s < owned; ++s) {
            const Offset b = m.row_first(s), e = m.row_last(s);
            if (b != e && improve_policy(op, std::span<const double>(q.data() + b, e - b), std::span<double>(pi.data() + b, e - b)))
                changed = true;
        }
        ++sol.sweeps;
        auto [lo, hi] = difference_range(std::span<const double>(TV).first(owned), std::span<const double>(V).first(owned));
        if (std::isnan(lo) || std::isnan(hi)) lo = -std::numeric_limits<double>::infinity(), hi = -lo;
        double r2 = 0.0;
        for (std::size_t s = 0; s < owned; ++s) r2 += (TV[s] - V[s]) * (TV[s] - V[s]);
        double red[5] = {-lo, hi, max_abs(std::span<const double>(TV).first(owned)), max_abs(std::span<const double>(V).first(owned)),
                         changed ? 1.0 : 0.0};
        traffic.allreduce(red, MPI_MAX);
        // The time limit, decided by the reduction so every rank stops at the same improvement.
        double sums[2] = {r2, it.seconds() >= opt.time_limit ? 1.0 : 0.0};
        traffic.allreduce(sums, MPI_SUM);
        l = -red[0], u = red[1], vmax_TV = red[2], vmax_V = red[3];
        changed = red[4] > 0.0;
        stepped = true;
        previous_residual = residual2;
        residual2 = std::sqrt(sums[0]);
        if (previous_residual > 0.0 && residual2 > previous_residual) eta_max = std::max(0.1 * eta_max, 1e-6);
        if (it.non_finite(u - l, "values became non-finite")) break;
        const double allowance = slack(vmax_TV);
        bound = c * (u - l) / 2.0 + allowance;
        if (it.at_resolution_floor(*bound, allowance)) break;
        if (*bound < best_bound) best_bound = *bound;
        else if (dm.ranks > 1) min_iterations = std::min<std::uint64_t>(2 * min_iterations, 64);
        if (dm.rank == 0) it.report(bound);
        if (it.reached(*bound <= opt.tolerance)) break;
        if (it.stalled(bound, alpha == 0.0 && changed, detail::kStallImprovements, "improvements",
                       detail::stall_advice(Evaluation::inexact, alpha)))
            break;
        if (sums[1] > 0.0) {
            it.halt(Stop::time_limit, fmt::format("stopped at the time limit ({} s)", opt.time_limit));
            break;
        }
    }
    // The answer is TV at its MacQueen midpoint, certified by the last improvement's bracket (the
    // serial move_to_midpoint, or certified_step when the run stopped short: the same step).
    if (stepped && std::isfinite(u - l)) {
        const double shift = c * (l + u) / 2.0;
        for (std::size_t s = 0; s < owned; ++s)
            if (!m.is_terminal(s)) TV[s] += shift;
        // max |TV| moved by at most |shift|: the allowance at the larger scale covers the new values.
        bound = c * (u - l) / 2.0 + slack(vmax_TV + std::abs(shift));
        V.swap(TV);
    }
    traffic.exchange(V);  // the ghosts' final values, for Q
    sol.error_bound = bound;
    sol.q.resize(R);
    sol.policy.assign(R, 0.0);
    compute_q(m, V, sol.q, threads);
    policy_from_q(m, op, sol.q, sol.policy);
    sol.values = std::move(V);
    it.finish(sol);
    double j = 0.0;
    for (std::size_t s = 0; s < owned; ++s) j += dm.initial[s] * sol.values[s];
    traffic.allreduce(std::span<double>(&j, 1), MPI_SUM);
    out.objective = j;
    out.bytes_sent = dm.exchange.bytes_sent();
    out.bytes_received = dm.exchange.bytes_received();
    return out;
}

}  // namespace

DistributedSolution distributed_policy_iteration(DistributedModel& dm, double alpha, const SolverOptions& opt) {
    return alpha == 0.0 ? run(dm, HardMax{}, opt) : run(dm, LogSumExp{alpha}, opt);
}

}  // namespace softmdp::distributed
