"""baseline.py — the titanic quickstart workflow written with pandas + scikit-learn + xgboost.

The same steps as `lolpop run workflow ClassificationRunner -c titanic.yaml`
(examples/quickstart/classification/titanic), for bench/workflow/run.sh:

  process   read train.csv; the derived features of process_titanic.sql
            (family_size, fare_per_person, age_missing, cabin_deck); keep the
            processed frame with its SHA-256 (lolpop versions it in its store)
  train     drop alive/deck, X without passenger_id; stratified 80/20 split,
            seed 42; text columns as categories (sorted training values, as
            lolpop does); XGBoost grid max_depth [3, 5] x eta [0.05, 0.3],
            100 rounds, seed 42, tree_method hist (or TREE_METHOD), native
            categoricals, no
            per-round evaluation (lolpop has none without early stopping);
            per trial: predictions and
            accuracy/f1/precision/recall/rocauc/logloss on train and valid, the
            model pickled, the metrics written as JSON; the best valid f1 wins
  deploy    no version deployed before: the winner is deployed (a JSON record)
  predict   read eval.csv, the same features, predict with the winner, write
            predictions.csv (passenger_id, prediction, probability_0,
            probability_1; temp file + rename) and keep the predictions frame

Usage: /usr/bin/python3 baseline.py TRAIN.csv EVAL.csv OUTDIR [NTHREAD [TREE_METHOD]]

TREE_METHOD is XGBoost's tree_method (hist when not given); "default" sets none,
so XGBoost chooses (1.7's "auto": exact below 2^22 rows).

Prints one JSON line: seconds spent importing, in xgb.train calls alone, in
building the DMatrices, and in total, plus the winner and its metrics.
"""

import time

T_START = time.perf_counter()

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn import metrics as skm  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

T_IMPORTED = time.perf_counter()

TARGET, INDEX, DROP = "survived", "passenger_id", ["alive", "deck"]
GRID = {"max_depth": [3, 5], "eta": [0.05, 0.3]}
ROUNDS, SEED = 100, 42


