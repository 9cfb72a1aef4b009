#!/bin/sh
# describe.sh — `lolpop data describe` against pandas read_csv + describe(include="all")
# on the same seeded 1M-row × 20-column CSVs: wall time and peak RSS of each
# (GNU time -v), then the ratios. Two files: "mixed" (bench/gen_mixed_csv: floats, ints,
# booleans, categories, quoted free text, dates, datetimes) and "numeric" (issue 14's
# numeric-heavy bench/gen_numeric_csv: 14 floats with missing values, 4 low-cardinality
# strings, a date, an int target).
#
#   bench/describe.sh [BUILD_DIR] [ROWS] [mixed|numeric|both]   (defaults: build, 1000000, both)
#
# Needs a build of lolpop with bench/ (meson builds both generators) and
# Debian's python3-pandas at /usr/bin/python3. Each side runs RUNS times (3);
# the best wall time and the largest peak RSS are reported.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
ROWS=${2:-1000000}
KINDS=${3:-both}
[ "$KINDS" = both ] && KINDS="mixed numeric"
RUNS=${RUNS:-3}
LOLPOP=$BUILD/src/cli/lolpop
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/lolpop-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
for f in "$LOLPOP" "$BUILD/bench/gen_mixed_csv" "$BUILD/bench/gen_numeric_csv" "$PY" /usr/bin/time; do
    [ -x "$f" ] || { echo "describe.sh: $f not found (build first?)" >&2; exit 2; }
done
echo "$(nproc) cores; runs: $RUNS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" \
     "(other work on the machine skews wall times)"

cat > "$TMP/pandas_describe.py" <<'PY'
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
d = df.describe(include="all")
print(len(df), d.shape)
PY

# measure NAME CMD... → appends "NAME seconds kbytes" to $TMP/results
measure() {
    name=$1; shift
    best=""; peak=0
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -v -o "$TMP/time.txt" "$@" > "$TMP/out.txt"
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time.txt" |
               awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
        best=$(awk -v a="${best:-1e9}" -v b="$wall" 'BEGIN { print (b < a) ? b : a }')
        [ "$rss" -gt "$peak" ] && peak=$rss
        i=$((i + 1))
    done
    echo "$name $best $peak" >> "$TMP/results"
}

for kind in $KINDS; do
    CSV=$TMP/$kind.csv
    "$BUILD/bench/gen_${kind}_csv" "$ROWS" "$CSV" 1
    MB=$(awk -v b="$(stat -c %s "$CSV")" 'BEGIN { printf "%.1f", b / 1e6 }')
    echo
    echo "== $kind: $ROWS rows x 20 columns, $MB MB"
    : > "$TMP/results"
    measure lolpop "$LOLPOP" data describe "$CSV" --json
    # pandas runs with Debian's python3 and without OpenBLAS tuning variables
    # that do not apply to it
    measure pandas env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$TMP/pandas_describe.py" "$CSV"
    awk -v mb="$MB" '
        { name[NR] = $1; t[NR] = $2; m[NR] = $3 }
        END {
            printf "%-8s %12s %14s %10s\n", "tool", "wall (s)", "peak RSS (MB)", "MB/s"
            for (i = 1; i <= NR; i++)
                printf "%-8s %12.2f %14.1f %10.0f\n", name[i], t[i], m[i] / 1024, mb / (t[i] > 0 ? t[i] : 1e-9)
            printf "pandas / lolpop: %.1fx the time, %.1fx the memory\n", t[2] / t[1], m[2] / m[1]
        }' "$TMP/results"
    rm -f "$CSV"
done
