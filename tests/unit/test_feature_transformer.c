/*
 * test_feature_transformer.c — LocalFeatureTransformer through the
 * dispatcher: every transformer against scikit-learn's numbers (fixtures from
 * tests/fixtures/gen_features.py, compared to 1e-12), column order, unseen
 * categories on held-out data, save/load restoring bit for bit, and every
 * error message.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/feature_transformer.h"
#include "unit_workflow.h"

#define FEATURES LP_FIXTURES_DIR "/features"
#ifndef TOLERANCE
#define TOLERANCE 1e-12
#endif

static json_t *expected;
static lp_value *train, *test; /* X frames (target dropped) */

static lp_value *read_x(const char *path)
{
    lp_frame *f = NULL, *x = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    const char *target = "survived";
    cr_assert_eq(lp_frame_drop(&x, f, &target, 1), 0);
    lp_frame_unref(f);
    lp_value *v = lp_value_frame(x);
    lp_frame_unref(x);
    return v;
}

static void setup(void)
{
    uw_setup();
    json_error_t err;
    expected = json_load_file(FEATURES "/expected.json", 0, &err);
    cr_assert_not_null(expected, "expected.json: %s", err.text);
    train = read_x(FEATURES "/train.csv");
    test = read_x(FEATURES "/test.csv");
}

static void teardown(void)
{
    uw_teardown();
    json_decref(expected);
    lp_value_unref(train);
    lp_value_unref(test);
}

TestSuite(feature_transformer, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------------ */

/* The workflow text of a LocalFeatureTransformer configured with
 * `transformers` (YAML flow text); a static buffer, valid until the next call. */
static const char *transformer_yaml(const char *transformers)
{
    static char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "component: {feature_transformer: LocalFeatureTransformer}\n"
             "feature_transformer:\n  config:\n    transformers: %s\n",
             transformers);
    return yaml;
}

static lp_obj *transformer_in(int slot, const char *transformers)
{
    return uw_build(slot, transformer_yaml(transformers), "feature_transformer");
}

static lp_obj *transformer(const char *transformers)
{
    return transformer_in(0, transformers);
}

static json_t *find_case(const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(expected, "cases"), i,
                       c) if (strcmp(json_string_value(json_object_get(c, "name")), name) ==
                              0) return c;
    cr_assert_fail("no fixture case %s", name);
    return NULL;
}

/* Asserts one column equals the expected JSON values (null = missing or NaN). */
static void assert_column(const char *what, const char *name, const lp_column *col,
                          const json_t *values)
{
    cr_assert_eq(col->length, json_array_size(values), "%s %s: length", what, name);
    for (size_t i = 0; i < col->length; i++) {
        const json_t *e = json_array_get(values, i);
        if (json_is_null(e)) {
            cr_assert(isnan(lp_column_get_f64(col, i)), "%s %s row %zu: expected missing", what,
                      name, i);
        } else if (json_is_string(e)) {
            size_t len;
            const char *s = lp_column_str(col, i, &len);
            cr_assert_not_null(s, "%s %s row %zu: missing, expected '%s'", what, name, i,
                               json_string_value(e));
            cr_assert(len == json_string_length(e) && memcmp(s, json_string_value(e), len) == 0,
                      "%s %s row %zu: '%.*s' != '%s'", what, name, i, (int)len, s,
                      json_string_value(e));
        } else {
            double want = json_is_boolean(e) ? json_is_true(e) : json_number_value(e);
            double got = lp_column_get_f64(col, i);
            cr_assert(fabs(got - want) <= TOLERANCE, "%s %s row %zu: %.17g != %.17g (sklearn)",
                      what, name, i, got, want);
        }
    }
}

/* Asserts frame v has exactly the expected columns, in order, with the values. */
static void assert_frame(const char *what, lp_value *v, const json_t *exp)
{
    lp_frame *f = lp_value_as_frame(v);
    cr_assert_not_null(f, "%s: not a frame", what);
    const json_t *cols = json_object_get(exp, "columns"), *data = json_object_get(exp, "data");
    cr_assert_eq(lp_frame_cols(f), json_array_size(cols), "%s: %zu columns, sklearn has %zu", what,
                 lp_frame_cols(f), json_array_size(cols));
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const char *name = json_string_value(json_array_get(cols, j));
        cr_assert_str_eq(lp_frame_name(f, j), name, "%s: column %zu", what, j);
        assert_column(what, name, lp_frame_col(f, j), json_object_get(data, name));
    }
}

