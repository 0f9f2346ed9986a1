// Hostile input: every file of tests/bad/ (expected exit code and message part in expected.tsv),
// huge and deeply nested files made here, and bad command lines.
#include <doctest/doctest.h>

#include <chrono>
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
        const bool prior = file.rfind("prior_", 0) == 0;  // a reference policy for chain2 (solve --prior)
        const auto r = test::run_cli(cassandra ? "convert " + test::source_path("tests/bad/" + file) + " " +
                                                     (test::temp_dir("bad-convert") / "out.json").string()
                                 : prior ? "solve " + test::source_path("mdps/chain2.json") + " --alpha 1 --prior " +
                                               test::source_path("tests/bad/" + file)
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

TEST_CASE("absurd sizes and endless streams fail fast: exit 2 and a message naming them, under ulimit -v") {
    // Each allocation-driving input or option at an absurd value, in a shell with 400 MB of address
    // space (not under AddressSanitizer, whose shadow memory needs terabytes of it): formerly these
    // read for ever, allocated gigabytes, or wrote gigabytes.
    const auto dir = test::temp_dir("absurd");
    test::write_file(dir / "huge.tra", "2147483647 1 1\n0 0 0 1\n");
    // 2 x 7000^2 doubles: 784 MB, more than the 400 MB of ulimit -v (without it, above the dense cap).
    test::write_file(dir / "dense.mdp", test::kSanitized ? "discount: 0.9\nstates: 7100\nactions: 1\n" : "discount: 0.9\nstates: 7000\nactions: 1\n");
    test::write_file(dir / "actions.json", R"({"format": "softmdp/1", "discount": 0.9, "states": 1, "actions": 100000000,
        "transitions": [{"s": 0, "a": 0, "r": 1, "next": [[0, 1]]}]})");
    const std::string bin = SOFTMDP_BINARY, d = dir.string();
    const struct {
        std::string shell, expected;
    } cases[] = {
        {bin + " validate /dev/zero", "/dev/zero:1: expected a JSON object ('{') or a binary model (UMB, PETSc binary, .npz), but the input starts with byte 0x00"},
        {bin + " validate /dev/urandom", "softmdp: error: /dev/urandom:"},
        {"yes | " + bin + " validate /dev/stdin", "but the input starts with 'y'"},
        {"(printf {; yes \" \") | " + bin + " validate /dev/stdin", "the stream is longer than"},
        {bin + " convert /dev/zero " + d + "/z.json --from cassandra", "byte 0 is NUL (0x00): not a text file"},
        {bin + " generate frozenlake --map /dev/zero --output " + d + "/f.json", "starts with byte 0x00"},
        {"yes S | " + bin + " generate frozenlake --map /dev/stdin --output " + d + "/f.json", "the stream is longer than"},
        {bin + " convert " + d + "/huge.tra " + d + "/h.json --discount 0.9", "field 'states': 2147483647 states need about"},
        {bin + " convert " + d + "/dense.mdp " + d + "/h.json", test::kSanitized ? "too many for this dense importer" : "more than the 390.6 MiB available here"},
        {bin + " solve " + d + "/actions.json --json " + d + "/r.json", "field 'actions': 100000000 actions, but the file has 1"},
        {bin + " generate garnet --states 10 --actions 1000000000 --output " + d + "/g.json", "--states, --actions and --branching describe"},
        {bin + " generate garnet --states 2000000000 --actions 1 --branching 2000000000 --output " + d + "/g.json",
         "--states, --actions and --branching describe"},
        {bin + " generate gridworld --size 4294967296 4294967296 --output " + d + "/g.json", "--size: at most 10^8 cells"},
        {bin + " generate chain --states 2147483647 --output " + d + "/g.json", "--states describe a model of"},
        {bin + " sweep " + test::source_path("mdps/chain2.json") + " --alpha-min 0 --alpha-max 1 --points 1000000000000 --json " + d + "/r.json",
         "--points 1000000000000 needs at least"},
        {bin + " solve " + test::source_path("mdps/chain2.json") + " --threads 1000000000 --json " + d + "/r.json",
         "--threads 1000000000 is more than"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.shell);
        // Without ulimit -v the stream limit is a quarter of the machine's memory: too long a read.
        if (test::kSanitized && c.expected == "the stream is longer than") continue;
        const std::string limit = test::kSanitized ? "" : "ulimit -v 400000; ";
        const std::string cmd = "timeout 20 sh -c '" + limit + c.shell + " >/dev/null 2>" + d + "/err' 2>/dev/null";
        const auto start = std::chrono::steady_clock::now();
        const int status = std::system(cmd.c_str());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 2));
        const std::string err = test::read_file(dir / "err");
        CHECK_MESSAGE(err.find(c.expected) != std::string::npos, "got: " << err);
        // A refusal at the stream limit takes about 1 s alone; 15 s leaves room for a loaded machine
        // (10 s seen at load 17 on 2 cores) while `timeout 20` above still tells a hang apart.
        CHECK(seconds < 15.0);
        CHECK_FALSE(std::filesystem::exists(dir / "g.json"));
        CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
    }
}
