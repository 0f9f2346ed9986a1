#include "softmdp/distributed/distributed_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "softmdp/core/errors.hpp"
#include "softmdp/distributed/collective.hpp"
#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/mapped_file.hpp"
#include "softmdp/io/petsc_binary.hpp"
#include "softmdp/io/umb.hpp"

namespace softmdp::distributed {

int Partition::owner(std::size_t s) const noexcept {
    // the last rank whose block starts at or before s (empty blocks start where the next one does)
    return static_cast<int>(std::upper_bound(first.begin(), first.end() - 1, s) - first.begin()) - 1;
}

Partition balanced_partition(std::span<const std::uint64_t> weight_end, int ranks) {
    Partition p;
    const std::size_t S = weight_end.size();
    const std::uint64_t total = S ? weight_end.back() : 0;
    p.first.resize(static_cast<std::size_t>(ranks) + 1, S);
    p.first[0] = 0;
    for (int r = 1; r < ranks; ++r) {
        // the states whose weights end at or before r/ranks of the total
        const auto target = static_cast<std::uint64_t>(static_cast<long double>(total) * r / ranks);
        p.first[static_cast<std::size_t>(r)] =
            static_cast<std::size_t>(std::upper_bound(weight_end.begin(), weight_end.end(), target) - weight_end.begin());
    }
    return p;
}

Partition explicit_partition(std::span<const std::size_t> cuts, std::size_t num_states, int ranks) {
    if (cuts.size() != static_cast<std::size_t>(ranks) - 1)
        throw UsageError(fmt::format("{} has {} boundaries; {} ranks need {} (the first state of ranks 1..{})", param("partition"),
                                     cuts.size(), ranks, ranks - 1, ranks - 1));
    Partition p;
    p.first.push_back(0);
    for (std::size_t c : cuts) {
        if (c < p.first.back() || c > num_states)
            throw UsageError(fmt::format("{} boundaries must be non-decreasing in [0, {}] (the number of states); got {} after {}",
                                         param("partition"), num_states, c, p.first.back()));
        p.first.push_back(c);
    }
    p.first.push_back(num_states);
    return p;
}

GhostExchange::GhostExchange(MPI_Comm comm, const Partition& p, std::span<const std::uint32_t> ghosts) {
    const int P = size_of(comm), me = rank_of(comm);
    std::vector<int> want(static_cast<std::size_t>(P), 0), give(static_cast<std::size_t>(P), 0);
    for (std::uint32_t g : ghosts) ++want[static_cast<std::size_t>(p.owner(g))];
    MPI_Alltoall(want.data(), 1, MPI_INT, give.data(), 1, MPI_INT, comm);
    std::vector<int> want_displs(static_cast<std::size_t>(P), 0), give_displs(static_cast<std::size_t>(P), 0);
    for (std::size_t r = 1; r < static_cast<std::size_t>(P); ++r) {
        want_displs[r] = want_displs[r - 1] + want[r - 1];
        give_displs[r] = give_displs[r - 1] + give[r - 1];
    }
    // Ghosts are ascending and blocks contiguous: they are already grouped by owner, in rank order.
    std::vector<std::uint32_t> asked(static_cast<std::size_t>(give_displs.back() + give.back()));
    MPI_Alltoallv(ghosts.data(), want.data(), want_displs.data(), MPI_UINT32_T, asked.data(), give.data(), give_displs.data(),
                  MPI_UINT32_T, comm);
    const std::size_t first = p.first[static_cast<std::size_t>(me)];
    for (std::uint32_t& g : asked) g = static_cast<std::uint32_t>(g - first);
    send_index_ = std::move(asked);
    for (int r = 0; r < P; ++r) {
        const auto i = static_cast<std::size_t>(r);
        if (want[i] > 0) sources_.push_back(r), recv_counts_.push_back(want[i]), recv_displs_.push_back(want_displs[i]);
        if (give[i] > 0) destinations_.push_back(r), send_counts_.push_back(give[i]), send_displs_.push_back(give_displs[i]);
    }
    recv_total_ = ghosts.size();
    send_buffer_.resize(send_index_.size());
    MPI_Dist_graph_create_adjacent(comm, static_cast<int>(sources_.size()), sources_.data(), MPI_UNWEIGHTED,
                                   static_cast<int>(destinations_.size()), destinations_.data(), MPI_UNWEIGHTED, MPI_INFO_NULL, 0,
                                   &graph_);
}

GhostExchange::GhostExchange(GhostExchange&& o) noexcept { *this = std::move(o); }

GhostExchange& GhostExchange::operator=(GhostExchange&& o) noexcept {
    std::swap(graph_, o.graph_);
    sources_ = std::move(o.sources_), destinations_ = std::move(o.destinations_);
    recv_counts_ = std::move(o.recv_counts_), recv_displs_ = std::move(o.recv_displs_);
    send_counts_ = std::move(o.send_counts_), send_displs_ = std::move(o.send_displs_);
    send_index_ = std::move(o.send_index_), send_buffer_ = std::move(o.send_buffer_);
    recv_total_ = o.recv_total_;
    return *this;
}

GhostExchange::~GhostExchange() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (graph_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&graph_);
}

