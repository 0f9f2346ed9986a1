#pragma once
// The reader of Q tables, e.g. for the soft Bellman residuals of analysis/residuals.hpp.
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

// Reads a per-row Q table from a softmdp-q/1 file ({"format": "softmdp-q/1", "q": per state, an
// array over all actions, null where unavailable}) or the "q" of a softmdp-result/1 file. Throws
// InputError.
std::vector<double> read_q_table(const std::string& file, const Model& m);

}  // namespace softmdp
