/*
 * test_kit.c — the author's kit (include/lolpop/kit.h) through its public
 * API: argument helpers and their messages, result maps, skipped steps,
 * located errors, config string lists, resource ids, and experiments run
 * with a plugin-style trainer (KeyedTrainer: a model_trainer with its own
 * config key `k`), whose recorded `params` tag must carry the keys set in
 * its own section next to training_params and the fit's params.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tracking.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/kit.h"
#include "lolpop/types/metadata_tracker.h"
#include "unit_workflow.h"

/* ---- KeyedTrainer: the smallest model_trainer an experiment can run ----------------------- */

static int keyed_predict_rows(void *state, const lp_model *m, const double *X, size_t rows,
                              double *out)
{
    (void)state;
    (void)m;
    (void)X;
    for (size_t i = 0; i < rows; i++)
        out[i] = 0;
    return 0;
}

static int keyed_save(void *state, uint8_t **out, size_t *len)
{
    (void)state;
    *out = NULL;
    *len = 0;
    return lp_error_set(LP_EINVAL, "KeyedTrainer models are not saved");
}

static void keyed_free(void *state)
{
    (void)state;
}

static const lp_model_ops keyed_ops = {.size = sizeof(lp_model_ops),
                                       .name = "keyed",
                                       .predict = keyed_predict_rows,
                                       .save = keyed_save,
                                       .free = keyed_free};

static lp_value *keyed_fit(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    lp_model *m = lp_model_new(&keyed_ops, NULL, LP_MODEL_REGRESSION, "target", LP_DT_FLOAT64);
    lp_value *v = m ? lp_value_model(m) : NULL;
    lp_model_unref(m); /* the value holds its own reference */
    return v;
}

/* The features themselves stand for the predictions: the experiment only
 * needs a frame back. */
static lp_value *keyed_predict(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_frame *X = lp_kit_arg_frame(args, "frame", "KeyedTrainer.predict");
    return X ? lp_kit_frame(lp_frame_ref(X)) : NULL;
}

static lp_value *keyed_metrics(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_kit_result("valid", lp_kit_result("rmse", lp_value_float(1.5), NULL), NULL);
}

static lp_value *keyed_unsupported(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_kit_fail(LP_EINVAL, "KeyedTrainer cannot do that");
}

/* A plugin's own config check (LP_METHOD_CHECK_CONFIG): k must be positive
 * (an error at k's position), weights "distance" is only warned about. */
static lp_value *keyed_check_config(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *problems = lp_value_list(), *k = lp_obj_config(self, "k");
    lp_value *w = lp_obj_config(self, "weights");
    if (k && lp_value_as_int(k) <= 0)
        cr_assert_eq(lp_kit_check_add(problems, LP_SEV_ERROR, k, "k must be positive, not %lld",
                                      (long long)lp_value_as_int(k)),
                     0);
    if (w && strcmp(lp_value_as_string(w), "distance") == 0)
        cr_assert_eq(lp_kit_check_add(problems, LP_SEV_WARNING, w, "distance weights are slow"), 0);
    if (w && strcmp(lp_value_as_string(w), "broken") == 0) {
        lp_value_unref(problems);
        problems = NULL;
        lp_error_set(LP_ECONFIG, "weights 'broken' cannot be checked");
    }
    lp_value_unref(k);
    lp_value_unref(w);
    return problems;
}

static const lp_method keyed_methods[] = {
    {LP_METHOD_CHECK_CONFIG, keyed_check_config, "k > 0"},
    {"fit", keyed_fit, "fits nothing"},
    {"predict", keyed_predict, "the features"},
    {"predict_proba", keyed_unsupported, "none"},
    {"calculate_metrics", keyed_metrics, "a constant rmse"},
    {"save", keyed_unsupported, "none"},
    {"load", keyed_unsupported, "none"},
    {NULL, NULL, NULL},
};

static const lp_config_key keyed_keys[] = {
    {"k", "int", "neighbours"},
    {"weights", "string", "uniform or distance"},
    {"training_params", "map", "more parameters"},
    {"problem_type", "string", "classification or regression"},
    {NULL, NULL, NULL},
};

static const lp_class keyed_trainer = {
    .name = "KeyedTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "a model_trainer with its own config key",
    .config_keys = keyed_keys,
    .methods = keyed_methods,
};

static void setup(void)
{
    uw_setup();
    fake_register(uw_registry());
    cr_assert_eq(lp_registry_add_class(uw_registry(), &keyed_trainer), 0, "%s",
                 lp_error_last()->message);
}

static void teardown(void)
{
    uw_teardown();
    fake_reset();
}

TestSuite(kit, .init = setup, .fini = teardown);

/* ---- experiments ------------------------------------------------------------------------ */

