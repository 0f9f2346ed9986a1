// softmdp generate KIND [options]: write a softmdp/1 file (garnet, gridworld, chain, frozenlake).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/generators.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/model_file.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/core/resources.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("generate options");
    desc.add_options()
        ("kind", po::value<std::string>()->required(), "garnet | gridworld | chain | frozenlake")
        ("output,o", po::value<std::string>()->default_value("-"), "the file to write ('-' = stdout); .umb, .petsc/.bin, .npz: binary (a Garnet is streamed, never held in memory)")
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
               "  softmdp generate garnet --states 50000000 --actions 4 --branching 5 --output big.umb   (streamed)\n"
               "  softmdp generate gridworld --size 20 10 --slip 0.1 --output grid.json\n"
               "  softmdp generate chain --states 50 | softmdp solve /dev/stdin\n"
               "  softmdp generate frozenlake --map 8x8 --output lake.json --json -\n"))
        return kOk;
    const std::string kind = vm["kind"].as<std::string>();
    const auto gamma = [&](double fallback) { return vm.count("discount") ? vm["discount"].as<double>() : fallback; };
    const auto garnet = [&]() -> GarnetSpec {
        if (!vm.count("states")) throw UsageError("generate garnet needs --states N");
        return {vm["states"].as<std::uint64_t>(), vm["actions"].as<std::uint64_t>(), vm["branching"].as<std::uint64_t>(),
                vm["seed"].as<std::uint64_t>(), gamma(0.99)};
    };
    const Stopwatch clock;
    const std::string output = vm["output"].as<std::string>();
    const GenerateProgress progress = [&](std::uint64_t done, std::uint64_t total) {
        if (progress_due())
            progress_line(fmt::format("generate {}: {} of {} states ({:.0f}%), {:.1f} s", kind, done, total,
                                      100.0 * static_cast<double>(done) / static_cast<double>(total), clock.seconds()));
    };
    const std::uint64_t disk_free = free_disk(output);  // asked before the temporary file exists
    // A binary --output (by extension): a Garnet streams to it (no model in memory); anything else
    // is made as JSON in memory, loaded and written in the binary format.
    const std::string_view format = model_file_format(output, false);
    const bool binary = format == "umb" || format == "petsc" || format == "npz";
    OutputFile out(output);
    const auto write_json = [&](std::FILE* stream) {
        JsonWriter w(stream);
        if (kind == "garnet") {
            write_garnet(w, garnet(), progress, disk_free);
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
    };
    if (!binary) {
        write_json(out.stream());
    } else if (kind == "garnet") {
        FileSink sink(out.stream());
        write_garnet_binary(sink, garnet(), format == "umb" ? ModelFormat::umb : format == "npz" ? ModelFormat::npz : ModelFormat::petsc,
                            progress, disk_free);
        sink.flush();
    } else {
        char* buf = nullptr;
        std::size_t size = 0;
        std::FILE* mem = open_memstream(&buf, &size);
        if (!mem) throw IoError("cannot allocate memory for the model");
        std::unique_ptr<char, decltype(&std::free)> owned(nullptr, &std::free);
        try {
            write_json(mem);
        } catch (...) {
            std::fclose(mem);
            std::free(buf);
            throw;
        }
        std::fclose(mem);
        owned.reset(buf);
        const Model m = parse_model(std::string_view(buf, size), {}, kind);
        write_model(out.stream(), m, format);
    }
    out.commit();
    const double seconds = clock.seconds();
    emit(vm, {[&] { fmt::print("wrote {} ({}) in {:.3f} s\n", output, kind, seconds); },
              [&](JsonWriter& w) { write_generate_document(w, kind, output, seconds); },
              {}});
    return kOk;
}

const Register reg{{"generate", "write a softmdp/1 file: garnet, gridworld, chain, frozenlake (streamed)", run}};

}  // namespace
}  // namespace softmdp::cli
