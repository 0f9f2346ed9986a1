// The streaming softmdp/1 loader: accepted forms, and every kind of error with its location.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <csignal>
#include <cmath>
#include <fmt/format.h>
#include <random>
#include <string>
#include <thread>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/generators.hpp"
#include "softmdp/io/loader.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;

namespace {

const std::string kHead = R"("format": "softmdp/1", "discount": 0.9, "states": ["x", "y"], "actions": ["l", "r"])";

std::string mdp(const std::string& transitions, const std::string& extra = "") {
    return "{" + kHead + extra + R"(, "transitions": )" + transitions + "}";
}

// Parses text that must fail; returns the message.
std::string error_of(const std::string& text, const BuildOptions& opt = {}) {
    try {
        parse_model(text, opt, "t.json");
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no error for: " << text);
    return {};
}

}  // namespace

TEST_CASE("a valid file: names, indices, per-successor rewards, terminal states, initial") {
    const Model m = parse_model(mdp(R"([
        {"s": "x", "a": "r", "r": 1.0, "next": [["y", 0.75, 2.0], [0, 0.25]]},
        {"s": 0, "a": 0, "next": [["x", 1.0]]}])",
                                    R"(, "initial": {"y": 0.25, "x": 0.75}, "name": "tiny")"));
    CHECK(m.name() == "tiny");
    CHECK(m.num_states() == 2);
    CHECK(m.num_actions() == 2);
    CHECK(m.num_rows() == 2);
    CHECK(m.is_terminal(1));
    CHECK_FALSE(m.is_terminal(0));
    // Rows are sorted by action: (x, l) then (x, r).
    CHECK(m.row_action(0) == 0);
    CHECK(m.row_action(1) == 1);
    CHECK(m.row_reward(1) == doctest::Approx(1.0 + 0.75 * 2.0));  // r + sum p r_to
    CHECK(m.find_row(0, 1) == 1);
    CHECK(m.find_row(1, 0) == m.num_rows());
    CHECK(m.initial()[0] == 0.75);
    CHECK(m.initial()[1] == 0.25);
}

TEST_CASE("keys in any order: transitions before the names they use") {
    const Model m = parse_model(R"({"transitions": [{"s": "b", "a": "go", "next": [["a", 1]]}],
        "format": "softmdp/1", "states": ["a", "b"], "actions": ["go"], "discount": 0.5})");
    CHECK(m.num_rows() == 1);
    CHECK(m.state_name(m.transitions(0)[0].next) == "a");
    CHECK(m.initial()[0] == 0.5);  // default: uniform
}

TEST_CASE("counts instead of names") {
    const Model m = parse_model(R"({"format": "softmdp/1", "discount": 0, "states": 3, "actions": 1,
        "initial": [1, 0, 0], "transitions": [{"s": 0, "a": 0, "next": [[2, 1]]}]})");
    CHECK(m.state_name(2) == "2");
    CHECK(m.num_terminal() == 2);
}

