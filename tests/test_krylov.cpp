// Matrix-free Krylov evaluation and inexact policy iteration (ipi, soft-ipi) against references
// written here: dense Gaussian elimination of (I - gamma P_pi) v = r_pi, and hard and soft policy
// iteration built on it (an implementation independent of the library's solvers).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "softmdp/solvers/aggregation.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/io/generators.hpp"
#include "softmdp/solvers/krylov.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/policy_iteration.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

template <class Fn>
Model generate_model(Fn fn) {
    return parse_model(test::written(fn), {}, "generated");
}

// Dense (I - gamma P_pi) v = r_pi + alpha H(pi) by Gaussian elimination with partial pivoting.
std::vector<double> dense_evaluate(const Model& m, const std::vector<double>& pi, double alpha) {
    const ModelData& d = m.data();
    const std::size_t S = m.num_states();
    std::vector<double> A(S * S, 0.0), b(S, 0.0);
    for (std::size_t s = 0; s < S; ++s) {
        A[s * S + s] = 1.0;
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
            if (pi[r] <= 0.0) continue;
            b[s] += pi[r] * (d.row_reward[r] - alpha * std::log(pi[r]));
            for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t)
                A[s * S + d.transitions[t].next] -= d.discount * pi[r] * d.transitions[t].prob();
        }
    }
    return test::dense_solve(std::move(A), std::move(b));
}

// Policy iteration on dense evaluations: hard (greedy, keep the current action on ties) until stable,
// soft (softmax(Q/alpha)) until the values stop moving (Newton's method: quadratic).
std::vector<double> reference_soft_values(const Model& m, double alpha) {
    const ModelData& d = m.data();
    std::vector<double> pi(m.num_rows(), 0.0), v;
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (d.state_begin[s] != d.state_begin[s + 1]) pi[d.state_begin[s]] = 1.0;
    for (int it = 0; it < 200; ++it) {
        const auto nv = dense_evaluate(m, pi, alpha);
        double change = 0.0;
        for (std::size_t s = 0; s < nv.size() && !v.empty(); ++s) change = std::max(change, std::abs(nv[s] - v[s]));
        v = nv;
        bool changed = false;
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
            if (b == e) continue;
            std::vector<double> q;
            for (Offset r = b; r < e; ++r) {
                double x = d.row_reward[r];
                for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) x += d.discount * d.transitions[t].prob() * v[d.transitions[t].next];
                q.push_back(x);
            }
            const double best = *std::max_element(q.begin(), q.end());
            if (alpha == 0.0) {
                std::size_t cur = 0;
                while (pi[b + cur] != 1.0) ++cur;
                if (q[cur] >= best - 1e-12 * std::abs(best)) continue;
                for (Offset r = b; r < e; ++r) pi[r] = q[r - b] == best ? 1.0 : 0.0;
                for (Offset r = b, seen = 0; r < e; ++r) {  // one maximiser only
                    if (pi[r] == 1.0 && seen++) pi[r] = 0.0;
                }
                changed = true;
            } else {
                double z = 0.0;
                for (double x : q) z += std::exp((x - best) / alpha);
                for (Offset r = b; r < e; ++r) pi[r] = std::exp((q[r - b] - best) / alpha) / z;
            }
        }
        if (alpha == 0.0 ? !changed : (it > 0 && change <= 1e-12 * (1.0 + max_abs(v)))) break;
    }
    return v;
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
    double x = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) x = std::max(x, std::abs(a[i] - b[i]));
    return x;
}

}  // namespace

