#include "softmdp/continuous/quadrature.hpp"

#include <algorithm>
#include <numbers>

namespace softmdp {

GaussLegendre gauss_legendre(std::size_t n) {
    if (n == 0 || n > 1000) throw UsageError("the number of quadrature nodes must be in 1..1000");
    GaussLegendre gl;
    gl.nodes.resize(n);
    gl.weights.resize(n);
    for (std::size_t i = 0; i < (n + 1) / 2; ++i) {
        // Initial guess (Tricomi), then Newton on P_n(x) = 0 with the three-term recurrence.
        double x = std::cos(std::numbers::pi * (static_cast<double>(i) + 0.75) / (static_cast<double>(n) + 0.5));
        double dp = 0.0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1.0, p1 = x;
            for (std::size_t k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * static_cast<double>(k) - 1.0) * x * p1 - (static_cast<double>(k) - 1.0) * p0) /
                                  static_cast<double>(k);
                p0 = p1;
                p1 = p2;
            }
            if (n == 1) p1 = x, p0 = 1.0;
            dp = static_cast<double>(n) * (x * p1 - p0) / (x * x - 1.0);
            const double dx = p1 / dp;
            x -= dx;
            if (std::abs(dx) < 1e-16) break;
        }
        if (n == 1) {
            x = 0.0;
            dp = 1.0;
        }
        gl.nodes[i] = -x;
        gl.nodes[n - 1 - i] = x;
        gl.weights[i] = gl.weights[n - 1 - i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    if (n == 1) gl.weights[0] = 2.0;
    return gl;
}

QuadratureGrid quadrature_grid(std::span<const double> low, std::span<const double> high, std::size_t m) {
    const std::vector<std::size_t> one(low.size(), 1);
    return composite_grid(low, high, one, m);
}

std::uint64_t composite_grid_size(std::span<const std::size_t> panels, std::size_t order) {
    std::uint64_t total = 1;
    for (std::size_t p : panels) {
        const std::uint64_t along = static_cast<std::uint64_t>(p) * order;
        if ((p != 0 && along / p != order) || (along != 0 && total > UINT64_MAX / along)) return UINT64_MAX;
        total *= along;
    }
    return total;
}

QuadratureGrid composite_grid(std::span<const double> low, std::span<const double> high, std::span<const std::size_t> panels,
                              std::size_t order) {
    const std::size_t d = low.size();
    const GaussLegendre gl = gauss_legendre(order);
    // Per dimension: the nodes of every panel and their log-weights (panel half-width times the rule's weight).
    std::vector<std::vector<double>> x(d), lw(d);
    for (std::size_t i = 0; i < d; ++i) {
        const double width = (high[i] - low[i]) / static_cast<double>(panels[i]), half = 0.5 * width;
        for (std::size_t p = 0; p < panels[i]; ++p)
            for (std::size_t k = 0; k < order; ++k) {
                x[i].push_back(low[i] + width * static_cast<double>(p) + half * (gl.nodes[k] + 1.0));
                lw[i].push_back(std::log(gl.weights[k] * half));
            }
    }
    QuadratureGrid g;
    g.dim = d;
    const std::size_t total = composite_grid_size(panels, order);
    g.points.resize(total * d);
    g.log_weights.resize(total);
    for (std::size_t j = 0; j < total; ++j) {
        std::size_t rest = j;
        double w = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
            const std::size_t k = rest % x[i].size();
            rest /= x[i].size();
            g.points[j * d + i] = x[i][k];
            w += lw[i][k];
        }
        g.log_weights[j] = w;
    }
    return g;
}

double log_sum_weighted(std::span<const double> log_weights, std::span<const double> f) {
    double m = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < f.size(); ++j) m = std::max(m, log_weights[j] + f[j]);
    if (!std::isfinite(m)) return m;
    double sum = 0.0;
    for (std::size_t j = 0; j < f.size(); ++j) sum += std::exp(log_weights[j] + f[j] - m);
    return m + std::log(sum);
}

}  // namespace softmdp
