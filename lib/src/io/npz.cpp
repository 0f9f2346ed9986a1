#include "softmdp/io/npz.hpp"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <vector>

#include "softmdp/core/errors.hpp"

namespace softmdp {

namespace {

constexpr std::uint32_t kLocal = 0x04034b50, kCentral = 0x02014b50, kEnd = 0x06054b50, kEnd64 = 0x06064b50, kLocator64 = 0x07064b50;
constexpr std::uint32_t k32 = 0xffffffff;

// ---- zip -----------------------------------------------------------------------------------

// The members of a zip as name -> bytes: stored members are views into `zip`, compressed ones are
// inflated into `owned`.
std::map<std::string, std::string_view> zip_members(std::string_view zip, const std::string& source, std::vector<std::string>& owned) {
    const auto fail = [&](const std::string& m) { binary_error(source, "zip", kNoIndex, m); };
    if (zip.size() < 22) fail("truncated: too short for a zip's end record");
    std::uint64_t end = zip.size() - 22;
    const std::uint64_t stop = zip.size() > 22 + 65535 ? zip.size() - 22 - 65535 : 0;
    while (load_le<std::uint32_t>(zip.data() + end) != kEnd) {
        if (end == stop) fail("no end-of-central-directory record: not a zip, or truncated");
        --end;
    }
    std::uint64_t entries = load_le<std::uint16_t>(zip.data() + end + 10);
    std::uint64_t cd_size = load_le<std::uint32_t>(zip.data() + end + 12);
    std::uint64_t cd = load_le<std::uint32_t>(zip.data() + end + 16);
    if (entries == 0xffff || cd == k32 || cd_size == k32) {  // zip64
        if (end < 20 || load_le<std::uint32_t>(zip.data() + end - 20) != kLocator64) fail("zip64 sizes without a zip64 locator");
        const std::uint64_t e64 = load_le<std::uint64_t>(zip.data() + end - 20 + 8);
        if (zip.size() < 56 || e64 > zip.size() - 56 || load_le<std::uint32_t>(zip.data() + e64) != kEnd64) fail("zip64 end record out of range");
        entries = load_le<std::uint64_t>(zip.data() + e64 + 32);
        cd_size = load_le<std::uint64_t>(zip.data() + e64 + 40);
        cd = load_le<std::uint64_t>(zip.data() + e64 + 48);
    }
    if (cd > zip.size() || cd_size > zip.size() - cd) fail(fmt::format("central directory (offset {}, {} bytes) out of range", cd, cd_size));
    std::map<std::string, std::string_view> members;
    std::uint64_t at = cd;
    for (std::uint64_t i = 0; i < entries; ++i) {
        if (cd + cd_size - at < 46 || load_le<std::uint32_t>(zip.data() + at) != kCentral) fail(fmt::format("central directory entry {} is corrupt", i));
        const char* h = zip.data() + at;
        const auto flags = load_le<std::uint16_t>(h + 8), method = load_le<std::uint16_t>(h + 10);
        std::uint64_t csize = load_le<std::uint32_t>(h + 20), usize = load_le<std::uint32_t>(h + 24);
        const std::uint64_t name_len = load_le<std::uint16_t>(h + 28), extra_len = load_le<std::uint16_t>(h + 30),
                            comment_len = load_le<std::uint16_t>(h + 32);
        std::uint64_t local = load_le<std::uint32_t>(h + 42);
        if (cd + cd_size - at < 46 + name_len + extra_len + comment_len) fail(fmt::format("central directory entry {} is truncated", i));
        const std::string name(h + 46, name_len);
        // zip64 extra field: the 64-bit values of the fields that hold 0xffffffff, in this order.
        for (std::uint64_t x = 0; x + 4 <= extra_len;) {
            const char* e = h + 46 + name_len + x;
            const auto id = load_le<std::uint16_t>(e), len = load_le<std::uint16_t>(e + 2);
            if (x + 4 + len > extra_len) break;
            if (id == 1) {
                std::uint64_t k = 0;
                for (std::uint64_t* f : {&usize, &csize, &local})
                    if (*f == k32 && k + 8 <= len) {
                        *f = load_le<std::uint64_t>(e + 4 + k);
                        k += 8;
                    }
            }
            x += 4 + len;
        }
        at += 46 + name_len + extra_len + comment_len;
        if (flags & 1) binary_error(source, name, kNoIndex, "the member is encrypted");
        if (local > zip.size() || zip.size() - local < 30 || load_le<std::uint32_t>(zip.data() + local) != kLocal)
            binary_error(source, name, kNoIndex, fmt::format("local header offset {} out of range or corrupt", local));
        const std::uint64_t data = local + 30 + load_le<std::uint16_t>(zip.data() + local + 26) + load_le<std::uint16_t>(zip.data() + local + 28);
        if (data > zip.size() || csize > zip.size() - data)
            binary_error(source, name, kNoIndex, fmt::format("truncated: {} bytes from offset {}, but the file has {}", csize, data, zip.size()));
        std::string_view bytes = zip.substr(data, csize);
        if (method == 8) {
            owned.push_back(inflate_raw(bytes, usize, source, name));
            bytes = owned.back();
        } else if (method != 0) {
            binary_error(source, name, kNoIndex, fmt::format("compression method {}: softmdp reads stored (0) and DEFLATE (8) members", method));
        } else if (usize != csize) {
            binary_error(source, name, kNoIndex, "a stored member whose sizes differ");
        }
        members[name] = bytes;
    }
    return members;
}

// ---- npy -----------------------------------------------------------------------------------

struct Npy {
    std::string name;
    char kind = 0;       // 'f', 'i', 'u', 'U' (unicode), 'S' (bytes)
    std::size_t width = 0;
    std::vector<std::uint64_t> shape;
    bool fortran = false;
    const char* data = nullptr;
    std::uint64_t count = 1;
    double f(std::uint64_t k) const { return load_le<double>(data + 8 * k); }
    std::int64_t i(std::uint64_t k) const {
        const char* p = data + width * k;
        if (kind == 'i') return width == 4 ? load_le<std::int32_t>(p) : load_le<std::int64_t>(p);
        const std::uint64_t u = width == 4 ? load_le<std::uint32_t>(p) : load_le<std::uint64_t>(p);
        return u > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(u);
    }
};

Npy parse_npy(std::string_view b, const std::string& name, const std::string& source) {
    const auto fail = [&](const std::string& m) { binary_error(source, name, kNoIndex, m); };
    if (b.size() < 10 || b.substr(0, 6) != std::string_view("\x93NUMPY", 6)) fail("not a .npy array (no \\x93NUMPY magic)");
    const int major = static_cast<unsigned char>(b[6]);
    std::uint64_t hlen = 0, start = 0;
    if (major == 1) {
        hlen = load_le<std::uint16_t>(b.data() + 8);
        start = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) fail("truncated .npy header");
        hlen = load_le<std::uint32_t>(b.data() + 8);
        start = 12;
    } else {
        fail(fmt::format(".npy version {} is not supported (1, 2, 3)", major));
    }
    if (hlen > b.size() - start) fail("truncated .npy header");
    const std::string_view h = b.substr(start, hlen);
    const auto value_of = [&](std::string_view key) -> std::string_view {
        const auto k = h.find(key);
        if (k == std::string_view::npos) fail(fmt::format("the .npy header has no {}", key));
        auto v = h.find(':', k + key.size());
        if (v == std::string_view::npos) fail("malformed .npy header");
        ++v;
        while (v < h.size() && h[v] == ' ') ++v;
        return h.substr(v);
    };
    Npy a;
    a.name = name;
    const std::string_view descr = value_of("'descr'");
    if (descr.size() < 2 || descr[0] != '\'') fail("malformed descr in the .npy header");
    const std::string_view type = descr.substr(1, descr.find('\'', 1) - 1);
    if (type.size() < 3 || (type[0] != '<' && type[0] != '|' && type[0] != '='))
        fail(fmt::format("dtype '{}': softmdp reads little-endian arrays", type));
    a.kind = type[1];
    a.width = 0;
    for (char c : type.substr(2)) {
        if (c < '0' || c > '9' || a.width > 1000) fail(fmt::format("dtype '{}' is not supported", type));
        a.width = a.width * 10 + static_cast<std::size_t>(c - '0');
    }
    if (a.kind == 'U') a.width *= 4;
    a.fortran = value_of("'fortran_order'").substr(0, 4) == "True";
    std::string_view shape = value_of("'shape'");
    if (shape.empty() || shape[0] != '(') fail("malformed shape in the .npy header");
    shape = shape.substr(1, shape.find(')') == std::string_view::npos ? 0 : shape.find(')') - 1);
    long double total = 1;
    for (std::size_t i = 0; i < shape.size();) {
        while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
        if (i == shape.size()) break;
        std::uint64_t n = 0;
        bool any = false;
        while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9') {
            if (n > UINT64_MAX / 10 - 10) fail("shape too large");
            n = n * 10 + static_cast<std::uint64_t>(shape[i++] - '0');
            any = true;
        }
        if (!any) fail("malformed shape in the .npy header");
        a.shape.push_back(n);
        total *= static_cast<long double>(n);
    }
    const std::uint64_t data = start + hlen;
    if (total * static_cast<long double>(a.width) > static_cast<long double>(b.size() - data))
        fail(fmt::format("truncated: shape ({}) of {}-byte items needs more than the {} bytes left", fmt::join(a.shape, ", "), a.width, b.size() - data));
    a.count = static_cast<std::uint64_t>(total);
    a.data = b.data() + data;
    return a;
}