void GhostExchange::exchange(std::span<double> V, std::size_t owned) {
    if (graph_ == MPI_COMM_NULL) return;
    for (std::size_t i = 0; i < send_index_.size(); ++i) send_buffer_[i] = V[send_index_[i]];
    MPI_Neighbor_alltoallv(send_buffer_.data(), send_counts_.data(), send_displs_.data(), MPI_DOUBLE, V.data() + owned,
                           recv_counts_.data(), recv_displs_.data(), MPI_DOUBLE, graph_);
}

namespace {

// The sorted global ids of the successors outside [first, last) among `next(k)`, k in [0, n).
template <class Next>
std::vector<std::uint32_t> collect_ghosts(std::uint64_t n, std::size_t first, std::size_t last, Next next) {
    std::vector<std::uint32_t> g;
    for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint64_t j = next(k);
        if (j < first || j >= last) g.push_back(static_cast<std::uint32_t>(j));
    }
    std::sort(g.begin(), g.end());
    g.erase(std::unique(g.begin(), g.end()), g.end());
    return g;
}

// The index in the block of global state j: owned states first, then the ghosts.
struct LocalIndex {
    std::size_t first, owned;
    const std::vector<std::uint32_t>& ghosts;
    std::uint32_t operator()(std::uint64_t j) const noexcept {
        if (j >= first && j < first + owned) return static_cast<std::uint32_t>(j - first);
        return static_cast<std::uint32_t>(owned + static_cast<std::size_t>(std::lower_bound(ghosts.begin(), ghosts.end(), j) - ghosts.begin()));
    }
};

Partition partition_of(MPI_Comm comm, std::span<const std::uint64_t> weight_end, const LoadOptions& o) {
    const int P = size_of(comm);
    return o.cuts.empty() && P > 1 ? balanced_partition(weight_end, P)
           : o.cuts.empty()        ? explicit_partition({}, weight_end.size(), 1)
                                   : explicit_partition(o.cuts, weight_end.size(), P);
}

void refuse_undiscounted(double discount, const std::string& source) {
    if (!(discount < 1.0))
        throw UsageError(fmt::format("{}: discount {} : softmdp-mpi certifies with the discounted contraction bound and needs "
                                     "{} < 1",
                                     source, discount, param("discount")));
}

