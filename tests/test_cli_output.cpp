// Output conventions shared by every command: --format table|json|csv, never two things on stdout,
// no output over an input or another output (checked before any work), unsigned options refuse
// negative numbers, progress lines on a terminal only and never under the table.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <pty.h>
#include <span>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "softmdp/io/loader.hpp"
#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// Runs softmdp ARGS with stdout and stderr on a pseudo-terminal; returns what it printed and the exit code.
test::Run run_on_terminal(const std::vector<std::string>& args) {
    int master = -1;
    std::fflush(nullptr);  // the child must not write the test's buffered output again
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::vector<char*> argv{const_cast<char*>("softmdp")};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(SOFTMDP_BINARY, argv.data());
        ::_exit(127);
    }
    test::Run r;
    char buf[4096];
    for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) r.out.append(buf, static_cast<std::size_t>(n));
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// Each (arguments, message): exit 2, nothing on stdout, the message on stderr.
void expect_usage_errors(std::span<const std::pair<std::string, std::string>> cases) {
    for (const auto& [args_, message] : cases) {
        const std::string& args = args_;  // CAPTURE is a lambda: clang 14 cannot capture a structured binding
        CAPTURE(args);
        const auto r = test::run_cli(args);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
    }
}

}  // namespace

TEST_CASE("--format json prints the command's JSON document and nothing else, for every command") {
    const std::string chain = test::source_path("mdps/chain2.json"), mg = test::source_path("mdps/multigoal.json");
    const std::pair<std::string, std::string> cases[] = {
        {"info " + chain, "softmdp-info/1"},
        {"info " + mg, "softmdp-info/1"},
        {"validate " + chain, "softmdp-validation/1"},
        {"solve " + chain, "softmdp-result/1"},
        {"solve " + mg + " --alpha 0.1 --nodes 8 --tolerance 1", "softmdp-result/1"},
        {"evaluate " + chain + " --policy uniform", "softmdp-result/1"},
        {"compare " + chain + " --alpha 1", "softmdp-compare/1"},
        {"sweep " + chain + " --alpha-min 0.1 --alpha-max 1 --points 2", "softmdp-sweep/1"},
        {"learn " + chain + " --steps 1000 --points 2", "softmdp-learn/1"},
        {"estimate " + mg + " --state center --alpha 0.1 --samples 1000", "softmdp-estimate/1"},
        {"sample " + mg + " --state center --alpha 0.1 --particles 10 --steps 10", "softmdp-samples/1"},
    };
    for (const auto& [args_, format] : cases) {
        const std::string& args = args_;  // as above
        CAPTURE(args);
        const auto r = test::run_cli(args + " --format json");
        REQUIRE(r.code == 0);
        CHECK(json::parse(r.out)["format"] == format);  // the whole of stdout is one JSON document
        const auto same = test::run_cli(args + " --json -");
        REQUIRE(same.code == 0);
        CHECK(json::parse(same.out)["format"] == format);
    }
}

TEST_CASE("--format csv prints the main table as CSV, header first") {
    const std::string chain = test::source_path("mdps/chain2.json"), mg = test::source_path("mdps/multigoal.json");
    const struct {
        std::string args, header;
        std::size_t rows;
    } cases[] = {
        {"solve " + chain, "state,value,action,probability,entropy", 2},
        {"solve " + mg + " --alpha 0.1 --nodes 8 --tolerance 1", "state,value", 2},
        {"evaluate " + chain + " --policy uniform", "state,value,entropy", 2},
        {"compare " + chain + " --alpha 1",
         "state,v_soft,v_hard,gap,gap_bound,greedy,soft_likeliest,p_soft,entropy,soft_policy_hard_value", 2},
        {"sweep " + chain + " --alpha-min 0.1 --alpha-max 1 --points 3",
         "alpha,j_soft,hard_return,mean_entropy,greedy_probability,kl_from_greedy,changed_states,iterations,error_bound,converged,"
         "seconds",
         3},
        {"learn " + chain + " --steps 1000 --points 4", "step,q_error,objective", 5},
        {"sample " + mg + " --state center --alpha 0.1 --particles 7 --steps 10", "a0,a1", 7},
        {"info " + chain, "name,action_space,states,actions,pairs,transitions,terminal,discount,csr_bytes", 1},
        {"info " + mg, "name,action_space,states,dimension,low,high,anchors,terminal,bandwidth,action_cost,discount", 1},
        {"validate " + chain, "file,valid,summary", 1},
        {"estimate " + mg + " --state center --alpha 0.1 --samples 1000",
         "state,alpha,proposal,proposal_detail,estimate,std_error,bias_correction,estimate_corrected,ess,samples,seed,reference,reference_error,reference_detail,difference_std_errors,warnings", 1},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = test::run_cli(c.args + " --format csv");
        REQUIRE(r.code == 0);
        CHECK(first_line(r.out) == c.header);
        CHECK(lines(r.out) == c.rows + 1);
    }
    const auto solve = test::run_cli("solve " + chain + " --format csv");
    CHECK(solve.out.find("\nA,18.0000000000000") != std::string::npos);
    CHECK(solve.out.find(",move,1,0\n") != std::string::npos);
    // Fields with commas are quoted: the box of a continuous file.
    CHECK(test::run_cli("info " + mg + " --format csv").out.find(",\"[-1,-1]\",\"[1,1]\",") != std::string::npos);
}

