#pragma once
// Generators of softmdp/1 files, streamed through a JsonWriter entry by entry, so a million-state
// Garnet is written without holding the model in memory.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/model_stream.hpp"

namespace softmdp {

// Called after the transitions of each state are written, with (states done, states in all): for
// progress lines. The large generators (garnet, gridworld, chain) take one.
//
// Every generator first checks its sizes (throws UsageError naming the options): the model must be
// loadable in usable_memory() (resources.hpp) and its file must fit in `disk_free` bytes (the CLI
// passes the free space where --output goes), both by lower bounds on their size, before anything
// is written.
using GenerateProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Garnet(S, A, B) (Archibald et al. 1995; Bhatnagar et al. 2009): for every (s, a), B distinct
// successors drawn uniformly without replacement (Floyd's algorithm), probabilities the gaps between
// B - 1 sorted uniform cut points of [0, 1] (Dirichlet(1, ..., 1)), reward r(s, a) uniform on [0, 1).
// No terminal states; states and actions are counts. Deterministic for a seed (random.hpp).
struct GarnetSpec {
    std::uint64_t states = 100, actions = 4, branching = 5, seed = 0;
    double discount = 0.99;
};
void write_garnet(JsonWriter& w, const GarnetSpec& spec, const GenerateProgress& progress = {},
                  std::uint64_t disk_free = UINT64_MAX);
// The same Garnet as a model stream (model_stream.hpp): the generator runs again from its seed for
// every pass a writer makes, so no model is held in memory at any size.
ModelStream garnet_stream(const GarnetSpec& spec, const GenerateProgress& progress = {});
// The same Garnet streamed to a binary format (umb: an uncompressed tar; petsc; npz), after the size
// checks for that layout.
void write_garnet_binary(ByteSink& out, const GarnetSpec& spec, ModelFormat format, const GenerateProgress& progress = {},
                         std::uint64_t disk_free = UINT64_MAX);

// W x H grid, actions up/down/left/right; the move goes as intended with probability 1 - slip and to
// each perpendicular direction with slip/2 (walls: stay). Reward -1 per step; the bottom-right cell
// is the terminal goal; the episode starts top-left. With slip 0, V*(s) = -(1 - gamma^d)/(1 - gamma),
// d the Manhattan distance to the goal.
struct GridworldSpec {
    std::uint64_t width = 4, height = 4;
    double slip = 0.0, discount = 0.95;
};
void write_gridworld(JsonWriter& w, const GridworldSpec& spec, const GenerateProgress& progress = {},
                  std::uint64_t disk_free = UINT64_MAX);

// N states in a line, actions left/right (deterministic, walls at the ends); `right` in the last state
// pays 1 and stays. V*(s) = gamma^(N-1-s) / (1 - gamma).
struct ChainSpec {
    std::uint64_t states = 10;
    double discount = 0.9;
};
void write_chain(JsonWriter& w, const ChainSpec& spec, const GenerateProgress& progress = {},
                  std::uint64_t disk_free = UINT64_MAX);

// Gymnasium FrozenLake: map rows of S (start), F (frozen), H (hole), G (goal); slippery: the intended
// direction or either perpendicular one, 1/3 each; holes and goal terminal; reward 1 on reaching G.
struct FrozenLakeSpec {
    std::vector<std::string> map;
    bool slippery = true;
    double discount = 0.99;
};
// The built-in maps "4x4" and "8x8" (Gymnasium's), or rows read from a file. Throws InputError.
std::vector<std::string> frozenlake_map(const std::string& name_or_file);
void write_frozenlake(JsonWriter& w, const FrozenLakeSpec& spec, std::uint64_t disk_free = UINT64_MAX);

}  // namespace softmdp