/* A workflow with the fake tracker, KeyedTrainer configured by `own` (flow
 * map body of its config) and `root` (YAML lines of the root's config). */
static lp_obj *keyed_workflow(const char *own, const char *root)
{
    static char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "component: {metadata_tracker: FakeMetadataTracker, logger: CaptureLogger,\n"
             "            model_trainer: KeyedTrainer}\n"
             "config:\n  problem_type: regression\n%s"
             "model_trainer:\n  config: {%s}\n",
             root, own);
    return uw_build(0, yaml, "model_trainer");
}

static lp_value *splits(void)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, LP_FIXTURES_DIR "/xgb/reg_train.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *s = lp_kit_result("X_train", lp_kit_frame(f), NULL);
    cr_assert_not_null(s);
    return s;
}

/* Runs one experiment of the workflow's trainer with `params` (consumed, may
 * be NULL) and returns its params tag rendered as text (malloc'ed). */
static char *recorded_params(lp_obj *trainer, lp_value *params)
{
    lp_obj *root = uw_root(0);
    lp_obj *tracker = uw_component(0, "metadata_tracker");
    lp_value *model = lp_metadata_tracker_create_resource(tracker, "m", "model", NULL);
    lp_value *mv = lp_metadata_tracker_create_resource(tracker, NULL, "model_version", model);
    lp_value *s = splits();
    lp_experiment e = {0};
    int rc = lp_experiment_run(&e, root, trainer, s, mv, params);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    cr_assert(e.has_score);
    cr_assert_float_eq(e.score, 1.5, 1e-12);
    const lp_value *tag = fake_tag(lp_kit_resource_id(e.resource), "params");
    cr_assert_not_null(tag, "no params tag");
    char *text = lp_value_to_string(tag);
    char *mine = lp_value_to_string(e.params);
    cr_assert_str_eq(text, mine, "the tag and lp_experiment.params differ");
    free(mine);
    lp_experiment_clear(&e);
    lp_value_unref(s);
    lp_value_unref(mv);
    lp_value_unref(model);
    lp_value_unref(params);
    return text;
}

/* ---- check_config: a class's own checks run by validation --------------------------------- */

static lp_diags validate_keyed(const char *own, int want_rc)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {metadata_tracker: FakeMetadataTracker, model_trainer: KeyedTrainer}\n"
             "model_trainer:\n  config: {%s}\n",
             own);
    lp_value *doc = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "k.yaml", &d), 0);
    int rc = lp_workflow_validate(uw_registry(), doc, "TestRunner", 0, &d);
    cr_assert_eq(rc, want_rc, "%s", d.len ? d.items[0].message : "no diagnostics");
    lp_value_unref(doc);
    return d;
}

Test(kit, check_config_problems_become_located_diagnostics)
{
    lp_diags d = validate_keyed("k: -2, weights: distance", LP_ECONFIG);
    cr_assert_eq(d.len, 2);
    cr_assert_eq(d.items[0].severity, LP_SEV_ERROR);
    cr_assert_str_eq(d.items[0].message, "k must be positive, not -2");
    cr_assert_str_eq(d.items[0].section, "model_trainer");
    cr_assert_str_eq(d.items[0].where.source, "k.yaml");
    cr_assert_eq(d.items[0].where.line, 3);
    cr_assert_eq(d.items[0].where.col, 15);
    cr_assert_eq(d.items[1].severity, LP_SEV_WARNING);
    cr_assert_str_eq(d.items[1].message, "distance weights are slow");
    lp_diags_clear(&d);

    d = validate_keyed("k: 3, weights: broken", LP_ECONFIG); /* NULL + error: one error */
    cr_assert_eq(d.len, 1);
    cr_assert_str_eq(d.items[0].message, "weights 'broken' cannot be checked");
    lp_diags_clear(&d);

    d = validate_keyed("k: 3", 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
}

Test(kit, check_model_name)
{
    lp_value *ok = lp_value_string("titanic"), *dots = lp_value_string(".."),
             *nul = lp_value_stringn("a\0b", 3), *num = lp_value_int(3);
    cr_assert_eq(lp_kit_check_model_name(ok, "T"), 0);
    cr_assert_eq(lp_kit_check_model_name(dots, "T"), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "T: model_name '..' cannot name a model"));
    cr_assert_eq(lp_kit_check_model_name(nul, "T"), LP_ECONFIG);
    cr_assert_str_eq(lp_error_last()->message,
                     "T: model_name contains a NUL byte (after 'a'); a name is text without NUL");
    cr_assert_eq(lp_kit_check_model_name(num, "T"), LP_ECONFIG);
    lp_value_unref(ok);
    lp_value_unref(dots);
    lp_value_unref(nul);
    lp_value_unref(num);
}

