#include "softmdp/io/result.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/analysis/residuals.hpp"

namespace softmdp {

void write_per_action(JsonWriter& w, const Model& m, std::span<const double> per_row, bool null_unavailable) {
    w.begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        w.begin_array();
        Offset r = m.row_first(s);
        for (ActionId a = 0; a < m.num_actions(); ++a) {
            if (r < m.row_last(s) && m.row_action(r) == a) w.value(per_row[r++]);
            else if (null_unavailable) w.null();
            else w.value(0.0);
        }
        w.end_array();
    }
    w.end_array();
}

void write_solver_fields(JsonWriter& w, const std::string& model_name, double discount, const Solution& sol,
                         double objective_value) {
    w.key("format").value("softmdp-result/1");
    w.key("model").value(model_name);
    w.key("method").value(sol.method);
    w.key("alpha").value(sol.alpha);
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

void write_result_fields(JsonWriter& w, const Model& m, const Solution& sol) {
    write_solver_fields(w, m.name(), m.discount(), sol, objective(m, sol.values));
    // max |alpha log pi - (Q - V)|: 0 when the policy is exactly pi* = exp((Q - V)/alpha).
    w.key("policy_residual").value(policy_residual(m, sol.q, sol.values, sol.policy, sol.alpha));
    write_names(w, m);
    w.key("values").begin_array();
    for (double v : sol.values) w.value(v);
    w.end_array();
    w.key("q");
    write_per_action(w, m, sol.q, true);
    w.key("policy");
    write_per_action(w, m, sol.policy, false);
    w.key("entropy").begin_array();
    for (double h : policy_entropy(m, sol.policy)) w.value(h);
    w.end_array();
    w.key("greedy").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) {
            w.null();
            continue;
        }
        Offset best = m.row_first(s);
        for (Offset r = best + 1; r < m.row_last(s); ++r)
            if (sol.q[r] > sol.q[best]) best = r;
        w.value(m.action_name(m.row_action(best)));
    }
    w.end_array();
}

void write_result(JsonWriter& w, const Model& m, const Solution& sol) {
    w.begin_object();
    write_result_fields(w, m, sol);
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
