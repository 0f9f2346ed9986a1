#pragma once
// Pictures through gnuplot: softmdp writes the data (OUT.dat) and a gnuplot script (OUT.gp) beside
// the picture and runs `gnuplot OUT.gp`. Without gnuplot the data and script are still written and
// the returned message says so. The terminal follows OUT's extension: .png (pngcairo) or .svg.
#include <span>
#include <string>
#include <vector>

#include "softmdp/model.hpp"
#include "softmdp/solution.hpp"

namespace softmdp {

struct PlotOutcome {
    bool drawn = false;
    std::string message;  // what was written, or why the picture is missing
};

// Heatmap of V over the model's grid (rows x cols, row-major states) with the policy drawn as arrows
// for actions named up/down/left/right/north/south/east/west (length = probability), otherwise the
// likeliest action's name. Throws UsageError when the model has no grid.
PlotOutcome plot_grid(const Model& m, const Solution& sol, const std::string& out);

// Curves against alpha: each series is (name, values), x on a log axis when every alpha > 0.
PlotOutcome plot_series(std::span<const double> x, const std::vector<std::pair<std::string, std::vector<double>>>& series,
                        const std::string& xlabel, const std::string& title, const std::string& out);

// Particles over a 2-D action box with contours of a density given on a grid (nx x ny, row-major in y).
PlotOutcome plot_particles(std::span<const double> particles, std::span<const double> low, std::span<const double> high,
                           std::span<const double> density, std::size_t nx, std::size_t ny, const std::string& title,
                           const std::string& out);

}  // namespace softmdp
