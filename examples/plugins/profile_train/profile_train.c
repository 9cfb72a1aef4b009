/*
 * profile_train.c — a runner in a plugin: ProfileTrainRunner profiles the
 * training data, refuses to train on data that fails its checks, then trains
 * and scores one model. A runner with its own steps, smaller than the
 * built-in ClassificationRunner and without pipelines:
 *
 *   profile_data(source?)  reads train_data (or `source`), computes per-column
 *                          statistics and checks the data: at least min_rows
 *                          rows, the target present, complete and with two or
 *                          more values. Keeps the frame for train_model.
 *   train_model()          splits (data_splitter), fits (model_trainer), scores
 *                          every split and computes `metrics`; saves the model
 *                          to model_path when that is set.
 *   build_all()            profile_data, then train_model.
 *
 * Each step calls the others through lp_call, so the dispatcher logs, times
 * and tests (workflow test hooks) them like any built-in method:
 *
 *   lolpop run workflow ProfileTrainRunner -c profile_train.yaml
 *   lolpop run workflow ProfileTrainRunner -c profile_train.yaml -b profile_data
 */
#define _POSIX_C_SOURCE 200809L /* strdup, when built outside the project with -std=c17 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>
#include <lolpop/kit.h>
#include <lolpop/types/data_splitter.h>
#include <lolpop/types/model_trainer.h>

/* Private state (lp_obj_state): zeroed at creation, released by fini. */
typedef struct profile_train {
    lp_value *frame; /* the frame profile_data checked, for train_model; owned */
} profile_train;

/* ---- profile_data ---------------------------------------------------------- */

/* The training data: `source` when given, else config train_data; read by the
 * visible data_connector, else as CSV. New frame value or NULL. */
static lp_value *load_training_data(lp_obj *self, lp_value *args)
{
    const char *arg = lp_value_as_string(lp_map_get(args, "source"));
    char *path = arg ? strdup(arg) : lp_obj_config_string(self, "train_data");
    if (!path) {
        lp_error_set(LP_ECONFIG, "profile_data: no 'source' argument and no config train_data");
        return NULL;
    }
    lp_value *frame = lp_kit_load(self, path);
    free(path);
    return frame;
}

/* {dtype, missing, distinct[, mean]} of one column: new map or NULL. */
static lp_value *column_profile(const lp_column *c)
{
    lp_column_stats st;
    if (lp_column_stats_compute(&st, c) != 0) return NULL;
    lp_value *p = lp_value_map();
    if (p) {
        lp_map_set(p, "dtype", lp_value_string(lp_dtype_name(c->type)));
        lp_map_set(p, "missing", lp_value_int((int64_t)st.missing));
        lp_map_set(p, "distinct", lp_value_int((int64_t)st.distinct));
        if (st.numeric && !isnan(st.mean)) lp_map_set(p, "mean", lp_value_float(st.mean));
    }
    lp_column_stats_free(&st);
    return p;
}

/* The checks that gate training; 0 or LP_EWORKFLOW saying what is wrong. */
static int check_profile(lp_obj *self, const lp_frame *f, const lp_value *profile)
{
    int64_t min_rows = lp_obj_config_int(self, "min_rows", 0); /* class default: 100 */
    char *target = lp_obj_config_string(self, "model_target");
    const lp_value *t = target ? lp_map_get(profile, target) : NULL;
    int rc = 0;
    if ((int64_t)lp_frame_rows(f) < min_rows)
        rc = lp_error_set(LP_EWORKFLOW, "%zu rows, fewer than min_rows (%lld): not training",
                          lp_frame_rows(f), (long long)min_rows);
    else if (!t)
        rc = lp_error_set(LP_EWORKFLOW, "model_target '%s' is not a column of the data",
                          target ? target : "(not set)");
    else if (lp_value_as_int(lp_map_get(t, "missing")) > 0)
        rc = lp_error_set(LP_EWORKFLOW, "model_target '%s' has %lld missing values", target,
                          (long long)lp_value_as_int(lp_map_get(t, "missing")));
    else if (lp_value_as_int(lp_map_get(t, "distinct")) < 2)
        rc = lp_error_set(LP_EWORKFLOW, "model_target '%s' has a single value: nothing to learn",
                          target);
    free(target);
    return rc;
}

/* profile_data(source?) -> {rows, columns, profile: {column: {dtype, missing,
 * distinct, mean?}}}. Fails (LP_EWORKFLOW) when the data fails the checks. */