static void assert_same_frame(lp_value *a, lp_value *b)
{
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(lp_value_as_frame(a), ha), 0);
    cr_assert_eq(lp_frame_hash_hex(lp_value_as_frame(b), hb), 0);
    cr_assert_str_eq(ha, hb);
}

/* Bitwise equality of every float64 column (the hash treats NaN payloads alike). */
static void assert_bitwise_equal(lp_value *a, lp_value *b)
{
    lp_frame *fa = lp_value_as_frame(a), *fb = lp_value_as_frame(b);
    cr_assert_eq(lp_frame_cols(fa), lp_frame_cols(fb));
    for (size_t j = 0; j < lp_frame_cols(fa); j++) {
        const lp_column *ca = lp_frame_col(fa, j), *cb = lp_frame_col(fb, j);
        cr_assert_eq(ca->type, cb->type);
        if (ca->type != LP_DT_FLOAT64) continue;
        for (size_t i = 0; i < ca->length; i++)
            cr_assert(lp_column_is_valid(ca, i) == lp_column_is_valid(cb, i) &&
                          (!lp_column_is_valid(ca, i) ||
                           memcmp(&ca->data.f64[i], &cb->data.f64[i], sizeof(double)) == 0),
                      "column %s row %zu differs after load", lp_frame_name(fa, j), i);
    }
    assert_same_frame(a, b);
}

/* The whole fixture case: fit on train, compare train and test outputs with
 * sklearn's, then save, load into a fresh object and compare bit for bit. */
static void run_case(const char *name)
{
    json_t *c = find_case(name);
    char *config = json_dumps(json_object_get(c, "transformers"), JSON_COMPACT);
    lp_obj *ft = transformer(config);
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0, "%s", lp_error_last()->message);
    lp_value *tr = lp_feature_transformer_transform(ft, train);
    cr_assert_not_null(tr, "%s", lp_error_last()->message);
    lp_value *te = lp_feature_transformer_transform(ft, test);
    cr_assert_not_null(te, "%s", lp_error_last()->message);
    assert_frame("train", tr, json_object_get(c, "train"));
    assert_frame("test", te, json_object_get(c, "test"));

    lp_value *bytes = lp_feature_transformer_save(ft);
    cr_assert_not_null(bytes, "%s", lp_error_last()->message);
    cr_assert_eq(lp_value_type(bytes), LP_STRING);
    lp_obj *fresh = transformer_in(1, config);
    cr_assert_eq(lp_feature_transformer_load(fresh, bytes), 0, "%s", lp_error_last()->message);
    lp_value *te2 = lp_feature_transformer_transform(fresh, test);
    cr_assert_not_null(te2, "%s", lp_error_last()->message);
    assert_bitwise_equal(te, te2);
    /* saving the loaded state gives the same bytes */
    lp_value *bytes2 = lp_feature_transformer_save(fresh);
    cr_assert_str_eq(lp_value_as_string(bytes2), lp_value_as_string(bytes));

    lp_value_unref(bytes2);
    lp_value_unref(te2);
    lp_value_unref(bytes);
    lp_value_unref(tr);
    lp_value_unref(te);
    free(config);
}

/* ---- against scikit-learn ----------------------------------------------------- */

Test(feature_transformer, onehot_matches_sklearn)
{
    run_case("onehot");
}

Test(feature_transformer, onehot_numeric_categories_match_sklearn)
{
    run_case("onehot_numeric");
}

Test(feature_transformer, onehot_max_categories_matches_sklearn)
{
    run_case("onehot_max_categories");
}

Test(feature_transformer, ordinal_matches_sklearn)
{
    run_case("ordinal");
}

Test(feature_transformer, minmax_matches_sklearn)
{
    run_case("minmax");
}

Test(feature_transformer, minmax_feature_range_matches_sklearn)
{
    run_case("minmax_range");
}

