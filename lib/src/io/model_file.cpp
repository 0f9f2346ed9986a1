#include "softmdp/io/model_file.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/cassandra.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/mapped_file.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/npz.hpp"
#include "softmdp/io/petsc_binary.hpp"
#include "softmdp/io/umb.hpp"

namespace softmdp {

bool is_model_file_format(std::string_view name) noexcept {
    constexpr std::array<std::string_view, 6> kNames{"softmdp", "cassandra", "prism", "umb", "petsc", "npz"};
    return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

std::string_view model_file_format(const std::filesystem::path& path, bool look_inside) {
    std::error_code ec;
    if (look_inside && std::filesystem::is_regular_file(path, ec)) {
        const MappedFile head(path);
        switch (detect_model_format(head.text())) {
            case ModelFormat::umb: return "umb";
            case ModelFormat::petsc: return "petsc";
            case ModelFormat::npz: return "npz";
            case ModelFormat::softmdp: break;
        }
    }
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".json") return "softmdp";
    if (ext == ".mdp" || ext == ".pomdp") return "cassandra";
    if (ext == ".tra") return "prism";
    if (ext == ".umb") return "umb";
    if (ext == ".petsc" || ext == ".bin") return "petsc";
    if (ext == ".npz") return "npz";
    return {};
}

void write_model(std::FILE* out, const Model& m, std::string_view format) {
    if (format == "softmdp") {
        JsonWriter w(out);
        write_softmdp(w, m);
        w.flush();
    } else if (format == "cassandra") {
        write_cassandra(out, m);
    } else if (format == "umb" || format == "petsc" || format == "npz") {
        FileSink sink(out);
        if (format == "umb") write_umb(sink, m);
        if (format == "petsc") write_petsc_binary(sink, m);
        if (format == "npz") write_npz(sink, m);
        sink.flush();
    } else {
        throw UsageError(fmt::format("write_model: format must be softmdp, cassandra, umb, petsc or npz (one file), got '{}'", format));
    }
}

}  // namespace softmdp
