#include "softmdp/continuous/target.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"

namespace softmdp {

SoftQTarget::SoftQTarget(const ContinuousModel& m, std::size_t state, std::span<const double> V, double alpha)
    : m_(&m), anchors_(m.pack_anchors(state)), G_(m.anchors[state].size()), alpha_(alpha) {
    if (!(alpha > 0.0)) throw UsageError("a continuous soft policy needs alpha > 0");
    if (m.is_terminal(state)) throw UsageError("state " + m.state_names[state] + " is terminal: it has no actions");
    m.anchor_values(state, V, G_);
    // Bounds on |Q| and on the gradient's coordinates (sum over them), from the formulas in
    // continuous_model.hpp: |Q| <= max |G_k| + cost max ||a||^2 and
    // |dQ/da_i| <= 2 max |G_k| max |a_i - c_ki| / h^2 + 2 cost max |a_i| over the box.
    double g_max = 0.0;
    for (double g : G_) g_max = std::max(g_max, std::abs(g));
    double q_bound = g_max, grad_bound = 0.0;
    const double h2 = m.bandwidth * m.bandwidth;
    for (std::size_t i = 0; i < m.dim(); ++i) {
        const double a_max = std::max(std::abs(m.low[i]), std::abs(m.high[i]));
        double reach = 0.0;
        for (const Anchor& k : m.anchors[state]) reach = std::max({reach, std::abs(m.low[i] - k.at[i]), std::abs(m.high[i] - k.at[i])});
        q_bound += m.action_cost * a_max * a_max;
        grad_bound += 2.0 * g_max * reach / h2 + 2.0 * m.action_cost * a_max;
    }
    const double scale = std::max(q_bound, grad_bound);
    if (!(scale / alpha <= kMaxScaled))
        throw UsageError(fmt::format("alpha {} is too small for state {}: Q/alpha and its gradient (|Q| up to {:.3g}, |grad Q| up to {:.3g}) "
                                     "must stay below {:.0e} (the sampler squares them); use alpha >= {:.3g}",
                                     alpha, m.state_names[state], q_bound, grad_bound, kMaxScaled, scale / kMaxScaled));
}

double SoftQTarget::log_density(std::span<const double> a, std::span<double> grad) const {
    const double q = m_->q_value(anchors_, G_, a, grad);
    for (double& g : grad) g /= alpha_;
    return q / alpha_;
}

}  // namespace softmdp
