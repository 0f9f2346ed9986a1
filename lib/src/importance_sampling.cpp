#include "softmdp/importance_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "softmdp/errors.hpp"

namespace softmdp {

std::string Proposal::name() const {
    switch (kind) {
        case Kind::uniform: return "uniform";
        case Kind::gaussian: return "gaussian";
        case Kind::mixture: return "mixture";
    }
    return "?";
}

namespace detail {

double draw(const Proposal& q, std::span<const double> low, std::span<const double> high, Rng& rng, std::span<double> a) {
    const std::size_t d = a.size();
    constexpr double log_2pi = 1.8378770664093453;
    switch (q.kind) {
        case Proposal::Kind::uniform: {
            double log_vol = 0.0;
            for (std::size_t k = 0; k < d; ++k) {
                a[k] = rng.uniform(low[k], high[k]);
                log_vol += std::log(high[k] - low[k]);
            }
            return -log_vol;
        }
        case Proposal::Kind::gaussian: {
            double lq = 0.0;
            for (std::size_t k = 0; k < d; ++k) {
                const double z = rng.normal();
                a[k] = q.mean[k] + q.stddev[k] * z;
                lq += -0.5 * z * z - std::log(q.stddev[k]) - 0.5 * log_2pi;
            }
            return lq;
        }
        case Proposal::Kind::mixture: {
            const std::size_t K = q.centers.size() / d;
            const std::size_t c = rng.index(K);
            const double s = q.mixture_stddev;
            for (std::size_t k = 0; k < d; ++k) a[k] = q.centers[c * d + k] + s * rng.normal();
            // log q(a) = log (1/K) sum_c N(a; center_c, s^2 I), as a log-sum-exp over components.
            double m = -std::numeric_limits<double>::infinity();
            thread_local std::vector<double> lc;
            lc.resize(K);
            for (std::size_t j = 0; j < K; ++j) {
                double dist = 0.0;
                for (std::size_t k = 0; k < d; ++k) dist += (a[k] - q.centers[j * d + k]) * (a[k] - q.centers[j * d + k]);
                lc[j] = -0.5 * dist / (s * s);
                m = std::max(m, lc[j]);
            }
            double sum = 0.0;
            for (double x : lc) sum += std::exp(x - m);
            return m + std::log(sum / static_cast<double>(K)) - static_cast<double>(d) * (std::log(s) + 0.5 * log_2pi);
        }
    }
    throw UsageError("unknown proposal");
}

LogZEstimate combine(std::span<const double> log_w) {
    LogZEstimate e;
    e.samples = log_w.size();
    const double m = *std::max_element(log_w.begin(), log_w.end());
    if (!std::isfinite(m)) {
        e.log_z = -std::numeric_limits<double>::infinity();
        e.std_error = std::numeric_limits<double>::infinity();
        return e;
    }
    // Shifted weights v_i = w_i / max w in [0, 1]: mean, variance and ESS without overflow.
    double s1 = 0.0, s2 = 0.0;
    for (double lw : log_w) {
        const double v = std::exp(lw - m);
        s1 += v;
        s2 += v * v;
    }
    const auto n = static_cast<double>(log_w.size());
    const double mean = s1 / n;
    const double var = n > 1 ? std::max(0.0, (s2 - n * mean * mean) / (n - 1.0)) : 0.0;
    e.log_z = m + std::log(mean);
    e.std_error = std::sqrt(var / n) / mean;
    e.ess = s1 * s1 / s2;
    return e;
}

}  // namespace detail
}  // namespace softmdp
