#include "softmdp/io/cassandra.hpp"

#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/io/text_input.hpp"

namespace softmdp {

namespace {

struct Token {
    std::string text;
    std::size_t line;
};

// Whitespace-separated tokens, ':' as its own token, '#' comments to the end of the line.
std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> out;
    LineReader lines(text);
    std::vector<std::string_view> fields;
    while (lines.next()) {
        split_fields(lines.line().substr(0, lines.line().find('#')), fields);
        for (const std::string_view f : fields)
            for (std::size_t b = 0; b < f.size();) {
                const std::size_t colon = f.find(':', b);
                if (colon != b) out.push_back({std::string(f.substr(b, colon - b)), lines.number()});
                if (colon == std::string_view::npos) break;
                out.push_back({":", lines.number()});
                b = colon + 1;
            }
    }
    return out;
}

class Parser {
public:
    Parser(std::vector<Token> t, std::string file) : t_(std::move(t)), file_(std::move(file)) {}
    Model parse();

private:
    [[noreturn]] void fail(const std::string& msg) const {
        const std::size_t line = pos_ < t_.size() ? t_[pos_].line : (t_.empty() ? 1 : t_.back().line);
        throw InputError(msg, Location{file_, line, {}, {}});
    }
    bool done() const { return pos_ >= t_.size(); }
    // At the end of the tokens, an empty token: callers test peek() after done() in one condition
    // (`done() || peek() != ":"`, then `peek() == "uniform"`), which must not read past the end.
    const std::string& peek() const {
        static const std::string end;
        return done() ? end : t_[pos_].text;
    }
    std::string next() {
        if (done()) fail("unexpected end of file");
        return t_[pos_++].text;
    }
    void expect_colon() {
        if (next() != ":") fail("expected ':'");
    }
    static bool is_number(const std::string& s) { return parse_double(s).has_value(); }
    double number() {
        const std::string s = next();
        const auto v = parse_double(s);
        if (!v) {
            --pos_;  // report the line of the bad token, not of the next one
            fail(fmt::format("expected a number, got '{}'", s));
        }
        return *v;
    }
    std::vector<std::string> names_or_count(const char* what) {
        std::vector<std::string> names;
        const std::string first = next();
        if (const auto n = parse_index(first)) {
            if (*n == 0 || *n > 100000) fail(fmt::format("{}: the count must be in 1..100000", what));
            for (std::size_t i = 0; i < *n; ++i) names.push_back(std::to_string(i));
            return names;
        }
        names.push_back(first);
        std::unordered_set<std::string> seen{first};
        while (!done() && peek() != ":" && !is_keyword(pos_)) {
            if (!seen.insert(peek()).second)
                fail(fmt::format("{}: the name '{}' is given twice (each name may appear once)", what, peek()));
            names.push_back(next());
        }
        return names;
    }
    bool is_keyword(std::size_t p) const {
        if (p + 2 < t_.size() && t_[p].text == "start" && (t_[p + 1].text == "include" || t_[p + 1].text == "exclude") &&
            t_[p + 2].text == ":")
            return true;
        return p + 1 < t_.size() && t_[p + 1].text == ":" &&
               (t_[p].text == "discount" || t_[p].text == "values" || t_[p].text == "states" || t_[p].text == "actions" ||
                t_[p].text == "observations" || t_[p].text == "start" || t_[p].text == "T" || t_[p].text == "R" ||
                t_[p].text == "O");
    }
    // Indices named by a token: a name, an index, or * (all).
    std::vector<std::size_t> refs(const std::string& tok, const std::vector<std::string>& names, const char* what) {
        std::vector<std::size_t> out;
        if (tok == "*") {
            for (std::size_t i = 0; i < names.size(); ++i) out.push_back(i);
            return out;
        }
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == tok) return {i};
        if (const auto i = parse_index(tok); i && *i < names.size()) return {static_cast<std::size_t>(*i)};
        fail(fmt::format("unknown {} '{}'", what, tok));
    }
    double& T(std::size_t a, std::size_t s, std::size_t s2) { return trans_[(a * S_ + s) * S_ + s2]; }
    double& R(std::size_t a, std::size_t s, std::size_t s2) { return reward_[(a * S_ + s) * S_ + s2]; }
    double& R(std::size_t a, std::size_t s, std::size_t s2, std::size_t o) { return reward_o_[((a * S_ + s) * S_ + s2) * O_ + o]; }
    double& Obs(std::size_t a, std::size_t s2, std::size_t o) { return obs_[(a * S_ + s2) * O_ + o]; }
    void observation_entry();
    void reward_entry(const std::vector<std::size_t>& as, bool cost);
    void average_observation_rewards(std::size_t A);

