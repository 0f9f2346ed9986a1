#include "softmdp/io/loader.hpp"

#include "softmdp/io/npz.hpp"
#include "softmdp/io/petsc_binary.hpp"
#include "softmdp/io/umb.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <unordered_set>
#include <variant>

#include "fast_scanner.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/resources.hpp"

namespace softmdp {

using json = nlohmann::json;

std::size_t line_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

namespace {

// Throws the parser's syntax error with file and line.
[[noreturn]] void syntax_error(const std::string& source, std::string_view text, std::size_t byte,
                               const std::string& what, std::string entry = {}, std::string field = {}) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    std::string msg = what;
    if (msg.rfind("[json.exception", 0) == 0) {
        if (const auto p = msg.find(": "); p != std::string::npos) msg = msg.substr(p + 2);
        else if (const auto b = msg.find("] "); b != std::string::npos) msg = msg.substr(b + 2);
    }
    const std::size_t offset = byte > 0 ? byte - 1 : 0;
    throw InputError("invalid JSON: " + msg, Location{source, line_of(text, offset), std::move(entry), std::move(field)});
}

// SAX handler: header keys become small DOM values handed to the builder as soon as each is
// complete; "transitions" streams entry by entry into the builder.
class MdpSax {
public:
    MdpSax(ModelBuilder& b, std::string source) : b_(b), source_(std::move(source)) {}

    // nlohmann SAX interface.
    bool null() { return scalar(json(nullptr)); }
    bool boolean(bool v) { return scalar(json(v)); }
    bool number_integer(json::number_integer_t v) { return scalar(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return scalar(json(v)); }
    bool number_float(json::number_float_t v, const std::string&) { return scalar(json(v)); }
    bool string(std::string& v) { return scalar(json(std::move(v))); }
    bool binary(json::binary_t&) { return scalar(json(nullptr)); }
    bool start_object(std::size_t);
    bool key(std::string& k);
    bool end_object();
    bool start_array(std::size_t);
    bool end_array();
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
        error_byte_ = position;
        error_what_ = ex.what();
        // A number beyond double's range (out_of_range.406) is a valid token: name where it lies.
        // Other syntax errors keep their plain "FILE:LINE: invalid JSON" form.
        if (ex.id == 406) locate_value(error_entry_, error_field_);
        return false;
    }

    bool saw_format() const { return saw_format_; }
    std::size_t error_byte_ = 0;
    std::string error_what_;
    std::string error_entry_;  // the entry and field of the value being read at an error, if known
    std::string error_field_;

private:
    enum class Mode { top, header, transitions, entry, entry_value, next_list, next_item };
    [[noreturn]] void fail(const std::string& msg, const std::string& field = {}) {
        std::string entry;
        if (mode_ != Mode::top && mode_ != Mode::header && mode_ != Mode::transitions)
            entry = b_.entry_label(b_.entries());
        throw InputError(msg, Location{source_, std::nullopt, entry, field});
    }
    void locate_value(std::string& entry, std::string& field) const {
        switch (mode_) {
            case Mode::header: field = key_; break;
            case Mode::entry_value: field = field_; break;
            case Mode::next_list: field = fmt::format("next[{}]", next_index_); break;
            case Mode::next_item: field = next_field(item_pos_); break;
            default: break;
        }
        if (mode_ == Mode::entry || mode_ == Mode::entry_value || mode_ == Mode::next_list || mode_ == Mode::next_item)
            entry = b_.entry_label(b_.entries());
    }
    bool scalar(json v);
    bool entry_scalar(const json& v);
    void header_done();
    // `field` is a name ("s", "a", "r") or, as an int, the position inside next[j].
    Ref ref(const json& v, std::variant<const char*, int> field);
    double number(const json& v, std::variant<const char*, int> field);
    std::string field_name(std::variant<const char*, int> f) const {
        return f.index() == 0 ? std::string(std::get<0>(f)) : next_field(std::get<1>(f));
    }
    std::string next_field(int pos) const { return fmt::format("next[{}][{}]", next_index_, pos); }

