#pragma once
// PETSc's binary matrix format as madupite reads it (PETSc MatLoad/MatView, VecLoad/VecView):
// big-endian int32 and float64; a matrix is class id 1211216, rows, columns, nonzeros, then the row
// lengths, the column indices and the values (nonzeros -1: a dense matrix, all values row by row);
// a vector is class id 1211214, its length and its values. Objects follow one another in one file.
// A softmdp PETSc model is one file holding, in order: P, the (S*A) x S transition matrix (row
// s*A + a; an empty row: a not available in s), R, the S x A reward matrix (rewards, not costs: negate
// madupite's MINCOST cost matrix), and optionally a vector [discount] and a vector p0 (the initial
// distribution). madupite's separate P and g files become one model with `cat P.bin g.bin`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/model_stream.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp {

inline constexpr std::int32_t kPetscMatClassId = 1211216;
inline constexpr std::int32_t kPetscVecClassId = 1211214;

bool is_petsc_binary(std::string_view bytes) noexcept;

// The pieces of the format, shared by read_petsc_binary and softmdp-mpi's block loader
// (lib/src/distributed), so both check a file alike and say the same about it.

// Reads PETSc objects one after another from a file's bytes, checking every size against the bytes
// left (InputError "truncated: ..." naming `what`). The bytes must outlive the reader.
class PetscReader {
public:
    PetscReader(std::string_view bytes, const std::string& source) : b_(bytes), source_(source) {}
    bool at_end() const noexcept { return at_ == b_.size(); }
    std::int32_t int32(const std::string& what);
    // Skips n items of `width` bytes, returning where they start.
    const char* block(std::uint64_t n, std::size_t width, const std::string& what);
    const std::string& source() const noexcept { return source_; }

private:
    std::string_view b_;
    std::string source_;
    std::uint64_t at_ = 0;
};

inline constexpr std::int32_t kPetscDense = -1;  // PETSc's MATRIX_BINARY_FORMAT_DENSE in the nonzeros field

// A matrix's header: class id checked, rows and cols >= 0; nonzeros as stored (kPetscDense: dense,
// other negatives left to the caller).
struct PetscMatHeader {
    std::uint64_t rows = 0, cols = 0;
    std::int32_t nonzeros = 0;
};
PetscMatHeader read_petsc_mat_header(PetscReader& in, const std::string& name);

// The body of a sparse (AIJ) matrix after its header (h.nonzeros >= 0): the row lengths, each checked
// in [0, cols] and their sum against h.nonzeros, kept as prefix sums; the big-endian column indices
// (int32) and values (float64) are left in place.
struct PetscAij {
    std::uint64_t nnz = 0;
    std::vector<std::uint64_t> row_end;  // prefix sums of the row lengths
    const char* columns = nullptr;
    const char* values = nullptr;
};
PetscAij read_petsc_aij(PetscReader& in, const std::string& name, const PetscMatHeader& h);

// The model's shape from P ((S*A) x S) and the reward matrix R (S x A) that must follow it: checks
// that R is there (call right after P's body), that neither is empty and that the sizes agree.
struct PetscModelShape {
    std::uint64_t states = 0, actions = 0;
};
void require_petsc_reward_matrix(const PetscReader& in);
PetscModelShape petsc_model_shape(const std::string& source, std::uint64_t p_rows, std::uint64_t p_cols, std::uint64_t r_rows,
                                  std::uint64_t r_cols);

// A vector of `expect` entries: class id and length checked; returns its big-endian float64 values,
// in place.
const char* read_petsc_vec(PetscReader& in, const std::string& name, std::uint64_t expect);

// Reads the model (options.discount when the file has no discount vector, else UsageError asks for
// --discount). Throws InputError naming the object (P, R, ...) and index.
// `done` as for read_umb.
Model read_petsc_binary(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done = {});

// Writes P, R, [discount] and p0. Throws UsageError when the model exceeds PETSc's 32-bit indices.
// Per-successor rewards are folded into R (expected rewards); names are not carried.
void write_petsc_binary(ByteSink& out, const Model& model);
// The same from a model stream (model_stream.hpp), in three passes (column indices, values, R).
void write_petsc_binary(ByteSink& out, const ModelStream& model);

}  // namespace softmdp