TEST_CASE("matrix-free GMRES and BiCGSTAB solve a policy evaluation that dense elimination also solves") {
    const Model m = generate_model([](JsonWriter& w) { write_gridworld(w, {7, 6, 0.3, 0.999}); });
    std::vector<double> pi(m.num_rows(), 0.0);
    const ModelData& d = m.data();
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
        for (Offset r = b; r < e; ++r) pi[r] = (r - b == 1 ? 0.4 : 0.6 / static_cast<double>(e - b - 1));  // stochastic
    }
    const auto bonus = entropy_bonus(m, pi, 0.7);
    const auto ref = dense_evaluate(m, pi, 0.7);
    const Aggregation agg = aggregate_states(m, 5);
    for (const auto method : {KrylovMethod::gmres, KrylovMethod::bicgstab})
    for (const bool two_level : {false, true}) {
        for (const std::uint32_t sweeps : {0u, 1u, 2u}) {
            CAPTURE(static_cast<int>(method));
            CAPTURE(sweeps);
            CAPTURE(two_level);
            KrylovOptions ko;
            ko.method = method;
            ko.preconditioner_sweeps = sweeps;
            ko.aggregation = two_level ? &agg : nullptr;
            ko.relative_tolerance = 1e-13;
            std::vector<double> v(m.num_states(), 0.0);
            const auto st = solve_policy_evaluation(m, pi, policy_rhs(m, pi, bonus), v, ko);
            CHECK(st.reached);
            CHECK(st.iterations > 0);
            CHECK(distance(v, ref) <= 1e-7 * max_abs(ref));
        }
    }
}

TEST_CASE("ipi and soft-ipi: |V - V*| <= the printed bound on slow-mixing gridworlds (dense reference)") {
    for (const double gamma : {0.999, 0.9999}) {
        for (const double slip : {0.0, 0.1, 0.3}) {
            const Model m = generate_model([&](JsonWriter& w) { write_gridworld(w, {6, 5, slip, gamma}); });
            for (const double alpha : {0.0, 0.5}) {
                const auto ref = reference_soft_values(m, alpha);
                for (const auto krylov : {KrylovMethod::gmres, KrylovMethod::bicgstab})
                for (const std::uint32_t aggregate : {0u, 4u}) {  // Gauss-Seidel only; two-level
                    CAPTURE(gamma);
                    CAPTURE(slip);
                    CAPTURE(alpha);
                    CAPTURE(static_cast<int>(krylov));
                    CAPTURE(aggregate);
                    SolverOptions opt;
                    opt.tolerance = 1e-6;
                    opt.krylov = krylov;
                    opt.aggregate_size = aggregate;
                    // solve() adds the exact finish on models this small; the solver alone is
                    // checked too, so the bound tested is the inexact iteration's own.
                    for (const auto& sol : {solve(m, alpha == 0.0 ? "ipi" : "soft-ipi", alpha, opt), inexact_policy_iteration(m, alpha, opt)}) {
                        REQUIRE(sol.converged);
                        REQUIRE(sol.error_bound);
                        CHECK(*sol.error_bound <= 1e-6);
                        CHECK(distance(sol.values, ref) <= *sol.error_bound);
                        CHECK(sol.matvecs > 0);
                        CHECK(sol.inner_iterations > 0);
                    }
                }
            }
        }
    }
}

TEST_CASE("ipi on a chain at gamma 0.9999: the closed form V*(s) = gamma^(N-1-s) / (1 - gamma) within the bound") {
    const std::size_t N = 200;
    const Model m = generate_model([&](JsonWriter& w) { write_chain(w, {N, 0.9999}); });
    SolverOptions opt;
    opt.tolerance = 1e-6;
    const auto sol = solve(m, "ipi", 0.0, opt);
    REQUIRE(sol.converged);
    for (std::size_t s = 0; s < N; ++s)
        CHECK(std::abs(sol.values[s] - std::pow(0.9999, static_cast<double>(N - 1 - s)) / 1e-4) <= *sol.error_bound);
}

TEST_CASE("forcing sequence: inexact evaluations take fewer matrix-vector products than exact ones to the same bound") {
    const Model m = generate_model([](JsonWriter& w) { write_gridworld(w, {20, 20, 0.2, 0.999}); });
    for (const double alpha : {0.0, 1.0}) {
        CAPTURE(alpha);
        SolverOptions opt;
        opt.tolerance = 1e-6;
        const auto inexact = solve(m, alpha == 0.0 ? "ipi" : "soft-ipi", alpha, opt);
        opt.forcing = false;
        const auto exact = solve(m, alpha == 0.0 ? "ipi" : "soft-ipi", alpha, opt);
        REQUIRE(inexact.converged);
        REQUIRE(exact.converged);
        CHECK(*inexact.error_bound <= 1e-6);
        CHECK(inexact.matvecs < exact.matvecs);
        MESSAGE("alpha ", alpha, ": matvecs inexact ", inexact.matvecs, " exact ", exact.matvecs, ", outer ", inexact.iterations,
                " vs ", exact.iterations);
    }
}

