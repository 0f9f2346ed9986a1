#include "softmdp/io/plot.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <optional>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/output_file.hpp"

extern char** environ;

namespace softmdp {

namespace {

std::string terminal_for(const std::string& out) {
    const auto ends = [&](const char* ext) {
        const std::string e(ext);
        return out.size() >= e.size() && out.compare(out.size() - e.size(), e.size(), e) == 0;
    };
    // noenhanced: names such as J_soft are text, not subscripts.
    if (ends(".png")) return "pngcairo size 900,700 noenhanced font 'sans,10'";
    if (ends(".svg")) return "svg size 900,700 noenhanced font 'sans,10'";
    throw UsageError(fmt::format("{} {}: the picture must end in .png or .svg", param("plot"), out));
}

// A gnuplot string in single quotes (no escapes are processed there; a quote is doubled).
std::string gp(const std::string& s) {
    if (s.find_first_of("\r\n") != std::string::npos) throw UsageError(fmt::format("{}: a path with a line break cannot be drawn: {}", param("plot"), s));
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
    return q + "'";
}

// A gnuplot string in double quotes (text: titles, labels).
std::string quoted(const std::string& s) {
    std::string q;
    for (char c : s) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return q;
}

// The script's first lines: the terminal, and the output file: the variable `outfile` when the
// caller sets it (softmdp runs `gnuplot -e "outfile='TEMP'" OUT.gp`), else OUT itself, so the
// script also draws the picture when run by hand.
std::string preamble(const std::string& out) {
    return fmt::format("set terminal {}\nif (!exists(\"outfile\")) outfile = {}\nset output outfile\n", terminal_for(out), gp(out));
}

// The process group of a running gnuplot (0: none), for kill_plotter() in a signal handler.
std::atomic<pid_t> running_plotter{0};
static_assert(std::atomic<pid_t>::is_always_lock_free, "read in a signal handler");

// Seconds gnuplot may run: SOFTMDP_GNUPLOT_TIMEOUT when it is a positive number, else 60.
double plot_time_limit() {
    if (const char* env = std::getenv("SOFTMDP_GNUPLOT_TIMEOUT")) {
        char* end = nullptr;
        const double t = std::strtod(env, &end);
        if (end != env && *end == '\0' && t > 0.0 && std::isfinite(t)) return t;
    }
    return kPlotTimeLimit;
}

// Runs `gnuplot -e "outfile='TARGET'" SCRIPT` without a shell, in its own process group; its stdout
// and stderr go to `log`. Returns the exit status (128 + signal when killed), or nullopt when gnuplot
// cannot be started. A gnuplot that runs past plot_time_limit() is killed (with anything it started)
// and reported as an IoError, so that --plot never hangs.
std::optional<int> run_gnuplot(const std::string& script, const std::string& target, std::string& log) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw IoError(fmt::format("cannot run gnuplot: pipe: {}", std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawnattr_t attr;
    ::posix_spawnattr_init(&attr);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    ::posix_spawnattr_setpgroup(&attr, 0);  // its own group: kill(-pid) reaches whatever it starts
    std::string prog = "gnuplot", e = "-e", setting = "outfile=" + gp(target), file = script;
    char* argv[] = {prog.data(), e.data(), setting.data(), file.data(), nullptr};
    pid_t pid = 0;
    const int err = ::posix_spawnp(&pid, "gnuplot", &actions, &attr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (err != 0) {
        ::close(fds[0]);
        return std::nullopt;
    }
    running_plotter = pid;
    const double limit = plot_time_limit();
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    bool timed_out = false;
    char buf[512];
    for (;;) {
        const double left = limit - elapsed();
        if (left <= 0.0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min(left * 1000.0 + 1.0, 60'000.0)));
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) log.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR) break;  // EOF: gnuplot (and its children) closed the pipe
    }
    ::close(fds[0]);
    // A gnuplot that closed its output but does not exit is held to the same limit.
    int status = 0;
    for (pid_t done = 0; !timed_out;) {
        done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) break;
        if (elapsed() >= limit) timed_out = true;
        else ::usleep(10'000);
    }
    if (timed_out) {
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    running_plotter = 0;
    if (timed_out)
        throw IoError(fmt::format("gnuplot did not finish within {} s and was killed (SOFTMDP_GNUPLOT_TIMEOUT sets the limit in "
                                  "seconds); the picture was not written",
                                  limit));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Writes OUT.dat and OUT.gp atomically, then has gnuplot draw the picture into a temporary file
// beside OUT, which replaces OUT (synced, renamed) only when gnuplot exited 0 and wrote something:
// a failed plot leaves an earlier OUT untouched.
PlotOutcome render(const std::string& out, const std::string& data, const std::string& script) {
    for (const auto& [path, text] : {std::pair{out + ".dat", data}, std::pair{out + ".gp", script}}) {
        OutputFile f(path);
        std::fwrite(text.data(), 1, text.size(), f.stream());
        f.commit();
    }
    PlotOutcome o;
    OutputFile picture(out);
    const std::string target = picture.temp_path().empty() ? out : picture.temp_path();
    std::string log;
    const auto rc = run_gnuplot(out + ".gp", target, log);
    if (!rc) {
        o.message = fmt::format("gnuplot is not installed: wrote {0}.dat and {0}.gp but no picture "
                                "(install gnuplot, then run: gnuplot {0}.gp)", out);
        return o;
    }
    while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
    if (*rc != 0)
        throw IoError(fmt::format("{}: gnuplot failed (exit status {}) on {}.gp{}{}; the picture was not written", out, *rc, out,
                                  log.empty() ? "" : ": ", log));
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0 || st.st_size == 0)
        throw IoError(fmt::format("{}: gnuplot exited 0 but wrote nothing{}{}; the picture was not written", out,
                                  log.empty() ? "" : ": ", log));
    picture.commit();
    o.drawn = true;
    o.message = fmt::format("wrote {} (data {}.dat, script {}.gp)", out, out, out);
    return o;
}

}  // namespace

void kill_plotter() noexcept {
    if (const pid_t pid = running_plotter.load(); pid > 0) ::kill(-pid, SIGKILL);
}

bool comparable_ranges(std::span<const double> a, std::span<const double> b) {
    const auto range = [](std::span<const double> v) {
        double lo = INFINITY, hi = -INFINITY;
        for (double x : v)
            if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
        return std::pair{lo, hi};
    };
    const auto [alo, ahi] = range(a);
    const auto [blo, bhi] = range(b);
    if (!(alo <= ahi) || !(blo <= bhi)) return true;  // a curve without finite points: nothing to squash
    const double joint = std::max(ahi, bhi) - std::min(alo, blo);
    if (joint == 0.0) return true;
    // A flat curve is a flat line on any axis; otherwise each must fill a tenth of the joint range.
    const auto fills = [&](double lo, double hi) { return hi == lo || hi - lo >= 0.1 * joint; };
    return fills(alo, ahi) && fills(blo, bhi);
}

void require_grid(const Model& m) {
    // Model guarantees rows x cols == S or no grid (0 x 0); both are tested so that no layout ever divides by 0.
    if (m.data().grid_rows == 0 || m.data().grid_cols == 0) throw UsageError(param("plot") + " needs a grid-shaped MDP (a \"grid\": {\"rows\", \"cols\"} key in the file)");
}

PlotOutcome plot_grid(const Model& m, const Solution& sol, const std::string& out) {
    require_grid(m);
    const auto& d = m.data();
    const std::string head = preamble(out), dat = gp(out + ".dat");
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
    const std::string script = head + fmt::format(
        "set title \"{title}\"\nset size ratio -1\n"
        "set xrange [-0.5:{xmax}]\nset yrange [-0.5:{ymax}]\nunset xtics\nunset ytics\nset palette rgb 33,13,10\n"
        "set cblabel 'V'\n"
        "plot {dat} index 0 using 1:2:3 with image notitle, \\\n"
        "     {dat} index 1 using 1:2:3:4 with vectors head filled size 0.08,20 lc rgb 'black' lw 1.5 notitle, \\\n"
        "     {dat} index 2 using 1:2:3 with labels tc rgb 'black' notitle\n",
        fmt::arg("dat", dat), fmt::arg("title", quoted(fmt::format("{} {} (alpha {}): V and policy", m.name(), sol.method, sol.alpha))),
        fmt::arg("xmax", static_cast<double>(d.grid_cols) - 0.5), fmt::arg("ymax", static_cast<double>(d.grid_rows) - 0.5));
    return render(out, full, script);
}

PlotOutcome plot_sweep(std::span<const double> alpha, std::span<const double> j_soft, std::span<const double> hard_return,
                       std::span<const double> entropy, const std::string& title, const std::string& out) {
    const std::string head = preamble(out), dat = gp(out + ".dat");
    bool log_x = !alpha.empty();
    for (double v : alpha) log_x = log_x && v > 0.0;
    const auto num = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("NaN"); };
    std::string data = "# alpha J_soft hard_return mean_entropy\n";
    for (std::size_t i = 0; i < alpha.size(); ++i)
        data += fmt::format("{} {} {} {}\n", num(alpha[i]), num(j_soft[i]), num(hard_return[i]), num(entropy[i]));
    const bool shared = comparable_ranges(j_soft, hard_return);
    const std::string script = head + fmt::format(
        "set multiplot layout 2,1 title \"{title}\"\n{logx}set grid\nset key below\n"
        "set ylabel \"{ylabel}\"\n{y2}"
        "plot {dat} using 1:2 with linespoints lw 2 title \"J_soft (return + alpha entropy)\", \\\n"
        "     {dat} using 1:3 with linespoints lw 2 title \"hard return of the soft policy{right}\"{axes}\n"
        "unset y2tics\nunset y2label\nset ytics mirror\nset xlabel \"alpha\"\nset ylabel \"nats\"\n"
        "plot {dat} using 1:4 with linespoints lw 2 lc 3 title \"mean entropy of the soft policy\"\n"
        "unset multiplot\n",
        fmt::arg("title", quoted(title)), fmt::arg("logx", log_x ? "set logscale x\n" : ""), fmt::arg("dat", dat),
        fmt::arg("ylabel", shared ? "return" : "J_soft"),
        fmt::arg("y2", shared ? "" : "set ytics nomirror\nset y2tics\nset y2label \"hard return\"\n"),
        fmt::arg("right", shared ? "" : " (right axis)"), fmt::arg("axes", shared ? "" : " axes x1y2"));
    return render(out, data, script);
}

PlotOutcome plot_particles(std::span<const double> particles, std::span<const double> low, std::span<const double> high,
                           std::span<const double> density, std::size_t nx, std::size_t ny, const std::string& title,
                           const std::string& out) {
    const std::string head = preamble(out), dat = gp(out + ".dat");
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
    const std::string script = head + fmt::format(
        "set title \"{title}\"\nset size ratio -1\n"
        "set xrange [{x0}:{x1}]\nset yrange [{y0}:{y1}]\nset xlabel 'a[0]'\nset ylabel 'a[1]'\n"
        "set palette rgb 33,13,10\nset cblabel 'pi(a|s)'\n"
        "plot {dat} index 0 using 1:2:3 with image notitle, \\\n"
        "     {dat} index 1 using 1:2 with points pt 7 ps 0.5 lc rgb 'white' title 'SVGD particles'\n",
        fmt::arg("dat", dat), fmt::arg("title", quoted(title)), fmt::arg("x0", low[0]), fmt::arg("x1", high[0]),
        fmt::arg("y0", low[1]), fmt::arg("y1", high[1]));
    return render(out, data, script);
}

}  // namespace softmdp
