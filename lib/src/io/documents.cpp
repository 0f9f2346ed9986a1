#include "softmdp/io/documents.hpp"

#include "softmdp/io/result.hpp"

namespace softmdp {

namespace {
std::uint64_t count(std::size_t n) { return static_cast<std::uint64_t>(n); }

void array(JsonWriter& w, std::string_view key, std::span<const double> xs) {
    w.key(key).begin_array();
    for (double x : xs) w.value(x);
    w.end_array();
}

void optional(JsonWriter& w, std::string_view key, const std::optional<double>& x) {
    w.key(key);
    x ? w.value(*x) : w.null();
}
}  // namespace

void write_info_document(JsonWriter& w, const Model& m) {
    w.begin_object();
    w.key("format").value("softmdp-info/1");
    w.key("name").value(m.name());
    w.key("action_space").value("discrete");
    w.key("states").value(count(m.num_states()));
    w.key("actions").value(count(m.num_actions()));
    w.key("pairs").value(count(m.num_rows()));
    w.key("transitions").value(count(m.num_transitions()));
    w.key("terminal").value(count(m.num_terminal()));
    w.key("discount").value(m.discount());
    w.key("csr_bytes").value(count(m.csr_bytes()));
    w.end_object();
}

void write_info_document(JsonWriter& w, const ContinuousModel& m) {
    std::size_t anchors = 0, terminal = 0;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        anchors += m.anchors[s].size();
        terminal += m.is_terminal(s);
    }
    w.begin_object();
    w.key("format").value("softmdp-info/1");
    w.key("name").value(m.name);
    w.key("action_space").value("continuous");
    w.key("states").value(count(m.num_states()));
    w.key("dimension").value(count(m.dim()));
    array(w, "low", m.low);
    array(w, "high", m.high);
    w.key("anchors").value(count(anchors));
    w.key("terminal").value(count(terminal));
    w.key("bandwidth").value(m.bandwidth);
    w.key("action_cost").value(m.action_cost);
    w.key("discount").value(m.discount);
    w.end_object();
}

void write_validation_document(JsonWriter& w, std::string_view file, bool valid, std::string_view summary_or_error) {
    w.begin_object();
    w.key("format").value("softmdp-validation/1");
    w.key("file").value(file);
    w.key("valid").value(valid);
    w.key(valid ? "summary" : "error").value(summary_or_error);
    w.end_object();
}

void write_convert_document(JsonWriter& w, const Model& m, std::string_view from, std::string_view to, std::string_view input,
                            std::string_view output) {
    w.begin_object();
    w.key("format").value("softmdp-convert/1");
    w.key("from").value(from).key("to").value(to).key("input").value(input).key("output").value(output);
    w.key("states").value(count(m.num_states()));
    w.key("actions").value(count(m.num_actions()));
    w.key("transitions").value(count(m.num_transitions()));
    w.end_object();
}

void write_generate_document(JsonWriter& w, std::string_view kind, std::string_view output, double seconds) {
    w.begin_object();
    w.key("format").value("softmdp-generate/1");
    w.key("kind").value(kind);
    w.key("output").value(output);
    w.key("seconds").value(seconds);
    w.end_object();
}

void write_compare_document(JsonWriter& w, const Model& m, const Comparison& c, double alpha, const ResultSummary& soft,
                            const ResultSummary& hard, std::string_view prior) {
    w.begin_object();
    w.key("format").value("softmdp-compare/1");
    w.key("alpha").value(alpha);
    if (!prior.empty()) w.key("prior").value(prior);  // absent: no prior (entropy regularisation)
    w.key("j_soft").value(soft.objective);
    w.key("j_hard").value(hard.objective);
    w.key("soft_policy_hard_return").value(c.soft_policy_hard_return);
    optional(w, "global_bound", c.global_bound);
    w.key("changed_states").value(count(c.stats.changed));
    w.key("mean_entropy").value(c.stats.mean_entropy);
    w.key("greedy_probability").value(c.stats.greedy_probability);
    w.key("gap").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) w.value(c.soft.values[s] - c.hard.values[s]);
    w.end_array();
    array(w, "gap_bound", c.gap_bound);
    array(w, "soft_policy_hard_values", c.soft_policy_hard_values);
    w.key("soft").begin_object();
    write_result_fields(w, m, c.soft, soft, prior);
    w.end_object();
    w.key("hard").begin_object();
    write_result_fields(w, m, c.hard, hard);
    w.end_object();
    w.end_object();
}

