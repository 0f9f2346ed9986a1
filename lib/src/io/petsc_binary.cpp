#include "softmdp/io/petsc_binary.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "softmdp/core/errors.hpp"

namespace softmdp {

std::int32_t PetscReader::int32(const std::string& what) {
    if (b_.size() - at_ < 4) binary_error(source_, what, kNoIndex, "truncated: the file ends inside the header");
    const auto v = load_be<std::int32_t>(b_.data() + at_);
    at_ += 4;
    return v;
}

const char* PetscReader::block(std::uint64_t n, std::size_t width, const std::string& what) {
    if (n > (b_.size() - at_) / width)
        binary_error(source_, what, kNoIndex,
                     fmt::format("truncated: {} entries of {} bytes announced, {} bytes left in the file", n, width, b_.size() - at_));
    const char* p = b_.data() + at_;
    at_ += n * width;
    return p;
}

PetscMatHeader read_petsc_mat_header(PetscReader& in, const std::string& name) {
    const std::int32_t id = in.int32(name);
    if (id != kPetscMatClassId)
        binary_error(in.source(), name, kNoIndex, fmt::format("expected a PETSc matrix (class id {}), got class id {}", kPetscMatClassId, id));
    const std::int32_t rows = in.int32(name), cols = in.int32(name), nz = in.int32(name);
    if (rows < 0 || cols < 0) binary_error(in.source(), name, kNoIndex, fmt::format("negative size {} x {}", rows, cols));
    return {static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols), nz};
}

PetscAij read_petsc_aij(PetscReader& in, const std::string& name, const PetscMatHeader& h) {
    PetscAij m;
    m.nnz = static_cast<std::uint64_t>(h.nonzeros);
    const char* lengths = in.block(h.rows, 4, name + " row lengths");
    m.row_end.resize(h.rows);
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < h.rows; ++i) {
        const auto len = load_be<std::int32_t>(lengths + 4 * i);
        if (len < 0 || static_cast<std::uint64_t>(len) > h.cols)
            binary_error(in.source(), name + " row lengths", i, fmt::format("row length {} is not in [0, {}]", len, h.cols));
        total += static_cast<std::uint64_t>(len);
        m.row_end[i] = total;
    }
    if (total != m.nnz)
        binary_error(in.source(), name + " row lengths", kNoIndex, fmt::format("sum to {}, but the header says {} nonzeros", total, m.nnz));
    m.columns = in.block(m.nnz, 4, name + " column indices");
    m.values = in.block(m.nnz, 8, name + " values");
    return m;
}

const char* read_petsc_vec(PetscReader& in, const std::string& name, std::uint64_t expect) {
    const std::int32_t id = in.int32(name);
    if (id != kPetscVecClassId)
        binary_error(in.source(), name, kNoIndex, fmt::format("expected a PETSc vector (class id {}), got class id {}", kPetscVecClassId, id));
    const std::int32_t n = in.int32(name);
    if (n < 0 || static_cast<std::uint64_t>(n) != expect)
        binary_error(in.source(), name, kNoIndex, fmt::format("has {} entries, expected {}", n, expect));
    return in.block(expect, 8, name);
}

namespace {

// A matrix read in place: its header, then its AIJ body or (dense) all its values row by row.
struct Mat {
    std::uint64_t rows = 0, cols = 0, nnz = 0;
    bool dense = false;
    const char* columns = nullptr;
    const char* values = nullptr;
    std::vector<std::uint64_t> row_end;  // prefix sums of the row lengths
};

Mat read_mat(PetscReader& in, const std::string& name) {
    const PetscMatHeader h = read_petsc_mat_header(in, name);
    Mat m;
    m.rows = h.rows;
    m.cols = h.cols;
    if (h.nonzeros == kPetscDense) {
        m.dense = true;
        m.nnz = m.rows * m.cols;
        m.values = in.block(m.nnz, 8, name + " values");
        return m;
    }
    if (h.nonzeros < 0) binary_error(in.source(), name, kNoIndex, fmt::format("negative number of nonzeros {}", h.nonzeros));
    PetscAij aij = read_petsc_aij(in, name, h);
    m.nnz = aij.nnz;
    m.row_end = std::move(aij.row_end);
    m.columns = aij.columns;
    m.values = aij.values;
    return m;
}

// Reads a vector of `expect` values into out (or leaves the reader untouched at the end of the file).
bool read_vec(PetscReader& in, const std::string& name, std::uint64_t expect, std::vector<double>& out) {
    if (in.at_end()) return false;
    const char* p = read_petsc_vec(in, name, expect);
    out.resize(expect);
    for (std::uint64_t i = 0; i < expect; ++i) out[i] = load_be<double>(p + 8 * i);
    return true;
}

}  // namespace