    std::vector<Token> t_;
    std::string file_;
    std::size_t pos_ = 0, S_ = 0, O_ = 0;
    std::vector<std::string> states_, actions_, observations_;
    std::size_t obs_size() {
        if (S_ * actions_.size() * O_ > 50'000'000 || S_ * S_ * actions_.size() * O_ > 50'000'000)
            fail(fmt::format("{} states, {} actions and {} observations are too many for this dense importer", S_,
                             actions_.size(), O_));
        return actions_.size() * S_ * O_;
    }
    std::vector<double> trans_, reward_;
    // A POMDP's reward may depend on the observation o ~ O(o | a, s'): R(a,s,s',o). The MDP's reward is
    // its expectation, sum_o O(o | a, s') R(a,s,s',o). reward_o_ holds R(a,s,s',o) from the first
    // reward line that names an observation on (empty before); obs_ holds O(o | a, s').
    std::vector<double> reward_o_, obs_;
    std::optional<std::size_t> first_observation_reward_line_, first_observation_line_;
};

// O: a : s' : o p | O: a : s' then O probabilities or 'uniform' | O: a then an S x O matrix or 'uniform'.
void Parser::observation_entry() {
    if (O_ == 0) fail("O: needs 'observations:' in the preamble");
    if (!first_observation_line_) first_observation_line_ = t_[pos_ - 1].line;
    if (obs_.empty()) obs_.assign(obs_size(), 0.0);
    expect_colon();
    const auto as = refs(next(), actions_, "action");
    std::vector<std::size_t> ts(S_);
    for (std::size_t i = 0; i < S_; ++i) ts[i] = i;
    if (!done() && peek() == ":") {
        expect_colon();
        ts = refs(next(), states_, "state");
        if (!done() && peek() == ":") {
            expect_colon();
            const auto os = refs(next(), observations_, "observation");
            const double p = number();
            for (auto a : as)
                for (auto s2 : ts)
                    for (auto o : os) Obs(a, s2, o) = p;
            return;
        }
    }
    const bool uniform = !done() && peek() == "uniform";
    if (uniform) next();
    std::vector<double> values;
    for (std::size_t i = 0; !uniform && i < ts.size() * O_; ++i) values.push_back(number());
    for (auto a : as)
        for (std::size_t k = 0; k < ts.size(); ++k)
            for (std::size_t o = 0; o < O_; ++o) Obs(a, ts[k], o) = uniform ? 1.0 / static_cast<double>(O_) : values[k * O_ + o];
}

// R: a : s : s' [: o] r. With a named observation, rewards are kept per observation from then on.
void Parser::reward_entry(const std::vector<std::size_t>& as, bool cost) {
    expect_colon();
    const auto ss = refs(next(), states_, "state");
    expect_colon();
    const auto ts = refs(next(), states_, "state");
    std::vector<std::size_t> os;
    if (!done() && peek() == ":") {
        next();
        const std::size_t at = pos_;
        const std::string tok = next();
        if (tok != "*") {
            if (O_ == 0) {
                --pos_;
                fail(fmt::format("the reward names observation '{}' but the file declares no 'observations:'", tok));
            }
            os = refs(tok, observations_, "observation");
            if (!first_observation_reward_line_) first_observation_reward_line_ = t_[at].line;
            if (reward_o_.empty()) {  // from now on per observation: copy what was given so far
                obs_size();
                reward_o_.resize(reward_.size() * O_);
                for (std::size_t i = 0; i < reward_.size(); ++i)
                    for (std::size_t o = 0; o < O_; ++o) reward_o_[i * O_ + o] = reward_[i];
            }
        }
    }
    const double r = cost ? -number() : number();
    for (auto a : as)
        for (auto s : ss)
            for (auto s2 : ts) {
                if (reward_o_.empty()) R(a, s, s2) = r;
                else if (os.empty())
                    for (std::size_t o = 0; o < O_; ++o) R(a, s, s2, o) = r;
                else
                    for (auto o : os) R(a, s, s2, o) = r;
            }
}

