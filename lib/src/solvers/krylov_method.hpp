#pragma once
// The Krylov methods of policy evaluation, GMRES(m) and BiCGSTAB, right-preconditioned, written once
// for the serial solve (krylov.cpp: the whole model) and the distributed one (softmdp-mpi,
// distributed/distributed_policy_iteration.cpp: each rank's block). What differs is the `Space`:
//   n()                  the length of the vectors this process holds (serial: S; a rank: its states)
//   apply(x, y)          y = A x = (I - gamma P_pi) x (a rank fetches its ghosts' x first)
//   precondition(z, y)   y = M^{-1} z, a fixed linear map; returns the passes over P_pi it made
//   sum(partials)        replaces each entry by its sum over all processes (serial: nothing; a rank:
//                        one MPI_Allreduce), so every inner product is global and every process
//                        takes the same decisions
// The algorithms only ever see local vectors and global inner products. Private (lib/src): used by
// lib/src/solvers and lib/src/distributed.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "softmdp/solvers/krylov.hpp"

namespace softmdp::krylov {

template <class S>
concept Space = requires(S& s, std::span<const double> x, std::span<double> y, std::span<double> partials) {
    { s.n() } -> std::convertible_to<std::size_t>;
    s.apply(x, y);
    { s.precondition(x, y) } -> std::convertible_to<std::uint64_t>;
    s.sum(partials);
};

inline double local_dot(std::span<const double> x, std::span<const double> y) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
}

template <Space Sp>
double dot(Sp& sp, std::span<const double> x, std::span<const double> y) {
    double s = local_dot(x, y);
    sp.sum(std::span<double>(&s, 1));
    return s;
}

template <Space Sp>
double norm2(Sp& sp, std::span<const double> x) {
    return std::sqrt(dot(sp, x, x));
}

// r = b - A x; returns ||r||_2.
template <Space Sp>
double residual(Sp& sp, std::span<const double> b, std::span<const double> x, std::span<double> r) {
    sp.apply(x, r);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
    return norm2(sp, r);
}

// GMRES(restart) with modified Gram-Schmidt and Givens rotations; x += M^{-1} V y at each restart.
template <Space Sp>
KrylovStats gmres(Sp& sp, std::span<const double> b, std::span<double> x, const KrylovOptions& opt) {
    const std::size_t S = sp.n();
    const std::size_t restart = std::max<std::uint32_t>(1, opt.restart);
    KrylovStats st;
    std::vector<double> r(S), z(S);
    std::vector<std::vector<double>> basis;  // grown on demand: a solve that stops early allocates little
    std::vector<double> H((restart + 1) * restart, 0.0), cs(restart), sn(restart), g(restart + 1), y(restart);
    const auto h = [&](std::size_t i, std::size_t j) -> double& { return H[j * (restart + 1) + i]; };
    double beta = residual(sp, b, x, r);
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
            st.matvecs += 1 + sp.precondition(basis[j], z);
            sp.apply(z, r);  // r is scratch here: w = A M^{-1} v_j
            for (std::size_t i = 0; i <= j; ++i) {  // modified Gram-Schmidt
                h(i, j) = dot(sp, r, basis[i]);
                for (std::size_t t = 0; t < S; ++t) r[t] -= h(i, j) * basis[i][t];
            }
            h(j + 1, j) = norm2(sp, r);
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
            if ((std::abs(g[j + 1]) <= target && st.iterations >= opt.min_iterations) || next_norm <= 0.0 || !std::isfinite(next_norm) ||
                st.iterations >= opt.max_iterations)
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
        st.matvecs += sp.precondition(r, z);
        for (std::size_t t = 0; t < S; ++t) x[t] += z[t];
        // The true residual, not the rotated estimate: it restarts the next cycle and is what we report.
        beta = residual(sp, b, x, r);
        ++st.matvecs;
    }
    st.residual = beta;
    st.reached = beta <= target;
    return st;
}

