// libFuzzer target: the softmdp/1 loaders (discrete streaming and continuous) must answer any input
// with a model or an InputError, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "softmdp/continuous_model.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        if (softmdp::is_continuous_text(text)) softmdp::parse_continuous_model(text, "fuzz");
        else softmdp::parse_model(text, {}, "fuzz");
    } catch (const softmdp::InputError&) {
    } catch (const softmdp::UsageError&) {
    }
    return 0;
}
