#include "softmdp/core/errors.hpp"

#include <fmt/format.h>

namespace softmdp {

namespace {
// param() marks: the name between two ASCII separators, bytes that printable() escapes, so no name
// read from a file reaches a terminal looking like a mark.
constexpr char kOpen = '\x1e', kClose = '\x1f';

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Calls on_text for the text between marks and on_name for each marked name.
template <class Text, class Name>
void scan(std::string_view s, Text on_text, Name on_name) {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t open = s.find(kOpen, i);
        if (open == std::string_view::npos) break;
        const std::size_t close = s.find(kClose, open + 1);
        if (close == std::string_view::npos) break;
        const std::string_view name = s.substr(open + 1, close - open - 1);
        bool valid = !name.empty();
        for (char c : name) valid = valid && name_char(c);
        if (!valid) {  // not a mark: keep the byte as it is
            on_text(s.substr(i, open + 1 - i));
            i = open + 1;
            continue;
        }
        on_text(s.substr(i, open - i));
        on_name(name);
        i = close + 1;
    }
    on_text(s.substr(i));
}

std::string plain(std::string_view name) { return std::string(name); }
}  // namespace

std::string param(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += kOpen;
    out += name;
    out += kClose;
    return out;
}

std::string with_parameter_names(std::string_view text, const ParameterNamer& name) {
    std::string out;
    scan(text, [&](std::string_view t) { out += t; }, [&](std::string_view n) { out += name(n); });
    return out;
}

Error::Error(const std::string& message) : std::runtime_error(with_parameter_names(message, plain)), marked_(message) {
    scan(message, [](std::string_view) {}, [&](std::string_view n) {
        for (const auto& p : parameters_)
            if (p == n) return;
        parameters_.emplace_back(n);
    });
}

std::string_view Error::parameter() const noexcept { return parameters_.empty() ? std::string_view() : parameters_.front(); }

std::string to_string(const Location& loc) {
    std::string out = loc.file;
    if (loc.line) out += fmt::format(":{}", *loc.line);
    if (!loc.entry.empty()) {
        if (!out.empty()) out += ": ";
        out += loc.entry;
    }
    if (!loc.field.empty()) out += fmt::format("{}field '{}'", out.empty() ? "" : ": ", loc.field);
    return out;
}

InputError::InputError(const std::string& message, Location loc)
    : Error(to_string(loc).empty() ? message : to_string(loc) + ": " + message), loc_(std::move(loc)), message_(message) {}

}  // namespace softmdp
