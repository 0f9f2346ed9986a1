#include "softmdp/quadrature_reference.hpp"

#include <algorithm>

#include "softmdp/quadrature.hpp"

namespace softmdp::detail {

namespace {

// The composite rule on the box: points (N^d x d, row-major) and log-weights, N = panels m.
struct CompositeGrid {
    std::vector<double> points, log_weights;
};

CompositeGrid composite_grid(std::span<const double> low, std::span<const double> high, std::size_t panels, std::size_t m) {
    const std::size_t d = low.size(), per_dim = panels * m;
    const GaussLegendre gl = gauss_legendre(m);
    // 1-D rules per dimension: node t of panel p at low + width (p + (x_t + 1)/2), weight width w_t / 2.
    std::vector<double> x(d * per_dim), lw(d * per_dim);
    for (std::size_t k = 0; k < d; ++k) {
        const double width = (high[k] - low[k]) / static_cast<double>(panels);
        for (std::size_t p = 0; p < panels; ++p)
            for (std::size_t t = 0; t < m; ++t) {
                x[k * per_dim + p * m + t] = low[k] + width * (static_cast<double>(p) + 0.5 * (gl.nodes[t] + 1.0));
                lw[k * per_dim + p * m + t] = std::log(0.5 * width * gl.weights[t]);
            }
    }
    std::size_t total = 1;
    for (std::size_t k = 0; k < d; ++k) total *= per_dim;
    CompositeGrid g;
    g.points.resize(total * d);
    g.log_weights.assign(total, 0.0);
    for (std::size_t j = 0; j < total; ++j) {
        std::size_t rest = j;
        for (std::size_t k = 0; k < d; ++k) {
            const std::size_t i = rest % per_dim;
            rest /= per_dim;
            g.points[j * d + k] = x[k * per_dim + i];
            g.log_weights[j] += lw[k * per_dim + i];
        }
    }
    return g;
}

}  // namespace

QuadratureReference quadrature_reference(const LogDensityFn& f, std::span<const double> low, std::span<const double> high,
                                         const QuadratureReferenceOptions& opt) {
    const std::size_t d = low.size();
    const auto level_points = [&](std::size_t panels) {
        std::size_t p = 1;
        for (std::size_t k = 0; k < d; ++k) p *= panels * opt.nodes_per_panel;
        return p;
    };
    QuadratureReference ref;
    double previous = NAN;
    for (std::size_t panels = 1; level_points(panels) <= opt.max_points; panels *= 2) {
        const CompositeGrid g = composite_grid(low, high, panels, opt.nodes_per_panel);
        const std::size_t count = g.log_weights.size();
        std::vector<double> v(count);
        const auto total = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
        for (std::int64_t jj = 0; jj < total; ++jj) {
            const auto j = static_cast<std::size_t>(jj);
            v[j] = f(std::span<const double>(g.points.data() + j * d, d));
        }
        const double log_z = log_sum_weighted(g.log_weights, v);
        ref.log_z = log_z;
        ref.panels = panels;
        ref.nodes_per_panel = opt.nodes_per_panel;
        ref.points = count;
        ref.error = std::isnan(previous) ? INFINITY : std::abs(log_z - previous);
        if (ref.error <= opt.tolerance * std::max(1.0, std::abs(log_z))) {
            ref.converged = true;
            break;
        }
        previous = log_z;
    }
    return ref;
}

}  // namespace softmdp::detail