static lp_value *runner_profile_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = load_training_data(self, args);
    if (!frame) return NULL;
    const lp_frame *f = lp_value_as_frame(frame);
    lp_value *profile = lp_value_map();
    for (size_t j = 0; profile && j < lp_frame_cols(f); j++) {
        lp_value *p = column_profile(lp_frame_col(f, j));
        if (!p || lp_map_set(profile, lp_frame_name(f, j), p) != 0) {
            lp_value_unref(profile);
            profile = NULL;
        }
    }
    if (!profile || check_profile(self, f, profile) != 0) {
        lp_value_unref(profile);
        lp_value_unref(frame);
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "profile_data: %zu rows x %zu columns pass the checks",
           lp_frame_rows(f), lp_frame_cols(f));
    lp_value *result = lp_value_map();
    if (result) {
        lp_map_set(result, "rows", lp_value_int((int64_t)lp_frame_rows(f)));
        lp_map_set(result, "columns", lp_value_int((int64_t)lp_frame_cols(f)));
        lp_map_set(result, "profile", profile);
    } else {
        lp_value_unref(profile);
    }
    profile_train *st = lp_obj_state(self);
    lp_value_unref(st->frame);
    st->frame = frame; /* the state now owns our reference */
    return result;
}

/* ---- train_model ------------------------------------------------------------- */

/* predict's `prediction` column, with predict_proba's probability_<label>
 * columns next to it for classification (what rocauc and logloss need).
 * New frame value or NULL. */
static lp_value *predictions_of(lp_obj *self, lp_obj *trainer, lp_value *X)
{
    lp_value *pred = lp_model_trainer_predict(trainer, X);
    char *problem = lp_obj_config_string(self, "problem_type");
    bool classification = problem && strcmp(problem, "classification") == 0;
    free(problem);
    if (!pred || !classification) return pred;
    lp_value *proba = lp_model_trainer_predict_proba(trainer, X);
    const lp_frame *a = lp_value_as_frame(pred), *b = lp_value_as_frame(proba);
    lp_frame *both = b ? lp_frame_new() : NULL;
    int rc = both ? 0 : LP_ERROR;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(a); j++)
        rc = lp_frame_add_column(both, lp_frame_name(a, j), lp_column_ref(lp_frame_col(a, j)));
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(b); j++)
        rc = lp_frame_add_column(both, lp_frame_name(b, j), lp_column_ref(lp_frame_col(b, j)));
    lp_value_unref(pred);
    lp_value_unref(proba);
    if (rc == 0) return lp_kit_frame(both);
    lp_frame_unref(both);
    return NULL;
}

/* {train: predictions, valid: ..., test: ...} for the splits present. New map or NULL. */
static lp_value *predict_splits(lp_obj *self, lp_obj *trainer, lp_value *splits)
{
    static const char *const names[] = {"train", "valid", "test"};
    lp_value *all = lp_value_map();
    for (size_t i = 0; all && i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "X_%s", names[i]);
        lp_value *X = lp_map_get(splits, key);
        if (!X) continue;
        lp_value *p = predictions_of(self, trainer, X);
        if (!p || lp_map_set(all, names[i], p) != 0) {
            lp_value_unref(all);
            return NULL;
        }
    }
    return all;
}

/* Logs "<split>: accuracy 0.8521 f1 0.7921 ..." for each split of metrics. */
static void log_metrics(lp_obj *self, const lp_value *metrics)
{
    for (size_t i = 0; i < lp_map_len(metrics); i++) {
        const lp_value *m = lp_map_value(metrics, i);
        char line[512];
        size_t n = 0;
        for (size_t k = 0; k < lp_map_len(m) && n < sizeof line; k++)
            n += (size_t)snprintf(line + n, sizeof line - n, " %s %.4f", lp_map_key(m, k),
                                  lp_value_as_float(lp_map_value(m, k)));
        lp_log(self, LP_LOG_INFO, "%s:%s", lp_map_key(metrics, i), n ? line : " (none)");
    }
}

/* Saves the fitted model when config model_path is set. 0 or an error code. */
static int save_model(lp_obj *self, lp_obj *trainer)
{
    char *path = lp_obj_config_string(self, "model_path");
    if (!path) return 0;
    int rc = lp_model_trainer_save(trainer, path);
    if (rc == 0) lp_log(self, LP_LOG_INFO, "model saved to %s", path);
    free(path);
    return rc;
}

