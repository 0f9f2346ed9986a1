#pragma once
// The softmdp command line: each subcommand lives in its own cmd_*.cpp and registers itself here.
// The CLI only parses options, calls the library and prints; exit codes are mapped in main.cpp.
#include <boost/program_options.hpp>
#include <concepts>
#include <exception>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/io/csv_writer.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/mapped_file.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp::cli {

namespace po = boost::program_options;

// Exit codes (docs/cli.md).
constexpr int kOk = 0, kUnexpected = 1, kInvalid = 2, kIo = 3, kNotConverged = 4;

// The option of a library parameter: "alpha_min" -> "--alpha-min" (the library names parameters
// after the options, docs/errors.md).
std::string option_name(std::string_view parameter);
// An exception's message as the CLI prints it: a softmdp::Error's parameters written as options.
std::string cli_message(const std::exception& e);

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(const std::vector<std::string>& args);
};
std::vector<Command>& commands();
struct Register {
    explicit Register(Command c) { commands().push_back(c); }
};

// Parses a subcommand's arguments. Prints help (usage, options, examples) and returns false on
// --help. Throws UsageError for unknown options, bad values, missing required ones, a negative
// value of an unsigned option, two outputs to stdout, and an output path that is an input path or
// another output's path: all checked here, before any work. Every command with --json also gets
// --format. `positional` names the option that takes the one positional argument (e.g. "file").
bool parse(const std::vector<std::string>& args, po::options_description& desc, const char* positional,
           po::variables_map& vm, std::string_view usage, std::string_view examples);

// Options shared by the commands that load an MDP and run a solver.
void add_model_options(po::options_description& desc);   // --renormalize --discount
void add_solver_options(po::options_description& desc);  // --tolerance --max-iterations --time-limit --threads
// --json --quiet (and, through parse, --format).
void add_output_options(po::options_description& desc,
                        const char* json_help = "write the result as JSON to this file ('-' = stdout)");
// Loads the model file of option `key` in any format (loader.hpp's ModelFormat), with --renormalize
// and --discount (the discount of files without one; replaces a file's own).
Model load(const po::variables_map& vm, const std::string& key = "file");
Model load(const po::variables_map& vm, const MappedFile& mapped, const std::string& file);
// The model with --discount's discount when given (checked: 1 only for proper models).
Model with_discount(Model m, const po::variables_map& vm);
BuildOptions build_options(const po::variables_map& vm);  // --renormalize, warnings to stderr
SolverOptions solver_options(const po::variables_map& vm, std::string_view label);
double alpha_option(const po::variables_map& vm);
// --prior P.json: KL regularisation towards the reference policy of a softmdp-policy/1 file
// (solvers/prior.hpp). prior_option: pi0 per row of m (empty without --prior); prior_name: the file
// ("" without), for the documents' "prior" field.
void add_prior_option(po::options_description& desc);
std::vector<double> prior_option(const po::variables_map& vm, const Model& m);
std::string prior_name(const po::variables_map& vm);

// What a command prints. `--format` picks what goes to stdout: the table (default), the JSON
// document (as `--json -`), or the CSV of the main table; `--json FILE` also writes the JSON to a
// file. The table is printed only when nothing else goes to stdout and --quiet is not given.
struct Report {
    std::function<void()> table;            // readable output on stdout (empty: none)
    std::function<void(JsonWriter&)> json;  // the command's softmdp-<kind>/1 document
    std::function<void(CsvWriter&)> csv;    // the main table, header first (empty: one row of the
                                            // JSON document's top-level fields)
};
void emit(const po::variables_map& vm, const Report& report);

// emit() of a command with nothing but a JSON document.
void write_json(const po::variables_map& vm, const std::function<void(JsonWriter&)>& fn);

// A CSV file written atomically ("-" = stdout).
void write_csv(const std::string& path, const std::function<void(CsvWriter&)>& fn);

// True when a JSON or CSV document is asked for (--json, or --format json|csv).
bool wants_document(const po::variables_map& vm);

// Refuses an option of `names` given on the command line (a default does not count): for options
// that do nothing on this kind of input, e.g. --nodes on a discrete-action file (exit 2, not ignored).
void refuse_given(const po::variables_map& vm, std::initializer_list<const char*> names, std::string_view why);

// Continuous-action commands (estimate, sample): the model, the state of --state and the
// successor values of --values (V = 0 without it).
struct ContinuousInput {
    ContinuousModel model;
    std::size_t state = 0;
    std::vector<double> values;
};
void add_continuous_options(po::options_description& desc);
ContinuousInput continuous_input(const po::variables_map& vm);

// True when progress lines should be shown (stderr is a TTY and no --quiet).
bool show_progress(const po::variables_map& vm);

// The one progress line on stderr, rewritten in place with '\r'. Shown only when show_progress()
// held for the parsed options. progress_due() is true at most every 0.2 s; progress_line() prints;
// end_progress() ends the line (emit() and main() call it before printing anything else).
bool progress_due();
void progress_line(std::string_view text);
void end_progress();
bool progress_line_open() noexcept;  // async-signal-safe
// The label of the solver progress lines (solver_options sets it; sweep names the alpha point).
void set_progress_label(std::string label);

}  // namespace softmdp::cli
