#include "softmdp/io/result.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/bellman.hpp"

namespace softmdp {

namespace {

// One state's row of a per-action table: its rows' values at their actions, null (or 0) elsewhere.
void write_state_actions(JsonWriter& w, const Model& m, std::size_t s, std::span<const double> of_rows, bool null_unavailable) {
    w.begin_array();
    Offset r = m.row_first(s);
    for (ActionId a = 0; a < m.num_actions(); ++a) {
        if (r < m.row_last(s) && m.row_action(r) == a) w.value(of_rows[r++ - m.row_first(s)]);
        else if (null_unavailable) w.null();
        else w.value(0.0);
    }
    w.end_array();
}

}  // namespace

void write_per_action(JsonWriter& w, const Model& m, std::span<const double> per_row, bool null_unavailable) {
    w.begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s)
        write_state_actions(w, m, s, per_row.subspan(m.row_first(s), m.num_available(s)), null_unavailable);
    w.end_array();
}

void write_solver_fields(JsonWriter& w, const std::string& model_name, double discount, const Solution& sol,
                         double objective_value, std::string_view prior) {
    w.key("format").value("softmdp-result/1");
    w.key("model").value(model_name);
    w.key("method").value(sol.method);
    if (!sol.method_note.empty()) w.key("method_note").value(sol.method_note);  // why this method (solve.hpp)
    w.key("alpha").value(sol.alpha);
    if (!prior.empty()) w.key("prior").value(prior);  // absent: no prior (entropy regularisation)
    w.key("discount").value(discount);
    w.key("converged").value(sol.converged);
    w.key("stop").value(to_string(sol.stop));
    w.key("iterations").value(sol.iterations);
    w.key("sweeps").value(sol.sweeps);
    if (sol.matvecs) {  // inexact policy iteration: its work is in the Krylov solves
        w.key("inner_iterations").value(sol.inner_iterations);
        w.key("matvecs").value(sol.matvecs);
    }
    w.key("error_bound");
    sol.error_bound ? w.value(*sol.error_bound) : w.null();
    w.key("seconds").value(sol.seconds);
    w.key("reason").value(sol.reason);
    w.key("objective").value(objective_value);
}

void write_names(JsonWriter& w, const Model& m) {
    w.key("states").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) w.value(m.state_name(s));
    w.end_array();
    w.key("actions").begin_array();
    for (std::size_t a = 0; a < m.num_actions(); ++a) w.value(m.action_name(a));
    w.end_array();
}

void write_result_fields(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary, std::string_view prior) {
    write_solver_fields(w, m.name(), m.discount(), sol, summary.objective, prior);
    w.key("policy_residual").value(summary.policy_residual);
    write_names(w, m);
    w.key("values").begin_array();
    for (double v : sol.values) w.value(v);
    w.end_array();
    // Q and the policy state by state: from the tables, or recomputed from the values when the
    // solution did not keep them (SolverOptions::keep_rows; the same doubles).
    const auto per_action = [&](bool q_table) {
        w.begin_array();
        for_each_state_rows(m, sol, [&](std::size_t s, std::span<const double> q, std::span<const double> pi) {
            write_state_actions(w, m, s, q_table ? q : pi, q_table);
        });
        w.end_array();
    };
    w.key("q");
    per_action(true);
    w.key("policy");
    per_action(false);
    w.key("entropy").begin_array();
    for (double h : summary.entropy) w.value(h);
    w.end_array();
    w.key("greedy").begin_array();
    for (const auto& a : summary.greedy) a ? w.value(m.action_name(*a)) : w.null();
    w.end_array();
}

void write_result(JsonWriter& w, const Model& m, const Solution& sol, const ResultSummary& summary, std::string_view prior) {
    w.begin_object();
    write_result_fields(w, m, sol, summary, prior);
    w.end_object();
}

void write_result(JsonWriter& w, const Model& m, const Solution& sol) { write_result(w, m, sol, summarise(m, sol)); }