Test(kit, experiment_records_the_trainers_own_config_keys)
{
    lp_obj *t = keyed_workflow("k: 7, weights: distance, training_params: {leaf_size: 30}", "");
    char *p = recorded_params(t, NULL);
    cr_assert(strstr(p, "k") && strstr(p, "7"), "%s", p);
    cr_assert(strstr(p, "weights") && strstr(p, "distance"), "%s", p);
    cr_assert(strstr(p, "leaf_size") && strstr(p, "30"), "%s", p);
    cr_assert_null(strstr(p, "problem_type"), "problem_type is not a parameter: %s", p);
    cr_assert_null(strstr(p, "training_params"), "training_params is merged, not nested: %s", p);
    free(p);
}

Test(kit, experiment_params_override_config_keys)
{
    lp_obj *t = keyed_workflow("k: 7", "");
    lp_value *over = lp_kit_result("k", lp_value_int(5), NULL);
    char *p = recorded_params(t, over);
    cr_assert(strstr(p, "5"), "%s", p);
    cr_assert_null(strstr(p, "7"), "the fit's params win over config: %s", p);
    free(p);
}

Test(kit, experiment_ignores_keys_inherited_from_enclosing_sections)
{
    lp_obj *t = keyed_workflow("", "  k: 9\n");
    char *p = recorded_params(t, NULL);
    cr_assert_null(strstr(p, "9"), "k was not set for this trainer: %s", p);
    free(p);
}

Test(kit, find_trainer_by_class)
{
    lp_obj *t = keyed_workflow("", "");
    cr_assert_eq(lp_experiment_find_trainer(uw_root(0), "KeyedTrainer"), t);
    cr_assert_null(lp_experiment_find_trainer(uw_root(0), "XGBoostModelTrainer"));
}

/* ---- arguments ---------------------------------------------------------------------------- */

Test(kit, arguments_with_clear_errors)
{
    lp_value *args =
        lp_kit_result("s", lp_value_string("x"), "n", lp_value_null(), "m", lp_value_map(), NULL);
    cr_assert_not_null(lp_kit_arg(args, "n", "C.m"), "a null value counts as given");
    cr_assert_null(lp_kit_arg_nonnull(args, "n", "C.m"));
    cr_assert_str_eq(lp_error_last()->message, "C.m: argument 'n' is missing");
    cr_assert_null(lp_kit_arg(args, "zz", NULL));
    cr_assert_str_eq(lp_error_last()->message, "argument 'zz' is missing");
    cr_assert_null(lp_kit_arg_opt(args, "n"));
    cr_assert_null(lp_kit_arg_opt(args, "zz"));
    cr_assert_str_eq(lp_kit_arg_string(args, "s", "C.m"), "x");
    cr_assert_not_null(lp_kit_arg_map(args, "m", "C.m"));
    cr_assert_null(lp_kit_arg_frame(args, "s", "C.m"));
    cr_assert_str_eq(lp_error_last()->message,
                     "C.m: argument 's' must be a data frame, got string");
    cr_assert_null(lp_kit_arg_model(args, "zz", "C.m"));
    cr_assert_str_eq(lp_error_last()->message, "C.m: argument 'zz' must be a model, got nothing");
    cr_assert_null(lp_kit_arg_map(args, "s", NULL));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    lp_value_unref(args);
}

/* ---- results and errors ------------------------------------------------------------------ */

Test(kit, results_own_their_values)
{
    lp_value *r = lp_kit_result("a", lp_value_int(1), "b", NULL, NULL);
    cr_assert_eq(lp_map_len(r), 2);
    cr_assert_eq(lp_value_as_int(lp_map_get(r, "a")), 1);
    cr_assert_eq(lp_value_type(lp_map_get(r, "b")), LP_NULL);
    lp_value_unref(r);
    lp_value *empty = lp_kit_result(NULL);
    cr_assert_eq(lp_map_len(empty), 0);
    lp_value_unref(empty);
    lp_error_clear();
    cr_assert_null(lp_kit_frame(NULL));
    cr_assert_eq(lp_error_last()->code, 0, "a NULL frame keeps the error it came with");
}

static lp_value *frame_value(const char *csv)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "test", NULL), 0);
    return lp_kit_frame(f);
}

/* train, valid and test in that order, whatever the map's order; none of a
 * kind is not an error */
Test(kit, stack_splits_in_split_order)
{
    lp_value *splits =
        lp_kit_result("X_test", frame_value("a\n5\n"), "X_train", frame_value("a\n1\n2\n"),
                      "X_valid", frame_value("a\n3\n"), NULL);
    lp_frame *all = NULL;
    cr_assert_eq(lp_kit_stack_splits(&all, splits, "X_"), 0);
    cr_assert_eq(lp_frame_rows(all), 4);
    const lp_column *a = lp_frame_col_by_name(all, "a");
    const int64_t want[] = {1, 2, 3, 5};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(lp_column_get_f64(a, i), (double)want[i], "row %zu", i);
    lp_frame_unref(all);
    lp_frame *none = NULL;
    cr_assert_eq(lp_kit_stack_splits(&none, splits, "y_"), 0);
    cr_assert_null(none, "no y_ frames: NULL, not an error");
    lp_value_unref(splits);
}

