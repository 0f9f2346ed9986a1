#pragma once
// Why an iterative computation stopped, as a type: a caller can tell a time limit from the
// resolution floor without parsing English (Solution::reason keeps the sentence).
#include <string_view>

namespace softmdp {

enum class Stop {
    converged,         // the certified error bound reached the tolerance (or the answer is exact)
    iteration_limit,   // SolverOptions::max_iterations reached first
    time_limit,        // SolverOptions::time_limit reached first
    resolution_floor,  // the bound cannot shrink below the rounding of doubles: tolerance below it
    stalled,           // no progress over a window (the bound stopped decreasing)
    non_finite,        // a value left the range of doubles (NumericalError is thrown for results)
    interrupted,       // a cancellation request (signal) was honoured
    no_bound,          // ran to its limit where the theory gives no certified bound
    resource_limit,    // a node or memory budget (or a fixed grid) ran out before the tolerance was met
};

// The snake_case name above, as written in documents ("stop": "time_limit").
constexpr std::string_view to_string(Stop s) noexcept {
    switch (s) {
        case Stop::converged: return "converged";
        case Stop::iteration_limit: return "iteration_limit";
        case Stop::time_limit: return "time_limit";
        case Stop::resolution_floor: return "resolution_floor";
        case Stop::stalled: return "stalled";
        case Stop::non_finite: return "non_finite";
        case Stop::interrupted: return "interrupted";
        case Stop::no_bound: return "no_bound";
        case Stop::resource_limit: return "resource_limit";
    }
    return "unknown";
}

}  // namespace softmdp
