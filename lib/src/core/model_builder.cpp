#include "softmdp/core/model_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/resources.hpp"

namespace softmdp {

namespace {
// Why p0 is not a distribution over the states ("" when it is); name(s) names state s.
template <class Name>
std::string initial_problem(const std::vector<double>& p0, Name name) {
    // Neumaier's compensated sum: a naive one drifts by ~S ulps, past kSumTolerance for S ~ 10^8.
    double total = 0.0, carry = 0.0;
    for (std::size_t s = 0; s < p0.size(); ++s) {
        const double p = p0[s];
        if (!std::isfinite(p) || p < 0.0) return fmt::format("probability of state {} must be finite and >= 0, got {}", name(s), p);
        const double t = total + p;
        carry += std::abs(total) >= p ? (total - t) + p : (p - t) + total;
        total = t;
    }
    total += carry;
    if (std::abs(total - 1.0) > ModelBuilder::kSumTolerance) return fmt::format("probabilities sum to {:.17g}, not 1", total);
    return {};
}

// Discount 1 is sound only when every policy terminates (find_improper_state).
void check_proper(const Model& model, const std::string& source) {
    if (model.discount() != 1.0) return;
    const std::size_t s = find_improper_state(model);
    if (s < model.num_states())
        throw InputError(fmt::format("discount 1 needs every policy to reach a terminal state with probability 1, "
                                     "but from state {} some policy never terminates",
                                     model.state_name(s)),
                         Location{source, std::nullopt, {}, "discount"});
}
}  // namespace

ModelBuilder::ModelBuilder(std::string source, BuildOptions options)
    : source_(std::move(source)), options_(std::move(options)) {}

void ModelBuilder::fail(const std::string& message, std::size_t entry, const std::string& field) const {
    Location loc{source_, std::nullopt, entry == SIZE_MAX ? std::string{} : entry_label(entry), field};
    throw InputError(message, std::move(loc));
}

std::string ModelBuilder::describe(Code c, bool state) const {
    if (c == kMissing) return "?";
    if (c & kNameBit) {
        const auto& pending = state ? pending_state_names_ : pending_action_names_;
        return pending[c & ~kNameBit];
    }
    const auto& names = state ? state_names_ : action_names_;
    return c < names.size() ? names[c] : std::to_string(c);
}

std::string ModelBuilder::entry_label(std::size_t entry) const {
    if (entry >= entry_s_.size()) {  // the entry being read
        return fmt::format("transitions[{}] (s={}, a={})", entry, describe(cur_s_, true), describe(cur_a_, false));
    }
    return fmt::format("transitions[{}] (s={}, a={})", entry, describe(entry_s_[entry], true),
                       describe(entry_a_[entry], false));
}

void ModelBuilder::set_discount(double gamma) {
    if (!std::isfinite(gamma) || gamma < 0.0 || gamma > 1.0)
        fail(fmt::format("discount must be in [0, 1], got {}", gamma), SIZE_MAX, "discount");
    discount_ = gamma;
    has_discount_ = true;
}


std::string ModelBuilder::state_count_error(std::uint64_t n) {
    if (n == 0) return "the state set is empty";
    if (n > kMaxStates) return fmt::format("{} states is more than the limit of {}", n, kMaxStates);
    // Every state costs the model and a solver about kBytesPerState, whatever the file holds besides:
    // refuse up front rather than fail an allocation half-way.
    if (const std::uint64_t need = n * kBytesPerState, have = usable_memory(); need > have)
        return fmt::format("{} states need about {} of memory (model and solver), more than the {} available here", n,
                           human_bytes(static_cast<double>(need)), human_bytes(static_cast<double>(have)));
    return {};
}

void ModelBuilder::set_state_count(std::uint64_t n) {
    if (const std::string error = state_count_error(n); !error.empty()) fail(error, SIZE_MAX, "states");
    num_states_ = n;
}

void ModelBuilder::set_action_count(std::uint64_t n) {
    if (n == 0) fail("the action set is empty", SIZE_MAX, "actions");
    if (n > kMaxStates) fail(fmt::format("{} actions is more than the limit of {}", n, kMaxStates), SIZE_MAX, "actions");
    num_actions_ = n;
}

void ModelBuilder::set_names(std::vector<std::string> names, bool state) {
    const char* field = state ? "states" : "actions";
    auto& index = state ? state_index_ : action_index_;
    if (names.empty()) fail(fmt::format("the {} set is empty", state ? "state" : "action"), SIZE_MAX, field);
    if (names.size() > kMaxStates) fail("too many names", SIZE_MAX, field);
    index.clear();
    index.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) fail("names must not be empty", SIZE_MAX, fmt::format("{}[{}]", field, i));
        if (!index.emplace(names[i], static_cast<Code>(i)).second)
            fail(fmt::format("duplicate name '{}'", names[i]), SIZE_MAX, fmt::format("{}[{}]", field, i));
    }
    if (state) {
        num_states_ = names.size();
        state_names_ = std::move(names);
    } else {
        num_actions_ = names.size();
        action_names_ = std::move(names);
    }
}

