#pragma once
// A target log-density over a box in R^d, given as value and gradient: what the soft-value
// estimators and the SVGD sampler need. The soft policy pi(a|s) ∝ exp(Q(s,a)/alpha) is one
// (SoftQTarget); users plug in their own Q by modelling this concept. The sampler and the Monte
// Carlo estimator call log_density from several threads at once: it must not modify shared state.
#include <concepts>
#include <span>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"

namespace softmdp {

template <class T>
concept LogDensityTarget = requires(const T t, std::span<const double> a, std::span<double> grad) {
    { t.dim() } -> std::convertible_to<std::size_t>;
    { t.low() } -> std::convertible_to<std::span<const double>>;
    { t.high() } -> std::convertible_to<std::span<const double>>;
    // log p(a) up to a constant; fills grad = d log p / da (grad may be empty: value only).
    { t.log_density(a, grad) } -> std::convertible_to<double>;
};

// log p(a) = Q_V(s, a) / alpha for one state of a continuous-action model.
// The constructor refuses (UsageError) an alpha so small that |Q|/alpha or |grad Q|/alpha could pass
// kMaxScaled over the box: the sampler squares scores (AdaGrad) and sums n^2 products of them (KSD),
// so beyond that the results turn into inf or NaN (alpha 1e-320 gave nulls with "converged").
class SoftQTarget {
public:
    static constexpr double kMaxScaled = 1e100;
    SoftQTarget(const ContinuousModel& m, std::size_t state, std::span<const double> V, double alpha);
    std::size_t dim() const noexcept { return m_->dim(); }
    std::span<const double> low() const noexcept { return m_->low; }
    std::span<const double> high() const noexcept { return m_->high; }
    double log_density(std::span<const double> a, std::span<double> grad) const;
    double alpha() const noexcept { return alpha_; }

private:
    const ContinuousModel* m_;
    PackedAnchors anchors_;
    std::vector<double> G_;
    double alpha_;
};

}  // namespace softmdp
