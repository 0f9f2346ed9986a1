// softmdp validate FILE: exit 0 if the file is a valid MDP, else the error and exit 2.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/continuous_model.hpp"
#include "softmdp/loader.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("validate options");
    desc.add_options()("file", po::value<std::string>()->required(), "MDP file (softmdp/1)");
    add_model_options(desc);
    desc.add_options()("quiet,q", "print nothing when the file is valid");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    if (!parse(args, desc, pos, vm, "softmdp validate FILE",
               "  softmdp validate mdps/gridworld4x4.json && echo valid\n"))
        return kOk;
    // Errors propagate to main: message on stderr, exit 2.
    const std::string file = vm["file"].as<std::string>();
    const MappedFile mapped(file);
    if (is_continuous_text(mapped.text())) {
        const ContinuousModel m = parse_continuous_model(mapped.text(), file);
        std::size_t anchors = 0;
        for (const auto& a : m.anchors) anchors += a.size();
        if (!vm.count("quiet"))
            fmt::print("{}: valid continuous-action softmdp/1 MDP ({} states, {}-dimensional actions, {} anchors)\n", file,
                       m.num_states(), m.dim(), anchors);
        return kOk;
    }
    const Model m = parse_model(mapped.text(), build_options(vm), file);
    if (!vm.count("quiet"))
        fmt::print("{}: valid softmdp/1 MDP ({} states, {} actions, {} transitions)\n", file, m.num_states(),
                   m.num_actions(), m.num_transitions());
    return kOk;
}

const Register reg{{"validate", "check an MDP file; exit 0 if valid, else the error and exit 2", run}};

}  // namespace
}  // namespace softmdp::cli
