#include "softmdp/io/trajectories.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/result.hpp"

namespace softmdp {

void write_trajectories(JsonWriter& w, const Model& m, std::span<const Trajectory> episodes, const TrajectoriesInfo& info) {
    w.begin_object();
    w.key("format").value("softmdp-trajectories/1");
    w.key("model").value(m.name());
    w.key("discount").value(m.discount());
    w.key("policy_source").value(info.policy_source);
    w.key("alpha");
    if (info.alpha) w.value(*info.alpha);
    else w.null();
    w.key("episodes").value(static_cast<std::uint64_t>(episodes.size()));
    w.key("horizon").value(info.options.horizon);
    w.key("seed").value(info.options.seed);
    std::uint64_t steps = 0;
    double mean = 0.0;
    for (const auto& e : episodes) steps += e.states.size(), mean += e.discounted_return;
    w.key("steps").value(steps);
    w.key("mean_return").value(episodes.empty() ? 0.0 : mean / static_cast<double>(episodes.size()));
    write_names(w, m);
    w.key("trajectories").begin_array();
    for (const auto& e : episodes) {
        w.begin_object();
        w.key("states").begin_array();
        for (StateId s : e.states) w.value(static_cast<std::uint64_t>(s));
        w.end_array();
        w.key("actions").begin_array();
        for (ActionId a : e.actions) w.value(static_cast<std::uint64_t>(a));
        w.end_array();
        w.key("final_state").value(static_cast<std::uint64_t>(e.final_state));
        w.key("terminated").value(e.terminated);
        w.key("return").value(e.discounted_return);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

namespace {

// An index (integer) or a name among `names`; `count` past the end when neither.
std::size_t index_of(const nlohmann::json& v, std::span<const std::string> names, std::size_t count) {
    if (v.is_number_unsigned()) return std::min<std::size_t>(v.get<std::uint64_t>(), count);
    if (v.is_string()) {
        const auto& key = v.get_ref<const std::string&>();
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == key) return i;
    }
    return count;
}

}  // namespace

Demonstrations read_demonstrations(const std::filesystem::path& file, const Model& m) {
    const auto j = read_json_file(file);
    const std::string src = file.string();
    const auto fail = [&](const std::string& msg, const std::string& entry, const std::string& field) -> InputError {
        return InputError(msg, Location{src, {}, entry, field});
    };
    if (!j.is_object()) throw fail("must be a JSON object", {}, {});
    if (format_of(j) != "softmdp-trajectories/1")
        throw fail(fmt::format("\"format\" must be \"softmdp-trajectories/1\", got \"{}\"", format_of(j)), {}, "format");
    Demonstrations demos;
    const std::size_t S = m.num_states(), A = m.num_actions();
    if (j.contains("trajectories")) {
        const auto& list = j["trajectories"];
        if (!list.is_array()) throw fail("must be an array of trajectories", {}, "trajectories");
        for (std::size_t k = 0; k < list.size(); ++k) {
            const auto& e = list[k];
            const std::string entry = fmt::format("trajectories[{}]", k);
            Trajectory tr;
            const auto add = [&](const nlohmann::json& sv, const nlohmann::json& av, const std::string& field) {
                const std::size_t s = index_of(sv, m.state_names(), S);
                if (s >= S) throw fail(fmt::format("unknown state {}", sv.dump()), entry, field);
                const std::size_t a = index_of(av, m.action_names(), A);
                if (a >= A) throw fail(fmt::format("unknown action {}", av.dump()), entry, field);
                if (m.find_row(s, static_cast<ActionId>(a)) == m.num_rows())
                    throw fail(fmt::format("action {} is not available in state {}", m.action_name(a), m.state_name(s)), entry, field);
                tr.states.push_back(static_cast<StateId>(s));
                tr.actions.push_back(static_cast<ActionId>(a));
            };
            if (e.is_object()) {
                if (!e.contains("states") || !e["states"].is_array()) throw fail("missing array \"states\"", entry, "states");
                if (!e.contains("actions") || !e["actions"].is_array()) throw fail("missing array \"actions\"", entry, "actions");
                const auto &ss = e["states"], &as = e["actions"];
                if (ss.size() != as.size())
                    throw fail(fmt::format("{} states and {} actions: give one action per state", ss.size(), as.size()), entry, "actions");
                for (std::size_t t = 0; t < ss.size(); ++t) add(ss[t], as[t], fmt::format("states[{}]/actions[{}]", t, t));
            } else if (e.is_array()) {
                for (std::size_t t = 0; t < e.size(); ++t) {
                    if (!e[t].is_array() || e[t].size() != 2) throw fail("must be a [state, action] pair", entry, fmt::format("[{}]", t));
                    add(e[t][0], e[t][1], fmt::format("[{}]", t));
                }
            } else {
                throw fail("must be an object {\"states\", \"actions\"} or an array of [state, action] pairs", entry, {});
            }
            demos.trajectories.push_back(std::move(tr));
        }
        if (demos.trajectories.empty()) throw fail("no trajectories", {}, "trajectories");
        return demos;
    }
    if (!j.contains("counts")) throw fail("needs \"trajectories\" or \"counts\"", {}, {});
    const auto& c = j["counts"];
    if (!c.is_array() || c.size() != S)
        throw fail(fmt::format("must be an array over the model's {} states", S), {}, "counts");
    demos.counts.assign(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < S; ++s) {
        const std::string entry = fmt::format("counts for state {}", m.state_name(s));
        if (c[s].is_null() && m.is_terminal(s)) continue;
        if (!c[s].is_array() || c[s].size() != A) throw fail(fmt::format("must be an array over the model's {} actions", A), entry, {});
        for (std::size_t a = 0; a < A; ++a) {
            const auto& v = c[s][a];
            const Offset row = m.find_row(s, static_cast<ActionId>(a));
            if (v.is_null() || (v.is_number() && v.get<double>() == 0.0 && row == m.num_rows())) continue;
            if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0.0)
                throw fail(fmt::format("must be a finite number >= 0, got {}", v.dump()), entry, m.action_name(a));
            if (row == m.num_rows()) throw fail("counts an action not available in this state", entry, m.action_name(a));
            demos.counts[row] = v.get<double>();
        }
    }
    return demos;
}

}  // namespace softmdp
