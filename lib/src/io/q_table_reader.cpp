#include "softmdp/io/q_table_reader.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"

namespace softmdp {

std::vector<double> read_q_table(const std::string& file, const Model& m) {
    const auto j = read_json_file(file);
    const auto where = [&](const std::string& field) { return Location{file, {}, {}, field}; };
    const std::string format = format_of(j);
    if (format != "softmdp-q/1" && format != "softmdp-result/1")
        throw InputError(fmt::format("\"format\" must be \"softmdp-q/1\" or \"softmdp-result/1\", got \"{}\"", format),
                         where("format"));
    if (!j.contains("q") || !j["q"].is_array()) throw InputError("missing array 'q'", where("q"));
    const auto& table = j["q"];
    if (table.size() != m.num_states())
        throw InputError(fmt::format("has {} states, the model has {}: a Q table for another MDP?", table.size(), m.num_states()),
                         where("q"));
    std::vector<double> q(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const auto& row = table[s];
        if (!row.is_array() || row.size() != m.num_actions())
            throw InputError(fmt::format("must be an array of {} values (one per action)", m.num_actions()),
                             where(fmt::format("q[{}]", s)));
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const auto& v = row[m.row_action(r)];
            if (!v.is_number())
                throw InputError(fmt::format("action {} is available in state {}: needs a number, got {}",
                                             m.action_name(m.row_action(r)), m.state_name(s), v.dump()),
                                 where(fmt::format("q[{}][{}]", s, m.row_action(r))));
            q[r] = v.get<double>();
        }
    }
    return q;
}

}  // namespace softmdp
