#include "softmdp/core/model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "softmdp/core/errors.hpp"

namespace softmdp {

namespace {
void require(bool ok, const char* what) {
    if (!ok) throw InvalidArgument(std::string("softmdp::Model: ") + what);
}
}  // namespace

Model::Model(ModelData data) : d_(std::move(data)) {
    const std::size_t S = d_.num_states, rows = d_.row_action.size(), T = d_.transitions.size();
    require(S > 0, "no states");
    require(d_.discount >= 0.0 && d_.discount <= 1.0, "discount outside [0, 1]");
    require(d_.state_names.empty() || d_.state_names.size() == S, "state_names size");
    require(d_.action_names.empty() || d_.action_names.size() == d_.num_actions, "action_names size");
    require(d_.initial.size() == S, "initial size");
    require(d_.state_begin.size() == S + 1 && d_.state_begin.front() == 0 && d_.state_begin.back() == rows,
            "state_begin");
    require(d_.row_reward.size() == rows && d_.row_begin.size() == rows + 1, "row arrays size");
    require(d_.row_begin.front() == 0 && d_.row_begin.back() == T, "row_begin");
    require(d_.next_reward.empty() || d_.next_reward.size() == T, "next_reward size");
    require((d_.grid_rows == 0 && d_.grid_cols == 0) ||
                (d_.grid_cols != 0 && S % d_.grid_cols == 0 && S / d_.grid_cols == d_.grid_rows),
            "grid is neither absent (0 x 0) nor rows x cols == num_states");
    uniform_actions_ = d_.state_begin[1] - d_.state_begin[0];
    uniform_successors_ = rows > 0 ? d_.row_begin[1] - d_.row_begin[0] : 0;
    for (std::size_t s = 0; s < S; ++s) {
        require(d_.state_begin[s] <= d_.state_begin[s + 1], "state_begin not monotone");
        max_actions_ = std::max<std::size_t>(max_actions_, d_.state_begin[s + 1] - d_.state_begin[s]);
        if (d_.state_begin[s + 1] - d_.state_begin[s] != uniform_actions_) uniform_actions_ = 0;
        for (Offset r = d_.state_begin[s]; r < d_.state_begin[s + 1]; ++r) {
            require(d_.row_action[r] < d_.num_actions, "row_action out of range");
            require(r == d_.state_begin[s] || d_.row_action[r - 1] < d_.row_action[r], "row_action order");
            require(d_.row_begin[r] < d_.row_begin[r + 1], "row without successors");
            for (Offset t = d_.row_begin[r]; t < d_.row_begin[r + 1]; ++t) {
                const std::size_t next = d_.transitions[t].next;
                require(next < S, "successor out of range");
                bandwidth_ = std::max(bandwidth_, next > s ? next - s : s - next);
            }
            max_successors_ = std::max<std::size_t>(max_successors_, d_.row_begin[r + 1] - d_.row_begin[r]);
            if (d_.row_begin[r + 1] - d_.row_begin[r] != uniform_successors_) uniform_successors_ = 0;
        }
    }
    for (double r : d_.row_reward) max_abs_reward_ = std::max(max_abs_reward_, std::abs(r));
}

std::size_t Model::num_terminal() const noexcept {
    std::size_t n = 0;
    for (std::size_t s = 0; s < d_.num_states; ++s) n += is_terminal(s);
    return n;
}

std::string Model::state_name(std::size_t s) const {
    return d_.state_names.empty() ? std::to_string(s) : d_.state_names[s];
}

std::string Model::action_name(std::size_t a) const {
    return d_.action_names.empty() ? std::to_string(a) : d_.action_names[a];
}

Offset Model::find_row(std::size_t s, ActionId a) const noexcept {
    const auto first = d_.row_action.begin() + static_cast<std::ptrdiff_t>(d_.state_begin[s]);
    const auto last = d_.row_action.begin() + static_cast<std::ptrdiff_t>(d_.state_begin[s + 1]);
    const auto it = std::lower_bound(first, last, a);
    return (it != last && *it == a) ? static_cast<Offset>(it - d_.row_action.begin()) : num_rows();
}

double Model::entry_reward(Offset row) const noexcept {
    double r = d_.row_reward[row];
    if (!d_.next_reward.empty())
        for (Offset t = d_.row_begin[row]; t < d_.row_begin[row + 1]; ++t) r -= d_.transitions[t].prob() * d_.next_reward[t];
    return r;
}

std::size_t Model::csr_bytes() const noexcept {
    return d_.state_begin.size() * sizeof(Offset) + d_.row_action.size() * sizeof(ActionId) +
           d_.row_reward.size() * sizeof(double) + d_.row_begin.size() * sizeof(Offset) +
           d_.transitions.size() * sizeof(Transition) + d_.next_reward.size() * sizeof(double);
}

}  // namespace softmdp
