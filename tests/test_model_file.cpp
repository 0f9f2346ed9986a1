#include <doctest/doctest.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/model_file.hpp"
#include "softmdp/io/output_file.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("model_file_format: the extension, in any case; a binary file by its first bytes when asked to look") {
    CHECK(model_file_format("a/m.json", false) == "softmdp");
    CHECK(model_file_format("m.MDP", false) == "cassandra");
    CHECK(model_file_format("m.pomdp", false) == "cassandra");
    CHECK(model_file_format("m.tra", false) == "prism");
    CHECK(model_file_format("m.umb", false) == "umb");
    CHECK(model_file_format("m.Bin", false) == "petsc");
    CHECK(model_file_format("m.petsc", false) == "petsc");
    CHECK(model_file_format("m.npz", false) == "npz");
    CHECK(model_file_format("m.txt", false).empty());
    CHECK(model_file_format("-", true).empty());
    CHECK(is_model_file_format("prism"));
    CHECK_FALSE(is_model_file_format("json"));

    // An npz written under a misleading name is still npz when the content is read; not otherwise.
    const auto dir = test::temp_dir("model-file");
    const Model m = test::example("chain2.json");
    const auto path = dir / "really_npz.json";
    {
        OutputFile f(path.string());
        write_model(f.stream(), m, "npz");
        f.commit();
    }
    CHECK(model_file_format(path, true) == "npz");
    CHECK(model_file_format(path, false) == "softmdp");
    CHECK(load_model(path).data().transitions == m.data().transitions);
    CHECK_THROWS_AS(write_model(stdout, m, "prism"), UsageError);
}
