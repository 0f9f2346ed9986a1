#pragma once
// softmdp-features/1 (docs/formats.md): linear reward features for `softmdp irl`.
//   {"format": "softmdp-features/1", "names": ["f0", ...] (optional), "per": "state" | "state_action",
//    "features": per state (an array over states, terminal states may be null):
//        per state:        [phi_0(s), ..., phi_{K-1}(s)]
//        per state_action: an array over all actions of [phi_0(s,a), ...], null where unavailable}
#include <filesystem>

#include "softmdp/analysis/features.hpp"
#include "softmdp/core/model.hpp"

namespace softmdp {

// Throws InputError naming the entry and field, IoError when the file cannot be read.
Features read_features(const std::filesystem::path& file, const Model& m);

}  // namespace softmdp