// Every rank reads the whole softmdp/1 model (small next to the binary formats) and keeps its block.
void load_json(DistributedModel& dm, const std::string& file, const MappedFile& mapped, const LoadOptions& o) {
    const Model full = parse_any_model(mapped, o.build, file);
    refuse_undiscounted(full.discount(), file);
    const ModelData& f = full.data();
    const std::size_t S = full.num_states();
    std::vector<std::uint64_t> weight_end(S);
    std::uint64_t w = 0;
    for (std::size_t s = 0; s < S; ++s) {
        w += 1 + full.num_available(s) + (f.row_begin[full.row_last(s)] - f.row_begin[full.row_first(s)]);
        weight_end[s] = w;
    }
    dm.partition = partition_of(dm.comm, weight_end, o);
    dm.first = dm.partition.first[static_cast<std::size_t>(dm.rank)];
    const std::size_t last = dm.partition.first[static_cast<std::size_t>(dm.rank) + 1];
    dm.owned = last - dm.first;
    const Offset r0 = full.row_first(dm.first), r1 = dm.owned ? full.row_last(last - 1) : r0;
    const Offset t0 = f.row_begin[r0], t1 = f.row_begin[r1];
    dm.ghosts = collect_ghosts(t1 - t0, dm.first, last, [&](std::uint64_t k) { return f.transitions[t0 + k].next; });
    const LocalIndex local{dm.first, dm.owned, dm.ghosts};
    ModelData d;
    d.name = full.name();
    d.discount = full.discount();
    d.num_states = std::max<std::size_t>(1, dm.owned + dm.ghosts.size());  // an empty block: one padding state
    d.num_actions = full.num_actions();
    d.action_names.assign(f.action_names.begin(), f.action_names.end());
    d.initial.assign(d.num_states, 0.0);
    for (std::size_t s = 0; s <= dm.owned; ++s) d.state_begin.push_back(f.state_begin[dm.first + s] - r0);
    d.state_begin.resize(d.num_states + 1, d.state_begin.back());  // ghosts: no rows
    d.row_action.assign(f.row_action.begin() + static_cast<std::ptrdiff_t>(r0), f.row_action.begin() + static_cast<std::ptrdiff_t>(r1));
    d.row_reward.assign(f.row_reward.begin() + static_cast<std::ptrdiff_t>(r0), f.row_reward.begin() + static_cast<std::ptrdiff_t>(r1));
    for (Offset r = r0; r <= r1; ++r) d.row_begin.push_back(f.row_begin[r] - t0);
    d.transitions.resize(t1 - t0);
    for (Offset k = t0; k < t1; ++k) d.transitions[k - t0] = Transition(local(f.transitions[k].next), f.transitions[k].prob());
    if (!f.next_reward.empty())
        d.next_reward.assign(f.next_reward.begin() + static_cast<std::ptrdiff_t>(t0), f.next_reward.begin() + static_cast<std::ptrdiff_t>(t1));
    dm.name = full.name();
    dm.discount = full.discount();
    dm.num_states = S;
    dm.num_actions = full.num_actions();
    dm.num_transitions = full.num_transitions();
    dm.initial.assign(f.initial.begin() + static_cast<std::ptrdiff_t>(dm.first), f.initial.begin() + static_cast<std::ptrdiff_t>(last));
    if (full.has_state_names())
        dm.state_names.assign(f.state_names.begin() + static_cast<std::ptrdiff_t>(dm.first),
                              f.state_names.begin() + static_cast<std::ptrdiff_t>(last));
    dm.action_names = d.action_names;
    dm.local = Model(std::move(d));
}