TEST_CASE("never a table and JSON on stdout; two stdout outputs are refused") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const auto info = test::run_cli("info " + chain + " --json -");
    REQUIRE(info.code == 0);
    CHECK(json::parse(info.out)["states"] == 2);  // no table before the JSON
    const auto dir = test::temp_dir("cli-stdout");
    const auto both = test::run_cli("solve " + chain + " --format json --json " + (dir / "r.json").string());
    REQUIRE(both.code == 0);
    CHECK(json::parse(both.out)["values"] == read_json_file(dir / "r.json")["values"]);

    const std::pair<std::string, std::string> refused[] = {
        {"generate chain --states 2 --json -", "--json - and --output - (the default) both write to standard output"},
        {"generate chain --states 2 --format csv", "--format csv and --output - (the default)"},
        {"info " + chain + " --format csv --json -", "--json - and --format csv both write to standard output"},
        {"info " + chain + " --format table --json -", "--json - and --format table"},
        {"sweep " + chain + " --alpha-min 0 --alpha-max 1 --csv - --json -", "--json - and --csv -"},
        {"info " + chain + " --format xml", "--format must be table, json or csv, got 'xml'"},
    };
    expect_usage_errors(refused);
    // generate: the MDP to a file, the summary (only) on stdout.
    const auto gen = test::run_cli("generate chain --states 2 --output " + (dir / "c.json").string() + " --json -");
    REQUIRE(gen.code == 0);
    CHECK(json::parse(gen.out)["format"] == "softmdp-generate/1");
    CHECK(load_model(dir / "c.json").num_states() == 2);
    const auto line = test::run_cli("generate chain --states 2 --output " + (dir / "c.json").string());
    CHECK(line.out.find("wrote " + (dir / "c.json").string()) != std::string::npos);
    CHECK(test::run_cli("generate chain --states 2 --quiet --output " + (dir / "c.json").string()).out.empty());
}

