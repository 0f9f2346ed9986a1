# softmdp_math_flags(<target>): the floating-point flags of softmdp's own targets (library, CLI, tests,
# benchmarks). No softmdp code reads errno or the floating-point exception flags after math, so
# -fno-math-errno and -fno-trapping-math let loops that call sqrt or fast_exp (core/fast_math.hpp, with
# its clamps) vectorise. They are PRIVATE: a program using the installed library keeps its own
# floating-point semantics. Inline kernels it compiles from the public headers give the same results
# without them, only possibly unvectorised (docs/library.md, "Build flags").
function(softmdp_math_flags target)
  target_compile_options(${target} PRIVATE -fno-math-errno -fno-trapping-math)
endfunction()
