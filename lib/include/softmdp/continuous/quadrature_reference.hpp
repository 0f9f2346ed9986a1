#pragma once
// A reference value of log integral_box exp(f(a)) da that states its own accuracy: composite tensor
// Gauss-Legendre (d <= 3) with m nodes on each of P equal panels per dimension, P = 1, 2, 4, ...,
// until two successive levels agree to `tolerance` max(1, |log Z|) or the next level would exceed
// `max_points`.
//   error = |I_P - I_{P/2}|   (reported for I_P, the finer of the two)
// Gauss-Legendre converges exponentially once a panel resolves the integrand, so the difference then
// bounds the finer level's error many times over. It can still be wrong when neither level sees a
// feature (a spike narrower than a panel's node spacing that both grids miss); the refinement to
// tolerance makes that unlikely for the anchor models' Gaussian-shaped bumps, not impossible.
// Why not one n-point rule: a single 64-node rule was 4.7e-3 off on a sharp target, and estimate
// blamed a correct Monte Carlo estimate for it.
#include <cmath>
#include <functional>
#include <span>
#include <vector>

#include "softmdp/core/errors.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

struct QuadratureReference {
    double log_z = 0.0;
    double error = INFINITY;        // estimated error of log_z (|difference to the previous level|)
    std::size_t panels = 0;         // per dimension, of the level reported
    std::size_t nodes_per_panel = 0;
    std::size_t points = 0;         // evaluations of the level reported
    bool converged = false;         // error <= tolerance max(1, |log_z|) (else the point budget ran out)
};

struct QuadratureReferenceOptions {
    double tolerance = 1e-9;  // on log Z, relative to max(1, |log Z|) (at alpha 1e-12, log Z is about 1e12)
    std::size_t nodes_per_panel = 16;
    std::size_t max_points = std::size_t{1} << 21;  // per level: about 32 MB and a fraction of a second
};

namespace detail {
using LogDensityFn = std::function<double(std::span<const double> a)>;  // called from several threads
QuadratureReference quadrature_reference(const LogDensityFn& f, std::span<const double> low, std::span<const double> high,
                                         const QuadratureReferenceOptions& opt);
}  // namespace detail

template <LogDensityTarget T>
QuadratureReference quadrature_reference(const T& target, const QuadratureReferenceOptions& opt = {}) {
    if (target.dim() > 3) throw UsageError("a quadrature reference needs an action dimension d <= 3");
    return detail::quadrature_reference([&target](std::span<const double> a) { return target.log_density(a, {}); }, target.low(),
                                        target.high(), opt);
}

}  // namespace softmdp
