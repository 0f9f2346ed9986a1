#include "policy_option.hpp"

#include "softmdp/core/errors.hpp"
#include "softmdp/io/policy_reader.hpp"

namespace softmdp::cli {

std::vector<double> policy_from_option(const std::string& spec, const Model& m, double alpha, const SolverOptions& opt) {
    return is_named_policy(spec) ? named_policy(spec, m, alpha, opt) : read_policy(spec, m);
}

ChosenPolicy chosen_policy(const po::variables_map& vm, const Model& m, const SolverOptions& opt) {
    const double alpha = alpha_option(vm);
    if (vm.count("policy")) {
        const std::string spec = vm["policy"].as<std::string>();
        if (is_named_policy(spec)) return chosen_named_policy(spec, m, alpha, opt);
        return {read_policy(spec, m), spec, std::nullopt};
    }
    if (!vm.count("alpha")) throw UsageError("give --policy P, or --alpha A for the soft-optimal policy at temperature A");
    return optimal_policy(m, alpha, opt);
}

}  // namespace softmdp::cli
