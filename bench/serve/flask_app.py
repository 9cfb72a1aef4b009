"""The comparison server of bench/serve: a minimal Flask app (served by
gunicorn) scoring the *same* XGBoost model as `lolpop serve`.

The booster is read out of the lolpop bundle's model.lpm ("LPMODEL1" | u64 LE
header length | JSON header | u64 LE blob length | XGBoost's own bytes), so
both servers predict with identical trees (checked by run.sh). Categorical
features are encoded as lolpop does: the code is the index of the value in the
header's category list (unseen -> missing), and the DMatrix marks them "c".

POST /predict takes lolpop's body, {"rows": [{...}, ...]}, and answers
{"predictions": [...]}. This is the leanest reasonable Python path (JSON ->
numpy -> DMatrix, no pandas); MLflow's scoring server adds a pandas DataFrame
and schema enforcement on top of it.

    LOLPOP_BUNDLE=.../diamond_price/v1 gunicorn -w 2 -b 127.0.0.1:18081 flask_app:app
"""
import json
import os
import struct

import numpy as np
import xgboost as xgb
from flask import Flask, jsonify, request


def load_bundle(bundle):
    with open(os.path.join(bundle, "model.lpm"), "rb") as f:
        raw = f.read()
    if raw[:8] != b"LPMODEL1":
        raise ValueError("not a lolpop model file")
    hlen = struct.unpack("<Q", raw[8:16])[0]
    header = json.loads(raw[16:16 + hlen])
    blen = struct.unpack("<Q", raw[16 + hlen:24 + hlen])[0]
    booster = xgb.Booster()
    booster.load_model(bytearray(raw[24 + hlen:24 + hlen + blen]))
    return header, booster


HEADER, BOOSTER = load_bundle(os.environ["LOLPOP_BUNDLE"])
FEATURES = [f["name"] for f in HEADER["features"]]
CODES = [
    {c: float(i) for i, c in enumerate(f["categories"])} if "categories" in f else None
    for f in HEADER["features"]
]
TYPES = ["c" if c is not None else "q" for c in CODES]

app = Flask(__name__)


def encode(rows):
    X = np.empty((len(rows), len(FEATURES)), dtype=np.float64)
    for i, row in enumerate(rows):
        for j, name in enumerate(FEATURES):
            v = row[name]
            if CODES[j] is not None:
                X[i, j] = CODES[j].get(v, np.nan)
            else:
                X[i, j] = np.nan if v is None else float(v)
    return X


@app.post("/predict")
def predict():
    rows = request.get_json()["rows"]
    dm = xgb.DMatrix(encode(rows), feature_types=TYPES, enable_categorical=True,
                     missing=np.nan)
    return jsonify(predictions=BOOSTER.predict(dm).tolist())
