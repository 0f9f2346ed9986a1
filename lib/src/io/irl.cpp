#include "softmdp/io/irl.hpp"

#include "softmdp/io/result.hpp"

namespace softmdp {

void write_irl(JsonWriter& w, const IrlResult& res, const Features& phi, const IrlOptions& opt) {
    const Model& m = *res.model;
    const std::size_t S = m.num_states(), R = m.num_rows();
    w.begin_object();
    w.key("format").value("softmdp-irl/1");
    w.key("model").value(m.name());
    w.key("discount").value(m.discount());
    w.key("alpha").value(opt.alpha);
    w.key("horizon");
    if (opt.horizon > 0) w.value(opt.horizon);
    else w.null();
    w.key("optimizer").value(opt.optimizer == IrlOptimizer::lbfgs ? "lbfgs" : "gradient");
    w.key("l2").value(opt.l2);
    if (!opt.prior.empty()) w.key("prior").value(opt.prior_source);  // absent: no prior (entropy regularisation)
    w.key("converged").value(res.converged);
    w.key("stop").value(to_string(res.stop));
    w.key("reason").value(res.reason);
    w.key("iterations").value(res.iterations);
    w.key("evaluations").value(res.evaluations);
    w.key("seconds").value(res.seconds);
    w.key("features").value(phi.kind() == Features::Kind::one_hot ? "one_hot" : phi.kind() == Features::Kind::per_state ? "state" : "state_action");
    w.key("feature_names").begin_array();
    if (phi.kind() != Features::Kind::one_hot)
        for (std::size_t k = 0; k < phi.count(); ++k) w.value(phi.name(k));
    w.end_array();
    const auto list = [&](const char* key, std::span<const double> v) {
        w.key(key).begin_array();
        for (double x : v) w.value(x);
        w.end_array();
    };
    list("weights", res.weights);
    list("demonstrated_features", res.demonstrated_features);
    list("learned_features", res.learned_features);
    write_names(w, m);
    w.key("reward");
    write_per_action(w, m, res.reward, true);
    // Discounted: the stationary policy and V; finite horizon: pi_0 and V_0 (the first step's).
    w.key("policy");
    write_per_action(w, m, std::span<const double>(res.policy).first(R), false);
    list("values", std::span<const double>(res.values).first(S));
    w.key("curve").begin_array();
    for (const auto& p : res.curve) {
        w.begin_object();
        w.key("iteration").value(p.iteration);
        w.key("log_likelihood").value(p.log_likelihood);
        w.key("objective").value(p.objective);
        w.key("feature_gap").value(p.feature_gap);
        w.key("gradient_norm").value(p.gradient_norm);
        w.key("seconds").value(p.seconds);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

}  // namespace softmdp
