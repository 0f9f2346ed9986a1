#include "softmdp/distributed/distributed_result.hpp"

#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/distributed/collective.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/result.hpp"

namespace softmdp::distributed {

namespace {

enum Field : int { kNames, kValues, kQ, kPolicy, kEntropy, kGreedy, kFields };

// This rank's block of one field, as bytes (names: '\0'-terminated strings; empty without names).
std::string block_of(Field f, const DistributedModel& dm, const DistributedSolution& ds, const ResultSummary& sum) {
    const Model& m = dm.local;
    const Solution& sol = ds.solution;
    const std::size_t n = dm.owned, A = dm.num_actions;
    std::vector<double> x;
    const auto bytes = [](const auto& v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0])); };
    // Per state, one entry per action of the model: `absent` where the action is not available.
    const auto per_action = [&](const std::vector<double>& per_row, double absent) {
        x.assign(n * A, absent);
        for (std::size_t s = 0; s < n; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) x[s * A + m.row_action(r)] = per_row[r];
        return bytes(x);
    };
    switch (f) {
        case kNames: {
            std::string out;
            for (const auto& name : dm.state_names) out.append(name).push_back('\0');
            return out;
        }
        case kValues: return bytes(std::vector<double>(sol.values.begin(), sol.values.begin() + static_cast<std::ptrdiff_t>(n)));
        case kQ: return per_action(sol.q, std::nan(""));
        case kPolicy: return per_action(sol.policy, 0.0);
        case kEntropy: return bytes(std::vector<double>(sum.entropy.begin(), sum.entropy.begin() + static_cast<std::ptrdiff_t>(n)));
        case kGreedy: {
            std::vector<std::int64_t> g(n, -1);
            for (std::size_t s = 0; s < n; ++s)
                if (sum.greedy[s]) g[s] = *sum.greedy[s];
            return bytes(g);
        }
        default: return {};
    }
}

std::string receive(int from, int tag, MPI_Comm comm) {
    MPI_Status status;
    MPI_Probe(from, tag, comm, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    std::string s(static_cast<std::size_t>(count), '\0');
    MPI_Recv(s.data(), count, MPI_CHAR, from, tag, comm, MPI_STATUS_IGNORE);
    return s;
}

template <class T>
std::vector<T> as(const std::string& b) {
    std::vector<T> v(b.size() / sizeof(T));
    std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
    return v;
}

// Writes one rank's block of field f (first: its first state's global index) as array elements.
void write_block(JsonWriter& w, Field f, const std::string& b, std::size_t first, std::size_t states, const DistributedModel& dm) {
    const std::size_t A = dm.num_actions;
    switch (f) {
        case kNames:
            if (b.empty())
                for (std::size_t s = 0; s < states; ++s) w.value(std::to_string(first + s));
            else
                for (std::size_t at = 0; at < b.size(); at = b.find('\0', at) + 1) w.value(std::string_view(b.c_str() + at));
            break;
        case kValues:
        case kEntropy:
            for (double v : as<double>(b)) w.value(v);
            break;
        case kQ:
        case kPolicy: {
            const auto x = as<double>(b);
            for (std::size_t s = 0; s < states; ++s) {
                w.begin_array();
                for (std::size_t a = 0; a < A; ++a) std::isnan(x[s * A + a]) ? w.null() : w.value(x[s * A + a]);
                w.end_array();
            }
            break;
        }
        case kGreedy:
            for (std::int64_t a : as<std::int64_t>(b))
                a < 0 ? w.null() : w.value(dm.action_names.empty() ? std::to_string(a) : dm.action_names[static_cast<std::size_t>(a)]);
            break;
        default: break;
    }
}

const char* const kKeys[kFields] = {"states", "values", "q", "policy", "entropy", "greedy"};

void write_actions(JsonWriter& w, const DistributedModel& dm) {
    w.key("actions").begin_array();
    for (std::size_t a = 0; a < dm.num_actions; ++a) w.value(dm.action_names.empty() ? std::to_string(a) : dm.action_names[a]);
    w.end_array();
}

}  // namespace

std::string shard_path(const std::string& prefix, int rank) { return fmt::format("{}-{}.json", prefix, rank); }

