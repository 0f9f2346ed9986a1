#pragma once
// Wall-clock timing for solver time limits and reported timings.
#include <chrono>

namespace softmdp {

// Wall-clock seconds since construction (steady clock: never jumps with the system time).
// Wall-clock seconds since construction.
class Stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace softmdp
