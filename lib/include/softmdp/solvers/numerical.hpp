#pragma once
// Numerical failure as its own outcome: when a computation leaves the range of doubles, say what
// failed and which parameter drove it, and throw NumericalError (errors.hpp; exit 2, nothing
// written: a result with an infinity or NaN certifies nothing).
#include <string>
#include <string_view>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// Which parameter puts the values out of range. Soft values are bounded by
//   |V| <= (max|r| + alpha log A) / (1 - gamma)      (A: most actions in a state)
// so the larger of the two terms is blamed when it passes kValueRange (values are summed and
// scaled by up to 1/(1 - gamma) again inside the solvers, so the limit sits below DBL_MAX); an alpha
// below the normal doubles (Q/alpha overflows) is blamed next; otherwise all three are named.
inline constexpr double kValueRange = 1e300;
std::string numerical_culprit(const Model& m, double alpha);

// Throws NumericalError "WHAT at alpha A: WHAT_FAILED: CULPRIT".
[[noreturn]] void numerical_failure(const Model& m, double alpha, std::string_view what, std::string_view what_failed);

// The one check every result passes before it is returned: throws numerical_failure when
// sol.values, sol.policy or the error bound holds an infinity or NaN (Q may hold +inf: the
// action-convention Q of an action of probability 0; an inf bound means the rounding allowance of
// values near DBL_MAX overflowed).
void require_finite(const Model& m, const Solution& sol, std::string_view what);

}  // namespace softmdp
