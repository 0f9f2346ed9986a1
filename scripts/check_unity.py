#!/usr/bin/env python3
"""The unity (batched) builds of scripts/test.sh compile several .cpp files of a target as one unit.
Two files' internal names (in an anonymous namespace, or `static`) then share one scope: the same
name with the same signature fails to compile, but with different parameter types or constraints it
OVERLOADS, and a call may silently pick the other file's function. This check fails when two files
of one unity target (lib/src, tests) declare the same internal name, so that cannot happen.
usage: check_unity.py [--self-test] [ROOT]"""
import pathlib, re, sys

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROOT = pathlib.Path(ARGS[0] if ARGS else pathlib.Path(__file__).resolve().parent.parent)
TARGETS = {"lib/src": "**/*.cpp", "tests": "*.cpp", "python": "*.cpp"}
# A declaration at the top of an anonymous namespace: a function, a variable, a type or an alias.
DECL = re.compile(r"^(?:template\s*<.*>\s*)?(?:(?:static|inline|constexpr|const|thread_local|extern)\s+)*"
                  r"(?:(?:struct|class|enum(?:\s+class)?|using|concept)\s+(\w+)"
                  r"|[\w:<>,\s\*&]+?[\s\*&]+(\w+)\s*(?:\(|=|\{|\[|;))")


def internal_names(text):
    names, depth, anon_depths = set(), 0, []
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^namespace\s*\{", stripped):
            anon_depths.append(depth)
        at_anon_top = anon_depths and depth == anon_depths[-1] + 1
        static_top = depth == 0 or (depth >= 1 and not anon_depths and re.match(r"^static\s", stripped))
        if (at_anon_top or (static_top and stripped.startswith("static "))) and not stripped.startswith(("//", "#", "}", "return")):
            m = DECL.match(stripped)
            if m and not stripped.startswith("namespace"):
                name = m.group(1) or m.group(2)
                if name not in ("operator", "main"):
                    names.add(name)
        code = re.sub(r"//.*", "", re.sub(r'"(?:\\.|[^"\\])*"', '""', re.sub(r"'(?:\\.|[^'\\])'", "''", line)))
        depth += code.count("{") - code.count("}")
        while anon_depths and depth <= anon_depths[-1]:
            anon_depths.pop()
    return names


def problems(root):
    out = []
    for target, pattern in TARGETS.items():
        seen = {}
        for path in sorted((root / target).glob(pattern)):
            for name in internal_names(path.read_text(encoding="utf-8")):
                seen.setdefault(name, []).append(path.relative_to(root).as_posix())
        out += [f"internal name '{name}' in {len(files)} files of {target}: {', '.join(files)}"
                for name, files in sorted(seen.items()) if len(files) > 1]
    return out


def self_test():
    """The check catches what it is for: overloads in two anonymous namespaces, static functions, types."""
    import tempfile
    cases = {  # second file's text -> whether the pair must be reported
        "namespace {\ndouble helper(double x) { return x; }\n}  // namespace\n": True,
        "static int helper(int x, int y) { return x + y; }\n": True,
        "namespace {\nstruct helper {};\n}\n": True,
        "namespace softmdp {\nint helper(int x) { return x; }  // external: one definition rule, the linker's job\n}\n": False,
        "namespace {\nint other(int x) { return x; }\n}\n": False,
    }
    for text, expected in cases.items():
        with tempfile.TemporaryDirectory() as d:
            root = pathlib.Path(d)
            (root / "tests").mkdir()
            (root / "tests" / "a.cpp").write_text("namespace {\n\ntemplate <class T>\nint helper(T x) {\n    return 1;\n}\n\n}  // namespace\n")
            (root / "tests" / "b.cpp").write_text(text)
            found = bool(problems(root))
            if found != expected:
                print(f"check_unity self-test: {'missed' if expected else 'false report on'}:\n{text}")
                sys.exit(1)
    print("check_unity self-test: every planted repeat found, no false report")


if "--self-test" in sys.argv:
    self_test()
    sys.exit(0)
found = problems(ROOT)
for p in found:
    print("check_unity:", p)
if found:
    print("check_unity: rename one side (a unity build would put them in one scope)")
    sys.exit(1)
print("check_unity: no internal name repeats within a unity target")
