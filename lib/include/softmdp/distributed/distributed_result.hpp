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

}  // namespace softmdp::distributed
