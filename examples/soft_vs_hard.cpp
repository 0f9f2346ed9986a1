// Builds a model in code, solves it hard and soft at two temperatures and checks what the theory
// says about the difference (docs/soft.md):
//   0 <= V_alpha(s) - V*(s) <= alpha * max_s log|A_s| / (1 - gamma)     (the soft-hard gap bound)
//   V_alpha is non-decreasing in alpha                                   (entropy is >= 0)
//   0 <= H(pi_alpha(.|s)) <= log|A_s|
// each up to the solutions' certified error bounds. Prints the values, the policies' entropies and
// the gaps; exits 1 if a check fails.
//   usage: soft_vs_hard [MODEL]   (without MODEL: the two-state chain of mdps/README.md, built below)
#include <softmdp/softmdp.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

using softmdp::Ref;

// mdps/chain2.json in code: in A `stay` pays 1, in B 2; `move` pays 0 and switches; gamma = 0.9.
// By hand (mdps/README.md): V*(A) = 18 (move), V*(B) = 20 (stay).
softmdp::Model chain2() {
    softmdp::ModelBuilder b("chain2 (built in code)");
    b.set_name("chain2");
    b.set_discount(0.9);
    b.set_state_names({"A", "B"});
    b.set_action_names({"stay", "move"});
    b.add(Ref::named("A"), Ref::named("stay"), 1.0, {{Ref::named("A"), 1.0}});
    b.add(Ref::named("A"), Ref::named("move"), 0.0, {{Ref::named("B"), 1.0}});
    b.add(Ref::named("B"), Ref::named("stay"), 2.0, {{Ref::named("B"), 1.0}});
    b.add(Ref::named("B"), Ref::named("move"), 0.0, {{Ref::named("A"), 1.0}});
    return b.build();
}

// H(pi(.|s)) per state from a per-row policy (rows in the model's CSR order).
std::vector<double> entropies(const softmdp::Model& m, const std::vector<double>& policy) {
    std::vector<double> h(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (auto row = m.row_first(s); row < m.row_last(s); ++row)
            if (policy[row] > 0.0) h[s] -= policy[row] * std::log(policy[row]);
    return h;
}

softmdp::Solution solve_certified(const softmdp::Model& m, const char* method, double alpha) {
    softmdp::SolverOptions opt;
    opt.tolerance = 1e-9;
    softmdp::Solution s = softmdp::solve(m, method, alpha, opt);
    if (!s.converged || !s.error_bound)
        throw std::runtime_error(std::string(method) + " did not converge: " + s.reason);
    return s;
}

int failures = 0;
void check(bool ok, const std::string& what) {
    if (!ok) {
        std::printf("FAILED: %s\n", what.c_str());
        ++failures;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::fprintf(stderr, "usage: %s [MODEL]\n", argv[0]);
        return 2;
    }
    try {
        const softmdp::Model m = argc == 2 ? softmdp::load_model(argv[1]) : chain2();
        const double gamma = m.discount();
        double log_actions = 0.0;  // max_s log|A_s|
        for (std::size_t s = 0; s < m.num_states(); ++s)
            log_actions = std::max(log_actions, std::log(static_cast<double>(std::max<std::size_t>(1, m.num_available(s)))));

        const softmdp::Solution hard = solve_certified(m, "pi", 0.0);
        const double alphas[2] = {0.01, 0.5};
        std::vector<softmdp::Solution> soft;
        for (double alpha : alphas) soft.push_back(solve_certified(m, "soft-pi", alpha));

        std::printf("%s: %zu states, gamma %g, softmdp %s\n", m.name().c_str(), m.num_states(), gamma,
                    softmdp::version_string);
        std::printf("%-12s %14s %14s %14s %10s %10s\n", "state", "V* (hard)", "V (a=0.01)", "V (a=0.5)", "H (a=0.01)",
                    "H (a=0.5)");
        std::vector<std::vector<double>> h;
        for (const auto& s : soft) h.push_back(entropies(m, s.policy));
        for (std::size_t s = 0; s < m.num_states(); ++s)
            std::printf("%-12s %14.8f %14.8f %14.8f %10.6f %10.6f\n", m.state_name(s).c_str(), hard.values[s],
                        soft[0].values[s], soft[1].values[s], h[0][s], h[1][s]);

        for (std::size_t k = 0; k < 2; ++k) {
            const double alpha = alphas[k];
            const double bound = alpha * log_actions / (1.0 - gamma);
            const double slack = *hard.error_bound + *soft[k].error_bound;
            double gap_max = 0.0, gap_min = 0.0;
            for (std::size_t s = 0; s < m.num_states(); ++s) {
                const double gap = soft[k].values[s] - hard.values[s];
                gap_max = s == 0 ? gap : std::max(gap_max, gap);
                gap_min = s == 0 ? gap : std::min(gap_min, gap);
                const double log_a = std::log(static_cast<double>(std::max<std::size_t>(1, m.num_available(s))));
                check(h[k][s] >= -1e-12 && h[k][s] <= log_a + 1e-12,
                      "entropy of state " + m.state_name(s) + " outside [0, log|A_s|]");
            }
            std::printf("alpha %-5g soft-hard gap in [%.6g, %.6g], bound alpha log|A| / (1 - gamma) = %.6g\n", alpha,
                        gap_min, gap_max, bound);
            check(gap_min >= -slack, "soft value below the hard one");
            check(gap_max <= bound + slack, "soft-hard gap above alpha log|A| / (1 - gamma)");
        }
        const double slack = *soft[0].error_bound + *soft[1].error_bound;
        for (std::size_t s = 0; s < m.num_states(); ++s)
            check(soft[1].values[s] >= soft[0].values[s] - slack, "V_alpha decreased with alpha at " + m.state_name(s));

        std::printf("%s\n", failures == 0 ? "all checks hold" : "checks FAILED");
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