// R(a,s,s') = sum_o O(o | a, s') R(a,s,s',o) wherever s' is reachable; refused without an
// observation model, or where O(. | a, s') is not a distribution.
void Parser::average_observation_rewards(std::size_t A) {
    if (reward_o_.empty()) return;
    if (obs_.empty()) {
        pos_ = t_.size();
        throw InputError(
            "R: this reward depends on the observation, but the file has no observation model (O: lines) to average it over",
            Location{file_, *first_observation_reward_line_, {}, {}});
    }
    for (std::size_t a = 0; a < A; ++a)
        for (std::size_t s2 = 0; s2 < S_; ++s2) {
            bool reached = false;
            for (std::size_t s = 0; s < S_ && !reached; ++s) reached = T(a, s, s2) != 0.0;
            if (!reached) continue;
            double z = 0.0;
            for (std::size_t o = 0; o < O_; ++o) z += Obs(a, s2, o);
            if (!(std::abs(z - 1.0) <= 1e-6))
                throw InputError(fmt::format("O: the observation probabilities of (a={}, s'={}) sum to {}, not 1: the "
                                             "observation-dependent rewards cannot be averaged",
                                             actions_[a], states_[s2], z),
                                 Location{file_, *first_observation_line_, {}, {}});
            for (std::size_t s = 0; s < S_; ++s) {
                double r = 0.0;
                for (std::size_t o = 0; o < O_; ++o) r += Obs(a, s2, o) * R(a, s, s2, o);
                R(a, s, s2) = r;
            }
        }
}

