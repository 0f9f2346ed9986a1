#include "softmdp/solvers/krylov.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "krylov_method.hpp"

namespace softmdp {

namespace {

// The coarse correction of the two-level preconditioner: e += Pr A_c^{-1} R r, where Pr is constant
// on each aggregate (aggregation.hpp), R averages over it, and A_c = R (I - gamma P_pi) Pr =
// I - gamma P_c with P_c(I, J) = (1 / |I|) sum_{s in I} P_pi(s, J): the chain seen through the
// aggregates, a stochastic matrix, so A_c is an M-matrix like A. Assembled per evaluation (it
// depends on pi) straight into compressed columns and factorised by sparse LU: aggregates keep it
// small (about S / size states, sparse on local models).
class CoarseCorrection {
public:
    CoarseCorrection(const Model& m, std::span<const double> pi, const Aggregation& agg) : agg_(agg) {
        const ModelData& d = m.data();
        const double gamma = d.discount;
        const auto n = static_cast<int>(agg.count());
        std::vector<Eigen::Triplet<double, int>> entries;
        std::vector<int> where(agg.count(), -1);  // column -> slot in `row` (a sparse accumulator)
        std::vector<int> cols;
        std::vector<double> row;
        for (int i = 0; i < n; ++i) {
            const double w = 1.0 / static_cast<double>(agg.begin[i + 1] - agg.begin[i]);
            const auto add = [&](int j, double v) {
                if (where[j] < 0) {
                    where[j] = static_cast<int>(cols.size());
                    cols.push_back(j);
                    row.push_back(0.0);
                }
                row[where[j]] += v;
            };
            add(i, 1.0);  // each member's identity row averages to 1 on the diagonal
            for (auto k = agg.begin[i]; k < agg.begin[i + 1]; ++k) {
                const StateId s = agg.members[k];
                for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
                    if (pi[r] == 0.0) continue;
                    for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t)
                        add(static_cast<int>(agg.of[d.transitions[t].next]), -gamma * w * pi[r] * d.transitions[t].prob());
                }
            }
            for (std::size_t c = 0; c < cols.size(); ++c) {
                entries.emplace_back(i, cols[c], row[c]);
                where[cols[c]] = -1;
            }
            cols.clear();
            row.clear();
        }
        Eigen::SparseMatrix<double, Eigen::ColMajor, int> A(n, n);
        A.setFromTriplets(entries.begin(), entries.end());
        entries = {};
        lu_.compute(A);
        ok_ = lu_.info() == Eigen::Success;
        rc_.resize(n);
    }
    // Singular in doubles (discount 1 with an aggregate that never leaves itself): no correction.
    bool ok() const noexcept { return ok_; }
    void apply(std::span<const double> r, std::span<double> y) {
        for (std::size_t i = 0; i < agg_.count(); ++i) {
            double sum = 0.0;
            for (auto k = agg_.begin[i]; k < agg_.begin[i + 1]; ++k) sum += r[agg_.members[k]];
            rc_[static_cast<Eigen::Index>(i)] = sum / static_cast<double>(agg_.begin[i + 1] - agg_.begin[i]);
        }
        const Eigen::VectorXd e = lu_.solve(rc_);
        if (!e.allFinite()) return;
        for (std::size_t s = 0; s < y.size(); ++s) y[s] += e[agg_.of[s]];
    }

private:
    const Aggregation& agg_;
    Eigen::SparseLU<Eigen::SparseMatrix<double, Eigen::ColMajor, int>, Eigen::COLAMDOrdering<int>> lu_;
    Eigen::VectorXd rc_;
    bool ok_ = false;
};

// y = M^{-1} z, a fixed linear map (so plain GMRES/BiCGSTAB apply, right-preconditioned).
// One level: `sweeps` Gauss-Seidel sweeps on A y = z from y = 0, alternately forward and backward
// (symmetric Gauss-Seidel for two), so values flow both ways along a chain whatever its numbering.
// Row s: y(s) = (z(s) + gamma sum_{s' != s} P_pi(s,s') y(s')) / (1 - gamma P_pi(s,s)). Sequential
// (each state reads its predecessors' new values); that is what makes it a good smoother. Two
// levels (an aggregation given): the first half of the sweeps (forward first), the coarse
// correction y += Pr A_c^{-1} R (z - A y), then the rest (backward first): Gauss-Seidel removes
// the error that varies from state to state, the coarse solve the smooth error that makes
// gamma -> 1 slow (it decays at the chain's mixing rate under sweeps).
class Preconditioner {
public:
    Preconditioner(const Model& m, std::span<const double> pi, const KrylovOptions& opt)
        : m_(m), pi_(pi), sweeps_(opt.preconditioner_sweeps), threads_(opt.threads) {
        if (opt.aggregation && opt.aggregation->count() > 0) {
            coarse_.emplace(m, pi, *opt.aggregation);
            if (!coarse_->ok()) coarse_.reset();
            else r_.resize(m.num_states());
        }
    }
    bool two_level() const noexcept { return coarse_.has_value(); }
    // Applies it; returns the passes over P_pi's transitions it made (sweeps, residual).
    std::uint64_t apply(std::span<const double> z, std::span<double> y) {
        if (sweeps_ == 0 && !coarse_) {
            std::copy(z.begin(), z.end(), y.begin());
            return 0;
        }
        std::fill(y.begin(), y.end(), 0.0);
        if (!coarse_) {
            for (std::uint32_t k = 0; k < sweeps_; ++k) sweep(z, y, k % 2 == 0);
            return sweeps_;
        }
        // With no sweeps the smoother is the identity (y = z before the correction): the coarse
        // correction alone has rank count() and would make the preconditioner singular.
        if (sweeps_ == 0) std::copy(z.begin(), z.end(), y.begin());
        const std::uint32_t pre = (sweeps_ + 1) / 2;
        for (std::uint32_t k = 0; k < pre; ++k) sweep(z, y, k % 2 == 0);
        apply_evaluation_operator(m_, pi_, y, r_, threads_);
        for (std::size_t s = 0; s < r_.size(); ++s) r_[s] = z[s] - r_[s];
        coarse_->apply(r_, y);
        for (std::uint32_t k = pre; k < sweeps_; ++k) sweep(z, y, (k - pre) % 2 == 1);
        return sweeps_ + 1;
    }

private:
    void sweep(std::span<const double> z, std::span<double> y, bool forward) const {
        const ModelData& d = m_.data();
        const double gamma = d.discount;
        const std::size_t S = m_.num_states();
        const auto row = [&](std::size_t s) {
            if (m_.is_terminal(s)) {
                y[s] = z[s];
                return;
            }
            double diag = 0.0, acc = 0.0;
            for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
                if (pi_[r] == 0.0) continue;
                for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) {
                    const double w = pi_[r] * d.transitions[t].prob();
                    if (d.transitions[t].next == s) diag += w;
                    else acc += w * y[d.transitions[t].next];
                }
            }
            const double den = 1.0 - gamma * diag;
            // den <= 0 only for a state that stays put for ever at discount 1, which the model's
            // properness check excludes; dividing by it would only make the preconditioner non-finite.
            y[s] = den > 0.0 ? (z[s] + gamma * acc) / den : z[s];
        };
        if (forward)
            for (std::size_t s = 0; s < S; ++s) row(s);
        else
            for (std::size_t s = S; s-- > 0;) row(s);
    }

    const Model& m_;
    std::span<const double> pi_;
    std::uint32_t sweeps_;
    int threads_;
    std::optional<CoarseCorrection> coarse_;
    std::vector<double> r_;
};

