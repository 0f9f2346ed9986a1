#pragma once
// exp for hot loops. std::exp is a library call that blocks vectorisation (glibc's vector exp is
// only declared under -ffast-math), so this one is double arithmetic plus 64-bit integer adds and
// shifts, and a loop that calls it vectorises. It also gives the same bits with every libm.
// Accuracy: within 1 ulp of exp over the whole double range, subnormal results included
// (tests/test_fast_math.cpp); exp(-inf) = 0, exp(+inf) = inf, NaN stays NaN.
// GCC if-converts the two clamps only under -fno-trapping-math (lib/CMakeLists.txt sets it for the
// library and its users); without it loops stay scalar, with the same results.
#include <bit>
#include <cstdint>

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

inline double fast_exp(double x) noexcept {
    // Cody-Waite split of ln 2: n * ln2_hi is exact for |n| < 2^21.
    constexpr double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    // Outside [-746, 710] exp is 0 or inf in double; clamping keeps n small. A NaN fails both tests and stays.
    x = x < -746.0 ? -746.0 : x;
    x = x > 710.0 ? 710.0 : x;
    const double n = (x * log2e + detail::kRoundShifter) - detail::kRoundShifter;  // round(x / ln 2)
    const double r = (x - n * ln2_hi) - n * ln2_lo;                                // |r| <= ln2 / 2
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
    const double er = 1.0 + (r + r * r * p);
    // 2^n as two normal factors, so that subnormal results are rounded once, by the last product.
    const double n1 = (n * 0.5 + detail::kRoundShifter) - detail::kRoundShifter;
    return er * detail::pow2_int(n1) * detail::pow2_int(n - n1);
}

}  // namespace softmdp
