#pragma once
// CSV output, the other text format besides JSON (json_writer.hpp): the tables the CLI prints with
// --format csv, one row at a time.
#include <concepts>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace softmdp {

// CSV rows: a field is quoted when it holds a comma, a quote or a line break; doubles in the
// shortest form that reads back exactly; absent or non-finite numbers are empty fields.
class CsvWriter {
public:
    explicit CsvWriter(std::FILE* out) : out_(out) {}
    template <class... T>
    void row(const T&... fields) {
        const std::vector<std::string> f{field(fields)...};
        row_of(f);
    }
    void row_of(std::span<const std::string> fields);

    static std::string field(std::string_view s);
    static std::string field(const char* s) { return field(std::string_view(s)); }
    static std::string field(const std::string& s) { return field(std::string_view(s)); }
    static std::string field(double v);
    static std::string field(const std::optional<double>& v) { return v ? field(*v) : std::string(); }
    static std::string field(bool v) { return v ? "true" : "false"; }
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    static std::string field(T v) {
        return std::to_string(v);
    }

private:
    std::FILE* out_;
};

}  // namespace softmdp
