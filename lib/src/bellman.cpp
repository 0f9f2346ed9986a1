#include "softmdp/bellman.hpp"

namespace softmdp {

void compute_q(const Model& m, std::span<const double> V, std::span<double> q, int threads) {
    const ModelData& d = m.data();
    const auto rows = static_cast<std::int64_t>(m.num_rows());
#pragma omp parallel for schedule(static) num_threads(sweep_threads(m, threads))
    for (std::int64_t r = 0; r < rows; ++r) q[static_cast<std::size_t>(r)] = q_value(d, static_cast<Offset>(r), V.data(), d.discount);
}

std::vector<double> policy_entropy(const Model& m, std::span<const double> pi) {
    std::vector<double> h(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        h[s] = entropy(pi.subspan(m.row_first(s), m.num_available(s)));
    return h;
}

double objective(const Model& m, std::span<const double> V) {
    double j = 0.0;
    const auto p0 = m.initial();
    for (std::size_t s = 0; s < m.num_states(); ++s) j += p0[s] * V[s];
    return j;
}

}  // namespace softmdp
