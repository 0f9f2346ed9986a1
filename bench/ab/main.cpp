// bench/ab_sweep.sh's driver: the hard and soft sweeps of two revisions (base_side, head_side) and the
// gather floor, run in one process in a new random order every round, so that the host's drift
// (up to 2x within the hour on shared machines) hits all of them alike. Prints medians and the
// per-round ratios head/base and sweep/floor (median and quartiles).
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace base_side { void init(std::size_t); double sweep(double, int); double gather_floor(int); }
namespace head_side { void init(std::size_t); double sweep(double, int); double gather_floor(int); }

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 100;
    const std::size_t S = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    base_side::init(S);
    head_side::init(S);
    volatile double sink = 0.0;
    struct Kernel { std::string name; std::function<double()> run; };
    const std::vector<Kernel> ks = {
        {"base hard", [&] { return base_side::sweep(0.0, threads); }}, {"head hard", [&] { return head_side::sweep(0.0, threads); }},
        {"base soft", [&] { return base_side::sweep(1.0, threads); }}, {"head soft", [&] { return head_side::sweep(1.0, threads); }},
        {"floor", [&] { return head_side::gather_floor(threads); }}};
    std::vector<std::vector<double>> t(ks.size());
    std::vector<std::size_t> order(ks.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::mt19937 rng(1);
    for (int r = 0; r < rounds; ++r) {
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t i : order) {
            const double a = omp_get_wtime();
            sink = sink + ks[i].run();
            t[i].push_back(omp_get_wtime() - a);
        }
    }
    const auto quartiles = [&](std::size_t i, std::size_t j) {  // of t[i][r] / t[j][r]
        std::vector<double> q;
        for (int r = 0; r < rounds; ++r) q.push_back(t[i][r] / t[j][r]);
        std::sort(q.begin(), q.end());
        return std::array<double, 3>{q[rounds / 4], q[rounds / 2], q[3 * rounds / 4]};
    };
    std::printf("S = %zu, %d threads, %d rounds; per-round ratios: median [25%%, 75%%]\n", S, threads, rounds);
    for (std::size_t i = 0; i < ks.size(); ++i) {
        auto x = t[i];
        std::sort(x.begin(), x.end());
        const auto f = quartiles(i, 4);
        std::printf("%-10s median %6.2f ms   / floor %.2f [%.2f, %.2f]", ks[i].name.c_str(), 1e3 * x[x.size() / 2], f[1], f[0], f[2]);
        if (ks[i].name.starts_with("head")) {
            const auto h = quartiles(i, i - 1);
            std::printf("   head / base %.3f [%.3f, %.3f]", h[1], h[0], h[2]);
        }
        std::printf("\n");
    }
}
