// softmdp validate FILE: exit 0 if the file is a valid MDP, else the error and exit 2.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/loader.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("validate options");
    desc.add_options()("file", po::value<std::string>()->required(), "MDP file (softmdp/1)");
    add_model_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp validate FILE [--json OUT]",
               "  softmdp validate mdps/gridworld4x4.json && echo valid\n"
               "  softmdp validate tests/bad/sum_half.json --json -\n"))
        return kOk;
    const std::string file = vm["file"].as<std::string>();
    std::string summary, error;
    try {
        const MappedFile mapped(file, kModelFile);
        if (is_continuous(mapped)) {
            const ContinuousModel m = parse_continuous_model(mapped.text(), file);
            std::size_t anchors = 0;
            for (const auto& a : m.anchors) anchors += a.size();
            summary = fmt::format("valid continuous-action softmdp/1 MDP ({} states, {}-dimensional actions, {} anchors)",
                                  m.num_states(), m.dim(), anchors);
        } else {
            const ModelFormat format = detect_model_format(mapped.text());  // before the load gives pages back
            const Model m = load(vm, mapped, file);
            summary = fmt::format("valid {} MDP ({} states, {} actions, {} transitions)", model_format_name(format), m.num_states(),
                                  m.num_actions(), m.num_transitions());
        }
    } catch (const InputError& e) {
        if (!wants_document(vm)) throw;  // main prints it and exits 2
        error = cli_message(e);
    }
    emit(vm, {[&] {
                  if (error.empty()) fmt::print("{}: {}\n", file, summary);
              },
              [&](JsonWriter& w) { write_validation_document(w, file, error.empty(), error.empty() ? summary : error); },
              {}});
    if (!error.empty()) {
        fmt::print(stderr, "softmdp: error: {}\n", error);
        return kInvalid;
    }
    return kOk;
}

const Register reg{{"validate", "check an MDP file; exit 0 if valid, else the error and exit 2", run}};

}  // namespace
}  // namespace softmdp::cli
