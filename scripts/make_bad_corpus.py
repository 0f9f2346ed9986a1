#!/usr/bin/env python3
"""Writes tests/bad/: invalid MDP files and expected.tsv (file, exit code, message part).

tests/test_cli_bad_input.cpp runs `softmdp validate` on each (`softmdp convert` on Cassandra .mdp
files) and checks both. Files too large to
commit (100 MB of whitespace, 100000 nested brackets) are made by the test itself.
"""
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "bad")
HEAD = '"format": "softmdp/1", "discount": 0.9, "states": ["x", "y"], "actions": ["l", "r"]'
CONT = ('"format": "softmdp/1", "discount": 0.9, "states": ["s"], "bandwidth": 0.3, '
        '"action_space": {"low": [-1, -1], "high": [1, 1]}')
cases = []


def add(name, text, code, message, binary=False):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(text if binary else text.encode())
    cases.append((name, code, message))


def mdp(transitions, extra=""):
    return "{" + HEAD + extra + ', "transitions": ' + transitions + "}"


def tr(body):
    return "[" + body + "]"


ok_entry = '{"s": "x", "a": "l", "next": [["y", 1]]}'
add("truncated.json", mdp(tr(ok_entry))[:-20], 2, "invalid JSON")
add("empty.json", "", 2, "invalid JSON")
add("trailing_garbage.json", mdp(tr(ok_entry)) + " extra", 2, "invalid JSON")
add("not_an_object.json", "[1, 2, 3]", 2, "expected a single top-level object")
add("nan_literal.json", mdp(tr('{"s": "x", "a": "l", "next": [["y", NaN]]}')), 2, "invalid JSON")
add("inf_literal.json", mdp(tr('{"s": "x", "a": "l", "next": [["y", Infinity]]}')), 2, "invalid JSON")
add("prob_1e400.json", mdp(tr('{"s": "x", "a": "l", "next": [["y", 1e400]]}')), 2, "invalid JSON")
add("missing_format.json", '{"discount": 0.9, "states": 1, "actions": 1, "transitions": []}', 2, "missing key 'format'")
add("wrong_format.json", '{"format": "mdp", "discount": 0.9, "states": 1, "actions": 1, "transitions": []}', 2, "field 'format'")
add("format_number.json", '{"format": 1, "discount": 0.9, "states": 1, "actions": 1, "transitions": []}', 2, "field 'format'")
add("missing_discount.json", '{"format": "softmdp/1", "states": 1, "actions": 1, "transitions": []}', 2, "missing key 'discount'")
add("discount_string.json", '{"format": "softmdp/1", "discount": "0.9", "states": 1, "actions": 1}', 2, "field 'discount': must be a number")
add("discount_negative.json", '{"format": "softmdp/1", "discount": -0.5, "states": 1, "actions": 1}', 2, "discount must be in [0, 1]")
add("discount_above_one.json", '{"format": "softmdp/1", "discount": 1.01, "states": 1, "actions": 1}', 2, "discount must be in [0, 1]")
add("discount_one_cycle.json", '{"format": "softmdp/1", "discount": 1, "states": 2, "actions": 1, "transitions": ['
    '{"s": 0, "a": 0, "next": [[1, 1]]}, {"s": 1, "a": 0, "next": [[0, 1]]}]}', 2, "some policy never terminates")
