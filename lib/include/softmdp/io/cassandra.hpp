#pragma once
// Cassandra's POMDP/MDP text format (as read by pomdp-solve and AI-Toolbox), MDP subset:
//   discount: G   values: reward|cost   states: N|names   actions: N|names   [observations: N|names]
//   start: probabilities | uniform | state   [start include/exclude: ... ]
//   T: a : s : s' p      T: a : s  (row of N)      T: a  (N x N matrix, or identity / uniform)
//   R: a : s : s' [: o] r
//   O: a : s' : o p      O: a : s'  (row of O)      O: a  (N x O matrix, or uniform)
// with * wildcards for a, s, s' (and o). A reward that names an observation o is averaged over the
// observation model: R(a,s,s') = sum_o O(o | a, s') R(a,s,s',o) (refused without O: lines). Terminal states do not exist in this format: on export a
// softmdp terminal state becomes an absorbing state with reward 0 under every action (the same hard
// values; soft values differ there, since the absorbing state then collects entropy).
#include <filesystem>
#include <string>

#include "softmdp/io/json_writer.hpp"
#include "softmdp/core/model.hpp"

namespace softmdp {

// Reads a Cassandra .MDP/.POMDP file into a validated model. Throws InputError (with file:line).
Model read_cassandra(const std::filesystem::path& file);

// Writes a model as Cassandra text. Throws UsageError when an action is unavailable in a
// non-terminal state (the format has every action everywhere).
void write_cassandra(std::FILE* out, const Model& m);

// Writes a model as softmdp/1 (names, initial distribution, per-successor rewards kept).
void write_softmdp(JsonWriter& w, const Model& m);

}  // namespace softmdp
