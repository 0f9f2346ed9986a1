// softmdp-mpi: distributed solving on MPI (docs/distributed.md).
//   mpirun -n K softmdp-mpi solve MODEL [--alpha A] [--method vi|soft-vi|ipi|soft-ipi] [--tolerance T] [--json OUT]
// The serial CLI's option names, result document (softmdp-result/1) and exit codes (docs/cli.md):
// 0 converged, 2 invalid input or usage, 3 I/O, 4 not converged (result written), 1 unexpected.
// Every rank exits with the same code; rank 0 prints.
#include <mpi.h>
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <limits>
#include <sstream>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/distributed/collective.hpp"
#include "softmdp/distributed/distributed_model.hpp"
#include "softmdp/distributed/distributed_result.hpp"
#include "softmdp/distributed/distributed_solve.hpp"
#include "softmdp/solvers/krylov.hpp"
#include "softmdp/version.hpp"

namespace po = boost::program_options;
using namespace softmdp;
using namespace softmdp::distributed;

namespace {

constexpr int kOk = 0, kUnexpected = 1, kInvalid = 2, kIo = 3, kNotConverged = 4;

// A library parameter as its option: "max_iterations" -> "--max-iterations" (as the serial CLI).
std::string option_name(std::string_view p) {
    std::string s = "--";
    for (char c : p) s.push_back(c == '_' ? '-' : c);
    return s;
}

std::vector<std::size_t> parse_cuts(const std::string& text) {
    std::vector<std::size_t> cuts;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (item.empty() || !std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); }))
            throw UsageError(fmt::format("{} takes the first state of ranks 1..K-1 as non-negative integers separated by commas, got '{}'",
                                         param("partition"), text));
        cuts.push_back(std::stoull(item));
    }
    return cuts;
}

const char* kUsage = "usage: mpirun -n K softmdp-mpi solve FILE [--method vi|soft-vi|ipi|soft-ipi] [--alpha A] [--json OUT] [--json-shards PREFIX]";

