// NumPy .npz (npz.hpp): round trips, numpy.savez / savez_compressed files made in Python, SciPy's load_npz.
#include <doctest/doctest.h>

#include "softmdp/io/npz.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("npz: JSON -> npz -> JSON is exact on the examples and a Garnet; V bit for bit; numpy reads it") {
    test::check_binary_round_trip("npz", false);
}

TEST_CASE("npz: files made by numpy.savez and savez_compressed (the documented recipe) read as the model") {
    const auto dir = test::temp_dir("npz-python");
    // 2 states x 2 actions, rows s*A + a; row 1 (state 0, action 1) empty: unavailable. Rewards in
    // Fortran order in the compressed file, a flat S*A vector in the other, int32 indptr.
    const std::string script = R"(
import numpy as np, sys
indptr = np.array([0, 2, 2, 3, 4], dtype=np.int32)
indices = np.array([0, 1, 1, 0], dtype=np.int32)
data = np.array([0.25, 0.75, 1.0, 1.0])
R = np.array([[1.5, 0.0], [-2.0, 3.0]])
np.savez(sys.argv[1], indptr=indptr, indices=indices, data=data, shape=np.array([4, 2]), rewards=R.ravel(), discount=0.9)
np.savez_compressed(sys.argv[2], indptr=indptr.astype(np.int64), indices=indices, data=data, shape=np.array([4, 2]),
                    rewards=np.asfortranarray(R), discount=np.float64(0.9), initial=np.array([1.0, 0.0]))
)";
    test::write_file(dir / "make.py", script);
    REQUIRE(std::system((test::python() + " " + (dir / "make.py").string() + " " + (dir / "a.npz").string() + " " +
                         (dir / "b.npz").string())
                            .c_str()) == 0);
    for (const char* f : {"a.npz", "b.npz"}) {
        CAPTURE(f);
        const Model m = load_model(dir / f);
        CHECK(m.discount() == 0.9);
        REQUIRE(m.num_rows() == 3);
        CHECK(m.num_available(0) == 1);
        CHECK(m.row_reward(0) == 1.5);
        CHECK(m.transitions(0)[1] == Transition(1, 0.75));
        CHECK(m.row_reward(1) == -2.0);
        CHECK(m.row_reward(2) == 3.0);
        CHECK(m.transitions(2)[0] == Transition(0, 1.0));
    }
    CHECK(load_model(dir / "b.npz").initial()[0] == 1.0);
    // SciPy reads softmdp's P directly.
    const std::string out = (dir / "c.npz").string();
    REQUIRE(test::run_cli("convert " + (dir / "a.npz").string() + " " + out).code == 0);
    const std::string check = test::python() + " -c \"import scipy.sparse as sp, sys; P = sp.load_npz(sys.argv[1]); "
                              "assert P.shape == (4, 2) and P[0, 1] == 0.75 and P[1].nnz == 0\" " + out;
    CHECK(std::system(check.c_str()) == 0);
}