    ModelBuilder& b_;
    std::string source_;
    Mode mode_ = Mode::top;
    int depth_ = 0;              // nesting depth inside the top-level object
    std::string key_;            // current top-level key
    std::string field_;          // current entry field
    json header_;                // the header value being built
    std::vector<json*> stack_;   // open containers of header_
    std::string pending_key_;    // key inside a header object
    bool saw_format_ = false;
    bool top_done_ = false;
    std::size_t next_index_ = 0;
    int item_pos_ = 0;
    json item_[3];
    std::vector<std::string> top_keys_;  // top-level keys seen: a repeated one is an error
    unsigned entry_fields_ = 0;          // bits of s, a, r, next seen in the current entry
};

bool MdpSax::start_object(std::size_t) {
    switch (mode_) {
        case Mode::top:
            if (depth_ == 0 && !top_done_) {
                depth_ = 1;
                return true;
            }
            fail("expected a single top-level object");
        case Mode::header: {
            if (stack_.empty()) {
                header_ = json::object();
                stack_.push_back(&header_);
                return true;
            }
            json* parent = stack_.back();
            json* child = parent->is_array() ? &parent->emplace_back(json::object())
                                             : &((*parent)[pending_key_] = json::object());
            stack_.push_back(child);
            return true;
        }
        case Mode::transitions:
            if (depth_ == -1) fail("must be an array of entries, not an object", "transitions");
            b_.begin_entry();
            entry_fields_ = 0;
            mode_ = Mode::entry;
            return true;
        case Mode::entry_value: fail(fmt::format("must be {}, not an object", field_ == "r" ? "a number" : "an index or a name"), field_);
        case Mode::next_list: fail("must be an array [to, p] or [to, p, r], not an object", fmt::format("next[{}]", next_index_));
        case Mode::next_item: fail("must be a number, index or name, not an object", next_field(item_pos_));
        case Mode::entry: break;
    }
    fail("unexpected object");
}

bool MdpSax::key(std::string& k) {
    if (mode_ == Mode::top) {
        if (std::find(top_keys_.begin(), top_keys_.end(), k) != top_keys_.end())
            fail(fmt::format("duplicate key '{}' (each key may appear once)", k), k);
        top_keys_.push_back(k);
        key_ = k;
        if (key_ == "transitions") {
            mode_ = Mode::transitions;
            depth_ = -1;  // expecting the array
            return true;
        }
        header_ = json();
        stack_.clear();
        mode_ = Mode::header;
        return true;
    }
    if (mode_ == Mode::header) {
        if (!stack_.empty() && stack_.back()->is_object() && stack_.back()->contains(k))
            fail(fmt::format("duplicate key '{}' (each key may appear once)", k), stack_.size() == 1 ? key_ + "." + k : key_);
        pending_key_ = k;
        return true;
    }
    if (mode_ == Mode::entry) {
        if (k != "s" && k != "a" && k != "r" && k != "next")
            fail(fmt::format("unknown field '{}' (expected s, a, r, next)", k), k);
        const unsigned bit = k == "s" ? 1u : k == "a" ? 2u : k == "r" ? 4u : 8u;
        if (entry_fields_ & bit) fail(fmt::format("duplicate field '{}' (each field may appear once)", k), k);
        entry_fields_ |= bit;
        field_ = k;
        mode_ = Mode::entry_value;
        if (k == "next") next_index_ = 0;
        return true;
    }
    fail("unexpected key");
}

bool MdpSax::end_object() {
    switch (mode_) {
        case Mode::top:
            depth_ = 0;
            top_done_ = true;
            return true;
        case Mode::header:
            stack_.pop_back();
            if (stack_.empty()) header_done();
            return true;
        case Mode::entry:
            b_.end_entry();
            mode_ = Mode::transitions;
            return true;
        default: fail("unexpected end of object");
    }
}

bool MdpSax::start_array(std::size_t) {
    switch (mode_) {
        case Mode::top: fail("expected a single top-level object");
        case Mode::header: {
            if (stack_.empty()) {
                header_ = json::array();
                stack_.push_back(&header_);
                return true;
            }
            json* parent = stack_.back();
            json* child = parent->is_array() ? &parent->emplace_back(json::array())
                                             : &((*parent)[pending_key_] = json::array());
            stack_.push_back(child);
            return true;
        }
        case Mode::transitions:
            if (depth_ == -1) {
                depth_ = 1;
                return true;
            }
            fail(fmt::format("transitions[{}] must be an object, not an array", b_.entries()));
        case Mode::entry_value:
            if (field_ != "next") fail(fmt::format("must be {}, not an array", field_ == "r" ? "a number" : "an index or a name"), field_);
            mode_ = Mode::next_list;
            return true;
        case Mode::next_list:
            mode_ = Mode::next_item;
            item_pos_ = 0;
            return true;
        case Mode::next_item: fail("must be a number, index or name, not an array", next_field(item_pos_));
        case Mode::entry: break;
    }
    fail("unexpected array");
}

bool MdpSax::end_array() {
    switch (mode_) {
        case Mode::header:
            stack_.pop_back();
            if (stack_.empty()) header_done();
            return true;
        case Mode::transitions:
            mode_ = Mode::top;
            return true;
        case Mode::next_list:
            mode_ = Mode::entry;
            return true;
        case Mode::next_item: {
            if (item_pos_ < 2) fail("must be [to, p] or [to, p, r]: too few elements", fmt::format("next[{}]", next_index_));
            const Ref to = ref(item_[0], 0);
            const double p = number(item_[1], 1);
            const double r = item_pos_ == 3 ? number(item_[2], 2) : 0.0;
            b_.entry_next(to, p, r);
            ++next_index_;
            mode_ = Mode::next_list;
            return true;
        }
        default: fail("unexpected end of array");
    }
}

bool MdpSax::scalar(json v) {
    switch (mode_) {
        case Mode::header:
            if (stack_.empty()) {
                header_ = std::move(v);
                header_done();
            } else if (stack_.back()->is_array()) {
                stack_.back()->push_back(std::move(v));
            } else {
                (*stack_.back())[pending_key_] = std::move(v);
            }
            return true;
        case Mode::transitions:
            if (depth_ == -1) fail("must be an array of entries", "transitions");
            fail(fmt::format("transitions[{}] must be an object", b_.entries()));
        case Mode::entry_value:
            entry_scalar(v);
            mode_ = Mode::entry;
            return true;
        case Mode::next_list: fail("must be an array [to, p] or [to, p, r]", fmt::format("next[{}]", next_index_));
        case Mode::next_item:
            if (item_pos_ >= 3) fail("must be [to, p] or [to, p, r]: too many elements", fmt::format("next[{}]", next_index_));
            item_[item_pos_++] = std::move(v);
            return true;
        default: fail("expected a single top-level object");
    }
}

Ref MdpSax::ref(const json& v, std::variant<const char*, int> field) {
    if (v.is_number_unsigned()) return Ref::at(v.get<std::uint64_t>());
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        return Ref::named(s);
    }
    if (v.is_number_integer()) fail(fmt::format("index must be >= 0, got {}", v.get<std::int64_t>()), field_name(field));
    fail(fmt::format("must be an index (integer >= 0) or a name, got {}", v.dump()), field_name(field));
}

