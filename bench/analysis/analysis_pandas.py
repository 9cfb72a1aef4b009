#!/usr/bin/env python3
"""The pandas / scipy / xgboost side of bench/analysis/run.sh: the same work as
lolpop's analysis steps, timed inside the process (wall time of the work alone,
reading the CSV included for profile and drift, as lolpop's is).

    analysis_pandas.py profile FILE      describe, 20-bin histograms of numbers,
                                         value_counts of the rest, Pearson and
                                         Spearman correlations of the numbers
    analysis_pandas.py drift OLD NEW     per column, evidently's default rule as
                                         lolpop applies it: numbers: KS p-value
                                         (<= 1000 rows) else normed Wasserstein;
                                         others: chi-square p-value (<= 1000 rows)
                                         else Jensen-Shannon distance
    analysis_pandas.py shap TRAIN EVAL ROUNDS DEPTH
                                         xgboost trained on TRAIN's one-hot encoded
                                         columns, then predict(pred_contribs=True)
                                         on EVAL: prints the seconds of that call
"""
import sys
import time

import numpy as np
import pandas as pd


def profile(path):
    t = time.perf_counter()
    df = pd.read_csv(path)
    df.describe(include="all")
    num = df.select_dtypes("number")
    for c in num:
        v = num[c].dropna().to_numpy()
        if len(v):
            np.histogram(v, bins=20)
    for c in df.columns.difference(num.columns):
        df[c].value_counts()
    num.corr(method="pearson")
    num.corr(method="spearman")
    print(f"seconds {time.perf_counter() - t:.4f}")


def drift(old, new):
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance
    t = time.perf_counter()
    a, b = pd.read_csv(old), pd.read_csv(new)
    small = min(len(a), len(b)) <= 1000
    for c in a.columns:
        x, y = a[c].dropna(), b[c].dropna()
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            if small:
                ks_2samp(x, y)
            else:
                wasserstein_distance(x, y) / (np.std(x) or 1)
        else:
            ca, cb = x.astype(str).value_counts(), y.astype(str).value_counts()
            keys = ca.index.union(cb.index)
            ca, cb = ca.reindex(keys, fill_value=0), cb.reindex(keys, fill_value=0)
            if small:
                chi2_contingency(np.vstack([ca, cb]))
            else:
                jensenshannon(ca / ca.sum(), cb / cb.sum())
    print(f"seconds {time.perf_counter() - t:.4f}")


def shap(train, evalf, rounds, depth):
    import xgboost as xgb
    tr, ev = pd.read_csv(train), pd.read_csv(evalf)
    y = tr.pop("survived")
    for d in (tr, ev):
        d.drop(columns=[c for c in ("passenger_id", "alive", "deck") if c in d], inplace=True)
    X = pd.get_dummies(tr, dtype=float)
    Xe = pd.get_dummies(ev, dtype=float).reindex(columns=X.columns, fill_value=0.0)
    bst = xgb.train({"max_depth": depth, "eta": 0.3, "objective": "binary:logistic",
                     "nthread": 2}, xgb.DMatrix(X, y), num_boost_round=rounds)
    de = xgb.DMatrix(Xe)
    t = time.perf_counter()
    bst.predict(de, pred_contribs=True)
    print(f"seconds {time.perf_counter() - t:.4f} features {X.shape[1]}")


if __name__ == "__main__":
    {"profile": lambda: profile(sys.argv[2]),
     "drift": lambda: drift(sys.argv[2], sys.argv[3]),
     "shap": lambda: shap(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))}[sys.argv[1]]()
