// Rng and stream seeds: reproducible draws, distinct independent-looking streams.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "softmdp/core/random.hpp"

using namespace softmdp;

TEST_CASE("a seed reproduces the draws; uniform and normal have the right first moments") {
    Rng a(5), b(5);
    for (int i = 0; i < 100; ++i) CHECK(a.uniform() == b.uniform());
    Rng rng(1);
    const int n = 200000;
    double su = 0.0, sn = 0.0, sn2 = 0.0;
    for (int i = 0; i < n; ++i) {
        su += rng.uniform();
        const double z = rng.normal();
        sn += z;
        sn2 += z * z;
    }
    // 4 standard errors: sd(U) = 1/sqrt(12), sd(Z) = 1, sd(Z^2) = sqrt(2).
    CHECK(std::abs(su / n - 0.5) <= 4.0 / std::sqrt(12.0 * n));
    CHECK(std::abs(sn / n) <= 4.0 / std::sqrt(n));
    CHECK(std::abs(sn2 / n - 1.0) <= 4.0 * std::sqrt(2.0 / n));
}

TEST_CASE("stream seeds: distinct for neighbouring seeds and streams, first draws uniform across streams") {
    std::set<std::uint64_t> seen;
    for (std::uint64_t seed = 0; seed < 100; ++seed)
        for (std::uint64_t stream = 0; stream < 1000; ++stream) seen.insert(stream_seed(seed, stream));
    CHECK(seen.size() == 100000);
    CHECK(stream_seed(7, 3) == stream_seed(7, 3));
    // The first uniform of 10^4 consecutive streams: mean 1/2, and no correlation between neighbours.
    const int n = 10000;
    double sum = 0.0, lag = 0.0, previous = Rng(stream_seed(1, 0)).uniform();
    sum += previous;
    for (int b = 1; b < n; ++b) {
        const double u = Rng(stream_seed(1, static_cast<std::uint64_t>(b))).uniform();
        sum += u;
        lag += (u - 0.5) * (previous - 0.5);
        previous = u;
    }
    CHECK(std::abs(sum / n - 0.5) <= 4.0 / std::sqrt(12.0 * n));
    CHECK(std::abs(lag / (n - 1)) <= 4.0 / (12.0 * std::sqrt(n - 1.0)));  // sd of (U-1/2)(U'-1/2) is 1/12
}
