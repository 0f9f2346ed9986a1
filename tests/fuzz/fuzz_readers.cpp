// libFuzzer target: the readers of policy, result and Q-table files against a fixed model.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/io/q_table_reader.hpp"
#include "softmdp/io/policy_reader.hpp"

namespace {
const softmdp::Model& model() {
    static const softmdp::Model m = softmdp::parse_model(R"({"format": "softmdp/1", "discount": 0.9,
        "states": ["A", "B", "T"], "actions": ["stay", "move"], "transitions": [
        {"s": "A", "a": "stay", "r": 1, "next": [["A", 1]]}, {"s": "A", "a": "move", "next": [["B", 0.5], ["T", 0.5]]},
        {"s": "B", "a": "stay", "r": 2, "next": [["B", 1]]}]})");
    return m;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/softmdp-fuzz-readers-" + std::to_string(::getpid()) + ".json";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    for (int which = 0; which < 3; ++which) {
        try {
            if (which == 0) softmdp::read_policy(path, model());
            if (which == 1) softmdp::read_result_values(path, model());
            if (which == 2) softmdp::read_q_table(path, model());
        } catch (const softmdp::InputError&) {
        } catch (const softmdp::IoError&) {
        }
    }
    return 0;
}