class NpzReader {
public:
    NpzReader(std::string_view b, const std::string& source) : source_(source), members_(zip_members(b, source, owned_)) {}
    bool has(const std::string& key) const { return members_.count(key + ".npy") > 0; }
    Npy get(const std::string& key) const {
        const auto it = members_.find(key + ".npy");
        if (it == members_.end()) binary_error(source_, key, kNoIndex, "missing: the .npz has no such array");
        return parse_npy(it->second, key, source_);
    }

private:
    std::string source_;
    std::vector<std::string> owned_;
    std::map<std::string, std::string_view> members_;
};

void require_npy(const Npy& a, std::string_view kinds, std::initializer_list<std::size_t> widths, const std::string& source) {
    bool width_ok = false;
    for (std::size_t w : widths) width_ok |= a.width == w;
    if (kinds.find(a.kind) == std::string_view::npos || !width_ok)
        binary_error(source, a.name, kNoIndex,
                     fmt::format("dtype {}{} is not allowed here ({})", a.kind, a.width, kinds == "f" ? "float64" : "int32, int64, uint32 or uint64"));
}

// ---- writing -------------------------------------------------------------------------------

struct ZipMember {
    std::string name;
    std::function<void(ByteSink&)> emit;
};

// A .npy header for `descr` and `shape`, padded so the data starts at a multiple of 64 bytes.
std::string npy_header(const std::string& descr, const std::string& shape) {
    std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape);
    const std::size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - 10 - dict.size() - 1, ' ');
    dict += '\n';
    std::string h("\x93NUMPY\x01\x00", 8);
    h += static_cast<char>(dict.size() & 0xff);
    h += static_cast<char>(dict.size() >> 8);
    return h + dict;
}

