#include "softmdp/policy.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/errors.hpp"
#include "softmdp/loader.hpp"
#include "softmdp/policy_evaluation.hpp"
#include "softmdp/soft_operators.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi[r] = 1.0 / static_cast<double>(m.num_available(s));
    return pi;
}

std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const auto n = m.num_available(s);
        if (n == 0) continue;
        softmax_policy(q.subspan(m.row_first(s), n), alpha, std::span<double>(pi).subspan(m.row_first(s), n));
    }
    return pi;
}

std::vector<double> greedy_policy(const Model& m, std::span<const double> q) { return softmax_policy(m, q, 0.0); }

namespace {

std::size_t find_name(std::span<const std::string> names, std::size_t count, const std::string& key) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == key) return i;
    if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos && key.size() < 10) {
        const auto i = std::stoul(key);
        if (i < count) return i;
    }
    return count;
}

}  // namespace

std::vector<double> read_policy(const std::filesystem::path& file, const Model& m) {
    const auto j = read_json_file(file);
    const std::string src = file.string();
    const auto where = [&](const std::string& entry, const std::string& field) { return Location{src, {}, entry, field}; };
    if (!j.is_object()) throw InputError("must be a JSON object", where({}, {}));
    const std::string format = format_of(j);
    if (format != "softmdp-policy/1" && format != "softmdp-result/1")
        throw InputError(fmt::format("\"format\" must be \"softmdp-policy/1\" (or a softmdp-result/1 file), got \"{}\"", format),
                         where({}, "format"));
    if (!j.contains("policy")) throw InputError("missing key 'policy'", where({}, "policy"));
    const auto& p = j["policy"];
    std::vector<const nlohmann::json*> per_state(m.num_states(), nullptr);
    if (p.is_array()) {
        if (p.size() != m.num_states())
            throw InputError(fmt::format("has {} states, the model has {}: a policy for another MDP?", p.size(), m.num_states()),
                             where({}, "policy"));
        for (std::size_t s = 0; s < m.num_states(); ++s) per_state[s] = &p[s];
    } else if (p.is_object()) {
        for (const auto& [name, v] : p.items()) {
            const std::size_t s = find_name(m.state_names(), m.num_states(), name);
            if (s == m.num_states()) throw InputError(fmt::format("unknown state '{}'", name), where({}, "policy." + name));
            per_state[s] = &v;
        }
    } else {
        throw InputError("must be an array over states or an object {state: ...}", where({}, "policy"));
    }
    std::vector<double> pi(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const std::string entry = fmt::format("policy for state {}", m.state_name(s));
        const nlohmann::json* v = per_state[s];
        if (m.is_terminal(s)) continue;
        if (!v || v->is_null()) throw InputError("missing (the state is not terminal)", where(entry, {}));
        std::vector<double> over(m.num_actions(), 0.0);
        if (v->is_array()) {
            if (v->size() != m.num_actions())
                throw InputError(fmt::format("has {} probabilities, the model has {} actions", v->size(), m.num_actions()),
                                 where(entry, {}));
            for (std::size_t a = 0; a < m.num_actions(); ++a) {
                if (!(*v)[a].is_number())
                    throw InputError(fmt::format("must be a number, got {}", (*v)[a].dump()), where(entry, m.action_name(a)));
                over[a] = (*v)[a].get<double>();
            }
        } else if (v->is_object()) {
            for (const auto& [name, x] : v->items()) {
                const std::size_t a = find_name(m.action_names(), m.num_actions(), name);
                if (a == m.num_actions()) throw InputError(fmt::format("unknown action '{}'", name), where(entry, name));
                if (!x.is_number()) throw InputError(fmt::format("must be a number, got {}", x.dump()), where(entry, name));
                over[a] = x.get<double>();
            }
        } else {
            throw InputError("must be an array of probabilities or an object {action: probability}", where(entry, {}));
        }
        Offset r = m.row_first(s);
        for (ActionId a = 0; a < m.num_actions(); ++a) {
            if (r < m.row_last(s) && m.row_action(r) == a) {
                pi[r++] = over[a];
            } else if (over[a] != 0.0) {
                throw InputError(fmt::format("gives probability {} to an action not available in this state", over[a]),
                                 where(entry, m.action_name(a)));
            }
        }
    }
    check_policy(m, pi, src);
    return pi;
}

}  // namespace softmdp
