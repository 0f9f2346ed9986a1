#pragma once
// PETSc's binary matrix format as madupite reads it (PETSc MatLoad/MatView, VecLoad/VecView):
// big-endian int32 and float64; a matrix is class id 1211216, rows, columns, nonzeros, then the row
// lengths, the column indices and the values (nonzeros -1: a dense matrix, all values row by row);
// a vector is class id 1211214, its length and its values. Objects follow one another in one file.
// A softmdp PETSc model is one file holding, in order: P, the (S*A) x S transition matrix (row
// s*A + a; an empty row: a not available in s), R, the S x A reward matrix (rewards, not costs: negate
// madupite's MINCOST cost matrix), and optionally a vector [discount] and a vector p0 (the initial
// distribution). madupite's separate P and g files become one model with `cat P.bin g.bin`.
#include <string>
#include <string_view>

#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/model_stream.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp {

inline constexpr std::int32_t kPetscMatClassId = 1211216;
inline constexpr std::int32_t kPetscVecClassId = 1211214;

bool is_petsc_binary(std::string_view bytes) noexcept;

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