TEST_CASE("every error names the file, the entry and the field") {
    struct Case {
        std::string text, expected;
    };
    const Case cases[] = {
        {"{", "t.json:1: invalid JSON"},
        {"{\n\"format\": \"softmdp/1\",\n\"discount\": 0.9,,\n}", "t.json:3: invalid JSON"},
        {mdp("[]") + " trailing", "invalid JSON"},
        {mdp("[]").substr(0, 40), "invalid JSON"},
        {R"({"discount": 0.9, "states": 1, "actions": 1, "transitions": []})", "missing key 'format'"},
        {R"({"format": "softmdp/2", "discount": 0.9, "states": 1, "actions": 1, "transitions": []})", "field 'format'"},
        {R"({"format": "softmdp/1", "states": 1, "actions": 1, "transitions": []})", "missing key 'discount'"},
        {R"({"format": "softmdp/1", "discount": 0.9, "actions": 1, "transitions": []})", "missing key 'states'"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": 1, "transitions": []})", "missing key 'actions'"},
        {R"({"format": "softmdp/1", "discount": "high", "states": 1, "actions": 1})", "field 'discount': must be a number"},
        {R"({"format": "softmdp/1", "discount": -0.1, "states": 1, "actions": 1})", "discount must be in [0, 1]"},
        {R"({"format": "softmdp/1", "discount": 1.5, "states": 1, "actions": 1})", "discount must be in [0, 1]"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": 0, "actions": 1})", "the state set is empty"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": [], "actions": 1})", "the state set is empty"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": ["a", "a"], "actions": 1})", "field 'states[1]': duplicate name 'a'"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": [1], "actions": 1})", "field 'states[0]': names must be strings"},
        {R"({"format": "softmdp/1", "discount": 0.9, "states": 1.5, "actions": 1})", "must be a positive count or an array"},
        {R"({"format": "softmdp/1", "discount": 0.9, "stats": 1})", "unknown key 'stats'"},
        {mdp(R"({})"), "field 'transitions': must be an array"},
        {mdp(R"([[1]])"), "transitions[0] must be an object"},
        {mdp(R"([{"a": "l", "next": [["x", 1]]}])"), "transitions[0] (s=?, a=l): field 's': missing field 's'"},
        {mdp(R"([{"s": "x", "next": [["x", 1]]}])"), "transitions[0] (s=x, a=?): field 'a': missing field 'a'"},
        {mdp(R"([{"s": "x", "a": "l"}])"), "field 'next': 'next' is missing or empty"},
        {mdp(R"([{"s": "x", "a": "l", "next": []}])"), "'next' is missing or empty"},
        {mdp(R"([{"s": "z", "a": "l", "next": [["x", 1]]}])"), "transitions[0] (s=?, a=?): field 's': unknown state name 'z'"},
        {mdp(R"([{"s": "x", "a": "up", "next": [["x", 1]]}])"), "unknown action name 'up'"},
        {mdp(R"([{"s": 5, "a": "l", "next": [["x", 1]]}])"), "field 's': state index 5 is out of range (there are 2 states)"},
        {mdp(R"([{"s": -1, "a": "l", "next": [["x", 1]]}])"), "field 's': index must be >= 0"},
        {mdp(R"([{"s": 1.5, "a": "l", "next": [["x", 1]]}])"), "field 's': must be an index"},
        {mdp(R"([{"s": 1099511627776, "a": "l", "next": [["x", 1]]}])"), "index 1099511627776 is out of range"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["q", 1]]}])"), "field 'next[0][0]': unknown state name 'q'"},
        {mdp(R"([{"s": "x", "a": "l", "next": [[7, 1]]}])"), "field 'next[0][0]': state index 7 is out of range"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", -0.5], ["y", 1.5]]}])"), "field 'next[0][1]': probability must be finite and >= 0"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", 0.25], ["y", 0.25]]}])"), "field 'next': probabilities sum to 0.5"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", 1e400]]}])"), "invalid JSON"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", "1"]]}])"), "field 'next[0][1]': must be a number"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x"]]}])"), "field 'next[0]': must be [to, p] or [to, p, r]: too few"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", 1, 0, 0]]}])"), "too many elements"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", 1]], "p": 3}])"), "unknown field 'p'"},
        {mdp(R"([{"s": "x", "a": "l", "r": "big", "next": [["x", 1]]}])"), "field 'r': must be a number"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["x", 1]]}, {"s": "y", "a": "r", "next": [["x", 1]]}, {"s": "x", "a": "l", "next": [["y", 1]]}])"),
         "transitions[2] (s=x, a=l): field 'a': duplicate entry for (s=x, a=l): first given as transitions[0]"},
        {mdp("[]", R"(, "initial": [0.5, 0.6])"), "field 'initial': probabilities sum to 1.1"},
        {mdp("[]", R"(, "initial": [1])"), "field 'initial': has 1 probabilities for 2 states"},
        {mdp("[]", R"(, "initial": {"q": 1})"), "unknown state name 'q'"},
        {mdp("[]", R"(, "initial": "x")"), "field 'initial': must be an array"},
        {mdp("[]", R"(, "grid": {"rows": 3, "cols": 3})"), "grid 3x3 does not match 2 states"},
        // Zero dimensions lay out no state; rows x cols must not wrap (2^63 + 1 rows x 2 cols is 2 mod 2^64).
        {mdp("[]", R"(, "grid": {"rows": 2, "cols": 0})"), "field 'grid.cols': grid needs at least one column"},
        {mdp("[]", R"(, "grid": {"rows": 0, "cols": 0})"), "field 'grid.rows': grid needs at least one row"},
        {mdp("[]", R"(, "grid": {"rows": 9223372036854775809, "cols": 2})"), "grid 9223372036854775809x2 does not match 2 states"},
        {mdp("[]", R"(, "grid": {"rows": 1, "cols": 18446744073709551615})"), "does not match 2 states"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string msg = error_of(c.text);
        CHECK_MESSAGE(msg.find(c.expected) != std::string::npos, "got: " << msg);
        CHECK(msg.rfind("t.json", 0) == 0);
    }
}

