// libFuzzer target: the Cassandra and PRISM importers. The first byte picks the format; for PRISM
// the rest is split at '\x01' bytes into NAME.tra, NAME.srew, NAME.trew and NAME.lab (absent parts:
// no such file). Any exception other than InputError/IoError, a crash or a leak is a finding.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

#include "softmdp/io/cassandra.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/prism.hpp"

namespace {
void write(const std::filesystem::path& path, std::string_view text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return;
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const std::string base = "/tmp/softmdp-fuzz-importers-" + std::to_string(::getpid());
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        if (data[0] % 2 == 0) {
            write(base + ".mdp", text);
            softmdp::read_cassandra(base + ".mdp");
        } else {
            const auto files = softmdp::prism_files(base + ".tra");
            const std::filesystem::path parts[] = {files.tra, files.srew, files.trew, files.lab};
            std::size_t at = 0;
            for (const auto& p : parts) {
                std::filesystem::remove(p);
                if (at > text.size()) continue;
                const std::size_t end = std::min(text.find('\x01', at), text.size());
                write(p, text.substr(at, end - at));
                at = end + 1;
            }
            softmdp::read_prism(files.tra, 0.9);
        }
    } catch (const softmdp::InputError&) {
    } catch (const softmdp::IoError&) {
    }
    return 0;
}
