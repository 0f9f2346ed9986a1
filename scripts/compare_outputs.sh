#!/usr/bin/env bash
# Records what every softmdp command prints on the shipped examples (mdps/*, tests/bad/*): stdout,
# stderr and the exit code of each case, with run times masked. Run it with the binary of two
# revisions and diff the two directories to show that a refactoring changed no output byte:
#   scripts/compare_outputs.sh record BINARY DIR      (e.g. a build of main, then of the branch)
#   scripts/compare_outputs.sh diff DIR_A DIR_B       (exit 1 and the differences when they differ)
# Times are the only masked bytes: "seconds" fields of JSON documents, the seconds columns of the
# sweep's tables and the "X.XXX s" of summary lines (each run takes its own time); everything else
# must match exactly.
set -uo pipefail
cd "$(dirname "$0")/.."

mask() {
    local extra=()
    case "$(basename "$1")" in
        sweep-csv-*) extra=(-e 's/,[0-9.eE+-]+$/,T/') ;;                      # the seconds column
        sweep-text-*) extra=(-e 's/^( *[^ ]+( +[^ ]+){7} +)[0-9.]+/\1T/') ;;  # the seconds column
    esac
    sed -E -e 's/("(seconds|load_seconds)": ?)[-0-9.eE+]+/\1T/g' \
           -e 's/ [0-9]+\.[0-9]+ s$/ T s/' -e 's/, [0-9]+\.[0-9]+ s(, |$)/, T s\1/' "${extra[@]}" "$1"
}