add("missing_states.json", '{"format": "softmdp/1", "discount": 0.9, "actions": 1, "transitions": []}', 2, "missing key 'states'")
add("zero_states.json", '{"format": "softmdp/1", "discount": 0.9, "states": 0, "actions": 1}', 2, "the state set is empty")
add("empty_state_names.json", '{"format": "softmdp/1", "discount": 0.9, "states": [], "actions": 1}', 2, "the state set is empty")
add("states_string.json", '{"format": "softmdp/1", "discount": 0.9, "states": "many", "actions": 1}', 2, "must be a positive count or an array")
add("states_negative.json", '{"format": "softmdp/1", "discount": 0.9, "states": -3, "actions": 1}', 2, "must be a positive count or an array")
add("states_huge.json", '{"format": "softmdp/1", "discount": 0.9, "states": 1000000000000, "actions": 1}', 2, "more than the limit")
add("duplicate_state_names.json", '{"format": "softmdp/1", "discount": 0.9, "states": ["a", "b", "a"], "actions": 1}', 2, "duplicate name 'a'")
add("duplicate_action_names.json", '{"format": "softmdp/1", "discount": 0.9, "states": 1, "actions": ["go", "go"]}', 2, "duplicate name 'go'")
add("state_name_number.json", '{"format": "softmdp/1", "discount": 0.9, "states": ["a", 2], "actions": 1}', 2, "names must be strings")
add("missing_actions.json", '{"format": "softmdp/1", "discount": 0.9, "states": 1, "transitions": []}', 2, "missing key 'actions'")
add("unknown_key.json", '{"format": "softmdp/1", "discount": 0.9, "states": 1, "actions": 1, "transitons": []}', 2, "unknown key 'transitons'")
add("transitions_object.json", mdp("{}"), 2, "must be an array of entries")
add("entry_array.json", mdp(tr("[1, 2]")), 2, "transitions[0] must be an object")
add("missing_s.json", mdp(tr('{"a": "l", "next": [["y", 1]]}')), 2, "missing field 's'")
add("missing_a.json", mdp(tr('{"s": "x", "next": [["y", 1]]}')), 2, "missing field 'a'")
add("missing_next.json", mdp(tr('{"s": "x", "a": "l"}')), 2, "'next' is missing or empty")
add("empty_next.json", mdp(tr('{"s": "x", "a": "l", "next": []}')), 2, "'next' is missing or empty")
add("unknown_state.json", mdp(tr('{"s": "z", "a": "l", "next": [["y", 1]]}')), 2, "unknown state name 'z'")
add("unknown_action.json", mdp(tr('{"s": "x", "a": "jump", "next": [["y", 1]]}')), 2, "unknown action name 'jump'")
add("unknown_successor.json", mdp(tr('{"s": "x", "a": "l", "next": [["nowhere", 1]]}')), 2, "field 'next[0][0]': unknown state name 'nowhere'")
add("index_out_of_range.json", mdp(tr('{"s": 2, "a": "l", "next": [["y", 1]]}')), 2, "state index 2 is out of range")
add("action_out_of_range.json", mdp(tr('{"s": "x", "a": 5, "next": [["y", 1]]}')), 2, "action index 5 is out of range")
add("negative_index.json", mdp(tr('{"s": -1, "a": "l", "next": [["y", 1]]}')), 2, "index must be >= 0")
add("huge_index.json", mdp(tr('{"s": 1099511627776, "a": "l", "next": [["y", 1]]}')), 2, "index 1099511627776 is out of range")
add("float_index.json", mdp(tr('{"s": 0.5, "a": "l", "next": [["y", 1]]}')), 2, "must be an index")
add("negative_probability.json", mdp(tr('{"s": "x", "a": "l", "next": [["x", -0.5], ["y", 1.5]]}')), 2, "probability must be finite and >= 0")
add("sum_half.json", mdp(tr('{"s": "x", "a": "l", "next": [["x", 0.25], ["y", 0.25]]}')), 2, "probabilities sum to 0.5")
add("sum_one_and_half.json", mdp(tr('{"s": "x", "a": "l", "next": [["x", 0.75], ["y", 0.75]]}')), 2, "probabilities sum to 1.5")
add("probability_string.json", mdp(tr('{"s": "x", "a": "l", "next": [["y", "1"]]}')), 2, "field 'next[0][1]': must be a number")
add("reward_string.json", mdp(tr('{"s": "x", "a": "l", "r": "big", "next": [["y", 1]]}')), 2, "field 'r': must be a number")
add("reward_huge.json", mdp(tr('{"s": "x", "a": "l", "r": -1e999, "next": [["y", 1]]}')), 2, "invalid JSON")
add("next_item_short.json", mdp(tr('{"s": "x", "a": "l", "next": [["y"]]}')), 2, "too few elements")
add("next_item_long.json", mdp(tr('{"s": "x", "a": "l", "next": [["y", 1, 0, 0]]}')), 2, "too many elements")
add("unknown_field.json", mdp(tr('{"s": "x", "a": "l", "p": 1, "next": [["y", 1]]}')), 2, "unknown field 'p'")
add("duplicate_pair.json", mdp(tr(ok_entry + ", " + ok_entry)), 2, "duplicate entry for (s=x, a=l)")
add("initial_sum.json", mdp("[]", ', "initial": [0.5, 0.25]'), 2, "field 'initial': probabilities sum to 0.75")
add("initial_size.json", mdp("[]", ', "initial": [1]'), 2, "has 1 probabilities for 2 states")
add("initial_unknown_state.json", mdp("[]", ', "initial": {"q": 1}'), 2, "unknown state name 'q'")
add("initial_negative.json", mdp("[]", ', "initial": [1.5, -0.5]'), 2, "must be finite and >= 0")
add("grid_mismatch.json", mdp("[]", ', "grid": {"rows": 3, "cols": 3}'), 2, "does not match 2 states")
add("utf8_bom.json", b"\xef\xbb\xbf" + mdp(tr(ok_entry)).encode(), 0, "valid softmdp/1 MDP", binary=True)
add("invalid_utf8_name.json", ('{"format": "softmdp/1", "discount": 0.9, "states": ["a').encode() + b"\xff\xfe" +
    b'"], "actions": 1, "transitions": []}', 2, "invalid JSON", binary=True)
