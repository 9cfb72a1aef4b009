/*
 * cli_summary.c — the human summary of a run, printed by `lolpop run
 * workflow` and `lolpop test workflow` from the map that build_all of
 * ClassificationRunner and RegressionRunner returns (the library prints
 * nothing itself; src/runners/runner_summary.c describes the map):
 *
 *   lolpop: ClassificationRunner finished, run 20261127-210259-38170a (store .lolpop/lolpop.db)
 *     model       titanic_survival version 1
 *     validation  accuracy 0.8521 f1 0.7921
 *     deployed    yes: promoted to production
 *     predictions 178 rows -> predictions.csv
 *     report      .lolpop/reports/run-20261127-210259-38170a.html
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Whether `result` has the summary's shape: a map naming its runner, with a
 * `deployed` flag and a `predictions` map. */
static bool is_summary(const lp_value *result)
{
    return lp_value_type(result) == LP_MAP &&
           lp_value_type(lp_map_get(result, "runner")) == LP_STRING &&
           lp_value_type(lp_map_get(result, "deployed")) == LP_BOOL &&
           lp_value_type(lp_map_get(result, "predictions")) == LP_MAP;
}

/* The validation metrics; a run of several series (TimeSeriesRunner's
 * series_id) says how they are aggregated ("mean over 3 series"). */
static void print_validation(FILE *out, const lp_value *metrics, const char *aggregate)
{
    fputs("  validation ", out);
    for (size_t i = 0; i < lp_map_len(metrics); i++)
        fprintf(out, " %s %.4f", lp_map_key(metrics, i),
                lp_value_as_float(lp_map_value(metrics, i)));
    if (lp_map_len(metrics) == 0) fputs(" (no metrics tracked)", out);
    if (aggregate) fprintf(out, " (%s)", aggregate);
    fputc('\n', out);
}

bool cli_print_run_summary(FILE *out, const lp_value *result)
{
    if (!is_summary(result)) return false;
    const char *id = lp_value_as_string(lp_map_get(result, "run_id"));
    const char *store = lp_value_as_string(lp_map_get(result, "store"));
    fprintf(out, "lolpop: %s finished", lp_value_as_string(lp_map_get(result, "runner")));
    if (id) fprintf(out, ", run %s (store %s)", id, store ? store : "?");
    fputc('\n', out);
    const lp_value *model = lp_map_get(result, "model");
    if (lp_value_type(model) == LP_MAP)
        fprintf(out, "  model       %s version %lld\n",
                lp_value_as_string(lp_map_get(model, "name")),
                (long long)lp_value_as_int(lp_map_get(model, "version")));
    print_validation(out, lp_map_get(result, "validation"),
                     lp_value_as_string(lp_map_get(result, "validation_aggregate")));
    const char *why = lp_value_as_string(lp_map_get(result, "deploy_reason"));
    fprintf(out, "  deployed    %s: %s\n",
            lp_value_as_bool(lp_map_get(result, "deployed")) ? "yes" : "no", why ? why : "?");
    const lp_value *p = lp_map_get(result, "predictions");
    const char *path = lp_value_as_string(lp_map_get(p, "path"));
    fprintf(out, "  predictions %lld rows -> %s", (long long)lp_value_as_int(lp_map_get(p, "rows")),
            path ? path : "(nowhere)");
    const char *with = lp_value_as_string(lp_map_get(p, "scored_with"));
    const lp_value *by = lp_map_get(p, "model");
    if (with && strcmp(with, "deployed") == 0 && lp_value_type(by) == LP_MAP)
        fprintf(out, " (scored with the deployed version %lld)",
                (long long)lp_value_as_int(lp_map_get(by, "version")));
    fputc('\n', out);
    const char *report = lp_value_as_string(lp_map_get(result, "report"));
    if (report) fprintf(out, "  report      %s\n", report);
    fflush(out);
    return true;
}