void write_sweep_document(JsonWriter& w, const Model& m, std::span<const SweepPoint> points, std::string_view prior) {
    w.begin_object();
    w.key("format").value("softmdp-sweep/1");
    w.key("model").value(m.name());
    w.key("discount").value(m.discount());
    if (!prior.empty()) w.key("prior").value(prior);  // absent: no prior (entropy regularisation)
    w.key("states").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) w.value(m.state_name(s));
    w.end_array();
    w.key("points").begin_array();
    for (const auto& p : points) {
        w.begin_object();
        w.key("alpha").value(p.alpha);
        w.key("j_soft").value(p.objective);
        w.key("hard_return").value(p.hard_return);
        w.key("mean_entropy").value(p.stats.mean_entropy);
        w.key("greedy_probability").value(p.stats.greedy_probability);
        w.key("kl_from_greedy").value(p.stats.kl_from_greedy);
        w.key("changed_states").value(count(p.stats.changed));
        w.key("converged").value(p.converged);
        w.key("iterations").value(p.iterations);
        optional(w, "error_bound", p.error_bound);
        w.key("j_soft_adjusted").value(p.objective_raised);
        optional(w, "j_soft_bound", p.objective_bound);
        w.key("seconds").value(p.seconds);
        array(w, "entropy", p.stats.entropy);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_learn_document(JsonWriter& w, const Model& m, const LearnOptions& o, const LearnResult& r) {
    w.begin_object();
    w.key("format").value("softmdp-learn/1");
    w.key("model").value(m.name());
    w.key("alpha").value(o.alpha);
    w.key("steps").value(o.steps);
    w.key("seed").value(o.seed);
    w.key("behaviour").value(to_string(o.behaviour));
    w.key("schedule").value(to_string(o.schedule));
    w.key("target_every").value(o.target_every);
    w.key("episodes").value(r.episodes);
    w.key("curve").begin_array();
    for (const auto& p : r.curve) {
        w.begin_object();
        w.key("step").value(p.step);
        w.key("q_error").value(p.q_error);
        w.key("objective").value(p.objective);
        w.end_object();
    }
    w.end_array();
    write_names(w, m);
    w.key("q");
    write_per_action(w, m, r.q, true);
    w.key("q_star");
    write_per_action(w, m, r.q_star, true);
    w.end_object();
}

void write_residual_fields(JsonWriter& w, const ResidualWeights& weights, std::span<const ResidualsOf> rows) {
    w.key("residual_states").value(weights.states);
    w.key("residual_actions").value(weights.actions);
    w.key("residuals").begin_object();
    for (const auto& row : rows) {
        w.key(to_string(row.value_of_q)).begin_object();
        w.key("v_residual").value(row.residuals.v_residual);
        w.key("q_residual").value(row.residuals.q_residual);
        w.end_object();
    }
    w.end_object();
}

void write_residuals_document(JsonWriter& w, double alpha, const ResidualWeights& weights, std::span<const ResidualsOf> rows) {
    w.begin_object();
    w.key("format").value("softmdp-residuals/1");
    w.key("alpha").value(alpha);
    if (!rows.empty()) write_residual_fields(w, weights, rows);
    w.end_object();
}

void write_evaluation_document(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary,
                               std::string_view convention, const ResidualWeights& weights, std::span<const ResidualsOf> rows,
                               std::string_view prior) {
    w.begin_object();
    write_result_fields(w, m, sol, summary, prior);
    w.key("convention").value(convention);
    if (!rows.empty()) write_residual_fields(w, weights, rows);
    w.end_object();
}

void write_estimate_document(JsonWriter& w, const EstimateDocument& d) {
    const SoftValueEstimate& v = d.value;
    w.begin_object();
    w.key("format").value("softmdp-estimate/1");
    w.key("state").value(d.state);
    w.key("alpha").value(v.alpha);
    w.key("proposal").value(d.proposal);
    w.key("proposal_detail").begin_object();
    w.key("kind").value(d.proposal_used.name());
    if (d.proposal_used.kind == Proposal::Kind::mixture) {
        w.key("components").value(count(d.proposal_used.centers.size() / d.dimension));
        w.key("component_stddev").value(d.proposal_used.mixture_stddev);
        w.key("defensive_uniform_weight").value(d.proposal_used.defensive);
    }
    w.end_object();
    w.key("estimate").value(v.estimate);
    w.key("std_error").value(v.std_error);
    w.key("bias_correction").value(v.bias_correction);
    w.key("estimate_corrected").value(v.corrected);
    w.key("ess").value(v.log_z.ess);
    w.key("samples").value(v.log_z.samples);
    w.key("seed").value(d.seed);
    const auto& ref = v.reference;
    optional(w, "reference", ref ? std::optional<double>(v.alpha * ref->log_z) : std::nullopt);
    optional(w, "reference_error", ref ? std::optional<double>(v.reference_error) : std::nullopt);
    w.key("reference_detail");
    if (ref) {
        w.begin_object();
        w.key("method").value("composite Gauss-Legendre, panels doubled until two levels agree");
        w.key("panels").value(count(ref->panels));
        w.key("nodes_per_panel").value(count(ref->nodes_per_panel));
        w.key("points").value(count(ref->points));
        w.key("converged").value(ref->converged);
        w.end_object();
    } else {
        w.null();
    }
    optional(w, "difference_std_errors", v.difference);
    w.key("warnings").begin_array();
    for (const std::string& msg : v.warnings) w.value(msg);
    w.end_array();
    w.end_object();
}

void write_samples_document(JsonWriter& w, const SamplesDocument& d) {
    const auto& rs = d.resampled;
    w.begin_object();
    w.key("format").value("softmdp-samples/1");
    w.key("state").value(d.state);
    w.key("alpha").value(d.alpha);
    w.key("steps").value(count(d.svgd.steps));
    w.key("converged").value(d.svgd.converged && d.finite);
    w.key("bandwidth").value(d.svgd.bandwidth);
    w.key("ksd").value(d.svgd.ksd);
    w.key("seed").value(d.seed);
    w.key("weighting").value(rs ? "importance-resampled" : "none");
    w.key("importance");
    if (rs) {
        w.begin_object();
        w.key("draws").value(rs->weights.samples);
        w.key("ess").value(rs->weights.ess);
        w.key("distinct").value(count(rs->distinct));
        w.key("defensive_uniform_weight").value(d.defensive_uniform_weight);
        w.key("share_below_midpoint").begin_object();
        array(w, "weighted", rs->share_below_mid_weighted);
        array(w, "svgd", rs->share_below_mid_before);
        w.end_object();
        w.end_object();
    } else {
        w.null();
    }
    w.key("warnings").begin_array();
    for (const std::string& msg : d.warnings) w.value(msg);
    w.end_array();
    w.key("particles").begin_array();
    const std::size_t n = d.dimension ? d.particles.size() / d.dimension : 0;
    for (std::size_t i = 0; i < n; ++i) {
        w.begin_array();
        for (std::size_t k = 0; k < d.dimension; ++k) w.value(d.particles[i * d.dimension + k]);
        w.end_array();
    }
    w.end_array();
    w.end_object();
}

}  // namespace softmdp