void ModelBuilder::set_state_names(std::vector<std::string> names) { set_names(std::move(names), true); }
void ModelBuilder::set_action_names(std::vector<std::string> names) { set_names(std::move(names), false); }

void ModelBuilder::set_initial(std::vector<double> p0) {
    initial_ = std::move(p0);
    initial_dense_ = true;
}

void ModelBuilder::add_initial(Ref s, double p) {
    const std::string field = s.by_name ? fmt::format("initial.{}", s.name) : fmt::format("initial[{}]", s.index);
    initial_entries_.emplace_back(encode(s, true, SIZE_MAX, [&] { return field; }), p);
}

void ModelBuilder::set_grid(std::size_t rows, std::size_t cols) {
    // A grid of zero rows or columns lays out no state (and would divide by zero in the plot).
    if (rows == 0) fail("grid needs at least one row", SIZE_MAX, "grid.rows");
    if (cols == 0) fail("grid needs at least one column", SIZE_MAX, "grid.cols");
    grid_rows_ = rows;
    grid_cols_ = cols;
}

template <class Field>
ModelBuilder::Code ModelBuilder::encode(Ref r, bool state, std::size_t entry, Field field) {
    if (!r.by_name) {
        if (r.index >= kMaxStates) fail(fmt::format("index {} is out of range", r.index), entry, field());
        return static_cast<Code>(r.index);
    }
    const auto& index = state ? state_index_ : action_index_;
    if (!index.empty()) {
        const auto it = index.find(std::string(r.name));
        if (it == index.end())
            fail(fmt::format("unknown {} name '{}'", state ? "state" : "action", r.name), entry, field());
        return it->second;
    }
    // Names not declared yet (the file lists them after the transitions): resolve in build().
    auto& pending = state ? pending_state_names_ : pending_action_names_;
    auto& pending_index = state ? pending_state_index_ : pending_action_index_;
    const auto [it, inserted] = pending_index.emplace(std::string(r.name), static_cast<Code>(pending.size()) | kNameBit);
    if (inserted) pending.emplace_back(r.name);
    return it->second;
}

template <class Field>
ModelBuilder::Code ModelBuilder::resolve(Code c, bool state, std::size_t entry, Field field) const {
    const std::uint64_t n = state ? num_states_ : num_actions_;
    const char* what = state ? "state" : "action";
    if (c & kNameBit) {
        const std::string& name = (state ? pending_state_names_ : pending_action_names_)[c & ~kNameBit];
        const auto& index = state ? state_index_ : action_index_;
        if (index.empty()) {
            // Unnamed states and actions are named by their index as text ("0", "1", ...).
            if (!name.empty() && name.size() < 11 && name.find_first_not_of("0123456789") == std::string::npos &&
                std::stoull(name) < n)
                return static_cast<Code>(std::stoull(name));
            fail(fmt::format("{} name '{}' used, but the {}s are given as a count, not names", what, name, what),
                 entry, field());
        }
        const auto it = index.find(name);
        if (it == index.end()) fail(fmt::format("unknown {} name '{}'", what, name), entry, field());
        return it->second;
    }
    if (c >= n) fail(fmt::format("{} index {} is out of range (there are {} {}s)", what, c, n, what), entry, field());
    return c;
}

void ModelBuilder::reserve(std::size_t entries, std::size_t transitions) {
    entry_s_.reserve(entries);
    entry_a_.reserve(entries);
    entry_r_.reserve(entries);
    entry_begin_.reserve(entries + 1);
    next_.reserve(transitions);
    if (any_next_reward_) next_r_.reserve(transitions);
}

