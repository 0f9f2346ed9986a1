#pragma once
// Importance-sampling Monte Carlo for Z = integral_box exp(f(a)) da:
//   a_i ~ q,  w_i = 1[a_i in box] exp(f(a_i)) / q(a_i),  log Z ≈ log mean(w)   (a log-mean-exp)
// Standard error of log Z by the delta method: sd(w) / (sqrt(n) mean(w)); ESS = (sum w)^2 / sum w^2.
// Proposals: uniform on the box; a diagonal Gaussian with the box's indicator (samples outside the
// box weigh 0, so the estimate stays unbiased for the box integral); a mixture of isotropic
// Gaussians around given points (e.g. SVGD particles), also with the indicator.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "softmdp/random.hpp"
#include "softmdp/target.hpp"

namespace softmdp {

struct Proposal {
    enum class Kind { uniform, gaussian, mixture } kind = Kind::uniform;
    std::vector<double> mean, stddev;  // gaussian: per dimension
    std::vector<double> centers;       // mixture: k x d, row-major
    double mixture_stddev = 0.1;       // mixture: per component, isotropic
    std::string name() const;
};

struct LogZEstimate {
    double log_z = 0.0;      // log of the integral estimate
    double std_error = 0.0;  // of log_z (delta method)
    double ess = 0.0;        // effective sample size
    std::uint64_t samples = 0;
};

namespace detail {
// Draws a ~ q into a (size d); returns log q(a).
double draw(const Proposal& q, std::span<const double> low, std::span<const double> high, Rng& rng, std::span<double> a);
LogZEstimate combine(std::span<const double> log_w);
}  // namespace detail

template <LogDensityTarget T>
LogZEstimate log_integral_mc(const T& target, const Proposal& q, std::uint64_t samples, std::uint64_t seed) {
    const std::size_t d = target.dim();
    const auto low = target.low(), high = target.high();
    Rng rng(seed);
    std::vector<double> a(d), log_w(samples);
    for (std::uint64_t i = 0; i < samples; ++i) {
        const double log_q = detail::draw(q, low, high, rng, a);
        bool inside = true;
        for (std::size_t k = 0; k < d; ++k) inside = inside && a[k] >= low[k] && a[k] <= high[k];
        log_w[i] = inside ? target.log_density(a, {}) - log_q : -std::numeric_limits<double>::infinity();
    }
    return detail::combine(log_w);
}

}  // namespace softmdp
