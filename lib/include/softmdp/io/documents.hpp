#pragma once
// The JSON documents softmdp writes besides a result (softmdp-result/1, result.hpp), one writer per
// document kind, so that a C++ (or Python) caller produces exactly the CLI's documents. Each writes
// one whole object, "format" first; the CLI only parses, calls the library and prints. Schemas:
// docs/formats.md. A writer only formats: everything it reports is computed before (analysis/,
// learning/, continuous/) and passed in.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/analysis/sweep.hpp"
#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/quadrature_reference.hpp"
#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/soft_value_estimate.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/learning/soft_q_learning.hpp"

namespace softmdp {

// softmdp-info/1: the sizes of a discrete-action model, or of a continuous-action one.
void write_info_document(JsonWriter& w, const Model& m);
void write_info_document(JsonWriter& w, const ContinuousModel& m);

// softmdp-validation/1: whether `file` is a valid MDP; `summary` when it is, else `error`.
void write_validation_document(JsonWriter& w, std::string_view file, bool valid, std::string_view summary_or_error);

// softmdp-convert/1: a conversion from `input` (format `from`) to `output` (format `to`).
void write_convert_document(JsonWriter& w, const Model& m, std::string_view from, std::string_view to, std::string_view input,
                            std::string_view output);

// softmdp-generate/1: a generated model of `kind` written to `output` in `seconds`.
void write_generate_document(JsonWriter& w, std::string_view kind, std::string_view output, double seconds);

// softmdp-compare/1: soft (at alpha) against hard, per state and in summary, with both results and
// their summaries (analysis/result_summary.hpp: summarise(m, c.soft), summarise(m, c.hard)); `prior`
// (when not empty) names the reference policy of the soft side's KL regularisation.
void write_compare_document(JsonWriter& w, const Model& m, const Comparison& c, double alpha, const ResultSummary& soft,
                            const ResultSummary& hard, std::string_view prior = {});

// softmdp-sweep/1: the soft optimum at each alpha of a sweep; `prior` (when not empty) names the
// reference policy of KL regularisation (solvers/prior.hpp).
void write_sweep_document(JsonWriter& w, const Model& m, std::span<const SweepPoint> points, std::string_view prior = {});

// softmdp-learn/1: soft Q-learning's curve, its final Q and the exact Q*.
void write_learn_document(JsonWriter& w, const Model& m, const LearnOptions& options, const LearnResult& r);

// softmdp-residuals/1 (alone) or the residual part of an evaluation's result: the soft Bellman
// residuals of a Q table for each choice of V_Q, with the weights used (their option words).
struct ResidualsOf {
    SoftValueOfQ value_of_q;
    Residuals residuals;
};
struct ResidualWeights {
    std::string states;   // initial | uniform | a softmdp-weights/1 file
    std::string actions;  // uniform | softmax | policy | a softmdp-policy/1 file
};
void write_residuals_document(JsonWriter& w, double alpha, const ResidualWeights& weights, std::span<const ResidualsOf> rows);
// The "residual_states", "residual_actions" and "residuals" fields (inside an object).
void write_residual_fields(JsonWriter& w, const ResidualWeights& weights, std::span<const ResidualsOf> rows);

// softmdp-result/1 of a policy evaluation: the result, its entropy "convention" (state | action)
// and, when `rows` is not empty, the residual fields of a Q table; `prior` as in write_result_fields.
void write_evaluation_document(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary,
                               std::string_view convention, const ResidualWeights& weights, std::span<const ResidualsOf> rows,
                               std::string_view prior = {});

// softmdp-estimate/1: a Monte Carlo soft value alpha log Z at one state of a continuous-action
// model, against the quadrature reference when d <= 3.
struct EstimateDocument {
    std::string state;
    std::string proposal;           // the proposal asked for: uniform | gaussian | svgd
    const Proposal& proposal_used;  // its detail
    std::size_t dimension = 0;
    std::uint64_t seed = 0;
    const SoftValueEstimate& value;  // judge_soft_value()
};
void write_estimate_document(JsonWriter& w, const EstimateDocument& d);

// softmdp-samples/1: SVGD particles from pi(a|s), importance-resampled or not.
struct SamplesDocument {
    std::string state;
    double alpha = 0.0;
    const SvgdResult& svgd;
    bool finite = true;                        // the particles and the KSD are finite
    std::uint64_t seed = 0;
    const std::optional<ResampleResult>& resampled;
    double defensive_uniform_weight = 0.0;     // of the resampling proposal
    std::span<const std::string> warnings;
    std::span<const double> particles;         // n x d, row-major: the particles reported
    std::size_t dimension = 0;
};
void write_samples_document(JsonWriter& w, const SamplesDocument& d);

}  // namespace softmdp