TEST_CASE("default soft method above the sparse-LU limit: soft-ipi on local models, soft-vi on random ones") {
    const Model grid = generate_model([](JsonWriter& w) { write_gridworld(w, {80, 80, 0.2, 0.9999}); });  // 6400 states, b = 80
    CHECK(!use_sparse_lu(grid));
    CHECK(default_method(grid, 1.0) == "soft-ipi");
    CHECK(default_method(grid, 0.0) == "vi");
    const Model random = generate_model([](JsonWriter& w) { write_garnet(w, {6000, 2, 3, 1, 0.99}); });
    CHECK(default_method(random, 1.0) == "soft-vi");
    CHECK(default_method(random, 0.0) == "vi");
    const Model small = generate_model([](JsonWriter& w) { write_garnet(w, {500, 2, 3, 1, 0.99}); });
    CHECK(default_method(small, 1.0) == "soft-pi");  // sparse LU applies
}

TEST_CASE("aggregate_states: a partition into connected aggregates of at most the size asked") {
    const Model chain = generate_model([](JsonWriter& w) { write_chain(w, {100, 0.9}); });
    const Aggregation a = aggregate_states(chain, 8);
    // A chain from state 0: segments [0, 8), [8, 16), ...; the last 4 states (96..99) are a leftover
    // of 4 >= 8 / 4, so they stay an aggregate of their own.
    REQUIRE(a.count() == 13);
    for (std::size_t s = 0; s < 100; ++s) CHECK(a.of[s] == s / 8);
    const Model grid = generate_model([](JsonWriter& w) { write_gridworld(w, {17, 13, 0.2, 0.99}); });
    const Aggregation g = aggregate_states(grid, 9);
    std::vector<int> seen(grid.num_states(), 0);
    for (std::size_t i = 0; i < g.count(); ++i) {
        CHECK(g.begin[i + 1] > g.begin[i]);
        for (auto k = g.begin[i]; k < g.begin[i + 1]; ++k) {
            ++seen[g.members[k]];
            CHECK(g.of[g.members[k]] == i);
        }
    }
    for (std::size_t s = 0; s < grid.num_states(); ++s) CHECK(seen[s] == 1);
    CHECK(g.count() < grid.num_states() / 4);  // aggregates of several states, not singletons
}

TEST_CASE("two-level preconditioner: fewer matrix-vector products than Gauss-Seidel alone on a slow chain") {
    // A random walk (left and right with probability 1/2) on a 2000-state chain at gamma 0.9999:
    // its slowest error mode decays at the walk's mixing rate, about 1 - 1/N^2 per Gauss-Seidel
    // sweep, where the coarse correction (aggregates of 16: a 125-state coarse chain) removes it.
    const std::size_t N = 2000;
    const Model m = generate_model([&](JsonWriter& w) { write_chain(w, {N, 0.9999}); });
    const std::vector<double> pi(m.num_rows(), 0.5);
    const std::vector<double> bonus(N, 0.0);
    const auto b = policy_rhs(m, pi, bonus);
    const Aggregation agg = aggregate_states(m, 16);
    KrylovStats st[2];
    for (const bool two_level : {false, true}) {
        CAPTURE(two_level);
        KrylovOptions ko;
        ko.relative_tolerance = 1e-10;
        ko.max_iterations = 5000;
        ko.aggregation = two_level ? &agg : nullptr;
        std::vector<double> v(N, 0.0);
        st[two_level] = solve_policy_evaluation(m, pi, b, v, ko);
        CHECK(st[two_level].reached);
        // The exact solution: v = (I - gamma P) \ b solved densely would be 2000^2; the tridiagonal
        // system is solved here by the Thomas algorithm instead (an independent solver).
        std::vector<double> lo(N), di(N), up(N), rhs(b.begin(), b.end()), x(N);
        for (std::size_t s = 0; s < N; ++s) {
            di[s] = 1.0;
            lo[s] = up[s] = 0.0;
            const std::size_t l = s == 0 ? 0 : s - 1, r = s + 1 == N ? s : s + 1;
            if (l == s) di[s] -= 0.5 * 0.9999; else lo[s] = -0.5 * 0.9999;
            if (r == s) di[s] -= 0.5 * 0.9999; else up[s] = -0.5 * 0.9999;
        }
        for (std::size_t s = 1; s < N; ++s) {
            const double f = lo[s] / di[s - 1];
            di[s] -= f * up[s - 1];
            rhs[s] -= f * rhs[s - 1];
        }
        x[N - 1] = rhs[N - 1] / di[N - 1];
        for (std::size_t s = N - 1; s-- > 0;) x[s] = (rhs[s] - up[s] * x[s + 1]) / di[s];
        CHECK(distance(v, x) <= 1e-6 * max_abs(x));
    }
    MESSAGE("matvecs: Gauss-Seidel ", st[0].matvecs, ", two-level ", st[1].matvecs);
    CHECK(st[1].matvecs * 4 < st[0].matvecs);
}

