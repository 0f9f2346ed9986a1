#include "softmdp/io/occupancy.hpp"

#include "softmdp/io/result.hpp"

namespace softmdp {

void write_occupancy(JsonWriter& w, const Model& m, const Occupancy& occ, const OccupancySummary& summary, std::span<const double> pi,
                     const std::string& policy_source, std::optional<double> alpha) {
    w.begin_object();
    w.key("format").value("softmdp-occupancy/1");
    w.key("model").value(m.name());
    w.key("discount").value(m.discount());
    w.key("horizon");
    if (occ.horizon) w.value(*occ.horizon);
    else w.null();
    w.key("policy_source").value(policy_source);
    w.key("alpha");
    if (alpha) w.value(*alpha);
    else w.null();
    w.key("method").value(occ.method);
    w.key("converged").value(occ.converged);
    w.key("error_bound");
    if (occ.error_bound) w.value(*occ.error_bound);
    else w.null();
    w.key("sweeps").value(occ.sweeps);
    w.key("seconds").value(occ.seconds);
    w.key("reason").value(occ.reason);
    w.key("total").value(summary.total);
    w.key("expected_return").value(summary.expected_return);
    w.key("state_names").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s) w.value(m.state_name(s));
    w.end_array();
    w.key("action_names").begin_array();
    for (std::size_t a = 0; a < m.num_actions(); ++a) w.value(m.action_name(a));
    w.end_array();
    w.key("states").begin_array();
    for (double x : occ.states) w.value(x);
    w.end_array();
    w.key("state_actions");
    write_per_action(w, m, occ.state_actions, true);
    w.key("policy");
    write_per_action(w, m, pi, false);
    w.end_object();
}

}  // namespace softmdp
