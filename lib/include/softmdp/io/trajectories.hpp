#pragma once
// softmdp-trajectories/1 (docs/formats.md): episodes written by `softmdp simulate`, read back as the
// demonstrations of `softmdp irl`. Read: "trajectories" (each an object {"states": [...],
// "actions": [...]} or an array of [state, action] pairs; states and actions by index or name), or
// "counts" (state-action visitation counts: per state an array over all actions, null where the
// action is unavailable).
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "softmdp/core/model.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/learning/irl.hpp"
#include "softmdp/learning/simulate.hpp"

namespace softmdp {

struct TrajectoriesInfo {
    std::string policy_source;    // e.g. "soft-optimal at alpha 0.5", "uniform", a file name
    std::optional<double> alpha;  // when the policy has a temperature
    SimulateOptions options;
};

// A whole softmdp-trajectories/1 object.
void write_trajectories(JsonWriter& w, const Model& m, std::span<const Trajectory> episodes, const TrajectoriesInfo& info);

// Reads a softmdp-trajectories/1 file against the model (sizes, names, available actions).
// Throws InputError naming the entry and field, IoError when the file cannot be read.
Demonstrations read_demonstrations(const std::filesystem::path& file, const Model& m);

}  // namespace softmdp
