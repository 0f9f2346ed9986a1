#pragma once
// Readers of continuous-action softmdp/1 files (the model is continuous/continuous_model.hpp) and of
// the values of their results.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/io/mapped_file.hpp"

namespace softmdp {

// Loads and validates a continuous-action softmdp/1 file; throws InputError / IoError.
ContinuousModel load_continuous_model(const std::filesystem::path& file);
// The same from text already read (`source` names it in errors).
ContinuousModel parse_continuous_model(std::string_view text, const std::string& source);

// True when the text is a continuous-action MDP (has an "action_space" key).
bool is_continuous_text(std::string_view text);

// True when the file is a continuous-action MDP (has an "action_space" key).
bool is_continuous_file(const std::filesystem::path& file);
// The same for a file already open (read once: it may be a pipe), releasing its pages as it
// searches, so that a huge discrete-action file is not held in memory by the search.
bool is_continuous(const MappedFile& file);

// The values of a softmdp-result/1 file for this model (count and names checked).
std::vector<double> read_continuous_values(const std::filesystem::path& file, const ContinuousModel& m);

}  // namespace softmdp
