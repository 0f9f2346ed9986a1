#include "softmdp/core/errors.hpp"

#include <fmt/format.h>

namespace softmdp {

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
    : std::runtime_error(to_string(loc).empty() ? message : to_string(loc) + ": " + message),
      loc_(std::move(loc)),
      message_(message) {}

}  // namespace softmdp
