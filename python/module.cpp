// softmdp._core: the pybind11 binding of the library's public API (lib/include/softmdp), wrapped by
// the pure-Python package python/softmdp/__init__.py (input shapes, SciPy, Gymnasium tables).
//
// What is copied (the docstrings say the same):
// - a model is built once into the library's CSR arrays (one copy of P: the library interleaves s'
//   and p in 12-byte transitions, so no NumPy layout can be used in place);
// - result arrays are NumPy views on the Solution the Python object owns (values always; q and
//   policy as (S, A) when every state has every action, else filled into a new (S, A) array);
// - warm starts and policies are copied once into the library's per-row layout.
// Solves run with the GIL released; every ~50 ms the progress hook takes the GIL back to run Python's
// signal handlers, so Ctrl-C ends a solve with KeyboardInterrupt (the library has no other
// cancellation hook).
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/analysis/features.hpp"
#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/analysis/sweep.hpp"
#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/soft_value_estimate.hpp"
#include "softmdp/continuous/target.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/core/stop.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/features.hpp"
#include "softmdp/io/irl.hpp"
#include "softmdp/io/occupancy.hpp"
#include "softmdp/io/trajectories.hpp"
#include "softmdp/io/cassandra.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/model_file.hpp"
#include "softmdp/io/npz.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/petsc_binary.hpp"
#include "softmdp/io/prism.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/io/umb.hpp"
#include "softmdp/learning/irl.hpp"
#include "softmdp/learning/simulate.hpp"
#include "softmdp/learning/soft_q_learning.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/finite_horizon.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/solve.hpp"
#include "softmdp/core/resources.hpp"

namespace py = pybind11;
using namespace softmdp;

