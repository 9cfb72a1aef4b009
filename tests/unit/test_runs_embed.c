/*
 * test_runs_embed.c — the run service as a program that embeds liblolpop
 * gets it: only the public headers (lolpop.h), a workflow built from a YAML
 * string over a tiny data set, lp_workflow_enable_runs, build_all and its
 * summary map; then a second workflow resuming the first run reuses its
 * steps (logged "reused (run R)", nothing trained again).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "unit_workflow.h"

/* y is 1 when x1 + x2 > 1: a linear model learns it from 120 rows. */
static void write_data(void)
{
    FILE *train = fopen("train.csv", "w"), *eval = fopen("eval.csv", "w");
    cr_assert(train && eval);
    fputs("id,x1,x2,y\n", train);
    fputs("id,x1,x2\n", eval);
    unsigned s = 7;
    for (int i = 0; i < 150; i++) {
        s = s * 1103515245u + 12345u;
        double x1 = (double)(s >> 16 & 0x7fff) / 0x7fff;
        s = s * 1103515245u + 12345u;
        double x2 = (double)(s >> 16 & 0x7fff) / 0x7fff;
        if (i < 120)
            fprintf(train, "%d,%.4f,%.4f,%d\n", i, x1, x2, x1 + x2 > 1.0);
        else
            fprintf(eval, "%d,%.4f,%.4f\n", i, x1, x2);
    }
    fclose(train);
    fclose(eval);
}

/* The registry (built-in plugin) and a temp working directory come from
 * unit_workflow, which itself uses only the public API. */
static void setup(void)
{
    uw_setup();
    uw_tmpdir("runs-embed", true);
    write_data();
}

TestSuite(runs_embed, .init = setup, .fini = uw_teardown, .timeout = 120);

static const char yaml[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
    "predict: OfflinePredict}\n"
    "component: {metadata_tracker: LocalMetadataTracker, metrics_tracker: LocalMetricsTracker,\n"
    "            resource_version_control: LocalResourceVersionControl, logger: FileLogger}\n"
    "logger: {config: {log_filename: run.log, log_format: text, log_level: INFO}}\n"
    "config: {train_data: train.csv, eval_data: eval.csv, prediction_data: predictions.csv,\n"
    "         model_name: tiny, model_target: y, model_index: id}\n"
    "train:\n"
    "  component: {data_splitter: LocalDataSplitter, model_trainer: LinearModelTrainer}\n"
    "  data_splitter: {config: {seed: 1}}\n"
    "  config: {metrics: [accuracy, f1], perf_metric: accuracy}\n"
    "deploy:\n"
    "  component: {model_repository: LocalModelRepository, model_deployer: LocalModelDeployer}\n"
    "  config: {auto_approve_models: true}\n";

/* Builds the workflow, enables runs (resuming `resume`), runs build_all and
 * returns its result (new reference); *run: the recorded run's id (new). */
static lp_value *run_once(const char *resume, char **run)
{
    lp_value *doc = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "embed.yaml", &d), 0);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_new(&wf, uw_registry(), doc, "ClassificationRunner", 0, &d);
    cr_assert_eq(rc, 0, "%s", d.len ? d.items[0].message : lp_error_last()->message);
    lp_diags_clear(&d);
    cr_assert_null(lp_workflow_run_id(wf), "no run before runs are enabled");
    cr_assert_eq(lp_workflow_enable_runs(wf, resume), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_workflow_enable_runs(wf, NULL), LP_EEXISTS, "enabled once only");
    cr_assert_not_null(lp_workflow_run_id(wf));
    *run = strdup(lp_workflow_run_id(wf));
    lp_value *result = lp_call(lp_workflow_root(wf), "build_all", NULL);
    cr_assert_not_null(result, "%s", lp_error_last()->message);
    lp_workflow_free(wf); /* frees the run service's state as well */
    lp_value_unref(doc);
    return result;
}

/* How many times `needle` occurs in run.log. */
static size_t in_log(const char *needle)
{
    FILE *f = fopen("run.log", "r");
    cr_assert_not_null(f);
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

Test(runs_embed, a_program_records_a_run_and_resumes_it)
{
    char *run_a = NULL, *run_b = NULL;
    lp_value *a = run_once(NULL, &run_a);
    /* build_all's result is the run's summary */
    cr_assert_str_eq(lp_value_as_string(lp_map_get(a, "runner")), "ClassificationRunner");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(a, "run_id")), run_a);
    cr_assert_not_null(lp_value_as_string(lp_map_get(a, "store")));
    const lp_value *model = lp_map_get(a, "model");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(model, "name")), "tiny");
    cr_assert_eq(lp_value_as_int(lp_map_get(model, "version")), 1);
    double acc = lp_value_as_float(lp_map_get(lp_map_get(a, "validation"), "accuracy"));
    cr_assert_gt(acc, 0.8, "validation accuracy %g", acc);
    cr_assert(lp_value_as_bool(lp_map_get(a, "deployed")));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(a, "deploy_reason")), "promoted to production");
    const lp_value *preds = lp_map_get(a, "predictions");
    cr_assert_eq(lp_value_as_int(lp_map_get(preds, "rows")), 30);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(preds, "path")), "predictions.csv");
    cr_assert_eq(in_log("reused (run"), 0, "nothing to reuse in the first run");

    /* a second workflow resuming the first: its steps are reused, not run again */
    lp_value *b = run_once(run_a, &run_b);
    cr_assert_str_neq(run_b, run_a);
    char line[128];
    snprintf(line, sizeof line, "OfflineTrain.train_model: reused (run %s)", run_a);
    cr_assert_eq(in_log(line), 1, "train_model was not reused from %s", run_a);
    snprintf(line, sizeof line, "OfflineProcess.transform_data: reused (run %s)", run_a);
    cr_assert_geq(in_log(line), 1);
    /* the same model version: nothing was trained again */
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_map_get(b, "model"), "version")), 1);
    cr_assert_eq(lp_value_as_float(lp_map_get(lp_map_get(b, "validation"), "accuracy")), acc);

    /* a run that does not exist is a usage error, and the workflow is still freed cleanly */
    lp_value *doc = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "embed.yaml", &d), 0);
    lp_workflow *wf = NULL;
    cr_assert_eq(lp_workflow_new(&wf, uw_registry(), doc, "ClassificationRunner", 0, &d), 0);
    lp_diags_clear(&d);
    cr_assert_eq(lp_workflow_enable_runs(wf, "no-such-run"), LP_EUSAGE);
    cr_assert(strstr(lp_error_last()->message, "no run 'no-such-run'"), "%s",
              lp_error_last()->message);
    cr_assert_null(lp_workflow_run_id(wf));
    lp_workflow_free(wf);
    lp_value_unref(doc);
    lp_value_unref(a);
    lp_value_unref(b);
    free(run_a);
    free(run_b);
}