// PETSc binary (io/petsc_binary.hpp: P, R, [discount, p0]). Every rank maps the file and touches only
// the headers, the row lengths, and its own rows' entries (pages it never reads are never loaded).
void load_petsc(DistributedModel& dm, const std::string& file, const MappedFile& mapped, const LoadOptions& o) {
    PetscReader in(mapped.text(), file);
    const PetscMatHeader Ph = read_petsc_mat_header(in, "P");
    if (Ph.nonzeros < 0) binary_error(file, "P", kNoIndex, "must be a sparse (AIJ) matrix, not dense");
    const PetscAij P = read_petsc_aij(in, "P", Ph);
    const std::vector<std::uint64_t>& row_end = P.row_end;
    const std::uint64_t nnz = P.nnz;
    const char* columns = P.columns;
    const char* values = P.values;
    require_petsc_reward_matrix(in);
    const PetscMatHeader Rh = read_petsc_mat_header(in, "R");
    const PetscModelShape shape = petsc_model_shape(file, Ph.rows, Ph.cols, Rh.rows, Rh.cols);
    const std::uint64_t S = shape.states, A = shape.actions;
    const bool dense = Rh.nonzeros == kPetscDense;
    if (Rh.nonzeros < kPetscDense) binary_error(file, "R", kNoIndex, fmt::format("negative number of nonzeros {}", Rh.nonzeros));
    // R's row lengths are checked below, with this rank's block (the serial reader checks them here).
    const char* r_lengths = nullptr;
    const char* r_columns = nullptr;
    const std::uint64_t r_nnz = dense ? S * A : static_cast<std::uint64_t>(Rh.nonzeros);
    if (!dense) {
        r_lengths = in.block(S, 4, "R row lengths");
        r_columns = in.block(r_nnz, 4, "R column indices");
    }
    const char* r_values = in.block(r_nnz, 8, "R values");
    // [discount] and [p0]: vectors after R.
    std::optional<double> discount;
    const char* p0 = nullptr;
    if (!in.at_end()) {
        discount = load_be<double>(read_petsc_vec(in, "discount", 1));
        if (!in.at_end()) p0 = read_petsc_vec(in, "p0", S);
        if (!in.at_end()) binary_error(file, "p0", kNoIndex, "unexpected bytes after the last object (P, R, discount, p0)");
    }
    if (o.build.discount) discount = *o.build.discount;  // --discount replaces a file's own, as serially
    if (!discount)
        throw UsageError(fmt::format("{}: the PETSc file carries no discount (a vector after P and R): give {} G", file, param("discount")));
    refuse_undiscounted(*discount, file);

    // The blocks, from the row lengths every rank has read.
    std::vector<std::uint64_t> weight_end(S);
    std::uint64_t w = 0;
    for (std::uint64_t s = 0; s < S; ++s) {
        const std::uint64_t before = s ? row_end[s * A - 1] : 0, after = row_end[(s + 1) * A - 1];
        std::uint64_t rows = 0;
        for (std::uint64_t a = 0; a < A; ++a) rows += row_end[s * A + a] != (s * A + a ? row_end[s * A + a - 1] : 0);
        w += 1 + rows + (after - before);
        weight_end[s] = w;
    }
    dm.partition = partition_of(dm.comm, weight_end, o);
    dm.first = dm.partition.first[static_cast<std::size_t>(dm.rank)];
    const std::size_t last = dm.partition.first[static_cast<std::size_t>(dm.rank) + 1];
    dm.owned = last - dm.first;
    const std::uint64_t k0 = dm.first ? row_end[dm.first * A - 1] : 0, k1 = dm.owned ? row_end[last * A - 1] : k0;
    check_model_size(file, dm.owned, A, dm.owned * A, k1 - k0);  // this rank's block on this machine
    // Checked here with the file's (global) indices; the builder below checks the rest (row sums) on
    // the block, where its messages' indices are relative to the block.
    for (std::uint64_t k = k0; k < k1; ++k) {
        const auto j = load_be<std::int32_t>(columns + 4 * k);
        if (j < 0 || static_cast<std::uint64_t>(j) >= S)
            binary_error(file, "P column indices", k, fmt::format("column {} is out of range (there are {} states)", j, S));
        const double p = load_be<double>(values + 8 * k);
        if (!std::isfinite(p) || p < 0.0) binary_error(file, "P values", k, fmt::format("probability must be finite and >= 0, got {}", p));
    }
    dm.ghosts = collect_ghosts(k1 - k0, dm.first, last, [&](std::uint64_t k) { return load_be<std::uint32_t>(columns + 4 * (k0 + k)); });
    const LocalIndex local{dm.first, dm.owned, dm.ghosts};
    // The owned rows of R as a dense owned x A table.
    std::vector<double> r(dm.owned * A, 0.0);
    if (dense) {
        for (std::uint64_t i = 0; i < dm.owned * A; ++i) r[i] = load_be<double>(r_values + 8 * (dm.first * A + i));
    } else {
        std::uint64_t k = 0, check = 0;
        for (std::uint64_t s = 0; s < S; ++s) {  // 4 bytes per state: every rank checks the sum
            const auto len = load_be<std::int32_t>(r_lengths + 4 * s);
            if (len < 0 || static_cast<std::uint64_t>(len) > A)
                binary_error(file, "R row lengths", s, fmt::format("row length {} is not in [0, {}]", len, A));
            if (s < dm.first) k += static_cast<std::uint64_t>(len);
            check += static_cast<std::uint64_t>(len);
        }
        if (check != r_nnz) binary_error(file, "R row lengths", kNoIndex, fmt::format("sum to {}, but the header says {} nonzeros", check, r_nnz));
        for (std::uint64_t s = dm.first; s < last; ++s)
            for (auto n = load_be<std::int32_t>(r_lengths + 4 * s); n > 0; --n, ++k) {
                const auto a = load_be<std::int32_t>(r_columns + 4 * k);
                if (a < 0 || static_cast<std::uint64_t>(a) >= A)
                    binary_error(file, "R column indices", k, fmt::format("column {} is out of range (there are {} actions)", a, A));
                r[(s - dm.first) * A + static_cast<std::uint64_t>(a)] = load_be<double>(r_values + 8 * k);
            }
    }
    const std::size_t L = std::max<std::size_t>(1, dm.owned + dm.ghosts.size());  // an empty block: one padding state
    ModelData d = matrix_model(
        L, A, k1 - k0,
        [&](std::uint64_t i) { return i < dm.owned * A ? row_end[dm.first * A + i] - k0 : k1 - k0; },
        [&](std::uint64_t k) { return static_cast<std::int64_t>(local(load_be<std::uint32_t>(columns + 4 * (k0 + k)))); },
        [&](std::uint64_t k) { return load_be<double>(values + 8 * (k0 + k)); },
        [&](std::uint64_t s, std::uint64_t a) { return s < dm.owned ? r[s * A + a] : 0.0; }, [](std::uint64_t, std::uint64_t) {}, file,
        "P column indices");
    d.discount = *discount;
    try {
        // The builder's checks (probabilities finite, >= 0, summing to 1; rewards finite) on the block.
        dm.local = build_from_arrays(std::move(d), file, {"P rows", "P row lengths", "P column indices", "P values", "R", "P"}, o.build);
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (in the block of states {}..{}, entries from {}: indices are relative to it)", e.message(),
                                     dm.first, last - 1, k0),
                         e.location());
    }
    dm.name = dm.local.name();
    dm.discount = *discount;
    dm.num_states = S;
    dm.num_actions = A;
    dm.num_transitions = nnz;
    dm.initial.resize(dm.owned);
    for (std::size_t s = 0; s < dm.owned; ++s) dm.initial[s] = p0 ? load_be<double>(p0 + 8 * (dm.first + s)) : 1.0 / static_cast<double>(S);
    if (p0)  // finite and >= 0 here; the sum over all ranks is checked after the load (global_checks)
        for (std::size_t s = 0; s < dm.owned; ++s)
            if (!std::isfinite(dm.initial[s]) || dm.initial[s] < 0.0)
                binary_error(file, "p0", dm.first + s, fmt::format("{} is not a probability", dm.initial[s]));
}

