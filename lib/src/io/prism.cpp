#include "softmdp/io/prism.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/output_file.hpp"
#include "softmdp/io/text_input.hpp"

namespace softmdp {

namespace {

constexpr std::uint32_t kNoLabel = ~std::uint32_t{0};

// PRISM writes exact values as fractions ("1/3"); everything else is a decimal.
std::optional<double> parse_value(std::string_view token) {
    const std::size_t slash = token.find('/');
    if (slash == std::string_view::npos) return parse_double(token);
    const auto num = parse_double(token.substr(0, slash)), den = parse_double(token.substr(slash + 1));
    if (!num || !den || *den == 0.0 || !std::isfinite(*num / *den)) return std::nullopt;
    return *num / *den;
}

// One input file: its data lines (blank and '#' lines skipped) split into fields, and errors
// located at file:line with the field's name.
class Input {
public:
    explicit Input(const std::filesystem::path& file) : name_(file.string()), mapped_(file), lines_(mapped_.text()) {}

    bool next() {
        while (lines_.next()) {
            split_fields(lines_.line(), fields_);
            if (!fields_.empty() && fields_[0][0] != '#') return true;
        }
        return false;
    }
    std::string_view text() const { return lines_.line(); }
    const std::vector<std::string_view>& fields() const { return fields_; }
    std::size_t line() const { return lines_.number(); }

    [[noreturn]] void fail_at(std::size_t line, const std::string& field, const std::string& message) const {
        throw InputError(message, Location{name_, std::max<std::size_t>(line, 1), {}, field});
    }
    [[noreturn]] void fail(const std::string& field, const std::string& message) const { fail_at(line(), field, message); }

    // The header: the first data line, `n` counts (e.g. "S C T").
    std::vector<std::uint64_t> header(std::size_t n, const char* form) {
        if (!next()) fail("", fmt::format("empty file: expected the header '{}'", form));
        if (fields_.size() != n) fail("", fmt::format("expected the header '{}', got {} fields", form, fields_.size()));
        std::vector<std::uint64_t> counts;
        for (std::size_t i = 0; i < n; ++i) counts.push_back(index(i, "header"));
        return counts;
    }
    void expect_fields(std::size_t min, std::size_t max, const char* form) const {
        if (fields_.size() < min || fields_.size() > max) fail("", fmt::format("expected \"{}\", got {} fields", form, fields_.size()));
    }
    std::uint64_t index(std::size_t i, const char* field) const {
        const auto v = parse_index(fields_[i]);
        if (!v) fail(field, fmt::format("expected an index (0, 1, ...), got '{}'", fields_[i]));
        return *v;
    }
    StateId state(std::size_t i, const char* field, std::uint64_t states) const {
        const std::uint64_t s = index(i, field);
        if (s >= states) fail(field, fmt::format("state {} is out of range: the .tra header says {} states", s, states));
        return static_cast<StateId>(s);
    }
    double value(std::size_t i, const char* field) const {
        const auto v = parse_value(fields_[i]);
        if (!v) fail(field, fmt::format("expected a finite number, got '{}'", fields_[i]));
        return *v;
    }
    void check_count(std::size_t header_line, const char* field, std::uint64_t said, std::uint64_t found, const char* what) const {
        if (said != found) fail_at(header_line, field, fmt::format("the header says {} {}, the file has {}", said, what, found));
    }

private:
    std::string name_;
    MappedFile mapped_;
    LineReader lines_;
    std::vector<std::string_view> fields_;
};

// The .tra file in CSR form: state -> choices -> transitions.
struct Transitions {
    std::uint64_t states = 0;
    std::vector<Offset> state_choices;        // states + 1: the choices of s are [state_choices[s], state_choices[s+1])
    std::vector<Offset> choice_first;         // choices + 1: the transitions of choice k
    std::vector<std::size_t> choice_line;     // the line of each choice's first transition
    std::vector<std::uint32_t> choice_label;  // index into labels, or kNoLabel
    std::vector<std::string> labels;          // action labels in order of first appearance
    std::vector<StateId> target;
    std::vector<double> prob;

