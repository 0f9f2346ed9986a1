#include "softmdp/io/umb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <numeric>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "softmdp/core/errors.hpp"

namespace softmdp {

namespace {

using json = nlohmann::json;
constexpr std::size_t kBlock = 512;  // tar's block: headers and member data are aligned to it

// ---- tar -----------------------------------------------------------------------------------

// A tar size or number field: octal digits, or (GNU, for sizes of 8 GiB and more) base-256 with the
// top bit of the first byte set.
bool tar_number(const char* f, std::size_t n, std::uint64_t& out) {
    out = 0;
    if (static_cast<unsigned char>(f[0]) & 0x80) {
        for (std::size_t i = 1; i < n; ++i) {
            if (out >> 56) return false;
            out = (out << 8) | static_cast<unsigned char>(f[i]);
        }
        return (static_cast<unsigned char>(f[0]) & 0x7f) == 0;
    }
    std::size_t i = 0;
    while (i < n && f[i] == ' ') ++i;
    bool any = false;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; ++i) {
        if (out >> 60) return false;
        out = out * 8 + static_cast<std::uint64_t>(f[i] - '0');
        any = true;
    }
    for (; i < n; ++i)
        if (f[i] != ' ' && f[i] != '\0') return false;
    return any;
}

bool ustar_magic(const char* h) { return std::string_view(h + 257, 5) == "ustar"; }

// The members of a tar as path -> bytes (views into `tar`), paths without a leading "./" or "/".
std::map<std::string, std::string_view> tar_members(std::string_view tar, const std::string& source) {
    std::map<std::string, std::string_view> members;
    std::uint64_t at = 0;
    while (true) {
        if (tar.size() - at < kBlock) binary_error(source, "tar", kNoIndex, fmt::format("truncated: no end-of-archive block after byte {}", at));
        const char* h = tar.data() + at;
        if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) break;  // end of archive
        if (!ustar_magic(h)) binary_error(source, "tar", kNoIndex, fmt::format("no tar header (\"ustar\") at byte {}", at));
        std::uint64_t size = 0, checksum = 0, sum = 0;
        if (!tar_number(h + 124, 12, size)) binary_error(source, "tar", kNoIndex, fmt::format("bad size field in the header at byte {}", at));
        if (!tar_number(h + 148, 8, checksum)) binary_error(source, "tar", kNoIndex, fmt::format("bad checksum field in the header at byte {}", at));
        for (std::size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
        if (sum != checksum) binary_error(source, "tar", kNoIndex, fmt::format("header checksum mismatch at byte {}", at));
        std::string name(h, strnlen(h, 100));
        const std::string prefix(h + 345, strnlen(h + 345, 155));
        if (!prefix.empty()) name = prefix + "/" + name;
        while (name.rfind("./", 0) == 0) name.erase(0, 2);
        while (!name.empty() && name[0] == '/') name.erase(0, 1);
        const std::uint64_t data = at + kBlock;
        if (size > tar.size() - data)
            binary_error(source, name.empty() ? "tar" : name, kNoIndex,
                         fmt::format("truncated: the member has {} bytes but the file ends {} bytes after its start", size, tar.size() - data));
        const char type = h[156];
        if (type == '0' || type == '\0') {
            if (!members.emplace(name, tar.substr(data, size)).second) binary_error(source, name, kNoIndex, "the tar holds this member twice");
        }
        at = data + (size + kBlock - 1) / kBlock * kBlock;
        if (at > tar.size()) at = tar.size();
    }
    return members;
}

// Writes one tar header (the data follows, padded to kBlock).
void tar_header(ByteSink& out, const std::string& name, std::uint64_t size) {
    char h[kBlock] = {};
    if (name.size() >= 100) throw std::logic_error("tar member name too long: " + name);
    std::memcpy(h, name.data(), name.size());
    std::memcpy(h + 100, "0000644", 7);
    std::memcpy(h + 108, "0000000", 7);
    std::memcpy(h + 116, "0000000", 7);
    if (size < (1ULL << 33)) {
        const std::string s = fmt::format("{:011o}", size);
        std::memcpy(h + 124, s.data(), 11);
    } else {  // GNU base-256 for 8 GiB and more
        h[124] = static_cast<char>(0x80);
        for (int i = 0; i < 8; ++i) h[135 - i] = static_cast<char>((size >> (8 * i)) & 0xff);
    }
    std::memcpy(h + 136, "00000000000", 11);  // mtime 0: reproducible files
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    std::uint64_t sum = 0;
    for (char c : h) sum += static_cast<unsigned char>(c);
    const std::string cs = fmt::format("{:06o}", sum);
    std::memcpy(h + 148, cs.data(), 6);
    h[154] = '\0';
    out.write(h, kBlock);
}

struct Member {
    std::string path;
    std::uint64_t size;
    std::function<void(ByteSink&)> emit;
};

void write_tar(ByteSink& out, const std::vector<Member>& members) {
    static const char zeros[kBlock] = {};
    for (const auto& m : members) {
        tar_header(out, m.path, m.size);
        CountSink counted;
        TeeSink tee(out, counted);
        m.emit(tee);
        if (counted.size != m.size) throw std::logic_error(fmt::format("UMB member {}: wrote {} bytes, announced {}", m.path, counted.size, m.size));
        out.write(zeros, (kBlock - m.size % kBlock) % kBlock);
    }
    out.write(zeros, kBlock);
    out.write(zeros, kBlock);
}

// ---- reading -------------------------------------------------------------------------------

// A typed view of one member: the size is checked against the index's counts first.
struct Array {
    std::string_view bytes;
    std::string name;
    bool present() const { return bytes.data() != nullptr; }
    template <class T>
    T at(std::uint64_t i) const {
        return load_le<T>(bytes.data() + i * sizeof(T));
    }
};

class UmbReader {
public:
    UmbReader(std::string_view tar, const std::string& source) : source_(source), members_(tar_members(tar, source)) {}

