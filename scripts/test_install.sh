#!/usr/bin/env bash
# The library as a user gets it: installs a softmdp build into a temporary prefix, builds examples/
# against that prefix (find_package with CMAKE_PREFIX_PATH, never the build tree), runs the examples on
# shipped models and checks what they print against hand-derived and published values
# (mdps/README.md). About 30 s, most of it compiling the two examples.
# usage: bash scripts/test_install.sh [BUILD_DIR]    (BUILD_DIR: a configured and built softmdp)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_install: $*" >&2; exit 1; }

# Installed for the prefix /opt/softmdp but staged under $tmp (DESTDIR): nothing, not even a component
# with an absolute destination, lands outside $tmp, and the examples then use the package from
# another place than its prefix, which only a relocatable package survives.
prefix="$tmp/root/opt/softmdp"
DESTDIR="$tmp/root" cmake --install "$BUILD" --prefix /opt/softmdp > "$tmp/install.log"
# The installed headers are lib/include/softmdp's (no private header of lib/src) plus the two generated,
# less softmdp/distributed/: softmdp_distributed is built for softmdp-mpi only and not installed
# (docs/distributed.md).
(cd lib/include && find softmdp -name '*.hpp' -not -path 'softmdp/distributed/*'; echo softmdp/softmdp.hpp; echo softmdp/version.hpp) | sort > "$tmp/expected"
(cd "$prefix/include" && find softmdp -name '*.hpp') | sort > "$tmp/installed"
diff "$tmp/expected" "$tmp/installed" || fail "installed headers differ from lib/include/softmdp (above)"
if grep -q "^SOFTMDP_BUILD_CLI:BOOL=ON" "$BUILD/CMakeCache.txt"; then
  [ -x "$prefix/bin/softmdp" ] || fail "the CLI was built but not installed"
fi

cmake -S examples -B "$tmp/examples" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > "$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configuring examples/"; }
found=$(sed -n 's/^softmdp_DIR:PATH=//p' "$tmp/examples/CMakeCache.txt")
[ "$found" = "$prefix/lib/cmake/softmdp" ] || [ "$found" = "$prefix/lib64/cmake/softmdp" ] \
  || fail "examples/ found softmdp at '$found', not in the install prefix"
cmake --build "$tmp/examples" -j"$(nproc)" > "$tmp/build.log" || { cat "$tmp/build.log"; fail "building examples/"; }

# value STATE FILE: the value solve_file printed for STATE; near A B TOL: |A - B| <= TOL.
value() { awk -v s="$1" '$1 == s { print $2 }' "$2"; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(a != "" && d <= t && -d <= t) }'; }
expect() {  # expect FILE STATE VALUE TOL
  near "$(value "$2" "$1")" "$3" "$4" || { cat "$1"; fail "V($2) = '$(value "$2" "$1")', expected $3 +- $4"; }
}
ex="$tmp/examples"
"$ex/solve_file" mdps/chain2.json > "$tmp/chain2.out"  # by hand: V*(A) = 18, V*(B) = 20
expect "$tmp/chain2.out" A 18 1e-9
expect "$tmp/chain2.out" B 20 1e-9
"$ex/solve_file" mdps/forest.json > "$tmp/forest.out"  # MDPToolbox's documented PolicyIteration values
expect "$tmp/forest.out" age0 26.244 5e-4
expect "$tmp/forest.out" age1 29.484 5e-4
expect "$tmp/forest.out" age2 33.484 5e-4
# Errors keep the CLI's exit codes: 3 for a missing file, 2 for invalid input naming the entry.
rc=0; "$ex/solve_file" "$tmp/missing.json" 2> "$tmp/err" || rc=$?
[ "$rc" = 3 ] || fail "a missing model file: exit $rc, expected 3"
rc=0; "$ex/solve_file" tests/bad/action_out_of_range.json 2> "$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "transitions\[" "$tmp/err" || { cat "$tmp/err"; fail "an invalid model: exit $rc, expected 2 and the entry"; }

for model in "" mdps/chain2.json mdps/frozenlake4x4.json mdps/cliffwalking.json; do
  "$ex/soft_vs_hard" $model > "$tmp/soft.out" || { cat "$tmp/soft.out"; fail "soft_vs_hard $model"; }
  grep -q "all checks hold" "$tmp/soft.out" || fail "soft_vs_hard $model did not check"
done
"$ex/soft_vs_hard" > "$tmp/soft.out"
awk '$1 == "A" && $2 == 18 { a = 1 } $1 == "B" && $2 == 20 { b = 1 } END { exit !(a && b) }' "$tmp/soft.out" \
  || { cat "$tmp/soft.out"; fail "soft_vs_hard's built chain2: V* is not (18, 20)"; }
echo "test_install: installed package, examples built against it, outputs checked"
