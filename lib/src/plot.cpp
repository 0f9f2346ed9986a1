#include "softmdp/plot.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <map>

#include "softmdp/errors.hpp"
#include "softmdp/output_file.hpp"

namespace softmdp {

namespace {

std::string terminal_for(const std::string& out) {
    const auto ends = [&](const char* ext) {
        const std::string e(ext);
        return out.size() >= e.size() && out.compare(out.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".png")) return "pngcairo size 900,700 enhanced font 'sans,10'";
    if (ends(".svg")) return "svg size 900,700 enhanced font 'sans,10'";
    throw UsageError(fmt::format("--plot {}: the picture must end in .png or .svg", out));
}

// Writes OUT.dat and OUT.gp atomically, then runs gnuplot on the script.
PlotOutcome render(const std::string& out, const std::string& data, const std::string& script) {
    for (const auto& [path, text] : {std::pair{out + ".dat", data}, std::pair{out + ".gp", script}}) {
        OutputFile f(path);
        std::fwrite(text.data(), 1, text.size(), f.stream());
        f.commit();
    }
    PlotOutcome o;
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
        o.message = fmt::format("gnuplot is not installed: wrote {0}.dat and {0}.gp but no picture "
                                "(install gnuplot, then run: gnuplot {0}.gp)", out);
        return o;
    }
    const std::string cmd = fmt::format("gnuplot '{}.gp' 2>&1", out);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    std::string log;
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) log += buf;
    const int rc = p ? ::pclose(p) : -1;
    if (rc != 0) throw IoError(fmt::format("gnuplot failed on {}.gp: {}", out, log));
    o.drawn = true;
    o.message = fmt::format("wrote {} (data {}.dat, script {}.gp)", out, out, out);
    return o;
}

std::string quoted(const std::string& s) {
    std::string q;
    for (char c : s) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return q;
}

}  // namespace

PlotOutcome plot_grid(const Model& m, const Solution& sol, const std::string& out) {
    const auto& d = m.data();
    if (d.grid_rows == 0) throw UsageError("--plot needs a grid-shaped MDP (a \"grid\": {\"rows\", \"cols\"} key in the file)");
    const std::string term = terminal_for(out);
    const std::map<std::string, std::pair<double, double>> dirs{{"up", {0, 1}},    {"north", {0, 1}}, {"down", {0, -1}},
                                                                {"south", {0, -1}}, {"left", {-1, 0}}, {"west", {-1, 0}},
                                                                {"right", {1, 0}},  {"east", {1, 0}}};
    std::string data = "# x y V\n", arrows = "# x y dx dy\n", labels = "# x y name\n";
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const double x = static_cast<double>(s % d.grid_cols), y = static_cast<double>(d.grid_rows - 1 - s / d.grid_cols);
        data += fmt::format("{} {} {}\n", x, y, sol.values[s]);
        if (m.is_terminal(s)) continue;
        Offset best = m.row_first(s);
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            if (sol.policy[r] > sol.policy[best]) best = r;
            const auto it = dirs.find(m.action_name(m.row_action(r)));
            if (it != dirs.end() && sol.policy[r] > 0.01)
                arrows += fmt::format("{} {} {} {}\n", x, y, 0.42 * sol.policy[r] * it->second.first, 0.42 * sol.policy[r] * it->second.second);
        }
        if (!dirs.count(m.action_name(m.row_action(best)))) labels += fmt::format("{} {} \"{}\"\n", x, y, quoted(m.action_name(m.row_action(best))));
    }
    const std::string full = data + "\n\n" + arrows + "\n\n" + labels;
    const std::string script = fmt::format(
        "set terminal {term}\nset output '{out}'\nset title \"{title}\" noenhanced\nset size ratio -1\n"
        "set xrange [-0.5:{xmax}]\nset yrange [-0.5:{ymax}]\nunset xtics\nunset ytics\nset palette rgb 33,13,10\n"
        "set cblabel 'V'\n"
        "plot '{out}.dat' index 0 using 1:2:3 with image notitle, \\\n"
        "     '{out}.dat' index 1 using 1:2:3:4 with vectors head filled size 0.08,20 lc rgb 'black' lw 1.5 notitle, \\\n"
        "     '{out}.dat' index 2 using 1:2:3 with labels tc rgb 'black' notitle\n",
        fmt::arg("term", term), fmt::arg("out", out),
        fmt::arg("title", quoted(fmt::format("{} {} (alpha {}): V and policy", m.name(), sol.method, sol.alpha))),
        fmt::arg("xmax", static_cast<double>(d.grid_cols) - 0.5), fmt::arg("ymax", static_cast<double>(d.grid_rows) - 0.5));
    return render(out, full, script);
}