double MdpSax::number(const json& v, std::variant<const char*, int> field) {
    if (!v.is_number()) fail(fmt::format("must be a number, got {}", v.dump()), field_name(field));
    return v.get<double>();
}

bool MdpSax::entry_scalar(const json& v) {
    if (field_ == "s") b_.entry_state(ref(v, "s"));
    else if (field_ == "a") b_.entry_action(ref(v, "a"));
    else if (field_ == "r") b_.entry_reward(number(v, "r"));
    else fail("must be an array of [to, p] or [to, p, r]", "next");
    return true;
}

std::vector<std::string> names_of(const json& v, const char* key, const std::string& source) {
    std::vector<std::string> names;
    names.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            throw InputError(fmt::format("names must be strings, got {}", v[i].dump()),
                             Location{source, std::nullopt, {}, fmt::format("{}[{}]", key, i)});
        names.push_back(v[i].get<std::string>());
    }
    return names;
}

// Checks one top-level value other than "transitions" and hands it to the builder (both parsers).
void apply_header(ModelBuilder& b, const std::string& key, const json& v, const std::string& source) {
    const auto bad = [&](const std::string& msg) -> void {
        throw InputError(msg, Location{source, std::nullopt, {}, key});
    };
    if (key == "format") {
        if (!v.is_string() || v.get<std::string>() != "softmdp/1")
            bad(fmt::format("must be \"softmdp/1\", got {}", v.dump()));
    } else if (key == "name" || key == "description") {
        if (!v.is_string()) bad("must be a string");
        if (key == "name") b.set_name(v.get<std::string>());
    } else if (key == "discount") {
        if (!v.is_number()) bad(fmt::format("must be a number in [0, 1], got {}", v.dump()));
        b.set_discount(v.get<double>());
    } else if (key == "states" || key == "actions") {
        const bool st = key == "states";
        if (v.is_number_unsigned()) {
            st ? b.set_state_count(v.get<std::uint64_t>()) : b.set_action_count(v.get<std::uint64_t>());
        } else if (v.is_array()) {
            auto names = names_of(v, key.c_str(), source);
            st ? b.set_state_names(std::move(names)) : b.set_action_names(std::move(names));
        } else {
            bad(fmt::format("must be a positive count or an array of names, got {}", v.dump()));
        }
    } else if (key == "initial") {
        if (v.is_array()) {
            std::vector<double> p0;
            p0.reserve(v.size());
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (!v[i].is_number())
                    throw InputError(fmt::format("must be a number, got {}", v[i].dump()),
                                     Location{source, std::nullopt, {}, fmt::format("initial[{}]", i)});
                p0.push_back(v[i].get<double>());
            }
            b.set_initial(std::move(p0));
        } else if (v.is_object()) {
            for (const auto& [name, p] : v.items()) {
                if (!p.is_number())
                    throw InputError(fmt::format("must be a number, got {}", p.dump()),
                                     Location{source, std::nullopt, {}, "initial." + name});
                b.add_initial(Ref::named(name), p.get<double>());
            }
        } else {
            bad("must be an array of probabilities or an object {state: probability}");
        }
    } else if (key == "grid") {
        if (!v.is_object() || !v.contains("rows") || !v.contains("cols") || !v["rows"].is_number_unsigned() ||
            !v["cols"].is_number_unsigned())
            bad("must be an object {\"rows\": R, \"cols\": C}");
        b.set_grid(v["rows"].get<std::size_t>(), v["cols"].get<std::size_t>());
    } else if (key == "action_space" || key == "anchors" || key == "bandwidth" || key == "action_cost") {
        bad("this is a continuous-action file; use a command that reads continuous-action MDPs");
    } else {
        bad(fmt::format("unknown key '{}' (expected format, name, description, discount, states, actions, initial, "
                        "transitions, grid)",
                        key));
    }
}

