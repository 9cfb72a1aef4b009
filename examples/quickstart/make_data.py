#!/usr/bin/env python3
"""Splits the bundled data sets into the quickstarts' train and eval files.

Run from the repository root: python3 examples/quickstart/make_data.py
Standard library only; the shuffle is seeded, so the files are reproducible.
Each row gets an id column (the runner's model_index). The eval file has no
target (it is what gets scored); its labels go to eval_labels.csv, for
evaluate_ground_truth.
"""
import csv
import os
import random

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets")
HERE = os.path.dirname(os.path.abspath(__file__))


def split(src, out_dir, index, target, drop_in_eval, eval_share, seed):
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    rng = random.Random(seed)
    order = list(range(len(body)))
    rng.shuffle(order)
    n_eval = round(len(body) * eval_share)
    eval_ids = set(order[:n_eval])
    t = header.index(target)
    keep_eval = [j for j, name in enumerate(header) if name != target and name not in drop_in_eval]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "train.csv"), "w", newline="") as tr, \
         open(os.path.join(out_dir, "eval.csv"), "w", newline="") as ev, \
         open(os.path.join(out_dir, "eval_labels.csv"), "w", newline="") as lb:
        wt, we, wl = csv.writer(tr), csv.writer(ev), csv.writer(lb)
        wt.writerow([index] + header)
        we.writerow([index] + [header[j] for j in keep_eval])
        wl.writerow([index, target])
        for i, row in enumerate(body):
            rid = i + 1
            if i in eval_ids:
                we.writerow([rid] + [row[j] for j in keep_eval])
                wl.writerow([rid, row[t]])
            else:
                wt.writerow([rid] + row)


split(os.path.join(SHARED, "titanic.csv"), os.path.join(HERE, "classification/titanic/data"),
      "passenger_id", "survived", {"alive"}, 0.2, 7)
split(os.path.join(SHARED, "diamonds.csv"), os.path.join(HERE, "regression/diamonds/data"),
      "diamond_id", "price", set(), 0.2, 7)