    Array get(const std::string& path, std::uint64_t count, std::size_t width, bool required) {
        const auto it = members_.find(path);
        if (it == members_.end()) {
            if (required) binary_error(source_, path, kNoIndex, "missing: the UMB file has no such member");
            return {{}, path};
        }
        const long double want = static_cast<long double>(count) * width;
        if (static_cast<long double>(it->second.size()) != want)
            binary_error(source_, path, kNoIndex,
                         fmt::format("has {} bytes, but {} entries of {} bytes are {}", it->second.size(), count, width, static_cast<double>(want)));
        Array a{it->second, path};
        if (a.bytes.data() == nullptr) a.bytes = std::string_view("", 0);
        return a;
    }
    // A CSR mapping: n + 1 uint64 offsets from 0 to `total`, never decreasing.
    Array csr(const std::string& path, std::uint64_t n, std::uint64_t total, bool required) {
        if (n >= (std::uint64_t{1} << 60)) binary_error(source_, path, kNoIndex, fmt::format("{} entries is more than any file holds", n));
        Array a = get(path, n + 1, 8, required);
        if (!a.present()) return a;
        if (a.at<std::uint64_t>(0) != 0) binary_error(source_, path, 0, fmt::format("is {}, must be 0", a.at<std::uint64_t>(0)));
        for (std::uint64_t i = 1; i <= n; ++i)
            if (a.at<std::uint64_t>(i) < a.at<std::uint64_t>(i - 1))
                binary_error(source_, path, i, fmt::format("offsets must not decrease: {} after {}", a.at<std::uint64_t>(i), a.at<std::uint64_t>(i - 1)));
        if (a.at<std::uint64_t>(n) != total) binary_error(source_, path, n, fmt::format("is {}, must be the count {}", a.at<std::uint64_t>(n), total));
        return a;
    }
    // Strings of a string-mapping.bin / strings.bin pair (n strings).
    std::vector<std::string> strings(const std::string& dir, std::uint64_t n) {
        const auto it = members_.find(dir + "/strings.bin");
        if (it == members_.end()) return {};
        const Array map = csr(dir + "/string-mapping.bin", n, it->second.size(), true);
        std::vector<std::string> out(n);
        for (std::uint64_t i = 0; i < n; ++i)
            out[i] = std::string(it->second.substr(map.at<std::uint64_t>(i), map.at<std::uint64_t>(i + 1) - map.at<std::uint64_t>(i)));
        return out;
    }
    bool has(const std::string& path) const { return members_.count(path) > 0; }
    std::string_view raw(const std::string& path) const { return members_.at(path); }
    const std::string& source() const { return source_; }

private:
    std::string source_;
    std::map<std::string, std::string_view> members_;
};

std::uint64_t count_of(const json& ts, const char* key, const std::string& source) {
    const auto it = ts.find(key);
    if (it == ts.end() || !it->is_number_unsigned())
        binary_error(source, fmt::format("index.json: transition-system.{}", key), kNoIndex, "missing or not a non-negative integer");
    return it->get<std::uint64_t>();
}

void require_double(const json& type, const std::string& source, const std::string& what) {
    if (!type.is_object() || type.value("type", std::string()) != "double" || type.value("size", 64) != 64)
        binary_error(source, what, kNoIndex,
                     fmt::format("softmdp reads double values only, got {}", type.is_null() ? std::string("nothing") : type.dump()));
}

// Names for the actions: empty names become the action's index; no names at all if that leaves
// duplicates (softmdp names must be unique).
std::vector<std::string> action_names(std::vector<std::string> names) {
    std::set<std::string> seen;
    for (std::size_t a = 0; a < names.size(); ++a) {
        if (names[a].empty()) names[a] = std::to_string(a);
        if (!seen.insert(names[a]).second) return {};
    }
    return names;
}

// Puts the rows of every state in ascending action order (UMB choices may come in any order).
void sort_rows_by_action(ModelData& d) {
    const std::size_t R = d.row_action.size();
    std::vector<Offset> order(R);
    for (std::size_t s = 0; s < d.num_states; ++s) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(d.state_begin[s]);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(d.state_begin[s + 1]);
        std::iota(first, last, d.state_begin[s]);
        std::sort(first, last, [&](Offset x, Offset y) { return d.row_action[x] < d.row_action[y]; });
    }
    ModelData out;
    out.row_action.resize(R);
    out.row_reward.resize(R);
    out.row_begin.assign(1, 0);
    out.transitions.reserve(d.transitions.size());
    for (std::size_t i = 0; i < R; ++i) {
        const Offset r = order[i];
        out.row_action[i] = d.row_action[r];
        out.row_reward[i] = d.row_reward[r];
        for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) {
            out.transitions.push_back(d.transitions[t]);
            if (!d.next_reward.empty()) out.next_reward.push_back(d.next_reward[t]);
        }
        out.row_begin.push_back(out.transitions.size());
    }
    d.row_action = std::move(out.row_action);
    d.row_reward = std::move(out.row_reward);
    d.row_begin = std::move(out.row_begin);
    d.transitions = std::move(out.transitions);
    d.next_reward = std::move(out.next_reward);
}

}  // namespace

