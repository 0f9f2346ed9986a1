// printable(): control characters from input files never reach a terminal raw.
#include <doctest/doctest.h>

#include "softmdp/core/printable.hpp"

using namespace softmdp;

TEST_CASE("control characters are escaped, everything else is kept") {
    CHECK(printable("plain name") == "plain name");
    CHECK(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
    CHECK(printable("\x1b[31mred") == "\\x1b[31mred");
    CHECK(printable(std::string_view("nul\0x", 5)) == "nul\\x00x");
    CHECK(printable("del\x7f") == "del\\x7f");
    CHECK(printable("csi\xc2\x9b" "2J") == "csi\\u009b2J");  // U+009B, the 8-bit CSI
    CHECK(printable("caf\xc3\xa9 \xc2\xa0") == "caf\xc3\xa9 \xc2\xa0");  // e-acute and NBSP stay
    CHECK(printable("\xff") == "\xff");                                    // invalid UTF-8 is not a control
    CHECK(printable("") == "");
}