    std::size_t choices() const { return choice_line.size(); }
    std::uint64_t state_of(Offset choice) const {
        const auto after = std::upper_bound(state_choices.begin(), state_choices.end(), choice);
        return static_cast<std::uint64_t>(after - state_choices.begin() - 1);
    }
};

Transitions read_tra(const std::filesystem::path& file) {
    Input in(file);
    Transitions t;
    if (!in.next()) in.fail("", "empty file: expected the header 'S C T' (states, choices, transitions)");
    if (in.fields().size() == 2) in.fail("", "this is a Markov chain's header 'S T': only MDPs ('S C T') are read");
    if (in.fields().size() == 4) in.fail("", "this is a POMDP's header 'S C T O': only MDPs ('S C T') are read");
    in.expect_fields(3, 3, "S C T");
    const std::size_t header_line = in.line();
    const std::uint64_t S = in.index(0, "states"), C = in.index(1, "choices"), T = in.index(2, "transitions");
    if (S == 0 || S > ModelBuilder::kMaxStates)
        in.fail("states", fmt::format("the number of states must be in 1..{}, got {}", ModelBuilder::kMaxStates, S));
    // The arrays below are sized by S: check it against memory before allocating them.
    if (const std::string error = ModelBuilder::state_count_error(S); !error.empty()) in.fail("states", error);
    t.states = S;
    t.state_choices.assign(S + 1, 0);
    std::vector<std::uint32_t> seen(S, 0);  // per successor: the (1-based) choice that listed it last
    std::unordered_map<std::string, std::uint32_t> label_index;
    std::uint64_t cur_s = 0, cur_c = 0;
    const auto describe = [&](std::uint32_t l) {
        return l == kNoLabel ? std::string("no action label") : fmt::format("action label '{}'", t.labels[l]);
    };
    while (in.next()) {
        const auto& f = in.fields();
        if (f[0] == "-") in.fail("s", "initial-state lines ('-') belong to POMDP files, which are not read");
        in.expect_fields(4, 5, "s c t p [action]");
        const StateId s = in.state(0, "s", S), to = in.state(2, "t", S);
        const std::uint64_t c = in.index(1, "c");
        const double p = in.value(3, "p");
        if (p < 0.0) in.fail("p", fmt::format("probability must be >= 0, got {}", p));
        std::uint32_t label = kNoLabel;
        if (f.size() == 5) {
            const auto [it, added] = label_index.emplace(std::string(f[4]), static_cast<std::uint32_t>(t.labels.size()));
            if (added) t.labels.emplace_back(f[4]);
            label = it->second;
        }
        const bool first = t.choices() == 0 || s != cur_s;
        if (first && t.choices() > 0 && s < cur_s)
            in.fail("s", fmt::format("state {} after state {}: lines must be sorted by state, then choice", s, cur_s));
        if (first && c != 0)
            in.fail("c", fmt::format("state {} starts with choice {}: choices are numbered 0, 1, ... in each state", s, c));
        if (!first && c < cur_c)
            in.fail("c", fmt::format("choice {} after choice {} of state {}: lines must be sorted by state, then choice", c,
                                     cur_c, s));
        if (!first && c > cur_c + 1)
            in.fail("c", fmt::format("choice {} of state {} follows choice {}: choices are numbered 0, 1, ... in each state", c,
                                     s, cur_c));
        if (first || c == cur_c + 1) {
            ++t.state_choices[s + 1];
            t.choice_first.push_back(t.target.size());
            t.choice_line.push_back(in.line());
            t.choice_label.push_back(label);
            cur_s = s;
            cur_c = c;
        } else if (label != t.choice_label.back()) {
            in.fail("action", fmt::format("choice {} of state {} has {} here and {} on line {}: a choice has one action", c, s,
                                          describe(label), describe(t.choice_label.back()), t.choice_line.back()));
        }
        const auto serial = static_cast<std::uint32_t>(t.choices());
        if (seen[to] == serial) in.fail("t", fmt::format("successor {} is listed twice in choice {} of state {}", to, c, s));
        seen[to] = serial;
        t.target.push_back(to);
        t.prob.push_back(p);
    }
    t.choice_first.push_back(t.target.size());
    for (std::uint64_t s = 0; s < S; ++s) t.state_choices[s + 1] += t.state_choices[s];
    in.check_count(header_line, "choices", C, t.choices(), "choices");
    in.check_count(header_line, "transitions", T, t.target.size(), "transitions");
    return t;
}

std::vector<double> read_srew(const std::filesystem::path& file, std::uint64_t states) {
    Input in(file);
    const auto h = in.header(2, "S N");
    const std::size_t header_line = in.line();
    if (h[0] != states) in.fail("states", fmt::format("the header says {} states, the .tra file {}", h[0], states));
    std::vector<double> r(states, 0.0);
    std::vector<char> given(states, 0);
    std::uint64_t n = 0;
    while (in.next()) {
        in.expect_fields(2, 2, "s r");
        const StateId s = in.state(0, "s", states);
        if (given[s]) in.fail("s", fmt::format("state {} is listed twice", s));
        given[s] = 1;
        r[s] = in.value(1, "r");
        ++n;
    }
    in.check_count(header_line, "rewards", h[1], n, "rewards");
    return r;
}

// Per transition (in the order of t.target): its reward.
std::vector<double> read_trew(const std::filesystem::path& file, const Transitions& t) {
    Input in(file);
    const auto h = in.header(3, "S C N");
    const std::size_t header_line = in.line();
    if (h[0] != t.states) in.fail("states", fmt::format("the header says {} states, the .tra file {}", h[0], t.states));
    if (h[1] != t.choices()) in.fail("choices", fmt::format("the header says {} choices, the .tra file {}", h[1], t.choices()));
    std::vector<double> r(t.target.size(), 0.0);
    std::vector<char> listed(t.target.size(), 0);
    std::vector<std::uint32_t> count(t.choices(), 0);
    std::vector<std::size_t> first_line(t.choices(), 0);
    std::uint64_t n = 0;
    Offset hint = 0;  // the transition after the previous line's: files in .tra order find theirs at once
    while (in.next()) {
        in.expect_fields(4, 4, "s c t r");
        const StateId s = in.state(0, "s", t.states), to = in.state(2, "t", t.states);
        const std::uint64_t c = in.index(1, "c");
        const std::uint64_t num = t.state_choices[s + 1] - t.state_choices[s];
        if (c >= num) in.fail("c", fmt::format("state {} has {} choices in the .tra file: there is no choice {}", s, num, c));
        const Offset k = t.state_choices[s] + c, b = t.choice_first[k], e = t.choice_first[k + 1];
        Offset j = hint >= b && hint < e && t.target[hint] == to ? hint : e;
        for (Offset i = b; i < e && j == e; ++i)
            if (t.target[i] == to) j = i;
        if (j == e) in.fail("t", fmt::format("the .tra file has no transition {} {} {}", s, c, to));
        if (listed[j]) in.fail("t", fmt::format("transition {} {} {} is listed twice", s, c, to));
        listed[j] = 1;
        r[j] = in.value(3, "r");
        if (count[k]++ == 0) first_line[k] = in.line();
        hint = j + 1;
        ++n;
    }
    in.check_count(header_line, "rewards", h[2], n, "rewards");
    // A choice that lists only some successors is ambiguous: PRISM would take the first value as the
    // choice's reward, a per-successor reading would give the others 0.
    for (Offset k = 0; k < t.choices(); ++k) {
        const Offset size = t.choice_first[k + 1] - t.choice_first[k];
        if (count[k] != 0 && count[k] != size) {
            const std::uint64_t s = t.state_of(k);
            in.fail_at(first_line[k], "t", fmt::format("choice {} of state {} has rewards for {} of its {} successors: list every "
                                                        "successor (PRISM repeats a choice's reward on each)",
                                                        k - t.state_choices[s], s, count[k], size));
        }
    }
    return r;
}

// The states labelled "init".
std::vector<StateId> read_lab(const std::filesystem::path& file, std::uint64_t states) {
    Input in(file);
    if (!in.next()) in.fail("", "empty file: expected the label names, e.g. 0=\"init\" 1=\"deadlock\"");
    const std::size_t names_line = in.line();
    std::optional<std::size_t> init;
    const std::size_t num_labels = in.fields().size();
    for (std::size_t i = 0; i < num_labels; ++i) {
        const std::string_view d = in.fields()[i];
        const std::size_t eq = d.find('=');
        const auto idx = eq == std::string_view::npos ? std::nullopt : parse_index(d.substr(0, eq));
        if (!idx || d.size() < eq + 3 || d[eq + 1] != '"' || d.back() != '"')
            in.fail("labels", fmt::format("expected N=\"name\", got '{}'", d));
        if (*idx != i) in.fail("labels", fmt::format("label {} is declared as number {}: labels are numbered 0, 1, ...", i, *idx));
        if (d.substr(eq + 2, d.size() - eq - 3) == "init") init = i;
    }
    if (!init) in.fail("labels", "no label \"init\": the initial states are unknown");
    std::vector<char> is_init(states, 0);
    std::vector<std::string_view> labels;
    while (in.next()) {
        const std::string_view text = in.text();
        const std::size_t colon = text.find(':');
        if (colon == std::string_view::npos) in.fail("", "expected \"s: label numbers\"");
        split_fields(text.substr(0, colon), labels);
        const auto s = labels.size() == 1 ? parse_index(labels[0]) : std::nullopt;
        if (!s) in.fail("s", fmt::format("expected a state index before ':', got '{}'", text.substr(0, colon)));
        if (*s >= states) in.fail("s", fmt::format("state {} is out of range: the .tra header says {} states", *s, states));
        split_fields(text.substr(colon + 1), labels);
        for (const std::string_view l : labels) {
            const auto i = parse_index(l);
            if (!i || *i >= num_labels) in.fail("label", fmt::format("'{}' is not a declared label number (0..{})", l, num_labels - 1));
            if (*i == *init) is_init[*s] = 1;
        }
    }
    std::vector<StateId> out;
    for (std::uint64_t s = 0; s < states; ++s)
        if (is_init[s]) out.push_back(static_cast<StateId>(s));
    if (out.empty()) in.fail_at(names_line, "init", "no state has the label \"init\": the initial states are unknown");
    return out;
}

struct Actions {
    std::vector<std::string> names;
    std::vector<ActionId> of_choice;
};

// Action labels name the actions when every choice has one and no state repeats one; otherwise the
// actions are the choice indices c0, c1, ... (with a warning when labels were there but unusable).
Actions choose_actions(const Transitions& t, const std::string& file, const BuildOptions& options) {
    std::string why;
    std::vector<std::uint64_t> last_state(t.labels.size(), ~std::uint64_t{0});
    for (std::uint64_t s = 0; s < t.states && why.empty(); ++s)
        for (Offset k = t.state_choices[s]; k < t.state_choices[s + 1] && why.empty(); ++k) {
            const std::uint32_t l = t.choice_label[k];
            if (l == kNoLabel) why = fmt::format("choice {} of state {} has no action label", k - t.state_choices[s], s);
            else if (last_state[l] == s) why = fmt::format("state {} has two choices labelled '{}'", s, t.labels[l]);
            else last_state[l] = s;
        }
    Actions a;
    if (why.empty() && !t.labels.empty()) {
        a.names = t.labels;
        a.of_choice.assign(t.choice_label.begin(), t.choice_label.end());
        return a;
    }
    if (!t.labels.empty() && options.warn)
        options.warn(fmt::format("{}: {}: actions are named c0, c1, ... by choice index, not by action label", file, why));
    Offset most = 1;  // a model whose states are all deadlocks still needs one action name
    for (std::uint64_t s = 0; s < t.states; ++s) most = std::max(most, t.state_choices[s + 1] - t.state_choices[s]);
    for (Offset c = 0; c < most; ++c) a.names.push_back(fmt::format("c{}", c));
    a.of_choice.resize(t.choices());
    for (std::uint64_t s = 0; s < t.states; ++s)
        for (Offset k = t.state_choices[s]; k < t.state_choices[s + 1]; ++k)
            a.of_choice[k] = static_cast<ActionId>(k - t.state_choices[s]);
    return a;
}

// PRISM's reserved words: not usable as action labels.
bool prism_identifier(const std::string& name) {
    static const std::unordered_set<std::string_view> reserved = {
        "A", "bool", "clock", "const", "ctmc", "C", "double", "dtmc", "E", "endinit", "endinvariant", "endmodule",
        "endobservables", "endrewards", "endsystem", "false", "formula", "filter", "func", "F", "global", "G", "init",
        "invariant", "I", "int", "label", "max", "mdp", "min", "module", "X", "nondeterministic", "observable",
        "observables", "of", "Pmax", "Pmin", "P", "pomdp", "popta", "probabilistic", "prob", "pta", "rate", "rewards",
        "Rmax", "Rmin", "R", "S", "stochastic", "system", "true", "U", "W"};
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) && std::all_of(name.begin(), name.end(), word) &&
           !reserved.contains(name);
}

}  // namespace

