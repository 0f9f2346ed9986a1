#pragma once
// Names and messages come from input files: a control character in them (an escape sequence, a
// carriage return, a line break) must not reach a terminal or split a table or CSV row. Every name
// printed in a table, a CSV field or a message goes through printable(); JSON escapes on its own.
#include <string>
#include <string_view>

namespace softmdp {

// `text` with each C0 control character (bytes 0x00-0x1f), DEL (0x7f) and UTF-8-encoded C1 control
// (U+0080-U+009F, e.g. the one-byte CSI U+009B) written as an escape: \n, \r, \t, \xNN or \u00NN.
// Everything else, including other UTF-8 and invalid bytes, is kept as it is.
std::string printable(std::string_view text);

}  // namespace softmdp
