#pragma once
// softmdp-irl/1 (docs/formats.md), written by `softmdp irl`.
#include "softmdp/analysis/features.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/learning/irl.hpp"

namespace softmdp {

// res.model must be set (irl() sets it): the names and the learned reward come from it.
void write_irl(JsonWriter& w, const IrlResult& res, const Features& phi, const IrlOptions& opt);

}  // namespace softmdp