// The whole model as a krylov::Space (krylov_method.hpp): sums are local.
class SerialSpace {
public:
    SerialSpace(const Model& m, std::span<const double> pi, const KrylovOptions& opt) : m_(m), pi_(pi), threads_(opt.threads), M_(m, pi, opt) {}
    std::size_t n() const noexcept { return m_.num_states(); }
    void apply(std::span<const double> x, std::span<double> y) const { apply_evaluation_operator(m_, pi_, x, y, threads_); }
    std::uint64_t precondition(std::span<const double> z, std::span<double> y) { return M_.apply(z, y); }
    void sum(std::span<double>) const noexcept {}

private:
    const Model& m_;
    std::span<const double> pi_;
    int threads_;
    Preconditioner M_;
};

}  // namespace

void set_krylov_options(SolverOptions& opt, std::string_view krylov, std::uint32_t preconditioner_sweeps,
                        std::optional<std::uint32_t> aggregate_size) {
    if (krylov != "gmres" && krylov != "bicgstab") throw UsageError(fmt::format("{} must be gmres or bicgstab, got '{}'", param("krylov"), krylov));
    opt.krylov = krylov == "gmres" ? KrylovMethod::gmres : KrylovMethod::bicgstab;
    if (preconditioner_sweeps > 100) throw UsageError(fmt::format("{} must be at most 100", param("preconditioner_sweeps")));
    opt.preconditioner_sweeps = preconditioner_sweeps;
    opt.aggregate_size = aggregate_size;
}

std::vector<double> policy_rhs(const Model& m, std::span<const double> pi, std::span<const double> bonus) {
    const ModelData& d = m.data();
    std::vector<double> b(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        double rs = bonus[s];
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r)
            if (pi[r] != 0.0) rs += pi[r] * d.row_reward[r];
        b[s] = rs;
    }
    return b;
}

void apply_evaluation_operator(const Model& m, std::span<const double> pi, std::span<const double> x, std::span<double> y,
                               int threads) {
    const ModelData& d = m.data();
    const double gamma = d.discount;
    const auto S = static_cast<std::int64_t>(m.num_states());
#pragma omp parallel for schedule(static) num_threads(sweep_threads(m, threads))
    for (std::int64_t si = 0; si < S; ++si) {
        const auto s = static_cast<std::size_t>(si);
        double acc = 0.0;
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
            if (pi[r] == 0.0) continue;
            double pv = 0.0;
            for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) pv += d.transitions[t].prob() * x[d.transitions[t].next];
            acc += pi[r] * pv;
        }
        y[s] = x[s] - gamma * acc;
    }
}

KrylovStats solve_policy_evaluation(const Model& m, std::span<const double> pi, std::span<const double> b, std::span<double> v,
                                    const KrylovOptions& opt) {
    SerialSpace space(m, pi, opt);
    return krylov::solve(space, b, v, opt);
}

namespace krylov {

struct EvaluationPreconditioner::Impl {
    Impl(const Model& m, std::span<const double> pi, const KrylovOptions& opt) : M(m, pi, opt) {}
    Preconditioner M;
};

EvaluationPreconditioner::EvaluationPreconditioner(const Model& m, std::span<const double> pi, const KrylovOptions& opt)
    : impl_(std::make_unique<Impl>(m, pi, opt)) {}
EvaluationPreconditioner::EvaluationPreconditioner(EvaluationPreconditioner&&) noexcept = default;
EvaluationPreconditioner::~EvaluationPreconditioner() = default;
std::uint64_t EvaluationPreconditioner::apply(std::span<const double> z, std::span<double> y) { return impl_->M.apply(z, y); }
bool EvaluationPreconditioner::two_level() const noexcept { return impl_->M.two_level(); }

}  // namespace krylov

}  // namespace softmdp
