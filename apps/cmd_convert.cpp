// softmdp convert IN OUT: between softmdp/1 (.json), Cassandra's MDP text format (.mdp/.pomdp),
// PRISM's explicit files (.tra, with .srew/.trew/.lab beside it) and the binary formats UMB (.umb),
// PETSc binary (.petsc, .bin) and NumPy (.npz). Binary and JSON inputs are told apart by content.
#include <algorithm>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/io/cassandra.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/model_file.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/prism.hpp"

namespace softmdp::cli {
namespace {

constexpr const char* kFormats = "softmdp, cassandra, prism, umb, petsc or npz";

// The format of IN or OUT: --from/--to, else an input's content (binary formats and JSON are
// recognised by their first bytes), else the extension.
std::string kind_of(const std::string& path, const std::string& given, bool input) {
    if (!given.empty()) {
        if (!is_model_file_format(given)) throw UsageError(fmt::format("format must be {}, got '{}'", kFormats, given));
        return given;
    }
    if (path == "-") return "softmdp";
    const std::string_view format = model_file_format(path, input);
    if (!format.empty()) return std::string(format);
    throw UsageError(fmt::format("cannot tell the format of '{}' from its extension (.json, .mdp, .pomdp, .tra, .umb, .petsc, .bin, "
                                 ".npz): use --from/--to",
                                 path));
}

// Moves IN and OUT out of `args`: the arguments that are neither options nor the value of an option
// that takes one. "-" (stdin, stdout) is a file, not an option.
std::vector<std::string> take_files(std::vector<std::string>& args, const po::options_description& desc) {
    std::vector<std::string> files;
    bool value_next = false;
    for (auto it = args.begin(); it != args.end();) {
        const bool option = it->size() > 1 && (*it)[0] == '-';
        if (!option && !value_next) {
            files.push_back(*it);
            it = args.erase(it);
            continue;
        }
        value_next = false;
        if (option && it->rfind("--", 0) == 0 && it->find('=') == std::string::npos) {
            const auto* d = desc.find_nothrow(it->substr(2), false);
            value_next = d && d->semantic()->max_tokens() > 0;
        }
        ++it;
    }
    return files;
}

// The files a path stands for: a PRISM model is several.
std::vector<std::filesystem::path> files_of(const std::string& path, const std::string& kind) {
    if (path == "-") return {};
    if (kind != "prism") return {path};
    const PrismFiles f = prism_files(path);
    return {f.tra, f.srew, f.trew, f.lab};
}

Model read_input(const std::string& in, const std::string& from, const po::variables_map& vm) {
    const BuildOptions options = build_options(vm);
    if (from == "prism") {
        if (!vm.count("discount"))
            throw UsageError("reading PRISM files needs --discount G: the format has none; G = 1 is accepted when "
                             "every policy reaches a deadlock state");
        return read_prism(in, vm["discount"].as<double>(), options);
    }
    if (from == "cassandra") return with_discount(read_cassandra(in == "-" ? "/dev/stdin" : in), vm);
    const MappedFile mapped(in == "-" ? "/dev/stdin" : in, kModelFile);
    return load(vm, mapped, in == "-" ? "<stdin>" : in);
}

int run(const std::vector<std::string>& args) {
    po::options_description desc("convert options");
    desc.add_options()
        ("in", po::value<std::string>()->required(), "input file ('-' = stdin)")
        ("out", po::value<std::string>()->required(), "output file ('-' = stdout; not for PRISM, which is several files)")
        ("from", po::value<std::string>()->default_value(""), "input format: softmdp | cassandra | prism | umb | petsc | npz (default: from the content, else the extension)")
        ("to", po::value<std::string>()->default_value(""), "output format: softmdp | cassandra | prism | umb | petsc | npz (default: from the extension)")
        ("json", po::value<std::string>(), "also write a summary (softmdp-convert/1) to this file");
    add_model_options(desc);
    po::variables_map vm;
    std::vector<std::string> rest = args;
    const std::vector<std::string> files = take_files(rest, desc);
    if (files.size() > 2) throw UsageError("convert takes two files: IN OUT");
    if (files.size() >= 1) rest.push_back("--in=" + files[0]);
    if (files.size() >= 2) rest.push_back("--out=" + files[1]);
    if (!parse(rest, desc, "in", vm, "softmdp convert IN OUT [--from F] [--to F] [--discount G]   (F: softmdp, cassandra, prism, umb, petsc, npz)",
               "  softmdp convert mdps/forest.json forest.mdp\n"
               "  softmdp convert problem.POMDP problem.json --discount 0.95\n"
               "  softmdp convert mdps/frozenlake4x4.json lake.tra      (writes lake.tra, lake.lab, lake.trew)\n"
               "  softmdp convert lake.tra lake.json --discount 0.99    (reads lake.srew/.trew/.lab when present)\n"
               "  softmdp generate chain --states 5 | softmdp convert - chain.mdp\n"
               "  softmdp convert mdps/riverswim.json riverswim.umb     (also .petsc / .bin: PETSc binary, .npz: NumPy)\n"
               "  softmdp convert model.umb model.npz\n"))
        return kOk;
    const std::string in = vm["in"].as<std::string>(), out = vm["out"].as<std::string>();
    const std::string from = kind_of(in, vm["from"].as<std::string>(), true), to = kind_of(out, vm["to"].as<std::string>(), false);
    if (from == "prism" && in == "-") throw UsageError("PRISM input is several files (.tra, .srew, .trew, .lab): give the .tra file, not '-'");
    if (to == "prism" && out == "-") throw UsageError("PRISM output is several files (.tra, .trew, .lab): give OUT.tra, not '-'");
    std::error_code ec;
    for (const auto& o : files_of(out, to))
        for (const auto& i : files_of(in, from))
            if (std::filesystem::exists(o, ec) && std::filesystem::equivalent(i, o, ec))
                throw UsageError(fmt::format("OUT {} is the input file {}: refusing to overwrite it", o.string(), i.string()));
    Model m = read_input(in, from, vm);
    if (to == "prism") {
        write_prism(m, out, build_options(vm).warn);
        fmt::print(stderr, "softmdp: note: PRISM files carry no discount: read them back with --discount {}\n", m.discount());
    } else {
        OutputFile file(out);
        write_model(file.stream(), m, to);
        file.commit();
    }
    write_json(vm, [&](JsonWriter& w) { write_convert_document(w, m, from, to, in, out); });
    return kOk;
}

const Register reg{{"convert", "convert between softmdp/1, Cassandra's MDP text, PRISM's explicit files, UMB, PETSc binary and NumPy .npz", run}};

}  // namespace
}  // namespace softmdp::cli