void ModelBuilder::begin_entry() {
    in_entry_ = true;
    cur_s_ = cur_a_ = kMissing;
    cur_r_ = 0.0;
}

void ModelBuilder::entry_state(Ref s) { cur_s_ = encode(s, true, entry_s_.size(), [] { return std::string("s"); }); }
void ModelBuilder::entry_action(Ref a) { cur_a_ = encode(a, false, entry_s_.size(), [] { return std::string("a"); }); }
void ModelBuilder::entry_reward(double r) {
    if (!std::isfinite(r)) fail(fmt::format("reward must be finite, got {}", r), entry_s_.size(), "r");
    cur_r_ = r;
}

void ModelBuilder::entry_next(Ref to, double p, double r_to) {
    const std::size_t j = next_.size() - entry_begin_.back();
    next_.push_back({encode(to, true, entry_s_.size(), [j] { return fmt::format("next[{}][0]", j); }), p});
    // Per-successor rewards are stored only once one is non-zero (most files have none).
    if (r_to != 0.0 && !any_next_reward_) {
        next_r_.assign(next_.size() - 1, 0.0);
        any_next_reward_ = true;
    }
    if (any_next_reward_) next_r_.push_back(r_to);
}

void ModelBuilder::end_entry() {
    const std::size_t e = entry_s_.size();
    if (cur_s_ == kMissing) fail("missing field 's'", e, "s");
    if (cur_a_ == kMissing) fail("missing field 'a'", e, "a");
    const Offset first = entry_begin_.back(), last = next_.size();
    if (first == last) fail("'next' is missing or empty: every entry needs at least one successor", e, "next");
    double sum = 0.0;
    for (Offset t = first; t < last; ++t) {
        const double p = next_[t].prob();
        if (!std::isfinite(p) || p < 0.0)
            fail(fmt::format("probability must be finite and >= 0, got {}", p), e, fmt::format("next[{}][1]", t - first));
        if (any_next_reward_ && !std::isfinite(next_r_[t]))
            fail(fmt::format("reward must be finite, got {}", next_r_[t]), e, fmt::format("next[{}][2]", t - first));
        sum += p;
    }
    if (std::abs(sum - 1.0) > kSumTolerance) {
        if (!options_.renormalize || std::abs(sum - 1.0) > kRenormalizeTolerance)
            fail(fmt::format("probabilities sum to {:.17g}, not 1 (tolerance {:g}{})", sum, kSumTolerance,
                             "; " + param("renormalize") +
                                 (options_.renormalize ? " fixes only drift up to 1e-6" : " fixes drift up to 1e-6")),
                 e, "next");
        for (Offset t = first; t < last; ++t) next_[t].set_prob(next_[t].prob() / sum);
        ++renormalized_;
    }
    double r = cur_r_;
    if (any_next_reward_)
        for (Offset t = first; t < last; ++t) r += next_[t].prob() * next_r_[t];
    entry_s_.push_back(cur_s_);
    entry_a_.push_back(cur_a_);
    entry_r_.push_back(r);
    entry_begin_.push_back(last);
    in_entry_ = false;
}

void ModelBuilder::add(Ref s, Ref a, double r, std::initializer_list<Next> next) {
    begin_entry();
    entry_state(s);
    entry_action(a);
    entry_reward(r);
    for (const auto& n : next) entry_next(n.to, n.p, n.r);
    end_entry();
}

