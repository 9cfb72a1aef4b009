/*
 * response.h — JSON bodies of the server's answers, written straight into a
 * string buffer (no intermediate JSON tree: this is the hot path).
 *
 * Scores (srv_scorer_score's frame: "prediction", "probability_<label>"...):
 *   /predict      {"predictions": [p, ...], "probabilities": [{"<label>": p, ...}, ...]}
 *                 ("probabilities" only for a classifier with probabilities)
 *                 with ?explain=1 also "reasons": [[{"feature": "sex_male",
 *                 "contribution": -1.3}, ...], ...] (top_k per row, largest |SHAP| first)
 *   /invocations  {"predictions": [p, ...]}  (MLflow's answer)
 * Predictions are in the target's type: a string label, an integer, a
 * boolean or a number; a missing value (or NaN) is null.
 *
 * Errors: {"error_code": "BAD_REQUEST", "message": "...", "row": 3,
 * "column": "carat"} (row/column only when known; error_code as MLflow's).
 */
#ifndef LP_SERVER_RESPONSE_H
#define LP_SERVER_RESPONSE_H

#include <stdbool.h>

#include "lolpop/frame.h"
#include "lolpop/strbuf.h"

/* Appends s (len bytes) as a JSON string literal (quoted and escaped). */
void srv_json_string(lp_sb *sb, const char *s, size_t len);
/* Appends value i of col as a JSON value. */
void srv_json_value(lp_sb *sb, const lp_column *col, size_t i);
/* Appends the answer for scores (see above); with_proba: /predict's form. */
void srv_json_scores(lp_sb *sb, const lp_frame *scores, bool with_proba);
/* Appends an error body; row < 0 and column NULL/"" are left out. */
void srv_json_error(lp_sb *sb, const char *code, const char *message, long row, const char *column);

#endif
