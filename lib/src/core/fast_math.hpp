#pragma once
// exp and log for hot loops. std::exp is a library call that blocks vectorisation (glibc's vector exp is
// only declared under -ffast-math), so this one is double arithmetic plus 64-bit integer adds and
// shifts, and a loop that calls it vectorises. It also gives the same bits with every libm.
// Accuracy: within 1 ulp of exp over the whole double range, subnormal results included
// (tests/test_fast_math.cpp); exp(-inf) = 0, exp(+inf) = inf, NaN stays NaN.
// GCC if-converts the two clamps only under -fno-trapping-math (cmake/SoftmdpMathFlags.cmake: the
// library's own targets; a private header, so only sources built with those flags call it);
// without it loops stay scalar, with the same results.
#include <bit>
#include <cstdint>
#include <limits>

// For functions whose loops call fast_exp: GCC compiles them for AVX-512, AVX2+FMA and baseline
// x86-64 and the loader picks one for the CPU (function multiversioning), so a portable build still
// gets wide vectors. Results may differ in the last bits between the versions (FMA, reduction width),
// never between runs on one machine.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__AVX2__)
#define SOFTMDP_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SOFTMDP_SIMD_CLONES
#endif

namespace softmdp {

namespace detail {
// Adding it rounds a double of magnitude < 2^51 to an integer, which then sits in the low mantissa bits.
inline constexpr double kRoundShifter = 0x1.8p52;

// 2^k for an integer-valued k in [-1022, 1023]: k + 1023 goes straight into the exponent field.
inline double pow2_int(double k) noexcept {
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(k + (kRoundShifter + 1023.0)) << 52);
}
}  // namespace detail

namespace detail {

// x = n ln2 + r with n integer-valued and |r| <= ln2/2; returns e^r, sets n. |x| <= 746.
inline double exp_reduce(double x, double& n) noexcept {
    // Cody-Waite split of ln 2: n * ln2_hi is exact for |n| < 2^21.
    constexpr double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    n = (x * log2e + kRoundShifter) - kRoundShifter;  // round(x / ln 2)
    const double r = (x - n * ln2_hi) - n * ln2_lo;
    // e^r = 1 + r + r^2 P(r), P the degree-9 Chebyshev fit of (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2]
    // (fit error 1e-16, computed with mpmath): the leading 1 + r stays exact.
    double p = 2.5100375832561234e-08;
    p = p * r + 2.7620075879983367e-07;
    p = p * r + 2.7557268480310024e-06;
    p = p * r + 2.4801521322368692e-05;
    p = p * r + 1.9841269863040545e-04;
    p = p * r + 1.3888888917196719e-03;
    p = p * r + 8.3333333333300650e-03;
    p = p * r + 4.1666666666624164e-02;
    p = p * r + 1.6666666666666669e-01;
    p = p * r + 5.0000000000000010e-01;
    return 1.0 + (r + r * r * p);
}

}  // namespace detail

inline double fast_exp(double x) noexcept {
    // Outside [-746, 710] exp is 0 or inf in double; clamping keeps n small. A NaN fails both tests and stays.
    x = x < -746.0 ? -746.0 : x;
    x = x > 710.0 ? 710.0 : x;
    double n;
    const double er = detail::exp_reduce(x, n);
    // 2^n as two normal factors, so that subnormal results are rounded once, by the last product.
    const double n1 = (n * 0.5 + detail::kRoundShifter) - detail::kRoundShifter;
    return er * detail::pow2_int(n1) * detail::pow2_int(n - n1);
}

// exp(x) for x <= 0 (or NaN) as a term of a sum that holds a term >= 1, as in log-sum-exp: the same
// bits as fast_exp down to x = -708, where exp is still a normal number; below, exp(-708) (3e-308),
// which leaves such a sum unchanged. One scaling instead of two: a fifth fewer operations.
inline double fast_exp_le0(double x) noexcept {
    x = x < -708.0 ? -708.0 : x;
    double n;
    const double er = detail::exp_reduce(x, n);
    return er * detail::pow2_int(n);
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
