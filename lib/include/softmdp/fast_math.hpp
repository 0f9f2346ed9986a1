#pragma once
// exp and log as branch-free inline code that the compiler vectorises inside `#pragma omp simd`
// loops (scalar libm calls cannot be vectorised, and the soft backup is bound by them otherwise).
// Accuracy: within 2 ulp of the correctly rounded result over the ranges below (tests/test_fast_math.cpp
// checks it against std::exp / std::log).
#include <bit>
#include <cstdint>
#include <limits>

namespace softmdp {

// exp(x): x = n ln2 + r with |r| <= ln2/2, exp(r) by its Taylor series to r^13 (truncation < 1e-17
// relative), times 2^n built from exponent bits in two halves so that results down to the
// subnormal range come out right. exp(-inf) = 0, exp(+inf) = +inf, NaN propagates.
inline double fast_exp(double x) noexcept {
    constexpr double log2e = 1.4426950408889634074, ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
    constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
    x = x < -746.0 ? -746.0 : x;
    x = x > 710.0 ? 710.0 : x;
    const double kd = x * log2e + shifter;
    const double n = kd - shifter;
    const double r = (x - n * ln2_hi) - n * ln2_lo;
    double p = 1.0 / 6227020800.0;  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // n in [-1077, 1025]: 2^n = 2^h 2^(n-h) with h = floor(n/2), both factors normal. Every integer
    // step is an add or a left shift of the bits of a double that holds the integer in its low
    // mantissa bits (the shifter trick again): SSE2 has no 64-bit arithmetic shift or conversion.
    constexpr std::uint64_t bias = 0x4338000000000000ULL - 1023;  // bits(shifter) - exponent bias
    const double h = (n * 0.5 - 0.25) + shifter;                 // floor(n/2), exact for integers n
    const double s1 = std::bit_cast<double>((std::bit_cast<std::uint64_t>(h) - bias) << 52);
    const double s2 = std::bit_cast<double>((std::bit_cast<std::uint64_t>(kd) - std::bit_cast<std::uint64_t>(h) + 0x3ffULL) << 52);
    return p * s1 * s2;
}

// log(x) for x > 0 (finite, normal or subnormal): x = 2^k m with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(f), f = (m - 1)/(m + 1), |f| <= 0.1716, by its odd series to f^23.
// log(0) = -inf, log(+inf) = +inf, log(x < 0) and log(NaN) = NaN.
inline double fast_log(double x) noexcept {
    constexpr double ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
    const bool subnormal = x < 0x1p-1022;
    const double xs = subnormal ? x * 0x1p54 : x;
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(xs);
    // Offset so that the mantissa lands in [sqrt(1/2), sqrt(2)); the exponent k + 1023 is then the top
    // 12 bits of t + 1023 * 2^52 (non-negative, so a logical shift suffices), turned into a double by
    // or-ing it into the mantissa of 2^52 (no 64-bit integer conversion in SSE2).
    const std::uint64_t t = bits - 0x3fe6a09e667f3bcdULL;
    const std::uint64_t kb = (t + (0x3ffULL << 52)) >> 52;
    const double k = (std::bit_cast<double>(kb | 0x4330000000000000ULL) - 0x1p52) - (subnormal ? 1077.0 : 1023.0);
    const double m = std::bit_cast<double>(bits - (t & 0xfff0000000000000ULL));
    const double f = (m - 1.0) / (m + 1.0), f2 = f * f;
    double p = 1.0 / 23.0;
    p = p * f2 + 1.0 / 21.0;
    p = p * f2 + 1.0 / 19.0;
    p = p * f2 + 1.0 / 17.0;
    p = p * f2 + 1.0 / 15.0;
    p = p * f2 + 1.0 / 13.0;
    p = p * f2 + 1.0 / 11.0;
    p = p * f2 + 1.0 / 9.0;
    p = p * f2 + 1.0 / 7.0;
    p = p * f2 + 1.0 / 5.0;
    p = p * f2 + 1.0 / 3.0;
    // log m = 2f + 2f^3 p'; written as f + f - ... keeps the leading term exact.
    const double lm = 2.0 * f + 2.0 * f * f2 * p;
    const double y = k * ln2_hi + (lm + k * ln2_lo);
    constexpr double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    double r = x == inf ? inf : y;  // one select per special case, so that loops stay vectorisable
    r = x == 0.0 ? -inf : r;
    return x < 0.0 || x != x ? nan : r;
}

}  // namespace softmdp