bool is_tar(std::string_view b) noexcept { return b.size() >= kBlock && ustar_magic(b.data()); }

// The whole-file part of reading (everything but the states' own rows): index.json, the offsets
// (state-to-choices, choice-to-branches: 8 bytes per state and per choice, which every block needs to
// find its byte ranges and a partition needs to balance), and what is a property of the whole file:
// whether the choice actions are distinct within every state, the number of initial states, unique
// state names. block() then reads the rest of any range of states.
struct UmbBlocks::Impl {
    std::string source;
    BuildOptions options;
    bool whole;            // check the whole model's size against this machine's memory (else block() checks its own)
    std::string inflated;  // a compressed file's tar
    UmbReader f;
    std::string name;
    double discount = 0.0;
    std::uint64_t S = 0, C = 0, B = 0, n_actions = 0;
    Array state_to_choices, choice_to_branches, target, prob, action;
    bool labelled = false, ascending = true;
    std::uint64_t num_actions = 0;
    std::vector<std::string> action_names;
    Array on_choice, on_state, on_branch;  // the reward annotation's values (absent: not given)
    Array p0, is_initial;
    std::uint64_t n_initial = 0;
    std::vector<std::string> name_strings;  // the state names' strings, and which one each state has
    Array name_of;
    Array next_reward;

    Impl(std::string_view bytes, const std::string& src, const BuildOptions& opt, bool whole_model)
        : source(src), options(opt), whole(whole_model), inflated(is_gzip(bytes) || is_xz(bytes) ? decompress(bytes, src) : std::string()),
          f(open_tar(inflated.empty() ? bytes : std::string_view(inflated), src)) {
        try {
            read_index();
        } catch (const nlohmann::json::exception& e) {
            // A field of index.json of the wrong JSON type (e.g. "time": 3).
            binary_error(source, "index.json", kNoIndex, fmt::format("unexpected content: {}", e.what()));
        }
    }

    static UmbReader open_tar(std::string_view bytes, const std::string& source) {
        if (!is_tar(bytes)) binary_error(source, "tar", kNoIndex, "not a UMB file: no POSIX tar header (\"ustar\" at byte 257)");
        return UmbReader(bytes, source);
    }

    std::uint64_t first_choice(std::uint64_t s) const { return state_to_choices.present() ? state_to_choices.at<std::uint64_t>(s) : s; }
    std::uint64_t first_branch(std::uint64_t c) const { return choice_to_branches.present() ? choice_to_branches.at<std::uint64_t>(c) : c; }

