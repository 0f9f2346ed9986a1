#pragma once
// Typed exceptions of the library. The CLI maps each type to one exit code (see docs/cli.md):
// InputError/UsageError/NumericalError -> 2, IoError -> 3, anything else -> 1.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace softmdp {

// Where in an input something is wrong: file, line (when the parser knows it), entry and field.
struct Location {
    std::string file;
    std::optional<std::size_t> line;
    std::string entry;  // e.g. "transitions[3] (s=0, a=right)"
    std::string field;  // e.g. "next[1][1]"
};

std::string to_string(const Location& loc);

// Invalid input data (an MDP, policy, Q or result file): exit code 2.
class InputError : public std::runtime_error {
public:
    InputError(const std::string& message, Location loc = {});
    const Location& location() const noexcept { return loc_; }
    const std::string& message() const noexcept { return message_; }

private:
    Location loc_;
    std::string message_;
};

// Invalid command-line or API arguments: exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reading or writing a file failed: exit code 3.
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The reader of an output went away (a closed pipe, EPIPE: `softmdp ... | head -c1`): exit code 3
// like any incomplete output, but without a message, as tools killed by SIGPIPE are quiet.
class OutputClosed : public IoError {
public:
    using IoError::IoError;
};

// A computation left the range of doubles for these parameters: values, Q or a policy became
// infinite or NaN, or a linear system was singular in floating point (e.g. --alpha 1e308, rewards
// near 1e308, probabilities below the double range). No file, and no place in one, is wrong, so it
// carries no Location; the message says what failed and which parameter drove it (numerical.hpp).
// Exit code 2, nothing written: a non-finite result certifies nothing (docs/reliability.md).
class NumericalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace softmdp
