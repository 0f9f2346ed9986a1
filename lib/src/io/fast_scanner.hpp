#pragma once
// The fast path of the softmdp/1 loader (internal to loader.cpp): a hand-written scanner for the
// common case. It makes the same ModelBuilder calls, in the same order, as the reference SAX
// parser, and gives up on anything it does not handle with certainty, so that the reference reads
// the file again and reports any error with its exact message.
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "softmdp/io/loader.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp::detail {

// Applies one top-level key other than "transitions" (the loader's own checks of header values).
using HeaderFn = std::function<void(const std::string& key, const nlohmann::json& value)>;

// Reads `text` into the builder. Returns false, leaving the builder in an unspecified state, when
// the text has anything unusual (escapes or non-ASCII bytes in strings, an index that is not a
// plain integer, a number out of double's range), is not valid JSON, or fails a check of the
// format. `file`, when given, is the file `text` belongs to: its pages are released behind the
// scanner.
bool fast_scan(std::string_view text, ModelBuilder& builder, const HeaderFn& header, const MappedFile* file);

}  // namespace softmdp::detail