Model ModelBuilder::build() {
    if (!has_discount_) fail("missing key 'discount'", SIZE_MAX, "discount");
    if (num_states_ == 0) fail("missing key 'states'", SIZE_MAX, "states");
    if (num_actions_ == 0) fail("missing key 'actions'", SIZE_MAX, "actions");
    const std::size_t S = num_states_, E = entry_s_.size();
    // Results list Q and pi over every action of every state: an action count that neither names nor
    // entries back would turn a few bytes into gigabytes of output (10^8 actions: 2.5 GB per state).
    if (action_names_.empty() && num_actions_ > std::max<std::uint64_t>(kFreeActions, E))
        fail(fmt::format("{} actions, but the file has {} transition entries: more actions than entries (and than {}) "
                         "cannot all be used, and results list every action of every state; declare the actions the "
                         "file uses (or name them)",
                         num_actions_, E, kFreeActions),
             SIZE_MAX, "actions");

    // Resolve names and check ranges, entry by entry, so the first bad entry is reported.
    for (std::size_t e = 0; e < E; ++e) {
        entry_s_[e] = resolve(entry_s_[e], true, e, [] { return std::string("s"); });
        entry_a_[e] = resolve(entry_a_[e], false, e, [] { return std::string("a"); });
        for (Offset t = entry_begin_[e]; t < entry_begin_[e + 1]; ++t)
            next_[t].next = resolve(next_[t].next, true, e, [&] { return fmt::format("next[{}][0]", t - entry_begin_[e]); });
    }

    // Group entries by state, actions ascending; duplicates (s, a) are an error.
    const auto key = [&](std::size_t e) { return (static_cast<std::uint64_t>(entry_s_[e]) << 32) | entry_a_[e]; };
    bool sorted = true;
    for (std::size_t e = 1; e < E && sorted; ++e) sorted = key(e - 1) < key(e);
    std::vector<std::size_t> order;
    if (!sorted) {
        order.resize(E);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return key(x) < key(y); });
        for (std::size_t i = 1; i < E; ++i)
            if (key(order[i - 1]) == key(order[i]))
                fail(fmt::format("duplicate entry for (s={}, a={}): first given as transitions[{}]",
                                 describe(entry_s_[order[i]], true), describe(entry_a_[order[i]], false), order[i - 1]),
                     order[i], "a");
    }

    ModelData d;
    d.name = std::move(name_);
    d.discount = discount_;
    d.num_states = S;
    d.num_actions = num_actions_;
    d.state_names = std::move(state_names_);
    d.action_names = std::move(action_names_);
    d.grid_rows = grid_rows_;
    d.grid_cols = grid_cols_;
    // rows x cols == S without forming the product, which wraps for rows near 2^64.
    if (grid_cols_ != 0 && (S % grid_cols_ != 0 || S / grid_cols_ != grid_rows_))
        fail(fmt::format("grid {}x{} does not match {} states", grid_rows_, grid_cols_, S), SIZE_MAX, "grid");

    // Initial distribution: dense array, object entries, or uniform.
    if (initial_dense_) {
        if (initial_.size() != S)
            fail(fmt::format("has {} probabilities for {} states", initial_.size(), S), SIZE_MAX, "initial");
        d.initial = std::move(initial_);
    } else if (!initial_entries_.empty()) {
        d.initial.assign(S, 0.0);
        for (auto [code, p] : initial_entries_) {
            const Code s = resolve(code, true, SIZE_MAX, [] { return std::string("initial"); });
            if (d.initial[s] != 0.0) fail(fmt::format("state {} listed twice", describe(s, true)), SIZE_MAX, "initial");
            d.initial[s] = p;
        }
    } else {
        d.initial.assign(S, 1.0 / static_cast<double>(S));
    }
    if (initial_dense_ || !initial_entries_.empty()) {
        const std::string problem = initial_problem(d.initial, [&](std::size_t s) { return describe(static_cast<Code>(s), true); });
        if (!problem.empty()) fail(problem, SIZE_MAX, "initial");
    }

    // CSR arrays.
    d.state_begin.assign(S + 1, 0);
    for (std::size_t e = 0; e < E; ++e) ++d.state_begin[entry_s_[e] + 1];
    for (std::size_t s = 0; s < S; ++s) d.state_begin[s + 1] += d.state_begin[s];
    if (sorted) {
        d.row_action = std::move(entry_a_);
        d.row_reward = std::move(entry_r_);
        d.row_begin = std::move(entry_begin_);
        d.transitions = std::move(next_);
        if (any_next_reward_) d.next_reward = std::move(next_r_);
    } else {
        const std::size_t T = next_.size();
        d.row_action.resize(E);
        d.row_reward.resize(E);
        d.row_begin.resize(E + 1);
        d.transitions.resize(T);
        if (any_next_reward_) d.next_reward.resize(T);
        Offset t_out = 0;
        for (std::size_t i = 0; i < E; ++i) {
            const std::size_t e = order[i];
            d.row_action[i] = entry_a_[e];
            d.row_reward[i] = entry_r_[e];
            d.row_begin[i] = t_out;
            for (Offset t = entry_begin_[e]; t < entry_begin_[e + 1]; ++t, ++t_out) {
                d.transitions[t_out] = next_[t];
                if (any_next_reward_) d.next_reward[t_out] = next_r_[t];
            }
        }
        d.row_begin[E] = t_out;
    }
    if (renormalized_ > 0 && options_.warn)
        options_.warn(fmt::format("{}: renormalised the successor probabilities of {} entries (--renormalize)",
                                  source_, renormalized_));
    *this = ModelBuilder(source_, options_);

    Model model(std::move(d));
    check_proper(model, source_);
    return model;
}

