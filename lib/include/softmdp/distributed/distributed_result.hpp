#pragma once
// The softmdp-result/1 document of a distributed solve (schema in docs/formats.md), the same fields
// and order as the serial writer (io/result.hpp: write_result): rank 0 writes it atomically
// (io/output_file.hpp) while every other rank sends its block field by field, so rank 0 never holds
// more than one block of one field besides its own (values, then Q, the policy, entropies, greedy
// actions per state).
#include <string>

#include "softmdp/distributed/distributed_model.hpp"
#include "softmdp/distributed/distributed_solve.hpp"

namespace softmdp::distributed {

// Collective. `path` "-" is stdout. A failure (e.g. the directory is not writable) is agreed: every
// rank throws the same IoError and no file (not even a temporary one) is left.
void write_distributed_result(const DistributedModel& dm, const DistributedSolution& ds, const std::string& path);

// For models whose result is too large for one rank (--json-shards PREFIX): rank r writes its states'
// part, shard_path(prefix, r) = PREFIX-r.json, "format": "softmdp-result-shard/1" with rank, ranks,
// first_state, num_states and the per-state arrays of softmdp-result/1 (states, values, q, policy,
// entropy, greedy) for its states; then rank 0 writes the index PREFIX.json, "format":
// "softmdp-result-shards/1": "result" (the softmdp-result/1 document without the per-state arrays),
// num_states, "arrays" (their keys) and "shards" (file name relative to the index, rank, first_state,
// num_states). The result document = index.result + each array concatenated over the shards in rank
// order. Each file is atomic (io/output_file.hpp); the shards are renamed into place only once every
// rank has written its own, the index last, so an index always names complete shards. Collective;
// failures agreed (every rank throws the same error).
void write_distributed_shards(const DistributedModel& dm, const DistributedSolution& ds, const std::string& prefix);
std::string shard_path(const std::string& prefix, int rank);

}  // namespace softmdp::distributed