int solve(int argc, char** argv, int rank) {
    po::options_description desc("solve options");
    desc.add_options()
        ("help,h", "this help")
        ("file", po::value<std::string>(), "MDP file: softmdp/1 (JSON), PETSc binary or UMB (uncompressed)")
        ("method,m", po::value<std::string>(), "vi (default without --alpha), soft-vi (default with --alpha > 0), or inexact policy iteration: ipi (hard), soft-ipi")
        ("alpha,a", po::value<double>()->default_value(0.0), "temperature alpha >= 0 (0: hard)")
        ("tolerance,t", po::value<double>()->default_value(1e-8), "certified error bound to reach (sup norm)")
        ("max-iterations", po::value<std::uint64_t>()->default_value(1'000'000), "at most this many sweeps (ipi, soft-ipi: improvements)")
        ("time-limit", po::value<double>()->default_value(std::numeric_limits<double>::infinity(), "none"), "seconds")
        ("threads", po::value<int>()->default_value(1), "OpenMP threads per rank (0: all cores; default 1: one rank per core)")
        ("krylov", po::value<std::string>()->default_value("bicgstab"), "ipi, soft-ipi: the Krylov method of the evaluations, bicgstab or gmres (GMRES(20))")
        ("preconditioner-sweeps", po::value<std::uint32_t>()->default_value(2), "ipi, soft-ipi: Gauss-Seidel sweeps inside each rank per preconditioner application (block Jacobi across ranks; 0: none)")
        ("aggregate-size", po::value<std::uint32_t>(), "ipi, soft-ipi: states per aggregate of each rank's coarse correction (0: none; default: max(8, S/6000) on local models, else 0)")
        ("renormalize", "rescale successor probabilities summing to within 1e-6 of 1")
        ("discount", po::value<double>(), "discount of files without one (replaces a file's own)")
        ("partition", po::value<std::string>(), "first states of ranks 1..K-1, e.g. 0,5 (default: blocks balanced by transitions)")
        ("json", po::value<std::string>(), "write the softmdp-result/1 document to this file ('-' = stdout)")
        ("json-shards", po::value<std::string>(), "each rank writes its states' part of the result to PREFIX-R.json, rank 0 an index PREFIX.json")
        ("stats", "print per-rank block sizes, bytes communicated per sweep and times on stderr")
        ("quiet,q", "print nothing on stdout but the document");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    if (vm.count("help")) {
        if (rank == 0) std::cout << kUsage << "\n\n" << desc << "\n";
        return kOk;
    }
    if (!vm.count("file")) throw UsageError(fmt::format("the model FILE is missing\n{}", kUsage));
    const double alpha = vm["alpha"].as<double>();
    const double tolerance = vm["tolerance"].as<double>();
    if (!(tolerance > 0.0)) throw UsageError(fmt::format("{} must be > 0, got {}", param("tolerance"), tolerance));
    const std::string method = vm.count("method") ? vm["method"].as<std::string>() : alpha > 0.0 ? "soft-vi" : "vi";
    const std::string file = vm["file"].as<std::string>();
    if (vm.count("json")) {  // as the serial CLI: never overwrite the input
        std::error_code ec;
        if (std::filesystem::equivalent(file, vm["json"].as<std::string>(), ec))
            throw UsageError(fmt::format("--json {} is the model file itself", vm["json"].as<std::string>()));
    }
    if (vm.count("json-shards")) {
        std::error_code ec;
        if (std::filesystem::equivalent(file, vm["json-shards"].as<std::string>() + ".json", ec))
            throw UsageError(fmt::format("--json-shards {}: the index {}.json would be the model file itself", vm["json-shards"].as<std::string>(),
                                         vm["json-shards"].as<std::string>()));
    }
    LoadOptions lo;
    lo.build.renormalize = vm.count("renormalize") > 0;
    if (vm.count("discount")) lo.build.discount = vm["discount"].as<double>();
    if (vm.count("partition")) lo.cuts = parse_cuts(vm["partition"].as<std::string>());
    SolverOptions opt;
    opt.tolerance = tolerance;
    opt.max_iterations = vm["max-iterations"].as<std::uint64_t>();
    opt.time_limit = vm["time-limit"].as<double>();
    opt.threads = vm["threads"].as<int>();
    if (opt.threads < 0) throw UsageError(fmt::format("{} must be >= 0, got {}", param("threads"), opt.threads));
    set_krylov_options(opt, vm["krylov"].as<std::string>(), vm["preconditioner-sweeps"].as<std::uint32_t>(),
                       vm.count("aggregate-size") ? std::optional(vm["aggregate-size"].as<std::uint32_t>()) : std::nullopt);

    MPI_Barrier(MPI_COMM_WORLD);
    const Stopwatch load_clock;
    DistributedModel dm = load_distributed(MPI_COMM_WORLD, file, lo);
    MPI_Barrier(MPI_COMM_WORLD);
    const double load_seconds = load_clock.seconds();
    DistributedSolution ds;
    agree(dm.comm, [&] {  // argument errors are the same on every rank; a numerical one may not be
        ds = distributed_solve(dm, method, alpha, opt);
    });
    const Solution& sol = ds.solution;
    if (vm.count("json")) write_distributed_result(dm, ds, vm["json"].as<std::string>());
    if (vm.count("json-shards")) write_distributed_shards(dm, ds, vm["json-shards"].as<std::string>());
    const bool table = !vm.count("quiet") && !(vm.count("json") && vm["json"].as<std::string>() == "-");
    if (rank == 0 && table) {
        fmt::print("{} (alpha {}) on {}: {} after {} iterations, error bound {}, {:.3f} s on {} rank{}\n", sol.method, sol.alpha, file,
                   sol.converged ? "converged" : "NOT converged", sol.iterations,
                   sol.error_bound ? fmt::format("{:.3g}", *sol.error_bound) : std::string("none"), sol.seconds, dm.ranks,
                   dm.ranks == 1 ? "" : "s");
        if (!sol.reason.empty()) fmt::print("note: {}\n", sol.reason);
        fmt::print("objective J = sum_s p0(s) V(s) = {:.12g}\n", ds.objective);
        std::fflush(stdout);
    }
    if (vm.count("stats")) {
        // One line per rank, gathered to rank 0: block, ghosts, bytes per sweep, time communicating.
        struct rusage ru {};
        ::getrusage(RUSAGE_SELF, &ru);
        double mine[8] = {static_cast<double>(dm.first), static_cast<double>(dm.owned), static_cast<double>(dm.local.num_transitions()),
                          static_cast<double>(dm.ghosts.size()), static_cast<double>(ds.bytes_sent), static_cast<double>(ds.bytes_received),
                          ds.exchange_seconds, ds.reduce_seconds};
        const double rss = static_cast<double>(ru.ru_maxrss) / 1024.0;
        std::vector<double> all(rank == 0 ? 9 * static_cast<std::size_t>(dm.ranks) : 0);
        double row[9];
        std::copy(mine, mine + 8, row);
        row[8] = rss;
        MPI_Gather(row, 9, MPI_DOUBLE, all.data(), 9, MPI_DOUBLE, 0, dm.comm);
        if (rank == 0) {
            // A sweep (vi) or a product with P_pi (ipi) is one pass over the transitions and one ghost exchange.
            const std::uint64_t passes = sol.matvecs ? sol.matvecs + sol.sweeps : sol.sweeps;
            fmt::print(stderr, "stats: {} ranks, load {:.3f} s, solve {:.3f} s, {} sweeps, {:.3f} ms per sweep, {} states, {} transitions, stop {}{}\n",
                       dm.ranks, load_seconds, sol.seconds, passes, passes ? 1e3 * sol.seconds / static_cast<double>(passes) : 0.0,
                       dm.num_states, dm.num_transitions, to_string(sol.stop),
                       sol.matvecs ? fmt::format(", {} outer iterations, {} inner Krylov iterations, {} matrix-vector products", sol.iterations,
                                                 sol.inner_iterations, sol.matvecs)
                                   : std::string());
            fmt::print(stderr, "stats: every rank: {} ghost exchanges, {} allreduces\n", ds.exchanges, ds.reductions);
            for (int r = 0; r < dm.ranks; ++r) {
                const double* x = all.data() + 9 * r;
                fmt::print(stderr,
                           "stats: rank {}: states {}..{} ({}), {} transitions, {} ghosts; per sweep: sent {:.0f} B, received {:.0f} B; "
                           "allreduced {} B in all; exchange {:.3f} s, allreduce {:.3f} s; peak RSS {:.0f} MiB\n",
                           r, x[0], x[1] > 0 ? x[0] + x[1] - 1 : x[0], x[1], x[2], x[3], x[4], x[5], ds.bytes_reduced, x[6], x[7], x[8]);
            }
        }
    }
    if (!sol.converged) {
        if (rank == 0) fmt::print(stderr, "softmdp-mpi: not converged: {}\n", sol.reason);
        return kNotConverged;
    }
    return kOk;
}