Test(feature_transformer, standard_matches_sklearn)
{
    run_case("standard");
}

Test(feature_transformer, impute_mean_matches_sklearn)
{
    run_case("impute_mean");
}

Test(feature_transformer, impute_median_matches_sklearn)
{
    run_case("impute_median");
}

Test(feature_transformer, impute_most_frequent_matches_sklearn)
{
    run_case("impute_most_frequent");
}

Test(feature_transformer, impute_constant_matches_sklearn)
{
    run_case("impute_constant");
}

Test(feature_transformer, chained_transformers_match_sklearn_pipeline)
{
    run_case("chain");
}

/* ---- behaviour ------------------------------------------------------------------ */

Test(feature_transformer, untouched_columns_are_shared_not_copied)
{
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [fare]}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0);
    lp_value *out = lp_feature_transformer_transform(ft, train);
    lp_frame *in = lp_value_as_frame(train), *o = lp_value_as_frame(out);
    cr_assert_eq(lp_frame_col_by_name(o, "sex"), lp_frame_col_by_name(in, "sex"));
    cr_assert_neq(lp_frame_col_by_name(o, "fare"), lp_frame_col_by_name(in, "fare"));
    cr_assert_eq(lp_frame_col_by_name(o, "sex")->type, LP_DT_STRING);
    lp_value_unref(out);
}

Test(feature_transformer, refit_replaces_the_state)
{
    lp_obj *ft = transformer("[{transformer: MinMaxScaler, columns: [fare]}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, test, NULL), 0);
    lp_value *a = lp_feature_transformer_transform(ft, test);
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0);
    lp_value *b = lp_feature_transformer_transform(ft, train);
    /* fare scaled on train's range, as sklearn did in the minmax case */
    const json_t *want = json_object_get(find_case("minmax"), "train");
    assert_column("refit", "fare", lp_frame_col_by_name(lp_value_as_frame(b), "fare"),
                  json_object_get(json_object_get(want, "data"), "fare"));
    lp_value_unref(a);
    lp_value_unref(b);
}

Test(feature_transformer, handle_unknown_error_names_the_category)
{
    lp_obj *ft = transformer(
        "[{transformer: OneHotEncoder, columns: [embarked], params: {handle_unknown: error}}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0);
    cr_assert_null(lp_feature_transformer_transform(ft, test));
    cr_assert(strstr(lp_error_last()->message, "column 'embarked' row 6: category 'X' was not "
                                               "seen in fit"),
              "%s", lp_error_last()->message);
}

Test(feature_transformer, empty_transformer_list_passes_everything_through)
{
    lp_obj *ft = transformer("[]");
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0);
    lp_value *out = lp_feature_transformer_transform(ft, test);
    assert_same_frame(out, test);
    lp_value_unref(out);
}

/* ---- errors ---------------------------------------------------------------------- */

static void assert_config_error(const char *transformers, const char *needle)
{
    cr_assert_neq(uw_try_build(0, transformer_yaml(transformers)), 0, "config accepted: %s",
                  transformers);
    char *msg = lp_error_format();
    cr_assert(strstr(msg, needle), "'%s' lacks '%s'", msg, needle);
    free(msg);
}

Test(feature_transformer, unknown_transformer_suggests_closest_at_its_position)
{
    assert_config_error("[{transformer: OneHotEncodr, columns: [sex]}]",
                        "t.yaml:4:34: LocalFeatureTransformer at 'feature_transformer': "
                        "LocalFeatureTransformer (feature_transformer): "
                        "transformers[0]: unknown transformer 'OneHotEncodr'; did you mean "
                        "'OneHotEncoder'?");
    assert_config_error("[{transformer: Zzz, columns: [sex]}]",
                        "unknown transformer 'Zzz' (known:");
}