void write_zip(ByteSink& out, const std::vector<ZipMember>& members) {
    struct Entry {
        std::uint64_t offset, size;
        std::uint32_t crc;
    };
    std::vector<Entry> entries;
    std::uint64_t at = 0;
    const auto put_sizes = [&](ByteSink& o, bool big, std::uint64_t size) {
        o.le<std::uint32_t>(big ? k32 : static_cast<std::uint32_t>(size));
        o.le<std::uint32_t>(big ? k32 : static_cast<std::uint32_t>(size));
    };
    for (const auto& m : members) {
        CountSink c;
        c.with_crc = true;
        m.emit(c);  // first pass: size and CRC-32, so the local header can precede the data
        const bool big = c.size >= k32;
        const std::string name = m.name + ".npy";
        entries.push_back({at, c.size, c.crc});
        CountSink header;
        TeeSink o(out, header);
        o.le(kLocal);
        o.le<std::uint16_t>(big ? 45 : 20);
        o.le<std::uint16_t>(0);  // flags
        o.le<std::uint16_t>(0);  // stored
        o.le<std::uint16_t>(0);  // time
        o.le<std::uint16_t>(0x21);  // date 1980-01-01
        o.le(c.crc);
        put_sizes(o, big, c.size);
        o.le<std::uint16_t>(static_cast<std::uint16_t>(name.size()));
        o.le<std::uint16_t>(big ? 20 : 0);
        o.write(name.data(), name.size());
        if (big) {
            o.le<std::uint16_t>(1);
            o.le<std::uint16_t>(16);
            o.le(c.size);
            o.le(c.size);
        }
        m.emit(out);
        at += header.size + c.size;
    }
    const std::uint64_t cd = at;
    CountSink cd_bytes;
    TeeSink o(out, cd_bytes);
    for (std::size_t i = 0; i < members.size(); ++i) {
        const Entry& e = entries[i];
        const std::string name = members[i].name + ".npy";
        const bool big = e.size >= k32, far = e.offset >= k32;
        const std::uint16_t extra = (big || far) ? static_cast<std::uint16_t>(4 + (big ? 16 : 0) + (far ? 8 : 0)) : 0;
        o.le(kCentral);
        o.le<std::uint16_t>(45);  // made by
        o.le<std::uint16_t>(extra ? 45 : 20);
        o.le<std::uint16_t>(0);
        o.le<std::uint16_t>(0);
        o.le<std::uint16_t>(0);
        o.le<std::uint16_t>(0x21);
        o.le(e.crc);
        put_sizes(o, big, e.size);
        o.le<std::uint16_t>(static_cast<std::uint16_t>(name.size()));
        o.le<std::uint16_t>(extra);
        o.le<std::uint16_t>(0);  // comment
        o.le<std::uint16_t>(0);  // disk
        o.le<std::uint16_t>(0);  // internal attributes
        o.le<std::uint32_t>(0644U << 16);
        o.le<std::uint32_t>(far ? k32 : static_cast<std::uint32_t>(e.offset));
        o.write(name.data(), name.size());
        if (extra) {
            o.le<std::uint16_t>(1);
            o.le<std::uint16_t>(static_cast<std::uint16_t>(extra - 4));
            if (big) {
                o.le(e.size);
                o.le(e.size);
            }
            if (far) o.le(e.offset);
        }
    }
    const std::uint64_t cd_size = cd_bytes.size, end64 = cd + cd_size;
    const bool zip64 = cd >= k32 || cd_size >= k32;
    if (zip64) {
        out.le(kEnd64);
        out.le<std::uint64_t>(44);
        out.le<std::uint16_t>(45);
        out.le<std::uint16_t>(45);
        out.le<std::uint32_t>(0);
        out.le<std::uint32_t>(0);
        out.le<std::uint64_t>(members.size());
        out.le<std::uint64_t>(members.size());
        out.le(cd_size);
        out.le(cd);
        out.le(kLocator64);
        out.le<std::uint32_t>(0);
        out.le(end64);
        out.le<std::uint32_t>(1);
    }
    out.le(kEnd);
    out.le<std::uint16_t>(0);
    out.le<std::uint16_t>(0);
    out.le<std::uint16_t>(static_cast<std::uint16_t>(members.size()));
    out.le<std::uint16_t>(static_cast<std::uint16_t>(members.size()));
    out.le<std::uint32_t>(zip64 ? k32 : static_cast<std::uint32_t>(cd_size));
    out.le<std::uint32_t>(zip64 ? k32 : static_cast<std::uint32_t>(cd));
    out.le<std::uint16_t>(0);
}

}  // namespace

