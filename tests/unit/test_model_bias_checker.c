/*
 * test_model_bias_checker.c — LocalModelBiasChecker: every number of the
 * report equals the pandas computation of aif360's definitions on the
 * committed fixture (tests/fixtures/model_bias_checker/gen_bias.py) to 1e-12,
 * scored through the dispatcher with a toy model (P(yes) = s); the checks'
 * statuses follow the thresholds and fail_on; HTML and JSON files are
 * written; an absent attribute, a regression model, a multiclass model
 * without favorable_label and bad configurations are refused with a message
 * that says why.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/model_bias_checker.h"
#include "unit_workflow.h"

TestSuite(bias, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

/* P(class k) from feature s: binary [1 - s, s]; three classes [1 - s, s / 2, s / 2]. */
static int toy_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    (void)state;
    size_t nf = lp_model_n_features(m), k = lp_model_n_outputs(m);
    for (size_t i = 0; i < rows; i++) {
        double s = X[i * nf];
        if (k == 2)
            out[i * 2] = 1 - s, out[i * 2 + 1] = s;
        else if (k == 3)
            out[i * 3] = 1 - s, out[i * 3 + 1] = s / 2, out[i * 3 + 2] = s / 2;
        else
            out[i] = s;
    }
    return 0;
}

static int toy_save(void *state, uint8_t **out, size_t *len)
{
    (void)state;
    *out = malloc(3);
    memcpy(*out, "toy", 3);
    *len = 3;
    return 0;
}

static int toy_load(void **state, const uint8_t *blob, size_t len)
{
    (void)blob;
    (void)len;
    *state = malloc(1);
    return 0;
}

static const lp_model_ops toy_ops = {
    sizeof(lp_model_ops), "toy", toy_load, toy_predict, toy_save, free, NULL, NULL};

static lp_value *toy_model(lp_model_task task, size_t k)
{
    static const char *const classes[] = {"no", "yes", "maybe"};
    lp_model *m = lp_model_new(&toy_ops, malloc(1), task, "ok", k ? LP_DT_STRING : LP_DT_FLOAT64);
    cr_assert_not_null(m);
    cr_assert_eq(lp_model_add_feature(m, "s", LP_DT_FLOAT64), 0);
    for (size_t c = 0; c < k; c++)
        cr_assert_eq(lp_model_add_class(m, classes[c]), 0);
    lp_value *v = lp_value_model(m);
    lp_model_unref(m);
    return v;
}

static lp_value *fixture_frame(void)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, LP_FIXTURES_DIR "/model_bias_checker/rows.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_obj *checker(const char *config)
{
    static char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "component: {model_bias_checker: LocalModelBiasChecker}\n"
             "model_bias_checker:\n  config:\n    dir: reports\n%s",
             config);
    return uw_build(0, yaml, "model_bias_checker");
}

static const char *const fixture_config = "    protected_attributes:\n"
                                          "      sex: {privileged: [male]}\n"
                                          "      age: {bins: [0, 18, 65, 120]}\n";

static lp_value *check(lp_obj *c, lp_value *frame, lp_value *model)
{
    lp_value *r = lp_model_bias_checker_check_model_bias(c, frame, model);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    return r;
}

static void assert_number(const lp_value *got, const json_t *want, const char *what)
{
    if (json_is_null(want)) {
        cr_assert_eq(lp_value_type(got), LP_NULL, "%s: %s, pandas NaN", what,
                     lp_vtype_name(lp_value_type(got)));
        return;
    }
    cr_assert(json_is_number(want), "%s", what);
    double g = lp_value_as_float(got), w = json_number_value(want);
    cr_assert(lp_value_type(got) == LP_FLOAT || lp_value_type(got) == LP_INT, "%s: not a number",
              what);
    cr_assert(fabs(g - w) <= 1e-12, "%s: %.17g, pandas %.17g", what, g, w);
}

/* The group entry named `name` of an attribute (asserted present). */
static const lp_value *group_named(const lp_value *attr, const char *name)
{
    const lp_value *groups = lp_map_get(attr, "groups");
    for (size_t i = 0; i < lp_list_len(groups); i++)
        if (strcmp(lp_value_as_string(lp_map_get(lp_list_get(groups, i), "group")), name) == 0)
            return lp_list_get(groups, i);
    cr_assert_fail("no group '%s'", name);
    return NULL;
}