    void read_index() {
        if (!f.has("index.json")) binary_error(source, "index.json", kNoIndex, "missing: a UMB file starts with index.json");
        const std::string_view index_text = f.raw("index.json");
        json index;
        try {
            index = json::parse(index_text.begin(), index_text.end());
        } catch (const json::exception& e) {
            binary_error(source, "index.json", kNoIndex, fmt::format("invalid JSON: {}", e.what()));
        }
        if (!index.is_object()) binary_error(source, "index.json", kNoIndex, "must be a JSON object");
        const json ts = index.value("transition-system", json());
        if (!ts.is_object()) binary_error(source, "index.json: transition-system", kNoIndex, "missing");
        if (index.value("format-version", json(1)) != json(1))
            binary_error(source, "index.json: format-version", kNoIndex, fmt::format("softmdp reads version 1, got {}", index["format-version"].dump()));
        if (ts.value("time", std::string()) != "discrete")
            binary_error(source, "index.json: transition-system.time", kNoIndex,
                         fmt::format("softmdp reads discrete-time models (DTMC, MDP), got {}", ts.value("time", json()).dump()));
        const std::uint64_t players = count_of(ts, "#players", source);
        if (players > 1) binary_error(source, "index.json: transition-system.#players", kNoIndex, fmt::format("softmdp reads models with 0 or 1 player, got {}", players));
        if (ts.contains("#observations") && ts["#observations"] != json(0))
            binary_error(source, "index.json: transition-system.#observations", kNoIndex, "softmdp reads fully observable models (POMDPs are not supported)");
        require_double(ts.value("branch-probability-type", json()), source, "index.json: transition-system.branch-probability-type");
        S = count_of(ts, "#states", source), C = count_of(ts, "#choices", source), B = count_of(ts, "#branches", source);
        n_actions = ts.contains("#choice-actions") ? count_of(ts, "#choice-actions", source) : 0;
        if (whole) check_model_size(source, S, n_actions, C, B);
        if (S > ModelBuilder::kMaxStates) binary_error(source, "index.json: transition-system.#states", kNoIndex, "too many states");

        state_to_choices = f.csr("state-to-choices.bin", S, C, false);
        if (!state_to_choices.present() && C != S)
            binary_error(source, "state-to-choices.bin", kNoIndex, fmt::format("missing, so every state has one choice, but #choices is {} for {} states", C, S));
        choice_to_branches = f.csr("choice-to-branches.bin", C, B, false);
        if (!choice_to_branches.present() && B != C)
            binary_error(source, "choice-to-branches.bin", kNoIndex, fmt::format("missing, so every choice has one branch, but #branches is {} for {} choices", B, C));
        target = f.get("branch-to-target.bin", B, 8, true);
        prob = f.get("branch-to-probability.bin", B, 8, true);
        action = n_actions > 0 ? f.get("actions/choices/values.bin", C, 4, false) : Array{};

        name = index.value("model-data", json::object()).value("name", std::string());
        const json params = index.value("file-data", json::object()).value("parameters", json());
        if (params.is_object() && params.contains("discount")) {
            if (!params["discount"].is_number()) binary_error(source, "index.json: file-data.parameters.discount", kNoIndex, "must be a number");
            discount = params["discount"].get<double>();
        } else if (options.discount) {
            discount = *options.discount;
        } else {
            throw UsageError(fmt::format("{}: the UMB file carries no discount (file-data.parameters.discount): give {} G", source, param("discount")));
        }

        // Actions: the choice actions when they are distinct within every state (softmdp's rows are
        // then put in ascending action order); otherwise each choice is numbered by its position in
        // its state. A property of the whole file: 4 bytes per choice.
        labelled = n_actions > 0;
        const bool check = labelled;  // every choice's action in range, as long as the file has any
        std::uint64_t max_choices = 0;
        std::vector<ActionId> sorted;
        for (std::uint64_t s = 0; s < S; ++s) {
            const std::uint64_t c0 = first_choice(s), c1 = first_choice(s + 1);
            max_choices = std::max<std::uint64_t>(max_choices, c1 - c0);
            if (!check) continue;
            sorted.clear();
            for (std::uint64_t c = c0; c < c1; ++c) {
                const std::uint32_t a = action.present() ? action.at<std::uint32_t>(c) : 0;
                if (a >= n_actions) binary_error(source, action.name, c, fmt::format("choice action {} is out of range (#choice-actions is {})", a, n_actions));
                sorted.push_back(a);
            }
            if (!labelled) continue;
            ascending = ascending && std::is_sorted(sorted.begin(), sorted.end());
            std::sort(sorted.begin(), sorted.end());
            if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
                labelled = false;
                if (options.warn)
                    options.warn(fmt::format("{}: state {} has two choices with the same action: actions are numbered by the choice's "
                                             "position in its state instead",
                                             source, s));
            }
        }
        if (labelled) {
            num_actions = n_actions;
            action_names = softmdp::action_names(f.strings("actions/choices", n_actions));
        } else {
            ascending = true;
            num_actions = std::max<std::uint64_t>(max_choices, 1);
        }