void require_petsc_reward_matrix(const PetscReader& in) {
    if (in.at_end())
        binary_error(in.source(), "R", kNoIndex,
                     "missing: the file holds only the transition matrix P; append the S x A reward matrix "
                     "(e.g. cat P.bin g.bin > model.petsc)");
}

PetscModelShape petsc_model_shape(const std::string& source, std::uint64_t p_rows, std::uint64_t p_cols, std::uint64_t r_rows,
                                  std::uint64_t r_cols) {
    const std::uint64_t S = p_cols, A = r_cols;
    if (S == 0 || A == 0) binary_error(source, "P", kNoIndex, fmt::format("empty model: P is {} x {}, R is {} x {}", p_rows, p_cols, r_rows, r_cols));
    if (r_rows != S) binary_error(source, "R", kNoIndex, fmt::format("has {} rows, but P has {} columns (states)", r_rows, S));
    if (p_rows != S * A) binary_error(source, "P", kNoIndex, fmt::format("has {} rows, not S*A = {}*{} = {}", p_rows, S, A, S * A));
    return {S, A};
}

bool is_petsc_binary(std::string_view b) noexcept {
    return b.size() >= 4 && (load_be<std::int32_t>(b.data()) == kPetscMatClassId);
}

Model read_petsc_binary(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done) {
    PetscReader in(bytes, source);
    const Mat P = read_mat(in, "P");
    if (P.dense) binary_error(source, "P", kNoIndex, "must be a sparse (AIJ) matrix, not dense");
    require_petsc_reward_matrix(in);
    const Mat R = read_mat(in, "R");
    const PetscModelShape shape = petsc_model_shape(source, P.rows, P.cols, R.rows, R.cols);
    const std::uint64_t S = shape.states, A = shape.actions;
    check_model_size(source, S, A, P.rows, P.nnz);
    // R as a dense S x A table (it is small next to P).
    std::vector<double> r(S * A, 0.0);
    if (R.dense) {
        for (std::uint64_t i = 0; i < S * A; ++i) r[i] = load_be<double>(R.values + 8 * i);
    } else {
        std::uint64_t k = 0;
        for (std::uint64_t s = 0; s < S; ++s)
            for (; k < R.row_end[s]; ++k) {
                const auto a = load_be<std::int32_t>(R.columns + 4 * k);
                if (a < 0 || static_cast<std::uint64_t>(a) >= A)
                    binary_error(source, "R column indices", k, fmt::format("column {} is out of range (there are {} actions)", a, A));
                r[s * A + static_cast<std::uint64_t>(a)] = load_be<double>(R.values + 8 * k);
            }
    }
    std::vector<double> discount, initial;
    ModelData d = matrix_model(
        S, A, P.nnz, [&](std::uint64_t i) { return P.row_end[i]; }, [&](std::uint64_t k) { return load_be<std::int32_t>(P.columns + 4 * k); },
        [&](std::uint64_t k) { return load_be<double>(P.values + 8 * k); }, [&](std::uint64_t s, std::uint64_t a) { return r[s * A + a]; },
        [&](std::uint64_t from, std::uint64_t to) {
            if (!done) return;
            done(std::string_view(P.columns + 4 * from, 4 * (to - from)));
            done(std::string_view(P.values + 8 * from, 8 * (to - from)));
        },
        source, "P column indices");
    if (read_vec(in, "discount", 1, discount)) {
        d.discount = discount[0];
        read_vec(in, "p0", S, d.initial);
        if (!in.at_end()) binary_error(source, "p0", kNoIndex, "unexpected bytes after the last object (P, R, discount, p0)");
    } else if (options.discount) {
        d.discount = *options.discount;
    } else {
        throw UsageError(fmt::format("{}: the PETSc file carries no discount (a vector after P and R): give {} G", source, param("discount")));
    }
    return build_from_arrays(std::move(d), source, {"P rows", "P row lengths", "P column indices", "P values", "R", "P"}, options);
}

