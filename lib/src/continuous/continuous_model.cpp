#include "softmdp/continuous/continuous_model.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "softmdp/core/errors.hpp"
#include "../core/fast_math.hpp"

namespace softmdp {

double ContinuousModel::box_volume() const noexcept {
    double v = 1.0;
    for (std::size_t i = 0; i < dim(); ++i) v *= high[i] - low[i];
    return v;
}

std::size_t ContinuousModel::find_state(const std::string& key) const {
    for (std::size_t s = 0; s < num_states(); ++s)
        if (state_names[s] == key) return s;
    if (!key.empty() && key.size() < 10 && key.find_first_not_of("0123456789") == std::string::npos) {
        const auto i = std::stoul(key);
        if (i < num_states()) return i;
    }
    return num_states();
}

void ContinuousModel::anchor_values(std::size_t s, std::span<const double> V, std::span<double> G) const {
    for (std::size_t k = 0; k < anchors[s].size(); ++k) {
        double acc = 0.0;
        for (const auto& [to, p] : anchors[s][k].next) acc += p * V[to];
        G[k] = anchors[s][k].reward + discount * acc;
    }
}

PackedAnchors ContinuousModel::pack_anchors(std::size_t s) const {
    const auto& an = anchors[s];
    const std::size_t K = an.size(), stride = (K + 7) / 8 * 8;
    PackedAnchors p{K, stride, std::vector<double>(stride * dim(), 1e150)};
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < dim(); ++i) p.at[i * stride + k] = an[k].at[i];
    return p;
}

double ContinuousModel::q_value(std::size_t s, std::span<const double> G, std::span<const double> a,
                                std::span<double> grad) const {
    return q_value(pack_anchors(s), G, a, grad);
}

namespace {
// The softmax weights of the logits u_k = -||a - c_k||^2 / (2 h^2), unnormalised, with the largest
// logit (nearest anchor) factored out: w[k] for k < stride; the padding's weights underflow to 0.
// Inlined into q_value's clones (each compiled for its own instruction set).
[[gnu::always_inline]] inline void unnormalised_weights(const PackedAnchors& p, std::span<const double> a, double bandwidth,
                                                        double* w) {
    const std::size_t stride = p.stride, d = a.size();
    const double inv2h2 = 1.0 / (2.0 * bandwidth * bandwidth);
    // Squared distances ||a - c_k||^2 first.
    std::fill_n(w, stride, 0.0);
    for (std::size_t i = 0; i < d; ++i) {
        const double ai = a[i];
        const double* c = p.at.data() + i * stride;
#pragma omp simd
        for (std::size_t k = 0; k < stride; ++k) w[k] += (ai - c[k]) * (ai - c[k]);
    }
    const double nearest = *std::min_element(w, w + stride);
#pragma omp simd
    for (std::size_t k = 0; k < stride; ++k) w[k] = fast_exp((nearest - w[k]) * inv2h2);
}
}  // namespace

SOFTMDP_SIMD_CLONES
void ContinuousModel::anchor_weights(const PackedAnchors& p, std::span<const double> a, std::span<double> w) const {
    double w_buf[64];
    std::vector<double> w_heap;
    double* u = p.stride <= 64 ? w_buf : (w_heap.resize(p.stride), w_heap.data());
    unnormalised_weights(p, a, bandwidth, u);
    double z = 0.0;
    for (std::size_t k = 0; k < p.count; ++k) z += u[k];
    for (std::size_t k = 0; k < p.count; ++k) w[k] = u[k] / z;
}

SOFTMDP_SIMD_CLONES
double ContinuousModel::q_value(const PackedAnchors& p, std::span<const double> G, std::span<const double> a,
                                std::span<double> grad) const {
    const std::size_t K = p.count, stride = p.stride, d = dim();
    const double inv2h2 = 1.0 / (2.0 * bandwidth * bandwidth);
    double w_buf[64];
    std::vector<double> w_heap;
    double* w = stride <= 64 ? w_buf : (w_heap.resize(stride), w_heap.data());
    unnormalised_weights(p, a, bandwidth, w);
    double z = 0.0, q = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
        z += w[k];
        q += w[k] * G[k];
    }
    q /= z;
    double norm2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) norm2 += a[i] * a[i];
    if (!grad.empty()) {
        // dQ/da = sum_k w_k (G_k - Qbar) du_k/da - 2 c a, du_k/da = -(a - c_k)/h^2.
        for (std::size_t k = 0; k < K; ++k) w[k] = (w[k] / z) * (G[k] - q) * (-2.0 * inv2h2);
        for (std::size_t i = 0; i < d; ++i) {
            const double ai = a[i];
            const double* c = p.at.data() + i * stride;
            double g = 0.0;
#pragma omp simd reduction(+ : g)
            for (std::size_t k = 0; k < stride; ++k) g += w[k] * (ai - c[k]);
            grad[i] = g - 2.0 * action_cost * ai;
        }
    }
    return q - action_cost * norm2;
}

}  // namespace softmdp
