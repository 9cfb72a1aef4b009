#!/usr/bin/env bash
# bench/serve/run.sh [SECONDS] — `lolpop serve` against a minimal Flask +
# gunicorn app scoring the same XGBoost model, with wrk, single-row and
# 100-row requests. See README.md (needs wrk, python3-flask, python3-xgboost,
# gunicorn: apt-get install wrk python3-flask python3-xgboost gunicorn).
#
# Trains the diamonds quickstart (examples/quickstart/regression/diamonds, as
# shipped) with the lolpop of ./build, then for each server and body runs
#   wrk -t2 -c$CONNS -d${SECONDS}s --latency
# and prints requests/s, p50 and p99, after WARMUP seconds (3) of load on each
# server that are not reported. Ports 18080 (lolpop) and 18081 (Flask) on 127.0.0.1.
set -euo pipefail
secs=${1:-10}
conns=${CONNS:-8}
root=$(cd "$(dirname "$0")/../.." && pwd)
lolpop=${LOLPOP:-$root/build/src/cli/lolpop}
py=/usr/bin/python3 # Debian's python, where python3-xgboost and python3-flask are
work=$(mktemp -d /tmp/lolpop-bench-serve-XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cp -r "$root/examples/quickstart/regression/diamonds/." "$work/"
rm -rf "$work/.lolpop" "$work/predictions.csv"
if [ -n "${BUNDLE:-}" ]; then # a diamonds bundle trained before (saves the training)
    bundle=$BUNDLE
else
    (cd "$work" && "$lolpop" run workflow RegressionRunner -c diamonds.yaml >/dev/null 2>"$work/train.log") \
        || { cat "$work/train.log"; exit 1; }
    bundle="$work/.lolpop/deployments/diamond_price/current"
fi

# bodies: the first 1 and 100 rows of the eval file, in lolpop's {"rows": [...]}
"$py" - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
rows = list(csv.DictReader(open(f"{work}/data/eval.csv")))
num = ["carat", "depth", "table", "x", "y", "z"]
def conv(r):
    return {k: (float(v) if k in num else v) for k, v in r.items() if k != "diamond_id"}
for n, name in [(1, "one"), (100, "hundred")]:
    json.dump({"rows": [conv(r) for r in rows[:n]]}, open(f"{work}/{name}.json", "w"))
PY

wait_up() { # url
    for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "server at $1 did not come up" >&2; exit 1
}

"$lolpop" serve "$bundle" --port 18080 --threads 2 -q &
pids+=($!)
(cd "$root/bench/serve" && OMP_NUM_THREADS=${FLASK_OMP_THREADS:-1} LOLPOP_BUNDLE="$bundle" gunicorn -w 2 -b 127.0.0.1:18081 \
    --log-level warning flask_app:app) &
pids+=($!)
wait_up http://127.0.0.1:18080/health
for _ in $(seq 100); do
    curl -fs -XPOST -H 'Content-Type: application/json' --data-binary @"$work/one.json" \
        http://127.0.0.1:18081/predict >/dev/null 2>&1 && break
    sleep 0.2
done

# same model, same answers
a=$(curl -fs -XPOST -H 'Content-Type: application/json' --data-binary @"$work/hundred.json" http://127.0.0.1:18080/predict)
b=$(curl -fs -XPOST -H 'Content-Type: application/json' --data-binary @"$work/hundred.json" http://127.0.0.1:18081/predict)
"$py" -c '
import json, sys
a = json.loads(sys.argv[1])["predictions"]; b = json.loads(sys.argv[2])["predictions"]
assert len(a) == len(b) == 100
worst = max(abs(x - y) / max(abs(x), 1) for x, y in zip(a, b))
assert worst < 1e-6, worst
print(f"same predictions on 100 rows (largest relative difference {worst:.1e})")
' "$a" "$b"

run() { # label url body conns
    local out
    local threads=2
    [ "$4" -lt 2 ] && threads=1
    out=$(BODY="$3" wrk -t"$threads" -c"$4" -d"${secs}s" --latency -s "$root/bench/serve/post.lua" "$2")
    local rps p50 p99 errs
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
    printf '| %-28s | %4s | %10s | %8s | %8s | %s\n' "$1" "$4" "$rps" "$p50" "$p99" "${errs:-}"
}

# warm-up, not reported: lolpop compiles the trees for its own walk on a
# thread after a model's first small batches (about a second of CPU for this
# model, while libxgboost answers); both servers get the same warm-up.
for url in http://127.0.0.1:18080/predict http://127.0.0.1:18081/predict; do
    BODY="$work/one.json" wrk -t2 -c"$conns" -d"${WARMUP:-3}s" -s "$root/bench/serve/post.lua" "$url" >/dev/null
done

echo "| server, body                 | conn | requests/s |      p50 |      p99 |"
echo "|------------------------------|------|------------|----------|----------|"
run "lolpop serve, 1 row" http://127.0.0.1:18080/predict "$work/one.json" "$conns"
run "Flask + gunicorn, 1 row" http://127.0.0.1:18081/predict "$work/one.json" "$conns"
run "lolpop serve, 100 rows" http://127.0.0.1:18080/predict "$work/hundred.json" "$conns"
run "Flask + gunicorn, 100 rows" http://127.0.0.1:18081/predict "$work/hundred.json" "$conns"
run "lolpop serve, 1 row" http://127.0.0.1:18080/predict "$work/one.json" 1
run "Flask + gunicorn, 1 row" http://127.0.0.1:18081/predict "$work/one.json" 1
