// softmdp info FILE: sizes, transitions, terminal states, discount (discrete or continuous actions).
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model.hpp"

namespace softmdp::cli {
namespace {

// A continuous-action file: states, the action box, anchors, bandwidth, action cost, discount.
void describe_continuous(const po::variables_map& vm, const ContinuousModel& m) {
    std::size_t anchors = 0, terminal = 0;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        anchors += m.anchors[s].size();
        terminal += m.is_terminal(s);
    }
    emit(vm, {[&] {
                  fmt::print("name         {}\n", m.name.empty() ? "(none)" : printable(m.name));
                  fmt::print("actions      continuous, {}-dimensional\n", m.dim());
                  fmt::print("states       {}\n", m.num_states());
                  fmt::print("box          {}\n", [&] {
                      std::string box;
                      for (std::size_t k = 0; k < m.dim(); ++k) box += fmt::format("{}[{}, {}]", k ? " x " : "", m.low[k], m.high[k]);
                      return box;
                  }());
                  fmt::print("anchors      {}\n", anchors);
                  fmt::print("terminal     {}\n", terminal);
                  fmt::print("bandwidth    {}\n", m.bandwidth);
                  fmt::print("action cost  {}\n", m.action_cost);
                  fmt::print("discount     {}\n", m.discount);
              },
              [&](JsonWriter& w) { write_info_document(w, m); },
              {}});
}

int run(const std::vector<std::string>& args) {
    po::options_description desc("info options");
    desc.add_options()("file", po::value<std::string>()->required(), "MDP file (softmdp/1, discrete or continuous actions)");
    add_model_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp info FILE [--json OUT]",
               "  softmdp info mdps/frozenlake8x8.json\n  softmdp info mdps/chain2.json --json -\n"
               "  softmdp info mdps/multigoal.json --format csv\n"))
        return kOk;
    const std::string file = vm["file"].as<std::string>();
    const MappedFile mapped(file, kModelFile);  // read once: FILE may be a pipe
    if (is_continuous(mapped)) {
        describe_continuous(vm, parse_continuous_model(mapped.text(), file));
        return kOk;
    }
    const Model m = load(vm, mapped, file);
    emit(vm, {[&] {
                  fmt::print("name         {}\n", m.name().empty() ? "(none)" : printable(m.name()));
                  fmt::print("states       {}\n", m.num_states());
                  fmt::print("actions      {}\n", m.num_actions());
                  fmt::print("pairs (s,a)  {}\n", m.num_rows());
                  fmt::print("transitions  {}\n", m.num_transitions());
                  fmt::print("terminal     {}\n", m.num_terminal());
                  fmt::print("max actions  {} per state\n", m.max_actions_per_state());
                  fmt::print("discount     {}\n", m.discount());
                  fmt::print("csr bytes    {}\n", m.csr_bytes());
              },
              [&](JsonWriter& w) { write_info_document(w, m); },
              {}});
    return kOk;
}

const Register reg{{"info", "sizes, transitions, terminal states and discount of an MDP file (discrete or continuous actions)", run}};

}  // namespace
}  // namespace softmdp::cli
