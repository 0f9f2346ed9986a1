#include "softmdp/io/json_writer.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace softmdp {

std::string format_double(double v) {
    if (!std::isfinite(v)) return "null";
    return fmt::format("{}", v);
}

JsonWriter::~JsonWriter() { flush(); }

void JsonWriter::put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1U << 16)) flush();
}

void JsonWriter::flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
}

// Objects at the top two levels, and containers inside top-level arrays (per-state rows, transition
// entries), go one per line; anything deeper stays compact.
void JsonWriter::separate(bool container) {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (stack_.empty()) return;
    Level& top = stack_.back();
    if (!top.empty) put(",");
    if (top.multiline || (container && !top.object && stack_.size() <= 2)) {
        put("\n");
        put(std::string(2 * stack_.size(), ' '));
    }
    top.empty = false;
}

JsonWriter& JsonWriter::begin_object() {
    separate(true);
    put("{");
    stack_.push_back({true, true, stack_.size() < 2});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    const Level l = stack_.back();
    stack_.pop_back();
    if (l.multiline && !l.empty) {
        put("\n");
        put(std::string(2 * stack_.size(), ' '));
    }
    put("}");
    if (stack_.empty()) put("\n");
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate(true);
    put("[");
    stack_.push_back({false, true, false});
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    stack_.pop_back();
    put("]");
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    separate(false);
    put(nlohmann::json(k).dump());
    put(": ");
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(double v) {
    separate(false);
    put(format_double(v));
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
    separate(false);
    put(fmt::format("{}", v));
    return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t v) {
    separate(false);
    put(fmt::format("{}", v));
    return *this;
}

JsonWriter& JsonWriter::value(bool v) {
    separate(false);
    put(v ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view v) {
    separate(false);
    put(nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate(false);
    put("null");
    return *this;
}

JsonWriter& JsonWriter::value(const nlohmann::json& v) {
    separate(v.is_structured());
    put(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return *this;
}

}  // namespace softmdp
