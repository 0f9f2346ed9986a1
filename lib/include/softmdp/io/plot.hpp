#pragma once
// Pictures through gnuplot: softmdp writes the data (OUT.dat) and a gnuplot script (OUT.gp) beside
// the picture and runs gnuplot (no shell) on the script, which draws into a temporary file beside OUT;
// that file replaces OUT only when gnuplot succeeded and wrote something (output_file.hpp), so a
// failed plot throws IoError and leaves an earlier OUT untouched. Without gnuplot the data and script
// are still written and the returned message says so. The terminal follows OUT's extension: .png
// (pngcairo) or .svg; text is not "enhanced" (J_soft is not a subscript). `gnuplot OUT.gp` redraws OUT.
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// gnuplot runs at most this many seconds (or SOFTMDP_GNUPLOT_TIMEOUT's): then it is killed, with
// whatever it started, and the plot fails with IoError (exit 3), so that --plot never hangs.
inline constexpr double kPlotTimeLimit = 60.0;

// Kills a running gnuplot and its process group. Async-signal-safe: main's SIGINT/SIGTERM/SIGHUP
// handler calls it, so an interrupted --plot leaves no gnuplot behind.
void kill_plotter() noexcept;

struct PlotOutcome {
    bool drawn = false;
    std::string message;  // what was written, or why the picture is missing
};

// Heatmap of V over the model's grid (rows x cols, row-major states) with the policy drawn as arrows
// for actions named up/down/left/right/north/south/east/west (length = probability), otherwise the
// likeliest action's name. Throws UsageError when the model has no grid.
PlotOutcome plot_grid(const Model& m, const Solution& sol, const std::string& out);
// Throws the UsageError of plot_grid when the model has no grid (to check before solving).
void require_grid(const Model& m);

// The soft optimum across alpha, in two panels: above, J_soft and the hard return of the soft policy
// (on one axis when their ranges are comparable, else the hard return on the right axis); below, the
// mean entropy. alpha on a log axis when every alpha > 0.
PlotOutcome plot_sweep(std::span<const double> alpha, std::span<const double> j_soft, std::span<const double> hard_return,
                       std::span<const double> entropy, const std::string& title, const std::string& out);

// True when two curves read well on one y axis: each spans at least a tenth of their joint range
// (or is flat). Non-finite values are ignored.
bool comparable_ranges(std::span<const double> a, std::span<const double> b);

// Particles over a 2-D action box with contours of a density given on a grid (nx x ny, row-major in y).
PlotOutcome plot_particles(std::span<const double> particles, std::span<const double> low, std::span<const double> high,
                           std::span<const double> density, std::size_t nx, std::size_t ny, const std::string& title,
                           const std::string& out);

}  // namespace softmdp
