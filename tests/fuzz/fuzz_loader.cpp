// libFuzzer target: the softmdp/1 loaders (discrete streaming and continuous) and the binary readers
// (UMB, PETSc binary, npz; loader.hpp's parse_any_model) must answer any input
// with a model or an InputError, never a crash, a hang or a sanitizer report; and the discrete
// loader's fast scanner (with its fallback) must answer exactly as the reference parser alone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/continuous_reader.hpp"

namespace {

template <class T>
void append(std::string& out, const std::vector<T>& v) {
    out += std::to_string(v.size()) + ':';
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// The model's every array, as bytes (so -0.0 and +0.0 differ), or the error message.
std::string outcome(std::string_view text, softmdp::ParsePath path) {
    try {
        const softmdp::Model m = softmdp::parse_model(text, {}, "fuzz", path);
        const softmdp::ModelData& d = m.data();
        std::string out = d.name + '\n';
        for (const auto& names : {d.state_names, d.action_names})
            for (const auto& n : names) out += n + '\n';
        append(out, std::vector<double>{d.discount});
        append(out, std::vector<std::size_t>{d.num_states, d.num_actions, d.grid_rows, d.grid_cols});
        append(out, d.initial);
        append(out, d.state_begin);
        append(out, d.row_action);
        append(out, d.row_reward);
        append(out, d.row_begin);
        append(out, d.transitions);  // packed: no padding bytes
        append(out, d.next_reward);
        return out;
    } catch (const softmdp::InputError& e) {
        return e.what();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        // Binary models (UMB, PETSc, npz): a model or an error, never a crash (seeded by tests/bad's).
        if (softmdp::detect_model_format(text) != softmdp::ModelFormat::softmdp) {
            softmdp::BuildOptions options;
            options.discount = 0.9;  // files without one go on to the arrays
            softmdp::parse_any_model(text, options, "fuzz");
            return 0;
        }
        if (softmdp::is_continuous_text(text)) softmdp::parse_continuous_model(text, "fuzz");
        else if (outcome(text, softmdp::ParsePath::automatic) != outcome(text, softmdp::ParsePath::reference))
            __builtin_trap();
    } catch (const softmdp::InputError&) {
    } catch (const softmdp::UsageError&) {
    }
    return 0;
}
