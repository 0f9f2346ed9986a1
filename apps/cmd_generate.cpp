// softmdp generate KIND [options]: write a softmdp/1 file (garnet, gridworld, chain, frozenlake).
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/bellman.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/generators.hpp"
#include "softmdp/output_file.hpp"
#include "softmdp/resources.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("generate options");
    desc.add_options()
        ("kind", po::value<std::string>()->required(), "garnet | gridworld | chain | frozenlake")
        ("output,o", po::value<std::string>()->default_value("-"), "the file to write ('-' = stdout)")
        ("discount", po::value<double>(), "gamma (default: garnet 0.99, gridworld 0.95, chain 0.9, frozenlake 0.99)")
        ("states", po::value<std::uint64_t>(), "garnet, chain: number of states")
        ("actions", po::value<std::uint64_t>()->default_value(4), "garnet: number of actions")
        ("branching", po::value<std::uint64_t>()->default_value(5), "garnet: successors per (s, a)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "garnet: random seed")
        ("size", po::value<std::vector<std::uint64_t>>()->multitoken(), "gridworld: W H")
        ("slip", po::value<double>()->default_value(0.0), "gridworld: probability of slipping sideways")
        ("map", po::value<std::string>()->default_value("4x4"), "frozenlake: 4x4, 8x8, or a file of S/F/H/G rows")
        ("not-slippery", "frozenlake: deterministic moves");
    add_output_options(desc, "also write a summary (softmdp-generate/1: kind, output, seconds) to this file ('-' = stdout, "
                             "with --output FILE)");
    po::variables_map vm;
    if (!parse(args, desc, "kind", vm, "softmdp generate garnet|gridworld|chain|frozenlake [options] [--output FILE]",
               "  softmdp generate garnet --states 1000000 --actions 4 --branching 5 --seed 1 --output garnet.json\n"
               "  softmdp generate gridworld --size 20 10 --slip 0.1 --output grid.json\n"
               "  softmdp generate chain --states 50 | softmdp solve /dev/stdin\n"
               "  softmdp generate frozenlake --map 8x8 --output lake.json --json -\n"))
        return kOk;
    const std::string kind = vm["kind"].as<std::string>();
    const auto gamma = [&](double fallback) { return vm.count("discount") ? vm["discount"].as<double>() : fallback; };
    const Stopwatch clock;
    const std::string output = vm["output"].as<std::string>();
    const GenerateProgress progress = [&](std::uint64_t done, std::uint64_t total) {
        if (progress_due())
            progress_line(fmt::format("generate {}: {} of {} states ({:.0f}%), {:.1f} s", kind, done, total,
                                      100.0 * static_cast<double>(done) / static_cast<double>(total), clock.seconds()));
    };
    const std::uint64_t disk_free = free_disk(output);  // asked before the temporary file exists
    OutputFile out(output);
    {
        JsonWriter w(out.stream());
        if (kind == "garnet") {
            if (!vm.count("states")) throw UsageError("generate garnet needs --states N");
            write_garnet(w,
                         {vm["states"].as<std::uint64_t>(), vm["actions"].as<std::uint64_t>(), vm["branching"].as<std::uint64_t>(),
                          vm["seed"].as<std::uint64_t>(), gamma(0.99)},
                         progress, disk_free);
        } else if (kind == "gridworld") {
            const auto size = vm.count("size") ? vm["size"].as<std::vector<std::uint64_t>>() : std::vector<std::uint64_t>{4, 4};
            if (size.size() != 2) throw UsageError("--size takes two numbers: W H");
            write_gridworld(w, {size[0], size[1], vm["slip"].as<double>(), gamma(0.95)}, progress, disk_free);
        } else if (kind == "chain") {
            write_chain(w, {vm.count("states") ? vm["states"].as<std::uint64_t>() : 10, gamma(0.9)}, progress, disk_free);
        } else if (kind == "frozenlake") {
            write_frozenlake(w, {frozenlake_map(vm["map"].as<std::string>()), !vm.count("not-slippery"), gamma(0.99)}, disk_free);
        } else {
            throw UsageError(fmt::format("unknown kind '{}' (garnet, gridworld, chain, frozenlake)", kind));
        }
    }
    out.commit();
    const double seconds = clock.seconds();
    emit(vm, {[&] { fmt::print("wrote {} ({}) in {:.3f} s\n", output, kind, seconds); },
              [&](JsonWriter& w) {
                  w.begin_object();
                  w.key("format").value("softmdp-generate/1");
                  w.key("kind").value(kind);
                  w.key("output").value(output);
                  w.key("seconds").value(seconds);
                  w.end_object();
              },
              {}});
    return kOk;
}

const Register reg{{"generate", "write a softmdp/1 file: garnet, gridworld, chain, frozenlake (streamed)", run}};

}  // namespace
}  // namespace softmdp::cli
