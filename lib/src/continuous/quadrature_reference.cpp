#include "softmdp/continuous/quadrature_reference.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "softmdp/continuous/quadrature.hpp"

namespace softmdp::detail {

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
        const std::vector<std::size_t> per_dim(d, panels);
        const QuadratureGrid g = composite_grid(low, high, per_dim, opt.nodes_per_panel);
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