// UMB (io/umb.hpp, read by the serial reader's UmbBlocks: the same checks and messages). Every rank
// maps the file, reads the offsets (8 bytes per state and per choice) and the choice actions (4 bytes
// per choice) to cut the blocks, then only its own states' branches, rewards, initial probabilities.
void load_umb(DistributedModel& dm, const std::string& file, const MappedFile& mapped, const LoadOptions& o) {
    if (is_gzip(mapped.text()) || is_xz(mapped.text()))
        throw UsageError(fmt::format("{}: a compressed UMB file would be decompressed whole by every rank; softmdp-mpi reads "
                                     "uncompressed UMB (decompress it first: gunzip or unxz)",
                                     file));
    const UmbBlocks umb(mapped.text(), file, o.build, false);
    const std::uint64_t S = umb.num_states();
    std::vector<std::uint64_t> weight_end(S);
    std::uint64_t w = 0;
    for (std::uint64_t s = 0; s < S; ++s) {
        const std::uint64_t c0 = umb.first_choice(s), c1 = umb.first_choice(s + 1);
        w += 1 + (c1 - c0) + (umb.first_branch(c1) - umb.first_branch(c0));
        weight_end[s] = w;
    }
    dm.partition = partition_of(dm.comm, weight_end, o);
    dm.first = dm.partition.first[static_cast<std::size_t>(dm.rank)];
    const std::size_t last = dm.partition.first[static_cast<std::size_t>(dm.rank) + 1];
    dm.owned = last - dm.first;
    ModelData d = umb.block(dm.first, last);  // successors: the file's state indices
    refuse_undiscounted(d.discount, file);
    dm.ghosts = collect_ghosts(d.transitions.size(), dm.first, last, [&](std::uint64_t k) { return d.transitions[k].next; });
    const LocalIndex local{dm.first, dm.owned, dm.ghosts};
    for (Transition& t : d.transitions) t.next = local(t.next);
    d.num_states = std::max<std::size_t>(1, dm.owned + dm.ghosts.size());  // an empty block: one padding state
    d.state_begin.resize(d.num_states + 1, d.state_begin.back());           // ghosts: no rows
    dm.initial = d.initial.empty() ? std::vector<double>(dm.owned, 1.0 / static_cast<double>(S)) : std::move(d.initial);
    for (std::size_t s = 0; s < dm.owned; ++s)  // the sum over all ranks is checked after the load
        if (!std::isfinite(dm.initial[s]) || dm.initial[s] < 0.0)
            binary_error(file, "annotations/softmdp/initial/states/values.bin", dm.first + s, fmt::format("{} is not a probability", dm.initial[s]));
    d.initial.clear();
    dm.state_names = std::move(d.state_names);
    d.state_names.clear();
    dm.name = d.name;
    dm.discount = d.discount;
    dm.num_states = S;
    dm.num_actions = d.num_actions;
    dm.num_transitions = umb.first_branch(umb.first_choice(S));
    dm.action_names = d.action_names;
    const std::uint64_t k0 = umb.first_branch(umb.first_choice(dm.first));
    try {
        // The builder's checks (probabilities finite, >= 0, summing to 1; rewards finite) on the block.
        dm.local = build_from_arrays(std::move(d), file, UmbBlocks::array_names(), o.build);
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (in the block of states {}..{}, entries from {}: indices are relative to it)", e.message(),
                                     dm.first, last - 1, k0),
                         e.location());
    }
}

}  // namespace