TEST_CASE("--renormalize fixes drift up to 1e-6 and says so; larger errors stay errors") {
    const std::string drift = mdp(R"([{"s": "x", "a": "l", "next": [["x", 0.3333333], ["y", 0.6666666]]}])");
    CHECK(error_of(drift).find("probabilities sum to") != std::string::npos);
    std::string warning;
    BuildOptions opt;
    opt.renormalize = true;
    opt.warn = [&](const std::string& w) { warning = w; };
    const Model m = parse_model(drift, opt, "t.json");
    CHECK(m.transitions(0)[0].prob() + m.transitions(0)[1].prob() == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(warning.find("renormalised the successor probabilities of 1 entries") != std::string::npos);
    CHECK(error_of(mdp(R"([{"s": "x", "a": "l", "next": [["x", 0.5], ["y", 0.4]]}])"), opt).find("sum to 0.9") !=
          std::string::npos);
}

TEST_CASE("discount 1 only when every policy terminates") {
    const std::string proper = R"({"format": "softmdp/1", "discount": 1, "states": 3, "actions": 2, "transitions": [
        {"s": 0, "a": 0, "r": -1, "next": [[1, 1]]}, {"s": 0, "a": 1, "r": -1, "next": [[0, 0.5], [2, 0.5]]},
        {"s": 1, "a": 0, "r": -1, "next": [[2, 1]]}]})";
    CHECK(parse_model(proper).discount() == 1.0);
    const std::string cycle = R"({"format": "softmdp/1", "discount": 1, "states": 3, "actions": 2, "transitions": [
        {"s": 0, "a": 0, "next": [[1, 1]]}, {"s": 1, "a": 0, "next": [[0, 1]]}, {"s": 1, "a": 1, "next": [[2, 1]]}]})";
    const std::string msg = error_of(cycle);
    CHECK(msg.find("discount 1 needs every policy to reach a terminal state") != std::string::npos);
    CHECK(msg.find("from state 0") != std::string::npos);
}

TEST_CASE("files: missing, a directory, empty") {
    CHECK_THROWS_AS(load_model("/nonexistent/file.json"), IoError);
    CHECK_THROWS_AS(load_model("/tmp"), IoError);
    const auto dir = test::temp_dir("loader");
    test::write_file(dir / "empty.json", "");
    CHECK_THROWS_AS(load_model(dir / "empty.json"), InputError);
    test::write_file(dir / "ok.json", mdp("[]"));
    CHECK(load_model(dir / "ok.json").num_terminal() == 2);
}

TEST_CASE("every shipped example loads") {
    for (const auto& entry : std::filesystem::directory_iterator(test::source_path("mdps"))) {
        if (entry.path().extension() != ".json") continue;
        const std::string text(MappedFile(entry.path()).text());
        if (text.find("\"action_space\"") != std::string::npos) continue;  // continuous-action files
        CAPTURE(entry.path().string());
        CHECK_NOTHROW(load_model(entry.path()));
    }
}

