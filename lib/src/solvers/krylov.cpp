#include "softmdp/solvers/krylov.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <optional>

#include "softmdp/solvers/bellman.hpp"

namespace softmdp {

namespace {

double dot(std::span<const double> x, std::span<const double> y) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
}
double norm2(std::span<const double> x) noexcept { return std::sqrt(dot(x, x)); }

// r = b - A x; returns ||r||_2.
double residual(const Model& m, std::span<const double> pi, std::span<const double> b, std::span<const double> x,
                std::span<double> r, int threads) {
    apply_evaluation_operator(m, pi, x, r, threads);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
    return norm2(r);
}

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

KrylovStats gmres(const Model& m, std::span<const double> pi, std::span<const double> b, std::span<double> x,
                  const KrylovOptions& opt) {
    const std::size_t S = m.num_states();
    const std::size_t restart = std::max<std::uint32_t>(1, opt.restart);
    KrylovStats st;
    std::vector<double> r(S), z(S);
    std::vector<std::vector<double>> basis;  // grown on demand: a solve that stops early allocates little
    std::vector<double> H((restart + 1) * restart, 0.0), cs(restart), sn(restart), g(restart + 1), y(restart);
    const auto h = [&](std::size_t i, std::size_t j) -> double& { return H[j * (restart + 1) + i]; };
    Preconditioner M(m, pi, opt);
    double beta = residual(m, pi, b, x, r, opt.threads);
    ++st.matvecs;
    st.initial_residual = beta;
    const double target = std::max(opt.relative_tolerance * beta, opt.absolute_tolerance);
    while (std::isfinite(beta) && beta > 0.0 && (beta > target || st.iterations < opt.min_iterations) &&
           st.iterations < opt.max_iterations) {
        if (basis.empty()) basis.emplace_back(S);
        for (std::size_t i = 0; i < S; ++i) basis[0][i] = r[i] / beta;
        std::fill(g.begin(), g.end(), 0.0);
        g[0] = beta;
        std::size_t k = 0;
        for (std::size_t j = 0; j < restart; ++j) {
            st.matvecs += 1 + M.apply(basis[j], z);
            apply_evaluation_operator(m, pi, z, r, opt.threads);  // r is scratch here: w = A M^{-1} v_j
            for (std::size_t i = 0; i <= j; ++i) {  // modified Gram-Schmidt
                h(i, j) = dot(r, basis[i]);
                for (std::size_t t = 0; t < S; ++t) r[t] -= h(i, j) * basis[i][t];
            }
            h(j + 1, j) = norm2(r);
            for (std::size_t i = 0; i < j; ++i) {  // earlier Givens rotations on the new column
                const double a = h(i, j), c = h(i + 1, j);
                h(i, j) = cs[i] * a + sn[i] * c;
                h(i + 1, j) = -sn[i] * a + cs[i] * c;
            }
            const double den = std::hypot(h(j, j), h(j + 1, j));
            cs[j] = den > 0.0 ? h(j, j) / den : 1.0;
            sn[j] = den > 0.0 ? h(j + 1, j) / den : 0.0;
            const double next_norm = h(j + 1, j);
            h(j, j) = den;
            h(j + 1, j) = 0.0;
            g[j + 1] = -sn[j] * g[j];
            g[j] = cs[j] * g[j];
            ++st.iterations;
            k = j + 1;
            if ((std::abs(g[j + 1]) <= target && st.iterations >= opt.min_iterations) || next_norm <= 0.0 || !std::isfinite(next_norm) || st.iterations >= opt.max_iterations)
                break;
            if (basis.size() <= j + 1) basis.emplace_back(S);
            for (std::size_t t = 0; t < S; ++t) basis[j + 1][t] = r[t] / next_norm;
        }
        // y = H^{-1} g (upper triangular), x += M^{-1} (V y).
        for (std::size_t i = k; i-- > 0;) {
            double s = g[i];
            for (std::size_t j = i + 1; j < k; ++j) s -= h(i, j) * y[j];
            y[i] = h(i, i) != 0.0 ? s / h(i, i) : 0.0;
        }
        std::fill(r.begin(), r.end(), 0.0);
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t t = 0; t < S; ++t) r[t] += y[i] * basis[i][t];
        st.matvecs += M.apply(r, z);
        for (std::size_t t = 0; t < S; ++t) x[t] += z[t];
        // The true residual, not the rotated estimate: it restarts the next cycle and is what we report.
        beta = residual(m, pi, b, x, r, opt.threads);
        ++st.matvecs;
    }
    st.residual = beta;
    st.reached = beta <= target;
    return st;
}

KrylovStats bicgstab(const Model& m, std::span<const double> pi, std::span<const double> b, std::span<double> x,
                     const KrylovOptions& opt) {
    const std::size_t S = m.num_states();
    KrylovStats st;
    std::vector<double> r(S), rhat(S), p(S, 0.0), v(S, 0.0), phat(S), s(S), shat(S), t(S);
    Preconditioner M(m, pi, opt);
    double rn = residual(m, pi, b, x, r, opt.threads);
    ++st.matvecs;
    st.initial_residual = rn;
    const double target = std::max(opt.relative_tolerance * rn, opt.absolute_tolerance);
    rhat = r;
    double rho = 1.0, alpha = 1.0, omega = 1.0;
    while (std::isfinite(rn) && rn > 0.0 && (rn > target || st.iterations < opt.min_iterations) &&
           st.iterations < opt.max_iterations) {
        const double rho_new = dot(rhat, r);
        if (rho_new == 0.0 || omega == 0.0) {  // breakdown: restart from the current residual
            rhat = r;
            std::fill(p.begin(), p.end(), 0.0);
            std::fill(v.begin(), v.end(), 0.0);
            rho = alpha = omega = 1.0;
            if (dot(rhat, r) == 0.0) break;
            continue;
        }
        const double beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for (std::size_t i = 0; i < S; ++i) p[i] = r[i] + beta * (p[i] - omega * v[i]);
        st.matvecs += M.apply(p, phat);
        apply_evaluation_operator(m, pi, phat, v, opt.threads);
        const double rv = dot(rhat, v);
        alpha = rv != 0.0 ? rho / rv : 0.0;
        for (std::size_t i = 0; i < S; ++i) s[i] = r[i] - alpha * v[i];
        ++st.matvecs;
        ++st.iterations;
        if (norm2(s) <= target && st.iterations >= opt.min_iterations) {
            for (std::size_t i = 0; i < S; ++i) x[i] += alpha * phat[i];
            rn = residual(m, pi, b, x, r, opt.threads);
            ++st.matvecs;
            break;
        }
        st.matvecs += 1 + M.apply(s, shat);
        apply_evaluation_operator(m, pi, shat, t, opt.threads);
        const double tt = dot(t, t);
        omega = tt > 0.0 ? dot(t, s) / tt : 0.0;
        for (std::size_t i = 0; i < S; ++i) {
            x[i] += alpha * phat[i] + omega * shat[i];
            r[i] = s[i] - omega * t[i];
        }
        rn = norm2(r);
    }
    // The recurrence's residual drifts from the true one: report (and test against) the true one.
    rn = residual(m, pi, b, x, r, opt.threads);
    ++st.matvecs;
    st.residual = rn;
    st.reached = rn <= target;
    return st;
}

}  // namespace

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
    return opt.method == KrylovMethod::gmres ? gmres(m, pi, b, v, opt) : bicgstab(m, pi, b, v, opt);
}

}  // namespace softmdp
