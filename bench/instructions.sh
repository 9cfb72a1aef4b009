#!/bin/sh
# instructions.sh — instruction counts (valgrind callgrind, all threads summed) of
# `lolpop data describe` on both bench/describe.sh files, and the functions that
# execute the most instructions. Counts do not depend on other load on the machine,
# unlike wall times, so this is how two builds are compared on a busy machine.
#
#   bench/instructions.sh [BUILD_DIR] [ROWS] [TOP]      (defaults: build, 200000, 12)
#
# Each profile is kept as $OUT/callgrind.<kind>.out (OUT defaults to a temporary
# directory that is removed; set OUT=dir to keep them for callgrind_annotate).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
ROWS=${2:-200000}
TOP=${3:-12}
LOLPOP=$BUILD/src/cli/lolpop
command -v valgrind > /dev/null || { echo "instructions.sh: valgrind not found" >&2; exit 2; }
TMP=$(mktemp -d /tmp/lolpop-instr-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
OUT=${OUT:-$TMP}
mkdir -p "$OUT"
for kind in mixed numeric; do
    CSV=$TMP/$kind.csv
    "$BUILD/bench/gen_${kind}_csv" "$ROWS" "$CSV" 1
    prof=$OUT/callgrind.$kind.out
    valgrind --tool=callgrind --callgrind-out-file="$prof" \
        "$LOLPOP" data describe "$CSV" --json > /dev/null 2> "$TMP/vg.log"
    total=$(sed -n 's/^summary: //p;s/^totals: //p' "$prof" | head -n 1)
    mb=$(awk -v b="$(stat -c %s "$CSV")" 'BEGIN { printf "%.1f", b / 1e6 }')
    echo "== describe $kind, $ROWS rows ($mb MB): $total instructions," \
         "$(awk -v t="$total" -v b="$(stat -c %s "$CSV")" 'BEGIN { printf "%.1f", t / b }') per byte"
    callgrind_annotate "$prof" 2> /dev/null | grep -E '^ *[0-9,]+ \(' | head -n "$TOP"
    rm -f "$CSV"
done
