#include "softmdp/analysis/policy.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi[r] = 1.0 / static_cast<double>(m.num_available(s));
    return pi;
}

std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const auto n = m.num_available(s);
        if (n == 0) continue;
        softmax_policy(q.subspan(m.row_first(s), n), alpha, std::span<double>(pi).subspan(m.row_first(s), n));
    }
    return pi;
}

std::vector<double> greedy_policy(const Model& m, std::span<const double> q) { return softmax_policy(m, q, 0.0); }

}  // namespace softmdp