TEST_CASE("an output path equal to an input or another output is refused before any work") {
    const auto dir = test::temp_dir("cli-clash");
    const std::string chain = (dir / "chain.json").string();
    std::filesystem::copy_file(test::source_path("mdps/chain2.json"), chain);
    const std::string original(MappedFile(chain).text());
    // An invalid MDP: the clash is reported, not the file's error, so nothing was read or solved.
    const std::string bad = (dir / "bad.json").string();
    std::filesystem::copy_file(test::source_path("tests/bad/sum_half.json"), bad);
    REQUIRE(test::run_cli("solve " + chain + " --json " + (dir / "r.json").string()).code == 0);
    const std::string r = (dir / "r.json").string(), d = dir.string();
    const std::pair<std::string, std::string> cases[] = {
        {"solve " + bad + " --json " + bad, "--json " + bad + " is the same file as FILE " + bad},
        {"solve " + chain + " --json " + d + "/./chain.json", "is the same file as FILE"},
        {"solve " + chain + " --init " + r + " --json " + r, "--json " + r + " is the same file as --init " + r},
        {"evaluate " + chain + " --residual " + r + " --csv x --format json --json " + r, "--residual"},
        {"evaluate " + chain + " --policy " + r + " --json " + r, "the same file as --policy"},
        {"sweep " + chain + " --alpha-min 0 --alpha-max 1 --json " + d + "/s.out --csv " + d + "/s.out",
         "--json " + d + "/s.out and --csv " + d + "/s.out are the same file"},
        {"sweep " + chain + " --alpha-min 0 --alpha-max 1 --json " + d + "/new/../p.svg.dat --plot " + d + "/p.svg",
         "--plot's data file"},
        {"solve " + chain + " --plot " + d + "/p.png --json " + d + "/p.png.gp", "--plot's script"},
        {"solve " + chain + " --plot " + d + "/p.jpg", "must end in .png or .svg"},
        {"generate chain --output " + d + "/g.json --json " + d + "/g.json", "--json " + d + "/g.json and --output"},
        {"convert " + chain + " " + chain, "OUT " + chain + " is the same file as IN " + chain},
        {"sample " + chain + " --state 0 --alpha 1 --values " + r + " --json " + r, "the same file as --values"},
    };
    expect_usage_errors(cases);
    CHECK(std::string(MappedFile(chain).text()) == original);
    // Keywords are not files, and "-" is never a clash.
    const auto kw = test::run_cli("evaluate " + chain + " --policy uniform --json uniform --quiet");
    CHECK(kw.code == 0);
    std::filesystem::remove("uniform");
    CHECK(test::run_cli("info " + chain + " --json -").code == 0);
}

TEST_CASE("a negative number for an unsigned option is refused, naming the option") {
    const std::string chain = test::source_path("mdps/chain2.json"), mg = test::source_path("mdps/multigoal.json");
    const std::pair<std::string, std::string> cases[] = {
        {"solve " + chain + " --max-iterations -1", "--max-iterations must be a number >= 0, got -1"},
        {"solve " + chain + " --max-iterations=-1", "--max-iterations must be a number >= 0, got -1"},
        {"solve " + chain + " --evaluation-sweeps -3", "--evaluation-sweeps"},
        {"solve " + chain + " --rows -2", "--rows"},
        {"sweep " + chain + " --alpha-min 0 --alpha-max 1 --points -4", "--points"},
        {"learn " + chain + " --steps -10", "--steps"},
        {"sample " + mg + " --state center --alpha 0.1 --particles -5", "--particles"},
        {"estimate " + mg + " --state center --alpha 0.1 --seed -1", "--seed"},
        {"generate garnet --states -7", "--states"},
        {"generate gridworld --size -3 4", "--size must be a number >= 0, got -3"},
    };
    expect_usage_errors(cases);
}

TEST_CASE("progress lines: on a terminal, ended before the table, naming the sweep point; none with --quiet") {
    const auto dir = test::temp_dir("cli-progress");
    const std::string mdp = (dir / "g.json").string();
    // Slow enough for lines every 0.2 s: 120000 states to write, then a sweep on 20000 states.
    const auto gen = run_on_terminal({"generate", "garnet", "--states", "120000", "--seed", "3", "--output", mdp});
    REQUIRE(gen.code == 0);
    CHECK(gen.out.find("generate garnet: ") != std::string::npos);
    CHECK(gen.out.find("of 120000 states") != std::string::npos);
    REQUIRE(test::run_cli("generate garnet --states 20000 --seed 3 --discount 0.99 --quiet --output " + mdp).code == 0);
    const auto sweep = run_on_terminal({"sweep", mdp, "--alpha-min", "0.01", "--alpha-max", "1", "--points", "3", "--log"});
    REQUIRE(sweep.code == 0);
    CHECK(sweep.out.find("sweep: point ") != std::string::npos);
    CHECK(sweep.out.find(" of 3 (alpha ") != std::string::npos);
    // The table header starts a line of its own.
    const auto header = sweep.out.find("      alpha         J_soft");
    REQUIRE(header != std::string::npos);
    CHECK((header == 0 || sweep.out[header - 1] == '\n'));
    const auto quiet = run_on_terminal({"sweep", mdp, "--alpha-min", "0.01", "--alpha-max", "1", "--points", "3", "--log", "--quiet"});
    CHECK(quiet.code == 0);
    CHECK(quiet.out.find('\r') == std::string::npos);
    CHECK(quiet.out.empty());
    // Two evaluation points: each is an exact policy evaluation, and 50 of them cost 5x the steps.
    const auto learn = run_on_terminal({"learn", mdp, "--steps", "3000000", "--points", "2"});
    REQUIRE(learn.code == 0);
    CHECK(learn.out.find("learn: step ") != std::string::npos);
    const auto table = learn.out.find("      step");
    REQUIRE(table != std::string::npos);
    CHECK(learn.out[table - 1] == '\n');
    // Not a terminal (the tests' files): no progress line.
    CHECK(test::run_cli("sweep " + mdp + " --alpha-min 0.01 --alpha-max 1 --points 3 --log").err.empty());
}

