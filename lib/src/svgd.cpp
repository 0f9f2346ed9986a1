#include "softmdp/svgd.hpp"

#include <algorithm>
#include <omp.h>

#include "softmdp/bellman.hpp"

namespace softmdp::detail {

SvgdState::SvgdState(std::size_t n, std::size_t d, int threads)
    : n_(n), d_(d), threads_(thread_count(threads)), kernel_(n * n), phi_(n * d), hist_(n * d, 0.0), dist_(n * (n - 1) / 2 + 1) {}

void reflect(std::span<const double> low, std::span<const double> high, std::span<double> x) {
    const std::size_t d = low.size();
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t k = i % d;
        if (x[i] < low[k]) x[i] = low[k] + (low[k] - x[i]);
        if (x[i] > high[k]) x[i] = high[k] - (x[i] - high[k]);
        x[i] = std::clamp(x[i], low[k], high[k]);  // a step longer than the box
    }
}

double SvgdState::median_bandwidth(std::span<const double> y) {
    if (n_ < 2) return 1.0;
    std::size_t m = 0;
    for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t j = i + 1; j < n_; ++j) {
            double r2 = 0.0;
            for (std::size_t k = 0; k < d_; ++k) r2 += (y[i * d_ + k] - y[j * d_ + k]) * (y[i * d_ + k] - y[j * d_ + k]);
            dist_[m++] = r2;
        }
    // med is the median pairwise distance; h = med^2 / log(n + 1) uses the squared distances directly.
    std::nth_element(dist_.begin(), dist_.begin() + static_cast<std::ptrdiff_t>(m / 2), dist_.begin() + static_cast<std::ptrdiff_t>(m));
    const double h = dist_[m / 2] / std::log(static_cast<double>(n_) + 1.0);
    return h > 1e-12 ? h : 1.0;
}

double SvgdState::step(std::span<double> y, std::span<const double> scores, double h, double step_size, bool first) {
    const auto n = static_cast<std::int64_t>(n_);
    const std::size_t d = d_;
    // The kernel matrix is symmetric: compute the upper triangle, mirror it.
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads_)
    for (std::int64_t ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        kernel_[i * n_ + i] = 1.0;
        for (std::size_t j = i + 1; j < n_; ++j) {
            double r2 = 0.0;
            for (std::size_t k = 0; k < d; ++k) r2 += (y[i * d + k] - y[j * d + k]) * (y[i * d + k] - y[j * d + k]);
            kernel_[i * n_ + j] = kernel_[j * n_ + i] = std::exp(-r2 / h);
        }
    }
    double moved = 0.0;
#pragma omp parallel for schedule(static) num_threads(threads_) reduction(max : moved)
    for (std::int64_t ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        double* phi = phi_.data() + i * d;
        for (std::size_t k = 0; k < d; ++k) phi[k] = 0.0;
        for (std::size_t j = 0; j < n_; ++j) {
            const double kij = kernel_[j * n_ + i];
            // k(x_j, x_i) grad log p(x_j) + grad_{x_j} k(x_j, x_i), grad_{x_j} k = (2/h)(x_i - x_j) k.
            for (std::size_t k = 0; k < d; ++k) phi[k] += kij * (scores[j * d + k] + (2.0 / h) * (y[i * d + k] - y[j * d + k]));
        }
        for (std::size_t k = 0; k < d; ++k) phi[k] /= static_cast<double>(n_);
    }
    // AdaGrad with momentum, then the move (after phi is complete for every particle).
#pragma omp parallel for schedule(static) num_threads(threads_) reduction(max : moved)
    for (std::int64_t ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        for (std::size_t k = 0; k < d; ++k) {
            const std::size_t x = i * d + k;
            const double g = phi_[x];
            hist_[x] = first ? hist_[x] + g * g : 0.9 * hist_[x] + 0.1 * g * g;
            const double delta = step_size * g / (1e-6 + std::sqrt(hist_[x]));
            y[x] += delta;
            moved = std::max(moved, std::abs(delta));
        }
    }
    return moved;
}

double SvgdState::ksd(std::span<const double> y, std::span<const double> s, double h) const {
    // V-statistic KSD^2 = (1/n^2) sum_{i,j} u(x_i, x_j): the squared RKHS norm of the Stein
    // discrepancy of the particles' empirical measure, so never negative.
    const std::size_t d = d_;
    const auto n = static_cast<std::int64_t>(n_);
    // Row sums first, then a sum in a fixed order: the result does not depend on thread timing.
    std::vector<double> rows(n_, 0.0);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_)
    for (std::int64_t ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        double& total = rows[i];
        for (std::size_t j = 0; j < n_; ++j) {
            double r2 = 0.0, ss = 0.0, sx = 0.0, sy = 0.0;
            for (std::size_t k = 0; k < d; ++k) {
                const double diff = y[i * d + k] - y[j * d + k];
                r2 += diff * diff;
                ss += s[i * d + k] * s[j * d + k];
                sx += s[i * d + k] * diff;
                sy += s[j * d + k] * diff;
            }
            const double kij = std::exp(-r2 / h);
            // u = k [s_i.s_j + (2/h) s_i.(x_i - x_j) - (2/h) s_j.(x_i - x_j) + 2d/h - 4 r^2/h^2]
            total += kij * (ss + (2.0 / h) * (sx - sy) + 2.0 * static_cast<double>(d) / h - 4.0 * r2 / (h * h));
        }
    }
    double total = 0.0;
    for (double r : rows) total += r;
    return std::sqrt(std::max(0.0, total) / (static_cast<double>(n_) * static_cast<double>(n_)));
}

}  // namespace softmdp::detail
