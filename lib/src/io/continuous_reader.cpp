#include "softmdp/io/continuous_reader.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "softmdp/core/errors.hpp"
#include "../core/fast_math.hpp"
#include "softmdp/io/loader.hpp"

namespace softmdp {

using json = nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& file, const std::string& entry, const std::string& field, const std::string& msg) {
    throw InputError(msg, Location{file, std::nullopt, entry, field});
}

double finite_number(const json& v, const std::string& file, const std::string& entry, const std::string& field) {
    if (!v.is_number()) bad(file, entry, field, fmt::format("must be a number, got {}", v.dump()));
    const double x = v.get<double>();
    if (!std::isfinite(x)) bad(file, entry, field, "must be finite");
    return x;
}

std::vector<double> vector_of(const json& v, const std::string& file, const std::string& entry, const std::string& field) {
    if (!v.is_array() || v.empty()) bad(file, entry, field, fmt::format("must be a non-empty array of numbers, got {}", v.dump()));
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(finite_number(v[i], file, entry, fmt::format("{}[{}]", field, i)));
    return out;
}

}  // namespace

constexpr std::string_view kActionSpaceKey = "\"action_space\"";

bool is_continuous_text(std::string_view text) { return text.find(kActionSpaceKey) != std::string_view::npos; }

bool is_continuous(const MappedFile& file) {
    // Binary models (UMB, PETSc, npz) are discrete; they are not searched.
    return detect_model_format(file.text()) == ModelFormat::softmdp && file.contains(kActionSpaceKey);
}

bool is_continuous_file(const std::filesystem::path& file) { return is_continuous(MappedFile(file, kJsonObject)); }

ContinuousModel load_continuous_model(const std::filesystem::path& path) {
    const MappedFile mapped(path, kJsonObject);
    return parse_continuous_model(mapped.text(), path.string());
}

namespace {
ContinuousModel parse_continuous_unlocated(std::string_view text, const std::string& file) {
    const json j = parse_json_text(text, file);
    if (!j.is_object()) bad(file, {}, {}, "must be a JSON object");
    static const char* known[] = {"format", "name", "description", "discount", "states", "initial",
                                  "action_space", "bandwidth", "action_cost", "anchors"};
    for (const auto& [key, v] : j.items()) {
        bool ok = false;
        for (const char* k : known) ok |= key == k;
        if (!ok) {
            if (key == "actions" || key == "transitions")
                bad(file, {}, key, "a continuous-action file has action_space and anchors instead of actions and transitions");
            bad(file, {}, key, fmt::format("unknown key '{}'", key));
        }
    }
    for (const char* k : {"format", "discount", "states", "action_space", "bandwidth", "anchors"})
        if (!j.contains(k)) bad(file, {}, k, fmt::format("missing key '{}'", k));
    if (j["format"] != "softmdp/1") bad(file, {}, "format", fmt::format("must be \"softmdp/1\", got {}", j["format"].dump()));
    ContinuousModel m;
    if (j.contains("name")) {
        if (!j["name"].is_string()) bad(file, {}, "name", "must be a string");
        m.name = j["name"].get<std::string>();
    }
    m.discount = finite_number(j["discount"], file, {}, "discount");
    if (m.discount < 0.0 || m.discount >= 1.0)
        bad(file, {}, "discount", fmt::format("must be in [0, 1) for continuous-action files, got {}", m.discount));
    const json& st = j["states"];
    if (st.is_number_unsigned()) {
        const auto n = st.get<std::uint64_t>();
        if (n == 0) bad(file, {}, "states", "the state set is empty");
        if (n > 10'000'000) bad(file, {}, "states", fmt::format("{} states is more than this format supports (10^7)", n));
        for (std::uint64_t i = 0; i < n; ++i) m.state_names.push_back(std::to_string(i));
    } else if (st.is_array()) {
        if (st.empty()) bad(file, {}, "states", "the state set is empty");
        std::unordered_map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < st.size(); ++i) {
            if (!st[i].is_string() || st[i].get<std::string>().empty())
                bad(file, {}, fmt::format("states[{}]", i), "names must be non-empty strings");
            if (!seen.emplace(st[i].get<std::string>(), i).second)
                bad(file, {}, fmt::format("states[{}]", i), fmt::format("duplicate name '{}'", st[i].get<std::string>()));
            m.state_names.push_back(st[i].get<std::string>());
        }
    } else {
        bad(file, {}, "states", "must be a positive count or an array of names");
    }
    const std::size_t S = m.num_states();
    const auto state_ref = [&](const json& v, const std::string& entry, const std::string& field) -> std::uint32_t {
        if (v.is_number_unsigned()) {
            if (v.get<std::uint64_t>() >= S)
                bad(file, entry, field, fmt::format("state index {} is out of range (there are {} states)", v.get<std::uint64_t>(), S));
            return static_cast<std::uint32_t>(v.get<std::uint64_t>());
        }
        if (v.is_string()) {
            for (std::size_t s = 0; s < S; ++s)
                if (m.state_names[s] == v.get<std::string>()) return static_cast<std::uint32_t>(s);
            bad(file, entry, field, fmt::format("unknown state name '{}'", v.get<std::string>()));
        }
        bad(file, entry, field, fmt::format("must be a state index or name, got {}", v.dump()));
    };

