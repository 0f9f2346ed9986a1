#pragma once
// Deterministic reference for log integral_box exp(f(a)) da: tensor Gauss-Legendre quadrature
// (d <= 3), accumulated as a log-sum-exp so no term overflows.
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "softmdp/core/errors.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

// Nodes and weights of n-point Gauss-Legendre on [-1, 1] (Newton on P_n, Golub-Welsch free).
struct GaussLegendre {
    std::vector<double> nodes, weights;
};
GaussLegendre gauss_legendre(std::size_t n);

// The tensor grid mapped to the box: points (n^d x d, row-major) and log-weights.
struct QuadratureGrid {
    std::size_t dim = 0;
    std::vector<double> points;
    std::vector<double> log_weights;
    std::size_t size() const noexcept { return log_weights.size(); }
};
QuadratureGrid quadrature_grid(std::span<const double> low, std::span<const double> high, std::size_t nodes_per_dim);

// Composite Gauss-Legendre on the box: dimension i cut into panels[i] equal panels with `order`
// nodes each (order * panels[i] nodes along i). Doubling the panels refines where a single
// high-degree rule would need ever more nodes to resolve features narrower than the box; one
// panel is the plain rule (quadrature_grid).
QuadratureGrid composite_grid(std::span<const double> low, std::span<const double> high, std::span<const std::size_t> panels,
                              std::size_t order);
// The number of points of that grid, prod_i order * panels[i]; UINT64_MAX when it overflows.
std::uint64_t composite_grid_size(std::span<const std::size_t> panels, std::size_t order);

// log sum_j w_j exp(f_j) for values f_j at the grid points (a stable log-sum-exp).
double log_sum_weighted(std::span<const double> log_weights, std::span<const double> f);

// log integral_box exp(log_density(a)) da. Throws UsageError when d > 3.
template <LogDensityTarget T>
double log_integral_quadrature(const T& target, std::size_t nodes_per_dim) {
    if (target.dim() > 3) throw UsageError("quadrature supports action dimensions d <= 3; use Monte Carlo (" + param("integrator") + " mc)");
    const QuadratureGrid g = quadrature_grid(target.low(), target.high(), nodes_per_dim);
    std::vector<double> f(g.size());
    for (std::size_t j = 0; j < g.size(); ++j)
        f[j] = target.log_density(std::span<const double>(g.points.data() + j * g.dim, g.dim), {});
    return log_sum_weighted(g.log_weights, f);
}

}  // namespace softmdp
