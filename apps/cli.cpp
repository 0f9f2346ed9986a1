#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <typeinfo>

#include "softmdp/core/printable.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/policy_reader.hpp"
#include "softmdp/solvers/krylov.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/core/resources.hpp"

namespace softmdp::cli {

std::string option_name(std::string_view parameter) {
    std::string flag = "--" + std::string(parameter);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

std::string cli_message(const std::exception& e) {
    if (const auto* error = dynamic_cast<const Error*>(&e)) return error->message_with(option_name);
    return e.what();
}

std::vector<Command>& commands() {
    static std::vector<Command> all;
    return all;
}

namespace {

namespace fs = std::filesystem;

// ---- progress: one line on stderr ----
struct ProgressState {
    bool enabled = false;
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    std::size_t width = 0;  // characters of the line on screen
    std::string label;
};
ProgressState& progress_state() {
    static ProgressState p;
    return p;
}
std::atomic<bool> g_line_open{false};

// ---- option checks done by parse() ----

const std::string* string_option(const po::variables_map& vm, const char* name) {
    if (!vm.count(name) || vm[name].value().type() != typeid(std::string)) return nullptr;
    return &vm[name].as<std::string>();
}

bool is_unsigned(const po::value_semantic* v) {
    return dynamic_cast<const po::typed_value<unsigned long>*>(v) || dynamic_cast<const po::typed_value<unsigned>*>(v) ||
           dynamic_cast<const po::typed_value<unsigned long long>*>(v) ||
           dynamic_cast<const po::typed_value<std::vector<unsigned long>>*>(v);
}

// Boost converts "-1" to an unsigned option by wrapping it to 2^64 - 1: refuse it by name.
void reject_negative_unsigned(const po::parsed_options& parsed, const po::options_description& desc) {
    for (const auto& o : parsed.options) {
        const auto* d = desc.find_nothrow(o.string_key, false);
        if (!d || !is_unsigned(d->semantic().get())) continue;
        for (const auto& v : o.value) {
            const auto i = v.find_first_not_of(" \t");
            if (i != std::string::npos && v[i] == '-')
                throw UsageError(fmt::format("--{} must be a number >= 0, got {}", o.string_key, v));
        }
    }
}

std::string format_of(const po::variables_map& vm) {
    if (vm.count("format") && !vm["format"].defaulted()) return vm["format"].as<std::string>();
    const auto* json = string_option(vm, "json");
    return json && *json == "-" ? "json" : "table";
}

// Outputs other than the --format document that can go to stdout, as (option, label).
constexpr std::pair<const char*, const char*> kStdoutOutputs[] = {{"csv", "--csv -"}, {"output", "--output -"}, {"out", "OUT -"}};

// At most one thing goes to stdout: a table and a JSON document (or an MDP) are never mixed.
void check_stdout(const po::variables_map& vm) {
    if (vm.count("format")) {
        const std::string f = vm["format"].as<std::string>();
        if (f != "table" && f != "json" && f != "csv") throw UsageError(fmt::format("--format must be table, json or csv, got '{}'", f));
    }
    std::vector<std::string> writers;
    const auto* json = string_option(vm, "json");
    if (json && *json == "-") writers.emplace_back("--json -");
    if (vm.count("format") && !vm["format"].defaulted() && !(format_of(vm) == "json" && json && *json == "-"))
        writers.push_back("--format " + format_of(vm));
    for (const auto& [name, label] : kStdoutOutputs)
        if (const auto* p = string_option(vm, name); p && *p == "-")
            writers.push_back(std::string(label) + (vm[name].defaulted() ? " (the default)" : ""));
    if (writers.size() > 1)
        throw UsageError(fmt::format("{} and {} both write to standard output: send one of them to a file", writers[0], writers[1]));
}

// Whether two paths name the same file: by identity when both exist (devices and pipes are never
// a clash: nothing replaces them), else by their normalised absolute paths. "-" is stdout.
bool same_file(const std::string& a, const std::string& b) {
    if (a == "-" || b == "-" || a.empty() || b.empty()) return false;
    std::error_code ea, eb;
    const auto sa = fs::status(a, ea), sb = fs::status(b, eb);
    const bool xa = !ea && fs::exists(sa), xb = !eb && fs::exists(sb);
    if (xa && xb) {
        std::error_code ec;
        return fs::is_regular_file(sa) && fs::is_regular_file(sb) && fs::equivalent(a, b, ec) && !ec;
    }
    if (xa || xb) return false;
    const auto ca = fs::weakly_canonical(fs::absolute(a, ea), ea), cb = fs::weakly_canonical(fs::absolute(b, eb), eb);
    return !ea && !eb && ca.lexically_normal() == cb.lexically_normal();
}

struct PathOption {
    const char* name;
    const char* label;
    std::initializer_list<std::string_view> keywords;  // values that are not file names
};
const PathOption kInputs[] = {{"file", "FILE", {}},
                              {"in", "IN", {}},
                              {"policy", "--policy", {"uniform", "greedy", "softmax"}},
                              {"values", "--values", {}},
                              {"residual", "--residual", {}},
                              {"residual-states", "--residual-states", {"uniform", "initial"}},
                              {"residual-actions", "--residual-actions", {"uniform", "softmax", "policy"}},
                              {"init", "--init", {}},
                              {"map", "--map", {"4x4", "8x8"}}};
const PathOption kOutputs[] = {{"json", "--json", {}}, {"csv", "--csv", {}}, {"output", "--output", {}}, {"out", "OUT", {}}};

// No output may replace an input or another output; checked before any work.
void check_paths(const po::variables_map& vm) {
    struct Named {
        std::string label, path;
    };
    std::vector<Named> inputs, outputs;
    for (const auto& o : kInputs)
        if (const auto* p = string_option(vm, o.name); p && std::find(o.keywords.begin(), o.keywords.end(), *p) == o.keywords.end())
            inputs.push_back({o.label, *p});
    for (const auto& o : kOutputs)
        if (const auto* p = string_option(vm, o.name)) outputs.push_back({o.label, *p});
    if (const auto* p = string_option(vm, "plot")) {
        const std::string ext = fs::path(*p).extension().string();
        if (ext != ".png" && ext != ".svg") throw UsageError(fmt::format("--plot {}: the picture must end in .png or .svg", *p));
        outputs.push_back({"--plot", *p});
        outputs.push_back({"--plot's data file", *p + ".dat"});
        outputs.push_back({"--plot's script", *p + ".gp"});
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        for (const auto& in : inputs)
            if (same_file(outputs[i].path, in.path))
                throw UsageError(fmt::format("{} {} is the same file as {} {}: refusing to overwrite an input", outputs[i].label,
                                             outputs[i].path, in.label, in.path));
        for (std::size_t k = 0; k < i; ++k)
            if (same_file(outputs[i].path, outputs[k].path))
                throw UsageError(fmt::format("{} {} and {} {} are the same file: give them different paths", outputs[k].label,
                                             outputs[k].path, outputs[i].label, outputs[i].path));
    }
}

// Writes through an OutputFile: `fn` gets its stream.
template <class Fn>
void write_atomically(const std::string& path, Fn&& fn) {
    OutputFile file(path);
    fn(file.stream());
    file.commit();
}

void write_json_to(const std::string& path, const std::function<void(JsonWriter&)>& fn) {
    write_atomically(path, [&](std::FILE* f) {
        JsonWriter w(f);
        fn(w);
    });
}

// One header and one row: the top-level fields of the JSON document (except "format"), in order;
// arrays and objects as compact JSON text.
void summary_csv(CsvWriter& csv, const std::function<void(JsonWriter&)>& fn) {
    char* buf = nullptr;
    std::size_t len = 0;
    std::FILE* mem = ::open_memstream(&buf, &len);
    if (!mem) throw std::bad_alloc();
    {
        JsonWriter w(mem);
        fn(w);
    }
    std::fclose(mem);
    const std::string text(buf, len);
    std::free(buf);
    std::vector<std::string> header, row;
    const auto doc = nlohmann::ordered_json::parse(text);
    for (const auto& [key, v] : doc.items()) {
        if (key == "format") continue;
        header.push_back(CsvWriter::field(key));
        row.push_back(CsvWriter::field(v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump()));
    }
    csv.row_of(header);
    csv.row_of(row);
}

}  // namespace

bool parse(const std::vector<std::string>& args, po::options_description& desc, const char* positional_name,
           po::variables_map& vm, std::string_view usage, std::string_view examples) {
    if (desc.find_nothrow("json", false) && !desc.find_nothrow("format", false))
        desc.add_options()("format", po::value<std::string>()->default_value("table"),
                           "what goes to stdout: table | json (the --json document) | csv (the main table)");
    desc.add_options()("help,h", "show this help");
    po::positional_options_description positional;
    positional.add(positional_name, 1);
    try {
        const auto parsed = po::command_line_parser(args).options(desc).positional(positional).run();
        reject_negative_unsigned(parsed, desc);
        po::store(parsed, vm);
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
    check_stdout(vm);
    check_paths(vm);
    progress_state().enabled = show_progress(vm);
    return true;
}

void add_model_options(po::options_description& desc) {
    desc.add_options()
        ("renormalize", "rescale successor probabilities whose sum is within 1e-6 of 1 (says so)")
        ("discount", po::value<double>(), "the discount of a model file that carries none (PRISM, or PETSc, npz and UMB files from "
                                          "other tools); replaces the file's otherwise");
}

void add_solver_options(po::options_description& desc) {
    desc.add_options()
        ("tolerance", po::value<double>()->default_value(1e-8, "1e-8"), "stop when the certified error bound ||V - V*||_inf <= this")
        ("max-iterations", po::value<std::uint64_t>()->default_value(1'000'000), "at most this many sweeps (VI, QI) or improvements (PI, MPI)")
        ("time-limit", po::value<double>(), "stop after this many seconds (result written, exit 4)")
        ("threads", po::value<int>()->default_value(0), "threads for parallel sweeps (0: all cores)")
        ("evaluation-sweeps", po::value<std::uint64_t>()->default_value(20), "modified policy iteration: sweeps per evaluation")
        ("krylov", po::value<std::string>()->default_value("bicgstab"), "ipi, soft-ipi: the Krylov method of the evaluations, bicgstab or gmres (GMRES(20))")
        ("preconditioner-sweeps", po::value<std::uint32_t>()->default_value(2), "ipi, soft-ipi: Gauss-Seidel sweeps per preconditioner application (0: none)")
        ("aggregate-size", po::value<std::uint32_t>(), "ipi, soft-ipi: states per aggregate of the two-level preconditioner's coarse correction (0: Gauss-Seidel only; default: max(8, S/6000) on local models, else 0)");
}

void add_output_options(po::options_description& desc, const char* json_help) {
    desc.add_options()
        ("json", po::value<std::string>(), json_help)
        ("quiet,q", "no progress lines and no table on stdout");
}

BuildOptions build_options(const po::variables_map& vm) {
    BuildOptions opts;
    opts.renormalize = vm.count("renormalize") > 0;
    opts.warn = [](const std::string& w) {
        fmt::print(stderr, "softmdp: warning: {}\n", printable(with_parameter_names(w, option_name)));
    };
    if (vm.count("discount")) {
        const double g = vm["discount"].as<double>();
        if (!(g >= 0.0 && g <= 1.0)) throw UsageError(fmt::format("--discount must be in [0, 1], got {}", g));
        opts.discount = g;
    }
    return opts;
}

Model with_discount(Model m, const po::variables_map& vm) {
    if (!vm.count("discount") || vm["discount"].as<double>() == m.discount()) return m;
    ModelData d = m.data();
    d.discount = vm["discount"].as<double>();
    m = Model(std::move(d));
    const std::size_t s = m.discount() == 1.0 ? find_improper_state(m) : m.num_states();
    if (s < m.num_states())
        throw UsageError(fmt::format("--discount 1 needs every policy to reach a terminal state, but from state {} some "
                                     "policy never terminates",
                                     m.state_name(s)));
    return m;
}

Model load(const po::variables_map& vm, const MappedFile& mapped, const std::string& file) {
    return with_discount(parse_any_model(mapped, build_options(vm), file), vm);
}

Model load(const po::variables_map& vm, const std::string& key) {
    const std::string file = vm[key].as<std::string>();
    const MappedFile mapped(file, kModelFile);
    return load(vm, mapped, file);
}

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
    const MappedFile mapped(file, kJsonObject);  // read once: FILE may be a pipe
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

void refuse_given(const po::variables_map& vm, std::initializer_list<const char*> names, std::string_view why) {
    for (const char* n : names)
        if (vm.count(n) && !vm[n].defaulted()) throw UsageError(fmt::format("--{} {}", n, why));
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
    if (opt.threads > thread_limit())
        throw UsageError(fmt::format("--threads {} is more than {} (64 per hardware thread): each thread costs a stack", opt.threads,
                                     thread_limit()));
    opt.evaluation_sweeps = vm["evaluation-sweeps"].as<std::uint64_t>();
    if (opt.evaluation_sweeps == 0) throw UsageError("--evaluation-sweeps must be >= 1");
    set_krylov_options(opt, vm["krylov"].as<std::string>(), vm["preconditioner-sweeps"].as<std::uint32_t>(),
                       vm.count("aggregate-size") ? std::optional(vm["aggregate-size"].as<std::uint32_t>()) : std::nullopt);
    set_progress_label(std::string(label));
    if (show_progress(vm)) {
        // ETA from the geometric decrease of the bound since the previous line: iterations still
        // needed = log(tolerance / bound) / log(rate per iteration).
        opt.progress = [tol = opt.tolerance, last = 0.0, last_it = std::uint64_t{0}, last_bound = 0.0](const Progress& p) mutable {
            if (p.iteration < last_it || p.seconds < last) last = 0.0, last_it = 0, last_bound = 0.0;  // the next solve
            if (!progress_due()) return;
            std::string eta = "?";
            if (p.bound && last_bound > 0.0 && *p.bound < last_bound && p.iteration > last_it) {
                const double rate = std::log(*p.bound / last_bound) / static_cast<double>(p.iteration - last_it);
                const double its = std::log(tol / *p.bound) / rate;
                const double per_it = (p.seconds - last) / static_cast<double>(p.iteration - last_it);
                eta = its > 0 ? fmt::format("{:.0f} s", its * per_it) : "0 s";
            }
            progress_line(fmt::format("{}: iteration {}, bound {}, {:.1f} s, {:.0f} it/s, ETA {}", progress_state().label,
                                      p.iteration, p.bound ? fmt::format("{:.3g}", *p.bound) : std::string("n/a"), p.seconds,
                                      static_cast<double>(p.iteration) / std::max(p.seconds, 1e-9), eta));
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

void add_prior_option(po::options_description& desc) {
    desc.add_options()("prior", po::value<std::string>(),
                       "KL regularisation towards the reference policy pi0 of this softmdp-policy/1 file: V = alpha log sum_a "
                       "pi0 exp(Q/alpha), pi0(a|s) = 0 excludes a (default: uniform, i.e. entropy regularisation)");
}

std::vector<double> prior_option(const po::variables_map& vm, const Model& m) {
    if (!vm.count("prior")) return {};
    return read_policy(vm["prior"].as<std::string>(), m);
}

std::string prior_name(const po::variables_map& vm) { return vm.count("prior") ? vm["prior"].as<std::string>() : std::string(); }

bool progress_due() {
    const auto& p = progress_state();
    return p.enabled && std::chrono::steady_clock::now() - p.last >= std::chrono::milliseconds(200);
}

void progress_line(std::string_view text) {
    auto& p = progress_state();
    if (!p.enabled) return;
    std::string line(text);
    if (line.size() < p.width) line.append(p.width - line.size(), ' ');  // clear the rest of the previous line
    fmt::print(stderr, "\r{}", line);
    p.width = text.size();
    p.last = std::chrono::steady_clock::now();
    g_line_open = true;
}

void end_progress() {
    if (g_line_open.exchange(false)) fmt::print(stderr, "\n");
    progress_state().width = 0;
}

bool progress_line_open() noexcept { return g_line_open; }

void set_progress_label(std::string label) { progress_state().label = std::move(label); }

bool wants_document(const po::variables_map& vm) { return vm.count("json") || format_of(vm) != "table"; }

void emit(const po::variables_map& vm, const Report& report) {
    end_progress();
    const std::string format = format_of(vm);
    if (format == "json") {
        write_json_to("-", report.json);
    } else if (format == "csv") {
        write_csv("-", report.csv ? report.csv : [&](CsvWriter& c) { summary_csv(c, report.json); });
    } else if (report.table && !vm.count("quiet")) {
        bool other = false;  // e.g. generate's MDP or sweep's --csv on stdout
        for (const auto& o : kStdoutOutputs) other = other || (string_option(vm, o.first) && *string_option(vm, o.first) == "-");
        if (!other) {
            report.table();
            flush_stdout();  // a failed table is an I/O error before any file is written
        }
    }
    if (const auto* json = string_option(vm, "json"); json && *json != "-") write_json_to(*json, report.json);
}

void write_json(const po::variables_map& vm, const std::function<void(JsonWriter&)>& fn) { emit(vm, {{}, fn, {}}); }

void write_csv(const std::string& path, const std::function<void(CsvWriter&)>& fn) {
    write_atomically(path, [&](std::FILE* f) {
        CsvWriter c(f);
        fn(c);
    });
}

}  // namespace softmdp::cli
