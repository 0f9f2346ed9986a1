// softmdp convert IN OUT: between softmdp/1 (.json) and Cassandra's MDP text format (.mdp/.pomdp).
#include <algorithm>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/cassandra.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/loader.hpp"
#include "softmdp/output_file.hpp"

namespace softmdp::cli {
namespace {

std::string kind_of(const std::string& path, const std::string& given) {
    if (!given.empty()) {
        if (given != "cassandra" && given != "softmdp") throw UsageError(fmt::format("format must be cassandra or softmdp, got '{}'", given));
        return given;
    }
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".json" || path == "-") return "softmdp";
    if (ext == ".mdp" || ext == ".pomdp") return "cassandra";
    throw UsageError(fmt::format("cannot tell the format of '{}' from its extension (.json, .mdp, .pomdp): use --from/--to", path));
}

int run(const std::vector<std::string>& args) {
    po::options_description desc("convert options");
    desc.add_options()
        ("in", po::value<std::string>()->required(), "input file")
        ("out", po::value<std::string>()->required(), "output file ('-' = stdout, softmdp/1)")
        ("from", po::value<std::string>()->default_value(""), "input format: cassandra | softmdp (default: from the extension)")
        ("to", po::value<std::string>()->default_value(""), "output format: cassandra | softmdp (default: from the extension)")
        ("discount", po::value<double>(), "override the discount")
        ("json", po::value<std::string>(), "also write a summary (softmdp-convert/1) to this file");
    add_model_options(desc);
    po::variables_map vm;
    // Two positionals: IN and OUT.
    std::vector<std::string> rest = args;
    std::vector<std::string> positional;
    for (auto it = rest.begin(); it != rest.end();) {
        if (!it->empty() && (*it)[0] != '-' && (it == rest.begin() || (*(it - 1)).rfind("--", 0) != 0 ||
                                                   *(it - 1) == "--renormalize")) {
            positional.push_back(*it);
            it = rest.erase(it);
        } else {
            ++it;
        }
    }
    if (positional.size() >= 1) rest.insert(rest.end(), {"--in", positional[0]});
    if (positional.size() >= 2) rest.insert(rest.end(), {"--out", positional[1]});
    if (positional.size() > 2) throw UsageError("convert takes two files: IN OUT");
    if (!parse(rest, desc, "in", vm, "softmdp convert IN OUT [--from cassandra|softmdp] [--to cassandra|softmdp] [--discount G]",
               "  softmdp convert mdps/forest.json forest.mdp\n  softmdp convert problem.POMDP problem.json --discount 0.95\n"))
        return kOk;
    const std::string in = vm["in"].as<std::string>(), out = vm["out"].as<std::string>();
    const std::string from = kind_of(in, vm["from"].as<std::string>()), to = kind_of(out, vm["to"].as<std::string>());
    std::error_code ec;
    if (out != "-" && std::filesystem::exists(out, ec) && std::filesystem::equivalent(in, out, ec))
        throw UsageError(fmt::format("OUT {} is the input file: refusing to overwrite it", out));
    Model m = from == "cassandra" ? read_cassandra(in) : load_model(in, build_options(vm));
    if (vm.count("discount")) {
        ModelData d = m.data();
        d.discount = vm["discount"].as<double>();
        if (!(d.discount >= 0.0 && d.discount < 1.0)) throw UsageError("--discount must be in [0, 1)");
        m = Model(std::move(d));
    }
    OutputFile file(out);
    if (to == "cassandra") {
        write_cassandra(file.stream(), m);
    } else {
        JsonWriter w(file.stream());
        write_softmdp(w, m);
    }
    file.commit();
    write_json(vm, [&](JsonWriter& w) {
        w.begin_object();
        w.key("format").value("softmdp-convert/1");
        w.key("from").value(from).key("to").value(to).key("input").value(in).key("output").value(out);
        w.key("states").value(static_cast<std::uint64_t>(m.num_states()));
        w.key("actions").value(static_cast<std::uint64_t>(m.num_actions()));
        w.key("transitions").value(static_cast<std::uint64_t>(m.num_transitions()));
        w.end_object();
    });
    return kOk;
}

const Register reg{{"convert", "convert between softmdp/1 and Cassandra's MDP text format (pomdp-solve, AI-Toolbox)", run}};

}  // namespace
}  // namespace softmdp::cli
