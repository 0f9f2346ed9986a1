#!/usr/bin/python3
"""Checks the include direction of the library (docs/architecture.md):

    core <- solvers <- analysis <- learning        core <- continuous        io may include all of them
    distributed (MPI, built only with SOFTMDP_MPI) may include core, solvers, analysis and io; nothing includes it

A layer includes headers of itself and of the layers it builds on, nothing else: nothing below io
reads or writes files, so the maths can be used (and tested) without the file formats. Also:
lib/ never includes apps/ (the CLI); public headers (lib/include) never include private ones
(lib/src), which are not installed.

usage: scripts/check_layers.py [ROOT]     exit 1 and one line per violation when there are any
       scripts/check_layers.py --self-test   plants one violation of each rule in a copy of lib/
                                             and checks that each is reported
"""
import pathlib
import re
import shutil
import sys
import tempfile

ALLOWED = {
    "core": {"core"},
    "solvers": {"core", "solvers"},
    "analysis": {"core", "solvers", "analysis"},
    "learning": {"core", "solvers", "analysis", "learning"},
    "continuous": {"core", "continuous"},
    "io": {"core", "solvers", "analysis", "learning", "continuous", "io"},
    "distributed": {"core", "solvers", "analysis", "io", "distributed"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
SOURCES = (".hpp", ".h", ".cpp", ".cc", ".ipp")


def layer_of(path, lib):
    """The layer of a file under lib/include/softmdp/<layer>/ or lib/src/<layer>/, else None."""
    rel = path.relative_to(lib).parts
    if rel[:2] == ("include", "softmdp") and len(rel) > 3:
        return rel[2]
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    return None


def check(root):
    root = pathlib.Path(root)
    lib = root / "lib"
    errors = []
    files = sorted(p for p in lib.rglob("*") if p.suffix in SOURCES and p.is_file())
    for path in files:
        public = path.is_relative_to(lib / "include")
        layer = layer_of(path, lib)
        where = path.relative_to(root)
        if layer is not None and layer not in ALLOWED:
            errors.append(f"{where}: in an unknown layer '{layer}' (known: {', '.join(ALLOWED)})")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INCLUDE.finditer(text):
            inc = match.group(1)
            line = text.count("\n", 0, match.start()) + 1
            at = f"{where}:{line}: #include \"{inc}\""
            if inc.startswith("apps/") or (root / "apps" / inc).is_file() and not (path.parent / inc).is_file():
                errors.append(f"{at}: lib/ includes the CLI (apps/)")
                continue
            if inc.startswith("softmdp/"):
                target = lib / "include" / inc
                if not target.is_file():
                    errors.append(f"{at}: no such public header")
                    continue
            else:
                target = path.parent / inc
                if not target.is_file():
                    continue  # a system or third-party header in quotes
                if public and not target.resolve().is_relative_to((lib / "include").resolve()):
                    errors.append(f"{at}: a public header includes a private one (lib/src is not installed)")
                    continue
            target_layer = layer_of(target.resolve(), lib.resolve())
            if layer is None or target_layer is None:
                continue
            if target_layer not in ALLOWED[layer]:
                errors.append(f"{at}: {layer} may include only {', '.join(sorted(ALLOWED[layer]))}, not {target_layer}")
    return errors


def self_test(root):
    """Each planted violation must be reported; the clean copy must pass."""
    root = pathlib.Path(root)
    plants = [
        ("lib/src/core/model.cpp", '#include "softmdp/solvers/bellman.hpp"', "core may include only core"),
        ("lib/src/solvers/solve.cpp", '#include "softmdp/io/loader.hpp"', "not io"),
        ("lib/include/softmdp/analysis/policy.hpp", '#include "softmdp/learning/soft_q_learning.hpp"', "not learning"),
        ("lib/src/continuous/svgd.cpp", '#include "softmdp/solvers/bellman.hpp"', "not solvers"),
        ("lib/src/learning/soft_q_learning.cpp", '#include "softmdp/continuous/svgd.hpp"', "not continuous"),
        ("lib/src/io/loader.cpp", '#include "apps/cli.hpp"', "includes the CLI"),
        ("lib/include/softmdp/io/loader.hpp", '#include "../../../src/io/fast_scanner.hpp"', "includes a private one"),
        ("lib/src/io/result.cpp", '#include "softmdp/distributed/collective.hpp"', "not distributed"),
        ("lib/src/distributed/collective.cpp", '#include "softmdp/learning/simulate.hpp"', "not learning"),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp)
        shutil.copytree(root / "lib", copy / "lib")
        (copy / "apps").mkdir()
        clean = check(copy)
        if clean:
            print("self-test: the unmodified copy has violations:", *clean, sep="\n  ")
            failures += 1
        for file, line, expected in plants:
            target = copy / file
            original = target.read_text(encoding="utf-8")
            target.write_text(line + "\n" + original, encoding="utf-8")
            found = [e for e in check(copy) if e.startswith(file + ":1:") and expected in e]
            if not found:
                print(f"self-test: planted {line} in {file}, not reported as '{expected}'")
                failures += 1
            target.write_text(original, encoding="utf-8")
    print("self-test:", "FAILED" if failures else f"all {len(plants)} planted violations reported")
    return 1 if failures else 0


def main(argv):
    here = pathlib.Path(__file__).resolve().parent.parent
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test(argv[2] if len(argv) > 2 else here)
    root = pathlib.Path(argv[1]) if len(argv) > 1 else here
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} include(s) against the layer rules (scripts/check_layers.py)")
        return 1
    print("check_layers: every include follows the layer rules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
