#pragma once
// The immutable finite MDP: one CSR layout shared by every solver.
//
// State s owns the rows [state_begin[s], state_begin[s+1]); row k is the available pair
// (s, row_action[k]) with expected reward row_reward[k] = r(s,a) = sum_s' p(s'|s,a) r(s,a,s').
// Its successors are transitions[row_begin[k] .. row_begin[k+1]).
// A state with no rows is terminal (absorbing, value 0, no entropy).
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace softmdp {

using StateId = std::uint32_t;   // 32-bit successor indices keep the hot arrays small
using ActionId = std::uint32_t;
using Offset = std::uint64_t;    // offsets into rows and transitions

// One successor of a row: s' and p(s'|s,a) in 12 bytes. A sweep is bound by memory bandwidth and
// streams this array once; one stream beats two separate arrays (index, probability) by about 25% on
// a 10^6-state Garnet (bench/RESULTS.md), and an aligned 16-byte pair would read a third more memory.
// The probability is kept as raw bytes behind prob()/set_prob() (one unaligned load): a double
// member would be padded to 8-byte alignment, and a packed one would make every reference to it
// misaligned (undefined behaviour, caught by UBSan in fmt::print and doctest's CHECK).
struct Transition {
    StateId next = 0;
    Transition() = default;
    Transition(StateId s, double p) noexcept : next(s) { set_prob(p); }
    double prob() const noexcept {
        double p;
        std::memcpy(&p, prob_, sizeof p);
        return p;
    }
    void set_prob(double p) noexcept { std::memcpy(prob_, &p, sizeof p); }
    friend bool operator==(const Transition&, const Transition&) = default;  // bitwise on p

private:
    unsigned char prob_[sizeof(double)] = {};
};
static_assert(sizeof(Transition) == 12);

// The raw arrays of a model; Model validates them once and never changes them.
struct ModelData {
    std::string name;
    double discount = 0.0;
    std::size_t num_states = 0;
    std::size_t num_actions = 0;
    std::vector<std::string> state_names;   // empty: states are named by their index
    std::vector<std::string> action_names;  // empty: actions are named by their index
    std::vector<double> initial;            // p0 over states
    std::size_t grid_rows = 0, grid_cols = 0;  // optional layout for plots (0: none)
    std::vector<Offset> state_begin;        // num_states + 1
    std::vector<ActionId> row_action;       // per row, strictly increasing within a state
    std::vector<double> row_reward;         // per row: expected r(s,a)
    std::vector<Offset> row_begin;          // num_rows + 1
    std::vector<Transition> transitions;    // per transition: s' and p(s'|s,a)
    std::vector<double> next_reward;        // per transition r_to, or empty when all are 0 (exporters, samplers)
};

class Model {
public:
    // Checks the structural invariants (sizes, ranges, order); throws std::invalid_argument.
    explicit Model(ModelData data);

    const std::string& name() const noexcept { return d_.name; }
    double discount() const noexcept { return d_.discount; }
    std::size_t num_states() const noexcept { return d_.num_states; }
    std::size_t num_actions() const noexcept { return d_.num_actions; }
    std::size_t num_rows() const noexcept { return d_.row_action.size(); }
    std::size_t num_transitions() const noexcept { return d_.transitions.size(); }
    std::size_t num_terminal() const noexcept;
    std::size_t max_actions_per_state() const noexcept { return max_actions_; }
    // The number of actions of every state when all states have the same, else 0.
    std::size_t uniform_actions() const noexcept { return uniform_actions_; }
    // The number of successors of every row when all rows have the same (Garnet; 1 in a deterministic
    // MDP), else 0.
    std::size_t uniform_successors() const noexcept { return uniform_successors_; }
    // max |s' - s| over all transitions: the half-bandwidth of P in state order (small for local
    // models such as gridworlds and chains, about S for random ones).
    std::size_t bandwidth() const noexcept { return bandwidth_; }
    double max_abs_reward() const noexcept { return max_abs_reward_; }
    std::size_t max_successors() const noexcept { return max_successors_; }

    std::string state_name(std::size_t s) const;
    std::string action_name(std::size_t a) const;
    bool has_state_names() const noexcept { return !d_.state_names.empty(); }
    bool has_action_names() const noexcept { return !d_.action_names.empty(); }
    std::span<const std::string> state_names() const noexcept { return d_.state_names; }
    std::span<const std::string> action_names() const noexcept { return d_.action_names; }
    std::span<const double> initial() const noexcept { return d_.initial; }

    Offset row_first(std::size_t s) const noexcept { return d_.state_begin[s]; }
    Offset row_last(std::size_t s) const noexcept { return d_.state_begin[s + 1]; }
    std::size_t num_available(std::size_t s) const noexcept { return d_.state_begin[s + 1] - d_.state_begin[s]; }
    bool is_terminal(std::size_t s) const noexcept { return d_.state_begin[s] == d_.state_begin[s + 1]; }
    ActionId row_action(Offset row) const noexcept { return d_.row_action[row]; }
    double row_reward(Offset row) const noexcept { return d_.row_reward[row]; }
    std::span<const Transition> transitions(Offset row) const noexcept {
        return {d_.transitions.data() + d_.row_begin[row], d_.transitions.data() + d_.row_begin[row + 1]};
    }
    // Per-successor rewards r_to of the row; empty when the model has none.
    std::span<const double> successor_rewards(Offset row) const noexcept {
        if (d_.next_reward.empty()) return {};
        return {d_.next_reward.data() + d_.row_begin[row], d_.next_reward.data() + d_.row_begin[row + 1]};
    }
    // The entry's own reward r (the file's "r"): r(s,a) minus the expected per-successor reward.
    double entry_reward(Offset row) const noexcept;
    // The row of (s, a), or num_rows() when a is not available in s.
    Offset find_row(std::size_t s, ActionId a) const noexcept;

    // Raw arrays for hot loops.
    const ModelData& data() const noexcept { return d_; }
    // Gives the arrays back, e.g. to rebuild the model with other rewards without copying the
    // transitions (IRL re-solves the same dynamics under each candidate reward).
    ModelData release() && noexcept { return std::move(d_); }
    // Bytes held by the CSR arrays (rows and transitions).
    std::size_t csr_bytes() const noexcept;

private:
    ModelData d_;
    std::size_t max_actions_ = 0;
    std::size_t uniform_actions_ = 0;
    std::size_t uniform_successors_ = 0;
    std::size_t bandwidth_ = 0;
    double max_abs_reward_ = 0.0;
    std::size_t max_successors_ = 0;
};

}  // namespace softmdp