// The fast scanner against the reference parser (nlohmann/json's SAX interface): both must build
// the same model from every spelling of a file, bit for bit.
namespace {

using ojson = nlohmann::ordered_json;

// Bit patterns, so that -0.0 and +0.0 differ.
std::vector<std::uint64_t> bits(const std::vector<double>& v) {
    std::vector<std::uint64_t> b(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) b[i] = std::bit_cast<std::uint64_t>(v[i]);
    return b;
}

void check_same(const Model& fast, const Model& reference) {
    const ModelData& x = fast.data();
    const ModelData& y = reference.data();
    CHECK(x.name == y.name);
    CHECK(std::bit_cast<std::uint64_t>(x.discount) == std::bit_cast<std::uint64_t>(y.discount));
    CHECK(x.num_states == y.num_states);
    CHECK(x.num_actions == y.num_actions);
    CHECK(x.state_names == y.state_names);
    CHECK(x.action_names == y.action_names);
    CHECK(bits(x.initial) == bits(y.initial));
    CHECK(x.grid_rows == y.grid_rows);
    CHECK(x.grid_cols == y.grid_cols);
    CHECK(x.state_begin == y.state_begin);
    CHECK(x.row_action == y.row_action);
    CHECK(bits(x.row_reward) == bits(y.row_reward));
    CHECK(x.row_begin == y.row_begin);
    CHECK(x.transitions.size() == y.transitions.size());
    for (std::size_t t = 0; t < std::min(x.transitions.size(), y.transitions.size()); ++t) {
        CHECK(x.transitions[t].next == y.transitions[t].next);
        CHECK(std::bit_cast<std::uint64_t>(x.transitions[t].prob()) == std::bit_cast<std::uint64_t>(y.transitions[t].prob()));
    }
    CHECK(bits(x.next_reward) == bits(y.next_reward));
}

// The fast scanner must read the text itself (ParsePath::fast throws where it would fall back).
void check_fast_reads(const std::string& text) {
    const Model reference = parse_model(text, {}, "t.json", ParsePath::reference);
    Model fast = reference;
    REQUIRE_NOTHROW(fast = parse_model(text, {}, "t.json", ParsePath::fast));
    check_same(fast, reference);
}

// The message of what parsing throws ("" when it throws nothing).
std::string message_of(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

// Rewrites a softmdp/1 file in another of its many spellings: whitespace anywhere, keys in other
// orders, names or indices for states and actions (names for counted states too), numbers in
// other notations, and new rewards on entries and successors in odd notations (these change the
// model, alike for both parsers).
class Respeller {
public:
    explicit Respeller(std::uint64_t seed) : rng_(seed) {}

    std::string operator()(ojson mdp, bool name_states) {
        if (name_states && mdp["states"].is_number()) {
            ojson names = ojson::array();
            for (std::uint64_t s = 0; s < mdp["states"].get<std::uint64_t>(); ++s) names.push_back(fmt::format("st{}", s));
            if (mdp.contains("initial") && mdp["initial"].is_object()) {
                ojson initial = ojson::object();
                for (const auto& [k, p] : mdp["initial"].items()) initial[names[std::stoul(k)].get<std::string>()] = p;
                mdp["initial"] = initial;
            }
            mdp["states"] = names;
        }
        states_ = names_of(mdp["states"]);
        actions_ = names_of(mdp["actions"]);
        std::vector<std::string> keys;
        for (const auto& [k, v] : mdp.items()) keys.push_back(k);
        std::shuffle(keys.begin(), keys.end(), rng_);
        std::string out = sep("{");
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i) out += sep(",");
            out += fmt::format("\"{}\"{}", keys[i], sep(":"));
            out += keys[i] == "transitions" ? transitions(mdp["transitions"]) : mdp[keys[i]].dump(coin() ? -1 : 1);
        }
        return out + sep("}");
    }

private:
    bool coin(double p = 0.5) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }
    std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
    std::string ws() {
        static const char* const kinds[] = {"", "", "", " ", "\n", "\t", "\r\n  ", " \n\t\r "};
        return kinds[pick(std::size(kinds))];
    }
    // A token with whitespace around it.
    std::string sep(std::string_view token) { return fmt::format("{}{}{}", ws(), token, ws()); }
    static std::vector<std::string> names_of(const ojson& v) {
        return v.is_array() ? v.get<std::vector<std::string>>() : std::vector<std::string>{};
    }

    // The same state or action: by index, by name, or (counted) by its index as a name.
    std::string ref(const ojson& v, const std::vector<std::string>& names) {
        std::size_t index = 0;
        if (v.is_string()) {
            if (coin()) return v.dump();
            index = static_cast<std::size_t>(std::find(names.begin(), names.end(), v.get<std::string>()) - names.begin());
        } else {
            index = v.get<std::size_t>();
        }
        if (names.empty()) return coin(0.2) ? fmt::format("\"{}\"", index) : std::to_string(index);
        return coin() ? "\"" + names[index] + "\"" : std::to_string(index);
    }

    // The same double in another notation (each reads back to it).
    std::string same(double v) {
        switch (pick(6)) {
            case 0: return ojson(v).dump();
            case 1: return fmt::format("{:.17g}", v);
            case 2: return fmt::format("{:.17e}", v);
            case 3: return fmt::format("{:.20E}", v);
            case 4: return v == std::floor(v) && std::abs(v) < 1e15 ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{:.25g}", v);
            default: return v == 1.0 ? "0.1e1" : v == 0.0 ? "0e5" : fmt::format("{:.18g}", v);
        }
    }

    // A finite number in an arbitrary notation, among them the corners of conversion.
    std::string any_number() {
        static const char* const corners[] = {
            "-0", "0", "-0.0", "0e0", "17", "-42", "1E+2", "2.5E-3", "9007199254740993", "18446744073709551615",
            "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "5e-324", "4.9406564584124654e-324", "2.2250738585072011e-308", "1.7976931348623157e308",
            "1.00000000000000011102230246251565404236316680908203125",  // halfway: ties to even, 1
            "1.00000000000000011102230246251565404236316680908203126",  // just above: the next double
            "0.1000000000000000055511151231257827021181583404541015625"};
        if (coin(0.3)) return corners[pick(std::size(corners))];
        double v = 0.0;
        do v = std::bit_cast<double>(rng_());
        while (!std::isfinite(v) || std::abs(v) > 1e300);
        const int digits = 1 + static_cast<int>(pick(25));
        return coin() ? fmt::format("{:.{}g}", v, digits) : fmt::format("{:.{}e}", v, digits);
    }

    std::string transitions(const ojson& list) {
        std::string out = sep("[");
        for (std::size_t i = 0; i < list.size(); ++i) out += (i ? sep(",") : std::string()) + entry(list[i]);
        return out + sep("]");
    }

    std::string entry(const ojson& e) {
        std::vector<std::string> fields{fmt::format("\"s\"{}{}", sep(":"), ref(e["s"], states_)),
                                        fmt::format("\"a\"{}{}", sep(":"), ref(e["a"], actions_))};
        const double r = e.value("r", 0.0);
        if (r != 0.0 || coin(0.3)) fields.push_back(fmt::format("\"r\"{}{}", sep(":"), coin(0.3) ? any_number() : same(r)));
        std::string next = "\"next\"" + sep(":") + "[";
        for (std::size_t j = 0; j < e["next"].size(); ++j) {
            const ojson& item = e["next"][j];
            if (j) next += sep(",");
            next += sep("[") + ref(item[0], states_) + sep(",") + same(item[1].get<double>());
            if (item.size() == 3) next += sep(",") + same(item[2].get<double>());
            else if (coin(0.2)) next += sep(",") + any_number();
            next += sep("]");
        }
        fields.push_back(next + sep("]"));
        std::shuffle(fields.begin(), fields.end(), rng_);
        std::string out = sep("{");
        for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? sep(",") : std::string()) + fields[i];
        return out + sep("}");
    }

    std::mt19937_64 rng_;
    std::vector<std::string> states_, actions_;
};

