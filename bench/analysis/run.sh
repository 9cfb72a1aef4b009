#!/bin/sh
# run.sh — lolpop's analysis against pandas / scipy / xgboost on the same files (issue 12's
# benchmark): wall time and peak RSS of each side (GNU time -v), and the ratios.
#
#   bench/analysis/run.sh [BUILD_DIR] [ROWS] [SHAP_ROWS]   (defaults: build, 1000000, 100000)
#
#   profile   `lolpop data profile FILE --json` vs pandas describe(include="all"), 20-bin
#             histograms of the numbers, value_counts of the rest, Pearson + Spearman
#             correlations (bench/analysis/analysis_pandas.py), on bench/describe.sh's
#             mixed ROWS x 20 file (bench/gen_mixed_csv, seed 1)
#   drift     `lolpop data compare OLD NEW --json` (seeds 1 and 2, ROWS each) vs scipy's
#             ks_2samp / wasserstein_distance / chi2_contingency / jensenshannon column by
#             column, with the rule lolpop applies (evidently's defaults)
#   treeshap  the titanic quickstart trained on gen_titanic data (20000 rows, fixed
#             max_depth 5 / 100 rounds), then SHAP_ROWS rows scored: lolpop's TreeSHAP cost
#             is `lolpop predict --explain` minus `lolpop predict` on the same rows; the
#             baseline is python xgboost's predict(pred_contribs=True) alone, on a booster
#             of the same depth and rounds trained on the same rows one-hot encoded by
#             pandas (the same shape of model, not the identical booster)
#
# SECTIONS (default "profile drift shap") picks the comparisons that run.
# Wall time: the best of RUNS (3) runs; peak RSS: the largest. Needs Debian's python3 with
# pandas, scipy and xgboost at /usr/bin/python3 and a build with bench/ (meson builds the
# generators). The machine's load skews wall times: the load average is printed first.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ROWS=${2:-1000000}
SHAP_ROWS=${3:-100000}
RUNS=${RUNS:-3}
SECTIONS=${SECTIONS:-profile drift shap}
has() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
LOLPOP=$BUILD/src/cli/lolpop
PY=/usr/bin/python3
SIDE=$ROOT/bench/analysis/analysis_pandas.py
TMP=$(mktemp -d /tmp/lolpop-analysis-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
for f in "$LOLPOP" "$BUILD/bench/gen_mixed_csv" "$BUILD/bench/gen_titanic" "$PY" /usr/bin/time; do
    [ -x "$f" ] || { echo "run.sh: $f not found (build first?)" >&2; exit 2; }
done
echo "$(nproc) cores; runs: $RUNS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME DIR CMD... → appends "NAME seconds kbytes" to $TMP/results (run in DIR)
measure() {
    name=$1; dir=$2; shift 2
    best=""; peak=0; i=0
    while [ $i -lt "$RUNS" ]; do
        (cd "$dir" && /usr/bin/time -v -o "$TMP/time.txt" "$@" > "$TMP/out.txt" 2> "$TMP/err.txt") ||
            { echo "run.sh: $name failed:" >&2; cat "$TMP/err.txt" >&2; exit 1; }
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time.txt" |
               awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
        best=$(awk -v a="${best:-1e9}" -v b="$wall" 'BEGIN { print (b < a) ? b : a }')
        [ "$rss" -gt "$peak" ] && peak=$rss
        i=$((i + 1))
    done
    echo "$name $best $peak" >> "$TMP/results"
}

# table TITLE: the two rows of $TMP/results (lolpop first) and pandas' ratios
table() {
    awk -v title="$1" '
        { name[NR] = $1; t[NR] = $2; m[NR] = $3 }
        END {
            printf "\n== %s\n%-10s %10s %14s\n", title, "tool", "wall (s)", "peak RSS (MB)"
            for (i = 1; i <= NR; i++) printf "%-10s %10.2f %14.1f\n", name[i], t[i], m[i] / 1024
            printf "other / lolpop: %.1fx the time, %.2fx the memory\n",
                   t[2] / (t[1] > 0 ? t[1] : 0.01), m[2] / m[1]
        }' "$TMP/results"
    : > "$TMP/results"
}
: > "$TMP/results"

if has profile || has drift; then
"$BUILD/bench/gen_mixed_csv" "$ROWS" "$TMP/old.csv" 1
"$BUILD/bench/gen_mixed_csv" "$ROWS" "$TMP/new.csv" 2
if has profile; then
measure lolpop "$TMP" "$LOLPOP" data profile old.csv -o profile.html --json
measure pandas "$TMP" "$PY" "$SIDE" profile old.csv
table "profile: $ROWS rows x 20 columns"
fi
if has drift; then
measure lolpop "$TMP" "$LOLPOP" data compare old.csv new.csv -o drift.html --json
measure scipy "$TMP" "$PY" "$SIDE" drift old.csv new.csv
table "drift: $ROWS vs $ROWS rows, column by column"
fi
rm -f "$TMP/old.csv" "$TMP/new.csv"
fi
has shap || exit 0

# TreeSHAP: a trained titanic model, then SHAP_ROWS rows explained
W=$TMP/shap
mkdir -p "$W/data"
cp "$ROOT/examples/quickstart/classification/titanic/process_titanic.sql" "$W/"
"$BUILD/bench/gen_titanic" 20000 "$SHAP_ROWS" "$W/data" 42
cat > "$W/fixed.yaml" <<'YAML'
train:
  hyperparameter_tuner:
    config:
      training_params:
        XGBoostModelTrainer: {max_depth: [5], eta: [0.3], num_boost_round: 100, seed: 42,
                              nthread: 2}
YAML
(cd "$W" && "$LOLPOP" run workflow ClassificationRunner \
    -c "$ROOT/examples/quickstart/classification/titanic/titanic.yaml" -c fixed.yaml > /dev/null 2>&1) ||
    { echo "run.sh: training the titanic model failed" >&2; exit 1; }
measure plain "$W" "$LOLPOP" predict titanic_survival data/eval.csv -o plain.csv --no-track
measure explain "$W" "$LOLPOP" predict titanic_survival data/eval.csv -o explained.csv \
    --no-track --explain
base=$(cd "$W" && "$PY" "$SIDE" shap data/train.csv data/eval.csv 100 5)
awk -v base="$base" -v rows="$SHAP_ROWS" '
    { name[NR] = $1; t[NR] = $2; m[NR] = $3 }
    END {
        split(base, b, " ")
        shap = t[2] - t[1]
        printf "\n== TreeSHAP: %d rows, 100 trees of depth 5 (%d one-hot features on the xgboost side)\n", rows, b[4]
        printf "lolpop predict: %.2f s, with --explain: %.2f s (peak RSS %.1f MB): TreeSHAP + reasons %.2f s\n",
               t[1], t[2], m[2] / 1024, shap
        printf "python xgboost pred_contribs alone: %.2f s\n", b[2]
        printf "xgboost / lolpop: %.1fx the time\n", b[2] / (shap > 0 ? shap : 0.01)
    }' "$TMP/results"