record() {
    local bin="$1" dir="$2" tmp
    mkdir -p "$dir"
    tmp=$(mktemp -d)
    # name|arguments (run from the repository root; OUT is a scratch file)
    local cases=()
    for f in mdps/*.json; do
        b=$(basename "$f" .json)
        cases+=("info-$b|info $f" "info-json-$b|info $f --json -" "info-csv-$b|info $f --format csv" "validate-$b|validate $f --json -")
    done
    for b in chain2 riverswim gridworld4x4 frozenlake4x4 cliffwalking forest; do
        f=mdps/$b.json
        cases+=("solve-$b|solve $f --json -" "solve-soft-$b|solve $f --alpha 0.5 --method soft-vi --json -"
                "solve-text-$b|solve $f --alpha 0.5" "solve-csv-$b|solve $f --alpha 0.5 --format csv"
                "compare-$b|compare $f --alpha 0.5 --json -" "compare-text-$b|compare $f --alpha 0.5" "compare-csv-$b|compare $f --alpha 0.5 --format csv"
                "sweep-$b|sweep $f --alpha-min 0 --alpha-max 1 --points 4 --json -"
                "sweep-csv-$b|sweep $f --alpha-min 0.01 --alpha-max 1 --points 3 --log --format csv"
                "learn-$b|learn $f --alpha 1 --steps 3000 --seed 1 --points 4 --json -"
                "learn-text-$b|learn $f --alpha 0.5 --steps 2000 --seed 2 --points 3"
                "evaluate-$b|evaluate $f --policy uniform --alpha 0.3 --json -"
                "evaluate-text-$b|evaluate $f --policy softmax --alpha 0.3 --convention action"
                "evaluate-csv-$b|evaluate $f --policy greedy --format csv"
                "convert-$b|convert $f $tmp/$b.mdp --json -"
                "convert-umb-$b|convert $f $tmp/$b.umb --json -"
                "occupancy-$b|occupancy $f --alpha 0.5 --json -" "occupancy-uniform-$b|occupancy $f --policy uniform --horizon 7 --json -"
                "occupancy-text-$b|occupancy $f --policy greedy" "occupancy-csv-$b|occupancy $f --alpha 0.3 --format csv")
    done
    cases+=("residuals|evaluate mdps/chain2.json --alpha 1 --residual $tmp/chain2-result.json --json -"
            "residuals-text|evaluate mdps/chain2.json --alpha 1 --residual $tmp/chain2-result.json --residual-states uniform --residual-actions softmax"
            "residuals-with-policy|evaluate mdps/chain2.json --alpha 1 --policy uniform --residual $tmp/chain2-result.json --residual-actions policy --json -"
            "sweep-text-forest|sweep mdps/forest.json --alpha-min 0 --alpha-max 1 --points 3"
            "estimate|estimate mdps/multigoal.json --state center --alpha 0.1 --samples 20000 --seed 3 --json -"
            "estimate-text|estimate mdps/multigoal.json --state center --alpha 0.1 --samples 20000 --seed 3"
            "estimate-gauss|estimate mdps/continuous1d.json --state 0 --alpha 0.5 --samples 5000 --proposal gaussian --seed 1 --json -"
            "estimate-svgd|estimate mdps/multigoal.json --state center --alpha 0.1 --samples 5000 --proposal svgd --particles 30 --seed 1 --json -"
            "sample|sample mdps/multigoal.json --state center --alpha 0.1 --particles 30 --steps 50 --threads 1 --seed 1 --json -"
            "sample-none|sample mdps/multigoal.json --state center --alpha 0.1 --particles 20 --steps 30 --threads 1 --weighting none --json -"
            "sample-text|sample mdps/multigoal.json --state center --alpha 0.1 --particles 20 --steps 30 --threads 1 --seed 2"
            "sample-csv|sample mdps/multigoal.json --state center --alpha 0.1 --particles 20 --steps 30 --threads 1 --seed 2 --format csv"
            "generate-chain|generate chain --states 7 --json $tmp/g.json --output -"
            "generate-garnet|generate garnet --states 20 --actions 3 --branching 2 --seed 4"
            "generate-grid|generate gridworld --size 3 2 --slip 0.1"
            "generate-lake|generate frozenlake --map 4x4"
            "generate-summary|generate chain --states 5 --output $tmp/chain5.json --json -"
            "generate-text|generate chain --states 5 --output $tmp/chain5b.json"
            "solve-continuous|solve mdps/continuous1d.json --alpha 0.5 --json -"
            "usage-alpha|solve mdps/chain2.json --alpha -1"
            "usage-tolerance|solve mdps/chain2.json --tolerance 0"
            "usage-compare|compare mdps/chain2.json --alpha 0"
            "numerical-alpha|solve mdps/chain2.json --alpha 1e308 --method soft-vi"
            "numerical-alpha-pi|solve mdps/chain2.json --alpha 1e308 --method soft-pi"
            "usage-threads|solve mdps/chain2.json --threads -3"
            "usage-maxit|solve mdps/chain2.json --max-iterations 0"
            "usage-learn|learn mdps/chain2.json --omega 2"
            "usage-learn-eps|learn mdps/chain2.json --behaviour epsilon-greedy --epsilon 2"
            "usage-learn-lr|learn mdps/chain2.json --learning-rate 0"
            "usage-learn-points|learn mdps/chain2.json --points 0"
            "usage-sweep|sweep mdps/chain2.json --alpha-min 1 --alpha-max 0.5"
            "usage-sweep-log|sweep mdps/chain2.json --alpha-min 0 --alpha-max 1 --log"
            "usage-sweep-points|sweep mdps/chain2.json --alpha-min 0 --alpha-max 1 --points 0"
            "usage-discount|solve mdps/chain2.json --discount 1.5"
            "usage-eval-sweeps|solve mdps/chain2.json --method mpi --evaluation-sweeps 0"
            "usage-policy|evaluate mdps/chain2.json --policy nosuch.json"
            "usage-sample-steps|sample mdps/multigoal.json --state center --alpha 0.1 --steps 0"
            "usage-estimate-state|estimate mdps/multigoal.json --state nowhere --alpha 0.1"
            "usage-cont-alpha|solve mdps/continuous1d.json --alpha 0"
            "usage-cont-nodes|solve mdps/continuous1d.json --alpha 0.5 --nodes 0"
            "usage-garnet|generate garnet --states 0"
            "usage-garnet-b|generate garnet --states 5 --branching 9"
            "usage-grid|generate gridworld --size 0 3"
            "usage-chain|generate chain --states 0"
            "usage-lake|generate frozenlake --map 3x3")
    for f in tests/bad/*; do
        cases+=("bad-$(basename "$f")|validate $f" "bad-json-$(basename "$f")|validate $f --json -")
    done
    # The result file the residual cases read.
    "$bin" solve mdps/chain2.json --alpha 1 --json "$tmp/chain2-result.json" --quiet
    for c in "${cases[@]}"; do
        local name="${c%%|*}" args="${c#*|}"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=1 "$bin" $args >"$dir/$name.out" 2>"$dir/$name.err" </dev/null
        echo $? >"$dir/$name.rc"
        # Scratch paths differ between runs.
        sed -i "s#$tmp#TMP#g" "$dir/$name.out" "$dir/$name.err"
    done
    rm -rf "$tmp"
    echo "recorded ${#cases[@]} cases in $dir"
}

compare() {
    local a="$1" b="$2" bad=0
    for f in "$a"/*; do
        local g="$b/$(basename "$f")"
        if [ ! -e "$g" ]; then echo "missing in $b: $(basename "$f")"; bad=1; continue; fi
        if ! diff -q <(mask "$f") <(mask "$g") >/dev/null; then
            echo "== differs: $(basename "$f")"
            diff <(mask "$f") <(mask "$g") | head -20
            bad=1
        fi
    done
    [ "$bad" = 0 ] && echo "identical: $(ls "$a" | wc -l) files"
    return $bad
}

case "${1:-}" in
    record) record "$2" "$3" ;;
    diff) compare "$2" "$3" ;;
    *) echo "usage: $0 record BINARY DIR | diff DIR_A DIR_B" >&2; exit 2 ;;
esac