Test(kit, fail_and_resource_id)
{
    cr_assert_null(lp_kit_fail(LP_ECONFIG, "bad %d", 3));
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert_str_eq(lp_error_last()->message, "bad 3");
    lp_value *id = lp_value_int(4), *map = lp_kit_result("id", lp_value_int(8), NULL);
    cr_assert_eq(lp_kit_resource_id(id), 4);
    cr_assert_eq(lp_kit_resource_id(map), 8);
    cr_assert_eq(lp_kit_resource_id(NULL), -1);
    lp_value_unref(id);
    lp_value_unref(map);
}

Test(kit, skipped_steps_log_and_return_null)
{
    keyed_workflow("", "");
    lp_value *v = lp_kit_skip(uw_root(0), "check_data", "data_checker");
    cr_assert_eq(lp_value_type(v), LP_NULL);
    lp_value_unref(v);
    cr_assert_eq(fake_log_count("check_data: skipped, no data_checker configured"), 1);
}

Test(kit, config_strings_and_located_errors)
{
    keyed_workflow("", "  one: a\n  many: [a, b]\n  bad: {x: 1}\n");
    lp_obj *root = uw_root(0);
    lp_value *one = lp_kit_config_strings(root, "one");
    lp_value *many = lp_kit_config_strings(root, "many");
    lp_value *none = lp_kit_config_strings(root, "unset");
    cr_assert_eq(lp_list_len(one), 1);
    cr_assert_eq(lp_list_len(many), 2);
    cr_assert_eq(lp_list_len(none), 0);
    lp_value_unref(one);
    lp_value_unref(many);
    lp_value_unref(none);
    cr_assert_null(lp_kit_config_strings(root, "bad"));
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert_eq(lp_error_last()->line, 7, "at the value: line %d", lp_error_last()->line);
    cr_assert_eq(lp_kit_task(root), LP_TASK_REGRESSION);
    char *s = lp_kit_config_string(root, "one", "dflt"), *d = lp_kit_config_string(root, "x", "d");
    cr_assert_str_eq(s, "a");
    cr_assert_str_eq(d, "d");
    free(s);
    free(d);
    lp_value *v = lp_value_int(1);
    cr_assert_eq(lp_kit_error_at(LP_EINVAL, v, "n = %d", 1), LP_EINVAL);
    cr_assert_null(lp_error_last()->file, "a value made in code has no position");
    lp_value_unref(v);
}

Test(kit, string_builder)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "a");
    lp_sb_appendf(&sb, "%d", 42);
    lp_sb_putc(&sb, '!');
    char *s = lp_sb_take(&sb);
    cr_assert_str_eq(s, "a42!");
    free(s);
    cr_assert_null(sb.buf);
}

Test(kit, string_builder_escapes_html)
{
    lp_sb sb = {0};
    lp_sb_append_html(&sb, "<a href=\"x\">R&D</a> é");
    lp_sb_append_html(&sb, NULL);
    char *s = lp_sb_take(&sb);
    cr_assert_str_eq(s, "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt; é");
    free(s);
}

/* ---- the visible components ------------------------------------------------------------- */

Test(kit, tag_goes_through_the_visible_tracker)
{
    keyed_workflow("", "");
    lp_obj *tracker = uw_component(0, "metadata_tracker");
    lp_value *r = lp_metadata_tracker_create_resource(tracker, "d", "dataset", NULL);
    cr_assert_eq(lp_kit_tag(uw_root(0), r, "rows", lp_value_int(3)), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_value_as_int(fake_tag(lp_kit_resource_id(r), "rows")), 3);
    cr_assert_eq(lp_kit_tag(uw_root(0), NULL, "rows", lp_value_int(4)), 0, "no resource: no-op");
    cr_assert_eq(lp_kit_tag(uw_root(0), r, "rows", NULL), LP_ENOMEM, "a value that was not made");
    lp_value_unref(r);
}

Test(kit, load_reads_csv_without_a_connector)
{
    keyed_workflow("", "");
    lp_value *v = lp_kit_load(uw_root(0), LP_FIXTURES_DIR "/xgb/reg_train.csv");
    cr_assert_not_null(lp_value_as_frame(v), "%s", lp_error_last()->message);
    cr_assert(lp_frame_cols(lp_value_as_frame(v)) == 7);
    lp_value_unref(v);
    cr_assert_null(lp_kit_load(uw_root(0), "/nonexistent/x.csv"));
    cr_assert_neq(lp_error_last()->code, 0);
}