void check_model_size(const std::string& source, std::uint64_t states, std::uint64_t actions, std::uint64_t rows,
                      std::uint64_t transitions) {
    const auto fail = [&](const std::string& field, const std::string& m) { throw InputError(m, Location{source, std::nullopt, {}, field}); };
    if (states == 0) fail("states", "the state set is empty");
    if (states > ModelBuilder::kMaxStates) fail("states", fmt::format("{} states is more than the limit of {}", states, ModelBuilder::kMaxStates));
    if (actions > ModelBuilder::kMaxStates) fail("actions", fmt::format("{} actions is more than the limit of {}", actions, ModelBuilder::kMaxStates));
    // In long double: sizes from a hostile header must not wrap around.
    const long double need = static_cast<long double>(states) * ModelBuilder::kBytesPerState + static_cast<long double>(rows) * 28.0L +
                             static_cast<long double>(transitions) * sizeof(Transition);
    if (const std::uint64_t have = usable_memory(); need > static_cast<long double>(have))
        fail("states", fmt::format("{} states, {} rows and {} transitions need about {:.1f} GiB of memory, more than the {:.1f} GiB "
                                   "available here",
                                   states, rows, transitions, static_cast<double>(need / 0x1p30L), static_cast<double>(have) / 0x1p30));
}

Model build_from_arrays(ModelData d, const std::string& source, const ArrayNames& names, const BuildOptions& options) {
    const std::size_t S = d.num_states, R = d.row_action.size(), T = d.transitions.size();
    const auto where = [&](std::size_t s, std::size_t r) { return fmt::format("state {}, action {}", s, r < R ? d.row_action[r] : 0); };
    const auto fail = [&](const std::string& array, std::uint64_t index, const std::string& entry, const std::string& m) {
        throw InputError(m, Location{source, std::nullopt, entry, fmt::format("{}[{}]", array, index)});
    };
    if (!std::isfinite(d.discount) || d.discount < 0.0 || d.discount > 1.0)
        throw InputError(fmt::format("discount must be in [0, 1], got {}", d.discount), Location{source, std::nullopt, {}, "discount"});
    if (d.state_begin.size() != S + 1 || d.state_begin[0] != 0) fail(names.rows, 0, {}, "must start at 0");
    if (d.row_reward.size() != R || d.row_begin.size() != R + 1 || d.row_begin[0] != 0) fail(names.branches, 0, {}, "must start at 0");
    if (d.state_begin[S] != R) fail(names.rows, S, {}, fmt::format("is {}, not the number of rows {}", d.state_begin[S], R));
    if (d.row_begin[R] != T) fail(names.branches, R, {}, fmt::format("is {}, not the number of transitions {}", d.row_begin[R], T));
    std::size_t renormalized = 0;
    for (std::size_t s = 0; s < S; ++s) {
        if (d.state_begin[s + 1] < d.state_begin[s])
            fail(names.rows, s + 1, {}, fmt::format("offsets must not decrease: {} after {}", d.state_begin[s + 1], d.state_begin[s]));
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
            if (d.row_action[r] >= d.num_actions)
                fail(names.actions, r, where(s, r), fmt::format("action {} is out of range (there are {})", d.row_action[r], d.num_actions));
            if (r > d.state_begin[s] && d.row_action[r] <= d.row_action[r - 1])
                fail(names.actions, r, where(s, r), "actions must be distinct and ascending within a state");
            if (d.row_begin[r + 1] < d.row_begin[r])
                fail(names.branches, r + 1, where(s, r), fmt::format("offsets must not decrease: {} after {}", d.row_begin[r + 1], d.row_begin[r]));
            if (d.row_begin[r + 1] == d.row_begin[r]) fail(names.branches, r, where(s, r), "the row has no successors");
            if (!std::isfinite(d.row_reward[r])) fail(names.rewards, r, where(s, r), fmt::format("reward must be finite, got {}", d.row_reward[r]));
            double sum = 0.0;
            for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) {
                if (d.transitions[t].next >= S)
                    fail(names.targets, t, where(s, r), fmt::format("successor {} is out of range (there are {} states)", d.transitions[t].next, S));
                const double p = d.transitions[t].prob();
                if (!std::isfinite(p) || p < 0.0) fail(names.probabilities, t, where(s, r), fmt::format("probability must be finite and >= 0, got {}", p));
                if (!d.next_reward.empty() && !std::isfinite(d.next_reward[t]))
                    fail(names.probabilities, t, where(s, r), fmt::format("successor reward must be finite, got {}", d.next_reward[t]));
                sum += p;
            }
            if (std::abs(sum - 1.0) > ModelBuilder::kSumTolerance) {
                if (!options.renormalize || std::abs(sum - 1.0) > ModelBuilder::kRenormalizeTolerance)
                    fail(names.probabilities, d.row_begin[r], where(s, r),
                         fmt::format("the row's probabilities (from this index on) sum to {:.17g}, not 1 (tolerance {:g}; "
                                     "{} fixes drift up to 1e-6)",
                                     sum, ModelBuilder::kSumTolerance, param("renormalize")));
                for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) d.transitions[t].set_prob(d.transitions[t].prob() / sum);
                ++renormalized;
            }
        }
    }
    if (d.initial.empty()) {
        d.initial.assign(S, 1.0 / static_cast<double>(S));
    } else {
        if (d.initial.size() != S) throw InputError(fmt::format("has {} probabilities for {} states", d.initial.size(), S), Location{source, std::nullopt, {}, "initial"});
        const std::string problem = initial_problem(d.initial, [&](std::size_t s) { return d.state_names.empty() ? std::to_string(s) : d.state_names[s]; });
        if (!problem.empty()) throw InputError(problem, Location{source, std::nullopt, {}, "initial"});
    }
    if (renormalized > 0 && options.warn)
        options.warn(fmt::format("{}: renormalised the successor probabilities of {} rows (--renormalize)", source, renormalized));
    Model model(std::move(d));
    check_proper(model, source);
    return model;
}