Test(bias, numbers_equal_pandas_aif360_definitions)
{
    uw_tmpdir("bias", true);
    lp_obj *c = checker(fixture_config);
    lp_value *frame = fixture_frame(), *model = toy_model(LP_MODEL_BINARY, 2);
    lp_value *r = check(c, frame, model);
    const lp_value *report = lp_map_get(r, "report");
    json_error_t err;
    json_t *want = json_load_file(LP_FIXTURES_DIR "/model_bias_checker/expected.json", 0, &err);
    cr_assert_not_null(want, "%s", err.text);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(report, "favorable_label")), "yes");
    cr_assert_eq(lp_value_as_int(lp_map_get(report, "rows")),
                 json_integer_value(json_object_get(want, "rows")));
    static const char *const top[] = {
        "statistical_parity_difference", "disparate_impact", "equal_opportunity_difference",
        "average_odds_difference",       "rows_used",        "rows_skipped"};
    static const char *const per[] = {
        "rows", "selection_rate", "base_rate", "accuracy", "tpr", "fpr", "f1"};
    const char *attr_name;
    json_t *wa;
    size_t compared = 0;
    json_object_foreach(json_object_get(want, "attributes"), attr_name, wa)
    {
        const lp_value *a = lp_map_get(lp_map_get(report, "attributes"), attr_name);
        cr_assert_not_null(a, "attribute %s", attr_name);
        for (size_t k = 0; k < 6; k++) {
            char what[128];
            snprintf(what, sizeof what, "%s.%s", attr_name, top[k]);
            assert_number(lp_map_get(a, top[k]), json_object_get(wa, top[k]), what);
            compared++;
        }
        const json_t *wp = json_object_get(wa, "privileged");
        cr_assert_eq(lp_list_len(lp_map_get(a, "privileged")), json_array_size(wp));
        cr_assert_str_eq(lp_value_as_string(lp_list_get(lp_map_get(a, "privileged"), 0)),
                         json_string_value(json_array_get(wp, 0)));
        const char *gname;
        json_t *wg;
        cr_assert_eq(lp_list_len(lp_map_get(a, "groups")),
                     json_object_size(json_object_get(wa, "groups")));
        json_object_foreach(json_object_get(wa, "groups"), gname, wg)
        {
            const lp_value *g = group_named(a, gname);
            const char *key;
            json_t *wv;
            json_object_foreach(wg, key, wv)
            {
                char what[160];
                snprintf(what, sizeof what, "%s[%s].%s", attr_name, gname, key);
                cr_assert_not_null(lp_map_get(g, key), "%s missing", what);
                assert_number(lp_map_get(g, key), wv, what);
                compared++;
            }
            for (size_t k = 0; k < 7; k++)
                cr_assert_not_null(lp_map_get(g, per[k]), "%s %s", gname, per[k]);
        }
    }
    cr_assert_eq(compared, 59, "every number of the fixture");
    json_decref(want);
    lp_value_unref(r);
    lp_value_unref(frame);
    lp_value_unref(model);
}

static bool has_check(const lp_value *report, const char *check, const char *column,
                      const char *status)
{
    const lp_value *checks = lp_map_get(report, "checks");
    for (size_t i = 0; i < lp_list_len(checks); i++) {
        const lp_value *e = lp_list_get(checks, i);
        const char *col = lp_value_as_string(lp_map_get(e, "column"));
        if (strcmp(lp_value_as_string(lp_map_get(e, "check")), check) == 0 && col &&
            strcmp(col, column) == 0 &&
            strcmp(lp_value_as_string(lp_map_get(e, "status")), status) == 0)
            return true;
    }
    return false;
}

