// <softmdp/version.hpp> is generated from project(softmdp VERSION ...): it and `softmdp --version` must
// say what CMakeLists.txt says, read here from the file itself.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "softmdp/version.hpp"
#include "test_helpers.hpp"

TEST_CASE("version.hpp and softmdp --version carry project(VERSION) of CMakeLists.txt") {
    std::ifstream in(std::string(SOFTMDP_SOURCE_DIR) + "/CMakeLists.txt");
    std::stringstream text;
    text << in.rdbuf();
    const std::string cmake = text.str();
    std::smatch v;
    REQUIRE(std::regex_search(cmake, v, std::regex(R"(project\(softmdp VERSION (\d+)\.(\d+)\.(\d+))")));
    CHECK(SOFTMDP_VERSION_MAJOR == std::stoi(v[1].str()));
    CHECK(SOFTMDP_VERSION_MINOR == std::stoi(v[2].str()));
    CHECK(SOFTMDP_VERSION_PATCH == std::stoi(v[3].str()));
    const std::string version = v[1].str() + "." + v[2].str() + "." + v[3].str();
    CHECK(std::string(SOFTMDP_VERSION_STRING) == version);
    CHECK(std::string(softmdp::version_string) == version);
    CHECK(SOFTMDP_VERSION == 10000 * std::stoi(v[1].str()) + 100 * std::stoi(v[2].str()) + std::stoi(v[3].str()));

    const auto run = softmdp::test::run_cli("--version");
    CHECK(run.code == 0);
    CHECK(run.out == "softmdp " + version + "\n");
}
