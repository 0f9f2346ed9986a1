#pragma once
// A model too large to hold in memory, described by passes over its rows that can be replayed (a
// generator runs again from its seed). The binary writers (umb.hpp, petsc_binary.hpp, npz.hpp) take
// one and make as many passes as their layout needs, one per array that is drawn, so a model of 10^9
// transitions is written on a machine that could not also hold it (docs/formats.md).
//
// The shape is what the generators produce: every state has every action (row s*A + a), each row
// `successors` successors, the uniform initial distribution, no names, no per-successor rewards.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace softmdp {

struct ModelStream {
    using Row = std::function<void(std::uint64_t s, std::uint64_t a, std::span<const std::uint64_t> next,
                                   std::span<const double> probability, double reward)>;
    using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

    std::string name;
    double discount = 0.0;
    std::uint64_t states = 0, actions = 0, successors = 0;
    // Calls row(s, a, next, probability, reward) for every (s, a), s then a ascending, the same rows
    // on every call; after each state, state_done(s + 1).
    std::function<void(const Row& row, const std::function<void(std::uint64_t states_done)>& state_done)> rows;
    Progress progress;  // optional: (states done, states in all passes) over every pass of a writer

    std::uint64_t choices() const noexcept { return states * actions; }
    std::uint64_t transitions() const noexcept { return states * actions * successors; }

    // Pass `k` of `passes` over the rows, reporting progress across all passes.
    void pass(const Row& row, std::uint64_t k, std::uint64_t passes) const {
        rows(row, [&](std::uint64_t done) {
            if (progress) progress(k * states + done, passes * states);
        });
    }
};

}  // namespace softmdp