DistributedModel load_distributed(MPI_Comm comm, const std::string& file, const LoadOptions& options) {
    DistributedModel dm;
    dm.comm = comm;
    dm.rank = rank_of(comm);
    dm.ranks = size_of(comm);
    agree(comm, [&] {
        const MappedFile mapped(file, kModelFile);
        const ModelFormat format = detect_model_format(mapped.text());
        if (format == ModelFormat::petsc) {
            load_petsc(dm, file, mapped, options);
        } else if (format == ModelFormat::umb) {
            load_umb(dm, file, mapped, options);
        } else if (format == ModelFormat::softmdp) {
            load_json(dm, file, mapped, options);
        } else {
            throw UsageError(fmt::format("{}: softmdp-mpi reads softmdp/1 (JSON), PETSc binary and UMB models, not {}; convert it first "
                                         "(softmdp convert {} model.petsc)",
                                         file, model_format_name(format), file));
        }
    });
    // Collectives only after every rank has its block (a rank that failed above never gets here).
    unsigned long long succ = dm.local.max_successors();
    MPI_Allreduce(MPI_IN_PLACE, &succ, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm);
    dm.max_successors = succ;
    dm.max_abs_reward = dm.local.max_abs_reward();
    MPI_Allreduce(MPI_IN_PLACE, &dm.max_abs_reward, 1, MPI_DOUBLE, MPI_MAX, comm);
    double p0_sum = 0.0;
    for (double p : dm.initial) p0_sum += p;
    MPI_Allreduce(MPI_IN_PLACE, &p0_sum, 1, MPI_DOUBLE, MPI_SUM, comm);
    agree(comm, [&] {  // the same sum on every rank: all fail alike
        if (std::abs(p0_sum - 1.0) > 1e-6)
            binary_error(file, "p0", kNoIndex, fmt::format("sums to {}, not 1 (over all ranks)", p0_sum));
        dm.exchange = GhostExchange(comm, dm.partition, dm.ghosts);
    });
    return dm;
}

}  // namespace softmdp::distributed
