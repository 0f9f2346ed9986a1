#include "softmdp/analysis/features.hpp"

#include <fmt/format.h>

#include "softmdp/core/errors.hpp"

namespace softmdp {

Features Features::one_hot(const Model& m) { return Features(Kind::one_hot, m.num_rows()); }

Features::Features(const Model& m, Kind kind, std::size_t count, std::vector<double> table, std::vector<std::string> names)
    : kind_(kind), count_(count), table_(std::move(table)), names_(std::move(names)) {
    if (kind == Kind::one_hot) throw UsageError("use Features::one_hot for one-hot features");
    if (count == 0) throw UsageError("features: at least one feature");
    const std::size_t n = kind == Kind::per_state ? m.num_states() : m.num_rows();
    if (table_.size() != n * count)
        throw UsageError(fmt::format("features: the table has {} entries, expected {} x {}", table_.size(), n, count));
    if (!names_.empty() && names_.size() != count)
        throw UsageError(fmt::format("features: {} names for {} features", names_.size(), count));
}

std::string Features::name(std::size_t k) const { return names_.empty() ? fmt::format("f{}", k) : names_[k]; }

double Features::at(std::size_t s, Offset row, std::size_t k) const noexcept {
    switch (kind_) {
        case Kind::one_hot: return row == k ? 1.0 : 0.0;
        case Kind::per_state: return table_[s * count_ + k];
        case Kind::per_state_action: return table_[row * count_ + k];
    }
    return 0.0;
}

std::vector<double> Features::reward(const Model& m, std::span<const double> w) const {
    if (w.size() != count_) throw UsageError(fmt::format("features: {} weights for {} features", w.size(), count_));
    if (kind_ == Kind::one_hot) return {w.begin(), w.end()};
    std::vector<double> r(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset row = m.row_first(s); row < m.row_last(s); ++row) {
            const double* phi = table_.data() + (kind_ == Kind::per_state ? s : row) * count_;
            double x = 0.0;
            for (std::size_t k = 0; k < count_; ++k) x += phi[k] * w[k];
            r[row] = x;
        }
    return r;
}

std::vector<double> Features::expectation(const Model& m, std::span<const double> d) const {
    if (d.size() != m.num_rows()) throw UsageError(fmt::format("features: a measure of {} entries for {} rows", d.size(), m.num_rows()));
    if (kind_ == Kind::one_hot) return {d.begin(), d.end()};
    std::vector<double> mu(count_, 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset row = m.row_first(s); row < m.row_last(s); ++row) {
            if (d[row] == 0.0) continue;
            const double* phi = table_.data() + (kind_ == Kind::per_state ? s : row) * count_;
            for (std::size_t k = 0; k < count_; ++k) mu[k] += phi[k] * d[row];
        }
    return mu;
}

}  // namespace softmdp