void MdpSax::header_done() {
    mode_ = Mode::top;
    apply_header(b_, key_, header_, source_);
    saw_format_ |= key_ == "format";
}

// Where an error without a line lies, found again on the error path only (no cost on success): a
// small scan of the top-level object that skips strings and nested values.
class TopLevelScan {
public:
    explicit TopLevelScan(std::string_view t) : t_(t) {}

    // The offset of the `occurrence`-th (1-based) top-level key `key`, or, with `element`, of that
    // element of its array value. Nothing if the text does not hold it.
    std::optional<std::size_t> find(std::string_view key, std::size_t occurrence, std::optional<std::size_t> element) {
        i_ = t_.find('{');  // past a UTF-8 byte order mark
        if (i_ == std::string_view::npos) return std::nullopt;
        ++i_;
        std::size_t seen = 0;
        for (;;) {
            ws();
            if (peek() != '"') return std::nullopt;
            const std::size_t at = i_;
            skip_string();
            const std::string_view name = t_.substr(at + 1, i_ - at - 2);
            ws();
            if (peek() != ':') return std::nullopt;
            ++i_;
            ws();
            if (name == key && ++seen == occurrence) return element ? nth(*element) : std::optional<std::size_t>(at);
            skip_value();
            ws();
            if (peek() != ',') return std::nullopt;
            ++i_;
        }
    }

private:
    char peek() const noexcept { return i_ < t_.size() ? t_[i_] : '\0'; }
    void ws() noexcept {
        while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) ++i_;
    }
    void skip_string() noexcept {  // at '"': past the closing one
        for (++i_; i_ < t_.size() && t_[i_] != '"'; ++i_)
            if (t_[i_] == '\\') ++i_;
        i_ = std::min(i_ + 1, t_.size());
    }
    void skip_value() noexcept {
        std::size_t depth = 0;
        while (i_ < t_.size()) {
            const char c = t_[i_];
            if (c == '"') {
                skip_string();
                if (depth == 0) return;
                continue;
            }
            if (c == '[' || c == '{') ++depth;
            else if (c == ']' || c == '}') {
                if (depth == 0) return;
                if (--depth == 0) {
                    ++i_;
                    return;
                }
            } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
                return;
            }
            ++i_;
        }
    }
    std::optional<std::size_t> nth(std::size_t k) {  // at '[': the start of element k
        if (peek() != '[') return std::nullopt;
        ++i_;
        for (std::size_t j = 0;; ++j) {
            ws();
            if (peek() == ']' || peek() == '\0') return std::nullopt;
            if (j == k) return i_;
            skip_value();
            ws();
            if (peek() != ',') return std::nullopt;
            ++i_;
        }
    }

    std::string_view t_;
    std::size_t i_ = 0;
};

