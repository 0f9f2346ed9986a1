// softmdp validate FILE: exit 0 if the file is a valid MDP, else the error and exit 2.
#include <fmt/format.h>

#include "cli.hpp"

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
    const Model m = load(vm);  // errors propagate to main: message on stderr, exit 2
    if (!vm.count("quiet"))
        fmt::print("{}: valid softmdp/1 MDP ({} states, {} actions, {} transitions)\n", vm["file"].as<std::string>(),
                   m.num_states(), m.num_actions(), m.num_transitions());
    return kOk;
}

const Register reg{{"validate", "check an MDP file; exit 0 if valid, else the error and exit 2", run}};

}  // namespace
}  // namespace softmdp::cli
