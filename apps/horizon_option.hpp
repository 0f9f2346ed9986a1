#pragma once
// --horizon H and --terminal V.json of solve and evaluate: finite-horizon backward induction
// (solvers/finite_horizon.hpp), written as softmdp-result/1 with the per-time fields (docs/cli.md).
#include <cstdint>
#include <optional>
#include <span>

#include "cli.hpp"

namespace softmdp::cli {

// The largest --horizon any command takes (time: H passes over the model).
constexpr std::uint64_t kMaxHorizon = 1'000'000'000;

// Adds --horizon and --terminal (solve, evaluate).
void add_horizon_options(po::options_description& desc);
// --horizon when given: 1..kMaxHorizon, else UsageError; nullopt when absent (discounted). Also
// refuses --terminal without --horizon.
std::optional<std::uint64_t> horizon_option(const po::variables_map& vm);

// Solves (pi empty) or evaluates the stationary policy pi over --horizon steps from --terminal's
// values (0 without it), prints the table and writes the documents. Returns the exit code. `prior`
// (per row, empty: none): KL regularisation towards it (--prior; solvers/finite_horizon.hpp).
int run_finite_horizon(const po::variables_map& vm, const Model& m, double alpha, std::span<const double> pi,
                       std::span<const double> prior = {});

}  // namespace softmdp::cli
