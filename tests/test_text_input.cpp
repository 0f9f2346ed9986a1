// The line reader and the strict number parsers the text importers share.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "softmdp/io/text_input.hpp"

using namespace softmdp;

TEST_CASE("lines keep their numbers; CRLF endings and a missing last newline are fine") {
    LineReader r("a b\r\n\n  c\t d  \ne");
    std::vector<std::pair<std::size_t, std::string>> lines;
    while (r.next()) lines.emplace_back(r.number(), std::string(r.line()));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].second == "a b");
    CHECK(lines[1].second.empty());
    CHECK(lines[3] == std::make_pair(std::size_t{4}, std::string("e")));
    std::vector<std::string_view> f;
    split_fields(lines[2].second, f);
    CHECK(f == std::vector<std::string_view>{"c", "d"});
    LineReader empty("");
    CHECK_FALSE(empty.next());
    LineReader one("x\n");
    CHECK(one.next());
    CHECK_FALSE(one.next());
}

TEST_CASE("numbers are whole tokens, finite, locale-independent") {
    CHECK(parse_double("0.5") == 0.5);
    CHECK(parse_double(".5") == 0.5);
    CHECK(parse_double("+2") == 2.0);
    CHECK(parse_double("-1e-3") == -1e-3);
    CHECK(parse_double("0.1") == 0.1);  // correctly rounded
    for (const char* bad : {"", "+", "-", "1,5", "0.5x", "inf", "nan", "1e400", "0x10", "++1", " 1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_double(bad).has_value());
    }
    CHECK(parse_index("0") == 0u);
    CHECK(parse_index("18446744073709551615") == 18446744073709551615ULL);
    for (const char* bad : {"", "-1", "+1", "1.0", "18446744073709551616", "1e3"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_index(bad).has_value());
    }
}