        // Rewards: one annotation of the group "rewards" ("reward" when there are several); its values
        // on choices, states (collected by each choice of the state) and branches (expected) make r(s, a).
        const json rewards = index.value("annotations", json::object()).value("rewards", json::object());
        if (!rewards.is_object()) binary_error(source, "index.json: annotations.rewards", kNoIndex, "must be an object");
        if (!rewards.empty()) {
            std::string id = rewards.size() == 1 ? rewards.begin().key() : std::string("reward");
            if (!rewards.contains(id)) {
                std::string ids;
                for (auto it = rewards.begin(); it != rewards.end(); ++it) ids += (ids.empty() ? "" : ", ") + it.key();
                binary_error(source, "index.json: annotations.rewards", kNoIndex,
                             fmt::format("several reward annotations ({}) and none named 'reward': softmdp reads one", ids));
            }
            const json& ann = rewards[id];
            require_double(ann.value("type", json()), source, fmt::format("index.json: annotations.rewards.{}.type", id));
            const std::string dir = "annotations/rewards/" + id + "/";
            on_choice = f.get(dir + "choices/values.bin", C, 8, false);
            on_state = f.get(dir + "states/values.bin", S, 8, false);
            on_branch = f.get(dir + "branches/values.bin", B, 8, false);
        }

        // Initial states: softmdp's own probabilities, else uniform over the initial states, else
        // (none marked) uniform over all states.
        p0 = f.get("annotations/softmdp/initial/states/values.bin", S, 8, false);
        is_initial = f.get("state-is-initial.bin", (S + 63) / 64, 8, false);
        if (!p0.present() && is_initial.present())
            for (std::uint64_t w = 0; w < (S + 63) / 64; ++w) n_initial += static_cast<std::uint64_t>(std::popcount(is_initial.at<std::uint64_t>(w)));

