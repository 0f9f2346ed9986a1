#include "softmdp/target.hpp"

#include "softmdp/errors.hpp"

namespace softmdp {

SoftQTarget::SoftQTarget(const ContinuousModel& m, std::size_t state, std::span<const double> V, double alpha)
    : m_(&m), anchors_(m.pack_anchors(state)), G_(m.anchors[state].size()), alpha_(alpha) {
    if (!(alpha > 0.0)) throw UsageError("a continuous soft policy needs alpha > 0");
    if (m.is_terminal(state)) throw UsageError("state " + m.state_names[state] + " is terminal: it has no actions");
    m.anchor_values(state, V, G_);
}

double SoftQTarget::log_density(std::span<const double> a, std::span<double> grad) const {
    const double q = m_->q_value(anchors_, G_, a, grad);
    for (double& g : grad) g /= alpha_;
    return q / alpha_;
}

}  // namespace softmdp
