#include "softmdp/io/csv_writer.hpp"

#include <cmath>

#include "softmdp/core/printable.hpp"
#include "softmdp/io/json_writer.hpp"

namespace softmdp {

std::string CsvWriter::field(std::string_view text) {
    const std::string s = printable(text);  // a name's line break or escape sequence stays inside its field
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string CsvWriter::field(double v) { return std::isfinite(v) ? format_double(v) : std::string(); }

void CsvWriter::row_of(std::span<const std::string> fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + fields[i];
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
}

}  // namespace softmdp
