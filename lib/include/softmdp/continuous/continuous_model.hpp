#pragma once
// Finite states, a box of actions (the continuous-action variant of softmdp/1, docs/continuous.md).
// For state s with anchors k (location c_k, reward r_k, successor distribution P_k):
//   w_k(a) = softmax_k(-||a - c_k||^2 / (2 h^2)),  h = bandwidth
//   Q_V(s,a) = sum_k w_k(a) (r_k + gamma sum_s' P_k(s') V(s')) - action_cost ||a||^2
// A state with no anchors is terminal (V = 0). Files are read by io/continuous_reader.hpp.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace softmdp {

struct Anchor {
    std::vector<double> at;                              // c_k, dimension d
    double reward = 0.0;                                 // r_k
    std::vector<std::pair<std::uint32_t, double>> next;  // P_k
};

// One state's anchor locations by coordinate, at[i * stride + k] = c_k[i]: the loops of q_value over
// the anchors then run with unit stride and vectorise. The stride is a multiple of 8 (whole vector
// registers, no remainder loops); the padding anchors lie so far away that their weight is 0.
// For evaluating Q_V(s, .) many times.
struct PackedAnchors {
    std::size_t count = 0, stride = 0;
    std::vector<double> at;  // d x stride
};

class ContinuousModel {
public:
    std::string name;
    double discount = 0.0;
    std::vector<std::string> state_names;  // always filled (indices as text when counts are given)
    std::vector<double> initial;           // p0
    std::vector<double> low, high;         // the action box
    double bandwidth = 1.0;
    double action_cost = 0.0;
    std::vector<std::vector<Anchor>> anchors;  // per state

    std::size_t num_states() const noexcept { return state_names.size(); }
    std::size_t dim() const noexcept { return low.size(); }
    bool is_terminal(std::size_t s) const noexcept { return anchors[s].empty(); }
    double box_volume() const noexcept;
    std::size_t find_state(const std::string& name_or_index) const;  // num_states() if unknown

    // G_k = r_k + gamma sum_s' P_k(s') V(s') for every anchor of s.
    void anchor_values(std::size_t s, std::span<const double> V, std::span<double> G) const;
    PackedAnchors pack_anchors(std::size_t s) const;
    // Q_V(s, a) from the anchor values G of s; fills grad (dQ/da) when it is not empty.
    double q_value(std::size_t s, std::span<const double> G, std::span<const double> a, std::span<double> grad = {}) const;
    // The same with the anchors of s packed by pack_anchors(s): no allocation up to 64 anchors.
    double q_value(const PackedAnchors& p, std::span<const double> G, std::span<const double> a,
                   std::span<double> grad = {}) const;
    // The anchor weights w_k(a) of the state whose anchors p packs (w has p.count entries).
    void anchor_weights(const PackedAnchors& p, std::span<const double> a, std::span<double> w) const;
};

}  // namespace softmdp