void write_finite_horizon_result(JsonWriter& w, const Model& m, const FiniteHorizonSolution& fh, const ResultSummary& summary,
                                 std::string_view convention, std::string_view prior) {
    const std::size_t S = m.num_states(), R = m.num_rows();
    w.begin_object();
    write_result_fields(w, m, at_time(m, fh, 0), summary, prior);
    if (!convention.empty()) w.key("convention").value(convention);
    w.key("horizon").value(fh.horizon);
    w.key("values_by_time").begin_array();
    for (std::uint64_t t = 0; t <= fh.horizon; ++t) {
        w.begin_array();
        for (double v : fh.values_at(t, S)) w.value(v);
        w.end_array();
    }
    w.end_array();
    const auto per_time = [&](const char* key, const std::vector<double>& table, bool null_unavailable) {
        w.key(key).begin_array();
        for (std::uint64_t t = 0; t < fh.horizon; ++t) write_per_action(w, m, std::span(table).subspan(t * R, R), null_unavailable);
        w.end_array();
    };
    per_time("q_by_time", fh.q, true);
    per_time("policy_by_time", fh.policy, false);
    w.end_object();
}

void write_continuous_result(JsonWriter& w, const ContinuousModel& m, const ContinuousSolution& cs, const ContinuousOptions& c) {
    const Solution& sol = cs.solution;
    const bool mc = c.integrator == Integrator::monte_carlo;
    double j = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) j += m.initial[s] * sol.values[s];
    const auto sizes = [&](const char* key, const std::vector<std::size_t>& n) {
        w.key(key).begin_array();
        for (std::size_t x : n) w.value(static_cast<std::uint64_t>(x));
        w.end_array();
    };
    const auto per_state = [&](const char* key, const std::vector<double>& v) {
        w.key(key).begin_array();
        for (double x : v) w.value(x);
        w.end_array();
    };
    w.begin_object();
    write_solver_fields(w, m.name, m.discount, sol, j);
    w.key("integrator").value(mc ? "mc" : "quadrature");
    w.key("iteration_bound").value(cs.iteration_bound);
    if (!mc) {
        w.key("integration_error");
        cs.integration_error ? w.value(*cs.integration_error) : w.null();
        w.key("quadrature_rule").value(cs.panel_order ? "composite gauss-legendre" : "gauss-legendre");
        w.key("panel_order").value(static_cast<std::uint64_t>(cs.panel_order));
        sizes("nodes", cs.nodes);
        sizes("comparison_nodes", cs.comparison_nodes);
        w.key("refinement").begin_array();
        for (const QuadratureLevel& l : cs.levels) {
            w.begin_object();
            sizes("nodes", l.nodes);
            w.key("iterations").value(l.iterations);
            w.key("iteration_bound").value(l.iteration_bound);
            w.key("change");
            l.change ? w.value(*l.change) : w.null();
            w.end_object();
        }
        w.end_array();
    } else {
        w.key("samples").value(c.samples);
        w.key("seed").value(c.seed);
        w.key("mc_std_error_method").value(cs.mc_std_error_exact ? "propagated" : "upper bound");
    }
    w.key("states").begin_array();
    for (const auto& n : m.state_names) w.value(n);
    w.end_array();
    per_state("values", sol.values);
    if (mc) {
        per_state("mc_std_error", cs.mc_std_error);
        per_state("mc_backup_std_error", cs.mc_backup_std_error);
    }
    w.end_object();
}

std::vector<double> read_result_values(const std::filesystem::path& file, const Model& m) {
    const auto j = read_json_file(file);
    const std::string src = file.string();
    if (!j.is_object() || format_of(j) != "softmdp-result/1")
        throw InputError("not a softmdp-result/1 file (\"format\" must be \"softmdp-result/1\")", Location{src, {}, {}, "format"});
    if (!j.contains("values") || !j["values"].is_array())
        throw InputError("missing array 'values'", Location{src, {}, {}, "values"});
    const auto& v = j["values"];
    if (v.size() != m.num_states())
        throw InputError(fmt::format("has {} values, the model has {} states", v.size(), m.num_states()),
                         Location{src, {}, {}, "values"});
    if (j.contains("states") && j["states"].is_array() && j["states"].size() == m.num_states()) {
        for (std::size_t s = 0; s < m.num_states(); ++s)
            if (!j["states"][s].is_string() || j["states"][s].get<std::string>() != m.state_name(s))
                throw InputError(fmt::format("state {} is named '{}' here but '{}' in the model: a result for another MDP?", s,
                                             j["states"][s].dump(), m.state_name(s)),
                                 Location{src, {}, {}, fmt::format("states[{}]", s)});
    }
    std::vector<double> out(m.num_states());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (!v[s].is_number())
            throw InputError(fmt::format("must be a number, got {}", v[s].dump()), Location{src, {}, {}, fmt::format("values[{}]", s)});
        out[s] = v[s].get<double>();
    }
    return out;
}

}  // namespace softmdp