// The line of what an error without one names: its entry transitions[k] or anchors[k], else the top-level key
// of its field (the second of a duplicate key).
std::optional<std::size_t> line_of_error(std::string_view text, const InputError& e) {
    const Location& loc = e.location();
    std::optional<std::size_t> at;
    const std::size_t bracket = loc.entry.find('[');
    const std::string_view array = bracket == std::string::npos ? std::string_view() : std::string_view(loc.entry).substr(0, bracket);
    if (array == "transitions" || array == "anchors") {
        std::size_t k = 0;
        const char* const first = loc.entry.data() + bracket + 1;
        const auto [end, ec] = std::from_chars(first, loc.entry.data() + loc.entry.size(), k);
        if (ec != std::errc() || *end != ']') return std::nullopt;
        at = TopLevelScan(text).find(array, 1, k);
    } else if (loc.entry.empty() && !loc.field.empty()) {
        const std::string key = loc.field.substr(0, loc.field.find_first_of("[."));
        const bool duplicate = e.message().rfind("duplicate key '" + key + "'", 0) == 0;
        at = TopLevelScan(text).find(key, duplicate ? 2 : 1, std::nullopt);
    }
    if (!at) return std::nullopt;
    return line_of(text, *at);
}

}  // namespace

void throw_located(std::string_view text, const InputError& e) {
    if (e.location().line) throw e;
    const auto line = line_of_error(text, e);
    if (!line) throw e;
    Location loc = e.location();
    loc.line = line;
    throw InputError(e.message(), std::move(loc));
}

