#pragma once
// NumPy .npz models: a zip (members stored or DEFLATE-compressed, zip64 included) of .npy arrays
// (NumPy's format: magic, a dict header with descr, fortran_order and shape, then the data).
// softmdp's members are SciPy's CSR arrays of P over rows s*A + a (indptr, indices, data, shape, and
// format = "csr", so scipy.sparse.load_npz reads P itself; an empty row: a not available in s),
// rewards (S x A, or S*A), and optionally discount (a scalar) and initial (S). A Python user hands
// a model over with numpy.savez; see docs/formats.md.
#include <string>
#include <string_view>

#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/model_stream.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp {

bool is_zip(std::string_view bytes) noexcept;

// Reads the model (options.discount when there is no discount member, else UsageError asks for
// --discount). Throws InputError naming the member and index.
// `done` as for read_umb (stored members only: inflated ones are in memory of the reader's own).
Model read_npz(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done = {});

// Writes an uncompressed .npz (indptr int64, indices int32, data, shape, format, rewards S x A,
// discount, initial). Per-successor rewards are folded into rewards; names are not carried.
void write_npz(ByteSink& out, const Model& model);
// The same from a model stream (model_stream.hpp): six passes (each drawn member is emitted twice,
// for its CRC-32 and size, then its bytes).
void write_npz(ByteSink& out, const ModelStream& model);

}  // namespace softmdp
