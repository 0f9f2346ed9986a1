#pragma once
// The exceptions softmdp throws on purpose, all under one base, softmdp::Error, so that a caller
// can catch everything the library reports with one handler and still tell the kinds apart:
//   Error                        (std::runtime_error)
//   ├── InputError               invalid input data, with the Location of the fault
//   ├── UsageError               invalid arguments (alias InvalidArgument)
//   ├── NumericalError           a computation left the range of doubles
//   └── IoError                  reading or writing a file failed
//       └── OutputClosed         the reader of an output went away (EPIPE)
// The CLI maps each kind to one exit code in one place (apps/main.cpp; docs/errors.md):
// InputError/UsageError/NumericalError -> 2, IoError -> 3, anything else -> 1.
//
// Messages name the parameter to change by its name ("alpha must be >= 0"), marked with param();
// parameters() lists them, and message_with() writes them another way: the CLI writes "--alpha".
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace softmdp {

// A parameter's name inside a message: what() shows it as it is ("alpha"), message_with() as its
// function makes it (the CLI: "--alpha"). Names are lower case letters, digits and '_'.
std::string param(std::string_view name);

// How message_with() writes a parameter's name.
using ParameterNamer = std::function<std::string(std::string_view name)>;

// `text` (a message with param() marks) with each parameter written by `name`.
std::string with_parameter_names(std::string_view text, const ParameterNamer& name);

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message);
    // The parameters the message names, in order of appearance (e.g. {"alpha"}); empty when none.
    const std::vector<std::string>& parameters() const noexcept { return parameters_; }
    // The first of them (the one to change), or "" when the message names none.
    std::string_view parameter() const noexcept;
    // what() with each parameter written by `name`.
    std::string message_with(const ParameterNamer& name) const { return with_parameter_names(marked_, name); }
    // The message with its param() marks, to pass on inside another Error.
    const std::string& marked() const noexcept { return marked_; }

private:
    std::string marked_;
    std::vector<std::string> parameters_;
};

// Where in an input something is wrong: file, line (when the parser knows it), entry and field.
struct Location {
    std::string file;
    std::optional<std::size_t> line;
    std::string entry;  // e.g. "transitions[3] (s=0, a=right)"
    std::string field;  // e.g. "next[1][1]"
};

std::string to_string(const Location& loc);

// Invalid input data (an MDP, policy, Q or result file): exit code 2. what() is
// "LOCATION: MESSAGE" (MESSAGE alone when the location is empty).
class InputError : public Error {
public:
    InputError(const std::string& message, Location loc = {});
    const Location& location() const noexcept { return loc_; }
    // The message without the location, param() marks kept (to rethrow with another location).
    const std::string& message() const noexcept { return message_; }

private:
    Location loc_;
    std::string message_;
};

// Invalid arguments of a library call or the command line: exit code 2.
class UsageError : public Error {
public:
    using Error::Error;
};
using InvalidArgument = UsageError;

// Reading or writing a file failed: exit code 3.
class IoError : public Error {
public:
    using Error::Error;
};

// The reader of an output went away (a closed pipe, EPIPE: `softmdp ... | head -c1`): exit code 3
// like any incomplete output, but without a message, as tools killed by SIGPIPE are quiet.
class OutputClosed : public IoError {
public:
    using IoError::IoError;
};

// A computation left the range of doubles for these parameters: values, Q or a policy became
// infinite or NaN, or a linear system was singular in floating point (e.g. alpha 1e308, rewards
// near 1e308, probabilities below the double range). No file, and no place in one, is wrong, so it
// carries no Location; the message says what failed and which parameter drove it (numerical.hpp).
// Exit code 2, nothing written: a non-finite result certifies nothing (docs/reliability.md).
class NumericalError : public Error {
public:
    using Error::Error;
};

}  // namespace softmdp
