// softmdp info FILE: sizes, transitions, terminal states, discount.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/json_writer.hpp"
#include "softmdp/model.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("info options");
    desc.add_options()("file", po::value<std::string>()->required(), "MDP file (softmdp/1)");
    add_model_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp info FILE [--json OUT]",
               "  softmdp info mdps/frozenlake8x8.json\n  softmdp info mdps/chain2.json --json -\n"))
        return kOk;
    const Model m = load(vm);
    if (!vm.count("quiet")) {
        fmt::print("name         {}\n", m.name().empty() ? "(none)" : m.name());
        fmt::print("states       {}\n", m.num_states());
        fmt::print("actions      {}\n", m.num_actions());
        fmt::print("pairs (s,a)  {}\n", m.num_rows());
        fmt::print("transitions  {}\n", m.num_transitions());
        fmt::print("terminal     {}\n", m.num_terminal());
        fmt::print("max actions  {} per state\n", m.max_actions_per_state());
        fmt::print("discount     {}\n", m.discount());
        fmt::print("csr bytes    {}\n", m.csr_bytes());
    }
    write_json(vm, [&](JsonWriter& w) {
        w.begin_object();
        w.key("format").value("softmdp-info/1");
        w.key("name").value(m.name());
        w.key("states").value(static_cast<std::uint64_t>(m.num_states()));
        w.key("actions").value(static_cast<std::uint64_t>(m.num_actions()));
        w.key("pairs").value(static_cast<std::uint64_t>(m.num_rows()));
        w.key("transitions").value(static_cast<std::uint64_t>(m.num_transitions()));
        w.key("terminal").value(static_cast<std::uint64_t>(m.num_terminal()));
        w.key("discount").value(m.discount());
        w.key("csr_bytes").value(static_cast<std::uint64_t>(m.csr_bytes()));
        w.end_object();
    });
    return kOk;
}

const Register reg{{"info", "sizes, transitions, terminal states and discount of an MDP file", run}};

}  // namespace
}  // namespace softmdp::cli
