#!/usr/bin/env python3
"""Writes tests/bad/: invalid MDP files and expected.tsv (file, exit code, message part).

tests/test_cli_bad_input.cpp runs `softmdp validate` on each (`softmdp convert` on Cassandra .mdp
files) and checks both. Files too large to
commit (100 MB of whitespace, 100000 nested brackets) are made by the test itself.
"""
import gzip
import io
import json
import os
import struct
import tarfile
import zipfile

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
# Repeated keys (written by hand before this script had them) and grids (issue 12).
add("duplicate_top_key.json", '{\n  "format": "softmdp/1",\n  "discount": 0.9,\n  "states": ["x", "y"],\n  "actions": ["l"],\n'
    '  "discount": 0.5,\n  "transitions": [{"s": "x", "a": "l", "next": [["y", 1]]}]\n}\n', 2,
    "duplicate_top_key.json:6: field 'discount': duplicate key 'discount'")
add("duplicate_entry_key.json", '{\n  "format": "softmdp/1",\n  "discount": 0.9,\n  "states": ["x", "y"],\n  "actions": ["l"],\n'
    '  "transitions": [\n    {"s": "x", "a": "l", "next": [["y", 1]]},\n    {"s": "y", "a": "l", "s": "x", "next": [["x", 1]]}\n  ]\n}\n', 2,
    "duplicate_entry_key.json:8: transitions[1] (s=y, a=l): field 's': duplicate field 's'")
add("grid_zero_cols.json", '{"format": "softmdp/1", "discount": 0.9, "states": ["x", "y", "z", "w", "v"], "actions": ["l"], '
    '"grid": {"rows": 5, "cols": 0}, "transitions": []}', 2, "field 'grid.cols': grid needs at least one column")
add("grid_overflow.json", '{"format": "softmdp/1", "discount": 0.9, "states": ["x", "y"], "actions": ["l"], '
    '"grid": {"rows": 9223372036854775809, "cols": 2}, "transitions": []}', 2, "grid 9223372036854775809x2 does not match 2 states")