def write_atomic(path, data):
    """Writes bytes to path through a temp file and a rename."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def store(outdir, obj):
    """Pickles obj into outdir/objects/<sha256> (the version-control step); returns its info."""
    blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(blob).hexdigest()
    path = os.path.join(outdir, "objects", digest)
    write_atomic(path, blob)
    return {"hash": digest, "path": path, "size": len(blob)}


def process(path):
    """process_titanic.sql on a CSV file."""
    df = pd.read_csv(path)
    df["family_size"] = df["sibsp"] + df["parch"] + 1
    df["fare_per_person"] = df["fare"] / df["family_size"]
    df["age_missing"] = df["age"].isna().astype("int64")
    df["cabin_deck"] = df["deck"].fillna("none")
    return df


def track(outdir, record, name, df):
    """A dataset version: the frame stored, its shape and schema recorded."""
    record["datasets"][name] = {
        "vc_info": store(outdir, df),
        "rows": len(df),
        "columns": len(df.columns),
        "schema": [{"name": c, "dtype": str(t)} for c, t in df.dtypes.items()],
    }


def features(df, categories=None):
    """X: every column but the target, the index and drop_columns; text columns become
    categoricals over the sorted distinct training values. Returns X and the categories."""
    X = df.drop(columns=[c for c in [TARGET, INDEX] + DROP if c in df.columns])
    if categories is None:
        categories = {c: sorted(X[c].dropna().unique()) for c in X.columns if X[c].dtype == object}
    for c, cats in categories.items():
        X[c] = pd.Categorical(X[c], categories=cats)
    return X, categories


def scores(y, proba):
    """The six classification metrics of titanic.yaml."""
    pred = (proba >= 0.5).astype(int)
    return {
        "accuracy": skm.accuracy_score(y, pred),
        "f1": skm.f1_score(y, pred),
        "precision": skm.precision_score(y, pred, zero_division=0),
        "recall": skm.recall_score(y, pred),
        "rocauc": skm.roc_auc_score(y, proba),
        "logloss": skm.log_loss(y, proba),
    }


def train(outdir, record, df, nthread, tree_method):
    """The grid of XGBoost trials; returns the winning booster and the categories."""
    timing = record["timing"]
    y = df[TARGET]
    tr, va = train_test_split(df, test_size=0.2, stratify=y, random_state=SEED)
    X_tr, cats = features(tr)
    X_va, _ = features(va, cats)
    t = time.perf_counter()
    dtrain = xgb.DMatrix(X_tr, label=tr[TARGET], enable_categorical=True, nthread=nthread)
    dvalid = xgb.DMatrix(X_va, label=va[TARGET], enable_categorical=True, nthread=nthread)
    timing["dmatrix_seconds"] = time.perf_counter() - t
    best = None
    for depth in GRID["max_depth"]:
        for eta in GRID["eta"]:
            params = {"objective": "binary:logistic", "max_depth": depth, "eta": eta,
                      "seed": SEED, "nthread": nthread}
            if tree_method != "default":
                params["tree_method"] = tree_method
            t = time.perf_counter()
            # No evals: lolpop evaluates the validation split per round only for
            # early stopping, which the quickstart does not configure.
            bst = xgb.train(params, dtrain, num_boost_round=ROUNDS, verbose_eval=False)
            timing["xgb_train_seconds"] += time.perf_counter() - t
            m = {"train": scores(tr[TARGET].to_numpy(), bst.predict(dtrain)),
                 "valid": scores(va[TARGET].to_numpy(), bst.predict(dvalid))}
            trial = {"params": params, "num_boost_round": ROUNDS, "metrics": m,
                     "model": store(outdir, bst)}
            n = len(record["experiments"]) + 1
            write_atomic(os.path.join(outdir, f"experiment_{n}.json"),
                         json.dumps(trial, indent=1).encode())
            record["experiments"].append(trial)
            if best is None or m["valid"]["f1"] > best[0]:
                best = (m["valid"]["f1"], n, bst)
    record["winner"] = best[1]
    record["deployed"] = {"experiment": best[1], "approved": True}
    return best[2], cats


def predict(outdir, record, df, bst, cats, target):
    """Scores the eval frame and writes the predictions file."""
    X, _ = features(df, cats)
    p1 = bst.predict(xgb.DMatrix(X, enable_categorical=True))
    preds = pd.DataFrame({INDEX: df[INDEX], "prediction": (p1 >= 0.5).astype(np.int64),
                          "probability_0": 1.0 - p1, "probability_1": p1})
    record["prediction_job"] = {"vc_info": store(outdir, preds), "rows": len(preds),
                                "positive_share": float(preds["prediction"].mean())}
    tmp = target + ".tmp"
    preds.to_csv(tmp, index=False)
    os.replace(tmp, target)


def main():
    if len(sys.argv) not in (4, 5, 6):
        sys.exit("usage: baseline.py TRAIN.csv EVAL.csv OUTDIR [NTHREAD [TREE_METHOD]]")
    train_csv, eval_csv, outdir = sys.argv[1:4]
    nthread = int(sys.argv[4]) if len(sys.argv) >= 5 else os.cpu_count()
    tree_method = sys.argv[5] if len(sys.argv) == 6 else "hist"
    os.makedirs(os.path.join(outdir, "objects"), exist_ok=True)
    record = {"timing": {"xgb_train_seconds": 0.0}, "datasets": {}, "experiments": []}
    df = process(train_csv)
    track(outdir, record, "train", df)
    bst, cats = train(outdir, record, df, nthread, tree_method)
    ev = process(eval_csv)
    track(outdir, record, "eval", ev)
    predict(outdir, record, ev, bst, cats, os.path.join(outdir, "predictions.csv"))
    write_atomic(os.path.join(outdir, "run.json"), json.dumps(record, indent=1).encode())
    timing = record["timing"]
    timing["import_seconds"] = T_IMPORTED - T_START
    timing["total_seconds"] = time.perf_counter() - T_START
    win = record["experiments"][record["winner"] - 1]
    print(json.dumps({**{k: round(v, 4) for k, v in timing.items()},
                      "winner": {k: win["params"][k] for k in GRID},
                      "valid": {k: round(v, 4) for k, v in win["metrics"]["valid"].items()}}))


if __name__ == "__main__":
    main()