namespace {

// V* of the generated chain (write_chain: "left" to max(s - 1, 0), "right" to min(s + 1, N - 1),
// reward 1 for "right" in the last state) at temperature alpha, by soft policy iteration written
// here: each evaluation V(s) = pi_L(s) gamma V(L) + pi_R(s) (r_R(s) + gamma V(R)) + alpha H(pi(s))
// is a tridiagonal system solved by the Thomas algorithm, then pi = softmax(Q / alpha); until V
// stops changing (Newton's method: quadratic at the end).
std::vector<double> chain_soft_values(std::size_t N, double gamma, double alpha) {
    std::vector<double> V(N, 0.0), pl(N, 0.5), lo(N), di(N), up(N), rhs(N);
    for (int k = 0; k < 200; ++k) {
        for (std::size_t s = 0; s < N; ++s) {
            const double pr = 1.0 - pl[s];
            const double h = -(pl[s] > 0.0 ? pl[s] * std::log(pl[s]) : 0.0) - (pr > 0.0 ? pr * std::log(pr) : 0.0);
            di[s] = 1.0;
            lo[s] = up[s] = 0.0;
            rhs[s] = pr * (s + 1 == N ? 1.0 : 0.0) + alpha * h;
            if (s == 0) di[s] -= gamma * pl[s]; else lo[s] = -gamma * pl[s];
            if (s + 1 == N) di[s] -= gamma * pr; else up[s] = -gamma * pr;
        }
        for (std::size_t s = 1; s < N; ++s) {
            const double f = lo[s] / di[s - 1];
            di[s] -= f * up[s - 1];
            rhs[s] -= f * rhs[s - 1];
        }
        std::vector<double> x(N);
        x[N - 1] = rhs[N - 1] / di[N - 1];
        for (std::size_t s = N - 1; s-- > 0;) x[s] = (rhs[s] - up[s] * x[s + 1]) / di[s];
        double change = 0.0;
        for (std::size_t s = 0; s < N; ++s) change = std::max(change, std::abs(x[s] - V[s]));
        V.swap(x);
        for (std::size_t s = 0; s < N; ++s) {
            const double ql = gamma * V[s == 0 ? 0 : s - 1], qr = (s + 1 == N ? 1.0 : 0.0) + gamma * V[s + 1 == N ? s : s + 1];
            pl[s] = 1.0 / (1.0 + std::exp((qr - ql) / alpha));
        }
        if (change <= 1e-12 * std::max(1.0, max_abs(V))) break;
    }
    return V;
}

}  // namespace

TEST_CASE("soft-pi above the sparse-LU limit on a chain: band elimination, the default, |V - V*| <= the bound") {
    // 6000 states (beyond kSparseLuLimit): b = 1, so the exact evaluations are band eliminations of
    // 4 S multiply-adds, and soft-pi is the default soft method there.
    const std::size_t N = 6000;
    const double gamma = 0.999;
    const Model m = generate_model([&](JsonWriter& w) { write_chain(w, {N, gamma}); });
    CHECK(!use_sparse_lu(m));
    CHECK(use_band_lu(m));
    CHECK(default_method(m, 1.0) == "soft-pi");
    const std::vector<double> ref = chain_soft_values(N, gamma, 1.0);
    SolverOptions opt;
    opt.tolerance = 1e-6;
    opt.keep_rows = false;
    const auto sol = solve(m, "soft-pi", 1.0, opt);
    REQUIRE(sol.converged);
    REQUIRE(sol.error_bound);
    CHECK(*sol.error_bound <= 1e-6);
    CHECK(distance(sol.values, ref) <= *sol.error_bound);
    MESSAGE("soft-pi chain ", N, ": ", sol.iterations, " improvements, bound ", *sol.error_bound, ", |V - V*| ", distance(sol.values, ref));
}

