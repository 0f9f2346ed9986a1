#pragma once
// Line-oriented text input shared by the text importers (Cassandra, PRISM): lines with their
// numbers for error messages, whitespace-separated fields, and strict number parsing (the whole
// token, locale-independent, finite), so every importer accepts the same numbers.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace softmdp {

// The lines of a text, one at a time, with their 1-based numbers ("\r\n" endings are accepted).
class LineReader {
public:
    explicit LineReader(std::string_view text) : text_(text) {}
    // Advances to the next line; false at the end of the text.
    bool next();
    std::string_view line() const noexcept { return line_; }
    std::size_t number() const noexcept { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::string_view line_;
    std::size_t number_ = 0;
};

// Splits on spaces and tabs into `out` (cleared first; reused to avoid allocating per line).
void split_fields(std::string_view line, std::vector<std::string_view>& out);

// A finite decimal number ("0.5", ".5", "-1e-3", "+2"), or nothing (also for "inf", "nan", "0x1").
std::optional<double> parse_double(std::string_view token);

// An unsigned decimal integer made of digits only, or nothing (also on overflow).
std::optional<std::uint64_t> parse_index(std::string_view token);

}  // namespace softmdp