Test(feature_transformer, bad_entries_are_config_errors)
{
    assert_config_error("[{transformer: SimpleImputer, columns: [age], params: {strategy: "
                        "meen}}]",
                        "transformers[0] (SimpleImputer): strategy 'meen' is not one of mean, "
                        "median, most_frequent, constant; did you mean 'mean'?");
    assert_config_error("[{transformer: OneHotEncoder, columns: [sex], params: "
                        "{max_categoris: 3}}]",
                        "unknown parameter 'max_categoris'; did you mean 'max_categories'?");
    assert_config_error("[{transformer: StandardScaler, columns: [age], params: {x: 1}}]",
                        "StandardScaler takes no parameters");
    assert_config_error("[{transformer: StandardScaler, columns: []}]",
                        "'columns' must be a non-empty list");
    assert_config_error("[{transformer: StandardScaler, columns: [age, age]}]",
                        "column 'age' is listed twice");
    assert_config_error("[{transformer: StandardScaler, colums: [age]}]",
                        "unknown key 'colums'; did you mean 'columns'?");
    assert_config_error("[{transformer: MinMaxScaler, columns: [age], params: {feature_range: "
                        "[1, 0]}}]",
                        "feature_range minimum must be below its maximum");
    assert_config_error("[{transformer: SimpleImputer, columns: [age], params: {fill_value: "
                        "0}}]",
                        "fill_value needs strategy: constant");
    assert_config_error("{a: 1}", "'transformers' must be a list");
}

Test(feature_transformer, missing_transformers_key_is_reported)
{
    cr_assert_neq(uw_try_build(0, "component: {feature_transformer: LocalFeatureTransformer}\n"),
                  0);
    char *msg = lp_error_format();
    cr_assert(strstr(msg, "transformers"), "%s", msg);
    free(msg);
}

Test(feature_transformer, unknown_column_suggests_closest)
{
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [fair]}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, train, NULL), 0);
    cr_assert(strstr(lp_error_last()->message,
                     "transformers[0] (StandardScaler): unknown column 'fair'; did you mean "
                     "'fare'?"),
              "%s", lp_error_last()->message);
}

Test(feature_transformer, column_missing_at_transform_is_named)
{
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [fare]}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, train, NULL), 0);
    lp_frame *f = NULL;
    const char *drop = "fare";
    cr_assert_eq(lp_frame_drop(&f, lp_value_as_frame(test), &drop, 1), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    cr_assert_null(lp_feature_transformer_transform(ft, v));
    cr_assert(strstr(lp_error_last()->message, "transform: unknown column 'fare'"), "%s",
              lp_error_last()->message);
    lp_value_unref(v);
}

Test(feature_transformer, strings_in_a_scaler_are_refused)
{
    lp_obj *ft = transformer("[{transformer: MinMaxScaler, columns: [sex]}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, train, NULL), 0);
    cr_assert(strstr(lp_error_last()->message,
                     "column 'sex' holds string values; MinMaxScaler needs numbers"),
              "%s", lp_error_last()->message);
    ft = transformer("[{transformer: SimpleImputer, columns: [sex], params: {strategy: "
                     "median}}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, train, NULL), 0);
    ft = transformer("[{transformer: SimpleImputer, columns: [sex], params: {strategy: "
                     "constant, fill_value: 3}}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, train, NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "holds strings but fill_value is a number"), "%s",
              lp_error_last()->message);
}

Test(feature_transformer, transform_and_save_before_fit_fail)
{
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [fare]}]");
    cr_assert_null(lp_feature_transformer_transform(ft, train));
    cr_assert(strstr(lp_error_last()->message, "transform called before fit (or load)"), "%s",
              lp_error_last()->message);
    cr_assert_null(lp_feature_transformer_save(ft));
    cr_assert(strstr(lp_error_last()->message, "save called before fit"));
}

Test(feature_transformer, non_frame_arguments_are_refused)
{
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [fare]}]");
    lp_value *s = lp_value_string("train.csv");
    cr_assert_neq(lp_feature_transformer_fit(ft, s, NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "argument 'X' must be a data frame, got string"));
    lp_value_unref(s);
}

static void assert_load_fails(lp_obj *ft, const char *data, const char *needle)
{
    lp_value *v = lp_value_string(data);
    cr_assert_neq(lp_feature_transformer_load(ft, v), 0, "loaded: %s", data);
    cr_assert(strstr(lp_error_last()->message, needle), "'%s' lacks '%s'", lp_error_last()->message,
              needle);
    lp_value_unref(v);
}