TEST_CASE("stall rule end to end: soft-pi on a randomly numbered slow chain exits 4 with its result and the advice") {
    // The chain of 3000 states at gamma 0.99999 with its states numbered at random: the bandwidth is
    // about S, so neither band elimination nor sparse LU applies, and soft-pi's exact evaluations
    // are BiCGSTAB solves (1000 iterations at most) that do not converge on this slow walk: the
    // certified bound rises (to 1e8-1e9) and never falls back below its lowest, and after 20 such
    // improvements the run stops as stalled (measured on four numberings: about 0.3 s of CPU each).
    // At gamma 0.9999 whether it stalls depends on the rounding of the numbering (one converged).
    // A real solve, not a constructed operator.
    const std::size_t N = 3000;
    const double gamma = 0.99999;
    std::vector<std::size_t> at(N);  // chain position i is state at[i]
    for (std::size_t i = 0; i < N; ++i) at[i] = i;
    std::uint64_t x = 12345;
    for (std::size_t i = N; i-- > 1;) {  // Fisher-Yates with a fixed LCG: the same file every run
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        std::swap(at[i], at[(x >> 33) % (i + 1)]);
    }
    std::string text = "{\"format\": \"softmdp/1\", \"discount\": 0.99999, \"states\": " + std::to_string(N) +
                       ", \"actions\": [\"left\", \"right\"], \"initial\": {\"" + std::to_string(at[0]) + "\": 1}, \"transitions\": [";
    for (std::size_t i = 0; i < N; ++i) {
        text += (i ? ", " : "") + std::string("{\"s\": ") + std::to_string(at[i]) + ", \"a\": \"left\", \"next\": [[" +
                std::to_string(at[i == 0 ? 0 : i - 1]) + ", 1]]}";
        text += ", {\"s\": " + std::to_string(at[i]) + ", \"a\": \"right\"" + (i + 1 == N ? ", \"r\": 1" : "") + ", \"next\": [[" +
                std::to_string(at[i + 1 == N ? i : i + 1]) + ", 1]]}";
    }
    text += "]}";
    const auto dir = test::temp_dir("stall");
    test::write_file(dir / "chain.json", text);
    const std::string out = (dir / "r.json").string();
    const auto r = test::run_cli("solve " + (dir / "chain.json").string() + " --alpha 1 --method soft-pi --tolerance 1e-6 --threads 1 --quiet --json " + out);
    CHECK(r.code == 4);
    CHECK(r.err.find("no progress") != std::string::npos);
    CHECK(r.err.find("try --method soft-ipi") != std::string::npos);
    const auto j = nlohmann::json::parse(test::read_file(out));
    CHECK(j["format"] == "softmdp-result/1");
    CHECK(j["converged"] == false);
    CHECK(j["stop"] == "stalled");
    CHECK(j["iterations"].get<int>() >= 21);  // 20 improvements without a new lowest bound
    CHECK(j["reason"].get<std::string>().find("try --method soft-ipi") != std::string::npos);
    // What is written is still certified: |V - V*| <= its bound (a loose one), V* by the reference.
    const std::vector<double> ref = chain_soft_values(N, gamma, 1.0);
    REQUIRE(j["error_bound"].is_number());
    const double bound = j["error_bound"].get<double>();
    double err = 0.0;
    for (std::size_t i = 0; i < N; ++i) err = std::max(err, std::abs(j["values"][at[i]].get<double>() - ref[i]));
    CHECK(err <= bound);
    MESSAGE("stalled after ", j["iterations"].get<int>(), " improvements: bound ", bound, ", bound - |V - V*| ", bound - err);
}
