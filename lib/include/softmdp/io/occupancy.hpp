#pragma once
// softmdp-occupancy/1 (docs/formats.md), written by `softmdp occupancy`.
#include <optional>
#include <span>
#include <string>

#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/io/json_writer.hpp"

namespace softmdp {

// pi: the stationary per-row policy the occupancy is of, described by policy_source; `summary` =
// summarise(m, occ) (analysis/occupancy.hpp): the writer only formats.
void write_occupancy(JsonWriter& w, const Model& m, const Occupancy& occ, const OccupancySummary& summary, std::span<const double> pi,
                     const std::string& policy_source, std::optional<double> alpha);

}  // namespace softmdp