// Discrete-action files (the continuous ones have their own loader).
std::vector<std::string> shipped_discrete_examples() {
    std::vector<std::string> texts;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_path("mdps"))) {
        if (entry.path().extension() != ".json") continue;
        const MappedFile file(entry.path());
        if (!is_continuous(file)) texts.emplace_back(file.text());
    }
    REQUIRE(texts.size() >= 8);
    return texts;
}

std::vector<std::string> generated_examples() {
    return {test::written([](JsonWriter& w) { write_garnet(w, {150, 3, 4, 7, 0.95}); }),
            test::written([](JsonWriter& w) { write_gridworld(w, {6, 5, 0.2, 0.9}); }),
            test::written([](JsonWriter& w) { write_chain(w, {12, 0.8}); }),
            test::written([](JsonWriter& w) { write_frozenlake(w, {frozenlake_map("8x8"), true, 0.99}); })};
}

}  // namespace

TEST_CASE("the fast scanner reads every shipped and generated example as the reference does, bit for bit") {
    std::vector<std::string> texts = shipped_discrete_examples();
    for (auto& t : generated_examples()) texts.push_back(std::move(t));
    for (const auto& text : texts) {
        CAPTURE(text.substr(0, 80));
        check_fast_reads(text);
    }
}

TEST_CASE("the fast scanner reads other spellings as the reference does: whitespace, key order, names, numbers") {
    std::vector<std::string> texts = shipped_discrete_examples();
    for (auto& t : generated_examples()) texts.push_back(std::move(t));
    Respeller respell(2024);
    for (const auto& text : texts) {
        const ojson mdp = ojson::parse(text);
        for (int variant = 0; variant < 4; ++variant) {
            const std::string spelled = respell(mdp, variant % 2 == 1);
            CAPTURE(spelled.substr(0, 300));
            check_fast_reads(spelled);
        }
    }
}

TEST_CASE("numbers convert bit for bit as nlohmann/json converts them") {
    // Rewards take any finite number, so each spelling reaches the model unchanged (r_to is stored).
    std::mt19937_64 rng(99);
    const auto spelling = [&](int i) {
        double v = 0.0;
        do v = std::bit_cast<double>(rng());
        while (!std::isfinite(v) || std::abs(v) > 1e300);  // no rounding up to infinity
        const int digits = 1 + static_cast<int>(rng() % 25);
        return i % 3 == 0   ? fmt::format("{:.{}g}", v, digits)
               : i % 3 == 1 ? fmt::format("{:.{}E}", v, digits)
                            : std::to_string(static_cast<std::int64_t>(rng()) >> (rng() % 64));
    };
    std::string text = R"({"format": "softmdp/1", "discount": 0.5, "states": 4000, "actions": 1, "transitions": [)";
    for (int s = 0; s < 4000; ++s)
        text += fmt::format(R"({}{{"s": {}, "a": 0, "r": {}, "next": [[0, 0.5], [1, 0.5, {}]]}})", s ? "," : "", s,
                            spelling(s), spelling(s + 1));
    check_fast_reads(text + "]}");
}