Test(feature_transformer, load_validates_the_bytes)
{
    lp_obj *ft = transformer("[]");
    assert_load_fails(ft, "not json", "load: not JSON");
    assert_load_fails(ft, "{\"format\": \"other\"}", "not a saved LocalFeatureTransformer state");
    assert_load_fails(ft,
                      "{\"format\": \"lolpop.LocalFeatureTransformer\", \"version\": 99, "
                      "\"encoders\": []}",
                      "state version 99 is not the version this lolpop reads (1)");
    assert_load_fails(ft,
                      "{\"format\": \"lolpop.LocalFeatureTransformer\", \"version\": 1, "
                      "\"encoders\": [{\"transformer\": \"Nope\", \"column\": \"a\"}]}",
                      "encoders[0]: unknown 'transformer'");
    assert_load_fails(ft,
                      "{\"format\": \"lolpop.LocalFeatureTransformer\", \"version\": 1, "
                      "\"encoders\": [{\"transformer\": \"StandardScaler\", \"column\": "
                      "\"a\", \"mean\": 1}]}",
                      "encoders[0]: 'mean' and 'scale' must be numbers");
    assert_load_fails(ft,
                      "{\"format\": \"lolpop.LocalFeatureTransformer\", \"version\": 1, "
                      "\"encoders\": [{\"transformer\": \"OrdinalEncoder\", \"column\": "
                      "\"a\", \"unknown_value\": -1, \"categories\": {\"kind\": \"string\", "
                      "\"values\": [\"b\", \"a\"], \"missing\": false}}]}",
                      "category values must be ascending strings");
    assert_load_fails(ft,
                      "{\"format\": \"lolpop.LocalFeatureTransformer\", \"version\": 1, "
                      "\"encoders\": [{\"transformer\": \"OneHotEncoder\", \"column\": "
                      "\"a\", \"handle_unknown\": \"ignore\", \"infrequent\": [5], "
                      "\"categories\": {\"kind\": \"int\", \"values\": [1, 2], \"missing\": "
                      "false}}]}",
                      "'infrequent' holds an index outside the categories");
    /* a failed load leaves the object unfitted */
    cr_assert_null(lp_feature_transformer_transform(ft, train));
}

Test(feature_transformer, all_missing_column_is_refused_or_kept_missing)
{
    lp_frame *f = NULL;
    const char *csv = "a,s,k\n,,1\n,,2\n,,3\n";
    lp_csv_type_override ov[] = {{"s", LP_DT_STRING}};
    lp_csv_options o = {.overrides = ov, .n_overrides = 1};
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "m.csv", &o), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    /* nothing to learn a scale or a fill value from: an error naming the column */
    lp_obj *ft = transformer("[{transformer: StandardScaler, columns: [a]}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, v, NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "column 'a' has no non-missing values"), "%s",
              lp_error_last()->message);
    ft = transformer("[{transformer: SimpleImputer, columns: [s], params: {strategy: "
                     "most_frequent}}]");
    cr_assert_neq(lp_feature_transformer_fit(ft, v, NULL), 0);
    /* encoders: missing stays missing (ordinal), or is its own category (one-hot, as sklearn) */
    ft = transformer("[{transformer: OrdinalEncoder, columns: [s]}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, v, NULL), 0);
    lp_value *out = lp_feature_transformer_transform(ft, v);
    cr_assert_not_null(out);
    cr_assert_eq(lp_frame_col_by_name(lp_value_as_frame(out), "s")->null_count, 3);
    lp_value_unref(out);
    ft = transformer("[{transformer: OneHotEncoder, columns: [s]}]");
    cr_assert_eq(lp_feature_transformer_fit(ft, v, NULL), 0);
    out = lp_feature_transformer_transform(ft, v);
    cr_assert_not_null(out);
    lp_column *c = lp_frame_col_by_name(lp_value_as_frame(out), "s_nan");
    cr_assert_not_null(c);
    cr_assert_eq(lp_column_get_f64(c, 2), 1.0);
    lp_value_unref(out);
    lp_value_unref(v);
}