PrismFiles prism_files(const std::filesystem::path& tra) {
    auto with = [&](const char* ext) { return std::filesystem::path(tra).replace_extension(ext); };
    return {tra, with(".srew"), with(".trew"), with(".lab")};
}

Model read_prism(const std::filesystem::path& tra, double discount, const BuildOptions& options) {
    const PrismFiles files = prism_files(tra);
    const std::string source = files.tra.string();
    const Transitions t = read_tra(files.tra);
    std::error_code ec;
    const std::vector<double> srew =
        std::filesystem::exists(files.srew, ec) ? read_srew(files.srew, t.states) : std::vector<double>(t.states, 0.0);
    const std::vector<double> trew = std::filesystem::exists(files.trew, ec) ? read_trew(files.trew, t) : std::vector<double>{};
    std::vector<double> p0(t.states, 0.0);
    if (std::filesystem::exists(files.lab, ec)) {
        const auto init = read_lab(files.lab, t.states);
        for (const StateId s : init) p0[s] = 1.0 / static_cast<double>(init.size());
    } else {
        p0[0] = 1.0;  // PRISM's default without labels
    }
    const Actions actions = choose_actions(t, source, options);

    ModelBuilder b(source, options);
    b.set_name(files.tra.stem().string());
    b.set_discount(discount);
    b.set_state_count(t.states);
    b.set_action_names(actions.names);
    b.set_initial(std::move(p0));
    std::size_t dropped = 0, example = 0;
    for (std::uint64_t s = 0; s < t.states; ++s) {
        if (t.state_choices[s] == t.state_choices[s + 1] && srew[s] != 0.0 && dropped++ == 0) example = s;
        for (Offset k = t.state_choices[s]; k < t.state_choices[s + 1]; ++k) {
            const Offset first = t.choice_first[k], last = t.choice_first[k + 1];
            // One value on every successor is PRISM's reward of the choice: kept as r(s,a) exactly.
            const bool per_choice =
                trew.empty() || std::all_of(trew.begin() + first, trew.begin() + last, [&](double r) { return r == trew[first]; });
            try {
                b.begin_entry();
                b.entry_state(Ref::at(s));
                b.entry_action(Ref::at(actions.of_choice[k]));
                b.entry_reward(srew[s] + (per_choice && !trew.empty() ? trew[first] : 0.0));
                for (Offset j = first; j < last; ++j) b.entry_next(Ref::at(t.target[j]), t.prob[j], per_choice ? 0.0 : trew[j]);
                b.end_entry();
            } catch (const InputError& e) {
                const bool prob = e.location().field.rfind("next", 0) == 0;
                throw InputError(fmt::format("state {}, choice {}: {}", s, k - t.state_choices[s], e.message()),
                                 Location{source, t.choice_line[k], {}, prob ? "p" : e.location().field});
            }
        }
    }
    if (dropped > 0 && options.warn)
        options.warn(fmt::format("{}: {} deadlock state(s) have a state reward (e.g. state {}: {}): deadlocks are terminal, "
                                 "value 0, so these rewards are dropped",
                                 files.srew.string(), dropped, example, srew[example]));
    return b.build();
}

