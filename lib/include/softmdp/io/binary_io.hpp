#pragma once
// What the binary model formats (umb.hpp, petsc_binary.hpp, npz.hpp) share: fixed-width numbers in
// either byte order read from and written to bytes, byte sinks (a file, a counter, a CRC-32) so a
// writer can produce an array twice (once to learn its size or checksum, once to write it) instead of
// holding it in memory, gzip/xz decompression, and the error that names the file, array and index.
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "softmdp/core/model.hpp"

namespace softmdp {

// T with its bytes reversed.
template <class T>
T byteswap_value(T v) noexcept {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof v);
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
    std::memcpy(&v, b, sizeof v);
    return v;
}

// Loads a T stored at p in little-endian (or big-endian) byte order; p need not be aligned.
template <class T>
T load_le(const char* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = byteswap_value(v);
    return v;
}

template <class T>
T load_be(const char* p) noexcept {
    return byteswap_value(load_le<T>(p));
}

// Where a writer's bytes go.
class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual void write(const void* data, std::size_t n) = 0;
    template <class T>
    void le(T v) {
        if constexpr (std::endian::native == std::endian::big) v = byteswap_value(v);
        write(&v, sizeof v);
    }
    template <class T>
    void be(T v) {
        if constexpr (std::endian::native == std::endian::little) v = byteswap_value(v);
        write(&v, sizeof v);
    }
};

// Buffered writes to a stdio stream (an OutputFile's); throws IoError when a write fails.
class FileSink final : public ByteSink {
public:
    explicit FileSink(std::FILE* f) : f_(f) {}
    ~FileSink() override;
    void write(const void* data, std::size_t n) override;
    void flush();
    std::uint64_t written() const noexcept { return written_ + used_; }

private:
    std::FILE* f_;
    char buf_[1 << 16];
    std::size_t used_ = 0;
    std::uint64_t written_ = 0;
};

// Counts bytes and computes their CRC-32 (zip's checksum), writing nothing.
class CountSink final : public ByteSink {
public:
    void write(const void* data, std::size_t n) override;
    std::uint64_t size = 0;
    std::uint32_t crc = 0;
    bool with_crc = false;
};

// Writes to a sink and counts (checksums) the same bytes.
class TeeSink final : public ByteSink {
public:
    TeeSink(ByteSink& out, CountSink& count) : out_(out), count_(count) {}
    void write(const void* data, std::size_t n) override {
        out_.write(data, n);
        count_.write(data, n);
    }

private:
    ByteSink& out_;
    CountSink& count_;
};

// The decompressed content of a gzip (1F 8B) or xz (FD 37 7A 58 5A 00) stream; throws InputError
// naming `source` when it is truncated or corrupt.
bool is_gzip(std::string_view bytes) noexcept;
bool is_xz(std::string_view bytes) noexcept;
std::string decompress(std::string_view bytes, const std::string& source);

// Raw DEFLATE data (a zip member with method 8) of known decompressed size; throws InputError.
std::string inflate_raw(std::string_view bytes, std::uint64_t size, const std::string& source, const std::string& what);

// Receives the parts of a reader's input it no longer needs (see read_umb).
using DoneWith = std::function<void(std::string_view)>;

// The InputError of a binary reader: "FILE: field 'ARRAY[INDEX]': message" (index omitted when npos).
[[noreturn]] void binary_error(const std::string& source, const std::string& array, std::uint64_t index,
                               const std::string& message);
inline constexpr std::uint64_t kNoIndex = ~std::uint64_t{0};


// Sizes v to n elements, asking the kernel for transparent huge pages first: a reader fills
// hundreds of MB at once, and 4 KiB page faults were half of a UMB load's time (perf, 10^6 Garnet).
void advise_huge_pages(void* data, std::size_t bytes) noexcept;
template <class V>
void resize_huge(V& v, std::size_t n) {
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(typename V::value_type));
    v.resize(n);
}

// The matrix layout of PETSc binary and .npz models (madupite's): P is an (S*A) x S sparse matrix in
// CSR form whose row s*A + a holds p(.|s, a); a row without entries means that a is not available in
// s (softmdp has per-state action sets; a state with no available action is terminal). Rewards are
// an S x A matrix. `row_end(i)` is the end offset of row i (rows are consecutive from 0), index(k) and
// value(k) the k-th stored column and value, reward(s, a) the reward; all may be read straight from
// the file. Checks that the indices fit, then build_from_arrays checks the rest.
// done(from, to) is called after the entries [from, to) are converted (the caller may give their
// pages back).
template <class RowEnd, class Index, class Value, class Reward, class Done>
ModelData matrix_model(std::uint64_t S, std::uint64_t A, std::uint64_t nnz, RowEnd row_end, Index index, Value value, Reward reward,
                       Done done, const std::string& source, const std::string& index_name) {
    ModelData d;
    d.num_states = S;
    d.num_actions = A;
    d.state_begin.reserve(S + 1);
    d.state_begin.push_back(0);
    d.row_begin.push_back(0);
    std::uint64_t first = 0;
    for (std::uint64_t s = 0; s < S; ++s) {
        for (std::uint64_t a = 0; a < A; ++a) {
            const std::uint64_t last = row_end(s * A + a);  // checked by the caller: monotone, <= nnz
            if (last == first) continue;
            d.row_action.push_back(static_cast<std::uint32_t>(a));
            d.row_reward.push_back(reward(s, a));
            d.row_begin.push_back(last);
            first = last;
        }
        d.state_begin.push_back(d.row_action.size());
    }
    resize_huge(d.transitions, nnz);
    constexpr std::uint64_t kWindow = 1 << 20;
    for (std::uint64_t w = 0; w < nnz; w += kWindow) {
        const std::uint64_t end = std::min(nnz, w + kWindow);
        for (std::uint64_t k = w; k < end; ++k) {
            const auto j = index(k);
            if (j < 0 || static_cast<std::uint64_t>(j) >= S)
                binary_error(source, index_name, k, "column " + std::to_string(j) + " is out of range (there are " + std::to_string(S) + " states)");
            d.transitions[k] = Transition(static_cast<std::uint32_t>(j), value(k));
        }
        done(w, end);
    }
    return d;
}

// Calls f(s, a, row) for every pair of the matrix layout in row order s*A + a: row is the model's
// row of (s, a), or model.num_rows() when a is not available in s (an empty row of P).
template <class F>
void for_each_pair(const Model& m, F f) {
    const ModelData& d = m.data();
    for (std::uint64_t s = 0; s < m.num_states(); ++s) {
        Offset r = m.row_first(s);
        for (std::uint64_t a = 0; a < m.num_actions(); ++a) {
            const bool has = r < m.row_last(s) && d.row_action[r] == a;
            f(s, a, has ? r : m.num_rows());
            r += has;
        }
    }
}

}  // namespace softmdp
