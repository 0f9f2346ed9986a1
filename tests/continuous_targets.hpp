#pragma once
// Targets with closed forms for the continuous-action tests.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <vector>

namespace softmdp::test {

// log p(a) = Q(a)/alpha with Q(a) = c - 0.5 (a - mu)^T A (a - mu), A diagonal here or 2x2 full.
struct Quadratic {
    std::vector<double> mu, A;  // A: d x d row-major, symmetric positive definite
    double c = 0.0, alpha = 1.0;
    std::vector<double> lo, hi;
    std::size_t dim() const { return mu.size(); }
    std::span<const double> low() const { return lo; }
    std::span<const double> high() const { return hi; }
    double log_density(std::span<const double> a, std::span<double> grad) const {
        const std::size_t d = dim();
        double q = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
            double Ai = 0.0;
            for (std::size_t j = 0; j < d; ++j) Ai += A[i * d + j] * (a[j] - mu[j]);
            q += (a[i] - mu[i]) * Ai;
            if (!grad.empty()) grad[i] = -Ai / alpha;
        }
        return (c - 0.5 * q) / alpha;
    }
    // alpha log integral exp(Q/alpha) over R^d = c + alpha (d/2 log(2 pi alpha) - 1/2 log det A).
    double soft_value(double log_det_A) const {
        return c + alpha * (0.5 * static_cast<double>(dim()) * std::log(2.0 * std::numbers::pi * alpha) - 0.5 * log_det_A);
    }
};

// An equal-weight mixture of four isotropic Gaussians at (+-m, +-m).
struct FourModes {
    double m = 0.6, s = 0.15;
    std::vector<double> lo{-1.5, -1.5}, hi{1.5, 1.5};
    std::size_t dim() const { return 2; }
    std::span<const double> low() const { return lo; }
    std::span<const double> high() const { return hi; }
    double log_density(std::span<const double> a, std::span<double> grad) const {
        const double cx[4] = {m, -m, -m, m}, cy[4] = {m, m, -m, -m};
        double l[4], mx = -1e300;
        for (int k = 0; k < 4; ++k) {
            l[k] = -0.5 * ((a[0] - cx[k]) * (a[0] - cx[k]) + (a[1] - cy[k]) * (a[1] - cy[k])) / (s * s);
            mx = std::max(mx, l[k]);
        }
        double z = 0.0;
        for (double& x : l) z += (x = std::exp(x - mx));
        if (!grad.empty()) {
            grad[0] = grad[1] = 0.0;
            for (int k = 0; k < 4; ++k) {
                grad[0] -= l[k] / z * (a[0] - cx[k]) / (s * s);
                grad[1] -= l[k] / z * (a[1] - cy[k]) / (s * s);
            }
        }
        return mx + std::log(z);
    }
};

// p(a) ∝ exp(-(a - m)^2 / (2 s^2)) on [lo, hi] (1-D), with its closed forms by erf.
struct TruncatedGaussian {
    double m = 0.9, s = 0.3;
    std::vector<double> lo{-1.0}, hi{1.0};
    std::size_t dim() const { return 1; }
    std::span<const double> low() const { return lo; }
    std::span<const double> high() const { return hi; }
    double log_density(std::span<const double> a, std::span<double> grad) const {
        if (!grad.empty()) grad[0] = -(a[0] - m) / (s * s);
        return -0.5 * (a[0] - m) * (a[0] - m) / (s * s);
    }
    static double Phi(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }
    static double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
    double alpha() const { return (lo[0] - m) / s; }
    double beta() const { return (hi[0] - m) / s; }
    double mass() const { return Phi(beta()) - Phi(alpha()); }
    double cdf(double a) const { return (Phi((a - m) / s) - Phi(alpha())) / mass(); }
    double quantile(double q) const {  // by bisection on the cdf
        double l = lo[0], h = hi[0];
        for (int i = 0; i < 200; ++i) (cdf(0.5 * (l + h)) < q ? l : h) = 0.5 * (l + h);
        return 0.5 * (l + h);
    }
    double mean() const { return m + s * (phi(alpha()) - phi(beta())) / mass(); }
    double variance() const {
        const double a = alpha(), b = beta(), r = (phi(a) - phi(b)) / mass();
        return s * s * (1.0 + (a * phi(a) - b * phi(b)) / mass() - r * r);
    }
};

// A mixture sum_k w_k N(c_k, s^2 I) on a box (any d), weights unnormalised: separated modes of
// unequal mass, with the mass of any sub-box by erf (the components factorise).
struct WeightedModes {
    std::vector<std::vector<double>> centres;
    std::vector<double> weights;
    double s = 0.12;
    std::vector<double> lo, hi;
    std::size_t dim() const { return lo.size(); }
    std::span<const double> low() const { return lo; }
    std::span<const double> high() const { return hi; }
    double log_density(std::span<const double> a, std::span<double> grad) const {
        const std::size_t d = dim(), K = weights.size();
        std::vector<double> l(K);
        double mx = -1e300;
        for (std::size_t k = 0; k < K; ++k) {
            double r2 = 0.0;
            for (std::size_t i = 0; i < d; ++i) r2 += (a[i] - centres[k][i]) * (a[i] - centres[k][i]);
            l[k] = std::log(weights[k]) - 0.5 * r2 / (s * s);
            mx = std::max(mx, l[k]);
        }
        double z = 0.0;
        for (double& x : l) z += (x = std::exp(x - mx));
        for (std::size_t i = 0; i < grad.size(); ++i) {
            grad[i] = 0.0;
            for (std::size_t k = 0; k < K; ++k) grad[i] -= l[k] / z * (a[i] - centres[k][i]) / (s * s);
        }
        return mx + std::log(z);
    }
    // Mass of the sub-box [a, b] (the box's part of it).
    double mass(const std::vector<double>& a, const std::vector<double>& b) const {
        double in = 0.0, total = 0.0;
        for (std::size_t k = 0; k < weights.size(); ++k) {
            double pin = weights[k], pall = weights[k];
            for (std::size_t i = 0; i < dim(); ++i) {
                const auto m = [&](double x0, double x1) { return TruncatedGaussian::Phi((x1 - centres[k][i]) / s) - TruncatedGaussian::Phi((x0 - centres[k][i]) / s); };
                pin *= m(std::max(a[i], lo[i]), std::min(b[i], hi[i]));
                pall *= m(lo[i], hi[i]);
            }
            in += pin;
            total += pall;
        }
        return in / total;
    }
};

}  // namespace softmdp::test