TEST_CASE("anything unusual is left to the reference, which reads it as before") {
    const std::string unusual[] = {
        "\xEF\xBB\xBF" + mdp(R"([{"s": "x", "a": "l", "next": [["y", 1]]}])"),       // a byte order mark
        mdp(R"([{"s": "\u0078", "a": "l", "next": [["y", 1]]}])"),                     // an escape
        mdp(R"([{"s": "x", "a": "l", "next": [["y", 1]]}])", R"(, "name": "caf\u00e9")"),  // in the header: fine
        R"({"format": "softmdp/1", "discount": 0.9, "states": ["é", "y"], "actions": ["l"],
            "transitions": [{"s": "é", "a": "l", "next": [["y", 1]]}]})",              // UTF-8
        mdp(R"([{"s": "x", "a": "l", "r": 1e-400, "next": [["y", 1]]}])"),             // nlohmann: 0
        mdp(R"([{"s": "x", "a": "l", "next": [["y", 1, 12345678901234567890123456789e-400]]}])"),
    };
    for (const auto& text : unusual) {
        CAPTURE(text);
        const Model reference = parse_model(text, {}, "t.json", ParsePath::reference);
        check_same(parse_model(text, {}, "t.json"), reference);
        if (text.find("caf") == std::string::npos)
            CHECK(message_of([&] { parse_model(text, {}, "t.json", ParsePath::fast); }) == "t.json: not read by the fast scanner");
        else
            check_fast_reads(text);
    }
}

TEST_CASE("every bad file: the same error with and without the fast scanner") {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_path("tests/bad"))) {
        if (entry.path().extension() != ".json") continue;
        const MappedFile file(entry.path());
        if (is_continuous(file)) continue;
        const std::string source = entry.path().filename().string();
        const std::string expected = message_of([&] { parse_model(file.text(), {}, source, ParsePath::reference); });
        CAPTURE(source);
        CHECK(message_of([&] { parse_model(file, {}, source); }) == expected);
        CHECK(message_of([&] { parse_model(file.text(), {}, source); }) == expected);
        ++count;
    }
    CHECK(count >= 50);
}

TEST_CASE("an error deep in a large file: the entry, field and line of the reference, also after pages are released") {
    // About 20 MB: more than one release step of the scanner.
    const std::string good = test::written([](JsonWriter& w) { write_garnet(w, {25000, 4, 5, 3, 0.9}); });
    REQUIRE(good.size() > (std::size_t{17} << 20));
    const auto dir = test::temp_dir("loader-deep");
    test::write_file(dir / "good.json", good);
    check_same(parse_model(MappedFile(dir / "good.json"), {}, "good.json", ParsePath::fast),
               parse_model(good, {}, "good.json", ParsePath::reference));

    // Entry 91234: well past the first release; one entry per line, after 8 lines of header.
    const std::size_t at = good.find("{\"s\": 22808,\"a\": 2,");
    REQUIRE(at != std::string::npos);
    REQUIRE(line_of(good, at) == 9 + 91234);
    const std::size_t comma = good.find("],[", at) + 1;
    std::string bad_prob = good, bad_syntax = good;
    bad_prob.insert(good.find(',', comma + 2) + 1, 1, '-');  // the second probability becomes negative
    bad_syntax.erase(comma, 1);                               // a missing comma
    test::write_file(dir / "bad_prob.json", bad_prob);
    test::write_file(dir / "bad_syntax.json", bad_syntax);
    const std::string prob_error = message_of([&] { load_model(dir / "bad_prob.json"); });
    CAPTURE(prob_error);
    CHECK(prob_error.find("transitions[91234] (s=22808, a=2): field 'next[1][1]': probability must be finite and >= 0, got -0.") !=
          std::string::npos);
    CHECK(prob_error == message_of([&] { parse_model(bad_prob, {}, (dir / "bad_prob.json").string(), ParsePath::reference); }));
    const std::string syntax_error = message_of([&] { load_model(dir / "bad_syntax.json"); });
    CHECK(syntax_error.find(fmt::format("bad_syntax.json:{}: invalid JSON", 9 + 91234)) != std::string::npos);
    CHECK(syntax_error ==
          message_of([&] { parse_model(bad_syntax, {}, (dir / "bad_syntax.json").string(), ParsePath::reference); }));
}

TEST_CASE("MappedFile::contains finds a needle across its search windows; pipes are read whole") {
    const auto dir = test::temp_dir("loader-contains");
    std::string text((std::size_t{16} << 20) - 5, ' ');
    text += "\"action_space\"";
    test::write_file(dir / "across.json", text);
    CHECK(MappedFile(dir / "across.json").contains("\"action_space\""));
    CHECK_FALSE(MappedFile(dir / "across.json").contains("\"anchors\""));

    const std::string model = mdp(R"([{"s": "x", "a": "l", "next": [["y", 1]]}])");
    const auto fifo = dir / "fifo.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] { std::ofstream(fifo) << model; });
    const MappedFile piped(fifo);
    writer.join();
    CHECK(piped.text() == model);
    CHECK_FALSE(is_continuous(piped));
    check_same(parse_model(piped, {}, "fifo", ParsePath::fast), parse_model(model, {}, "fifo", ParsePath::reference));
}