# Binary models (UMB, PETSc, npz), built here byte by byte from the specifications. The valid base
# model: 2 states, 2 actions; state 0 has actions 0 and 1, state 1 action 0.
def tar(members, cut=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    b = buf.getvalue()
    return b if cut is None else b[:cut]


def le(fmt, values):
    return struct.pack("<%d%s" % (len(values), fmt), *values)


def umb(index=None, **arrays):
    ts = {"time": "discrete", "#players": 1, "#states": 2, "#initial-states": 1, "#choices": 3, "#choice-actions": 2,
          "#branches": 4, "#branch-actions": 0, "#observations": 0, "branch-probability-type": {"type": "double", "size": 64}}
    idx = {"format-version": 1, "format-revision": 0, "file-data": {"parameters": {"discount": 0.9}}, "transition-system": ts,
           "annotations": {"rewards": {"r": {"applies-to": ["choices"], "type": {"type": "double", "size": 64}}}}}
    for k, v in (index or {}).items():
        (ts if k.startswith("#") or k in ("time", "branch-probability-type") else idx)[k] = v
    files = {"state-to-choices.bin": le("Q", [0, 2, 3]), "choice-to-branches.bin": le("Q", [0, 2, 3, 4]),
             "branch-to-target.bin": le("Q", [0, 1, 1, 0]), "branch-to-probability.bin": le("d", [0.5, 0.5, 1, 1]),
             "actions/choices/values.bin": le("I", [0, 1, 0]), "annotations/rewards/r/choices/values.bin": le("d", [1, 0, 2])}
    for k, v in arrays.items():
        name = k.replace("__", "/").replace("_", "-") + ".bin"
        if v is None:
            del files[name]
        else:
            files[name] = v
    return [("index.json", json.dumps(idx).encode())] + list(files.items())


def add_bin(name, data, message):
    add(name, data, 2, message, binary=True)


add_bin("umb_truncated_member.umb", tar(umb(), cut=512 * 5 + 10), "field 'choice-to-branches.bin': truncated: the member has 32 bytes")
add_bin("umb_not_gzip.umb", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "field 'gzip stream'")
add_bin("umb_truncated_gzip.umb", gzip.compress(tar(umb()), mtime=0)[:200], "field 'gzip stream'")
add_bin("umb_no_index.umb", tar(umb()[1:]), "field 'index.json': missing")
add_bin("umb_index_not_json.umb", tar([("index.json", b"{not json")] + umb()[1:]), "field 'index.json': invalid JSON")
add_bin("umb_continuous_time.umb", tar(umb({"time": "stochastic"})), "discrete-time models")
add_bin("umb_rational.umb", tar(umb({"branch-probability-type": {"type": "rational", "size": 128}})), "double values only")
add_bin("umb_offsets_decrease.umb", tar(umb(choice_to_branches=le("Q", [0, 3, 2, 4]))), "field 'choice-to-branches.bin[2]': offsets must not decrease")
add_bin("umb_offsets_end.umb", tar(umb(state_to_choices=le("Q", [0, 2, 2]))), "field 'state-to-choices.bin[2]': is 2, must be the count 3")
add_bin("umb_target_range.umb", tar(umb(branch_to_target=le("Q", [0, 1, 7, 0]))), "field 'branch-to-target.bin[2]': successor 7 is out of range")
add_bin("umb_probability_nan.umb", tar(umb(branch_to_probability=le("d", [0.5, float("nan"), 1, 1]))), "field 'branch-to-probability.bin[1]': probability must be finite")
add_bin("umb_sum_not_one.umb", tar(umb(branch_to_probability=le("d", [0.5, 0.25, 1, 1]))), "field 'branch-to-probability.bin[0]': the row's probabilities")
add_bin("umb_array_size.umb", tar(umb(branch_to_probability=le("d", [0.5, 0.5, 1]))), "field 'branch-to-probability.bin': has 24 bytes")
add_bin("umb_huge_counts.umb", tar(umb({"#states": 2 ** 40, "#branches": 2 ** 62})), "more than the limit")
add_bin("umb_reward_inf.umb", tar(umb(annotations__rewards__r__choices__values=le("d", [1, float("inf"), 2]))), "field 'annotations/rewards[1]': reward must be finite")
add_bin("umb_action_range.umb", tar(umb(actions__choices__values=le("I", [0, 5, 0]))), "field 'actions/choices/values.bin[1]': choice action 5 is out of range")
add_bin("umb_index_wrong_type.umb", tar(umb({"time": 3})), "field 'index.json': unexpected content")
add_bin("umb_no_probabilities.umb", tar(umb(branch_to_probability=None)), "field 'branch-to-probability.bin': missing")


def be(fmt, values):
    return struct.pack(">%d%s" % (len(values), fmt), *values)


def petsc_mat(rows, cols, lengths, columns, values, nz=None):
    return be("i", [1211216, rows, cols, sum(lengths) if nz is None else nz] + lengths + columns) + be("d", values)


P_OK = ([2, 0, 1, 1], [0, 1, 1, 0], [0.25, 0.75, 1.0, 1.0])
R_OK = petsc_mat(2, 2, [2, 2], [0, 1, 0, 1], [1.5, 0.0, -2.0, 3.0])
GAMMA = be("i", [1211214, 1]) + be("d", [0.9])


def petsc(lengths=P_OK[0], columns=P_OK[1], values=P_OK[2], rows=4, nz=None, r=R_OK):
    return petsc_mat(rows, 2, lengths, columns, values, nz) + r + GAMMA


add_bin("petsc_truncated.petsc", petsc()[:40], "field 'P column indices': truncated")
add_bin("petsc_r_classid.petsc", petsc(r=be("i", [1211215]) + R_OK[4:]), "field 'R': expected a PETSc matrix")
add_bin("petsc_negative_nnz.petsc", petsc(nz=-5), "field 'P': negative number of nonzeros")
add_bin("petsc_row_lengths_sum.petsc", petsc(nz=3), "field 'P row lengths': sum to 4, but the header says 3")
add_bin("petsc_rows_not_sa.petsc", petsc_mat(3, 2, [2, 1, 1], [0, 1, 1, 0], [0.25, 0.75, 1, 1]) + R_OK + GAMMA, "not S*A")
add_bin("petsc_column_range.petsc", petsc(columns=[0, 9, 1, 0]), "field 'P column indices[1]': column 9 is out of range")
add_bin("petsc_huge_rows.petsc", be("i", [1211216, 2 ** 31 - 1, 1, 2 ** 31 - 1]), "field 'P row lengths': truncated")
add_bin("petsc_probability_negative.petsc", petsc(values=[1.25, -0.25, 1, 1]), "field 'P values[1]': probability must be finite and >= 0")
add_bin("petsc_only_p.petsc", petsc_mat(4, 2, *P_OK), "field 'R': missing")


def npy(arr_bytes, descr, shape):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + arr_bytes


def npz(drop=(), **arrays):
    base = {"indptr": npy(le("q", [0, 2, 2, 3, 4]), "<i8", "(5,)"), "indices": npy(le("i", [0, 1, 1, 0]), "<i4", "(4,)"),
            "data": npy(le("d", [0.25, 0.75, 1, 1]), "<f8", "(4,)"), "shape": npy(le("q", [4, 2]), "<i8", "(2,)"),
            "rewards": npy(le("d", [1.5, 0, -2, 3]), "<f8", "(2, 2)"), "discount": npy(le("d", [0.9]), "<f8", "()")}
    base.update(arrays)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for k, v in base.items():
            if k not in drop:
                # A fixed date: the corpus is the same bytes on every run of this script.
                z.writestr(zipfile.ZipInfo(k + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), v)
    return buf.getvalue()


add_bin("npz_truncated.npz", npz()[:300], "end-of-central-directory")
add_bin("npz_missing_indices.npz", npz(drop=("indices",)), "field 'indices': missing")
add_bin("npz_indptr_decreasing.npz", npz(indptr=npy(le("q", [0, 2, 1, 3, 4]), "<i8", "(5,)")), "field 'indptr[2]': offsets must not decrease")
add_bin("npz_indptr_past_end.npz", npz(indptr=npy(le("q", [0, 2, 2, 9, 4]), "<i8", "(5,)")), "field 'indptr[3]': offset 9 is past")
add_bin("npz_shape_not_multiple.npz", npz(shape=npy(le("q", [5, 2]), "<i8", "(2,)")), "not a multiple")
add_bin("npz_big_endian.npz", npz(data=npy(be("d", [0.25, 0.75, 1, 1]), ">f8", "(4,)")), "little-endian")
add_bin("npz_npy_truncated.npz", npz(data=npy(le("d", [0.25, 0.75]), "<f8", "(4,)")), "field 'data': truncated")
add_bin("npz_csc.npz", npz(format=npy("csc".encode("utf-32-le"), "<U3", "()")), "format 'csr'")
add_bin("npz_sum_half.npz", npz(data=npy(le("d", [0.25, 0.25, 1, 1]), "<f8", "(4,)")), "field 'data[0]': the row's probabilities")
add_bin("npz_index_negative.npz", npz(indices=npy(le("i", [0, -1, 1, 0]), "<i4", "(4,)")), "field 'indices[1]': column -1 is out of range")
add_bin("npz_huge_shape.npz", npz(shape=npy(le("q", [2 ** 62, 2 ** 31]), "<i8", "(2,)")), "more than the limit")
# Cassandra files (checked with `softmdp convert FILE OUT.json`): issue 12's silent model changes.
CASS = "discount: 0.5\nstates: A B\nactions: stay\n"
add("cassandra_duplicate_state.mdp", "discount: 0.9\nstates: A A\nactions: go\nT: go : A : A 1\n", 2,
    "cassandra_duplicate_state.mdp:2: states: the name 'A' is given twice")
add("cassandra_observation_reward_without_model.mdp", CASS + "observations: lo hi\nT: stay : * : B 1\n"
    "R: stay : A : B : lo 4\nR: stay : A : B : hi 8\n", 2,
    "without_model.mdp:6: R: this reward depends on the observation, but the file has no observation model")
add("cassandra_observation_row_sum.mdp", CASS + "observations: lo hi\nT: stay : * : B 1\nO: stay : B : lo 0.25\n"
    "R: stay : A : B : lo 4\n", 2, "(a=stay, s'=B) sum to 0.25, not 1")

# Prior files (prior_*.json, checked with `softmdp solve mdps/chain2.json --alpha 1 --prior FILE`):
# softmdp-policy/1 reference policies of KL regularisation for chain2 (states A B, actions stay move).
def prior(policy, fmt="softmdp-policy/1"):
    return json.dumps({"format": fmt, "policy": policy})


add("prior_sum.json", prior({"A": {"stay": 0.5, "move": 0.4}, "B": [0.5, 0.5]}), 2, "state A: probabilities over the available actions sum to 0.9")
add("prior_negative.json", prior({"A": [1.5, -0.5], "B": [0.5, 0.5]}), 2, "state A: field 'move': probability must be finite and >= 0, got -0.5")
add("prior_unknown_action.json", prior({"A": {"jump": 1}, "B": [0.5, 0.5]}), 2, "unknown action 'jump'")
add("prior_unknown_state.json", prior({"A": [1, 0], "B": [0, 1], "Z": [1, 0]}), 2, "unknown state 'Z'")
add("prior_missing_state.json", prior({"A": [1, 0]}), 2, "policy for state B: missing (the state is not terminal)")
add("prior_too_many.json", prior({"A": [0.5, 0.3, 0.2], "B": [0.5, 0.5]}), 2, "has 3 probabilities, the model has 2 actions")
add("prior_wrong_format.json", prior({"A": [1, 0], "B": [0, 1]}, fmt="softmdp/1"), 2, "\"format\" must be")
add("prior_string.json", prior({"A": ["1", 0], "B": [0, 1]}), 2, "must be a number, got \"1\"")

with open(os.path.join(OUT, "expected.tsv"), "w") as f:
    f.write("# file\texit code of `softmdp validate FILE` (.mdp: `softmdp convert FILE OUT.json`; prior_*: `softmdp solve mdps/chain2.json --alpha 1 --prior FILE`)\tpart of the message (stderr, or stdout when valid)\n")
    for name, code, message in cases:
        f.write(f"{name}\t{code}\t{message}\n")
print(len(cases), "files")
