#include "softmdp/solvers/prior.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"

namespace softmdp {

void check_prior(const Model& m, std::span<const double> pi0, const std::string& source) { check_policy(m, pi0, source); }

Model with_prior(Model m, std::span<const double> pi0, double alpha, const std::string& source) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    check_prior(m, pi0, source);
    ModelData d = std::move(m).release();
    // Compacts the rows in place (kept rows keep their order; a row moves to a lower index only).
    Offset out_row = 0, out_t = 0;
    const bool per_successor = !d.next_reward.empty();
    for (std::size_t s = 0; s < d.num_states; ++s) {
        const Offset first = d.state_begin[s], last = d.state_begin[s + 1];
        double sum = 0.0;
        for (Offset r = first; r < last; ++r) sum += pi0[r];
        d.state_begin[s] = out_row;
        for (Offset r = first; r < last; ++r) {
            if (pi0[r] == 0.0) continue;
            const Offset t0 = d.row_begin[r], t1 = d.row_begin[r + 1];
            d.row_action[out_row] = d.row_action[r];
            d.row_reward[out_row] = d.row_reward[r] + (alpha > 0.0 ? alpha * std::log(pi0[r] / sum) : 0.0);
            d.row_begin[out_row] = out_t;
            for (Offset t = t0; t < t1; ++t, ++out_t) {
                d.transitions[out_t] = d.transitions[t];
                if (per_successor) d.next_reward[out_t] = d.next_reward[t];
            }
            ++out_row;
        }
    }
    d.state_begin[d.num_states] = out_row;
    d.row_action.resize(out_row);
    d.row_reward.resize(out_row);
    d.row_begin.resize(out_row + 1);
    d.row_begin[out_row] = out_t;
    d.transitions.resize(out_t);
    if (per_successor) d.next_reward.resize(out_t);
    return Model(std::move(d));
}

std::vector<double> to_full_rows(const Model& full, const Model& prior_model, std::span<const double> x, double fill) {
    if (full.num_states() != prior_model.num_states() || x.size() != prior_model.num_rows())
        throw UsageError("to_full_rows: the arrays do not belong to these models");
    std::vector<double> out(full.num_rows(), fill);
    for (std::size_t s = 0; s < full.num_states(); ++s) {
        Offset r = full.row_first(s);
        for (Offset k = prior_model.row_first(s); k < prior_model.row_last(s); ++k) {
            while (r < full.row_last(s) && full.row_action(r) != prior_model.row_action(k)) ++r;
            if (r == full.row_last(s)) throw UsageError("to_full_rows: the prior model has an action the model lacks");
            out[r++] = x[k];
        }
    }
    return out;
}

}  // namespace softmdp
