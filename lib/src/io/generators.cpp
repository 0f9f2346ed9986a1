#include "softmdp/io/generators.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/core/random.hpp"
#include "softmdp/io/npz.hpp"
#include "softmdp/io/petsc_binary.hpp"
#include "softmdp/io/umb.hpp"

namespace softmdp {

namespace {

void check_discount(double discount) {
    if (!(discount >= 0.0 && discount < 1.0)) throw UsageError(fmt::format("{} must be in [0, 1), got {}", param("discount"), discount));
}

void header(JsonWriter& w, const std::string& name, const std::string& description, double discount) {
    check_discount(discount);
    w.begin_object();
    w.key("format").value("softmdp/1");
    w.key("name").value(name);
    w.key("description").value(description);
    w.key("discount").value(discount);
}

void write_names(JsonWriter& w, const char* key, const std::vector<std::string>& list) {
    w.key(key).begin_array();
    for (const auto& n : list) w.value(n);
    w.end_array();
}

// One transition entry; successors merged when two moves land on the same cell.
void write_entry(JsonWriter& w, const std::string& s, const std::string& a, double r,
           const std::map<std::string, std::pair<double, double>>& next) {
    w.begin_object();
    w.key("s").value(s);
    w.key("a").value(a);
    if (r != 0.0) w.key("r").value(r);
    w.key("next").begin_array();
    for (const auto& [to, pr] : next) {
        w.begin_array().value(to).value(pr.first);
        if (pr.second != 0.0) w.value(pr.second);
        w.end_array();
    }
    w.end_array();
    w.end_object();
}

// Refuses a model whose file would not fit in disk_free bytes or which could not be loaded here.
// Both sizes are lower bounds (the shortest JSON entry; the CSR arrays and the per-state memory of
// a solve), so a refusal is always justified; computed in doubles, so that nothing wraps.
void check_size(double states, double rows, double successors, std::string_view options, std::uint64_t disk_free,
                double file_bytes_per_row = 30.0, double file_bytes_per_successor = 8.0) {
    const double file = file_bytes_per_row * rows + file_bytes_per_successor * successors;
    const double memory = static_cast<double>(ModelBuilder::kBytesPerState) * states + 20.0 * rows +
                          static_cast<double>(sizeof(Transition)) * successors;
    const double have = static_cast<double>(usable_memory());
    if (memory > have)
        throw UsageError(fmt::format("{} describe a model of {:.3g} states, {:.3g} state-action pairs and {:.3g} transitions: at "
                                     "least {} of memory to load, more than the {} available here",
                                     options, states, rows, successors, human_bytes(memory), human_bytes(have)));
    if (file > static_cast<double>(disk_free))
        throw UsageError(fmt::format("{} describe a file of at least {}, more than the {} free where {} goes", options,
                                     human_bytes(file), human_bytes(static_cast<double>(disk_free)), param("output")));
}

// file_bytes_per_row / _per_successor: the shortest entry of the format written (check_size).
void check_garnet(const GarnetSpec& g, std::uint64_t disk_free, double file_bytes_per_row, double file_bytes_per_successor) {
    if (g.states < 1 || g.actions < 1 || g.branching < 1) throw UsageError(fmt::format("{}, {} and {} must be >= 1", param("states"), param("actions"), param("branching")));
    if (g.branching > g.states) throw UsageError(fmt::format("{} {} exceeds {} {}", param("branching"), g.branching, param("states"), g.states));
    if (g.states > (1ULL << 31) - 1) throw UsageError(param("states") + " must be < 2^31");
    if (g.actions > (1ULL << 31) - 1) throw UsageError(param("actions") + " must be < 2^31");
    check_discount(g.discount);
    const double rows = static_cast<double>(g.states) * static_cast<double>(g.actions);
    check_size(static_cast<double>(g.states), rows, rows * static_cast<double>(g.branching), fmt::format("{}, {} and {}", param("states"), param("actions"), param("branching")),
               disk_free, file_bytes_per_row, file_bytes_per_successor);
}

std::string garnet_name(const GarnetSpec& g) { return fmt::format("garnet-{}-{}-{}-seed{}", g.states, g.actions, g.branching, g.seed); }

// Draws the Garnet row by row in the order of the file (s, then a): visit(s, a, successors,
// probabilities, r). Every writer runs this, so every format holds the same model for a seed.
template <class Visit>
void garnet_rows(const GarnetSpec& g, Visit visit, const GenerateProgress& progress = {}) {
    Rng rng(g.seed);
    std::vector<std::uint64_t> succ;
    std::vector<double> cuts(g.branching + 1), probs(g.branching);
    for (std::uint64_t s = 0; s < g.states; ++s) {
        for (std::uint64_t a = 0; a < g.actions; ++a) {
            // Floyd's algorithm: B distinct indices of [0, S).
            succ.clear();
            for (std::uint64_t j = g.states - g.branching; j < g.states; ++j) {
                const std::uint64_t t = rng.index(j + 1);
                succ.push_back(std::find(succ.begin(), succ.end(), t) == succ.end() ? t : j);
            }
            cuts[0] = 0.0;
            cuts[g.branching] = 1.0;
            for (std::uint64_t k = 1; k < g.branching; ++k) cuts[k] = rng.uniform();
            std::sort(cuts.begin() + 1, cuts.begin() + static_cast<std::ptrdiff_t>(g.branching));
            for (std::uint64_t k = 0; k < g.branching; ++k) probs[k] = cuts[k + 1] - cuts[k];
            visit(s, a, succ, probs, rng.uniform());
        }
        if (progress) progress(s + 1, g.states);
    }
}

}  // namespace

void write_garnet(JsonWriter& w, const GarnetSpec& g, const GenerateProgress& progress, std::uint64_t disk_free) {
    check_garnet(g, disk_free, 30.0, 8.0);
    header(w, garnet_name(g), "Garnet: B distinct uniform successors, Dirichlet(1) probabilities, uniform [0,1) rewards", g.discount);
    w.key("states").value(g.states);
    w.key("actions").value(g.actions);
    w.key("transitions").begin_array();
    garnet_rows(
        g,
        [&](std::uint64_t s, std::uint64_t a, const std::vector<std::uint64_t>& succ, const std::vector<double>& probs, double r) {
            w.begin_object();
            w.key("s").value(s);
            w.key("a").value(a);
            w.key("r").value(r);
            w.key("next").begin_array();
            for (std::uint64_t k = 0; k < g.branching; ++k) w.begin_array().value(succ[k]).value(probs[k]).end_array();
            w.end_array();
            w.end_object();
        },
        progress);
    w.end_array();
    w.end_object();
}

ModelStream garnet_stream(const GarnetSpec& g, const GenerateProgress& progress) {
    ModelStream m;
    m.name = garnet_name(g);
    m.discount = g.discount;
    m.states = g.states;
    m.actions = g.actions;
    m.successors = g.branching;
    m.rows = [g](const ModelStream::Row& row, const std::function<void(std::uint64_t)>& state_done) {
        garnet_rows(
            g, [&](std::uint64_t s, std::uint64_t a, const std::vector<std::uint64_t>& succ, const std::vector<double>& probs, double r) { row(s, a, succ, probs, r); },
            [&](std::uint64_t done, std::uint64_t) { state_done(done); });
    };
    m.progress = progress;
    return m;
}

void write_garnet_binary(ByteSink& out, const GarnetSpec& g, ModelFormat format, const GenerateProgress& progress,
                         std::uint64_t disk_free) {
    // Bytes per choice and per branch of each layout (for the disk check): UMB 8 + 4 + 8 (offset,
    // action, reward) and 8 + 8 (target, probability); PETSc 4 + 4 + 8 (P's row length, R's column
    // and value) and 4 + 8; npz 8 + 8 (indptr, rewards) and 4 + 8.
    switch (format) {
        case ModelFormat::umb: check_garnet(g, disk_free, 20.0, 16.0); return write_umb(out, garnet_stream(g, progress));
        case ModelFormat::petsc: check_garnet(g, disk_free, 16.0, 12.0); return write_petsc_binary(out, garnet_stream(g, progress));
        case ModelFormat::npz: check_garnet(g, disk_free, 16.0, 12.0); return write_npz(out, garnet_stream(g, progress));
        case ModelFormat::softmdp: break;
    }
    throw UsageError("write_garnet_binary: the format must be umb, petsc or npz");
}

void write_gridworld(JsonWriter& w, const GridworldSpec& g, const GenerateProgress& progress, std::uint64_t disk_free) {
    // W x H in doubles: the product of two 64-bit sizes wraps (2^32 x 2^32 would be 0 cells).
    const double cells = static_cast<double>(g.width) * static_cast<double>(g.height);
    if (g.width < 1 || g.height < 1 || cells < 2.0) throw UsageError(param("size") + " needs at least 2 cells");
    if (cells > 1e8) throw UsageError(param("size") + ": at most 10^8 cells");
    check_size(cells, 4.0 * cells, 12.0 * cells, param("size"), disk_free);
    if (!(g.slip >= 0.0 && g.slip <= 1.0)) throw UsageError(fmt::format("{} must be in [0, 1], got {}", param("slip"), g.slip));
    header(w, fmt::format("gridworld-{}x{}", g.width, g.height),
           fmt::format("{}x{} grid, slip {}, -1 per step, goal bottom-right", g.width, g.height, g.slip), g.discount);
    const auto cell = [&](std::uint64_t x, std::uint64_t y) { return fmt::format("x{}y{}", x, y); };
    w.key("grid").begin_object().key("rows").value(g.height).key("cols").value(g.width).end_object();
    w.key("states").begin_array();
    for (std::uint64_t y = 0; y < g.height; ++y)
        for (std::uint64_t x = 0; x < g.width; ++x) w.value(cell(x, y));
    w.end_array();
    const std::vector<std::string> acts{"up", "down", "left", "right"};
    write_names(w, "actions", acts);
    w.key("initial").begin_object().key(cell(0, 0)).value(1.0).end_object();
    w.key("transitions").begin_array();
    const int dx[4] = {0, 0, -1, 1}, dy[4] = {-1, 1, 0, 0};
    const int perp[4][2] = {{2, 3}, {2, 3}, {0, 1}, {0, 1}};
    for (std::uint64_t y = 0; y < g.height; ++y)
        for (std::uint64_t x = 0; x < g.width; ++x) {
            if (x == g.width - 1 && y == g.height - 1) continue;  // the goal is terminal
            for (int a = 0; a < 4; ++a) {
                std::map<std::string, std::pair<double, double>> next;
                const auto move = [&](int d, double p) {
                    if (p == 0.0) return;
                    const auto nx = static_cast<std::int64_t>(x) + dx[d], ny = static_cast<std::int64_t>(y) + dy[d];
                    const bool inside = nx >= 0 && ny >= 0 && nx < static_cast<std::int64_t>(g.width) && ny < static_cast<std::int64_t>(g.height);
                    next[inside ? cell(static_cast<std::uint64_t>(nx), static_cast<std::uint64_t>(ny)) : cell(x, y)].first += p;
                };
                move(a, 1.0 - g.slip);
                move(perp[a][0], g.slip / 2.0);
                move(perp[a][1], g.slip / 2.0);
                write_entry(w, cell(x, y), acts[static_cast<std::size_t>(a)], -1.0, next);
            }
            if (progress) progress(y * g.width + x + 1, g.width * g.height);
        }
    w.end_array();
    w.end_object();
}

void write_chain(JsonWriter& w, const ChainSpec& c, const GenerateProgress& progress, std::uint64_t disk_free) {
    if (c.states < 1 || c.states > (1ULL << 31) - 1) throw UsageError(param("states") + " must be in 1..2^31-1");
    check_size(static_cast<double>(c.states), 2.0 * static_cast<double>(c.states), 2.0 * static_cast<double>(c.states), param("states"),
               disk_free);
    header(w, fmt::format("chain-{}", c.states), "a line of states; right in the last state pays 1", c.discount);
    w.key("states").value(c.states);
    write_names(w, "actions", {"left", "right"});
    w.key("initial").begin_object().key("0").value(1.0).end_object();
    w.key("transitions").begin_array();
    for (std::uint64_t s = 0; s < c.states; ++s) {
        w.begin_object().key("s").value(s).key("a").value("left").key("next").begin_array();
        w.begin_array().value(s == 0 ? s : s - 1).value(1.0).end_array().end_array().end_object();
        w.begin_object().key("s").value(s).key("a").value("right");
        if (s + 1 == c.states) w.key("r").value(1.0);
        w.key("next").begin_array().begin_array().value(s + 1 == c.states ? s : s + 1).value(1.0).end_array().end_array().end_object();
        if (progress) progress(s + 1, c.states);
    }
    w.end_array();
    w.end_object();
}

std::vector<std::string> frozenlake_map(const std::string& name) {
    if (name == "4x4") return {"SFFF", "FHFH", "FFFH", "HFFG"};
    if (name == "8x8")
        return {"SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"};
    // Read as every input is: a stream that is no map (/dev/zero, `yes |`) fails at its first byte.
    const auto open = [&] {
        try {
            static const std::string what = "a map of S/F/H/G rows (or " + param("map") + " 4x4, 8x8)";
            return std::make_unique<MappedFile>(name, StreamStart{"SFHG", what});
        } catch (const IoError& e) {
            throw IoError(fmt::format("{} ({} takes 4x4, 8x8 or a file of S/F/H/G rows)", e.marked(), param("map")));
        }
    };
    const auto file = open();
    std::vector<std::string> rows;
    const std::string_view text = file->text();
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        if (end > at) rows.emplace_back(text.substr(at, end - at));
        at = end + 1;
    }
    std::size_t starts = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].size() != rows[0].size())
            throw InputError(fmt::format("row {} has {} cells, row 1 has {}", r + 1, rows[r].size(), rows[0].size()), Location{name, r + 1, {}, {}});
        for (char ch : rows[r]) {
            if (std::string("SFHG").find(ch) == std::string::npos)
                throw InputError(fmt::format("unknown cell '{}' (use S, F, H, G)", ch), Location{name, r + 1, {}, {}});
            starts += ch == 'S';
        }
    }
    if (rows.empty() || starts != 1) throw InputError("the map needs exactly one start cell S", Location{name, std::nullopt, {}, {}});
    return rows;
}