bool is_zip(std::string_view b) noexcept { return b.size() >= 4 && b.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

Model read_npz(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done) {
    const NpzReader f(bytes, source);
    if (f.has("format")) {
        const Npy fmt_ = f.get("format");
        std::string text;
        for (std::uint64_t k = 0; k < fmt_.count * fmt_.width; k += fmt_.kind == 'U' ? 4 : 1)
            if (fmt_.data[k]) text += fmt_.data[k];
        if ((fmt_.kind != 'U' && fmt_.kind != 'S') || text != "csr")
            binary_error(source, "format", kNoIndex, fmt::format("P must be a CSR matrix (format 'csr'), got '{}'", text));
    }
    const Npy shape = f.get("shape"), indptr = f.get("indptr"), indices = f.get("indices"), data = f.get("data"), rewards = f.get("rewards");
    require_npy(shape, "iu", {4, 8}, source);
    require_npy(indptr, "iu", {4, 8}, source);
    require_npy(indices, "iu", {4, 8}, source);
    require_npy(data, "f", {8}, source);
    require_npy(rewards, "f", {8}, source);
    if (shape.count != 2 || shape.i(0) <= 0 || shape.i(1) <= 0)
        binary_error(source, "shape", kNoIndex, "must hold two positive numbers: (S*A, S)");
    const auto rows = static_cast<std::uint64_t>(shape.i(0)), S = static_cast<std::uint64_t>(shape.i(1));
    if (rows % S != 0) binary_error(source, "shape", kNoIndex, fmt::format("P has {} rows, not a multiple of its {} columns (states): rows are s*A + a", rows, S));
    const std::uint64_t A = rows / S, nnz = data.count;
    check_model_size(source, S, A, rows, nnz);
    if (indptr.count != rows + 1) binary_error(source, "indptr", kNoIndex, fmt::format("has {} entries, not rows + 1 = {}", indptr.count, rows + 1));
    if (indices.count != nnz) binary_error(source, "indices", kNoIndex, fmt::format("has {} entries, but data has {}", indices.count, nnz));
    if (rewards.count != S * A || !(rewards.shape.size() == 1 || (rewards.shape.size() == 2 && rewards.shape[0] == S)))
        binary_error(source, "rewards", kNoIndex, fmt::format("must have shape ({}, {}) or ({},)", S, A, S * A));
    if (indptr.i(0) != 0) binary_error(source, "indptr", 0, fmt::format("is {}, must be 0", indptr.i(0)));
    for (std::uint64_t i = 1; i <= rows; ++i) {
        const std::int64_t prev = indptr.i(i - 1), cur = indptr.i(i);
        if (cur < prev) binary_error(source, "indptr", i, fmt::format("offsets must not decrease: {} after {}", cur, prev));
        if (static_cast<std::uint64_t>(cur) > nnz) binary_error(source, "indptr", i, fmt::format("offset {} is past the {} entries of data", cur, nnz));
    }
    if (static_cast<std::uint64_t>(indptr.i(rows)) != nnz) binary_error(source, "indptr", rows, fmt::format("is {}, not the {} entries of data", indptr.i(rows), nnz));
    const bool transposed = rewards.fortran && rewards.shape.size() == 2;
    ModelData d = matrix_model(
        S, A, nnz, [&](std::uint64_t i) { return static_cast<std::uint64_t>(indptr.i(i + 1)); }, [&](std::uint64_t k) { return indices.i(k); },
        [&](std::uint64_t k) { return data.f(k); }, [&](std::uint64_t s, std::uint64_t a) { return rewards.f(transposed ? a * S + s : s * A + a); },
        [&](std::uint64_t from, std::uint64_t to) {
            if (!done) return;
            done(std::string_view(indices.data + indices.width * from, indices.width * (to - from)));
            done(std::string_view(data.data + 8 * from, 8 * (to - from)));
        },
        source, "indices");
    if (f.has("discount")) {
        const Npy g = f.get("discount");
        require_npy(g, "f", {8}, source);
        if (g.count != 1) binary_error(source, "discount", kNoIndex, "must hold one number");
        d.discount = g.f(0);
    } else if (options.discount) {
        d.discount = *options.discount;
    } else {
        throw UsageError(fmt::format("{}: the .npz has no 'discount' array: give {} G", source, param("discount")));
    }
    if (f.has("initial")) {
        const Npy p0 = f.get("initial");
        require_npy(p0, "f", {8}, source);
        d.initial.resize(p0.count);
        for (std::uint64_t s = 0; s < p0.count; ++s) d.initial[s] = p0.f(s);
    }
    return build_from_arrays(std::move(d), source, {"indptr", "indptr", "indices", "data", "rewards", "indices"}, options);
}

namespace {

// A member holding one .npy array: its header, then `body`'s bytes.
ZipMember npy_array(std::string name, const std::string& descr, const std::string& shape, std::function<void(ByteSink&)> body) {
    return ZipMember{std::move(name), [h = npy_header(descr, shape), body = std::move(body)](ByteSink& o) {
                      o.write(h.data(), h.size());
                      body(o);
                  }};
}

// The members after P's arrays: shape, format, rewards (S x A, values from `rewards`), discount,
// initial (from `initial`).
void add_tail(std::vector<ZipMember>& members, std::uint64_t S, std::uint64_t A, double discount,
              std::function<void(ByteSink&)> rewards, std::function<void(ByteSink&)> initial) {
    members.push_back(npy_array("shape", "<i8", "(2,)", [=](ByteSink& o) {
        o.le(static_cast<std::int64_t>(S * A));
        o.le(static_cast<std::int64_t>(S));
    }));
    members.push_back(npy_array("format", "<U3", "()", [](ByteSink& o) {
        for (char c : std::string("csr")) o.le(static_cast<std::uint32_t>(c));
    }));
    members.push_back(npy_array("rewards", "<f8", fmt::format("({}, {})", S, A), std::move(rewards)));
    members.push_back(npy_array("discount", "<f8", "()", [=](ByteSink& o) { o.le(discount); }));
    members.push_back(npy_array("initial", "<f8", fmt::format("({},)", S), std::move(initial)));
}

}  // namespace

void write_npz(ByteSink& out, const Model& m) {
    const ModelData& d = m.data();
    const std::uint64_t S = m.num_states(), A = m.num_actions(), T = m.num_transitions();
    std::vector<ZipMember> members;
    // indptr: an empty row (a not available in s) ends where the previous row ends.
    members.push_back(npy_array("indptr", "<i8", fmt::format("({},)", S * A + 1), [&](ByteSink& o) {
        std::int64_t end = 0;
        o.le(end);
        for_each_pair(m, [&](std::uint64_t, std::uint64_t, Offset r) {
            if (r < m.num_rows()) end = static_cast<std::int64_t>(d.row_begin[r + 1]);
            o.le(end);
        });
    }));
    members.push_back(npy_array("indices", "<i4", fmt::format("({},)", T), [&](ByteSink& o) {
        for (const Transition& t : d.transitions) o.le(static_cast<std::int32_t>(t.next));
    }));
    members.push_back(npy_array("data", "<f8", fmt::format("({},)", T), [&](ByteSink& o) {
        for (const Transition& t : d.transitions) o.le(t.prob());
    }));
    add_tail(
        members, S, A, m.discount(),
        [&](ByteSink& o) { for_each_pair(m, [&](std::uint64_t, std::uint64_t, Offset r) { o.le(r < m.num_rows() ? d.row_reward[r] : 0.0); }); },
        [&](ByteSink& o) {
            for (double p : d.initial) o.le(p);
        });
    write_zip(out, members);
}

void write_npz(ByteSink& out, const ModelStream& g) {
    const std::uint64_t S = g.states, A = g.actions, T = g.transitions(), K = g.successors;
    // write_zip emits each member twice (its CRC-32 and size precede it): six passes in all.
    std::vector<ZipMember> members;
    members.push_back(npy_array("indptr", "<i8", fmt::format("({},)", S * A + 1), [=](ByteSink& o) {
        for (std::uint64_t c = 0; c <= S * A; ++c) o.le(static_cast<std::int64_t>(c * K));
    }));
    std::uint64_t pass = 0;
    members.push_back(npy_array("indices", "<i4", fmt::format("({},)", T), [&](ByteSink& o) {
        g.pass([&](auto, auto, std::span<const std::uint64_t> next, auto, double) { for (std::uint64_t t : next) o.le(static_cast<std::int32_t>(t)); }, pass++, 6);
    }));
    members.push_back(npy_array("data", "<f8", fmt::format("({},)", T), [&](ByteSink& o) {
        g.pass([&](auto, auto, auto, std::span<const double> p, double) { for (double x : p) o.le(x); }, pass++, 6);
    }));
    add_tail(
        members, S, A, g.discount,
        [&](ByteSink& o) { g.pass([&](auto, auto, auto, auto, double r) { o.le(r); }, pass++, 6); },
        [S](ByteSink& o) {
            for (std::uint64_t s = 0; s < S; ++s) o.le(1.0 / static_cast<double>(S));
        });
    write_zip(out, members);
}

}  // namespace softmdp