// BiCGSTAB (van der Vorst), right-preconditioned; the two inner products of omega share one sum.
template <Space Sp>
KrylovStats bicgstab(Sp& sp, std::span<const double> b, std::span<double> x, const KrylovOptions& opt) {
    const std::size_t S = sp.n();
    KrylovStats st;
    std::vector<double> r(S), rhat(S), p(S, 0.0), v(S, 0.0), phat(S), s(S), shat(S), t(S);
    double rn = residual(sp, b, x, r);
    ++st.matvecs;
    st.initial_residual = rn;
    const double target = std::max(opt.relative_tolerance * rn, opt.absolute_tolerance);
    rhat = r;
    double rho = 1.0, alpha = 1.0, omega = 1.0;
    while (std::isfinite(rn) && rn > 0.0 && (rn > target || st.iterations < opt.min_iterations) && st.iterations < opt.max_iterations) {
        const double rho_new = dot(sp, rhat, r);
        if (rho_new == 0.0 || omega == 0.0) {  // breakdown: restart from the current residual
            rhat = r;
            std::fill(p.begin(), p.end(), 0.0);
            std::fill(v.begin(), v.end(), 0.0);
            rho = alpha = omega = 1.0;
            if (dot(sp, rhat, r) == 0.0) break;
            continue;
        }
        const double beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for (std::size_t i = 0; i < S; ++i) p[i] = r[i] + beta * (p[i] - omega * v[i]);
        st.matvecs += sp.precondition(p, phat);
        sp.apply(phat, v);
        const double rv = dot(sp, rhat, v);
        alpha = rv != 0.0 ? rho / rv : 0.0;
        for (std::size_t i = 0; i < S; ++i) s[i] = r[i] - alpha * v[i];
        ++st.matvecs;
        ++st.iterations;
        if (norm2(sp, s) <= target && st.iterations >= opt.min_iterations) {
            for (std::size_t i = 0; i < S; ++i) x[i] += alpha * phat[i];
            rn = residual(sp, b, x, r);
            ++st.matvecs;
            break;
        }
        st.matvecs += 1 + sp.precondition(s, shat);
        sp.apply(shat, t);
        double tt_ts[2] = {local_dot(t, t), local_dot(t, s)};
        sp.sum(tt_ts);
        omega = tt_ts[0] > 0.0 ? tt_ts[1] / tt_ts[0] : 0.0;
        for (std::size_t i = 0; i < S; ++i) {
            x[i] += alpha * phat[i] + omega * shat[i];
            r[i] = s[i] - omega * t[i];
        }
        rn = norm2(sp, r);
    }
    // The recurrence's residual drifts from the true one: report (and test against) the true one.
    rn = residual(sp, b, x, r);
    ++st.matvecs;
    st.residual = rn;
    st.reached = rn <= target;
    return st;
}

template <Space Sp>
KrylovStats solve(Sp& sp, std::span<const double> b, std::span<double> x, const KrylovOptions& opt) {
    return opt.method == KrylovMethod::gmres ? gmres(sp, b, x, opt) : bicgstab(sp, b, x, opt);
}

// The preconditioner of solve_policy_evaluation (krylov.cpp: Gauss-Seidel sweeps, optionally with the
// aggregation's coarse correction) on a Model, for a Space to use. On a rank's block (owned states,
// then the ghosts as terminal states) with z = 0 on the ghosts it is block Jacobi across ranks
// (no coupling through the ghosts, which stay 0) and Gauss-Seidel inside the rank.
class EvaluationPreconditioner {
public:
    EvaluationPreconditioner(const Model& m, std::span<const double> pi, const KrylovOptions& opt);
    EvaluationPreconditioner(EvaluationPreconditioner&&) noexcept;
    ~EvaluationPreconditioner();
    // y = M^{-1} z (z, y of the model's length); returns the passes over P_pi's transitions it made.
    std::uint64_t apply(std::span<const double> z, std::span<double> y);
    bool two_level() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace softmdp::krylov