        // softmdp's extras: state names (unique over the whole file), per-successor rewards (for
        // exporters; r(s, a) above already holds them).
        if (f.has("annotations/softmdp/state-names/states/values.bin")) {
            const std::string dir = "annotations/softmdp/state-names/states";
            const json ann = index.value("annotations", json::object()).value("softmdp", json::object()).value("state-names", json::object());
            const std::uint64_t n = ann.value("#strings", std::uint64_t{0});
            name_strings = f.strings(dir, n);
            name_of = f.get(dir + "/values.bin", S, 8, true);
            std::set<std::string_view> seen;
            for (std::uint64_t s = 0; s < S; ++s) {
                const std::uint64_t k = name_of.at<std::uint64_t>(s);
                if (k >= name_strings.size()) binary_error(source, name_of.name, s, fmt::format("string {} is out of range (there are {})", k, name_strings.size()));
                if (name_strings[k].empty() || !seen.insert(name_strings[k]).second)
                    binary_error(source, name_of.name, s, fmt::format("state names must be unique and non-empty, got '{}'", name_strings[k]));
            }
        }
        next_reward = f.get("annotations/softmdp/successor-reward/branches/values.bin", B, 8, false);
    }

    ModelData block(std::uint64_t s0, std::uint64_t s1, const DoneWith& done) const {
        const auto release = [&](const Array& a, std::uint64_t from, std::uint64_t to) {
            if (done && a.present()) done(a.bytes.substr(from, to - from));
        };
        const std::uint64_t c0 = first_choice(s0), c1 = first_choice(s1), b0 = first_branch(c0), b1 = first_branch(c1);
        const std::uint64_t n = s1 - s0, nc = c1 - c0, nb = b1 - b0;
        if (!whole) check_model_size(source, n, n_actions, nc, nb);  // this block on this machine
        ModelData d;
        d.name = name;
        d.discount = discount;
        d.num_states = n;
        d.num_actions = num_actions;
        d.action_names = action_names;

        // Rows: one per choice, in the file's order; offsets relative to the block's first choice and branch.
        resize_huge(d.state_begin, n + 1);
        for (std::uint64_t s = 0; s <= n; ++s) d.state_begin[s] = first_choice(s0 + s) - c0;
        resize_huge(d.row_begin, nc + 1);
        for (std::uint64_t c = 0; c <= nc; ++c) d.row_begin[c] = first_branch(c0 + c) - b0;
        release(state_to_choices, s0 * 8, (s1 + 1) * 8);
        release(choice_to_branches, c0 * 8, (c1 + 1) * 8);
        resize_huge(d.transitions, nb);
        // Elements per window of pages given back behind each scan: 512 KiB of 8-byte values, so that a
        // load holds the CSR arrays and a few windows of the file, never a whole array of it (the peak
        // of a 10^6-transition load was 1.8x CSR with 8 MiB windows and the choice arrays kept).
        constexpr std::uint64_t kWindow = 1 << 16;
        for (std::uint64_t w = b0; w < b1; w += kWindow) {
            const std::uint64_t end = std::min(b1, w + kWindow);
            for (std::uint64_t b = w; b < end; ++b) {
                const std::uint64_t t = target.at<std::uint64_t>(b);
                if (t >= S) binary_error(source, target.name, b, fmt::format("successor {} is out of range (there are {} states)", t, S));
                d.transitions[b - b0] = Transition(static_cast<StateId>(t), prob.at<double>(b));
            }
            release(target, w * 8, end * 8);
            release(prob, w * 8, end * 8);
        }
        release(target, b0 * 8, b1 * 8);  // the pages that straddled two windows
        release(prob, b0 * 8, b1 * 8);

        resize_huge(d.row_action, nc);
        for (std::uint64_t s = 0; s < n; ++s)
            for (Offset c = d.state_begin[s]; c < d.state_begin[s + 1]; ++c)
                d.row_action[c] = !labelled ? static_cast<ActionId>(c - d.state_begin[s]) : action.present() ? action.at<std::uint32_t>(c0 + c) : 0;
        release(action, c0 * 4, c1 * 4);

        resize_huge(d.row_reward, nc);
        if (on_choice.present() || on_state.present() || on_branch.present()) {
            std::uint64_t given_back = 0;  // states whose annotation pages are given back
            for (std::uint64_t s = 0; s < n; ++s) {
                for (Offset c = d.state_begin[s]; c < d.state_begin[s + 1]; ++c) {
                    double r = on_choice.present() ? on_choice.at<double>(c0 + c) : 0.0;
                    if (on_state.present()) r += on_state.at<double>(s0 + s);
                    if (on_branch.present())
                        for (Offset b = d.row_begin[c]; b < d.row_begin[c + 1]; ++b) r += d.transitions[b].prob() * on_branch.at<double>(b0 + b);
                    d.row_reward[c] = r;
                }
                if (d.state_begin[s + 1] - d.state_begin[given_back] >= kWindow || s + 1 == n) {
                    release(on_choice, (c0 + d.state_begin[given_back]) * 8, (c0 + d.state_begin[s + 1]) * 8);
                    release(on_state, (s0 + given_back) * 8, (s0 + s + 1) * 8);
                    release(on_branch, (b0 + d.row_begin[d.state_begin[given_back]]) * 8, (b0 + d.row_begin[d.state_begin[s + 1]]) * 8);
                    given_back = s + 1;
                }
            }
            // Once more whole: the pages that straddled two windows (release gives back whole pages only).
            release(on_choice, c0 * 8, c1 * 8);
            release(on_state, s0 * 8, s1 * 8);
            release(on_branch, b0 * 8, b1 * 8);
        }

        if (p0.present()) {
            d.initial.resize(n);
            for (std::uint64_t s = 0; s < n; ++s) d.initial[s] = p0.at<double>(s0 + s);
            release(p0, s0 * 8, s1 * 8);
        } else if (n_initial > 0) {
            d.initial.assign(n, 0.0);
            for (std::uint64_t s = s0; s < s1; ++s)
                if ((is_initial.at<std::uint64_t>(s / 64) >> (s % 64)) & 1) d.initial[s - s0] = 1.0 / static_cast<double>(n_initial);
        }
        if (name_of.present()) {
            d.state_names.resize(n);
            for (std::uint64_t s = 0; s < n; ++s) d.state_names[s] = name_strings[name_of.at<std::uint64_t>(s0 + s)];
        }
        if (next_reward.present()) {
            d.next_reward.resize(nb);
            for (std::uint64_t b = 0; b < nb; ++b) d.next_reward[b] = next_reward.at<double>(b0 + b);
            release(next_reward, b0 * 8, b1 * 8);
        }
        if (!ascending) sort_rows_by_action(d);
        return d;
    }
};