Test(bias, statuses_follow_thresholds_and_files_are_written)
{
    uw_tmpdir("bias", true);
    /* sex: disparate impact 1.954 (outside [0.8, 1.25]), differences about 0.3;
     * age: disparate impact 0.972 overall, 0.843 for [65, 120), 1.140 for [0, 18) */
    lp_obj *c = checker(fixture_config);
    lp_value *frame = fixture_frame(), *model = toy_model(LP_MODEL_BINARY, 2);
    lp_value *r = check(c, frame, model);
    const lp_value *report = lp_map_get(r, "report");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "WARN");
    cr_assert_not(lp_value_as_bool(lp_map_get(r, "failed")));
    cr_assert(has_check(report, "disparate_impact", "sex", "WARN"));
    cr_assert(has_check(report, "statistical_parity_difference", "sex", "WARN"));
    cr_assert(has_check(report, "disparate_impact", "age", "PASS"));
    cr_assert(has_check(report, "disparate_impact", "age=[65, 120)", "PASS"));
    cr_assert(has_check(report, "disparate_impact", "age=[0, 18)", "PASS"));
    const char *path = lp_value_as_string(lp_map_get(r, "path"));
    cr_assert(path && strstr(path, "reports/model-bias-") && access(path, R_OK) == 0, "%s", path);
    char json_path[512];
    snprintf(json_path, sizeof json_path, "%.*s.json", (int)(strlen(path) - 5), path);
    cr_assert_eq(access(json_path, R_OK), 0, "%s", json_path);
    FILE *fh = fopen(path, "r");
    char html[65536];
    size_t n = fread(html, 1, sizeof html - 1, fh);
    html[n] = '\0';
    fclose(fh);
    cr_assert(strstr(html, "data-key=\"sex-disparate_impact\">1.95449"), "HTML lacks the number");
    cr_assert(strstr(html, "female vs male"));
    lp_value_unref(r);

    /* stricter: the age groups fail too, as ERROR, and fail_on stops */
    c = checker("    protected_attributes: {age: {bins: [0, 18, 65, 120], privileged: "
                "['[18, 65)']}}\n"
                "    thresholds: {disparate_impact: {min: 0.9, severity: ERROR}, "
                "statistical_parity_difference: off, equal_opportunity_difference: 0.5, "
                "average_odds_difference: 0.5}\n"
                "    fail_on: ERROR\n");
    r = check(c, frame, model);
    report = lp_map_get(r, "report");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "ERROR");
    cr_assert(lp_value_as_bool(lp_map_get(r, "failed")));
    cr_assert(has_check(report, "disparate_impact", "age=[65, 120)", "ERROR"));
    /* min alone: max is 1 / min, and 1.14 > 1 / 0.9 */
    cr_assert(has_check(report, "disparate_impact", "age=[0, 18)", "ERROR"));
    cr_assert(has_check(report, "disparate_impact", "age", "PASS")); /* 0.97 */
    cr_assert_not(has_check(report, "statistical_parity_difference", "age", "PASS"));
    cr_assert_eq(lp_list_len(lp_map_get(report, "notes")), 0);
    lp_value_unref(r);

    /* [0, 18) has 62 rows: with min_group_rows 70 it is noted, not judged */
    c = checker("    protected_attributes: {age: {bins: [0, 18, 65, 120]}}\n"
                "    min_group_rows: 70\n");
    r = check(c, frame, model);
    report = lp_map_get(r, "report");
    cr_assert(has_check(report, "disparate_impact", "age=[65, 120)", "PASS"));
    cr_assert_not(has_check(report, "disparate_impact", "age=[0, 18)", "PASS"));
    const lp_value *notes = lp_map_get(report, "notes");
    cr_assert_eq(lp_list_len(notes), 1);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(notes, 0)),
                     "age ([0, 18) vs [18, 65)): 62 rows on one side, fewer than min_group_rows "
                     "(70): not judged");
    lp_value_unref(r);
    lp_value_unref(frame);
    lp_value_unref(model);
}

static void assert_check_fails(lp_obj *c, lp_value *frame, lp_value *model, const char *want)
{
    lp_value *r = lp_model_bias_checker_check_model_bias(c, frame, model);
    cr_assert_null(r, "accepted");
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, want), "message: %s", msg);
}

