#include "cli.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <sstream>

#include "softmdp/errors.hpp"
#include "softmdp/json_writer.hpp"
#include "softmdp/loader.hpp"
#include "softmdp/output_file.hpp"

namespace softmdp::cli {

std::vector<Command>& commands() {
    static std::vector<Command> all;
    return all;
}

bool parse(const std::vector<std::string>& args, po::options_description& desc, const char* positional_name,
           po::variables_map& vm, std::string_view usage, std::string_view examples) {
    desc.add_options()("help,h", "show this help");
    po::positional_options_description positional;
    positional.add(positional_name, 1);
    try {
        po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
        if (vm.count("help")) {
            std::ostringstream os;
            os << desc;
            fmt::print("usage: {}\n\n{}\nexamples:\n{}", usage, os.str(), examples);
            return false;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(fmt::format("{} (usage: {}; see --help)", e.what(), usage));
    }
    return true;
}

void add_model_options(po::options_description& desc) {
    desc.add_options()("renormalize", "rescale successor probabilities whose sum is within 1e-6 of 1 (says so)");
}

void add_solver_options(po::options_description& desc) {
    desc.add_options()
        ("tolerance", po::value<double>()->default_value(1e-8, "1e-8"), "stop when the certified error bound ||V - V*||_inf <= this")
        ("max-iterations", po::value<std::uint64_t>()->default_value(1'000'000), "at most this many sweeps (VI, QI) or improvements (PI, MPI)")
        ("time-limit", po::value<double>(), "stop after this many seconds (result written, exit 4)")
        ("threads", po::value<int>()->default_value(0), "threads for parallel sweeps (0: all cores)")
        ("evaluation-sweeps", po::value<std::uint64_t>()->default_value(20), "modified policy iteration: sweeps per evaluation");
}

void add_output_options(po::options_description& desc) {
    desc.add_options()
        ("json", po::value<std::string>(), "write the result as JSON to this file ('-' = stdout)")
        ("quiet,q", "no progress lines and no table on stdout");
}

BuildOptions build_options(const po::variables_map& vm) {
    BuildOptions opts;
    opts.renormalize = vm.count("renormalize") > 0;
    opts.warn = [](const std::string& w) { fmt::print(stderr, "softmdp: warning: {}\n", w); };
    return opts;
}

Model load(const po::variables_map& vm, const std::string& key) { return load_model(vm[key].as<std::string>(), build_options(vm)); }

void add_continuous_options(po::options_description& desc) {
    desc.add_options()
        ("file", po::value<std::string>()->required(), "continuous-action MDP file (softmdp/1 with action_space)")
        ("state,s", po::value<std::string>()->required(), "the state (name or index)")
        ("alpha,a", po::value<double>()->required(), "temperature alpha > 0")
        ("values", po::value<std::string>(), "successor values V from a softmdp-result/1 file of `solve` (default V = 0)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "random seed (results are reproducible for a seed)");
}

ContinuousInput continuous_input(const po::variables_map& vm) {
    const std::string file = vm["file"].as<std::string>();
    const MappedFile mapped(file);  // read once: FILE may be a pipe
    if (!is_continuous(mapped))
        throw UsageError(fmt::format("{} is a discrete-action MDP; estimate and sample need a continuous-action file", file));
    ContinuousInput in{parse_continuous_model(mapped.text(), file), 0, {}};
    const std::string st = vm["state"].as<std::string>();
    in.state = in.model.find_state(st);
    if (in.state == in.model.num_states()) throw UsageError(fmt::format("--state {}: no such state in {}", st, file));
    if (in.model.is_terminal(in.state)) throw UsageError(fmt::format("--state {} is terminal: it has no actions", st));
    in.values = vm.count("values") ? read_continuous_values(vm["values"].as<std::string>(), in.model)
                                   : std::vector<double>(in.model.num_states(), 0.0);
    return in;
}

bool show_progress(const po::variables_map& vm) { return !vm.count("quiet") && ::isatty(2); }

SolverOptions solver_options(const po::variables_map& vm, std::string_view label) {
    SolverOptions opt;
    opt.tolerance = vm["tolerance"].as<double>();
    if (!(opt.tolerance > 0.0) || !std::isfinite(opt.tolerance))
        throw UsageError(fmt::format("--tolerance must be a finite number > 0, got {}", opt.tolerance));
    opt.max_iterations = vm["max-iterations"].as<std::uint64_t>();
    if (vm.count("time-limit")) {
        opt.time_limit = vm["time-limit"].as<double>();
        if (!(opt.time_limit > 0.0)) throw UsageError(fmt::format("--time-limit must be > 0, got {}", opt.time_limit));
    }
    opt.threads = vm["threads"].as<int>();
    if (opt.threads < 0) throw UsageError("--threads must be >= 0");
    opt.evaluation_sweeps = vm["evaluation-sweeps"].as<std::uint64_t>();
    if (opt.evaluation_sweeps == 0) throw UsageError("--evaluation-sweeps must be >= 1");
    if (show_progress(vm)) {
        // ETA from the geometric decrease of the bound since the previous line: iterations still
        // needed = log(tolerance / bound) / log(rate per iteration).
        opt.progress = [label = std::string(label), tol = opt.tolerance, last = -1.0, last_it = std::uint64_t{0},
                        last_bound = 0.0](const Progress& p) mutable {
            if (p.seconds - last < 0.2) return;
            std::string eta = "?";
            if (p.bound && last_bound > 0.0 && *p.bound < last_bound && p.iteration > last_it) {
                const double rate = std::log(*p.bound / last_bound) / static_cast<double>(p.iteration - last_it);
                const double its = std::log(tol / *p.bound) / rate;
                const double per_it = (p.seconds - last) / static_cast<double>(p.iteration - last_it);
                eta = its > 0 ? fmt::format("{:.0f} s", its * per_it) : "0 s";
            }
            fmt::print(stderr, "\r{}: iteration {}, bound {}, {:.1f} s, {:.0f} it/s, ETA {}    ", label, p.iteration,
                       p.bound ? fmt::format("{:.3g}", *p.bound) : std::string("n/a"), p.seconds,
                       static_cast<double>(p.iteration) / std::max(p.seconds, 1e-9), eta);
            last = p.seconds;
            last_it = p.iteration;
            last_bound = p.bound.value_or(0.0);
        };
    }
    return opt;
}

double alpha_option(const po::variables_map& vm) {
    if (!vm.count("alpha")) return 0.0;
    const double alpha = vm["alpha"].as<double>();
    if (!std::isfinite(alpha) || alpha < 0.0) throw UsageError(fmt::format("--alpha must be a finite number >= 0, got {}", alpha));
    return alpha;
}

void write_json(const po::variables_map& vm, const std::function<void(JsonWriter&)>& fn) {
    if (!vm.count("json")) return;
    const std::string out = vm["json"].as<std::string>();
    if (out != "-") {
        std::error_code ec;
        for (const char* in : {"file", "policy", "values", "init", "residual"}) {
            if (!vm.count(in)) continue;
            const std::string input = vm[in].as<std::string>();
            if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(out, input, ec))
                throw UsageError(fmt::format("--json {} is the input file {}: refusing to overwrite it", out, input));
        }
    }
    OutputFile file(out);
    {
        JsonWriter w(file.stream());
        fn(w);
    }
    file.commit();
}

}  // namespace softmdp::cli
