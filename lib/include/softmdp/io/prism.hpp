#pragma once
// PRISM's explicit model files for MDPs (as written by `prism -exportmodel` and read by
// `prism -importmodel`), one model in up to four files beside each other:
//   NAME.tra   "S C T" (states, choices, transitions), then "s c t p [action]" per transition,
//              sorted by state, then choice; choices are numbered 0, 1, ... within each state
//   NAME.srew  "S N", then "s r": state rewards, earned in s at every step
//   NAME.trew  "S C N", then "s c t r": transition rewards (PRISM repeats a choice's reward on
//              each of its successors; different values are read as per-successor rewards)
//   NAME.lab   0="init" 1="deadlock" ..., then "s: i j ...": the labels of each state
// Blank lines and '#' lines (PRISM's section headers) are skipped; p and r may be fractions "1/3".
//
// Mapping to softmdp/1 (docs/formats.md):
// - r(s, c) = srew(s) + sum_t p(t|s,c) trew(s,c,t): PRISM's expected reward of one step from s
//   under choice c, the state reward counting once per step spent in s;
// - p0 is uniform over the states labelled "init" (state 0 when there is no .lab file, as PRISM);
// - a state without choices (a deadlock) is terminal, value 0 (its state reward, if any, is dropped
//   with a warning); self-loops stay as they are;
// - actions are the choices' action labels when every choice has one and no state repeats one;
//   otherwise they are c0, c1, ... by choice index;
// - the format has no discount, no state names and no model name (the file's stem is used).
#include <filesystem>
#include <functional>
#include <string>

#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp {

// The files of one model: NAME.tra and its companions (the same path, the extension replaced).
struct PrismFiles {
    std::filesystem::path tra, srew, trew, lab;
};
PrismFiles prism_files(const std::filesystem::path& tra);

// Reads NAME.tra and whichever of NAME.srew, NAME.trew, NAME.lab exist, with the given discount.
// Throws InputError (file, line and field: malformed or unsorted lines, counts that disagree with a
// header, probabilities that do not sum to 1, ...) or IoError. Warnings go to options.warn.
Model read_prism(const std::filesystem::path& tra, double discount, const BuildOptions& options = {});

// Writes NAME.tra, NAME.lab (the "init" states: the support of p0; terminal states as "deadlock")
// and, when some reward is non-zero, NAME.trew, each file atomically. A choice's reward is written as
// its expected reward r(s,a) on each successor, so the files read back give the same r(s,a) and the
// same values, bit for bit. Action names become action labels when all are PRISM identifiers. What
// the format cannot hold is said through `warn` (per-successor rewards, an initial distribution that
// is not a point mass, action names that are not identifiers). An existing NAME.srew, and NAME.trew
// when none is written, is removed (with a warning): read back, it would add rewards.
void write_prism(const Model& m, const std::filesystem::path& tra, const std::function<void(const std::string&)>& warn = {});

}  // namespace softmdp
