#pragma once
// Streaming JSON output for large results and generated MDPs: values go out as they are produced,
// so writing a million-state result never builds a DOM. Strings are escaped by nlohmann/json;
// doubles are written in the shortest form that reads back exactly (non-finite -> null).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace softmdp {

class JsonWriter {
public:
    explicit JsonWriter(std::FILE* out) : out_(out) {}
    ~JsonWriter();
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(double v);
    JsonWriter& value(std::int64_t v);
    JsonWriter& value(std::uint64_t v);
    JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonWriter& value(bool v);
    JsonWriter& value(std::string_view v);
    JsonWriter& value(const char* v) { return value(std::string_view(v)); }
    JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
    JsonWriter& null();
    JsonWriter& value(const nlohmann::json& v);  // a small DOM value, written compactly
    // Writes what is buffered to the FILE (the caller flushes and checks the FILE).
    void flush();

private:
    void separate(bool container);
    void put(std::string_view s);
    std::FILE* out_;
    std::string buf_;
    struct Level {
        bool object;
        bool empty = true;
        bool multiline;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

// Shortest round-trip text of a double ("null" when not finite).
std::string format_double(double v);

}  // namespace softmdp