TEST_CASE("malformed numbers, indices and strings are syntax errors with and without the fast scanner") {
    const std::string entries[] = {
        R"({"s": 01, "a": "l", "next": [["x", 1]]})",       R"({"s": "x", "a": "l", "next": [["x", 1.]]})",
        R"({"s": "x", "a": "l", "next": [["x", .5]]})",      R"({"s": "x", "a": "l", "next": [["x", +1]]})",
        R"({"s": "x", "a": "l", "next": [["x", 1e]]})",      R"({"s": "x", "a": "l", "next": [["x", 1e+]]})",
        R"({"s": "x", "a": "l", "next": [["x", -]]})",       R"({"s": "x", "a": "l", "next": [["x", 0x1]]})",
        R"({"s": "x", "a": "l", "next": [["x", 01.5]]})",    R"({"s": "x", "a": "l", "next": [["x", Infinity]]})",
        R"({"s": "x", "a": "l", "r": NaN, "next": [["x", 1]]})", R"({"s": "x", "a": "l", "r": 1 2, "next": [["x", 1]]})",
        R"({"s": "x" "a": "l", "next": [["x", 1]]})",        R"({"s": "x", "a": "l", "next": [["x", 1],]})",
        R"({"s": "x", "a": "l", "next": [["x", 1]],})",      R"({"s": "x", "a": "l", "next": [["x" 1]]})",
        "{\"s\": \"x\x01\", \"a\": \"l\", \"next\": [[\"x\", 1]]}", R"({"s": "x", "a": "l", "next": [["x, 1]]})",
        R"({"s": "x", "a": "l", "next": [["x", 1]]}, )",     R"({"s": "x", "a": "l", "next": [["x", 1]])",
    };
    for (const auto& e : entries) {
        const std::string text = mdp("[" + e + "]");
        CAPTURE(text);
        const std::string expected = message_of([&] { parse_model(text, {}, "t.json", ParsePath::reference); });
        CHECK(expected.find("invalid JSON") != std::string::npos);
        CHECK(message_of([&] { parse_model(text, {}, "t.json"); }) == expected);
    }
}