namespace {

// Refuses sizes past PETSc's 32-bit indices before anything is written.
void check_petsc_sizes(std::uint64_t rows, std::uint64_t nonzeros) {
    constexpr std::uint64_t kMax = 0x7fffffff;
    if (rows > kMax || nonzeros > kMax)
        throw UsageError(fmt::format("the model is too large for PETSc's 32-bit indices: {} rows (S*A) and {} nonzeros, at most {} each",
                                     rows, nonzeros, kMax));
}

void mat_header(ByteSink& out, std::uint64_t rows, std::uint64_t cols, std::uint64_t nonzeros) {
    out.be(kPetscMatClassId);
    out.be(static_cast<std::int32_t>(rows));
    out.be(static_cast<std::int32_t>(cols));
    out.be(static_cast<std::int32_t>(nonzeros));
}

// R's header, row lengths and column indices: every entry stored (zeros too), so dense and AIJ
// loaders read it alike. Its S*A values follow, row by row.
void reward_matrix_structure(ByteSink& out, std::uint64_t S, std::uint64_t A) {
    mat_header(out, S, A, S * A);
    for (std::uint64_t s = 0; s < S; ++s) out.be(static_cast<std::int32_t>(A));
    for (std::uint64_t s = 0; s < S; ++s)
        for (std::uint64_t a = 0; a < A; ++a) out.be(static_cast<std::int32_t>(a));
}

void discount_vector(ByteSink& out, double discount) {
    out.be(kPetscVecClassId);
    out.be(std::int32_t{1});
    out.be(discount);
}

}  // namespace

void write_petsc_binary(ByteSink& out, const Model& m) {
    const ModelData& d = m.data();
    const std::uint64_t S = m.num_states(), A = m.num_actions(), T = m.num_transitions();
    check_petsc_sizes(S * A, T);
    // P: row s*A + a, empty where a is not available in s.
    mat_header(out, S * A, S, T);
    for_each_pair(m, [&](std::uint64_t, std::uint64_t, Offset r) {
        out.be(static_cast<std::int32_t>(r < m.num_rows() ? d.row_begin[r + 1] - d.row_begin[r] : 0));
    });
    for (const Transition& t : d.transitions) out.be(static_cast<std::int32_t>(t.next));
    for (const Transition& t : d.transitions) out.be(t.prob());
    reward_matrix_structure(out, S, A);
    for_each_pair(m, [&](std::uint64_t, std::uint64_t, Offset r) { out.be(r < m.num_rows() ? d.row_reward[r] : 0.0); });
    discount_vector(out, m.discount());
    out.be(kPetscVecClassId);
    out.be(static_cast<std::int32_t>(S));
    for (double p : d.initial) out.be(p);
}

void write_petsc_binary(ByteSink& out, const ModelStream& g) {
    const std::uint64_t S = g.states, A = g.actions, T = g.transitions();
    check_petsc_sizes(S * A, T);
    mat_header(out, S * A, S, T);
    for (std::uint64_t c = 0; c < S * A; ++c) out.be(static_cast<std::int32_t>(g.successors));
    g.pass([&](auto, auto, std::span<const std::uint64_t> next, auto, double) { for (std::uint64_t t : next) out.be(static_cast<std::int32_t>(t)); }, 0, 3);
    g.pass([&](auto, auto, auto, std::span<const double> p, double) { for (double x : p) out.be(x); }, 1, 3);
    reward_matrix_structure(out, S, A);
    g.pass([&](auto, auto, auto, auto, double r) { out.be(r); }, 2, 3);
    discount_vector(out, g.discount);
    // The uniform p0, as the model builder makes it.
    out.be(kPetscVecClassId);
    out.be(static_cast<std::int32_t>(S));
    for (std::uint64_t s = 0; s < S; ++s) out.be(1.0 / static_cast<double>(S));
}

}  // namespace softmdp