void write_distributed_shards(const DistributedModel& dm, const DistributedSolution& ds, const std::string& prefix) {
    const ResultSummary sum = summarise(dm.local, ds.solution);
    double residual = sum.policy_residual;
    MPI_Allreduce(MPI_IN_PLACE, &residual, 1, MPI_DOUBLE, MPI_MAX, dm.comm);
    // Every rank writes its shard to a temporary file; all are renamed into place only when every
    // rank has written its own, and the index (rank 0) only after that.
    std::unique_ptr<OutputFile> shard;
    agree(dm.comm, [&] {
        if (prefix.empty() || prefix == "-")
            throw UsageError(fmt::format("{} takes a file name prefix (shards PREFIX-R.json, index PREFIX.json), got '{}'",
                                         param("json_shards"), prefix));
        shard = std::make_unique<OutputFile>(shard_path(prefix, dm.rank));
        JsonWriter w(shard->stream());
        w.begin_object();
        w.key("format").value("softmdp-result-shard/1");
        w.key("rank").value(dm.rank);
        w.key("ranks").value(dm.ranks);
        w.key("first_state").value(dm.first);
        w.key("num_states").value(dm.owned);
        for (int f = 0; f < kFields; ++f) {
            w.key(kKeys[f]).begin_array();
            write_block(w, static_cast<Field>(f), block_of(static_cast<Field>(f), dm, ds, sum), dm.first, dm.owned, dm);
            w.end_array();
        }
        w.end_object();
    });
    agree(dm.comm, [&] { shard->commit(); });
    agree(dm.comm, [&] {
        if (dm.rank != 0) return;
        OutputFile index(prefix + ".json");
        {
            JsonWriter w(index.stream());
            w.begin_object();
            w.key("format").value("softmdp-result-shards/1");
            // The softmdp-result/1 document without its per-state arrays, which the shards hold.
            w.key("result").begin_object();
            write_solver_fields(w, dm.name, dm.discount, ds.solution, ds.objective);
            w.key("policy_residual").value(residual);
            write_actions(w, dm);
            w.end_object();
            w.key("num_states").value(dm.num_states);
            w.key("arrays").begin_array();
            for (const char* key : kKeys) w.value(key);
            w.end_array();
            w.key("shards").begin_array();
            for (int r = 0; r < dm.ranks; ++r) {
                const std::size_t first = dm.partition.first[static_cast<std::size_t>(r)];
                w.begin_object();
                w.key("file").value(std::filesystem::path(shard_path(prefix, r)).filename().string());
                w.key("rank").value(r);
                w.key("first_state").value(first);
                w.key("num_states").value(dm.partition.first[static_cast<std::size_t>(r) + 1] - first);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        index.commit();
    });
}

void write_distributed_result(const DistributedModel& dm, const DistributedSolution& ds, const std::string& path) {
    const ResultSummary sum = summarise(dm.local, ds.solution);
    double residual = sum.policy_residual;
    MPI_Allreduce(MPI_IN_PLACE, &residual, 1, MPI_DOUBLE, MPI_MAX, dm.comm);
    std::unique_ptr<OutputFile> out;
    agree(dm.comm, [&] {
        if (dm.rank == 0) out = std::make_unique<OutputFile>(path);
    });
    if (dm.rank != 0) {
        for (int f = 0; f < kFields; ++f) {
            const std::string b = block_of(static_cast<Field>(f), dm, ds, sum);
            MPI_Send(b.data(), static_cast<int>(b.size()), MPI_CHAR, 0, f, dm.comm);
        }
        agree(dm.comm, [] {});
        return;
    }
    // Rank 0 receives every block even after a failed write, so that no rank stays blocked in a send.
    std::exception_ptr failed;
    {
        std::optional<JsonWriter> w;
        w.emplace(out->stream());
        const auto guarded = [&](auto&& fn) {
            if (failed) return;
            try {
                fn();
            } catch (...) {
                failed = std::current_exception();
            }
        };
        guarded([&] {
            w->begin_object();
            write_solver_fields(*w, dm.name, dm.discount, ds.solution, ds.objective);
            w->key("policy_residual").value(residual);
        });
        for (int f = 0; f < kFields; ++f) {
            guarded([&] { w->key(kKeys[f]).begin_array(); });
            for (int r = 0; r < dm.ranks; ++r) {
                const std::size_t first = dm.partition.first[static_cast<std::size_t>(r)];
                const std::size_t states = dm.partition.first[static_cast<std::size_t>(r) + 1] - first;
                const std::string b = r == 0 ? block_of(static_cast<Field>(f), dm, ds, sum) : receive(r, f, dm.comm);
                guarded([&] { write_block(*w, static_cast<Field>(f), b, first, states, dm); });
            }
            guarded([&] { w->end_array(); });
            if (f == kNames)  // "actions" after "states", as serially (write_names)
                guarded([&] { write_actions(*w, dm); });
        }
        guarded([&] {
            w->end_object();
            w.reset();  // flushes
        });
    }
    agree(dm.comm, [&] {
        if (failed) std::rethrow_exception(failed);
        out->commit();
    });
}

}  // namespace softmdp::distributed
