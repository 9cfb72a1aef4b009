#!/bin/sh
# describe_same.sh — `lolpop data describe` (table and --json) of two binaries compared
# byte for byte: on both bench generators' files and on every CSV under examples/ and
# tests/ (files that must fail too: the same exit code and the same output and message).
# For changes to the CSV reader or the statistics that must not change any result.
#
#   bench/describe_same.sh OLD_LOLPOP NEW_LOLPOP [BUILD_DIR] [ROWS]   (defaults: build, 200000)
#
# Prints one line per difference and a summary; exits 1 when anything differs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1
NEW=$2
BUILD=${3:-$ROOT/build}
ROWS=${4:-200000}
TMP=$(mktemp -d /tmp/lolpop-same-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
for kind in mixed numeric; do
    "$BUILD/bench/gen_${kind}_csv" "$ROWS" "$TMP/gen_$kind.csv" 1
done
list=$TMP/files
{ ls "$TMP"/gen_*.csv; find "$ROOT/examples" "$ROOT/tests" -name '*.csv' | sort; } > "$list"
files=0 diffs=0
while IFS= read -r f; do
    files=$((files + 1))
    for mode in table json; do
        set -- data describe "$f"
        [ "$mode" = json ] && set -- "$@" --json
        rc_old=0 rc_new=0
        "$OLD" "$@" > "$TMP/old.out" 2> "$TMP/old.err" || rc_old=$?
        "$NEW" "$@" > "$TMP/new.out" 2> "$TMP/new.err" || rc_new=$?
        if [ "$rc_old" != "$rc_new" ] || ! cmp -s "$TMP/old.out" "$TMP/new.out" ||
            ! cmp -s "$TMP/old.err" "$TMP/new.err"; then
            echo "DIFFERS ($mode): $f (exit $rc_old vs $rc_new)"
            diffs=$((diffs + 1))
        fi
    done
done < "$list"
echo "describe_same: $files files x 2 modes, $diffs differences"
[ "$diffs" -eq 0 ]
