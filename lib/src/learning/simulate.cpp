#include "softmdp/learning/simulate.hpp"

#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/random.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"

namespace softmdp {
namespace {

// Index of the draw u in [0, 1) from weights w (summing to about 1; the last positive one absorbs
// the rounding).
template <class W>
std::size_t draw(double u, std::size_t n, W&& w) {
    std::size_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double p = w(i);
        if (p <= 0.0) continue;
        last = i;
        if (u < p) return i;
        u -= p;
    }
    return last;
}

}  // namespace

std::vector<Trajectory> simulate(const Model& m, std::span<const double> pi, const SimulateOptions& opt) {
    if (opt.episodes == 0) throw UsageError(fmt::format("{} must be at least 1", param("episodes")));
    if (opt.horizon == 0) throw UsageError(fmt::format("{} must be at least 1", param("horizon")));
    if (static_cast<double>(opt.episodes) * static_cast<double>(opt.horizon) > 1e9)
        throw UsageError(fmt::format("{} x {} is above 10^9 steps: the episodes would not fit in memory", param("episodes"), param("horizon")));
    const std::size_t R = m.num_rows();
    const bool timed = pi.size() != R;
    if (timed && pi.size() != opt.horizon * R)
        throw UsageError(fmt::format("simulate: the policy has {} entries: give {} (stationary) or horizon x {}", pi.size(), R, R));
    for (std::uint64_t t = 0; t < (timed ? opt.horizon : 1); ++t) check_policy(m, pi.subspan(t * R, R));
    const ModelData& d = m.data();
    const auto p0 = m.initial();
    std::vector<Trajectory> out(opt.episodes);
    for (std::uint64_t e = 0; e < opt.episodes; ++e) {
        Rng rng(stream_seed(opt.seed, e));
        Trajectory& tr = out[e];
        auto s = static_cast<StateId>(draw(rng.uniform(), p0.size(), [&](std::size_t i) { return p0[i]; }));
        double discount = 1.0;
        for (std::uint64_t t = 0; t < opt.horizon && !m.is_terminal(s); ++t) {
            const auto pit = timed ? pi.subspan(t * R, R) : pi;
            const Offset first = m.row_first(s);
            const Offset row = first + draw(rng.uniform(), m.num_available(s), [&](std::size_t i) { return pit[first + i]; });
            const auto succ = m.transitions(row);
            const std::size_t k = draw(rng.uniform(), succ.size(), [&](std::size_t i) { return succ[i].prob(); });
            const auto rto = m.successor_rewards(row);
            tr.states.push_back(s);
            tr.actions.push_back(m.row_action(row));
            tr.discounted_return += discount * (rto.empty() ? d.row_reward[row] : m.entry_reward(row) + rto[k]);
            discount *= m.discount();
            s = succ[k].next;
        }
        tr.final_state = s;
        tr.terminated = m.is_terminal(s);
    }
    return out;
}

}  // namespace softmdp