namespace {

// Models are immutable (no mutating method is bound); pybind11 holds them by shared_ptr<Model>.
using ModelPtr = std::shared_ptr<Model>;
template <class T>
using carray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// The Python exception classes (created in PYBIND11_MODULE).
PyObject* g_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_usage_error = nullptr;
PyObject* g_numerical_error = nullptr;
PyObject* g_io_error = nullptr;

[[noreturn]] void usage(const std::string& message) { throw UsageError(message); }

// Thrown through the library by the progress hook when a Python signal handler raised (the Python
// error stays set and is re-raised once the GIL is back).
struct PythonSignal {};

// The progress hook of a solve: between iterations, at most every 50 ms, runs Python's signal
// handlers (Ctrl-C: KeyboardInterrupt) with the GIL taken back for that moment.
template <class P>
std::function<void(const P&)> signal_check() {
    return [last = 0.0, clock = std::chrono::steady_clock::now()](const P&) mutable {
        const double now = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
        if (now - last < 0.05) return;
        last = now;
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw PythonSignal{};
    };
}

// Runs f with the GIL released; a Python signal raised inside comes back as error_already_set.
template <class F>
auto without_gil(F&& f) {
    bool signalled = false;
    std::optional<decltype(f())> out;
    {
        py::gil_scoped_release release;
        try {
            out.emplace(f());
        } catch (const PythonSignal&) {
            signalled = true;
        }
    }
    if (signalled) throw py::error_already_set();
    return std::move(*out);
}

// A read-only NumPy view of n doubles at p, kept alive by `owner`.
py::array view(const double* p, std::vector<py::ssize_t> shape, py::handle owner) {
    py::array a(py::dtype::of<double>(), std::move(shape), {}, p, owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

std::vector<double> to_vector(const carray<double>& a) { return {a.data(), a.data() + a.size()}; }

// Per-row values -> (S, A) with `fill` where an action is unavailable.
py::array_t<double> per_action(const Model& m, const std::vector<double>& rows, double fill) {
    const std::size_t S = m.num_states(), A = m.num_actions();
    py::array_t<double> out({static_cast<py::ssize_t>(S), static_cast<py::ssize_t>(A)});
    double* o = out.mutable_data();
    std::fill(o, o + S * A, fill);
    for (std::size_t s = 0; s < S; ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) o[s * A + m.row_action(r)] = rows[r];
    return out;
}

// Whether per-row arrays are already (S, A) in C order: every state has every action.
bool full_layout(const Model& m) { return m.num_rows() == m.num_states() * m.num_actions(); }

// (S, A) or per-row (num_rows,) -> per row. Mass on an unavailable action is refused.
std::vector<double> rows_of(const Model& m, const carray<double>& x, const char* what, bool zero_elsewhere) {
    const std::size_t S = m.num_states(), A = m.num_actions();
    if (x.ndim() == 1 && static_cast<std::size_t>(x.shape(0)) == m.num_rows()) return to_vector(x);
    if (x.ndim() != 2 || static_cast<std::size_t>(x.shape(0)) != S || static_cast<std::size_t>(x.shape(1)) != A)
        usage(fmt::format("{} must have shape (S, A) = ({}, {}) or one entry per available (s, a) ({}), got {}", what, S, A,
                          m.num_rows(), py::str(py::tuple(py::cast(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim())))).cast<std::string>()));
    std::vector<double> out(m.num_rows());
    const double* p = x.data();
    for (std::size_t s = 0; s < S; ++s) {
        Offset r = m.row_first(s);
        for (std::size_t a = 0; a < A; ++a) {
            if (r < m.row_last(s) && m.row_action(r) == a) out[r++] = p[s * A + a];
            else if (zero_elsewhere && p[s * A + a] != 0.0 && !std::isnan(p[s * A + a]))
                usage(fmt::format("{}[{}, {}] is {}, but action {} is not available in state {}", what, s, a, p[s * A + a],
                                  m.action_name(a), m.state_name(s)));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Models

struct CsrInput {
    std::size_t S = 0, A = 0;
    carray<std::int64_t> indptr;  // S*A + 1, rows s*A + a
    carray<std::int32_t> indices;
    carray<double> data;
};

// Builds a model from P as CSR over rows s*A + a. A row is available when `available` says so (by
// default: when it has successors); terminal states have no rows at all.
ModelPtr from_csr(std::size_t S, std::size_t A, const carray<std::int64_t>& indptr, const carray<std::int32_t>& indices,
                  const carray<double>& data, std::optional<carray<double>> row_reward, std::optional<carray<double>> next_reward,
                  std::optional<py::array_t<bool, py::array::c_style | py::array::forcecast>> available,
                  std::optional<py::array_t<bool, py::array::c_style | py::array::forcecast>> terminal,
                  std::optional<carray<double>> initial, double discount, const std::string& name,
                  std::vector<std::string> state_names, std::vector<std::string> action_names, bool renormalize) {
    if (S == 0) usage("the model needs at least one state");
    if (A == 0) usage("the model needs at least one action");
    const std::size_t rows = S * A;
    if (static_cast<std::size_t>(indptr.size()) != rows + 1) usage(fmt::format("P must have S*A = {} rows", rows));
    const std::int64_t* ip = indptr.data();
    const std::size_t nnz = static_cast<std::size_t>(indices.size());
    if (static_cast<std::size_t>(data.size()) != nnz || ip[0] != 0 || static_cast<std::size_t>(ip[rows]) != nnz)
        usage("P's CSR arrays disagree (indptr, indices, data)");
    if (row_reward && static_cast<std::size_t>(row_reward->size()) != rows)
        usage(fmt::format("R must have shape (S, A) = ({}, {}), (S*A,), or P's shape", S, A));
    if (next_reward && static_cast<std::size_t>(next_reward->size()) != nnz) usage("per-transition R must have P's nonzeros");
    if (available && static_cast<std::size_t>(available->size()) != rows)
        usage(fmt::format("mask must have shape (S, A) = ({}, {})", S, A));
    if (terminal && static_cast<std::size_t>(terminal->size()) != S) usage(fmt::format("terminal must have {} entries (one per state)", S));
    if (!state_names.empty() && state_names.size() != S)
        usage(fmt::format("state_names has {} names for {} states", state_names.size(), S));
    if (!action_names.empty() && action_names.size() != A)
        usage(fmt::format("action_names has {} names for {} actions", action_names.size(), A));
    check_model_size("arrays", S, A, rows, nnz);

    ModelData d;
    d.name = name;
    d.discount = discount;
    d.num_states = S;
    d.num_actions = A;
    d.state_names = std::move(state_names);
    d.action_names = std::move(action_names);
    if (initial) d.initial = to_vector(*initial);
    d.state_begin.reserve(S + 1);
    d.state_begin.push_back(0);
    d.row_begin.push_back(0);
    d.transitions.reserve(nnz);
    const std::int32_t* ix = indices.data();
    const double* px = data.data();
    const double* rr = row_reward ? row_reward->data() : nullptr;
    const double* nr = next_reward ? next_reward->data() : nullptr;
    if (nr) d.next_reward.reserve(nnz);
    for (std::size_t s = 0; s < S; ++s) {
        if (!(terminal && terminal->data()[s])) {
            for (std::size_t a = 0; a < A; ++a) {
                const std::size_t k = s * A + a;
                const bool avail = available ? available->data()[k] : ip[k + 1] > ip[k];
                if (!avail) continue;
                if (ip[k + 1] < ip[k]) usage(fmt::format("P's indptr decreases at row {}", k + 1));
                double r = rr ? rr[k] : 0.0;
                for (std::int64_t t = ip[k]; t < ip[k + 1]; ++t) {
                    if (ix[t] < 0 || static_cast<std::size_t>(ix[t]) >= S)
                        throw InputError(fmt::format("successor {} is out of range (there are {} states)", ix[t], S),
                                         Location{"arrays", std::nullopt, fmt::format("state {}, action {}", s, a), fmt::format("P[{}, {}]", k, ix[t])});
                    d.transitions.emplace_back(static_cast<StateId>(ix[t]), px[t]);
                    if (nr) {
                        d.next_reward.push_back(nr[t]);
                        r += px[t] * nr[t];
                    }
                }
                d.row_action.push_back(static_cast<ActionId>(a));
                d.row_reward.push_back(r);
                d.row_begin.push_back(d.transitions.size());
            }
        }
        d.state_begin.push_back(d.row_action.size());
    }
    BuildOptions options;
    options.renormalize = renormalize;
    const ArrayNames names{"rows", "P (row of (s, a))", "P (column)", "P", "R", "actions"};
    return std::make_shared<Model>(build_from_arrays(std::move(d), "arrays", names, options));
}

// The same transitions with new expected rewards r(s, a) ((S, A), 0 ignored where unavailable, or
// per available (s, a)): the inner loop of maximum-entropy IRL changes only the rewards. Copies the
// model's arrays once (no file, no re-validation of P beyond build_from_arrays' checks).
ModelPtr with_rewards(const Model& m, const carray<double>& R) {
    std::vector<double> rows;
    const std::size_t S = m.num_states(), A = m.num_actions();
    if (R.ndim() == 1 && static_cast<std::size_t>(R.size()) == S * A && S * A != m.num_rows()) {  // (S*A,)
        rows.resize(m.num_rows());
        for (std::size_t s = 0; s < S; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) rows[r] = R.data()[s * A + m.row_action(r)];
    } else {
        rows = rows_of(m, R, "R", false);
    }
    ModelData d = m.data();
    d.row_reward = std::move(rows);
    d.next_reward.clear();  // the new r(s, a) replaces any per-successor rewards
    const ArrayNames names{"rows", "P (row of (s, a))", "P (column)", "P", "R", "actions"};
    return std::make_shared<Model>(build_from_arrays(std::move(d), "arrays", names, BuildOptions{}));
}

// Times n solves in a C++ loop (no Python between them): the floor that bench/python_overhead.py
// measures the binding's call overhead against. Returns seconds per solve.
double bench_solve_loop(const Model& m, double alpha, const std::string& method, std::size_t n, double tolerance, int threads) {
    SolverOptions opt;
    opt.tolerance = tolerance;
    opt.threads = threads;
    py::gil_scoped_release release;
    const auto t0 = std::chrono::steady_clock::now();
    double sink = 0.0;
    for (std::size_t i = 0; i < n; ++i) sink += solve(m, method, alpha, opt).values[0];
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(sink)) throw NumericalError("non-finite values in the benchmark loop");
    return dt / static_cast<double>(n);
}

// The format of a model file: `given`, else a file's content (binary formats), else its extension;
// an input whose extension says nothing is read as softmdp/1.
std::string format_of_path(const std::string& path, const std::string& given, bool input) {
    if (!given.empty()) return given;
    const std::string_view format = model_file_format(path, input);
    if (!format.empty()) return std::string(format);
    if (input) return "softmdp";
    usage(fmt::format("cannot tell the format of '{}' from its extension (.json, .mdp, .pomdp, .tra, .umb, .petsc, .bin, .npz): "
                      "give format=",
                      path));
}

ModelPtr load(const std::string& path, std::optional<double> discount, bool renormalize, const std::string& format) {
    const std::string kind = format_of_path(path, format, true);
    BuildOptions options;
    options.renormalize = renormalize;
    options.discount = discount;
    py::gil_scoped_release release;  // big files take a while; nothing here touches Python
    if (kind == "prism") {
        if (!discount) usage("reading PRISM files needs discount=G: the format has none");
        return std::make_shared<Model>(read_prism(path, *discount, options));
    }
    if (kind == "cassandra") {
        Model m = read_cassandra(path);
        if (!discount) return std::make_shared<Model>(std::move(m));
        ModelData d = m.data();
        d.discount = *discount;
        return std::make_shared<Model>(build_from_arrays(std::move(d), path, ArrayNames{}, options));
    }
    if (kind != "softmdp" && kind != "umb" && kind != "petsc" && kind != "npz")
        usage(fmt::format("format must be softmdp, cassandra, prism, umb, petsc or npz, got '{}'", kind));
    return std::make_shared<Model>(load_model(path, options));
}

void save(const Model& m, const std::string& path, const std::string& format) {
    const std::string kind = format_of_path(path, format, false);
    std::vector<std::string> warnings;
    {
        py::gil_scoped_release release;
        if (kind == "prism") {
            write_prism(m, path, [&](const std::string& w) { warnings.push_back(w); });
        } else {
            if (!is_model_file_format(kind))
                usage(fmt::format("format must be softmdp, cassandra, prism, umb, petsc or npz, got '{}'", kind));
            OutputFile file(path);
            write_model(file.stream(), m, kind);
            file.commit();
        }
    }
    if (!warnings.empty()) {
        auto warn = py::module_::import("warnings").attr("warn");
        for (const auto& w : warnings) warn(w);
    }
}

// P as CSR over rows s*A + a (copies), R (S, A) expected rewards (0 where unavailable), and the mask.
py::tuple csr_arrays(const Model& m) {
    const std::size_t S = m.num_states(), A = m.num_actions(), T = m.num_transitions();
    py::array_t<std::int64_t> indptr(static_cast<py::ssize_t>(S * A + 1));
    py::array_t<std::int32_t> indices(static_cast<py::ssize_t>(T));
    py::array_t<double> data(static_cast<py::ssize_t>(T));
    py::array_t<double> reward({static_cast<py::ssize_t>(S), static_cast<py::ssize_t>(A)});
    py::array_t<bool> mask({static_cast<py::ssize_t>(S), static_cast<py::ssize_t>(A)});
    auto* ip = indptr.mutable_data();
    auto* ix = indices.mutable_data();
    auto* px = data.mutable_data();
    auto* rw = reward.mutable_data();
    auto* mk = mask.mutable_data();
    std::fill(rw, rw + S * A, 0.0);
    std::fill(mk, mk + S * A, false);
    std::size_t t = 0;
    ip[0] = 0;
    for (std::size_t s = 0; s < S; ++s) {
        Offset r = m.row_first(s);
        for (std::size_t a = 0; a < A; ++a) {
            if (r < m.row_last(s) && m.row_action(r) == a) {
                for (const Transition& tr : m.transitions(r)) ix[t] = static_cast<std::int32_t>(tr.next), px[t++] = tr.prob();
                rw[s * A + a] = m.row_reward(r);
                mk[s * A + a] = true;
                ++r;
            }
            ip[s * A + a + 1] = static_cast<std::int64_t>(t);
        }
    }
    return py::make_tuple(indptr, indices, data, reward, mask);
}

// ---------------------------------------------------------------------------------------------
// Results

struct Result {
    ModelPtr model;
    Solution sol;
    std::string convention;  // evaluations: "state" or "action"; "" for solves
    std::string prior;       // "array" when solved with prior= (still on the user's model, solvers/prior.hpp); "" without
    std::vector<double> prior_rows;  // pi0 per row (empty without)
};

// prior= (an (S, A) array of pi0(a|s), or per available (s, a)): pi0 per row (empty without one).
std::vector<double> prior_rows(const Model& m, const std::optional<carray<double>>& prior) {
    return prior ? rows_of(m, *prior, "prior", true) : std::vector<double>();
}

std::string json_text(const std::function<void(JsonWriter&)>& write) {
    char* buf = nullptr;
    std::size_t size = 0;
    std::FILE* f = open_memstream(&buf, &size);
    if (!f) throw IoError("cannot open a memory stream for the JSON text");
    {
        JsonWriter w(f);
        write(w);
        w.flush();
    }
    std::fclose(f);
    std::string out(buf, size);
    std::free(buf);
    return out;
}

SolverOptions solver_options(double tolerance, std::uint64_t max_iterations, std::optional<double> time_limit, int threads,
                             std::uint64_t evaluation_sweeps, const std::string& krylov, std::uint32_t preconditioner_sweeps,
                             std::optional<std::uint32_t> aggregate_size) {
    SolverOptions opt;
    if (!(tolerance > 0.0) || !std::isfinite(tolerance)) usage(fmt::format("tolerance must be a finite number > 0, got {}", tolerance));
    opt.tolerance = tolerance;
    opt.max_iterations = max_iterations;
    if (time_limit) {
        if (!(*time_limit > 0.0)) usage(fmt::format("time_limit must be > 0, got {}", *time_limit));
        opt.time_limit = *time_limit;
    }
    if (threads < 0) usage("threads must be >= 0");
    opt.threads = threads;
    if (evaluation_sweeps == 0) usage("evaluation_sweeps must be >= 1");
    opt.evaluation_sweeps = evaluation_sweeps;
    if (krylov != "gmres" && krylov != "bicgstab") usage(fmt::format("krylov must be gmres or bicgstab, got '{}'", krylov));
    opt.krylov = krylov == "gmres" ? KrylovMethod::gmres : KrylovMethod::bicgstab;
    if (preconditioner_sweeps > 100) usage("preconditioner_sweeps must be at most 100");
    opt.preconditioner_sweeps = preconditioner_sweeps;
    opt.aggregate_size = aggregate_size;
    opt.progress = signal_check<Progress>();
    return opt;
}

std::vector<double> warm_start(const Model& m, const std::optional<carray<double>>& init) {
    if (!init) return {};
    if (init->ndim() != 1 || static_cast<std::size_t>(init->size()) != m.num_states())
        usage(fmt::format("initial_values must have shape (S,) = ({},)", m.num_states()));
    return to_vector(*init);
}

#define SOLVER_ARGS                                                                                                         \
    double tolerance, std::uint64_t max_iterations, std::optional<double> time_limit, int threads,                           \
        std::uint64_t evaluation_sweeps, const std::string &krylov, std::uint32_t preconditioner_sweeps,       \
        std::optional<std::uint32_t> aggregate_size
#define SOLVER_PASS tolerance, max_iterations, time_limit, threads, evaluation_sweeps, krylov, preconditioner_sweeps, aggregate_size
#define SOLVER_PY_ARGS                                                                                                      \
    py::arg("tolerance") = 1e-8, py::arg("max_iterations") = 1'000'000, py::arg("time_limit") = py::none(),                \
        py::arg("threads") = 0, py::arg("evaluation_sweeps") = 20, py::arg("krylov") = "bicgstab",                          \
        py::arg("preconditioner_sweeps") = 2, py::arg("aggregate_size") = py::none()

std::shared_ptr<Result> solve_py(const ModelPtr& full, double alpha, std::optional<std::string> method,
                                 std::optional<carray<double>> initial_values, std::optional<carray<double>> prior, SOLVER_ARGS) {
    SolverOptions opt = solver_options(SOLVER_PASS);
    if (!std::isfinite(alpha) || alpha < 0.0) usage(fmt::format("alpha must be a finite number >= 0, got {}", alpha));
    const ModelPtr& m = full;
    const std::vector<double> pi0 = prior_rows(*m, prior);
    const std::vector<double> init = warm_start(*m, initial_values);
    opt.initial_values = init;
    // The CLI's default with its memory check (solve.hpp); Python keeps the q and policy tables
    // (the Result's arrays are views on them).
    const MethodChoice choice = method ? MethodChoice{*method, {}} : choose_default_method(*m, alpha, true, available_memory());
    const std::string name(choice.method);
    auto r = std::make_shared<Result>();
    r->model = m;
    if (prior) {
        r->prior = "array";
        r->prior_rows = pi0;
    }
    r->sol = without_gil([&] {
        if (pi0.empty()) return solve(*m, name, alpha, opt);
        return solve_with_prior(std::as_const(*m), pi0, name, alpha, opt);  // a copy: the Python model is shared
    });
    r->sol.method_note = choice.note;
    return r;
}

std::shared_ptr<Result> evaluate_py(const ModelPtr& full, const py::object& policy, double alpha, const std::string& convention,
                                    bool iterative, std::optional<carray<double>> prior, SOLVER_ARGS) {
    if (convention != "state" && convention != "action")
        usage(fmt::format("convention must be state or action, got '{}'", convention));
    if (!std::isfinite(alpha) || alpha < 0.0) usage(fmt::format("alpha must be a finite number >= 0, got {}", alpha));
    const ModelPtr& m = full;
    const std::vector<double> pi0 = prior_rows(*m, prior);
    SolverOptions opt = solver_options(SOLVER_PASS);
    std::vector<double> pi;
    std::string label = "policy";
    if (py::isinstance<py::str>(policy)) {
        const auto s = policy.cast<std::string>();
        if (s != "uniform") usage(fmt::format("policy must be an (S, A) array or \"uniform\", got '{}'", s));
        pi = pi0.empty() ? uniform_policy(*m) : uniform_on_prior(*m, pi0);
    } else {
        pi = rows_of(*m, policy.cast<carray<double>>(), "policy", true);
    }
    check_policy(*m, pi, label);
    if (!pi0.empty()) check_within_prior(*m, pi0, pi, label);
    const auto conv = convention == "state" ? EntropyConvention::state : EntropyConvention::action;
    auto r = std::make_shared<Result>();
    r->model = m;
    r->convention = convention;
    if (prior) {
        r->prior = "array";
        r->prior_rows = pi0;
    }
    r->sol = without_gil([&] {
        const auto evaluate = [&](const Model& on, std::span<const double> p) {
            return iterative ? evaluate_policy_iterative(on, p, alpha, opt, conv) : evaluate_policy_exact(on, p, alpha, opt, conv);
        };
        if (pi0.empty()) return evaluate(*m, pi);
        // On a copy (the Python model is shared); the result is on the user's model.
        return solve_on_prior_model(std::as_const(*m), pi0, alpha, [&](const Model& pm) { return evaluate(pm, compact_prior_rows(pi0, pi)); });
    });
    r->sol.method += "-" + convention;  // as the CLI names it ("exact-state", ...)
    return r;
}

py::dict policy_stats_dict(const PolicyStats& st) {
    py::dict d;
    d["entropy"] = py::array_t<double>(static_cast<py::ssize_t>(st.entropy.size()), st.entropy.data());
    d["mean_entropy"] = st.mean_entropy;
    d["greedy_probability"] = st.greedy_probability;
    d["kl_from_greedy"] = st.kl_from_greedy;
    d["changed"] = st.changed;
    return d;
}

py::array_t<double> copy_array(const std::vector<double>& v) {
    return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::object opt_float(const std::optional<double>& x) { return x ? py::object(py::float_(*x)) : py::object(py::none()); }


// ---------------------------------------------------------------------------------------------
// Policies, occupancy, simulation, IRL

// The policy of occupancy() and simulate(): an (S, A) array (source "array"), a named policy
// ("uniform", "greedy", "softmax"), or with neither the soft optimum at alpha (greedy at alpha 0):
// the library's choices (analysis/policy.hpp), with the sources the CLI writes.
ChosenPolicy chosen_policy_py(const Model& m, const py::object& policy, std::optional<double> alpha, const SolverOptions& opt) {
    if (alpha && (!std::isfinite(*alpha) || *alpha < 0.0)) usage(fmt::format("alpha must be a finite number >= 0, got {}", *alpha));
    if (py::isinstance<py::str>(policy)) {
        const std::string name = policy.cast<std::string>();
        return without_gil([&] { return chosen_named_policy(name, m, alpha.value_or(0.0), opt); });
    }
    if (!policy.is_none()) {
        ChosenPolicy c{rows_of(m, policy.cast<carray<double>>(), "policy", true), "array", std::nullopt};
        check_policy(m, c.pi, "policy");
        return c;
    }
    if (!alpha) usage("give policy=P, or alpha=A for the soft-optimal policy at temperature A");
    return without_gil([&] { return optimal_policy(m, *alpha, opt); });
}

py::array_t<std::int64_t> int_array(const std::vector<std::int64_t>& v) {
    return py::array_t<std::int64_t>(static_cast<py::ssize_t>(v.size()), v.data());
}

// Trajectories <-> flat arrays: states and actions of all episodes back to back, episode k at
// [offsets[k], offsets[k + 1]).
py::dict trajectories_dict(const std::vector<Trajectory>& episodes) {
    std::vector<std::int64_t> states, actions, offsets{0}, final_state;
    const auto n = static_cast<py::ssize_t>(episodes.size());
    py::array_t<bool> terminated(n);
    py::array_t<double> ret(n);
    for (py::ssize_t k = 0; k < n; ++k) {
        const Trajectory& e = episodes[static_cast<std::size_t>(k)];
        states.insert(states.end(), e.states.begin(), e.states.end());
        actions.insert(actions.end(), e.actions.begin(), e.actions.end());
        offsets.push_back(static_cast<std::int64_t>(states.size()));
        final_state.push_back(e.final_state);
        terminated.mutable_data()[k] = e.terminated;
        ret.mutable_data()[k] = e.discounted_return;
    }
    py::dict d;
    d["states"] = int_array(states), d["actions"] = int_array(actions), d["offsets"] = int_array(offsets);
    d["final_state"] = int_array(final_state), d["terminated"] = terminated, d["discounted_return"] = ret;
    return d;
}

std::vector<Trajectory> trajectories_of(const Model& m, const carray<std::int64_t>& states, const carray<std::int64_t>& actions,
                                        const carray<std::int64_t>& offsets, const carray<std::int64_t>& final_state,
                                        const py::array_t<bool, py::array::c_style | py::array::forcecast>& terminated) {
    const std::size_t E = offsets.size() > 0 ? static_cast<std::size_t>(offsets.size()) - 1 : 0;
    if (states.size() != actions.size() || static_cast<std::size_t>(final_state.size()) != E || static_cast<std::size_t>(terminated.size()) != E ||
        offsets.size() == 0 || offsets.data()[0] != 0 || offsets.data()[E] != states.size())
        usage("the trajectories' arrays disagree (states, actions, offsets, final_state, terminated)");
    std::vector<Trajectory> out(E);
    for (std::size_t k = 0; k < E; ++k) {
        const std::int64_t a = offsets.data()[k], b = offsets.data()[k + 1];
        if (b < a) usage(fmt::format("the trajectories' offsets decrease at episode {}", k));
        for (std::int64_t t = a; t < b; ++t) {
            const std::int64_t s = states.data()[t], act = actions.data()[t];
            if (s < 0 || static_cast<std::size_t>(s) >= m.num_states() || act < 0 || static_cast<std::size_t>(act) >= m.num_actions())
                usage(fmt::format("episode {}, step {}: state {} or action {} out of range", k, t - a, s, act));
            out[k].states.push_back(static_cast<StateId>(s));
            out[k].actions.push_back(static_cast<ActionId>(act));
        }
        const std::int64_t f = final_state.data()[k];
        if (f < 0 || static_cast<std::size_t>(f) >= m.num_states()) usage(fmt::format("episode {}: final state {} out of range", k, f));
        out[k].final_state = static_cast<StateId>(f);
        out[k].terminated = terminated.data()[k];
    }
    return out;
}

// Features of irl(): None (one-hot), a softmdp-features/1 file, an (S, K) array (per state) or an
// (S, A, K) array (per state-action pair; entries of unavailable actions ignored).
Features features_of(const Model& m, const py::object& features, std::vector<std::string> names) {
    if (features.is_none()) {
        if (!names.empty()) usage("feature_names need features=");
        return Features::one_hot(m);
    }
    if (py::isinstance<py::str>(features) || py::hasattr(features, "__fspath__")) {
        if (!names.empty()) usage("feature_names come from the features file");
        return read_features(py::str(py::module_::import("os").attr("fspath")(features)).cast<std::string>(), m);
    }
    const auto phi = features.cast<carray<double>>();
    const std::size_t S = m.num_states(), A = m.num_actions();
    if (phi.ndim() == 2 && static_cast<std::size_t>(phi.shape(0)) == S)
        return Features(m, Features::Kind::per_state, static_cast<std::size_t>(phi.shape(1)), to_vector(phi), std::move(names));
    if (phi.ndim() == 3 && static_cast<std::size_t>(phi.shape(0)) == S && static_cast<std::size_t>(phi.shape(1)) == A) {
        const std::size_t K = static_cast<std::size_t>(phi.shape(2));
        std::vector<double> table;
        table.reserve(m.num_rows() * K);
        for (std::size_t s = 0; s < S; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                table.insert(table.end(), phi.data() + (s * A + m.row_action(r)) * K, phi.data() + (s * A + m.row_action(r) + 1) * K);
        return Features(m, Features::Kind::per_state_action, K, std::move(table), std::move(names));
    }
    usage(fmt::format("features must be a softmdp-features/1 file, an (S, K) array or an (S, A, K) array with S = {}, A = {}", S, A));
}

// Per-row tables of `n` time steps -> (n, S, A) (or (S, A) when n is 0), `fill` where unavailable.
py::array_t<double> per_action_steps(const Model& m, const std::vector<double>& rows, std::size_t n, double fill) {
    if (n == 0) return per_action(m, rows, fill);
    const std::size_t S = m.num_states(), A = m.num_actions(), R = m.num_rows();
    py::array_t<double> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(S), static_cast<py::ssize_t>(A)});
    double* o = out.mutable_data();
    std::fill(o, o + n * S * A, fill);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t s = 0; s < S; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) o[(t * S + s) * A + m.row_action(r)] = rows[t * R + r];
    return out;
}

// Continuous-action estimate() and sample(): the model, the state (name or index) and the successor
// values (an (S,) array, a softmdp-result/1 file, or None: V = 0), checked as the CLI checks them.
struct ContinuousInputPy {
    ContinuousModel model;
    std::size_t state = 0;
    std::vector<double> values;
};
ContinuousInputPy continuous_input_py(const std::string& path, const py::object& state, const py::object& values) {
    ContinuousInputPy in{load_continuous_model(path), 0, {}};
    const std::string st = py::str(state).cast<std::string>();
    in.state = in.model.find_state(st);
    if (in.state == in.model.num_states()) usage(fmt::format("state {}: no such state in {}", st, path));
    if (values.is_none()) {
        in.values.assign(in.model.num_states(), 0.0);
    } else if (py::isinstance<py::str>(values) || py::hasattr(values, "__fspath__")) {
        in.values = read_continuous_values(py::str(py::module_::import("os").attr("fspath")(values)).cast<std::string>(), in.model);
    } else {
        const auto v = values.cast<carray<double>>();
        if (v.ndim() != 1 || static_cast<std::size_t>(v.size()) != in.model.num_states())
            usage(fmt::format("values must have shape (S,) = ({},)", in.model.num_states()));
        in.values = to_vector(v);
        for (double x : in.values)
            if (!std::isfinite(x)) usage("values must be finite");
    }
    return in;
}

void warn_all(const std::vector<std::string>& warnings) {
    if (warnings.empty()) return;
    auto warn = py::module_::import("warnings").attr("warn");
    for (const auto& w : warnings) warn(w, py::module_::import("builtins").attr("RuntimeWarning"), 2);
}

}  // namespace

PYBIND11_MODULE(_core, mod) {
    mod.doc() = "softmdp's C++ core (use the package `softmdp`, which wraps it).";

    g_error = PyErr_NewException("softmdp.Error", PyExc_Exception, nullptr);
    g_input_error = PyErr_NewException("softmdp.InputError", py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError)).release().ptr(), nullptr);
    g_usage_error = PyErr_NewException("softmdp.UsageError", py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError)).release().ptr(), nullptr);
    g_numerical_error = PyErr_NewException("softmdp.NumericalError", py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError), py::handle(PyExc_ArithmeticError)).release().ptr(), nullptr);
    g_io_error = PyErr_NewException("softmdp.IoError", py::make_tuple(py::handle(g_error), py::handle(PyExc_OSError)).release().ptr(), nullptr);
    mod.attr("Error") = py::handle(g_error);
    mod.attr("InputError") = py::handle(g_input_error);
    mod.attr("UsageError") = py::handle(g_usage_error);
    mod.attr("NumericalError") = py::handle(g_numerical_error);
    mod.attr("IoError") = py::handle(g_io_error);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const InputError& e) {
            PyErr_SetString(g_input_error, e.what());
        } catch (const UsageError& e) {
            PyErr_SetString(g_usage_error, e.what());
        } catch (const NumericalError& e) {
            PyErr_SetString(g_numerical_error, e.what());
        } catch (const IoError& e) {
            PyErr_SetString(g_io_error, e.what());
        }
    });

    py::class_<Model, std::shared_ptr<Model>>(mod, "Model", "An immutable finite MDP (the library's CSR layout).")
        .def_property_readonly("name", &Model::name)
        .def_property_readonly("discount", &Model::discount)
        .def_property_readonly("num_states", &Model::num_states)
        .def_property_readonly("num_actions", &Model::num_actions)
        .def_property_readonly("num_transitions", &Model::num_transitions)
        .def_property_readonly("num_available", &Model::num_rows, "Number of available (s, a) pairs.")
        .def_property_readonly("state_names", [](const Model& m) {
            std::vector<std::string> v(m.num_states());
            for (std::size_t s = 0; s < v.size(); ++s) v[s] = m.state_name(s);
            return v;
        }, "State names (their indices as strings when the model has none); a new list.")
        .def_property_readonly("action_names", [](const Model& m) {
            std::vector<std::string> v(m.num_actions());
            for (std::size_t a = 0; a < v.size(); ++a) v[a] = m.action_name(a);
            return v;
        }, "Action names (their indices as strings when the model has none); a new list.")
        .def_property_readonly("initial", [](py::object self) {
            const Model& m = self.cast<const Model&>();
            return view(m.initial().data(), {static_cast<py::ssize_t>(m.num_states())}, self);
        }, "The initial distribution p0 (S,): a read-only view on the model (no copy).")
        .def_property_readonly("terminal", [](const Model& m) {
            py::array_t<bool> t(static_cast<py::ssize_t>(m.num_states()));
            for (std::size_t s = 0; s < m.num_states(); ++s) t.mutable_data()[s] = m.is_terminal(s);
            return t;
        }, "Boolean (S,): states without actions (absorbing, value 0). A new array.")
        .def("_csr_arrays", &csr_arrays)
        .def("with_rewards", &with_rewards, py::arg("R"),
             "A new model with the same transitions and expected rewards R ((S, A) or one per available "
             "(s, a); entries of unavailable actions are ignored). Copies the model's arrays once.")
        .def("_save", &save, py::arg("path"), py::arg("format") = "")
        .def("__repr__", [](const Model& m) {
            return fmt::format("<softmdp.Model '{}': {} states, {} actions, {} transitions, discount {}>", m.name(), m.num_states(),
                               m.num_actions(), m.num_transitions(), m.discount());
        });

    mod.def("_from_csr", &from_csr, py::arg("S"), py::arg("A"), py::arg("indptr"), py::arg("indices"), py::arg("data"),
            py::arg("row_reward"), py::arg("next_reward"), py::arg("available"), py::arg("terminal"), py::arg("initial"),
            py::arg("discount"), py::arg("name"), py::arg("state_names"), py::arg("action_names"), py::arg("renormalize"));
    mod.def("_bench_solve_loop", &bench_solve_loop, py::arg("model"), py::arg("alpha"), py::arg("method"), py::arg("n"),
            py::arg("tolerance") = 1e-8, py::arg("threads") = 0);
    mod.def("_load", &load, py::arg("path"), py::arg("discount") = py::none(), py::arg("renormalize") = false,
            py::arg("format") = "");

    py::class_<Result, std::shared_ptr<Result>>(mod, "Result",
                                                "The result of solve() or evaluate(). Arrays are read-only NumPy views on "
                                                "memory this object owns (no copy), except q and policy on models where "
                                                "some state lacks some action: those are filled into new (S, A) arrays.")
        .def_property_readonly("values", [](py::object self) {
            const auto& r = self.cast<const Result&>();
            return view(r.sol.values.data(), {static_cast<py::ssize_t>(r.sol.values.size())}, self);
        }, "V (S,): a read-only view (no copy).")
        .def_property_readonly("q", [](py::object self) -> py::array {
            const auto& r = self.cast<const Result&>();
            const Model& m = *r.model;
            if (full_layout(m) && r.sol.q.size() == m.num_rows())
                return view(r.sol.q.data(), {static_cast<py::ssize_t>(m.num_states()), static_cast<py::ssize_t>(m.num_actions())}, self);
            if (r.sol.q.size() != m.num_rows()) return per_action(m, std::vector<double>(m.num_rows(), NAN), NAN);
            return per_action(m, r.sol.q, NAN);
        }, "Q (S, A), NaN where an action is unavailable (and at terminal states): a read-only view when every "
           "state has every action, else a new array. For an action-convention evaluation, Q - alpha log pi "
           "(inf where pi(a|s) = 0).")
        .def_property_readonly("policy", [](py::object self) -> py::array {
            const auto& r = self.cast<const Result&>();
            const Model& m = *r.model;
            if (full_layout(m))
                return view(r.sol.policy.data(), {static_cast<py::ssize_t>(m.num_states()), static_cast<py::ssize_t>(m.num_actions())}, self);
            return per_action(m, r.sol.policy, 0.0);
        }, "pi(a|s) (S, A), 0 where unavailable: a view or a new array as for q.")
        .def_property_readonly("objective", [](const Result& r) { return objective(*r.model, r.sol.values); },
                               "J = sum_s p0(s) V(s).")
        .def_property_readonly("error_bound", [](const Result& r) { return opt_float(r.sol.error_bound); },
                               "Certified ||V - V*||_inf (None when the theory gives no bound).")
        .def_property_readonly("stop", [](const Result& r) { return std::string(to_string(r.sol.stop)); },
                               "Why it stopped: converged, iteration_limit, time_limit, resolution_floor, stalled, "
                               "non_finite, interrupted or no_bound.")
        .def_property_readonly("converged", [](const Result& r) { return r.sol.converged; })
        .def_property_readonly("iterations", [](const Result& r) { return r.sol.iterations; })
        .def_property_readonly("sweeps", [](const Result& r) { return r.sol.sweeps; })
        .def_property_readonly("inner_iterations", [](const Result& r) { return r.sol.inner_iterations; })
        .def_property_readonly("matvecs", [](const Result& r) { return r.sol.matvecs; })
        .def_property_readonly("seconds", [](const Result& r) { return r.sol.seconds; })
        .def_property_readonly("reason", [](const Result& r) { return r.sol.reason; })
        .def_property_readonly("method", [](const Result& r) { return r.sol.method; })
        .def_property_readonly("method_note", [](const Result& r) { return r.sol.method_note; })
        .def_property_readonly("alpha", [](const Result& r) { return r.sol.alpha; })
        .def_property_readonly("convention", [](const Result& r) { return r.convention.empty() ? py::object(py::none()) : py::object(py::str(r.convention)); },
                               "Evaluations: the entropy convention (\"state\" or \"action\"); None for solves.")
        .def_property_readonly("model", [](const Result& r) { return r.model; })
        .def("to_json", [](const Result& r) {
            return json_text([&](JsonWriter& w) {
                // The library's writers, the ones the CLI's solve and evaluate use (io/).
                const ResultSummary summary = summarise(*r.model, r.sol, r.prior_rows);
                if (r.convention.empty()) write_result(w, *r.model, r.sol, summary, r.prior);
                else write_evaluation_document(w, *r.model, r.sol, summary, r.convention, {}, {}, r.prior);
            });
        }, "The CLI's softmdp-result/1 document (as `softmdp solve/evaluate --json`) as a str.")
        .def("__repr__", [](const Result& r) {
            return fmt::format("<softmdp.Result {} alpha={} stop={} iterations={} error_bound={}>", r.sol.method, r.sol.alpha,
                               to_string(r.sol.stop), r.sol.iterations,
                               r.sol.error_bound ? fmt::format("{:.3g}", *r.sol.error_bound) : std::string("None"));
        });

    mod.def("_solve", &solve_py, py::arg("model"), py::arg("alpha") = 0.0, py::arg("method") = py::none(),
            py::arg("initial_values") = py::none(), py::arg("prior") = py::none(), SOLVER_PY_ARGS);
    mod.def("_evaluate", &evaluate_py, py::arg("model"), py::arg("policy"), py::arg("alpha") = 0.0,
            py::arg("convention") = "state", py::arg("iterative") = false, py::arg("prior") = py::none(), SOLVER_PY_ARGS);
    // solve(..., horizon=H) and evaluate(..., horizon=H): backward induction (solvers/finite_horizon.hpp).
    mod.def("_finite_horizon", [](const ModelPtr& m, double alpha, std::uint64_t horizon, const py::object& policy,
                                  const py::object& terminal, int threads, std::optional<carray<double>> prior) {
        const std::size_t S = m->num_states(), A = m->num_actions(), R = m->num_rows();
        const std::vector<double> pi0 = prior_rows(*m, prior);
        std::vector<double> pi, term;
        if (py::isinstance<py::str>(policy)) {
            if (policy.cast<std::string>() != "uniform") usage(fmt::format("policy must be an (S, A) or (H, S, A) array or \"uniform\", got '{}'", policy.cast<std::string>()));
            pi = pi0.empty() ? uniform_policy(*m) : uniform_on_prior(*m, pi0);
        } else if (!policy.is_none()) {
            const auto arr = policy.cast<carray<double>>();
            if (arr.ndim() == 3) {  // time-indexed (H, S, A)
                if (static_cast<std::uint64_t>(arr.shape(0)) != horizon) usage(fmt::format("a time-indexed policy needs {} steps, got {}", horizon, arr.shape(0)));
                for (std::uint64_t t = 0; t < horizon; ++t) {
                    const auto step = rows_of(*m, py::cast<carray<double>>(policy.attr("__getitem__")(t)), "policy", true);
                    pi.insert(pi.end(), step.begin(), step.end());
                }
            } else {
                pi = rows_of(*m, arr, "policy", true);
            }
        }
        if (!terminal.is_none()) term = to_vector(terminal.cast<carray<double>>());
        auto fh = without_gil([&] {
            return pi.empty() ? solve_finite_horizon(*m, alpha, horizon, term, {}, threads, pi0)
                              : evaluate_finite_horizon(*m, pi, alpha, horizon, term, threads, pi0);
        });
        py::dict d;
        d["json"] = json_text([&](JsonWriter& w) {
            write_finite_horizon_result(w, *m, fh, summarise(*m, at_time(*m, fh, 0), pi0), pi.empty() ? "" : "state", prior ? "array" : "");
        });
        d["values"] = copy_array(fh.values).attr("reshape")(horizon + 1, S);
        const auto per_time = [&](const std::vector<double>& table, double fill) {
            py::array_t<double> out({static_cast<py::ssize_t>(horizon), static_cast<py::ssize_t>(S), static_cast<py::ssize_t>(A)});
            double* o = out.mutable_data();
            std::fill(o, o + horizon * S * A, fill);
            for (std::uint64_t t = 0; t < horizon; ++t)
                for (std::size_t s = 0; s < S; ++s)
                    for (Offset r = m->row_first(s); r < m->row_last(s); ++r) o[(t * S + s) * A + m->row_action(r)] = table[t * R + r];
            return out;
        };
        d["q"] = per_time(fh.q, NAN);
        d["policy"] = per_time(fh.policy, 0.0);
        d["method"] = fh.method, d["seconds"] = fh.seconds, d["objective"] = objective(*m, fh.values_at(0, S));
        return d;
    }, py::arg("model"), py::arg("alpha"), py::arg("horizon"), py::arg("policy") = py::none(), py::arg("terminal_values") = py::none(),
       py::arg("threads") = 0, py::arg("prior") = py::none());
    mod.def("default_method", [](const ModelPtr& m, double alpha) { return std::string(default_method(*m, alpha)); },
            py::arg("model"), py::arg("alpha") = 0.0, "The fastest method for the model (solve() takes it when its memory fits).");
    mod.def("choose_default_method",
            [](const ModelPtr& m, double alpha, bool keep_rows, std::optional<std::uint64_t> available) {
                const MethodChoice c = choose_default_method(*m, alpha, keep_rows, available ? *available : available_memory());
                return py::make_tuple(std::string(c.method), c.note);
            },
            py::arg("model"), py::arg("alpha") = 0.0, py::arg("keep_rows") = true, py::arg("available") = py::none(),
            "(method, note): default_method when its working memory fits in `available` bytes (default: the memory "
            "available now), else vi / soft-vi with a note saying why.");
    mod.def("methods", [] {
        py::list out;
        for (const auto& mi : methods())
            out.append(py::make_tuple(std::string(mi.name), mi.soft, std::string(mi.summary)));
        return out;
    }, "Every method solve() accepts: (name, soft, summary) tuples, hard ones first.");

    mod.def("_compare", [](const ModelPtr& m, double alpha, std::string soft_method, std::string hard_method,
                           std::optional<carray<double>> prior, SOLVER_ARGS) {
        SolverOptions opt = solver_options(SOLVER_PASS);
        const std::vector<double> pi0 = prior ? rows_of(*m, *prior, "prior", true) : std::vector<double>();
        auto c = without_gil([&] { return compare(*m, alpha, opt, soft_method, hard_method, pi0); });
        py::dict d;
        // The CLI's softmdp-compare/1, by the library's writer (before the results move out of c).
        d["_json"] = json_text([&](JsonWriter& w) {
            write_compare_document(w, *m, c, alpha, summarise(*m, c.soft, pi0), summarise(*m, c.hard), prior ? "array" : "");
        });
        auto hard = std::make_shared<Result>(Result{m, std::move(c.hard), {}, {}, {}});
        auto soft = std::make_shared<Result>(Result{m, std::move(c.soft), {}, prior ? "array" : "", pi0});
        d["hard"] = hard;
        d["soft"] = soft;
        d["gap_bound"] = c.gap_bound.empty() ? py::object(py::none()) : py::object(copy_array(c.gap_bound));
        d["global_bound"] = opt_float(c.global_bound);
        d["soft_policy_hard_return"] = c.soft_policy_hard_return;
        d["soft_policy_hard_values"] = copy_array(c.soft_policy_hard_values);
        d["stats"] = policy_stats_dict(c.stats);
        return d;
    }, py::arg("model"), py::arg("alpha"), py::arg("soft_method") = "", py::arg("hard_method") = "", py::arg("prior") = py::none(),
       SOLVER_PY_ARGS);

    mod.def("alpha_grid", &alpha_grid, py::arg("lo"), py::arg("hi"), py::arg("n"), py::arg("log_scale") = false,
            "n temperatures from lo to hi, evenly or geometrically spaced (ends exact).");
    mod.def("_sweep", [](const ModelPtr& m, std::vector<double> alphas, std::string method, std::optional<carray<double>> prior,
                         SOLVER_ARGS) {
        SolverOptions opt = solver_options(SOLVER_PASS);
        const std::vector<double> pi0 = prior ? rows_of(*m, *prior, "prior", true) : std::vector<double>();
        auto pts = without_gil([&] { return alpha_sweep(*m, alphas, method, opt, {}, pi0); });
        const std::string document =
            json_text([&](JsonWriter& w) { write_sweep_document(w, *m, pts, prior ? "array" : ""); });  // softmdp-sweep/1
        const auto n = static_cast<py::ssize_t>(pts.size());
        py::array_t<double> alpha(n), obj(n), hard(n), ent(n), greedy(n), kl(n), bound(n), obound(n), secs(n);
        py::array_t<bool> conv(n), raised(n);
        py::array_t<std::uint64_t> its(n), changed(n);
        for (py::ssize_t i = 0; i < n; ++i) {
            const auto& p = pts[static_cast<std::size_t>(i)];
            alpha.mutable_data()[i] = p.alpha;
            obj.mutable_data()[i] = p.objective;
            hard.mutable_data()[i] = p.hard_return;
            ent.mutable_data()[i] = p.stats.mean_entropy;
            greedy.mutable_data()[i] = p.stats.greedy_probability;
            kl.mutable_data()[i] = p.stats.kl_from_greedy;
            changed.mutable_data()[i] = p.stats.changed;
            conv.mutable_data()[i] = p.converged;
            its.mutable_data()[i] = p.iterations;
            bound.mutable_data()[i] = p.error_bound ? *p.error_bound : NAN;
            obound.mutable_data()[i] = p.objective_bound ? *p.objective_bound : NAN;
            raised.mutable_data()[i] = p.objective_raised;
            secs.mutable_data()[i] = p.seconds;
        }
        py::dict d;
        d["alpha"] = alpha, d["objective"] = obj, d["hard_return"] = hard, d["mean_entropy"] = ent;
        d["greedy_probability"] = greedy, d["kl_from_greedy"] = kl, d["changed"] = changed, d["converged"] = conv;
        d["iterations"] = its, d["error_bound"] = bound, d["objective_bound"] = obound, d["objective_raised"] = raised;
        d["seconds"] = secs;
        d["_json"] = document;
        return d;
    }, py::arg("model"), py::arg("alphas"), py::arg("method") = "", py::arg("prior") = py::none(), SOLVER_PY_ARGS);

    mod.def("_residuals", [](const ModelPtr& m, const carray<double>& q, double alpha, const std::string& value_of_q,
                             std::optional<carray<double>> states, std::optional<carray<double>> actions) {
        if (value_of_q != "soft" && value_of_q != "boltzmann") usage(fmt::format("value_of_q must be soft or boltzmann, got '{}'", value_of_q));
        if (!std::isfinite(alpha) || alpha < 0.0) usage(fmt::format("alpha must be a finite number >= 0, got {}", alpha));
        const auto qr = rows_of(*m, q, "q", false);
        for (std::size_t r = 0; r < qr.size(); ++r)
            if (!std::isfinite(qr[r])) usage(fmt::format("q must be finite on available (s, a), got {} at row {}", qr[r], r));
        std::vector<double> p, mu;
        if (states) {
            if (static_cast<std::size_t>(states->size()) != m->num_states()) usage(fmt::format("state weights must have {} entries", m->num_states()));
            p = to_vector(*states);
            double sum = 0.0;
            for (double w : p) {
                if (!std::isfinite(w) || w < 0.0) usage("state weights must be finite and >= 0");
                sum += w;
            }
            if (!(sum > 0.0)) usage("state weights must not all be 0");
            for (double& w : p) w /= sum;
        }
        if (actions) {
            mu = rows_of(*m, *actions, "action weights", true);
            check_policy(*m, mu, "action weights");
        }
        const auto kind = value_of_q == "soft" ? SoftValueOfQ::soft : SoftValueOfQ::boltzmann;
        const Residuals r = soft_bellman_residuals(*m, qr, alpha, kind, p, mu);
        return py::make_tuple(r.v_residual, r.q_residual);
    }, py::arg("model"), py::arg("q"), py::arg("alpha"), py::arg("value_of_q") = "soft", py::arg("states") = py::none(),
       py::arg("actions") = py::none());

    mod.def("_solve_continuous", [](const std::string& path, double alpha, const std::string& integrator, std::size_t nodes,
                                    std::size_t max_nodes, std::uint64_t samples, std::uint64_t seed, SOLVER_ARGS) {
        if (!std::isfinite(alpha) || !(alpha > 0.0)) usage(fmt::format("continuous actions need alpha > 0, got {}", alpha));
        ContinuousOptions c;
        if (integrator == "quadrature") c.integrator = Integrator::quadrature;
        else if (integrator == "mc") c.integrator = Integrator::monte_carlo;
        else usage(fmt::format("integrator must be quadrature or mc, got '{}'", integrator));
        c.nodes = nodes, c.max_nodes = max_nodes, c.samples = samples, c.seed = seed;
        SolverOptions opt = solver_options(SOLVER_PASS);
        auto [model, cs] = without_gil([&] {
            ContinuousModel m = load_continuous_model(path);
            ContinuousSolution sol = continuous_soft_q_iteration(m, alpha, c, opt);
            return std::make_pair(std::move(m), std::move(sol));
        });
        const Solution& sol = cs.solution;
        py::dict d;
        d["values"] = copy_array(sol.values);
        d["states"] = model.state_names;
        d["error_bound"] = opt_float(sol.error_bound);
        d["iteration_bound"] = cs.iteration_bound;
        d["integration_error"] = opt_float(cs.integration_error);
        d["nodes"] = cs.nodes;
        d["mc_std_error"] = cs.mc_std_error.empty() ? py::object(py::none()) : py::object(copy_array(cs.mc_std_error));
        d["converged"] = sol.converged;
        d["stop"] = std::string(to_string(sol.stop));
        d["iterations"] = sol.iterations;
        d["seconds"] = sol.seconds;
        d["reason"] = sol.reason;
        d["method"] = sol.method;
        double j = 0.0;
        for (std::size_t s = 0; s < model.num_states(); ++s) j += model.initial[s] * sol.values[s];
        d["objective"] = j;
        d["_json"] = json_text([&](JsonWriter& w) { write_continuous_result(w, model, cs, c); });  // softmdp-result/1
        return d;
    }, py::arg("path"), py::arg("alpha"), py::arg("integrator") = "quadrature", py::arg("nodes") = 0,
       py::arg("max_nodes") = 16384, py::arg("samples") = 20000, py::arg("seed") = 0, SOLVER_PY_ARGS);

    mod.def("_learn", [](const ModelPtr& m, double alpha, std::uint64_t steps, std::uint64_t seed, const std::string& behaviour,
                         double epsilon, const std::string& schedule, double learning_rate, double omega,
                         std::uint64_t target_every, std::uint64_t horizon, std::uint64_t curve_points, double initial_q) {
        LearnOptions o;
        o.alpha = alpha, o.steps = steps, o.seed = seed, o.epsilon = epsilon, o.learning_rate = learning_rate, o.omega = omega;
        o.target_every = target_every, o.horizon = horizon, o.curve_points = curve_points, o.initial_q = initial_q;
        if (behaviour == "uniform") o.behaviour = LearnOptions::Behaviour::uniform;
        else if (behaviour == "epsilon-greedy") o.behaviour = LearnOptions::Behaviour::epsilon_greedy;
        else if (behaviour == "soft") o.behaviour = LearnOptions::Behaviour::soft;
        else usage(fmt::format("behaviour must be uniform, epsilon-greedy or soft, got '{}'", behaviour));
        if (schedule == "constant") o.schedule = LearnOptions::Schedule::constant;
        else if (schedule == "power") o.schedule = LearnOptions::Schedule::power;
        else usage(fmt::format("schedule must be constant or power, got '{}'", schedule));
        o.progress = signal_check<std::uint64_t>();
        auto res = without_gil([&] { return soft_q_learning(*m, o); });
        py::dict d;
        d["q"] = per_action(*m, res.q, NAN);
        d["q_star"] = per_action(*m, res.q_star, NAN);
        const auto n = static_cast<py::ssize_t>(res.curve.size());
        py::array_t<std::uint64_t> step(n);
        py::array_t<double> qerr(n), obj(n);
        for (py::ssize_t i = 0; i < n; ++i) {
            step.mutable_data()[i] = res.curve[static_cast<std::size_t>(i)].step;
            qerr.mutable_data()[i] = res.curve[static_cast<std::size_t>(i)].q_error;
            obj.mutable_data()[i] = res.curve[static_cast<std::size_t>(i)].objective;
        }
        d["steps"] = step, d["q_error"] = qerr, d["objective"] = obj, d["episodes"] = res.episodes;
        d["_json"] = json_text([&](JsonWriter& w) { write_learn_document(w, *m, o, res); });  // softmdp-learn/1
        return d;
    }, py::arg("model"), py::arg("alpha") = 1.0, py::arg("steps") = 100000, py::arg("seed") = 0, py::arg("behaviour") = "uniform",
       py::arg("epsilon") = 0.1, py::arg("schedule") = "power", py::arg("learning_rate") = 1.0, py::arg("omega") = 0.6,
       py::arg("target_every") = 1, py::arg("horizon") = 1000, py::arg("curve_points") = 20, py::arg("initial_q") = 0.0);

    mod.def("_occupancy", [](const ModelPtr& m, const py::object& policy, std::optional<double> alpha, std::optional<std::uint64_t> horizon,
                             std::optional<carray<double>> prior, SOLVER_ARGS) {
        const SolverOptions opt = solver_options(SOLVER_PASS);
        if (horizon && *horizon == 0) usage("horizon must be >= 1");
        // With prior= the policy is computed on the prior model (solvers/prior.hpp) and mapped back
        // to the model's rows (0 on excluded actions); the visitation is that of the model itself.
        ChosenPolicy chosen;
        if (prior) {
            const std::vector<double> pi0 = prior_rows(*m, prior);
            // On a copy (the Python model is shared); only the chosen policy is wanted, mapped back
            // to the model's rows (0 on excluded actions), as `softmdp occupancy --prior`.
            chosen.pi = policy_on_prior_model(std::as_const(*m), pi0, alpha.value_or(0.0), [&](const Model& pm) {
                chosen = chosen_policy_py(pm, policy, alpha, opt);
                return chosen.pi;
            });
            chosen.source += ", prior array";
        } else {
            chosen = chosen_policy_py(*m, policy, alpha, opt);
        }
        const Occupancy occ = without_gil([&] {
            return horizon ? finite_horizon_occupancy(*m, chosen.pi, *horizon) : occupancy(*m, chosen.pi, {}, opt);
        });
        const OccupancySummary summary = summarise(*m, occ);
        py::dict d;
        d["states"] = copy_array(occ.states);
        d["state_actions"] = per_action(*m, occ.state_actions, 0.0);
        d["policy"] = per_action(*m, chosen.pi, 0.0);
        d["source"] = chosen.source;
        d["alpha"] = opt_float(chosen.alpha);
        d["horizon"] = occ.horizon ? py::object(py::int_(*occ.horizon)) : py::object(py::none());
        d["error_bound"] = opt_float(occ.error_bound);
        d["converged"] = occ.converged;
        d["method"] = occ.method;
        d["sweeps"] = occ.sweeps;
        d["seconds"] = occ.seconds;
        d["reason"] = occ.reason;
        d["total"] = summary.total;
        d["expected_return"] = summary.expected_return;
        d["_json"] = json_text([&](JsonWriter& w) { write_occupancy(w, *m, occ, summary, chosen.pi, chosen.source, chosen.alpha); });
        return d;
    }, py::arg("model"), py::arg("policy") = py::none(), py::arg("alpha") = py::none(), py::arg("horizon") = py::none(),
       py::arg("prior") = py::none(), SOLVER_PY_ARGS);

    mod.def("_simulate", [](const ModelPtr& m, const py::object& policy, std::optional<double> alpha, std::uint64_t episodes,
                            std::uint64_t horizon, std::uint64_t seed, SOLVER_ARGS) {
        const SolverOptions opt = solver_options(SOLVER_PASS);
        SimulateOptions so;
        so.episodes = episodes, so.horizon = horizon, so.seed = seed;
        const ChosenPolicy chosen = chosen_policy_py(*m, policy, alpha, opt);
        const auto eps = without_gil([&] { return simulate(*m, chosen.pi, so); });
        py::dict d = trajectories_dict(eps);
        d["source"] = chosen.source;
        d["alpha"] = opt_float(chosen.alpha);
        d["seed"] = seed;
        d["horizon"] = horizon;
        d["_json"] = json_text([&](JsonWriter& w) { write_trajectories(w, *m, eps, {chosen.source, chosen.alpha, so}); });
        return d;
    }, py::arg("model"), py::arg("policy") = py::none(), py::arg("alpha") = py::none(), py::arg("episodes") = 100,
       py::arg("horizon") = 100, py::arg("seed") = 0, SOLVER_PY_ARGS);

    mod.def("_read_trajectories", [](const ModelPtr& m, const std::string& path) {
        const Demonstrations demos = read_demonstrations(path, *m);
        if (demos.trajectories.empty()) {
            py::dict d;
            d["counts"] = per_action(*m, demos.counts, 0.0);
            return d;
        }
        return trajectories_dict(demos.trajectories);
    }, py::arg("model"), py::arg("path"));

    mod.def("_irl", [](const ModelPtr& m, const py::dict& demonstrations, const py::object& features, std::vector<std::string> feature_names,
                       double alpha, std::optional<std::uint64_t> horizon, const std::string& optimizer, double l2,
                       std::optional<std::string> method, std::uint64_t irl_iterations, double gradient_tolerance,
                       std::optional<carray<double>> initial_weights, std::optional<carray<double>> prior, SOLVER_ARGS) {
        IrlOptions o;
        o.prior = prior_rows(*m, prior);  // KL to pi0 (empty: entropy), as `softmdp irl --prior`
        o.prior_source = "prior array";
        if (!(alpha > 0.0) || !std::isfinite(alpha)) usage(fmt::format("alpha must be a finite number > 0, got {}", alpha));
        o.alpha = alpha;
        if (horizon && *horizon == 0) usage("horizon must be >= 1");
        o.horizon = horizon.value_or(0);
        if (optimizer != "lbfgs" && optimizer != "gradient") usage(fmt::format("optimizer must be lbfgs or gradient, got '{}'", optimizer));
        o.optimizer = optimizer == "lbfgs" ? IrlOptimizer::lbfgs : IrlOptimizer::gradient;
        if (!(l2 >= 0.0) || !std::isfinite(l2)) usage(fmt::format("l2 must be a finite number >= 0, got {}", l2));
        o.l2 = l2;
        o.max_iterations = irl_iterations;
        if (!(gradient_tolerance >= 0.0)) usage("gradient_tolerance must be >= 0");
        o.tolerance = gradient_tolerance;
        if (method) {
            if (o.horizon > 0) usage("method chooses the discounted soft solver: a finite horizon uses backward induction");
            o.method = *method;
        }
        o.solver = solver_options(SOLVER_PASS);
        o.solver.progress = signal_check<Progress>();
        if (initial_weights) o.initial_weights = to_vector(*initial_weights);
        Demonstrations demos;
        if (demonstrations.contains("counts")) {
            demos.counts = rows_of(*m, demonstrations["counts"].cast<carray<double>>(), "counts", true);
        } else {
            demos.trajectories = trajectories_of(*m, demonstrations["states"].cast<carray<std::int64_t>>(),
                                                 demonstrations["actions"].cast<carray<std::int64_t>>(),
                                                 demonstrations["offsets"].cast<carray<std::int64_t>>(),
                                                 demonstrations["final_state"].cast<carray<std::int64_t>>(),
                                                 demonstrations["terminated"].cast<py::array_t<bool, py::array::c_style | py::array::forcecast>>());
        }
        const Features phi = features_of(*m, features, std::move(feature_names));
        IrlResult res = without_gil([&] { return irl(Model(*m), phi, demos, o); });
        const Model& learned = *res.model;
        const std::size_t H = o.horizon;
        py::dict d;
        d["weights"] = copy_array(res.weights);
        d["reward"] = per_action(learned, res.reward, NAN);
        d["policy"] = per_action_steps(learned, res.policy, H, 0.0);
        d["values"] = H ? py::object(copy_array(res.values).attr("reshape")(H + 1, learned.num_states())) : py::object(copy_array(res.values));
        const auto n = static_cast<py::ssize_t>(res.curve.size());
        py::array_t<std::uint64_t> it(n);
        py::array_t<double> ll(n), obj(n), gap(n), grad(n), secs(n);
        for (py::ssize_t i = 0; i < n; ++i) {
            const IrlPoint& p = res.curve[static_cast<std::size_t>(i)];
            it.mutable_data()[i] = p.iteration, ll.mutable_data()[i] = p.log_likelihood, obj.mutable_data()[i] = p.objective;
            gap.mutable_data()[i] = p.feature_gap, grad.mutable_data()[i] = p.gradient_norm, secs.mutable_data()[i] = p.seconds;
        }
        py::dict curve;
        curve["iteration"] = it, curve["log_likelihood"] = ll, curve["objective"] = obj, curve["feature_gap"] = gap;
        curve["gradient_norm"] = grad, curve["seconds"] = secs;
        d["curve"] = curve;
        d["demonstrated_features"] = copy_array(res.demonstrated_features);
        d["learned_features"] = copy_array(res.learned_features);
        std::vector<std::string> names(phi.count());
        for (std::size_t k = 0; k < names.size(); ++k) names[k] = phi.name(k);
        d["feature_names"] = names;
        d["iterations"] = res.iterations;
        d["evaluations"] = res.evaluations;
        d["converged"] = res.converged;
        d["stop"] = std::string(to_string(res.stop));
        d["reason"] = res.reason;
        d["seconds"] = res.seconds;
        d["_json"] = json_text([&](JsonWriter& w) { write_irl(w, res, phi, o); });  // softmdp-irl/1
        d["model"] = std::make_shared<Model>(std::move(*res.model));
        return d;
    }, py::arg("model"), py::arg("demonstrations"), py::arg("features") = py::none(), py::arg("feature_names") = std::vector<std::string>(),
       py::arg("alpha") = 1.0, py::arg("horizon") = py::none(), py::arg("optimizer") = "lbfgs", py::arg("l2") = 0.0,
       py::arg("method") = py::none(), py::arg("irl_iterations") = 200, py::arg("gradient_tolerance") = 1e-6,
       py::arg("initial_weights") = py::none(), py::arg("prior") = py::none(), py::arg("tolerance") = 1e-10, py::arg("max_iterations") = 1'000'000,
       py::arg("time_limit") = py::none(), py::arg("threads") = 0, py::arg("evaluation_sweeps") = 20, py::arg("krylov") = "bicgstab",
       py::arg("preconditioner_sweeps") = 2, py::arg("aggregate_size") = py::none());

    mod.def("_estimate", [](const std::string& path, const py::object& state, double alpha, const py::object& values,
                            std::uint64_t samples, const std::string& proposal, std::size_t particles, std::size_t nodes, std::uint64_t seed) {
        if (!(alpha > 0.0) || !std::isfinite(alpha)) usage(fmt::format("estimate needs alpha > 0, got {}", alpha));
        EstimateOptions eo;
        eo.samples = samples, eo.proposal = proposal, eo.particles = particles, eo.nodes = nodes, eo.seed = seed;
        const ContinuousInputPy in = continuous_input_py(path, state, values);
        const SoftQTarget target(in.model, in.state, in.values, alpha);
        const SoftValueRun run = without_gil([&] { return estimate_soft_value(target, eo); });
        const SoftValueEstimate& v = run.value;
        warn_all(v.warnings);
        py::dict d;
        d["state"] = in.model.state_names[in.state];
        d["alpha"] = alpha;
        d["estimate"] = v.estimate;
        d["std_error"] = v.std_error;
        d["bias_correction"] = v.bias_correction;
        d["corrected"] = v.corrected;
        d["samples"] = v.log_z.samples;
        d["ess"] = v.log_z.ess;
        d["reference"] = v.reference ? py::object(py::float_(alpha * v.reference->log_z)) : py::object(py::none());
        d["reference_error"] = v.reference ? py::object(py::float_(v.reference_error)) : py::object(py::none());
        d["difference"] = opt_float(v.difference);
        d["finite"] = v.finite;
        d["warnings"] = v.warnings;
        d["proposal"] = proposal;
        d["seed"] = seed;
        d["_json"] = json_text([&](JsonWriter& w) {
            write_estimate_document(w, {.state = in.model.state_names[in.state], .proposal = proposal, .proposal_used = run.proposal,
                                        .dimension = target.dim(), .seed = seed, .value = v});
        });
        return d;
    }, py::arg("path"), py::arg("state"), py::arg("alpha"), py::arg("values") = py::none(), py::arg("samples") = 100000,
       py::arg("proposal") = "uniform", py::arg("particles") = 100, py::arg("nodes") = 16, py::arg("seed") = 0);

    mod.def("_sample", [](const std::string& path, const py::object& state, double alpha, const py::object& values, std::size_t particles,
                          std::size_t steps, double step_size, double movement_tolerance, int threads, const std::string& weighting,
                          std::size_t draws, std::uint64_t seed) {
        if (!(alpha > 0.0) || !std::isfinite(alpha)) usage(fmt::format("sample needs alpha > 0, got {}", alpha));
        if (weighting != "resample" && weighting != "none") usage(fmt::format("weighting must be resample or none, got '{}'", weighting));
        if (threads < 0) usage("threads must be >= 0");
        SvgdOptions so;
        so.particles = particles, so.max_steps = steps, so.step_size = step_size, so.tolerance = movement_tolerance;
        so.seed = seed, so.threads = threads;
        ResampleOptions ro;
        ro.draws = draws, ro.seed = seed, ro.threads = threads;
        check_particles(particles);
        const ContinuousInputPy in = continuous_input_py(path, state, values);
        const SoftQTarget target(in.model, in.state, in.values, alpha);
        const SoftPolicySamples sp = without_gil([&] { return sample_soft_policy(target, so, weighting == "resample", ro); });
        warn_all(sp.warnings);
        const auto n = static_cast<py::ssize_t>(particles), dim = static_cast<py::ssize_t>(target.dim());
        py::dict d;
        d["state"] = in.model.state_names[in.state];
        d["alpha"] = alpha;
        d["particles"] = copy_array(sp.particles).attr("reshape")(n, dim);
        d["svgd_particles"] = copy_array(sp.svgd.particles).attr("reshape")(n, dim);
        d["steps"] = sp.svgd.steps;
        d["converged"] = sp.svgd.converged;
        d["bandwidth"] = sp.svgd.bandwidth;
        d["ksd"] = sp.svgd.ksd;
        d["resampled"] = sp.resampled.has_value();
        d["ess"] = sp.resampled ? py::object(py::float_(sp.resampled->weights.ess)) : py::object(py::none());
        d["draws"] = sp.resampled ? py::object(py::int_(sp.resampled->weights.samples)) : py::object(py::none());
        d["distinct"] = sp.resampled ? py::object(py::int_(sp.resampled->distinct)) : py::object(py::none());
        d["finite"] = sp.finite;
        d["warnings"] = sp.warnings;
        d["seed"] = seed;
        d["_json"] = json_text([&](JsonWriter& w) {
            write_samples_document(w, {.state = in.model.state_names[in.state], .alpha = alpha, .svgd = sp.svgd, .finite = sp.finite,
                                       .seed = seed, .resampled = sp.resampled, .defensive_uniform_weight = ro.defensive,
                                       .warnings = sp.warnings, .particles = sp.particles, .dimension = target.dim()});
        });
        return d;
    }, py::arg("path"), py::arg("state"), py::arg("alpha"), py::arg("values") = py::none(), py::arg("particles") = 200,
       py::arg("steps") = 1000, py::arg("step_size") = 0.01, py::arg("movement_tolerance") = 1e-5, py::arg("threads") = 0,
       py::arg("weighting") = "resample", py::arg("draws") = 0, py::arg("seed") = 0);
}
