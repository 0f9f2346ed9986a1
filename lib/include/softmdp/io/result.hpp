#pragma once
// The result file softmdp-result/1 (schema in docs/formats.md): written by streaming, read back
// for warm starts (--init) and successor values (--values).
#include <filesystem>
#include <span>
#include <string_view>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/solvers/finite_horizon.hpp"

namespace softmdp {

// Writes the fields of a result object (without the braces, so callers can nest or extend it):
// format, method, alpha, discount, converged, iterations, sweeps, error_bound, seconds, reason,
// objective, policy_residual, states, actions, values, q, policy, entropy, greedy. What is not in
// the Solution comes from its summary (analysis/result_summary.hpp: summarise(m, sol)). `prior`, when
// not empty, names the reference policy of KL regularisation (solvers/prior.hpp): a "prior" field
// after alpha (absent: none, i.e. entropy regularisation).
void write_result_fields(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary,
                         std::string_view prior = {});

// The solver part shared by every result (discrete or continuous): format, model, method, alpha,
// discount, converged, iterations, sweeps, error_bound, seconds, reason, objective.
void write_solver_fields(JsonWriter& w, const std::string& model_name, double discount, const Solution& sol,
                         double objective_value, std::string_view prior = {});

// "states" and "actions": the model's names.
void write_names(JsonWriter& w, const Model& m);

// A whole softmdp-result/1 object.
void write_result(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary, std::string_view prior = {});
// The same with summarise(m, sol) computed first.
void write_result(JsonWriter& w, const Model& m, const Solution& sol);

// The softmdp-result/1 object of a finite-horizon solve or evaluation (`--horizon`): the ordinary
// fields of step t = 0 (at_time(m, fh, 0); `summary` = summarise(m, at_time(m, fh, 0))), then
// "convention" (evaluations: non-empty `convention`), "horizon", "values_by_time" ((H + 1) arrays
// of V_t, the last one the terminal values), "q_by_time" and "policy_by_time" (H arrays, each per
// state over all actions, as "q" and "policy"); `prior` as in write_result_fields.
void write_finite_horizon_result(JsonWriter& w, const Model& m, const FiniteHorizonSolution& fh, const ResultSummary& summary,
                                 std::string_view convention = {}, std::string_view prior = {});

// The softmdp-result/1 object of a continuous-action solve: the solver fields, how the integral
// was computed (quadrature grids or Monte Carlo samples) and the values with their errors.
void write_continuous_result(JsonWriter& w, const ContinuousModel& m, const ContinuousSolution& cs, const ContinuousOptions& options);

// The per-state values of a softmdp-result/1 file, checked against the model (count and state
// names). Throws InputError.
std::vector<double> read_result_values(const std::filesystem::path& file, const Model& m);

// Per-state array over all actions: q (null where unavailable) or policy (0 where unavailable).
void write_per_action(JsonWriter& w, const Model& m, std::span<const double> per_row, bool null_unavailable);

}  // namespace softmdp