const ArrayNames& UmbBlocks::array_names() {
    static const ArrayNames names{"state-to-choices.bin", "choice-to-branches.bin", "branch-to-target.bin", "branch-to-probability.bin",
                                  "annotations/rewards", "actions/choices/values.bin"};
    return names;
}

UmbBlocks::UmbBlocks(std::string_view bytes, const std::string& source, const BuildOptions& options, bool whole)
    : impl_(std::make_unique<Impl>(bytes, source, options, whole)) {}
UmbBlocks::~UmbBlocks() = default;
std::uint64_t UmbBlocks::num_states() const noexcept { return impl_->S; }
std::uint64_t UmbBlocks::first_choice(std::uint64_t s) const noexcept { return impl_->first_choice(s); }
std::uint64_t UmbBlocks::first_branch(std::uint64_t c) const noexcept { return impl_->first_branch(c); }
ModelData UmbBlocks::block(std::uint64_t first, std::uint64_t last, const DoneWith& done) const { return impl_->block(first, last, done); }

Model read_umb(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done) {
    const UmbBlocks file(bytes, source, options);
    return build_from_arrays(file.block(0, file.num_states(), done), source, UmbBlocks::array_names(), options);
}

// ---- writing -------------------------------------------------------------------------------

namespace {

json index_json(const std::string& name, double discount, std::uint64_t S, std::uint64_t initial_states, std::uint64_t C,
                std::uint64_t A, std::uint64_t B) {
    const json dbl = {{"type", "double"}, {"size", 64}};
    json j = {{"format-version", 1},
              {"format-revision", 0},
              {"model-data", json::object()},
              {"file-data", {{"tool", "softmdp"}, {"parameters", {{"discount", discount}}}}},
              {"transition-system",
               {{"time", "discrete"},
                {"#players", 1},
                {"#states", S},
                {"#initial-states", initial_states},
                {"#choices", C},
                {"#choice-actions", A},
                {"#branches", B},
                {"#branch-actions", 0},
                {"#observations", 0},
                {"branch-probability-type", dbl}}},
              {"annotations", {{"rewards", {{"reward", {{"alias", "reward"}, {"applies-to", {"choices"}}, {"type", dbl}}}}}}}};
    if (!name.empty()) j["model-data"]["name"] = name;
    return j;
}

template <class F>
Member umb_array(std::string path, std::uint64_t count, std::size_t width, F each) {
    return {std::move(path), count * width, std::function<void(ByteSink&)>(std::move(each))};
}

Member text(std::string path, std::string content) {
    const std::uint64_t n = content.size();
    return {std::move(path), n, [c = std::move(content)](ByteSink& o) { o.write(c.data(), c.size()); }};
}

// string-mapping.bin and strings.bin of a list of strings.
void add_strings(std::vector<Member>& members, const std::string& dir, std::vector<std::string> strings) {
    std::string all;
    std::vector<std::uint64_t> offsets{0};
    for (const auto& s : strings) {
        all += s;
        offsets.push_back(all.size());
    }
    members.push_back(umb_array(dir + "/string-mapping.bin", offsets.size(), 8, [offsets](ByteSink& o) {
        for (auto x : offsets) o.le(x);
    }));
    members.push_back(text(dir + "/strings.bin", std::move(all)));
}

}  // namespace