    const json& box = j["action_space"];
    if (!box.is_object() || !box.contains("low") || !box.contains("high"))
        bad(file, {}, "action_space", "must be an object {\"low\": [...], \"high\": [...]}");
    m.low = vector_of(box["low"], file, {}, "action_space.low");
    m.high = vector_of(box["high"], file, {}, "action_space.high");
    if (m.low.size() != m.high.size())
        bad(file, {}, "action_space", fmt::format("low has {} dimensions but high has {}", m.low.size(), m.high.size()));
    for (std::size_t i = 0; i < m.dim(); ++i)
        if (!(m.low[i] < m.high[i]))
            bad(file, {}, fmt::format("action_space.low[{}]", i), fmt::format("low {} must be < high {}", m.low[i], m.high[i]));
    m.bandwidth = finite_number(j["bandwidth"], file, {}, "bandwidth");
    if (!(m.bandwidth > 0.0)) bad(file, {}, "bandwidth", fmt::format("must be > 0, got {}", m.bandwidth));
    if (j.contains("action_cost")) {
        m.action_cost = finite_number(j["action_cost"], file, {}, "action_cost");
        if (m.action_cost < 0.0) bad(file, {}, "action_cost", fmt::format("must be >= 0, got {}", m.action_cost));
    }

    m.initial.assign(S, 1.0 / static_cast<double>(S));
    if (j.contains("initial")) {
        const json& ini = j["initial"];
        m.initial.assign(S, 0.0);
        if (ini.is_array()) {
            if (ini.size() != S) bad(file, {}, "initial", fmt::format("has {} probabilities for {} states", ini.size(), S));
            for (std::size_t s = 0; s < S; ++s) m.initial[s] = finite_number(ini[s], file, {}, fmt::format("initial[{}]", s));
        } else if (ini.is_object()) {
            for (const auto& [k, v] : ini.items()) m.initial[state_ref(json(k), {}, "initial." + k)] = finite_number(v, file, {}, "initial." + k);
        } else {
            bad(file, {}, "initial", "must be an array of probabilities or an object {state: probability}");
        }
        double total = 0.0;
        for (double p : m.initial) {
            if (p < 0.0) bad(file, {}, "initial", "probabilities must be >= 0");
            total += p;
        }
        if (std::abs(total - 1.0) > 1e-9) bad(file, {}, "initial", fmt::format("probabilities sum to {:.17g}, not 1", total));
    }

