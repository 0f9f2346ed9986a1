#include "fast_scanner.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

#include "softmdp/core/errors.hpp"

namespace softmdp::detail {
namespace {

// Thrown inside the scanner, and caught in fast_scan only, on anything it does not handle with
// certainty: the reference parser then reads the text again.
struct Unhandled {};

// The scanner releases the file's pages behind it in steps of this size.
constexpr std::size_t kReleaseStep = std::size_t{16} << 20;
// After this many entries, the builder reserves room for the entries the rest of the text holds.
constexpr std::size_t kSampleEntries = 4096;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

class Scanner {
public:
    Scanner(std::string_view text, ModelBuilder& b, const HeaderFn& header, const MappedFile* file)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), b_(b), header_(header), file_(file) {}

    // The whole text: one object, then only whitespace.
    void document() {
        skip_ws();
        expect('{');
        skip_ws();
        bool saw_format = false;
        std::vector<std::string> keys;  // a repeated key is left to the reference, which reports it
        if (peek() != '}') {
            do {
                const std::string key(string());
                if (std::find(keys.begin(), keys.end(), key) != keys.end()) throw Unhandled{};
                keys.push_back(key);
                skip_ws();
                expect(':');
                skip_ws();
                if (key == "transitions") {
                    transitions();
                } else {
                    header(key);
                    saw_format |= key == "format";
                }
            } while (comma());
        }
        expect('}');
        skip_ws();
        if (p_ != end_ || !saw_format) throw Unhandled{};
        release(end_);
    }

private:
    // The current character, or '\0' at the end (never valid there, so every caller stops).
    char peek() const noexcept { return p_ < end_ ? *p_ : '\0'; }
    void expect(char c) {
        if (peek() != c) throw Unhandled{};
        ++p_;
    }
    void skip_ws() noexcept {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    void skip_digits() noexcept {
        while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    // Whitespace, then either a comma and whitespace (true) or something else (false).
    bool comma() noexcept {
        skip_ws();
        if (peek() != ',') return false;
        ++p_;
        skip_ws();
        return true;
    }

    // A string of printable ASCII without escapes (anything else is left to the reference, which
    // decodes escapes and checks UTF-8). Returns a view into the text.
    std::string_view string() {
        expect('"');
        const char* const first = p_;
        for (; p_ < end_; ++p_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') return {first, static_cast<std::size_t>(p_++ - first)};
            if (c < 0x20 || c >= 0x80 || c == '\\') break;
        }
        throw Unhandled{};
    }

    // A state or action: a plain integer index (no sign, fraction or exponent: the reference reports
    // those as errors) or a name.
    Ref ref() {
        if (peek() == '"') return Ref::named(string());
        if (!is_digit(peek())) throw Unhandled{};
        const char* const first = p_;
        std::uint64_t v = 0;
        if (*p_ == '0') ++p_;  // JSON has no leading zeros: "01" is a syntax error
        else
            for (; p_ < end_ && is_digit(*p_); ++p_) v = 10 * v + static_cast<std::uint64_t>(*p_ - '0');
        const char c = peek();
        if (p_ - first > 19 || is_digit(c) || c == '.' || c == 'e' || c == 'E') throw Unhandled{};
        return Ref::at(v);
    }

    // A JSON number, converted exactly as nlohmann/json converts it: integers as 64-bit integers,
    // then to double (so "-0" is +0.0); others, and integers beyond 64 bits, by a correctly rounded
    // decimal conversion (std::from_chars here, strtod there).
    double number() {
        const char* const first = p_;
        if (peek() == '-') ++p_;
        if (peek() == '0') ++p_;
        else if (is_digit(peek())) skip_digits();
        else throw Unhandled{};
        bool integer = true;
        if (peek() == '.') {
            ++p_;
            if (!is_digit(peek())) throw Unhandled{};
            skip_digits();
            integer = false;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++p_;
            if (peek() == '+' || peek() == '-') ++p_;
            if (!is_digit(peek())) throw Unhandled{};
            skip_digits();
            integer = false;
        }
        if (integer) {
            if (*first == '-') {
                std::int64_t i = 0;
                if (std::from_chars(first, p_, i).ec == std::errc()) return static_cast<double>(i);
            } else {
                std::uint64_t u = 0;
                if (std::from_chars(first, p_, u).ec == std::errc()) return static_cast<double>(u);
            }
        }
        double v = 0.0;
        const auto [end, ec] = std::from_chars(first, p_, v);
        // Out of range: 1e400 is an error, 1e-400 is 0 for nlohmann; both are left to it.
        if (ec != std::errc() || end != p_) throw Unhandled{};
        return v;
    }

    // "transitions": [entry, ...]
    void transitions() {
        expect('[');
        skip_ws();
        if (peek() != ']') {
            const char* const first = p_;
            do {
                entry();
                if (b_.entries() == kSampleEntries) reserve_rest(first);
                if (p_ - released_ >= static_cast<std::ptrdiff_t>(kReleaseStep)) release(p_);
            } while (comma());
        }
        expect(']');
    }

    // {"s": S, "a": A, "r": R, "next": [...]}, keys in any order.
    void entry() {
        expect('{');
        b_.begin_entry();
        skip_ws();
        if (peek() != '}') {
            unsigned seen = 0;  // s, a, r, next: a repeated field is left to the reference
            do {
                const std::string_view key = string();
                skip_ws();
                expect(':');
                skip_ws();
                const unsigned bit = key == "s" ? 1u : key == "a" ? 2u : key == "r" ? 4u : key == "next" ? 8u : 0u;
                if (seen & bit) throw Unhandled{};
                seen |= bit;
                if (key == "s") b_.entry_state(ref());
                else if (key == "a") b_.entry_action(ref());
                else if (key == "r") b_.entry_reward(number());
                else if (key == "next") next();
                else throw Unhandled{};
            } while (comma());
        }
        expect('}');
        b_.end_entry();
    }

    // [[TO, P], [TO, P, R_TO], ...]
    void next() {
        expect('[');
        skip_ws();
        if (peek() != ']') {
            do {
                expect('[');
                skip_ws();
                const Ref to = ref();
                skip_ws();
                expect(',');
                skip_ws();
                const double p = number();
                const double r = comma() ? number() : 0.0;
                skip_ws();
                expect(']');
                b_.entry_next(to, p, r);
            } while (comma());
        }
        expect(']');
    }

    // Any other top-level key: small values, parsed by nlohmann/json and checked by the loader.
    void header(const std::string& key) {
        const char* const first = p_;
        skip_value();
        // A key repeated inside an object (which nlohmann/json keeps the last of) is left to the reference.
        std::vector<std::vector<std::string>> open;
        bool repeated = false;
        const nlohmann::json::parser_callback_t check = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& v) {
            using E = nlohmann::json::parse_event_t;
            if (event == E::object_start) open.emplace_back();
            else if (event == E::object_end) open.pop_back();
            else if (event == E::key && !open.empty()) {
                auto& keys = open.back();
                const auto& k = v.get_ref<const std::string&>();
                repeated |= std::find(keys.begin(), keys.end(), k) != keys.end();
                keys.push_back(k);
            }
            return true;
        };
        const auto value = nlohmann::json::parse(first, p_, check, /*allow_exceptions=*/false);
        if (value.is_discarded() || repeated) throw Unhandled{};
        header_(key, value);
    }

    // Moves past one JSON value without checking it (nlohmann/json checks it afterwards).
    void skip_value() {
        std::size_t depth = 0;
        do {
            switch (peek()) {
                case '\0': throw Unhandled{};
                case '"':
                    for (++p_; p_ < end_ && *p_ != '"'; ++p_)
                        if (*p_ == '\\' && p_ + 1 < end_) ++p_;
                    expect('"');
                    break;
                case '[':
                case '{': ++depth, ++p_; break;
                case ']':
                case '}':
                    if (depth == 0) return;
                    --depth, ++p_;
                    break;
                case ',':
                    if (depth == 0) return;
                    ++p_;
                    break;
                default: ++p_;
            }
        } while (depth > 0 || (peek() != ',' && peek() != '}' && peek() != '\0'));
    }

    // The builder reserves room for the rest of the entries, extrapolated (2% to spare) from those
    // read since `first` to the rest of the text: no vector then doubles, which would copy it and
    // briefly hold it twice. Room reserved and never used is never touched, so costs no memory.
    void reserve_rest(const char* first) {
        const double scale = 1.02 * (1.0 + static_cast<double>(end_ - p_) / static_cast<double>(p_ - first));
        b_.reserve(static_cast<std::size_t>(static_cast<double>(b_.entries()) * scale),
                   static_cast<std::size_t>(static_cast<double>(b_.transitions()) * scale));
    }

    // Releases the file's pages before `upto` (from the start: released pages cost nothing to
    // release again, and a page that straddled the last `upto` is released now).
    void release(const char* upto) {
        if (file_ != nullptr) file_->release(0, static_cast<std::size_t>(upto - begin_));
        released_ = upto;
    }

    const char* const begin_;
    const char* p_;
    const char* const end_;
    const char* released_ = begin_;
    ModelBuilder& b_;
    const HeaderFn& header_;
    const MappedFile* file_;
};

}  // namespace

bool fast_scan(std::string_view text, ModelBuilder& builder, const HeaderFn& header, const MappedFile* file) {
    try {
        Scanner(text, builder, header, file).document();
        return true;
    } catch (const Unhandled&) {
    } catch (const InputError&) {  // a check of the builder or of a header value
    }
    return false;
}

}  // namespace softmdp::detail