namespace {
void write_prism_files(const Model& m, const std::filesystem::path& tra, const std::function<void(const std::string&)>& warn) {
    const auto say = [&](const std::string& w) {
        if (warn) warn(w);
    };
    const PrismFiles files = prism_files(tra);
    const std::size_t S = m.num_states();

    bool labels = m.has_action_names();
    for (std::size_t a = 0; a < m.num_actions() && labels; ++a)
        if (!prism_identifier(m.action_name(a))) {
            labels = false;
            say(fmt::format("action name '{}' is not a PRISM identifier: choices are written without action labels "
                            "(read back, actions are named c0, c1, ... by choice index)",
                            m.action_name(a)));
        }
    OutputFile tra_out(files.tra.string());
    fmt::print(tra_out.stream(), "{} {} {}\n", S, m.num_rows(), m.num_transitions());
    for (std::size_t s = 0; s < S; ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const std::string label = labels ? m.action_name(m.row_action(r)) : std::string();
            for (const Transition& t : m.transitions(r))
                fmt::print(tra_out.stream(), "{} {} {} {}{}{}\n", s, r - m.row_first(s), t.next, t.prob(), labels ? " " : "", label);
        }

    // Rewards: the expected r(s,a) of each choice, on each of its successors (PRISM's convention).
    Offset lines = 0;
    std::size_t split = 0;
    for (Offset r = 0; r < m.num_rows(); ++r) {
        if (m.row_reward(r) != 0.0) lines += m.transitions(r).size();
        const auto rto = m.successor_rewards(r);
        split += !rto.empty() && std::any_of(rto.begin(), rto.end(), [&](double x) { return x != rto[0]; });
    }
    if (split > 0)
        say(fmt::format("{} choice(s) have per-successor rewards: {} gets each choice's expected reward r(s,a) on every "
                        "successor (PRISM has one reward per choice); the values are the same",
                        split, files.trew.string()));
    std::optional<OutputFile> trew_out;
    if (lines > 0) {
        trew_out.emplace(files.trew.string());
        fmt::print(trew_out->stream(), "{} {} {}\n", S, m.num_rows(), lines);
        for (std::size_t s = 0; s < S; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                if (m.row_reward(r) != 0.0)
                    for (const Transition& t : m.transitions(r))
                        fmt::print(trew_out->stream(), "{} {} {} {}\n", s, r - m.row_first(s), t.next, m.row_reward(r));
    }

    // Labels: "init" on the support of p0, "deadlock" on terminal states.
    OutputFile lab_out(files.lab.string());
    fmt::print(lab_out.stream(), "0=\"init\" 1=\"deadlock\"\n");
    std::size_t support = 0;
    double lo = 1.0, hi = 0.0;
    for (std::size_t s = 0; s < S; ++s) {
        const double p = m.initial()[s];
        if (p > 0.0) {
            ++support;
            lo = std::min(lo, p);
            hi = std::max(hi, p);
        }
        if (p > 0.0 || m.is_terminal(s))
            fmt::print(lab_out.stream(), "{}:{}{}\n", s, p > 0.0 ? " 0" : "", m.is_terminal(s) ? " 1" : "");
    }
    if (support > 1 && hi - lo <= 1e-12 * hi)
        say(fmt::format("the initial distribution is uniform over {} states: all {} are labelled \"init\" (softmdp reads "
                        "this back as the same distribution; PRISM treats them as a set of initial states)",
                        support, support));
    else if (support > 1)
        say(fmt::format("the initial distribution is not uniform over its {} states: they are labelled \"init\", which "
                        "reads back as the uniform distribution over them (the probabilities are lost)",
                        support));

    tra_out.commit();
    if (trew_out) trew_out->commit();
    lab_out.commit();
    std::error_code ec;
    for (const auto& stale : {files.srew, files.trew}) {
        if ((stale == files.trew && trew_out) || !std::filesystem::is_regular_file(stale, ec)) continue;
        std::filesystem::remove(stale, ec);
        say(fmt::format("removed {}: read back with the new files, it would change the rewards", stale.string()));
    }
}
}  // namespace

void write_prism(const Model& m, const std::filesystem::path& tra, const std::function<void(const std::string&)>& warn) {
    try {
        write_prism_files(m, tra, warn);
    } catch (const std::system_error& e) {  // fmt::print's failed write (a full disk, ulimit -f): name the files
        throw_write_error(fmt::format("{} (PRISM files .tra, .trew, .lab)", tra.string()), e.code().value());
    }
}

}  // namespace softmdp
