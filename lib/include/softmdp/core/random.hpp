#pragma once
// Reproducible random numbers: std::mt19937_64 is specified bit-for-bit by the standard, but its
// distributions are not, so uniform and normal draws are made here.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace softmdp {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    // Uniform on [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Standard normal by Box-Muller (both values used).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * std::numbers::pi * uniform();
        spare_ = r * std::sin(t);
        has_spare_ = true;
        return r * std::cos(t);
    }
    // Uniform index in [0, n).
    std::uint64_t index(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)) % n; }
    std::mt19937_64& engine() { return engine_; }

private:
    std::mt19937_64 engine_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

// The seed of stream number `stream` of `seed`, for blocks of work that draw their numbers in any
// order or on any thread: SplitMix64's finaliser (Steele, Lea & Flood 2014) applied to the mixed
// seed plus the stream index, so neighbouring seeds and streams give unrelated generators.
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
    const auto mix = [](std::uint64_t z) {
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    return mix(mix(seed) + stream);
}

}  // namespace softmdp
