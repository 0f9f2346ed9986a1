// Microbenchmarks of the continuous-action hot paths of issue 5, each against the implementation it
// replaced (kept below as the reference), in the same run:
//   svgd:   1000 particles, d = 2, 1000 steps, 2 threads (target <= 1 s); the multigoal model.
//   mc:     10^6 importance samples, d = 6, uniform proposal, 2 threads (target <= 100 ms); an anchor
//           model (12 anchors, what `softmdp estimate` integrates).
// Each benchmark runs one iteration per repetition; the summary at the end takes the fastest
// repetition of each (the machine is shared) and prints the ratios.
//   build/bench/softmdp_bench_continuous --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <omp.h>
#include <string>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;

namespace {

constexpr int kThreads = 2;
constexpr std::size_t kParticles = 1000, kSteps = 1000;
constexpr std::uint64_t kSamples = 1'000'000;

// The SVGD target: pi(a | center) of mdps/multigoal.json at alpha 0.1 (V = 0).
const ContinuousModel& multigoal() {
    static const ContinuousModel m = load_continuous_model(SOFTMDP_SOURCE_DIR "/mdps/multigoal.json");
    return m;
}

// The Monte Carlo target: Q/alpha of a 6-D anchor model, anchors at +-0.6 e_k and one at the origin.
const ContinuousModel& anchors6() {
    static const ContinuousModel m = [] {
        ContinuousModel m;
        m.discount = 0.9;
        m.state_names = {"s", "end"};
        m.initial = {1.0, 0.0};
        m.low.assign(6, -1.0);
        m.high.assign(6, 1.0);
        m.bandwidth = 0.3;
        m.action_cost = 0.1;
        m.anchors.resize(2);
        for (std::size_t k = 0; k < 6; ++k)
            for (double sign : {-1.0, 1.0}) {
                Anchor a{std::vector<double>(6, 0.0), 1.0, {{1, 1.0}}};
                a.at[k] = 0.6 * sign;
                m.anchors[0].push_back(a);
            }
        m.anchors[0].push_back(Anchor{std::vector<double>(6, 0.0), -1.0, {{0, 1.0}}});
        return m;
    }();
    return m;
}

const std::vector<double> kZeroValues{0.0, 0.0};

// ---- References: the implementations before issue 5's work, unchanged but for names. ----
namespace reference {

// SoftQTarget of state 0 with the previous Q_V(s, a): anchors read where the model keeps them,
// one std::exp per anchor.
class SoftQ {
public:
    SoftQ(const ContinuousModel& m, double alpha) : m_(m), G_(m.anchors[0].size()), alpha_(alpha) {
        m.anchor_values(0, kZeroValues, G_);
    }
    std::size_t dim() const { return m_.dim(); }
    std::span<const double> low() const { return m_.low; }
    std::span<const double> high() const { return m_.high; }
    double log_density(std::span<const double> a, std::span<double> grad) const {
        const auto& an = m_.anchors[0];
        const std::size_t K = an.size(), d = dim();
        const double inv2h2 = 1.0 / (2.0 * m_.bandwidth * m_.bandwidth);
        double umax = -std::numeric_limits<double>::infinity(), u[64];
        for (std::size_t k = 0; k < K; ++k) {
            double dist = 0.0;
            for (std::size_t i = 0; i < d; ++i) dist += (a[i] - an[k].at[i]) * (a[i] - an[k].at[i]);
            u[k] = -dist * inv2h2;
            umax = std::max(umax, u[k]);
        }
        double z = 0.0, q = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
            u[k] = std::exp(u[k] - umax);
            z += u[k];
            q += u[k] * G_[k];
        }
        q /= z;
        double norm2 = 0.0;
        for (std::size_t i = 0; i < d; ++i) norm2 += a[i] * a[i];
        if (!grad.empty()) {
            for (std::size_t i = 0; i < d; ++i) grad[i] = -2.0 * m_.action_cost * a[i];
            for (std::size_t k = 0; k < K; ++k) {
                const double coef = (u[k] / z) * (G_[k] - q) * (-2.0 * inv2h2);
                for (std::size_t i = 0; i < d; ++i) grad[i] += coef * (a[i] - an[k].at[i]);
            }
            for (double& g : grad) g /= alpha_;
        }
        return (q - m_.action_cost * norm2) / alpha_;
    }

private:
    const ContinuousModel& m_;
    std::vector<double> G_;
    double alpha_;
};

// Full n x n kernel matrix (upper triangle computed, mirrored), std::exp, the median by
// std::nth_element over a stored copy of the n(n-1)/2 distances.
class Svgd {
public:
    Svgd(std::size_t n, std::size_t d, int threads)
        : n_(n), d_(d), threads_(threads), kernel_(n * n), phi_(n * d), hist_(n * d, 0.0), dist_(n * (n - 1) / 2 + 1) {}