PlotOutcome plot_series(std::span<const double> x, const std::vector<std::pair<std::string, std::vector<double>>>& series,
                        const std::string& xlabel, const std::string& title, const std::string& out) {
    const std::string term = terminal_for(out);
    bool log_x = !x.empty();
    for (double v : x) log_x = log_x && v > 0.0;
    std::string data = "# x";
    for (const auto& [name, _] : series) data += " " + name;
    data += "\n";
    for (std::size_t i = 0; i < x.size(); ++i) {
        data += fmt::format("{}", x[i]);
        for (const auto& s : series) data += fmt::format(" {}", std::isfinite(s.second[i]) ? fmt::format("{}", s.second[i]) : "NaN");
        data += "\n";
    }
    std::string plot;
    for (std::size_t k = 0; k < series.size(); ++k)
        plot += fmt::format("{}'{}.dat' using 1:{} with linespoints lw 2 title \"{}\" {}", k ? ", \\\n     " : "", out, k + 2,
                            quoted(series[k].first), k + 1 == series.size() && series.size() > 1 ? "axes x1y2" : "");
    const std::string script = fmt::format(
        "set terminal {}\nset output '{}'\nset title \"{}\" noenhanced\nset xlabel \"{}\"\n{}set key outside below\nset grid\n"
        "set ytics nomirror\nset y2tics\nset y2label \"{}\" noenhanced\nplot {}\n",
        term, out, quoted(title), quoted(xlabel), log_x ? "set logscale x\n" : "",
        series.empty() ? "" : quoted(series.back().first), plot);
    return render(out, data, script);
}

PlotOutcome plot_particles(std::span<const double> particles, std::span<const double> low, std::span<const double> high,
                           std::span<const double> density, std::size_t nx, std::size_t ny, const std::string& title,
                           const std::string& out) {
    const std::string term = terminal_for(out);
    std::string data = "# density grid: x y p\n";
    for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
            const double x = low[0] + (high[0] - low[0]) * (static_cast<double>(i) + 0.5) / static_cast<double>(nx);
            const double y = low[1] + (high[1] - low[1]) * (static_cast<double>(j) + 0.5) / static_cast<double>(ny);
            data += fmt::format("{} {} {}\n", x, y, density[j * nx + i]);
        }
        data += "\n";
    }
    data += "\n\n# particles: x y\n";
    for (std::size_t i = 0; i + 1 < particles.size(); i += 2) data += fmt::format("{} {}\n", particles[i], particles[i + 1]);
    const std::string script = fmt::format(
        "set terminal {term}\nset output '{out}'\nset title \"{title}\" noenhanced\nset size ratio -1\n"
        "set xrange [{x0}:{x1}]\nset yrange [{y0}:{y1}]\nset xlabel 'a[0]'\nset ylabel 'a[1]'\n"
        "set palette rgb 33,13,10\nset cblabel 'pi(a|s)'\n"
        "plot '{out}.dat' index 0 using 1:2:3 with image notitle, \\\n"
        "     '{out}.dat' index 1 using 1:2 with points pt 7 ps 0.5 lc rgb 'white' title 'SVGD particles'\n",
        fmt::arg("term", term), fmt::arg("out", out), fmt::arg("title", quoted(title)), fmt::arg("x0", low[0]),
        fmt::arg("x1", high[0]), fmt::arg("y0", low[1]), fmt::arg("y1", high[1]));
    return render(out, data, script);
}

}  // namespace softmdp
