#include "softmdp/io/features.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"

namespace softmdp {

Features read_features(const std::filesystem::path& file, const Model& m) {
    const auto j = read_json_file(file);
    const std::string src = file.string();
    const auto fail = [&](const std::string& msg, const std::string& entry, const std::string& field) {
        return InputError(msg, Location{src, {}, entry, field});
    };
    if (!j.is_object()) throw fail("must be a JSON object", {}, {});
    if (format_of(j) != "softmdp-features/1")
        throw fail(fmt::format("\"format\" must be \"softmdp-features/1\", got \"{}\"", format_of(j)), {}, "format");
    const std::string per = j.contains("per") && j["per"].is_string() ? j["per"].get<std::string>() : "";
    if (per != "state" && per != "state_action") throw fail("\"per\" must be \"state\" or \"state_action\"", {}, "per");
    const bool by_state = per == "state";
    if (!j.contains("features") || !j["features"].is_array() || j["features"].size() != m.num_states())
        throw fail(fmt::format("must be an array over the model's {} states", m.num_states()), {}, "features");
    const auto& f = j["features"];
    std::size_t K = 0;
    std::vector<std::string> names;
    if (j.contains("names")) {
        if (!j["names"].is_array()) throw fail("must be an array of strings", {}, "names");
        for (const auto& n : j["names"]) {
            if (!n.is_string()) throw fail("must be an array of strings", {}, "names");
            names.push_back(n.get<std::string>());
        }
        K = names.size();
    }
    std::vector<double> table;
    const auto read_vector = [&](const nlohmann::json& v, const std::string& entry, const std::string& field) {
        if (!v.is_array()) throw fail("must be an array of feature values", entry, field);
        if (K == 0) K = v.size();
        if (K == 0 || v.size() != K) throw fail(fmt::format("has {} values, expected {} features", v.size(), K), entry, field);
        for (std::size_t k = 0; k < K; ++k) {
            if (!v[k].is_number() || !std::isfinite(v[k].get<double>()))
                throw fail(fmt::format("must be a finite number, got {}", v[k].dump()), entry, fmt::format("{}[{}]", field, k));
            table.push_back(v[k].get<double>());
        }
    };
    // A terminal state (no actions) never carries a reward: its entry may be null, and is skipped.
    const auto zeros = [&] { table.insert(table.end(), K, 0.0); };
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const std::string entry = fmt::format("features for state {}", m.state_name(s));
        if (by_state) {
            if (f[s].is_null() && m.is_terminal(s)) {
                if (K == 0) throw fail("the first state's features must be given (or \"names\")", entry, {});
                zeros();
            } else {
                read_vector(f[s], entry, {});
            }
            continue;
        }
        if (f[s].is_null() && m.is_terminal(s)) continue;
        if (!f[s].is_array() || f[s].size() != m.num_actions())
            throw fail(fmt::format("must be an array over the model's {} actions", m.num_actions()), entry, {});
        for (ActionId a = 0; a < m.num_actions(); ++a) {
            const bool available = m.find_row(s, a) != m.num_rows();
            if (!available) {
                if (!f[s][a].is_null()) throw fail("must be null: the action is not available here", entry, m.action_name(a));
                continue;
            }
            read_vector(f[s][a], entry, m.action_name(a));
        }
    }
    if (K == 0) throw fail("no features", {}, "features");
    return Features(m, by_state ? Features::Kind::per_state : Features::Kind::per_state_action, K, std::move(table), std::move(names));
}

}  // namespace softmdp
