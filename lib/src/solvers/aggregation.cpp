#include "softmdp/solvers/aggregation.hpp"

#include <algorithm>
#include <limits>

namespace softmdp {

Aggregation aggregate_states(const Model& m, std::size_t size) {
    const std::size_t S = m.num_states();
    const ModelData& d = m.data();
    size = std::max<std::size_t>(1, size);
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    Aggregation a;
    a.of.assign(S, none);
    std::vector<StateId> queue;
    std::uint32_t count = 0;
    for (std::size_t seed = 0; seed < S; ++seed) {
        if (a.of[seed] != none) continue;
        const std::uint32_t id = count++;
        queue.assign(1, static_cast<StateId>(seed));
        a.of[seed] = id;
        std::uint32_t neighbour = none;  // an aggregate next to this one, for a search that ends small
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const StateId u = queue[head];
            for (Offset t = d.row_begin[d.state_begin[u]]; t < d.row_begin[d.state_begin[u + 1]]; ++t) {
                const StateId v = d.transitions[t].next;
                if (a.of[v] == none && queue.size() < size) {
                    a.of[v] = id;
                    queue.push_back(v);
                } else if (a.of[v] != id && a.of[v] != none) {
                    neighbour = a.of[v];
                }
            }
        }
        if (queue.size() * 4 < size && neighbour != none) {  // a leftover: join the neighbour
            for (const StateId s : queue) a.of[s] = neighbour;
            --count;
        }
    }
    // Members per aggregate (a counting sort of the states by aggregate).
    a.begin.assign(count + 1, 0);
    for (const auto i : a.of) ++a.begin[i + 1];
    for (std::size_t i = 0; i < count; ++i) a.begin[i + 1] += a.begin[i];
    a.members.resize(S);
    std::vector<std::uint64_t> next(a.begin.begin(), a.begin.end() - 1);
    for (std::size_t s = 0; s < S; ++s) a.members[next[a.of[s]]++] = static_cast<StateId>(s);
    return a;
}

std::uint32_t default_aggregate_size(std::size_t num_states, std::size_t bandwidth) noexcept {
    const auto S = static_cast<double>(num_states), b = static_cast<double>(bandwidth);
    if (b * b > S) return 0;
    return static_cast<std::uint32_t>(std::max<std::size_t>(8, num_states / 6000));
}

std::uint32_t default_aggregate_size(const Model& m) noexcept { return default_aggregate_size(m.num_states(), m.bandwidth()); }

}  // namespace softmdp