Model Parser::parse() {
    double discount = -1.0;
    bool cost = false;
    std::vector<std::string>& states = states_;
    std::vector<std::string>& actions = actions_;
    std::vector<double> start;
    // Preamble.
    while (!done() && !(peek() == "T" || peek() == "R" || peek() == "O")) {
        const std::string key = next();
        if (key == "start" && !done() && (peek() == "include" || peek() == "exclude")) {
            const bool include = next() == "include";
            expect_colon();
            if (states.empty()) fail("'states' must come before 'start'");
            start.assign(states.size(), include ? 0.0 : 1.0);
            while (!done() && !is_keyword(pos_)) for (auto s : refs(next(), states, "state")) start[s] = include ? 1.0 : 0.0;
            double z = 0.0;
            for (double p : start) z += p;
            if (z == 0.0) fail("'start' leaves no state");
            for (double& p : start) p /= z;
            continue;
        }
        expect_colon();
        if (key == "discount") discount = number();
        else if (key == "values") {
            const std::string v = next();
            if (v != "reward" && v != "cost") fail(fmt::format("values must be reward or cost, got '{}'", v));
            cost = v == "cost";
        } else if (key == "states") states = names_or_count("states");
        else if (key == "actions") actions = names_or_count("actions");
        else if (key == "observations") {  // POMDP only: for rewards that depend on the observation
            observations_ = names_or_count("observations");
            O_ = observations_.size();
        }
        else if (key == "start") {
            if (states.empty()) fail("'states' must come before 'start'");
            if (peek() == "uniform") {
                next();
                start.assign(states.size(), 1.0 / static_cast<double>(states.size()));
            } else if (is_number(peek()) && states.size() > 1) {
                start.clear();
                for (std::size_t i = 0; i < states.size(); ++i) start.push_back(number());
            } else {
                start.assign(states.size(), 0.0);
                start[refs(next(), states, "state")[0]] = 1.0;
            }
        } else fail(fmt::format("unknown key '{}'", key));
    }
    if (discount < 0.0) fail("missing 'discount:'");
    if (states.empty()) fail("missing 'states:'");
    if (actions.empty()) fail("missing 'actions:'");
    S_ = states.size();
    const std::size_t A = actions.size();
    // Two dense A x S x S arrays: bounded, in doubles (no wrap), and checked against memory first.
    const double cells = static_cast<double>(S_) * static_cast<double>(S_) * static_cast<double>(A);
    if (cells > 50e6) fail(fmt::format("{} states and {} actions are too many for this dense importer", S_, A));
    if (16.0 * cells > static_cast<double>(usable_memory()))
        fail(fmt::format("{} states and {} actions need {} for this dense importer, more than the {} available here", S_, A,
                         human_bytes(16.0 * cells), human_bytes(static_cast<double>(usable_memory()))));
    trans_.assign(A * S_ * S_, 0.0);
    reward_.assign(A * S_ * S_, 0.0);
    // Entries.
    while (!done()) {
        const std::string kind = next();
        if (kind == "O") {
            observation_entry();
            continue;
        }
        if (kind != "T" && kind != "R") fail(fmt::format("expected T:, R: or O:, got '{}'", kind));
        expect_colon();
        const auto as = refs(next(), actions, "action");
        if (kind == "T") {
            if (done() || peek() != ":") {  // T: a  then a matrix, identity or uniform
                if (peek() == "identity" || peek() == "uniform") {
                    const bool id = next() == "identity";
                    for (auto a : as)
                        for (std::size_t s = 0; s < S_; ++s)
                            for (std::size_t s2 = 0; s2 < S_; ++s2) T(a, s, s2) = id ? (s == s2 ? 1.0 : 0.0) : 1.0 / static_cast<double>(S_);
                } else {
                    std::vector<double> mat;
                    for (std::size_t i = 0; i < S_ * S_; ++i) mat.push_back(number());
                    for (auto a : as)
                        for (std::size_t i = 0; i < S_ * S_; ++i) T(a, i / S_, i % S_) = mat[i];
                }
                continue;
            }
            expect_colon();
            const auto ss = refs(next(), states, "state");
            if (done() || peek() != ":") {  // T: a : s  then a row
                std::vector<double> row;
                if (peek() == "uniform") {
                    next();
                    row.assign(S_, 1.0 / static_cast<double>(S_));
                } else {
                    for (std::size_t i = 0; i < S_; ++i) row.push_back(number());
                }
                for (auto a : as)
                    for (auto s : ss)
                        for (std::size_t s2 = 0; s2 < S_; ++s2) T(a, s, s2) = row[s2];
                continue;
            }
            expect_colon();
            const auto ts = refs(next(), states, "state");
            const double p = number();
            for (auto a : as)
                for (auto s : ss)
                    for (auto s2 : ts) T(a, s, s2) = p;
        } else {
            reward_entry(as, cost);
        }
    }
    average_observation_rewards(A);
    ModelBuilder b(file_);
    b.set_discount(discount);
    b.set_state_names(states);
    b.set_action_names(actions);
    if (!start.empty()) b.set_initial(start);
    for (std::size_t s = 0; s < S_; ++s)
        for (std::size_t a = 0; a < A; ++a) {
            b.begin_entry();
            b.entry_state(Ref::at(s));
            b.entry_action(Ref::at(a));
            for (std::size_t s2 = 0; s2 < S_; ++s2)
                if (T(a, s, s2) != 0.0) b.entry_next(Ref::at(s2), T(a, s, s2), R(a, s, s2));
            b.end_entry();
        }
    return b.build();
}

std::string token(const std::string& name) {
    for (char c : name)
        if (std::isspace(static_cast<unsigned char>(c)) || c == ':' || c == '#') return {};
    return name;
}

}  // namespace

Model read_cassandra(const std::filesystem::path& file) {
    const MappedFile mapped(file);
    return Parser(tokenize(mapped.text()), file.string()).parse();
}