void write_frozenlake(JsonWriter& w, const FrozenLakeSpec& f, std::uint64_t disk_free) {
    const auto& map = f.map;
    const std::size_t rows = map.size(), cols = map[0].size();
    const double cells = static_cast<double>(rows) * static_cast<double>(cols);
    check_size(cells, 4.0 * cells, 12.0 * cells, param("map"), disk_free);
    header(w, fmt::format("frozenlake{}x{}", rows, cols), fmt::format("Gymnasium FrozenLake{}", f.slippery ? ", slippery" : ""), f.discount);
    const auto cell = [&](std::size_t r, std::size_t c) { return fmt::format("r{}c{}", r, c); };
    w.key("grid").begin_object().key("rows").value(static_cast<std::uint64_t>(rows)).key("cols").value(static_cast<std::uint64_t>(cols)).end_object();
    w.key("states").begin_array();
    std::string start;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            w.value(cell(r, c));
            if (map[r][c] == 'S') start = cell(r, c);
        }
    w.end_array();
    const std::vector<std::string> acts{"left", "down", "right", "up"};  // Gymnasium's 0..3
    write_names(w, "actions", acts);
    w.key("initial").begin_object().key(start).value(1.0).end_object();
    w.key("transitions").begin_array();
    const int dr[4] = {0, 1, 0, -1}, dc[4] = {-1, 0, 1, 0};
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            if (map[r][c] == 'H' || map[r][c] == 'G') continue;
            for (int a = 0; a < 4; ++a) {
                std::map<std::string, std::pair<double, double>> next;
                for (int d : f.slippery ? std::vector<int>{(a + 3) % 4, a, (a + 1) % 4} : std::vector<int>{a}) {
                    const auto nr = static_cast<std::size_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(r) + dr[d], 0, static_cast<std::int64_t>(rows) - 1));
                    const auto nc = static_cast<std::size_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(c) + dc[d], 0, static_cast<std::int64_t>(cols) - 1));
                    auto& slot = next[cell(nr, nc)];
                    slot.first += f.slippery ? 1.0 / 3.0 : 1.0;
                    slot.second = map[nr][nc] == 'G' ? 1.0 : 0.0;
                }
                write_entry(w, cell(r, c), acts[static_cast<std::size_t>(a)], 0.0, next);
            }
        }
    w.end_array();
    w.end_object();
}

}  // namespace softmdp