    double median_bandwidth(std::span<const double> y) {
        std::size_t m = 0;
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = i + 1; j < n_; ++j) {
                double r2 = 0.0;
                for (std::size_t k = 0; k < d_; ++k) r2 += (y[i * d_ + k] - y[j * d_ + k]) * (y[i * d_ + k] - y[j * d_ + k]);
                dist_[m++] = r2;
            }
        std::nth_element(dist_.begin(), dist_.begin() + static_cast<std::ptrdiff_t>(m / 2), dist_.begin() + static_cast<std::ptrdiff_t>(m));
        const double h = dist_[m / 2] / std::log(static_cast<double>(n_) + 1.0);
        return h > 1e-12 ? h : 1.0;
    }

    double step(std::span<double> y, std::span<const double> scores, double h, double step_size, bool first) {
        const auto n = static_cast<std::int64_t>(n_);
        const std::size_t d = d_;
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads_)
        for (std::int64_t ii = 0; ii < n; ++ii) {
            const auto i = static_cast<std::size_t>(ii);
            kernel_[i * n_ + i] = 1.0;
            for (std::size_t j = i + 1; j < n_; ++j) {
                double r2 = 0.0;
                for (std::size_t k = 0; k < d; ++k) r2 += (y[i * d + k] - y[j * d + k]) * (y[i * d + k] - y[j * d + k]);
                kernel_[i * n_ + j] = kernel_[j * n_ + i] = std::exp(-r2 / h);
            }
        }
#pragma omp parallel for schedule(static) num_threads(threads_)
        for (std::int64_t ii = 0; ii < n; ++ii) {
            const auto i = static_cast<std::size_t>(ii);
            double* phi = phi_.data() + i * d;
            for (std::size_t k = 0; k < d; ++k) phi[k] = 0.0;
            for (std::size_t j = 0; j < n_; ++j) {
                const double kij = kernel_[j * n_ + i];
                for (std::size_t k = 0; k < d; ++k) phi[k] += kij * (scores[j * d + k] + (2.0 / h) * (y[i * d + k] - y[j * d + k]));
            }
            for (std::size_t k = 0; k < d; ++k) phi[k] /= static_cast<double>(n_);
        }
        double moved = 0.0;
#pragma omp parallel for schedule(static) num_threads(threads_) reduction(max : moved)
        for (std::int64_t ii = 0; ii < n; ++ii) {
            const auto i = static_cast<std::size_t>(ii);
            for (std::size_t k = 0; k < d; ++k) {
                const std::size_t x = i * d + k;
                const double g = phi_[x];
                hist_[x] = first ? hist_[x] + g * g : 0.9 * hist_[x] + 0.1 * g * g;
                const double delta = step_size * g / (1e-6 + std::sqrt(hist_[x]));
                y[x] += delta;
                moved = std::max(moved, std::abs(delta));
            }
        }
        return moved;
    }

private:
    std::size_t n_, d_;
    int threads_;
    std::vector<double> kernel_, phi_, hist_, dist_;
};

// Mirrors coordinates that left the box back inside (the box handling of the time).
void reflect(std::span<const double> low, std::span<const double> high, std::span<double> x) {
    const std::size_t d = low.size();
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t k = i % d;
        if (x[i] < low[k]) x[i] = low[k] + (low[k] - x[i]);
        if (x[i] > high[k]) x[i] = high[k] - (x[i] - high[k]);
        x[i] = std::clamp(x[i], low[k], high[k]);  // a step longer than the box
    }
}

// The driver of svgd() (uniform start, scores, bandwidth every 10 steps above 256 particles).
std::vector<double> svgd(const SoftQ& target, std::size_t n, std::size_t steps, int threads) {
    const std::size_t d = target.dim();
    Rng rng(0);
    std::vector<double> x(n * d), scores(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k) x[i * d + k] = rng.uniform(target.low()[k], target.high()[k]);
    Svgd state(n, d, threads);
    double h = 1.0;
    for (std::size_t step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < n; ++i)
            target.log_density(std::span<const double>(x.data() + i * d, d), std::span<double>(scores.data() + i * d, d));
        if (step % (n <= 256 ? 1 : 10) == 0) h = state.median_bandwidth(x);
        state.step(x, scores, h, 0.01, step == 0);
        reflect(target.low(), target.high(), x);
    }
    return x;
}