void write_cassandra(std::FILE* out, const Model& m) {
    const auto names = [&](bool state) {
        std::string line;
        const std::size_t n = state ? m.num_states() : m.num_actions();
        bool named = state ? m.has_state_names() : m.has_action_names();
        for (std::size_t i = 0; i < n && named; ++i) named = !token(state ? m.state_name(i) : m.action_name(i)).empty() &&
                                                             (state ? m.state_name(i) : m.action_name(i)).find_first_not_of("0123456789") != std::string::npos;
        if (!named) return std::to_string(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (i) line += ' ';
            line += state ? m.state_name(i) : m.action_name(i);
        }
        return line;
    };
    const std::string st = names(true), ac = names(false);
    const bool state_names = st != std::to_string(m.num_states()), action_names = ac != std::to_string(m.num_actions());
    const auto sname = [&](std::size_t s) { return state_names ? m.state_name(s) : std::to_string(s); };
    const auto aname = [&](std::size_t a) { return action_names ? m.action_name(a) : std::to_string(a); };
    fmt::print(out, "# {} (written by softmdp)\ndiscount: {}\nvalues: reward\nstates: {}\nactions: {}\nstart:", m.name(),
               m.discount(), st, ac);
    for (double p : m.initial()) fmt::print(out, " {}", p);
    fmt::print(out, "\n\n");
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) {  // absorbing, reward 0 under every action
            fmt::print(out, "T: * : {} : {} 1\n", sname(s), sname(s));
            continue;
        }
        if (m.num_available(s) != m.num_actions())
            throw UsageError(fmt::format("cannot export to Cassandra: state {} does not have every action (the format "
                                         "assumes every action is available everywhere)",
                                         m.state_name(s)));
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const auto next = m.transitions(r);
            const auto rto = m.successor_rewards(r);
            const double base = m.entry_reward(r);
            for (std::size_t k = 0; k < next.size(); ++k) {
                fmt::print(out, "T: {} : {} : {} {}\n", aname(m.row_action(r)), sname(s), sname(next[k].next), next[k].prob());
                const double rew = base + (rto.empty() ? 0.0 : rto[k]);
                if (rew != 0.0) fmt::print(out, "R: {} : {} : {} : * {}\n", aname(m.row_action(r)), sname(s), sname(next[k].next), rew);
            }
        }
    }
}

void write_softmdp(JsonWriter& w, const Model& m) {
    w.begin_object();
    w.key("format").value("softmdp/1");
    w.key("name").value(m.name());
    w.key("discount").value(m.discount());
    const auto list = [&](const char* key, bool state) {
        w.key(key);
        if (!(state ? m.has_state_names() : m.has_action_names())) {
            w.value(static_cast<std::uint64_t>(state ? m.num_states() : m.num_actions()));
            return;
        }
        w.begin_array();
        for (std::size_t i = 0; i < (state ? m.num_states() : m.num_actions()); ++i) w.value(state ? m.state_name(i) : m.action_name(i));
        w.end_array();
    };
    list("states", true);
    list("actions", false);
    if (m.data().grid_rows) w.key("grid").begin_object().key("rows").value(static_cast<std::uint64_t>(m.data().grid_rows)).key("cols").value(static_cast<std::uint64_t>(m.data().grid_cols)).end_object();
    w.key("initial").begin_array();
    for (double p : m.initial()) w.value(p);
    w.end_array();
    w.key("transitions").begin_array();
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const auto next = m.transitions(r);
            const auto rto = m.successor_rewards(r);
            const double base = m.entry_reward(r);
            w.begin_object().key("s").value(static_cast<std::uint64_t>(s)).key("a").value(static_cast<std::uint64_t>(m.row_action(r)));
            if (base != 0.0) w.key("r").value(base);
            w.key("next").begin_array();
            for (std::size_t k = 0; k < next.size(); ++k) {
                w.begin_array().value(static_cast<std::uint64_t>(next[k].next)).value(next[k].prob());
                if (!rto.empty() && rto[k] != 0.0) w.value(rto[k]);
                w.end_array();
            }
            w.end_array().end_object();
        }
    w.end_array();
    w.end_object();
}

}  // namespace softmdp
