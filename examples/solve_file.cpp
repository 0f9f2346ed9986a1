// Solves the model in a file with softmdp's default method and prints the value of each state.
//   usage: solve_file MODEL [ALPHA]     (ALPHA = 0: the hard optimum; > 0: the soft one)
// Exit codes as the CLI's: 0 solved, 1 unexpected, 2 invalid input or arguments, 3 I/O error,
// 4 not converged.
#include <softmdp/softmdp.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>

static int fail(const std::exception& e, int code) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return code;
}

int main(int argc, char** argv) {
    char* end = nullptr;
    const double alpha = argc == 3 ? std::strtod(argv[2], &end) : 0.0;
    if (argc < 2 || argc > 3 || (end != nullptr && *end != '\0')) {
        std::fprintf(stderr, "usage: %s MODEL [ALPHA]\n", argv[0]);
        return 2;
    }
    try {
        const softmdp::Model m = softmdp::load_model(argv[1]);
        const std::string method(softmdp::default_method(m, alpha));
        const softmdp::Solution s = softmdp::solve(m, method, alpha, softmdp::SolverOptions{});

        // stop: why the solver stopped, typed (converged, iteration_limit, time_limit, resolution_floor, ...).
        std::printf("%s: %zu states, method %s, alpha %g, %s, error bound %.3g\n", m.name().c_str(), m.num_states(),
                    s.method.c_str(), s.alpha, std::string(softmdp::to_string(s.stop)).c_str(),
                    s.error_bound.value_or(std::numeric_limits<double>::infinity()));
        for (std::size_t i = 0; i < m.num_states(); ++i)
            std::printf("%-12s %.10g\n", m.state_name(i).c_str(), s.values[i]);
        return s.stop == softmdp::Stop::converged ? 0 : 4;
    } catch (const softmdp::InputError& e) {  // names the file, entry and field at fault
        return fail(e, 2);
    } catch (const softmdp::UsageError& e) {  // an argument the library rejects (alpha < 0, ...)
        return fail(e, 2);
    } catch (const softmdp::NumericalError& e) {  // the result left the range of doubles
        return fail(e, 2);
    } catch (const softmdp::IoError& e) {  // the file could not be read
        return fail(e, 3);
    } catch (const std::exception& e) {  // out of memory, a bug
        return fail(e, 1);
    }
}
