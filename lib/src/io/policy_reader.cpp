#include "softmdp/io/policy_reader.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"

namespace softmdp {

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

// The per-state entries of j[key]: an array over all states, or an object {state name or index: ...}
// (states not listed: nullptr). Throws InputError.
std::vector<const nlohmann::json*> state_entries(const nlohmann::json& j, const std::string& key, const Model& m,
                                                 const std::string& src) {
    const auto where = [&](const std::string& field) { return Location{src, {}, {}, field}; };
    if (!j.contains(key)) throw InputError(fmt::format("missing key '{}'", key), where(key));
    const auto& p = j[key];
    std::vector<const nlohmann::json*> per_state(m.num_states(), nullptr);
    if (p.is_array()) {
        if (p.size() != m.num_states())
            throw InputError(fmt::format("has {} states, the model has {}: a {} for another MDP?", p.size(), m.num_states(), key),
                             where(key));
        for (std::size_t s = 0; s < m.num_states(); ++s) per_state[s] = &p[s];
    } else if (p.is_object()) {
        for (const auto& [name, v] : p.items()) {
            const std::size_t s = find_name(m.state_names(), m.num_states(), name);
            if (s == m.num_states()) throw InputError(fmt::format("unknown state '{}'", name), where(key + "." + name));
            per_state[s] = &v;
        }
    } else {
        throw InputError("must be an array over states or an object {state: ...}", where(key));
    }
    return per_state;
}

// Reads a JSON object file of one of the given formats.
nlohmann::json read_format(const std::filesystem::path& file, std::initializer_list<std::string_view> formats) {
    auto j = read_json_file(file);
    const auto where = [&](const std::string& field) { return Location{file.string(), {}, {}, field}; };
    if (!j.is_object()) throw InputError("must be a JSON object", where({}));
    const std::string format = format_of(j);
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
        throw InputError(fmt::format("\"format\" must be \"{}\", got \"{}\"", fmt::join(formats, "\" or \""), format), where("format"));
    return j;
}

}  // namespace

std::vector<double> read_state_weights(const std::filesystem::path& file, const Model& m) {
    const auto j = read_format(file, {"softmdp-weights/1"});
    const std::string src = file.string();
    const auto per_state = state_entries(j, "weights", m, src);
    std::vector<double> w(m.num_states(), 0.0);
    double largest = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const nlohmann::json* v = per_state[s];
        if (!v || v->is_null()) continue;
        if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0.0)
            throw InputError(fmt::format("must be a finite number >= 0, got {}", v->dump()),
                             Location{src, {}, {}, fmt::format("weights.{}", m.state_name(s))});
        w[s] = v->get<double>();
        largest = std::max(largest, w[s]);
    }
    if (!(largest > 0.0)) throw InputError("the weights sum to 0: give some state a positive weight", Location{src, {}, {}, "weights"});
    // Divide by the largest weight first: weights near 1e308 would sum to inf and all become 0
    // (residuals exactly 0). Scaled, each is <= 1 and the sum <= S, so nothing overflows.
    double sum = 0.0;
    for (double& x : w) sum += (x /= largest);
    for (double& x : w) x /= sum;
    return w;
}

std::vector<double> read_policy(const std::filesystem::path& file, const Model& m) {
    const auto j = read_format(file, {"softmdp-policy/1", "softmdp-result/1", "softmdp-irl/1"});
    const std::string src = file.string();
    const auto where = [&](const std::string& entry, const std::string& field) { return Location{src, {}, entry, field}; };
    const auto per_state = state_entries(j, "policy", m, src);
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