/* Splits, fits, scores and saves. New map of metrics or NULL. */
static lp_value *train_and_score(lp_obj *self, lp_value *frame)
{
    lp_obj *splitter = lp_obj_component(self, "data_splitter");
    lp_obj *trainer = lp_obj_component(self, "model_trainer");
    lp_value *splits = lp_data_splitter_split_data(splitter, frame);
    lp_value *model = splits ? lp_model_trainer_fit(trainer, splits) : NULL;
    lp_value *preds = model ? predict_splits(self, trainer, splits) : NULL;
    lp_value *wanted = preds ? lp_obj_config(self, "metrics") : NULL; /* default in the class */
    lp_value *metrics =
        wanted ? lp_model_trainer_calculate_metrics(trainer, splits, preds, wanted) : NULL;
    if (metrics && save_model(self, trainer) != 0) {
        lp_value_unref(metrics);
        metrics = NULL;
    }
    lp_value_unref(wanted);
    lp_value_unref(preds);
    lp_value_unref(model);
    lp_value_unref(splits);
    return metrics;
}

/* train_model() -> {metrics: {split: {metric: value}}}. Profiles first (through
 * the dispatcher) when profile_data has not run yet. */
static lp_value *runner_train_model(lp_obj *self, lp_value *args)
{
    profile_train *st = lp_obj_state(self);
    if (!st->frame) {
        lp_value *profile = lp_call(self, "profile_data", args);
        if (!profile) return NULL;
        lp_value_unref(profile);
    }
    lp_value *metrics = train_and_score(self, st->frame);
    if (!metrics) return NULL;
    log_metrics(self, metrics);
    lp_value *result = lp_value_map();
    if (result)
        lp_map_set(result, "metrics", metrics);
    else
        lp_value_unref(metrics);
    return result;
}

/* ---- build_all ------------------------------------------------------------------ */

/* build_all(source?) -> {rows, metrics}: profile_data, then train_model. */
static lp_value *runner_build_all(lp_obj *self, lp_value *args)
{
    lp_value *profile = lp_call(self, "profile_data", args);
    lp_value *trained = profile ? lp_call(self, "train_model", NULL) : NULL;
    lp_value *result = trained ? lp_value_map() : NULL;
    if (result) {
        lp_map_set(result, "rows", lp_value_ref(lp_map_get(profile, "rows")));
        lp_map_set(result, "metrics", lp_value_ref(lp_map_get(trained, "metrics")));
    }
    lp_value_unref(trained);
    lp_value_unref(profile);
    return result;
}

/* ---- the class and the entry point ------------------------------------------------ */

/* Releases what the methods kept in the state. */
static void runner_fini(lp_obj *self)
{
    profile_train *st = lp_obj_state(self);
    lp_value_unref(st->frame);
    st->frame = NULL;
}

static const lp_method runner_methods[] = {
    {"build_all", runner_build_all, "build_all(source?) -> {rows, metrics}: profile, then train"},
    {"profile_data", runner_profile_data,
     "profile_data(source?) -> {rows, columns, profile}: per-column statistics; fails when the "
     "data fails the checks (min_rows, target complete with two or more values)"},
    {"train_model", runner_train_model,
     "train_model() -> {metrics}: split, fit, score every split, save to model_path"},
    {NULL, NULL, NULL},
};

static const lp_config_key runner_keys[] = {
    {"train_data", "string", "the training data: a CSV file, or a source for the data_connector"},
    {"model_target", "string", "the column to predict"},
    {"min_rows", "int", "fewest rows worth training on"},
    {"metrics", "list", "metrics computed on every split"},
    {"model_path", "string", "where to save the trained model (default: not saved)"},
    {"problem_type", "string",
     "classification or regression (probabilities are scored for classification)"},
    {NULL, NULL, NULL},
};

static const char *const runner_requirements[] = {"config.train_data", "config.model_target",
                                                  "component.data_splitter",
                                                  "component.model_trainer", NULL};

static const lp_class profile_train_runner_class = {
    .name = "ProfileTrainRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "Profiles train_data (per-column statistics), refuses to train on data with fewer "
           "than min_rows rows or an incomplete or constant target, then splits, trains one "
           "model and reports its metrics on every split.",
    .defaults_yaml = "min_rows: 100\n"
                     "metrics: [accuracy, f1, rocauc]\n"
                     "problem_type: classification\n",
    .requirements = runner_requirements,
    .config_keys = runner_keys,
    .methods = runner_methods,
    .state_size = sizeof(profile_train),
    .fini = runner_fini,
};

static int profile_train_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &profile_train_runner_class);
}

LP_PLUGIN_DEFINE("profile_train", "1.0.0", profile_train_init)