int fail(int rank, int code, const char* kind, const std::string& message) {
    if (rank == 0) fmt::print(stderr, "softmdp-mpi: {}: {}\n", kind, printable(message));
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int code = kOk;
    const auto msg = [](const Error& e) { return e.message_with(option_name); };
    try {
        if (argc < 2 || std::string_view(argv[1]) != "solve") {
            if (argc >= 2 && (std::string_view(argv[1]) == "--version"))
                rank == 0 ? (void)fmt::print("softmdp-mpi {}\n", SOFTMDP_VERSION_STRING) : void();
            else
                code = fail(rank, argc < 2 ? kInvalid : kInvalid, "usage error",
                            fmt::format("{} (the only command is solve)", kUsage));
        } else {
            code = solve(argc - 1, argv + 1, rank);
        }
    } catch (const InputError& e) {
        code = fail(rank, kInvalid, "error", msg(e));
    } catch (const UsageError& e) {
        code = fail(rank, kInvalid, "usage error", msg(e));
    } catch (const NumericalError& e) {
        code = fail(rank, kInvalid, "numerical error", msg(e));
    } catch (const IoError& e) {
        code = fail(rank, kIo, "I/O error", msg(e));
    } catch (const Error& e) {
        code = fail(rank, kUnexpected, "error", msg(e));
    } catch (const std::exception& e) {
        code = fail(rank, kUnexpected, "unexpected error", e.what());
    }
    MPI_Finalize();
    return code;
}
