#pragma once
// Builds a validated Model from entries given one at a time (the loader streams into it; tests,
// generators and importers call it directly). Every check of the softmdp/1 format lives here, so
// every way of making a model reports the same errors, naming the entry and the field.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

// A state or action given by index or by name.
struct Ref {
    std::uint64_t index = 0;
    std::string_view name;  // non-empty: by name
    bool by_name = false;
    static Ref at(std::uint64_t i) { return {i, {}, false}; }
    static Ref named(std::string_view n) { return {0, n, true}; }
};

struct BuildOptions {
    bool renormalize = false;                      // rescale successor sums within 1e-6 of 1
    std::function<void(const std::string&)> warn;  // receives warnings (e.g. renormalised rows)
    std::optional<double> discount;                // for files that carry none (PETSc, npz, UMB from other tools)
};

class ModelBuilder {
public:
    static constexpr double kSumTolerance = 1e-9;
    static constexpr double kRenormalizeTolerance = 1e-6;
    static constexpr std::uint64_t kMaxStates = (1ULL << 31) - 1;
    // Memory per declared state of the model (p0, CSR offsets) and a solve (values, scratch, output).
    static constexpr std::uint64_t kBytesPerState = 64;
    // Actions declared by count (no names) beyond this must each be backed by a transition entry.
    static constexpr std::uint64_t kFreeActions = 1024;

    explicit ModelBuilder(std::string source = {}, BuildOptions options = {});
    // Why a declared number of states cannot be built here ("" if it can): 0, more than kMaxStates,
    // or more than usable_memory() at kBytesPerState. Importers that size arrays by the declared
    // count (PRISM) ask before allocating.
    static std::string state_count_error(std::uint64_t n);

    void set_name(std::string name) { name_ = std::move(name); }
    void set_discount(double gamma);
    void set_state_count(std::uint64_t n);
    void set_state_names(std::vector<std::string> names);
    void set_action_count(std::uint64_t n);
    void set_action_names(std::vector<std::string> names);
    void set_initial(std::vector<double> p0);
    void add_initial(Ref s, double p);  // object form {state: p}
    void set_grid(std::size_t rows, std::size_t cols);

    // One transition entry: begin, fields in any order, end.
    void begin_entry();
    void entry_state(Ref s);
    void entry_action(Ref a);
    void entry_reward(double r);
    void entry_next(Ref to, double p, double r_to = 0.0);
    void end_entry();

    struct Next {
        Ref to;
        double p;
        double r = 0.0;
    };
    // Convenience for code and tests: one whole entry.
    void add(Ref s, Ref a, double r, std::initializer_list<Next> next);

    // Room for this many entries and successors in all (a hint: more still fit).
    void reserve(std::size_t entries, std::size_t transitions);

    std::size_t entries() const noexcept { return entry_s_.size(); }
    std::size_t transitions() const noexcept { return next_.size(); }
    bool has_discount() const noexcept { return has_discount_; }
    bool has_states() const noexcept { return num_states_ > 0; }
    bool has_actions() const noexcept { return num_actions_ > 0; }
    // "transitions[k] (s=S, a=A)" for error messages; k == entries() is the entry being read.
    std::string entry_label(std::size_t entry) const;

    // Validates everything and returns the model (the builder is left empty).
    Model build();

private:
    using Code = std::uint32_t;  // index, or kNameBit | id of a name not yet resolved
    static constexpr Code kNameBit = 1U << 31;
    static constexpr Code kMissing = ~Code{0};

    [[noreturn]] void fail(const std::string& message, std::size_t entry, const std::string& field) const;
    std::string describe(Code c, bool state) const;
    // field() names the field for error messages (called only on error: no formatting per transition).
    template <class Field>
    Code encode(Ref r, bool state, std::size_t entry, Field field);
    template <class Field>
    Code resolve(Code c, bool state, std::size_t entry, Field field) const;
    void set_names(std::vector<std::string> names, bool state);

    std::string source_;
    BuildOptions options_;
    std::string name_;
    double discount_ = 0.0;
    bool has_discount_ = false;
    std::uint64_t num_states_ = 0, num_actions_ = 0;
    std::vector<std::string> state_names_, action_names_;
    std::unordered_map<std::string, Code> state_index_, action_index_;
    std::vector<std::string> pending_state_names_, pending_action_names_;  // used before declared
    std::unordered_map<std::string, Code> pending_state_index_, pending_action_index_;
    std::vector<double> initial_;
    std::vector<std::pair<Code, double>> initial_entries_;
    bool initial_dense_ = false;
    std::size_t grid_rows_ = 0, grid_cols_ = 0;

    // The entry being read.
    bool in_entry_ = false;
    Code cur_s_ = kMissing, cur_a_ = kMissing;
    double cur_r_ = 0.0;
    std::size_t renormalized_ = 0;

    // Entries and their successors, in the order given.
    std::vector<Code> entry_s_, entry_a_;
    std::vector<double> entry_r_;
    std::vector<Offset> entry_begin_{0};
    std::vector<Transition> next_;  // successors as codes until build() resolves them
    std::vector<double> next_r_;
    bool any_next_reward_ = false;
};

// The binary formats (umb.hpp, petsc_binary.hpp, npz.hpp) fill ModelData's arrays straight from the
// file; these apply the builder's rules to them, naming the file's array and index in every error.
struct ArrayNames {
    std::string rows;           // state_begin (e.g. UMB's state-to-choices)
    std::string branches;       // row_begin (e.g. choice-to-branches, indptr)
    std::string targets;        // transitions[].next (e.g. branch-to-target, indices)
    std::string probabilities;  // transitions[].prob (e.g. branch-to-probability, data)
    std::string rewards;        // row_reward
    std::string actions;        // row_action
};

// Refuses, before anything is allocated, sizes beyond the limits (kMaxStates states and actions) or
// beyond this machine's memory for the model's arrays. Throws InputError naming `source`.
void check_model_size(const std::string& source, std::uint64_t states, std::uint64_t actions, std::uint64_t rows,
                      std::uint64_t transitions);

// Checks d as the builder checks entries: offsets monotone, rows with successors, actions ascending
// within a state, successors in range, probabilities finite, >= 0, summing to 1 (rescaled within
// 1e-6 with options.renormalize), rewards finite, the discount, the initial distribution (empty:
// uniform), discount 1 only for proper models. Throws InputError naming the array and its index.
Model build_from_arrays(ModelData d, const std::string& source, const ArrayNames& names, const BuildOptions& options);

// gamma = 1 is sound only if every policy reaches a terminal state with probability 1 from every
// state. Returns a non-terminal state from which some policy can avoid termination forever, or
// num_states() when there is none.
std::size_t find_improper_state(const Model& model);

}  // namespace softmdp