namespace {

// Reads text into a builder with the reference parser: every error with its exact message.
void sax_parse(std::string_view text, ModelBuilder& builder, const std::string& source) {
    MdpSax sax(builder, source);
    const bool ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
    if (!ok) syntax_error(source, text, sax.error_byte_, sax.error_what_, sax.error_entry_, sax.error_field_);
    if (!sax.saw_format())
        throw InputError("missing key 'format' (must be \"softmdp/1\")", Location{source, std::nullopt, {}, "format"});
}

Model read_model_unlocated(std::string_view text, const MappedFile* file, const BuildOptions& options,
                           const std::string& source, ParsePath parser) {
    if (parser != ParsePath::reference) {
        // Its own builder, gone before the reference starts: a fallback never holds two models.
        ModelBuilder builder(source, options);
        const detail::HeaderFn header = [&](const std::string& key, const json& v) { apply_header(builder, key, v, source); };
        // build() runs on the builder either parser filled alike, so its errors need no fallback.
        if (detail::fast_scan(text, builder, header, file)) return builder.build();
        if (parser == ParsePath::fast)
            throw InputError("not read by the fast scanner", Location{source, std::nullopt, {}, {}});
    }
    ModelBuilder builder(source, options);
    sax_parse(text, builder, source);
    return builder.build();
}

// Reads a model; an error naming an entry or a key, but no line, gains the line where that lies.
Model read_model(std::string_view text, const MappedFile* file, const BuildOptions& options, const std::string& source,
                 ParsePath parser) {
    try {
        return read_model_unlocated(text, file, options, source, parser);
    } catch (const InputError& e) {
        throw_located(text, e);
    }
}

}  // namespace

Model parse_model(std::string_view text, const BuildOptions& options, const std::string& source, ParsePath parser) {
    return read_model(text, nullptr, options, source, parser);
}

Model parse_model(const MappedFile& file, const BuildOptions& options, const std::string& source, ParsePath parser) {
    return read_model(file.text(), &file, options, source, parser);
}

ModelFormat detect_model_format(std::string_view b) noexcept {
    if (is_tar(b) || is_gzip(b) || is_xz(b)) return ModelFormat::umb;
    if (is_petsc_binary(b)) return ModelFormat::petsc;
    if (is_zip(b)) return ModelFormat::npz;
    return ModelFormat::softmdp;
}

std::string_view model_format_name(ModelFormat format) noexcept {
    switch (format) {
        case ModelFormat::umb: return "UMB";
        case ModelFormat::petsc: return "PETSc binary";
        case ModelFormat::npz: return "npz";
        case ModelFormat::softmdp: break;
    }
    return "softmdp/1";
}

namespace {
Model read_binary(ModelFormat format, std::string_view bytes, const BuildOptions& options, const std::string& source,
                  const DoneWith& done = {}) {
    switch (format) {
        case ModelFormat::umb: return read_umb(bytes, source, options, done);
        case ModelFormat::petsc: return read_petsc_binary(bytes, source, options, done);
        case ModelFormat::npz: return read_npz(bytes, source, options, done);
        case ModelFormat::softmdp: break;
    }
    return parse_model(bytes, options, source);
}
}  // namespace

Model parse_any_model(std::string_view bytes, const BuildOptions& options, const std::string& source) {
    return read_binary(detect_model_format(bytes), bytes, options, source);
}

Model parse_any_model(const MappedFile& file, const BuildOptions& options, const std::string& source) {
    const ModelFormat format = detect_model_format(file.text());
    if (format == ModelFormat::softmdp) return parse_model(file, options, source);
    return read_binary(format, file.text(), options, source, [&](std::string_view part) {
        // Parts of an inflated copy (gzip UMB, DEFLATE npz members) are not in the file: nothing to give back.
        const auto base = reinterpret_cast<std::uintptr_t>(file.text().data()), at = reinterpret_cast<std::uintptr_t>(part.data());
        if (at < base || at + part.size() > base + file.text().size()) return;
        const auto from = static_cast<std::size_t>(at - base);
        file.release(from, from + part.size());
    });
}

