#pragma once
// Soft Bellman residuals of a Q table (the J(theta) objectives of Soft Q-Learning, section 3.2),
// and the consistency check of a soft policy.
//   V-residual  J_V = sum_s p(s) (T_soft V_Q(s) - V_Q(s))^2,  T_soft V(s) = alpha logsumexp_a Q_V(s,a)/alpha
//   Q-residual  J_Q = sum_s p(s) sum_a mu(a|s) (Q_hat(s,a) - Q(s,a))^2,  Q_hat = r + gamma P V_Q
// with two choices of V_Q from the table:
//   boltzmann:  V_Q(s) = sum_a pi_Q(a|s) Q(s,a)                       (no entropy)
//   soft:       V_Q(s) = sum_a pi_Q(a|s)(Q(s,a) - alpha log pi_Q(a|s)) = alpha logsumexp(Q(s,.)/alpha)
// pi_Q = softmax(Q/alpha). Only the soft choice vanishes at the soft optimum Q*: the Boltzmann one
// leaves out alpha H(pi_Q), so it measures Q* as inconsistent by about alpha H.
#include <span>
#include <string_view>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

enum class SoftValueOfQ { boltzmann, soft };
std::string_view to_string(SoftValueOfQ v);

// V_Q per state from a per-row Q table.
std::vector<double> value_of_q(const Model& m, std::span<const double> q, double alpha, SoftValueOfQ kind);

struct Residuals {
    double v_residual = 0.0;  // J_V
    double q_residual = 0.0;  // J_Q
};

// p: weights over states (empty: the model's p0); mu: per-row behaviour policy (empty: uniform).
Residuals soft_bellman_residuals(const Model& m, std::span<const double> q, double alpha, SoftValueOfQ kind,
                                 std::span<const double> p = {}, std::span<const double> mu = {});

// max over available (s,a) with pi(a|s) > 0 of |alpha log pi(a|s) - (Q(s,a) - V(s))|: zero exactly
// when pi = pi* = exp((Q - V)/alpha) for these V and Q. 0 at alpha = 0 (not defined there).
double policy_residual(const Model& m, std::span<const double> q, std::span<const double> values,
                       std::span<const double> pi, double alpha);
// The same over the rows of one state (q, pi its spans, v its value).
double state_policy_residual(std::span<const double> q, double v, std::span<const double> pi, double alpha) noexcept;

}  // namespace softmdp
