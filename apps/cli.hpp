#pragma once
// The softmdp command line: each subcommand lives in its own cmd_*.cpp and registers itself here.
// The CLI only parses options, calls the library and prints; exit codes are mapped in main.cpp.
#include <boost/program_options.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/continuous_model.hpp"
#include "softmdp/json_writer.hpp"
#include "softmdp/model.hpp"
#include "softmdp/model_builder.hpp"
#include "softmdp/solution.hpp"

namespace softmdp::cli {

namespace po = boost::program_options;

// Exit codes (docs/cli.md).
constexpr int kOk = 0, kUnexpected = 1, kInvalid = 2, kIo = 3, kNotConverged = 4;

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
// --help. Throws UsageError for unknown options, bad values, or missing required ones.
// `positional` names the option that takes the one positional argument (e.g. "file").
bool parse(const std::vector<std::string>& args, po::options_description& desc, const char* positional,
           po::variables_map& vm, std::string_view usage, std::string_view examples);

// Options shared by the commands that load an MDP and run a solver.
void add_model_options(po::options_description& desc);   // --renormalize
void add_solver_options(po::options_description& desc);  // --tolerance --max-iterations --time-limit --threads
void add_output_options(po::options_description& desc);  // --json --quiet
Model load(const po::variables_map& vm, const std::string& key = "file");
BuildOptions build_options(const po::variables_map& vm);  // --renormalize, warnings to stderr
SolverOptions solver_options(const po::variables_map& vm, std::string_view label);
double alpha_option(const po::variables_map& vm);

// Writes JSON to `path` ("-" = stdout) atomically: fn gets a JsonWriter. Refuses to overwrite an input.
void write_json(const po::variables_map& vm, const std::function<void(JsonWriter&)>& fn);

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

}  // namespace softmdp::cli
