// Hostile input: every file of tests/bad/ (expected exit code and message part in expected.tsv),
// huge and deeply nested files made here, and bad command lines.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("tests/bad: every file gives its expected exit code and message") {
    std::ifstream manifest(test::source_path("tests/bad/expected.tsv"));
    REQUIRE(manifest);
    std::size_t n = 0;
    for (std::string line; std::getline(manifest, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file, code, message;
        std::getline(fields, file, '\t');
        std::getline(fields, code, '\t');
        std::getline(fields, message);
        const bool cassandra = file.size() > 4 && file.substr(file.size() - 4) == ".mdp";
        const auto r = test::run_cli(cassandra ? "convert " + test::source_path("tests/bad/" + file) + " " +
                                                     (test::temp_dir("bad-convert") / "out.json").string()
                                               : "validate " + test::source_path("tests/bad/" + file));
        CAPTURE(file);
        CHECK(r.code == std::stoi(code));
        const std::string text = r.code == 0 ? r.out : r.err;
        CHECK_MESSAGE(text.find(message) != std::string::npos, "got: " << text);
        if (r.code != 0) CHECK(text.find("bad/" + file) != std::string::npos);  // the message names the file
        ++n;
    }
    CHECK(n >= 40);
}

TEST_CASE("100 MB of whitespace, 100000 nested brackets, a directory, /dev/null") {
    const auto dir = test::temp_dir("bad-big");
    {
        std::ofstream ws(dir / "whitespace.json");
        const std::string chunk(1 << 20, ' ');
        for (int i = 0; i < 100; ++i) ws << chunk;
    }
    const auto a = test::run_cli("validate " + (dir / "whitespace.json").string());
    CHECK(a.code == 2);
    CHECK(a.err.find("invalid JSON") != std::string::npos);
    {
        std::ofstream deep(dir / "deep.json");
        deep << R"({"format": "softmdp/1", "name": )" << std::string(100000, '[') << std::string(100000, ']') << "}";
    }
    const auto b = test::run_cli("validate " + (dir / "deep.json").string());
    CHECK(b.code == 2);
    CHECK(b.err.find("field 'name'") != std::string::npos);
    const auto c = test::run_cli("validate " + dir.string());
    CHECK(c.code == 3);
    CHECK(c.err.find("is a directory") != std::string::npos);
    const auto d = test::run_cli("validate /dev/null");
    CHECK(d.code == 2);
    CHECK(d.err.find("invalid JSON") != std::string::npos);
    const auto e = test::run_cli("validate /nonexistent/x.json");
    CHECK(e.code == 3);
    CHECK(e.err.find("cannot open") != std::string::npos);
}

TEST_CASE("bad command lines: exit 2 and a message that says what to change") {
    const std::string chain = test::source_path("mdps/chain2.json");
    struct Case {
        std::string args, expected;
    };
    const Case cases[] = {
        {"solve " + chain + " --frobnicate", "unrecognised option"},
        {"solve " + chain + " --alpha -0.5", "--alpha must be a finite number >= 0"},
        {"solve " + chain + " --alpha nan", "--alpha must be a finite number >= 0"},
        {"solve " + chain + " --alpha abc", "--alpha"},
        {"solve " + chain + " --tolerance 0", "--tolerance must be a finite number > 0"},
        {"solve " + chain + " --tolerance -1", "--tolerance must be a finite number > 0"},
        {"solve " + chain + " --method nope", "unknown method 'nope'"},
        {"solve " + chain + " --json " + chain, "refusing to overwrite an input"},
        {"solve " + chain + " --max-iterations -1", "--max-iterations must be a number >= 0"},
        {"sweep " + chain + " --alpha-min 2 --alpha-max 1", "--alpha-min 2 is larger than --alpha-max 1"},
        {"generate garnet", "needs --states"},
        {"generate maze", "unknown kind 'maze'"},
    };
    for (const auto& c : cases) {
        const auto r = test::run_cli(c.args);
        CAPTURE(c.args);
        CHECK(r.code == 2);
        CHECK_MESSAGE(r.err.find(c.expected) != std::string::npos, "got: " << r.err);
    }
}

TEST_CASE("issue 12 messages: a map directory, continuous-only options, control characters in names") {
    const auto dir = test::temp_dir("bad-messages");
    const std::string chain = test::source_path("mdps/chain2.json");
    // A directory as the map is an I/O error, not "needs exactly one start cell".
    auto r = test::run_cli("generate frozenlake --map " + dir.string() + " --output " + (dir / "lake.json").string());
    CHECK(r.code == 3);
    CHECK(r.err.find("is a directory") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "lake.json"));
    // Options that only continuous actions use are refused on a discrete file, not silently ignored.
    for (const char* opt : {"--integrator mc", "--nodes 8", "--samples 100", "--seed 3"}) {
        CAPTURE(opt);
        r = test::run_cli("solve " + chain + " " + opt);
        CHECK(r.code == 2);
        CHECK(r.err.find("applies to continuous actions only") != std::string::npos);
        CHECK(r.out.empty());
    }
    // A name with an escape sequence and a line break: escaped in the table, in CSV and in messages.
    const std::string evil = (dir / "evil.json").string();
    test::write_file(evil, R"({"format": "softmdp/1", "discount": 0.5, "states": ["\u001b[2Jx", "line\nbreak"], "actions": ["go\r"],
        "transitions": [{"s": 0, "a": 0, "r": 1, "next": [[1, 1]]}, {"s": 1, "a": 0, "r": 0, "next": [[1, 1]]}]})");
    for (const char* format : {"table", "csv"}) {
        CAPTURE(format);
        r = test::run_cli("solve " + evil + " --format " + format);
        CHECK(r.code == 0);
        CHECK(r.out.find('\x1b') == std::string::npos);
        CHECK(r.out.find('\r') == std::string::npos);
        CHECK(r.out.find("\\x1b[2Jx") != std::string::npos);
        CHECK(r.out.find("line\\nbreak") != std::string::npos);
        CHECK(r.out.find("line\nbreak") == std::string::npos);
    }
    r = test::run_cli("solve " + evil + " --format json");  // JSON escapes on its own: the name reads back exactly
    CHECK(nlohmann::json::parse(r.out)["states"][0] == "\x1b[2Jx");
    const std::string policy = (dir / "policy.json").string();
    test::write_file(policy, R"({"format": "softmdp-policy/1", "policy": {"\u001b[31mred": [1]}})");
    r = test::run_cli("evaluate " + evil + " --policy " + policy);
    CHECK(r.code == 2);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find("\\x1b[31mred") != std::string::npos);
}