// One generator, one uniform draw and one log q per sample, every log-weight stored, then a
// log-mean-exp with std::exp (single-threaded).
LogZEstimate log_integral_uniform(const SoftQ& target, std::uint64_t samples, std::uint64_t seed) {
    const std::size_t d = target.dim();
    const auto low = target.low(), high = target.high();
    Rng rng(seed);
    std::vector<double> a(d), log_w(samples);
    for (std::uint64_t i = 0; i < samples; ++i) {
        double log_vol = 0.0;
        for (std::size_t k = 0; k < d; ++k) {
            a[k] = rng.uniform(low[k], high[k]);
            log_vol += std::log(high[k] - low[k]);
        }
        bool inside = true;
        for (std::size_t k = 0; k < d; ++k) inside = inside && a[k] >= low[k] && a[k] <= high[k];
        log_w[i] = inside ? target.log_density(a, {}) + log_vol : -std::numeric_limits<double>::infinity();
    }
    LogZEstimate e;
    e.samples = samples;
    const double m = *std::max_element(log_w.begin(), log_w.end());
    double s1 = 0.0, s2 = 0.0;
    for (double lw : log_w) {
        const double v = std::exp(lw - m);
        s1 += v;
        s2 += v * v;
    }
    const auto n = static_cast<double>(samples);
    const double mean = s1 / n;
    e.log_z = m + std::log(mean);
    e.std_error = std::sqrt(std::max(0.0, (s2 - n * mean * mean) / (n - 1.0)) / n) / mean;
    e.ess = s1 * s1 / s2;
    return e;
}

}  // namespace reference

void BM_svgd(benchmark::State& state) {
    const SoftQTarget target(multigoal(), 0, kZeroValues, 0.1);
    SvgdOptions o;
    o.particles = kParticles;
    o.max_steps = kSteps;
    o.tolerance = 0.0;
    o.threads = kThreads;
    for (auto _ : state) benchmark::DoNotOptimize(svgd(target, o).particles.data());
}

void BM_svgd_reference(benchmark::State& state) {
    const reference::SoftQ target(multigoal(), 0.1);
    for (auto _ : state) benchmark::DoNotOptimize(reference::svgd(target, kParticles, kSteps, kThreads).data());
}

void BM_mc(benchmark::State& state) {
    const SoftQTarget target(anchors6(), 0, kZeroValues, 0.1);
    LogZEstimate e;
    for (auto _ : state) benchmark::DoNotOptimize(e = log_integral_mc(target, Proposal{}, kSamples, 1, kThreads));
    state.counters["log_z"] = e.log_z;
    state.counters["std_error"] = e.std_error;
}

void BM_mc_reference(benchmark::State& state) {
    const reference::SoftQ target(anchors6(), 0.1);
    LogZEstimate e;
    for (auto _ : state) benchmark::DoNotOptimize(e = reference::log_integral_uniform(target, kSamples, 1));
    state.counters["log_z"] = e.log_z;
    state.counters["std_error"] = e.std_error;
}

BENCHMARK(BM_svgd)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_svgd_reference)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_mc)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_mc_reference)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// The console output, plus the fastest repetition of each benchmark for the summary.
class BestOfReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
            const double seconds = r.real_accumulated_time / static_cast<double>(r.iterations);
            auto [it, fresh] = best.emplace(r.run_name.function_name, seconds);
            if (!fresh) it->second = std::min(it->second, seconds);
        }
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, double> best;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    BestOfReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const auto summary = [&](const char* what, const std::string& name, double target_s) {
        const auto fast = reporter.best.find(name), ref = reporter.best.find(name + "_reference");
        if (fast == reporter.best.end()) return;
        std::printf("%-52s %9.1f ms (target %.0f ms: %s)", what, fast->second * 1e3, target_s * 1e3,
                    fast->second <= target_s ? "met" : "NOT met");
        if (ref != reporter.best.end()) std::printf(", reference %.1f ms, %.1fx faster", ref->second * 1e3, ref->second / fast->second);
        std::printf("\n");
    };
    std::printf("\nbest of the repetitions, %d threads (OpenMP max %d):\n", kThreads, omp_get_max_threads());
    summary("svgd: 1000 particles, d = 2, 1000 steps", "BM_svgd", 1.0);
    summary("importance sampling: 10^6 samples, d = 6", "BM_mc", 0.1);
    return 0;
}