# Continuous-action files.
add("cont_bandwidth_zero.json", "{" + CONT.replace('"bandwidth": 0.3', '"bandwidth": 0') + ', "anchors": []}', 2, "field 'bandwidth': must be > 0")
add("cont_low_ge_high.json", "{" + CONT.replace('"high": [1, 1]', '"high": [1, -1]') + ', "anchors": []}', 2, "must be < high")
add("cont_dimension_mismatch.json", "{" + CONT + ', "anchors": [{"s": "s", "at": [0], "next": [["s", 1]]}]}', 2, "has 1 dimensions, the action space has 2")
add("cont_low_high_lengths.json", "{" + CONT.replace('"high": [1, 1]', '"high": [1]') + ', "anchors": []}', 2, "low has 2 dimensions but high has 1")
add("cont_bad_successor_sum.json", "{" + CONT + ', "anchors": [{"s": "s", "at": [0, 0], "next": [["s", 0.5]]}]}', 2, "probabilities sum to 0.5")
# Found by the fuzzer: a continuous-action file whose JSON has a number beyond double's range.
add("cont_number_overflow.json", "{" + CONT + ', "anchors": [{"s": "s", "at": [0, 1e999], "next": [["s", 1]]}]}', 2, "invalid JSON")
add("cont_with_transitions.json", "{" + CONT + ', "anchors": [], "transitions": []}', 2, "instead of actions and transitions")
# Issue 12: a continuous-file error names its line, as the discrete ones do; a repeated key in a
# continuous file is refused (it used to keep the last); control characters in a name are escaped.
add("cont_error_line.json", "{" + CONT + ',\n"anchors": [\n{"s": "s", "at": [0, 0], "next": [["s", 1]]},\n'
    '{"s": "s", "at": [0], "next": [["s", 1]]}]}', 2, "cont_error_line.json:4: anchors[1] (s=s): field 'at'")
add("cont_duplicate_key.json", "{" + CONT + ',\n"bandwidth": 0.5, "anchors": []}', 2,
    "cont_duplicate_key.json:2: duplicate key 'bandwidth'")
add("control_char_name.json", mdp(tr('{"s": "\\u001b[2J", "a": "l", "next": [["y", 1]]}')), 2,
    "unknown state name '\\x1b[2J'")

# Cassandra files (checked with `softmdp convert FILE OUT.json`): issue 12's silent model changes.
CASS = "discount: 0.5\nstates: A B\nactions: stay\n"
add("cassandra_duplicate_state.mdp", "discount: 0.9\nstates: A A\nactions: go\nT: go : A : A 1\n", 2,
    "cassandra_duplicate_state.mdp:2: states: the name 'A' is given twice")
add("cassandra_observation_reward_without_model.mdp", CASS + "observations: lo hi\nT: stay : * : B 1\n"
    "R: stay : A : B : lo 4\nR: stay : A : B : hi 8\n", 2,
    "without_model.mdp:6: R: this reward depends on the observation, but the file has no observation model")
add("cassandra_observation_row_sum.mdp", CASS + "observations: lo hi\nT: stay : * : B 1\nO: stay : B : lo 0.25\n"
    "R: stay : A : B : lo 4\n", 2, "(a=stay, s'=B) sum to 0.25, not 1")

with open(os.path.join(OUT, "expected.tsv"), "w") as f:
    f.write("# file\texit code of `softmdp validate FILE` (.mdp: `softmdp convert FILE OUT.json`)\tpart of the message (stderr, or stdout when valid)\n")
    for name, code, message in cases:
        f.write(f"{name}\t{code}\t{message}\n")
print(len(cases), "files")