Model load_model(const std::filesystem::path& file, const BuildOptions& options) {
    const MappedFile mapped(file, kModelFile);
    return parse_any_model(mapped, options, file.string());
}

std::string format_of(const nlohmann::json& j) {
    if (!j.is_object()) return {};
    const auto it = j.find("format");
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
    const MappedFile mapped(file, kJsonObject);
    return parse_json_text(mapped.text(), file.string());
}

namespace {

// The byte offset of the n-th object key (1-based) in JSON text: keys are the strings followed by ':'.
std::size_t offset_of_key(std::string_view text, std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '"') continue;
        const std::size_t start = i;
        for (++i; i < text.size() && text[i] != '"'; ++i)
            if (text[i] == '\\') ++i;
        std::size_t j = i + 1;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) ++j;
        if (j < text.size() && text[j] == ':' && ++seen == n) return start;
    }
    return 0;
}

// nlohmann's DOM builder, refusing a key repeated in one object (the DOM would keep the last one
// silently; the MDP loader refuses them too). Remembers where, for the message.
class StrictDomSax : public nlohmann::detail::json_sax_dom_parser<json> {
public:
    using Base = nlohmann::detail::json_sax_dom_parser<json>;
    explicit StrictDomSax(json& root) : Base(root, true) {}

    bool start_object(std::size_t n) {
        frames_.push_back({true, {}, {}, 0});
        return Base::start_object(n);
    }
    bool end_object() {
        frames_.pop_back();
        end_value();
        return Base::end_object();
    }
    bool start_array(std::size_t n) {
        frames_.push_back({false, {}, {}, 0});
        return Base::start_array(n);
    }
    bool end_array() {
        frames_.pop_back();
        end_value();
        return Base::end_array();
    }
    bool key(std::string& k) {
        ++keys_;
        auto& f = frames_.back();
        f.key = k;
        if (!f.keys.insert(k).second) {
            duplicate_ = k;
            duplicate_index_ = keys_;
            return false;
        }
        return Base::key(k);
    }
    bool null() { return end_value(), Base::null(); }
    bool boolean(bool v) { return end_value(), Base::boolean(v); }
    bool number_integer(json::number_integer_t v) { return end_value(), Base::number_integer(v); }
    bool number_unsigned(json::number_unsigned_t v) { return end_value(), Base::number_unsigned(v); }
    bool number_float(json::number_float_t v, const std::string& s) { return end_value(), Base::number_float(v, s); }
    bool string(std::string& v) { return end_value(), Base::string(v); }

    // Where the duplicate is: its enclosing object as a path (e.g. "states.x"), empty at the top.
    std::string path() const {
        std::string p;
        for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
            const auto& f = frames_[i];
            if (f.object) p += (p.empty() ? "" : ".") + f.key;
            else p += fmt::format("[{}]", f.index);
        }
        return p;
    }

    std::string duplicate_;
    std::size_t duplicate_index_ = 0;

private:
    struct Frame {
        bool object;
        std::unordered_set<std::string> keys;
        std::string key;
        std::size_t index;
    };
    // A value ended inside an array: the next one has the next index.
    void end_value() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }
    std::vector<Frame> frames_;
    std::size_t keys_ = 0;
};

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& source) {
    try {
        json root;
        StrictDomSax sax(root);
        const bool ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
        if (!ok && !sax.duplicate_.empty())
            throw InputError(fmt::format("duplicate key '{}' (each key may appear once)", sax.duplicate_),
                             Location{source, line_of(text, offset_of_key(text, sax.duplicate_index_)), {}, sax.path()});
        return root;
    } catch (const json::parse_error& e) {
        syntax_error(source, text, e.byte, e.what());
    } catch (const json::exception& e) {  // e.g. out_of_range 406: a number beyond double's range
        syntax_error(source, text, 0, e.what());
    }
}

}  // namespace softmdp
