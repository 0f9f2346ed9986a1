// PETSc binary (petsc_binary.hpp): round trips, and hand-made files in madupite's layout.
#include <doctest/doctest.h>

#include "softmdp/io/petsc_binary.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {
// Big-endian bytes, written by hand from PETSc's MatLoad/VecLoad layout.
std::string be32(std::int32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((static_cast<std::uint32_t>(v) >> (24 - 8 * i)) & 0xff);
    return s;
}
std::string be64(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, 8);
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((u >> (56 - 8 * i)) & 0xff);
    return s;
}
// 2 states, 2 actions: (0,0) -> 0.25 s0 + 0.75 s1; (0,1) unavailable (empty row); (1,0) -> s1;
// (1,1) -> s0. Rewards as a dense S x A matrix (nonzeros -1).
std::string two_state_p() {
    return be32(1211216) + be32(4) + be32(2) + be32(4) + be32(2) + be32(0) + be32(1) + be32(1) + be32(0) + be32(1) + be32(1) + be32(0) +
           be64(0.25) + be64(0.75) + be64(1.0) + be64(1.0);
}
std::string two_state_r() { return be32(1211216) + be32(2) + be32(2) + be32(-1) + be64(1.5) + be64(0.0) + be64(-2.0) + be64(3.0); }
}  // namespace

TEST_CASE("PETSc: JSON -> PETSc -> JSON is exact on the examples and a Garnet; V bit for bit; the Python reader agrees") {
    test::check_binary_round_trip("petsc", false);
}

TEST_CASE("PETSc: madupite's separate P and g files, concatenated, with --discount; an empty row is an unavailable action") {
    const auto dir = test::temp_dir("petsc-hand");
    test::write_file(dir / "P.bin", two_state_p());
    test::write_file(dir / "g.bin", two_state_r());
    const auto p_only = test::run_cli("info " + (dir / "P.bin").string() + " --discount 0.9");
    CHECK(p_only.code == 2);
    CHECK(p_only.err.find("field 'R'") != std::string::npos);
    test::write_file(dir / "model.petsc", two_state_p() + two_state_r());
    const auto no_discount = test::run_cli("info " + (dir / "model.petsc").string());
    CHECK(no_discount.code == 2);
    CHECK(no_discount.err.find("--discount") != std::string::npos);
    BuildOptions options;
    options.discount = 0.9;
    const Model m = load_model(dir / "model.petsc", options);
    CHECK(m.discount() == 0.9);
    REQUIRE(m.num_rows() == 3);
    CHECK(m.num_available(0) == 1);
    CHECK(m.row_action(0) == 0);
    CHECK(m.row_reward(0) == 1.5);
    CHECK(m.transitions(0)[0] == Transition(0, 0.25));
    CHECK(m.transitions(0)[1] == Transition(1, 0.75));
    CHECK(m.row_reward(1) == -2.0);
    CHECK(m.row_reward(2) == 3.0);
    CHECK(m.transitions(2)[0] == Transition(0, 1.0));
    // The reward of the unavailable pair (0, 1) is 0 in g.bin; a softmdp file carries the discount itself.
    const std::string back = (dir / "back.petsc").string();
    REQUIRE(test::run_cli("convert " + (dir / "model.petsc").string() + " " + back + " --discount 0.5").code == 0);
    CHECK(load_model(back).discount() == 0.5);
    CHECK(load_model(back).data().transitions == m.data().transitions);
}