void write_umb(ByteSink& out, const Model& m) {
    const ModelData& d = m.data();
    const std::uint64_t S = m.num_states(), C = m.num_rows(), B = m.num_transitions(), A = m.num_actions();
    std::uint64_t n_initial = 0;
    for (double p : d.initial) n_initial += p > 0.0;
    json index = index_json(m.name(), m.discount(), S, n_initial, C, A, B);
    const json dbl = {{"type", "double"}, {"size", 64}};
    json& extra = index["annotations"]["softmdp"];
    extra["initial"] = {{"applies-to", {"states"}}, {"type", dbl}, {"description", "softmdp: the initial distribution p0"}};
    if (m.has_state_names())
        extra["state-names"] = {{"applies-to", {"states"}}, {"type", {{"type", "string"}, {"size", 64}}}, {"#strings", S},
                                {"description", "softmdp: state names"}};
    if (!d.next_reward.empty())
        extra["successor-reward"] = {{"applies-to", {"branches"}}, {"type", dbl},
                                     {"description", "softmdp: per-successor rewards r_to, already included in annotations/rewards/reward"}};

    std::vector<Member> members;
    members.push_back(text("index.json", index.dump(2)));
    members.push_back(umb_array("state-to-choices.bin", S + 1, 8, [&](ByteSink& o) {
        for (Offset x : d.state_begin) o.le<std::uint64_t>(x);
    }));
    members.push_back(umb_array("choice-to-branches.bin", C + 1, 8, [&](ByteSink& o) {
        for (Offset x : d.row_begin) o.le<std::uint64_t>(x);
    }));
    members.push_back(umb_array("branch-to-target.bin", B, 8, [&](ByteSink& o) {
        for (const Transition& t : d.transitions) o.le<std::uint64_t>(t.next);
    }));
    members.push_back(umb_array("branch-to-probability.bin", B, 8, [&](ByteSink& o) {
        for (const Transition& t : d.transitions) o.le(t.prob());
    }));
    members.push_back(umb_array("state-is-initial.bin", (S + 63) / 64, 8, [&](ByteSink& o) {
        for (std::uint64_t w = 0; w < (S + 63) / 64; ++w) {
            std::uint64_t bits = 0;
            for (std::uint64_t s = w * 64; s < std::min(S, w * 64 + 64); ++s) bits |= std::uint64_t{d.initial[s] > 0.0} << (s % 64);
            o.le(bits);
        }
    }));
    members.push_back(umb_array("actions/choices/values.bin", C, 4, [&](ByteSink& o) {
        for (ActionId a : d.row_action) o.le<std::uint32_t>(a);
    }));
    if (m.has_action_names()) add_strings(members, "actions/choices", d.action_names);
    members.push_back(umb_array("annotations/rewards/reward/choices/values.bin", C, 8, [&](ByteSink& o) {
        for (double r : d.row_reward) o.le(r);
    }));
    members.push_back(umb_array("annotations/softmdp/initial/states/values.bin", S, 8, [&](ByteSink& o) {
        for (double p : d.initial) o.le(p);
    }));
    if (m.has_state_names()) {
        members.push_back(umb_array("annotations/softmdp/state-names/states/values.bin", S, 8, [&](ByteSink& o) {
            for (std::uint64_t s = 0; s < S; ++s) o.le(s);
        }));
        add_strings(members, "annotations/softmdp/state-names/states", d.state_names);
    }
    if (!d.next_reward.empty())
        members.push_back(umb_array("annotations/softmdp/successor-reward/branches/values.bin", B, 8, [&](ByteSink& o) {
            for (double r : d.next_reward) o.le(r);
        }));
    write_tar(out, members);
}

void write_umb(ByteSink& out, const ModelStream& g) {
    const std::uint64_t S = g.states, A = g.actions, C = g.choices(), B = g.transitions(), K = g.successors;
    std::vector<Member> members;
    members.push_back(text("index.json", index_json(g.name, g.discount, S, S, C, A, B).dump(2)));
    members.push_back(umb_array("state-to-choices.bin", S + 1, 8, [&](ByteSink& o) {
        for (std::uint64_t s = 0; s <= S; ++s) o.le(s * A);
    }));
    members.push_back(umb_array("choice-to-branches.bin", C + 1, 8, [&](ByteSink& o) {
        for (std::uint64_t c = 0; c <= C; ++c) o.le(c * K);
    }));
    members.push_back(umb_array("branch-to-target.bin", B, 8, [&](ByteSink& o) {
        g.pass([&](auto, auto, std::span<const std::uint64_t> next, auto, double) { for (std::uint64_t t : next) o.le(t); }, 0, 3);
    }));
    members.push_back(umb_array("branch-to-probability.bin", B, 8, [&](ByteSink& o) {
        g.pass([&](auto, auto, auto, std::span<const double> p, double) { for (double x : p) o.le(x); }, 1, 3);
    }));
    // Every state initial: softmdp's default, the uniform p0.
    members.push_back(umb_array("state-is-initial.bin", (S + 63) / 64, 8, [S](ByteSink& o) {
        for (std::uint64_t w = 0; w < (S + 63) / 64; ++w) o.le(w + 1 < (S + 63) / 64 || S % 64 == 0 ? ~std::uint64_t{0} : (std::uint64_t{1} << (S % 64)) - 1);
    }));
    members.push_back(umb_array("actions/choices/values.bin", C, 4, [&](ByteSink& o) {
        for (std::uint64_t s = 0; s < S; ++s)
            for (std::uint64_t a = 0; a < A; ++a) o.le(static_cast<std::uint32_t>(a));
    }));
    members.push_back(umb_array("annotations/rewards/reward/choices/values.bin", C, 8, [&](ByteSink& o) {
        g.pass([&](auto, auto, auto, auto, double r) { o.le(r); }, 2, 3);
    }));
    write_tar(out, members);
}

}  // namespace softmdp