std::size_t find_improper_state(const Model& model) {
    // Greatest set C of non-terminal states in which every state has an action whose successors
    // all lie in C: a policy choosing those actions never terminates. Start from all non-terminal
    // states and remove, with a worklist over predecessors, states that cannot stay (O(T)).
    const ModelData& d = model.data();
    const std::size_t S = model.num_states(), R = model.num_rows();
    std::vector<char> in(S);
    std::vector<std::uint32_t> leaving(R, 0);  // successors of the row outside C
    std::vector<std::uint32_t> staying(S, 0);  // rows of the state with leaving == 0
    std::vector<Offset> pred_begin(S + 1, 0);  // reverse CSR: rows with a successor s
    std::vector<std::size_t> row_state(R);
    for (std::size_t s = 0; s < S; ++s) {
        in[s] = !model.is_terminal(s);
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) row_state[r] = s;
    }
    for (const Transition& t : d.transitions)
        if (t.prob() > 0.0) ++pred_begin[t.next + 1];
    for (std::size_t s = 0; s < S; ++s) pred_begin[s + 1] += pred_begin[s];
    std::vector<Offset> fill(pred_begin.begin(), pred_begin.end() - 1);
    std::vector<Offset> pred(pred_begin[S]);
    for (Offset r = 0; r < R; ++r)
        for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t)
            if (d.transitions[t].prob() > 0.0) {
                pred[fill[d.transitions[t].next]++] = r;
                leaving[r] += !in[d.transitions[t].next];
            }
    std::vector<std::size_t> work;
    for (std::size_t s = 0; s < S; ++s) {
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) staying[s] += leaving[r] == 0;
        if (in[s] && staying[s] == 0) {
            in[s] = 0;
            work.push_back(s);
        }
    }
    while (!work.empty()) {
        const std::size_t x = work.back();
        work.pop_back();
        for (Offset k = pred_begin[x]; k < pred_begin[x + 1]; ++k) {
            const Offset r = pred[k];
            if (leaving[r]++ != 0) continue;  // the row already left C
            const std::size_t s = row_state[r];
            if (--staying[s] == 0 && in[s]) {
                in[s] = 0;
                work.push_back(s);
            }
        }
    }
    for (std::size_t s = 0; s < S; ++s)
        if (in[s]) return s;
    return S;
}

}  // namespace softmdp