TEST_CASE("errors of entries and keys carry the line where they start, alike with and without the fast scanner") {
    const std::string head = "{\n\"format\": \"softmdp/1\",\n\"discount\": 0.9,\n\"states\": [\"x\", \"y\"],\n"
                             "\"actions\": [\"l\", \"r\"],\n\"transitions\": [\n";
    const std::string ok = R"({"s": "x", "a": "l", "next": [["y", 1]]})";
    struct Case {
        std::string text, expected;
    };
    const Case cases[] = {
        // Entry 1 starts on line 8, entry 2 on line 9 (its "next" on line 10).
        {head + ok + ",\n" + R"({"s": "y", "a": "l", "next": [["q", 1]]})" + "\n]}",
         "t.json:8: transitions[1] (s=y, a=l): field 'next[0][0]': unknown state name 'q'"},
        {head + ok + ",\n" + ok.substr(0, ok.size() - 1) + ", \"r\": 1},\n" + R"({"s": "y", "a": "r",)" + "\n" +
             R"("next": [["x", 0.5]]})" + "\n]}",
         "t.json:9: transitions[2] (s=y, a=r): field 'next': probabilities sum to 0.5"},
        {head + ok + ",\n" + ok + "\n]}", "t.json:8: transitions[1] (s=x, a=l): field 'a': duplicate entry"},
        {"{\n\"format\": \"softmdp/1\",\n\"states\": 2,\n\"discount\": \"high\",\n\"actions\": 1}",
         "t.json:4: field 'discount': must be a number"},
        {"{\n\"format\": \"softmdp/1\",\n\"discount\": 0.9,\n\"states\": [\"a\",\n\"a\"],\n\"actions\": 1}",
         "t.json:4: field 'states[1]': duplicate name 'a'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string reference = message_of([&] { parse_model(c.text, {}, "t.json", ParsePath::reference); });
        CHECK_MESSAGE(reference.find(c.expected) != std::string::npos, "got: " << reference);
        CHECK(message_of([&] { parse_model(c.text, {}, "t.json"); }) == reference);
    }
}

TEST_CASE("a number beyond double's range names its line, entry and field") {
    const auto text = [](const std::string& r) {
        return "{\n" + kHead + ",\n\"transitions\": [\n" + R"({"s": "x", "a": "l", "next": [["y", 1]]},)" + "\n" +
               R"({"s": "y", "a": "l", "r": )" + r + R"(, "next": [["y", 1]]},)" + "\n" +
               R"({"s": "y", "a": "r", "next": [["x", 1], ["y", -1e400]]}]})";
    };
    const std::string r_error = message_of([&] { parse_model(text("1e400"), {}, "t.json"); });
    CHECK_MESSAGE(r_error.find("t.json:5: transitions[1] (s=y, a=l): field 'r': invalid JSON: number overflow") != std::string::npos,
                  "got: " << r_error);
    const std::string p_error = message_of([&] { parse_model(text("1"), {}, "t.json"); });
    CHECK_MESSAGE(p_error.find("t.json:6: transitions[2] (s=y, a=r): field 'next[1][1]': invalid JSON: number overflow") != std::string::npos,
                  "got: " << p_error);
    CHECK(p_error == message_of([&] { parse_model(text("1"), {}, "t.json", ParsePath::reference); }));
    const std::string d_error = error_of(R"({"format": "softmdp/1", "discount": 1e999, "states": 1, "actions": 1})");
    CHECK_MESSAGE(d_error.find("t.json:1: field 'discount': invalid JSON: number overflow") != std::string::npos, "got: " << d_error);
}

TEST_CASE("a repeated key is an error naming it, at the top level, in an entry and in a header object") {
    struct Case {
        std::string text, expected;
    };
    const Case cases[] = {
        {"{\"format\": \"softmdp/1\",\n\"discount\": 0.9,\n\"states\": 2, \"actions\": 1,\n\"discount\": 0.5,\n"
         "\"transitions\": []}",
         "t.json:4: field 'discount': duplicate key 'discount'"},
        {mdp("[\n" + std::string(R"({"s": "x", "a": "l", "next": [["y", 1]]},)") + "\n" +
             R"({"s": "x", "a": "r", "s": "y", "next": [["y", 1]]}])"),
         "t.json:3: transitions[1] (s=x, a=r): field 's': duplicate field 's'"},
        {mdp(R"([{"s": "x", "a": "l", "next": [["y", 1]], "next": [["x", 1]]}])"), "transitions[0] (s=x, a=l): field 'next': duplicate field 'next'"},
        {mdp(R"([{"s": "x", "a": "l", "r": 1, "r": 2, "next": [["y", 1]]}])"), "transitions[0] (s=x, a=l): field 'r': duplicate field 'r'"},
        {mdp("[]", R"(, "initial": {"x": 0.5, "y": 0.25, "y": 0.5})"), "field 'initial.y': duplicate key 'y'"},
        {mdp("[]", R"(, "grid": {"rows": 1, "cols": 2, "rows": 2})"), "field 'grid.rows': duplicate key 'rows'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string reference = message_of([&] { parse_model(c.text, {}, "t.json", ParsePath::reference); });
        CHECK_MESSAGE(reference.find(c.expected) != std::string::npos, "got: " << reference);
        CHECK(message_of([&] { parse_model(c.text, {}, "t.json"); }) == reference);
        CHECK(message_of([&] { parse_model(c.text, {}, "t.json", ParsePath::fast); }) == "t.json: not read by the fast scanner");
    }
}

TEST_CASE("a stream is checked as it is read: a wrong first byte or a NUL fails at once") {
    // /dev/zero never ends: formerly read until memory ran out.
    CHECK_THROWS_WITH_AS(MappedFile("/dev/zero", kJsonObject), doctest::Contains("/dev/zero:1: expected a JSON object ('{'), but the input starts with byte 0x00"),
                         InputError);
    CHECK_THROWS_WITH_AS(MappedFile("/dev/zero"), doctest::Contains("byte 0 is NUL (0x00): not a text file"), InputError);
    CHECK_THROWS_AS(load_model("/dev/urandom"), InputError);
    // A pipe: `yes` would write for ever; the first byte decides. Blanks and a BOM before '{' are fine.
    const auto dir = test::temp_dir("stream-start");
    const std::string fifo = (dir / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::FILE* f = std::fopen(fifo.c_str(), "w");
        if (!f) return;
        for (int i = 0; i < 100000 && std::fputs("y\n", f) >= 0; ++i) {
        }
        std::fclose(f);  // the reader closed its end: fputs fails with EPIPE (the test ignores SIGPIPE below)
    });
    const auto old = std::signal(SIGPIPE, SIG_IGN);
    CHECK_THROWS_WITH_AS(MappedFile(fifo, kJsonObject), doctest::Contains("but the input starts with 'y'"), InputError);
    writer.join();
    std::signal(SIGPIPE, old);
    std::thread ok_writer([&] {
        std::FILE* f = std::fopen(fifo.c_str(), "w");
        if (f) std::fputs("\xEF\xBB\xBF \n {\"a\": 1}", f), std::fclose(f);
    });
    const MappedFile ok(fifo, kJsonObject);
    ok_writer.join();
    CHECK(ok.text() == "\xEF\xBB\xBF \n {\"a\": 1}");
}