namespace {

// Runs a shell command line; returns its exit status (the last command's, or PIPESTATUS via bash -c).
int shell(const std::string& cmd) {
    const int status = std::system(("bash -c '" + cmd + "'").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("--json through a symbolic link writes to what it points to, and the link stays a link") {
    const auto dir = test::temp_dir("links");
    const std::string bin = SOFTMDP_BINARY, chain = test::source_path("mdps/chain2.json");
    // A link to /proc/self/fd/1: the document arrives on stdout; the link is not replaced.
    std::filesystem::create_symlink("/proc/self/fd/1", dir / "so");
    REQUIRE(shell(bin + " solve " + chain + " --quiet --json " + (dir / "so").string() + " > " + (dir / "r.json").string()) == 0);
    CHECK(std::filesystem::is_symlink(dir / "so"));
    CHECK(read_json_file(dir / "r.json")["format"] == "softmdp-result/1");
    // --json /dev/stdout: the same, and /dev/stdout is still what it was.
    const auto before = std::filesystem::symlink_status("/dev/stdout").type();
    REQUIRE(shell(bin + " solve " + chain + " --quiet --json /dev/stdout > " + (dir / "r2.json").string()) == 0);
    CHECK(std::filesystem::symlink_status("/dev/stdout").type() == before);
    CHECK(read_json_file(dir / "r2.json")["format"] == "softmdp-result/1");
    // A link to a FIFO: written directly to the reader, the FIFO stays a FIFO.
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
    std::filesystem::create_symlink("fifo", dir / "to_fifo");
    REQUIRE(shell("cat " + (dir / "fifo").string() + " > " + (dir / "from_fifo.json").string() + " & " + bin + " solve " +
                  chain + " --quiet --json " + (dir / "to_fifo").string() + "; wait") == 0);
    CHECK(std::filesystem::is_fifo(dir / "fifo"));
    CHECK(std::filesystem::is_symlink(dir / "to_fifo"));
    CHECK(read_json_file(dir / "from_fifo.json")["format"] == "softmdp-result/1");
    // A chain of links to a regular file: the file gets the new content and keeps its mode; the links stay.
    test::write_file(dir / "real.json", "stale\n");
    std::filesystem::permissions(dir / "real.json", std::filesystem::perms(0640));
    std::filesystem::create_symlink("real.json", dir / "l1");
    std::filesystem::create_symlink(dir / "l1", dir / "l2");
    const auto r = test::run_cli("solve " + chain + " --quiet --csv " + (dir / "l2").string() + " --json " + (dir / "l1").string());
    // --csv and --json are the same file through the links: refused before any work.
    CHECK(r.code == 2);
    REQUIRE(test::run_cli("solve " + chain + " --quiet --json " + (dir / "l2").string()).code == 0);
    CHECK(std::filesystem::is_symlink(dir / "l1"));
    CHECK(std::filesystem::is_symlink(dir / "l2"));
    CHECK(read_json_file(dir / "real.json")["format"] == "softmdp-result/1");
    CHECK(std::filesystem::status(dir / "real.json").permissions() == std::filesystem::perms(0640));
    // A dangling link creates the file it names.
    std::filesystem::create_symlink("new.json", dir / "dangling");
    REQUIRE(test::run_cli("solve " + chain + " --quiet --json " + (dir / "dangling").string()).code == 0);
    CHECK(std::filesystem::is_symlink(dir / "dangling"));
    CHECK(read_json_file(dir / "new.json")["format"] == "softmdp-result/1");
    for (const auto& e : std::filesystem::directory_iterator(dir))
        CHECK_MESSAGE(e.path().filename().string().find(".tmp.") == std::string::npos, e.path().string());
}

TEST_CASE("a failed write to stdout exits 3: tables, JSON and CSV to /dev/full; a closed pipe is a quiet exit 3") {
    const std::string bin = SOFTMDP_BINARY, chain = test::source_path("mdps/chain2.json"),
                      mg = test::source_path("mdps/multigoal.json");
    const auto dir = test::temp_dir("stdout-errors");
    const std::string err = (dir / "err.txt").string();
    // Runs softmdp ARGS with stdout to /dev/full: exit 3 with the reason, never "unexpected".
    const auto to_full = [&](const std::string& args) {
        CAPTURE(args);
        CHECK(shell(bin + " " + args + " >/dev/full 2>" + err) == 3);
        const std::string e = test::read_file(err);
        CHECK_MESSAGE(e.find("No space left on device") != std::string::npos, e);
        CHECK(e.find("unexpected") == std::string::npos);
    };
    const std::string commands[] = {"info " + chain, "validate " + chain, "solve " + chain, "evaluate " + chain + " --policy uniform",
                                    "compare " + chain + " --alpha 1", "sweep " + chain + " --alpha-min 0.1 --alpha-max 1 --points 2",
                                    "estimate " + mg + " --state center --alpha 0.1 --samples 100"};
    for (const auto& c : commands)
        for (const char* format : {"table", "json", "csv"}) to_full(c + " --format " + format);
    to_full("--help");
    to_full("solve --help");
    to_full("generate chain --states 10");
    // A large table (beyond stdio's buffer) fails while it is printed, not only at the flush.
    const std::string big = (dir / "big.json").string();
    REQUIRE(test::run_cli("generate garnet --states 3000 --quiet --output " + big).code == 0);
    to_full("compare " + big + " --alpha 1 --rows 3000");
    // The reader of a pipe goes away after one byte: exit 3 and nothing on stderr (as `yes | head` is quiet).
    for (const std::string& args : {std::string("generate garnet --states 20000"), "compare " + big + " --alpha 1 --rows 3000 --format csv"}) {
        CAPTURE(args);
        CHECK(shell(bin + " " + args + " 2>" + err + " | head -c1 >/dev/null; exit ${PIPESTATUS[0]}") == 3);
        CHECK(test::read_file(err).empty());
    }
}

TEST_CASE("a read-only file the user could not write is refused, not replaced (as user nobody, via setpriv)") {
    // The suite runs as root, who may write anything: drop to nobody when root and setpriv exists.
    if (::geteuid() != 0 || shell("command -v setpriv >/dev/null") != 0) return;
    const auto dir = test::temp_dir("read-only");
    std::filesystem::permissions(dir, std::filesystem::perms::all);  // nobody may create files here
    test::write_file(dir / "ro.json", "keep\n");
    std::filesystem::permissions(dir / "ro.json", std::filesystem::perms(0444));
    std::filesystem::create_symlink("ro.json", dir / "link.json");
    // The binary and the model are copied here: the build and source trees may be closed to nobody
    // (a clone in a 0700 mktemp folder).
    std::filesystem::copy_file(SOFTMDP_BINARY, dir / "softmdp", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(test::source_path("mdps/chain2.json"), dir / "chain2.json", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(dir / "softmdp", std::filesystem::perms(0755));
    std::filesystem::permissions(dir / "chain2.json", std::filesystem::perms(0644));
    const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups " + (dir / "softmdp").string() + " solve " +
                                  (dir / "chain2.json").string() + " --quiet --json ";
    for (const char* target : {"ro.json", "link.json"}) {
        CAPTURE(target);
        CHECK(shell(as_nobody + (dir / target).string() + " 2>" + (dir / "err.txt").string()) == 3);
        CHECK(test::read_file(dir / "err.txt").find("Permission denied (not replaced)") != std::string::npos);
        CHECK(test::read_file(dir / "ro.json") == "keep\n");
    }
    // A file nobody may write is replaced, keeping its mode.
    test::write_file(dir / "rw.json", "old\n");
    std::filesystem::permissions(dir / "rw.json", std::filesystem::perms(0646));
    CHECK(shell(as_nobody + (dir / "rw.json").string()) == 0);
    CHECK(read_json_file(dir / "rw.json")["format"] == "softmdp-result/1");
    CHECK(std::filesystem::status(dir / "rw.json").permissions() == std::filesystem::perms(0646));
}
