// The streaming softmdp/1 loader: accepted forms, and every kind of error with its location.
#include <doctest/doctest.h>

#include <string>

#include "softmdp/errors.hpp"
#include "softmdp/loader.hpp"
#include "test_helpers.hpp"

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
    CHECK(m.state_name(m.successors(0)[0]) == "a");
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
    CHECK(m.probabilities(0)[0] + m.probabilities(0)[1] == doctest::Approx(1.0).epsilon(1e-15));
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