Test(bias, absent_attribute_and_unfit_models_are_refused)
{
    uw_tmpdir("bias", true);
    lp_value *frame = fixture_frame(), *model = toy_model(LP_MODEL_BINARY, 2);
    lp_obj *c = checker("    protected_attributes: {race: {privileged: [a]}}\n");
    assert_check_fails(c, frame, model,
                       "protected attribute 'race' is not a column of the frame (the split's "
                       "columns before feature encoding, with the target): s, sex, age, ok");
    c = checker("    protected_attributes: {sex: {privileged: [males]}}\n");
    assert_check_fails(c, frame, model,
                       "privileged value 'males' of protected attribute 'sex' is none of its "
                       "groups in these rows: female, male");
    c = checker("    protected_attributes: {sex: {bins: [0, 1]}}\n");
    assert_check_fails(c, frame, model, "has bins but its column is string");
    c = checker(fixture_config);
    lp_value *three = toy_model(LP_MODEL_MULTICLASS, 3), *reg = toy_model(LP_MODEL_REGRESSION, 0);
    assert_check_fails(c, frame, three,
                       "the target has 3 classes ('no', 'yes', 'maybe'); set config "
                       "favorable_label");
    assert_check_fails(c, frame, reg, "needs a classification model");
    lp_value_unref(three);
    lp_value_unref(reg);
    lp_value_unref(frame);
    lp_value_unref(model);
}

/* check_classes: the same rule as check_model_bias, before any model exists. */
Test(bias, check_classes_tells_before_training)
{
    uw_tmpdir("bias", true);
    lp_obj *c = checker(fixture_config);
    cr_assert(lp_obj_has_method(c, LP_MODEL_BIAS_CHECKER_CHECK_CLASSES));
    lp_value *two = lp_value_list(), *three = lp_value_list();
    lp_list_append(two, lp_value_string("0"));
    lp_list_append(two, lp_value_string("1"));
    lp_list_append(three, lp_value_string("a"));
    lp_list_append(three, lp_value_string("b"));
    lp_list_append(three, lp_value_string("c"));
    cr_assert_eq(lp_model_bias_checker_check_classes(c, two), 0, "%s", lp_error_last()->message);
    cr_assert_neq(lp_model_bias_checker_check_classes(c, three), 0);
    cr_assert(strstr(lp_error_last()->message,
                     "the target has 3 classes ('a', 'b', 'c'); set config favorable_label"),
              "%s", lp_error_last()->message);
    c = checker("    favorable_label: b\n    protected_attributes: {sex: {privileged: [male]}}\n");
    cr_assert_eq(lp_model_bias_checker_check_classes(c, three), 0, "%s", lp_error_last()->message);
    cr_assert_neq(lp_model_bias_checker_check_classes(c, two), 0);
    cr_assert(strstr(lp_error_last()->message,
                     "favorable_label 'b' is not one of the target's classes ('0', '1')"),
              "%s", lp_error_last()->message);
    lp_value_unref(two);
    lp_value_unref(three);
}

Test(bias, bad_configuration_is_refused)
{
    static const char *const bad[][2] = {
        {"{}", "set protected_attributes"},
        {"{sex: {privileged: male}}", "non-empty list"},
        {"{sex: {privilegd: [male]}}", "did you mean 'privileged'"},
        {"{age: {bins: [0, 65, 18]}}", "increasing order"},
        {"{age: {bins: [0, 18, 65], privileged: ['18-65']}}", "\"[0, 18)\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "component: {model_bias_checker: LocalModelBiasChecker}\n"
                 "model_bias_checker:\n  config: {protected_attributes: %s}\n",
                 bad[i][0]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad[i][0]);
        const char *msg = lp_error_last()->message;
        cr_assert(strstr(msg, "LocalModelBiasChecker") && strstr(msg, bad[i][1]), "%s: %s",
                  bad[i][0], msg);
    }
    static const char *const bad_th[][2] = {
        {"{disparate_impct: 0.8}", "did you mean 'disparate_impact'"},
        {"{disparate_impact: [1.2, 0.8]}", "0 < min <= max"},
        {"{statistical_parity_difference: -1}", "largest |difference|"},
    };
    for (size_t i = 0; i < sizeof bad_th / sizeof *bad_th; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "component: {model_bias_checker: LocalModelBiasChecker}\n"
                 "model_bias_checker:\n  config: {protected_attributes: {sex: null}, "
                 "thresholds: %s}\n",
                 bad_th[i][0]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad_th[i][0]);
        const char *msg = lp_error_last()->message;
        cr_assert(strstr(msg, bad_th[i][1]), "%s: %s", bad_th[i][0], msg);
    }
}
