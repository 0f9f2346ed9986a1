#pragma once
// The one iteration driver every solver loop uses (value, Q and policy iteration, policy
// evaluation, the continuous solver, compare's entropy-gap iteration): it owns the stop checks
// (iteration and time limits, non-finite values, the resolution floor, the tolerance), the rounding
// allowance of certified bounds, the progress callback, and the finish that fills a Solution's
// converged, stop, reason, iterations and seconds. A loop states only its step and its bound:
//
//   Iteration it(opt, "sweeps");
//   while (!it.at_limit()) {
//       step();  it.count_step();
//       if (it.non_finite(change, "values became non-finite")) break;
//       if (it.at_resolution_floor(bound, slack)) break;
//       it.report(bound);
//       if (it.reached(bound <= opt.tolerance)) break;
//   }
//   it.finish(sol);
//
// It lives in core/ (not solvers/) because the continuous solver, which may include only core/,
// iterates with it too.
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "softmdp/core/solution.hpp"
#include "softmdp/core/stop.hpp"
#include "softmdp/core/stopwatch.hpp"

namespace softmdp {

// The floating-point allowance added to a certified bound, the one formula every solver uses:
// each value is computed to about `ulps` roundings of `scale` (the largest |value| and |reward|
// involved); the bracket multiplies that error by c = gamma / (1 - gamma) and the reported values
// carry it once more, hence (c + 1). Keeps a bound >= the true distance even after the iteration
// has converged to machine precision.
inline double rounding_allowance(double ulps, double c, double scale) noexcept {
    return ulps * std::numeric_limits<double>::epsilon() * (c + 1.0) * scale;
}

// Why a solver stopped short of a tolerance that rounding makes unreachable, and what to ask for.
// A resolution that is not finite (values near the double range) has no tolerance to suggest.
inline std::string resolution_reason(double tolerance, double slack) {
    if (!std::isfinite(4.0 * slack))
        return fmt::format("the tolerance {:g} is below the floating-point resolution of these values ({:.3g}): they are "
                           "too close to the largest double for any finite tolerance to be certified; rescale the rewards",
                           tolerance, slack);
    return fmt::format("the tolerance {:g} is below the floating-point resolution of these values ({:.3g}); "
                       "use --tolerance {:.1g} or larger",
                       tolerance, slack, 4.0 * slack);
}

class Iteration {
public:
    // How the limit reasons read: "stopped at the iteration limit (N <unit>)" and "stopped at the
    // time limit (T s)" with a unit, the bare sentences with none (kept byte-identical to each loop's
    // earlier wording).
    Iteration(const SolverOptions& opt, std::string_view unit, const Stopwatch& clock = Stopwatch{},
              std::uint64_t done = 0)
        : opt_(opt), unit_(unit), clock_(clock), count_(done) {}

    std::uint64_t count() const noexcept { return count_; }
    double seconds() const { return clock_.seconds(); }
    Stop stop() const noexcept { return stop_; }
    bool stopped() const noexcept { return stopped_; }
    bool converged() const noexcept { return stopped_ && stop_ == Stop::converged; }
    std::string& reason() noexcept { return reason_; }

    // Before a step: the iteration limit, then the time limit. True (and stopped) when one is reached.
    bool at_limit() { return at_iteration_limit() || at_time_limit(); }
    bool at_iteration_limit() {
        return count_ >= opt_.max_iterations &&
               halt(Stop::iteration_limit, unit_.empty() ? std::string("stopped at the iteration limit")
                                                         : fmt::format("stopped at the iteration limit ({} {})",
                                                                       opt_.max_iterations, unit_));
    }
    bool at_time_limit() {
        return clock_.seconds() >= opt_.time_limit &&
               halt(Stop::time_limit, unit_.empty() ? std::string("stopped at the time limit")
                                                    : fmt::format("stopped at the time limit ({} s)", opt_.time_limit));
    }
    void count_step() noexcept { ++count_; }

    // After a step: x (a change, a bound) is not finite.
    bool non_finite(double x, std::string_view why) { return !std::isfinite(x) && halt(Stop::non_finite, std::string(why)); }

    // After a step: the bound cannot shrink below the rounding allowance, and the tolerance asks for
    // less than twice it. A bound already within the tolerance is not stopped here (reached() is).
    bool at_resolution_floor(double bound, double slack) {
        return floor_reached(bound, slack, opt_.tolerance) && halt(Stop::resolution_floor, resolution_reason(opt_.tolerance, slack));
    }
    static bool floor_reached(double bound, double slack, double tolerance) noexcept {
        return bound > tolerance && slack >= tolerance && bound <= 2.0 * slack;
    }

    // Calls the progress callback with the iterations so far.
    void report(std::optional<double> bound) const {
        if (opt_.progress) opt_.progress({count_, bound, clock_.seconds()});
    }

    // After a step: converged when `done` (the tolerance test, bound or change) holds.
    bool reached(bool done) { return done && halt(Stop::converged, {}); }

    // After a step: no progress for `window` steps, progress being a new lowest bound (or the
    // caller's `progressed`, e.g. a changed hard policy, which policy iteration never revisits).
    // Stalled, with `advice` (what to try) in the reason. Slow but steady progress is not a stall
    // (the progress lines and their ETA show it); a bound that stays flat or rises is. For methods
    // whose bound need not fall at every step (policy iteration with inexact or partial
    // evaluations), so that a run that makes no headway says so instead of running on.
    bool stalled(std::optional<double> bound, bool progressed, std::uint64_t window, std::string_view steps,
                 std::string_view advice) {
        if (!bound) return false;
        if (progressed || *bound < best_bound_) {
            best_bound_ = std::min(best_bound_, *bound);
            progress_at_ = count_;
            return false;
        }
        return count_ - progress_at_ >= window &&
               halt(Stop::stalled, fmt::format("no progress: the certified bound has not fallen below {:.3g} for {} {} (now {:.3g}); {}",
                                               best_bound_, window, steps, *bound, advice));
    }

    // Any other stop (stalled, a floor the caller words itself, ...).
    bool halt(Stop s, std::string why) {
        stopped_ = true;
        stop_ = s;
        reason_ = std::move(why);
        return true;
    }

    // Fills sol's converged, stop, reason, iterations and seconds.
    void finish(Solution& sol) const {
        sol.stop = stop_;
        sol.converged = converged();
        sol.reason = reason_;
        sol.iterations = count_;
        sol.seconds = clock_.seconds();
    }

private:
    const SolverOptions& opt_;
    std::string_view unit_;
    Stopwatch clock_;
    std::uint64_t count_;
    double best_bound_ = std::numeric_limits<double>::infinity();  // stalled(): the lowest bound so far
    std::uint64_t progress_at_ = 0;
    bool stopped_ = false;
    Stop stop_ = Stop::iteration_limit;
    std::string reason_;
};

}  // namespace softmdp