    const json& anchors = j["anchors"];
    if (!anchors.is_array()) bad(file, {}, "anchors", "must be an array of anchors");
    m.anchors.assign(S, {});
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        const json& e = anchors[i];
        std::string entry = fmt::format("anchors[{}]", i);
        if (!e.is_object()) bad(file, entry, {}, "must be an object {\"s\", \"at\", \"r\", \"next\"}");
        for (const auto& [key, v] : e.items())
            if (key != "s" && key != "at" && key != "r" && key != "next")
                bad(file, entry, key, fmt::format("unknown field '{}' (expected s, at, r, next)", key));
        for (const char* k : {"s", "at", "next"})
            if (!e.contains(k)) bad(file, entry, k, fmt::format("missing field '{}'", k));
        Anchor an;
        const std::uint32_t s = state_ref(e["s"], entry, "s");
        entry = fmt::format("anchors[{}] (s={})", i, m.state_names[s]);
        an.at = vector_of(e["at"], file, entry, "at");
        if (an.at.size() != m.dim())
            bad(file, entry, "at", fmt::format("has {} dimensions, the action space has {}", an.at.size(), m.dim()));
        if (e.contains("r")) an.reward = finite_number(e["r"], file, entry, "r");
        const json& next = e["next"];
        if (!next.is_array() || next.empty()) bad(file, entry, "next", "'next' must be a non-empty array of [to, p]");
        double sum = 0.0;
        for (std::size_t t = 0; t < next.size(); ++t) {
            const std::string field = fmt::format("next[{}]", t);
            if (!next[t].is_array() || next[t].size() != 2) bad(file, entry, field, "must be [to, p]");
            const std::uint32_t to = state_ref(next[t][0], entry, field + "[0]");
            const double p = finite_number(next[t][1], file, entry, field + "[1]");
            if (p < 0.0) bad(file, entry, field + "[1]", fmt::format("probability must be >= 0, got {}", p));
            sum += p;
            an.next.emplace_back(to, p);
        }
        if (std::abs(sum - 1.0) > 1e-9) bad(file, entry, "next", fmt::format("probabilities sum to {:.17g}, not 1", sum));
        if (m.anchors[s].size() >= 4096) bad(file, entry, "s", "more than 4096 anchors for one state");
        m.anchors[s].push_back(std::move(an));
    }
    return m;
}
}  // namespace

// Errors about an anchor or a top-level key gain their line, as the discrete loader's do.
ContinuousModel parse_continuous_model(std::string_view text, const std::string& file) {
    try {
        return parse_continuous_unlocated(text, file);
    } catch (const InputError& e) {
        throw_located(text, e);
    }
}

std::vector<double> read_continuous_values(const std::filesystem::path& file, const ContinuousModel& m) {
    const json j = read_json_file(file);
    const std::string src = file.string();
    if (!j.is_object() || format_of(j) != "softmdp-result/1")
        throw InputError("not a softmdp-result/1 file", Location{src, {}, {}, "format"});
    if (!j.contains("values") || !j["values"].is_array() || j["values"].size() != m.num_states())
        throw InputError(fmt::format("needs an array 'values' of {} numbers (one per state of the model)", m.num_states()),
                         Location{src, {}, {}, "values"});
    if (j.contains("states") && j["states"].is_array() && j["states"].size() == m.num_states())
        for (std::size_t s = 0; s < m.num_states(); ++s)
            if (j["states"][s] != m.state_names[s])
                throw InputError(fmt::format("state {} is {} here but '{}' in the model: a result for another MDP?", s,
                                             j["states"][s].dump(), m.state_names[s]),
                                 Location{src, {}, {}, fmt::format("states[{}]", s)});
    std::vector<double> V;
    for (std::size_t s = 0; s < m.num_states(); ++s) V.push_back(finite_number(j["values"][s], src, {}, fmt::format("values[{}]", s)));
    return V;
}

}  // namespace softmdp
