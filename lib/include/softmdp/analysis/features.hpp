#pragma once
// Linear reward features: r(s,a) = sum_k phi_k(s,a) w_k = (Phi w)(s,a). Phi is one-hot (one feature
// per available (s, a): r = w), or a dense table per state (phi(s), the same for every action) or
// per state-action pair (phi(s,a), one row per row of the model). Read from softmdp-features/1
// files by io/features.hpp.
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

class Features {
public:
    enum class Kind { one_hot, per_state, per_state_action };
    // One feature per row of the model.
    static Features one_hot(const Model& m);
    // table: S x K (per_state) or rows x K (per_state_action), row-major. Throws UsageError on sizes.
    Features(const Model& m, Kind kind, std::size_t count, std::vector<double> table, std::vector<std::string> names = {});

    Kind kind() const noexcept { return kind_; }
    std::size_t count() const noexcept { return count_; }  // K
    const std::vector<std::string>& names() const noexcept { return names_; }  // empty: f0, f1, ...
    std::string name(std::size_t k) const;
    // phi_k(s, a) of row `row` of state s.
    double at(std::size_t s, Offset row, std::size_t k) const noexcept;
    // r = Phi w, per row.
    std::vector<double> reward(const Model& m, std::span<const double> w) const;
    // Phi^T d for d per row: the feature expectations of a state-action measure d.
    std::vector<double> expectation(const Model& m, std::span<const double> d) const;

private:
    Features(Kind kind, std::size_t count) : kind_(kind), count_(count) {}
    Kind kind_;
    std::size_t count_;
    std::vector<double> table_;
    std::vector<std::string> names_;
};

}  // namespace softmdp
