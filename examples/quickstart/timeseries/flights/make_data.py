#!/usr/bin/env python3
"""Splits the bundled flights data (year, month name, passengers; 1949-1960)
into the forecasting quickstart's files, by time:

  data/train.csv        every month but the last 12 (the history)
  data/eval.csv         the last 12 months' year and month: what is forecast
  data/eval_labels.csv  those 12 months with their passengers (ground truth)

Run from the repository root: python3 examples/quickstart/timeseries/flights/make_data.py
Standard library only.
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "datasets")
HORIZON = 12

with open(os.path.join(SHARED, "flights.csv"), newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
history, future = body[:-HORIZON], body[-HORIZON:]
out = os.path.join(HERE, "data")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "train.csv"), "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows([header] + history)
with open(os.path.join(out, "eval.csv"), "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows([header[:2]] + [r[:2] for r in future])
with open(os.path.join(out, "eval_labels.csv"), "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows([header] + future)
