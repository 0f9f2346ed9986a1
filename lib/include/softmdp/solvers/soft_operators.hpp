#pragma once
// Backup operators B: R^|A_s| -> R that turn the Q values of one state's available actions into
// its value, and the policy that goes with them. Value iteration, Q-iteration and the residuals
// are generic over the `Backup` concept. alpha = 0 is exactly the hard max with a greedy policy.
//
// Capabilities an operator may carry (the solvers ask for them, never for the operator's type):
//  - chunk_kernel: the vectorised kernel of the Jacobi sweep that computes B for many states at
//    once (bellman.cpp); none: B is called per state.
//  - improve(q, pi): policy improvement that may keep pi (returns whether it changed pi); without
//    it, pi <- the operator's policy.
//  - regularisation(pi): Omega(pi) with B(q) = max_pi <pi, q> + Omega(pi) and the operator's
//    policy the maximiser (a regularised MDP, Geist et al. 2019): the term policy evaluation adds
//    to the reward, so that policy iteration with B converges to B's fixed point (`Regularised`).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <span>
#include <string_view>

namespace softmdp {

template <class Op>
concept Backup = requires(const Op op, std::span<const double> q, std::span<double> pi) {
    { op.value(q) } -> std::convertible_to<double>;
    op.policy(q, pi);
    { Op::is_contraction } -> std::convertible_to<bool>;
    { op.temperature() } -> std::convertible_to<double>;
};

// An operator that is the convex conjugate of a policy regulariser: policy iteration and policy
// evaluation are generic over these.
template <class Op>
concept Regularised = Backup<Op> && requires(const Op op, std::span<const double> pi) {
    { op.regularisation(pi) } -> std::convertible_to<double>;
};

// The vectorised Jacobi-sweep kernels (bellman.cpp): the max, and alpha logsumexp(./alpha) (which is
// the max at alpha = 0).
enum class ChunkKernel { none, max, logsumexp };
template <class Op>
constexpr ChunkKernel chunk_kernel_of() noexcept {
    if constexpr (requires { Op::chunk_kernel; }) return Op::chunk_kernel;
    else return ChunkKernel::none;
}

// Policy improvement with op at Q values q: op.improve where the operator has one, else pi <- its
// policy. Returns whether pi changed (true when unknown).
template <Backup Op>
bool improve_policy(const Op& op, std::span<const double> q, std::span<double> pi) {
    if constexpr (requires { { op.improve(q, pi) } -> std::convertible_to<bool>; }) {
        return op.improve(q, pi);
    } else {
        op.policy(q, pi);
        return true;
    }
}

// max_a q(a), as selects rather than branches: on Q values in random order a branch mispredicts on
// about every second state. NaN and signed zeros as std::max_element.
inline double max_of(std::span<const double> q) noexcept {
    double m = q[0];
    for (std::size_t i = 1; i < q.size(); ++i) m = q[i] > m ? q[i] : m;
    return m;
}

// Greedy policy: all mass on the first maximiser (deterministic tie-breaking).
inline void greedy_policy(std::span<const double> q, std::span<double> pi) noexcept {
    std::fill(pi.begin(), pi.end(), 0.0);
    pi[static_cast<std::size_t>(std::max_element(q.begin(), q.end()) - q.begin())] = 1.0;
}

// alpha logsumexp(q / alpha), with the max factored out so no term overflows.
inline double soft_max(std::span<const double> q, double alpha) noexcept {
    const double m = max_of(q);
    if (alpha == 0.0 || q.size() == 1) return m;
    double sum = 0.0;
    for (double x : q) sum += std::exp((x - m) / alpha);
    return m + alpha * std::log(sum);
}

// softmax(q / alpha) = exp((q - alpha logsumexp(q/alpha)) / alpha); greedy at alpha = 0.
inline void softmax_policy(std::span<const double> q, double alpha, std::span<double> pi) noexcept {
    if (alpha == 0.0) return greedy_policy(q, pi);
    const double m = max_of(q);
    double sum = 0.0;
    for (std::size_t i = 0; i < q.size(); ++i) sum += (pi[i] = std::exp((q[i] - m) / alpha));
    for (double& p : pi) p /= sum;
}

// Shannon entropy H(pi) = -sum pi log pi (natural log), 0 log 0 = 0.
inline double entropy(std::span<const double> pi) noexcept {
    double h = 0.0;
    for (double p : pi)
        if (p > 0.0) h -= p * std::log(p);
    return h;
}

// B(q) = max_a q(a) = max_pi <pi, q> (Omega = 0); policy greedy (first maximiser).
struct HardMax {
    static constexpr bool is_contraction = true;
    static constexpr std::string_view name = "max";
    static constexpr ChunkKernel chunk_kernel = ChunkKernel::max;
    double temperature() const noexcept { return 0.0; }
    double value(std::span<const double> q) const noexcept { return max_of(q); }
    void policy(std::span<const double> q, std::span<double> pi) const noexcept { greedy_policy(q, pi); }
    double regularisation(std::span<const double>) const noexcept { return 0.0; }
    // Greedy improvement that keeps the current action while it is still a maximiser (policy
    // iteration then cannot cycle between tied actions); returns whether pi changed.
    bool improve(std::span<const double> q, std::span<double> pi) const noexcept {
        const double best = max_of(q);
        for (std::size_t i = 0; i < q.size(); ++i)
            if (pi[i] == 1.0 && q[i] >= best) return false;
        greedy_policy(q, pi);
        return true;
    }
};

// B(q) = alpha log sum_a exp(q(a)/alpha) = max_pi <pi, q> + alpha H(pi), H the Shannon entropy;
// policy softmax(q/alpha). The soft Bellman backup; the max at alpha = 0.
struct LogSumExp {
    static constexpr bool is_contraction = true;
    static constexpr std::string_view name = "logsumexp";
    static constexpr ChunkKernel chunk_kernel = ChunkKernel::logsumexp;
    double alpha = 1.0;
    double temperature() const noexcept { return alpha; }
    double value(std::span<const double> q) const noexcept { return soft_max(q, alpha); }
    void policy(std::span<const double> q, std::span<double> pi) const noexcept { softmax_policy(q, alpha, pi); }
    double regularisation(std::span<const double> pi) const noexcept;
};

// Mellowmax (Asadi & Littman 2017): B(q) = alpha log( (1/n) sum_a exp(q(a)/alpha) ), a
// gamma-contraction. Its policy is the maximum-entropy Boltzmann policy softmax(beta q) whose
// expected advantage sum_a pi(a)(q(a) - B(q)) is 0, with beta found by bisection.
struct Mellowmax {
    static constexpr bool is_contraction = true;
    static constexpr std::string_view name = "mellowmax";
    double alpha = 1.0;
    double temperature() const noexcept { return alpha; }
    // m + alpha log mean_a exp((q_a - m)/alpha), m = max q, through expm1 and log1p: the form
    // soft_max(q) - alpha log n cancels catastrophically for large alpha (at 1e308 both terms are
    // about 7e307 and their difference came out 0, with a certified bound of 2e-14).
    double value(std::span<const double> q) const noexcept {
        if (alpha == 0.0 || q.size() == 1) return max_of(q);
        const double m = max_of(q);
        double s = 0.0;
        for (double x : q) s += std::expm1((x - m) / alpha);
        return m + alpha * std::log1p(s / static_cast<double>(q.size()));
    }
    void policy(std::span<const double> q, std::span<double> pi) const noexcept;
};

// Boltzmann-weighted average B(q) = sum_a softmax(q/alpha)(a) q(a). Not a contraction: value
// iteration with it may oscillate or have several fixed points, so no error bound is claimed.
struct Boltzmann {
    static constexpr bool is_contraction = false;
    static constexpr std::string_view name = "boltzmann";
    double alpha = 1.0;
    double temperature() const noexcept { return alpha; }
    double value(std::span<const double> q) const noexcept {
        if (alpha == 0.0 || q.size() == 1) return max_of(q);
        const double m = max_of(q);
        double num = 0.0, den = 0.0;
        for (double x : q) {
            const double w = std::exp((x - m) / alpha);
            num += w * (x - m);
            den += w;
        }
        return m + num / den;
    }
    void policy(std::span<const double> q, std::span<double> pi) const noexcept { softmax_policy(q, alpha, pi); }
};

inline double LogSumExp::regularisation(std::span<const double> pi) const noexcept { return alpha * entropy(pi); }

inline void Mellowmax::policy(std::span<const double> q, std::span<double> pi) const noexcept {
    const double mm = value(q);
    const double m = max_of(q);
    if (alpha == 0.0 || m - *std::min_element(q.begin(), q.end()) <= 1e-12 * std::max(1.0, std::abs(m)))
        return alpha == 0.0 ? greedy_policy(q, pi) : std::fill(pi.begin(), pi.end(), 1.0 / static_cast<double>(q.size()));
    // f(beta) = sum_a exp(beta (q_a - mm)) (q_a - mm) is increasing in beta, f(0) <= 0.
    const auto f = [&](double beta) {
        double s = 0.0;
        for (double x : q) s += std::exp(beta * (x - m)) * (x - mm);
        return s;
    };
    double lo = 0.0, hi = 1.0 / std::max(alpha, 1e-300);
    for (int i = 0; i < 200 && f(hi) < 0.0; ++i) hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (f(mid) < 0.0 ? lo : hi) = mid;
    }
    softmax_policy(q, 1.0 / hi, pi);
}

}  // namespace softmdp
