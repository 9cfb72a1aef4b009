/*
 * test_splitter.c — LocalDataSplitter through the dispatcher: exact split
 * sizes (2 and 3 parts), determinism per seed, every row exactly once,
 * stratified proportions (synthetic classes and the Titanic data), time
 * ordering, dropped columns and index, and every error message.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/frame_origin.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/frame_io.h"
#include "lolpop/objstore.h"
#include "store/value_codec.h"
#include "lolpop/types/data_splitter.h"
#include "unit_workflow.h"

TestSuite(splitter, .init = uw_setup, .fini = uw_teardown);

/* ---- helpers ------------------------------------------------------------------ */

/* A LocalDataSplitter in workflow `slot` with `config` (YAML flow map body). */
static lp_obj *splitter_in(int slot, const char *config)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_splitter: LocalDataSplitter}\n"
             "data_splitter:\n  config: {%s}\n",
             config);
    return uw_build(slot, yaml, "data_splitter");
}

static lp_obj *splitter(const char *config)
{
    return splitter_in(0, config);
}

static const char *const class_names[] = {"a", "b", "c"};

/* n rows: id (0..n-1), x (float), cls (a 60%, b 30%, c 10%), t (a
 * permutation of 0..n-1 when gcd(37, n) = 1), label (= cls). */
static lp_value *make_frame(size_t n)
{
    lp_frame *f = lp_frame_new();
    lp_column *id = lp_column_new(LP_DT_INT64, n), *x = lp_column_new(LP_DT_FLOAT64, n);
    lp_column *t = lp_column_new(LP_DT_INT64, n);
    lp_column_builder *cls = lp_column_builder_new(LP_DT_STRING, n);
    lp_column_builder *label = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++) {
        id->data.i64[i] = (int64_t)i;
        x->data.f64[i] = (double)i * 0.5;
        t->data.i64[i] = (int64_t)((i * 37) % n);
        const char *c = class_names[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2];
        lp_column_builder_append_str(cls, c, 1);
        lp_column_builder_append_str(label, c, 1);
    }
    cr_assert_eq(lp_frame_add_column(f, "id", id), 0);
    cr_assert_eq(lp_frame_add_column(f, "x", x), 0);
    cr_assert_eq(lp_frame_add_column(f, "cls", lp_column_builder_finish(cls)), 0);
    cr_assert_eq(lp_frame_add_column(f, "t", t), 0);
    cr_assert_eq(lp_frame_add_column(f, "label", lp_column_builder_finish(label)), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_value *split(lp_obj *s, lp_value *frame)
{
    lp_value *r = lp_data_splitter_split_data(s, frame);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    return r;
}

static lp_frame *part(lp_value *r, const char *key)
{
    lp_frame *f = lp_value_as_frame(lp_map_get(r, key));
    cr_assert_not_null(f, "no frame %s", key);
    return f;
}

static size_t rows_of(lp_value *r, const char *key)
{
    return lp_frame_rows(part(r, key));
}

/* The ids (from column `col` of the split's frame) in order, as one string. */
static char *ids(lp_value *r, const char *key, const char *col)
{
    lp_frame *f = part(r, key);
    lp_column *c = lp_frame_col_by_name(f, col);
    cr_assert_not_null(c, "%s has no column %s", key, col);
    size_t cap = lp_frame_rows(f) * 21 + 1, len = 0;
    char *s = calloc(cap, 1);
    for (size_t i = 0; i < lp_frame_rows(f); i++)
        len += (size_t)snprintf(s + len, cap - len, "%lld,", (long long)c->data.i64[i]);
    return s;
}

/* ---- sizes ------------------------------------------------------------------------ */

Test(splitter, default_ratio_gives_exact_counts)
{
    lp_obj *s = splitter("model_target: label");
    lp_value *f = make_frame(10), *r = split(s, f);
    cr_assert_eq(lp_map_len(r), 4);
    cr_assert_eq(rows_of(r, "X_train"), 8);
    cr_assert_eq(rows_of(r, "y_train"), 8);
    cr_assert_eq(rows_of(r, "X_valid"), 2);
    cr_assert_eq(rows_of(r, "y_valid"), 2);
    cr_assert_null(lp_map_get(r, "X_test"));
    lp_value_unref(r);
    lp_value_unref(f);
}

Test(splitter, three_parts_use_largest_remainder)
{
    lp_obj *s = splitter("model_target: label, split_ratio: [0.7, 0.15, 0.15]");
    /* 891 rows: 623.7 / 133.65 / 133.65 → 623 + 1, 133 + 1, 133 */
    lp_value *f = make_frame(891), *r = split(s, f);
    cr_assert_eq(lp_map_len(r), 6);
    cr_assert_eq(rows_of(r, "X_train"), 624);
    cr_assert_eq(rows_of(r, "X_valid"), 134);
    cr_assert_eq(rows_of(r, "X_test"), 133);
    cr_assert_eq(rows_of(r, "y_test"), 133);
    lp_value_unref(r);
    lp_value_unref(f);
    /* 7 rows at 0.5 / 0.5: the tie goes to train */
    s = splitter("model_target: label, split_ratio: [0.5, 0.5]");
    f = make_frame(7);
    r = split(s, f);
    cr_assert_eq(rows_of(r, "X_train"), 4);
    cr_assert_eq(rows_of(r, "X_valid"), 3);
    lp_value_unref(r);
    lp_value_unref(f);
}

Test(splitter, every_row_lands_in_exactly_one_split)
{
    lp_obj *s = splitter("model_target: label, split_ratio: [0.6, 0.3, 0.1], seed: 9, "
                         "drop_columns: [x]");
    lp_value *f = make_frame(203), *r = split(s, f);
    int seen[203] = {0};
    const char *keys[] = {"X_train", "X_valid", "X_test"};
    for (int k = 0; k < 3; k++) {
        lp_column *id = lp_frame_col_by_name(part(r, keys[k]), "id");
        for (size_t i = 0; i < id->length; i++)
            seen[id->data.i64[i]]++;
    }
    for (int i = 0; i < 203; i++)
        cr_assert_eq(seen[i], 1, "row %d seen %d times", i, seen[i]);
    lp_value_unref(r);
    lp_value_unref(f);
}

/* ---- determinism -------------------------------------------------------------------- */

Test(splitter, same_seed_same_split_other_seed_differs)
{
    lp_value *f = make_frame(100);
    lp_obj *a = splitter_in(0, "model_target: label, seed: 42");
    lp_obj *b = splitter_in(1, "model_target: label, seed: 42");
    lp_value *ra = split(a, f), *rb = split(b, f), *ra2 = split(a, f);
    char *ia = ids(ra, "X_train", "id"), *ib = ids(rb, "X_train", "id");
    char *ia2 = ids(ra2, "X_train", "id");
    cr_assert_str_eq(ia, ib);
    cr_assert_str_eq(ia, ia2);
    /* y rows follow X rows: label of row id is class_names[...] */
    lp_column *id = lp_frame_col_by_name(part(ra, "X_valid"), "id");
    lp_column *y = lp_frame_col(part(ra, "y_valid"), 0);
    for (size_t i = 0; i < id->length; i++) {
        size_t len, k = (size_t)id->data.i64[i] % 10;
        cr_assert_eq(lp_column_str(y, i, &len)[0], class_names[k < 6 ? 0 : k < 9 ? 1 : 2][0]);
    }
    lp_obj *c = splitter_in(1, "model_target: label, seed: 43");
    lp_value *rc = split(c, f);
    char *ic = ids(rc, "X_train", "id");
    cr_assert_str_neq(ia, ic);
    /* the shuffle is real: train is not simply the first 80 rows */
    char *first = calloc(1024, 1);
    for (int i = 0, len = 0; i < 80; i++)
        len += snprintf(first + len, 1024 - (size_t)len, "%d,", i);
    cr_assert_str_neq(ia, first);
    free(first);
    free(ia);
    free(ib);
    free(ia2);
    free(ic);
    lp_value_unref(ra);
    lp_value_unref(ra2);
    lp_value_unref(rb);
    lp_value_unref(rc);
    lp_value_unref(f);
}

Test(splitter, seed_zero_is_the_default)
{
    lp_value *f = make_frame(50);
    lp_value *ra = split(splitter_in(0, "model_target: label"), f);
    lp_value *rb = split(splitter_in(1, "model_target: label, seed: 0"), f);
    char *ia = ids(ra, "X_valid", "id"), *ib = ids(rb, "X_valid", "id");
    cr_assert_str_eq(ia, ib);
    free(ia);
    free(ib);
    lp_value_unref(ra);
    lp_value_unref(rb);
    lp_value_unref(f);
}

/* ---- stratification ----------------------------------------------------------------- */

/* Asserts each class's count in every split is within one row of n_c * ratio. */
static void assert_stratified(lp_value *r, const char *target, const double *ratio, size_t parts)
{
    const char *keys[] = {"y_train", "y_valid", "y_test"};
    /* class totals over all splits */
    char names[16][32];
    size_t counts[16][3] = {{0}}, n_classes = 0;
    for (size_t p = 0; p < parts; p++) {
        lp_frame *y = part(r, keys[p]);
        cr_assert_eq(lp_frame_cols(y), 1);
        cr_assert_str_eq(lp_frame_name(y, 0), target);
        lp_column *c = lp_frame_col(y, 0);
        for (size_t i = 0; i < c->length; i++) {
            char v[32];
            size_t len;
            const char *s = lp_column_str(c, i, &len);
            if (s)
                snprintf(v, sizeof v, "%.*s", (int)len, s);
            else
                snprintf(v, sizeof v, "%g", lp_column_get_f64(c, i));
            size_t k = 0;
            while (k < n_classes && strcmp(names[k], v) != 0)
                k++;
            if (k == n_classes) strcpy(names[n_classes++], v);
            counts[k][p]++;
        }
    }
    cr_assert_gt(n_classes, 1);
    for (size_t k = 0; k < n_classes; k++) {
        size_t total = 0;
        for (size_t p = 0; p < parts; p++)
            total += counts[k][p];
        for (size_t p = 0; p < parts; p++) {
            double exact = (double)total * ratio[p];
            cr_assert_lt(fabs((double)counts[k][p] - exact), 1.0,
                         "class %s split %zu: %zu rows, exact share %.3f", names[k], p,
                         counts[k][p], exact);
        }
    }
}

Test(splitter, stratified_keeps_class_proportions)
{
    lp_obj *s = splitter("model_target: label, split_type: stratified, "
                         "split_ratio: [0.7, 0.2, 0.1], seed: 5");
    lp_value *f = make_frame(203), *r = split(s, f);
    double ratio[] = {0.7, 0.2, 0.1};
    assert_stratified(r, "label", ratio, 3);
    lp_value_unref(r);
    lp_value_unref(f);
}

Test(splitter, stratified_on_titanic_survival)
{
    lp_frame *t = NULL;
    cr_assert_eq(lp_csv_read(&t, LP_FIXTURES_DIR "/features/titanic.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *f = lp_value_frame(t);
    lp_frame_unref(t);
    lp_obj *s = splitter("model_target: survived, split_type: stratified, "
                         "split_ratio: [0.8, 0.2], seed: 1, drop_columns: [alive]");
    lp_value *r = split(s, f);
    double ratio[] = {0.8, 0.2};
    assert_stratified(r, "survived", ratio, 2);
    /* 549 died, 342 survived: 439.2 / 109.8 and 273.6 / 68.4 */
    cr_assert_eq(rows_of(r, "X_train"), 439 + 274);
    cr_assert_eq(rows_of(r, "X_valid"), 110 + 68);
    cr_assert_lt(lp_frame_find(part(r, "X_train"), "alive"), 0); /* dropped: it leaks */
    cr_assert_geq(lp_frame_find(part(r, "X_train"), "sex"), 0);
    lp_value_unref(r);
    lp_value_unref(f);
}

/* ---- time ----------------------------------------------------------------------------- */

Test(splitter, time_split_orders_by_time_index)
{
    lp_obj *s = splitter("model_target: label, split_type: time, time_index: t, "
                         "split_ratio: [0.5, 0.3, 0.2]");
    lp_value *f = make_frame(101), *r = split(s, f);
    const char *keys[] = {"X_train", "X_valid", "X_test"};
    int64_t prev = -1;
    for (int k = 0; k < 3; k++) {
        lp_column *t = lp_frame_col_by_name(part(r, keys[k]), "t");
        for (size_t i = 0; i < t->length; i++) {
            cr_assert_gt(t->data.i64[i], prev, "split %d row %zu out of time order", k, i);
            prev = t->data.i64[i];
        }
    }
    cr_assert_eq(rows_of(r, "X_train"), 51); /* 50.5 / 30.3 / 20.2 → 50 + 1, 30, 20 */
    cr_assert_eq(rows_of(r, "X_valid"), 30);
    lp_value_unref(r);
    lp_value_unref(f);
}

/* ---- columns ---------------------------------------------------------------------------- */

Test(splitter, target_index_and_drop_columns_leave_x)
{
    lp_obj *s = splitter("model_target: label, model_index: id, drop_columns: [cls]");
    lp_value *f = make_frame(20), *r = split(s, f);
    lp_frame *x = part(r, "X_train"), *y = part(r, "y_valid");
    cr_assert_eq(lp_frame_cols(x), 2);
    cr_assert_str_eq(lp_frame_name(x, 0), "x");
    cr_assert_str_eq(lp_frame_name(x, 1), "t");
    cr_assert_eq(lp_frame_cols(y), 1);
    cr_assert_str_eq(lp_frame_name(y, 0), "label");
    lp_value_unref(r);
    lp_value_unref(f);
}

Test(splitter, model_target_is_inherited_from_the_runner)
{
    lp_obj *s = uw_build(0,
                         "config: {model_target: label, model_index: id}\n"
                         "component: {data_splitter: LocalDataSplitter}\n",
                         "data_splitter");
    lp_value *f = make_frame(20), *r = split(s, f);
    cr_assert_str_eq(lp_frame_name(part(r, "y_train"), 0), "label");
    cr_assert_lt(lp_frame_find(part(r, "X_train"), "id"), 0);
    lp_value_unref(r);
    lp_value_unref(f);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void assert_split_error(const char *config, lp_value *f, const char *needle)
{
    lp_obj *s = splitter(config);
    cr_assert_null(lp_data_splitter_split_data(s, f), "split accepted: %s", config);
    cr_assert(strstr(lp_error_last()->message, needle), "'%s' lacks '%s'", lp_error_last()->message,
              needle);
}

static void assert_config_error(const char *config, const char *needle)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_splitter: LocalDataSplitter}\n"
             "data_splitter:\n  config: {%s}\n",
             config);
    cr_assert_neq(uw_try_build(0, yaml), 0, "config accepted: %s", config);
    char *msg = lp_error_format();
    cr_assert(strstr(msg, needle), "'%s' lacks '%s'", msg, needle);
    free(msg);
}

Test(splitter, frame_errors_name_the_problem)
{
    lp_value *f = make_frame(20);
    assert_split_error("model_target: lable", f,
                       "LocalDataSplitter (data_splitter): model_target column 'lable' (did you "
                       "mean 'label'?) is not in the frame");
    assert_split_error("model_target: label, model_index: idx", f,
                       "model_index column 'idx' (did you mean 'id'?) is not in the frame");
    assert_split_error("model_target: label, drop_columns: [x, clss, zzzzzz]", f,
                       "drop_columns names columns not in the frame: 'clss' (did you mean "
                       "'cls'?), 'zzzzzz'");
    assert_split_error("model_target: label, split_type: time, time_index: tt", f,
                       "time_index column 'tt' (did you mean 't'?) is not in the frame");
    lp_value_unref(f);
    f = make_frame(2);
    assert_split_error("model_target: label, split_ratio: [0.4, 0.3, 0.3]", f,
                       "2 rows cannot make 3 splits");
    lp_value_unref(f);
    f = make_frame(3);
    assert_split_error("model_target: label, split_ratio: [0.9, 0.05, 0.05]", f,
                       "split_ratio leaves the valid split empty with 3 rows");
    lp_value_unref(f);
    lp_value *s = lp_value_string("data.csv");
    assert_split_error("model_target: label", s,
                       "argument 'frame' must be a data frame, got string");
    lp_value_unref(s);
}

Test(splitter, missing_target_values_are_counted)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_FLOAT64, 5);
    lp_column_builder_append_f64(b, 1);
    lp_column_builder_append_null(b);
    lp_column_builder_append_f64(b, 0);
    lp_column_builder_append_null(b);
    lp_column_builder_append_f64(b, NAN);
    cr_assert_eq(lp_frame_add_column(f, "y", lp_column_builder_finish(b)), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    assert_split_error("model_target: y", v, "model_target 'y' has 3 missing values");
    lp_value_unref(v);
}

Test(splitter, tiny_class_cannot_be_stratified)
{
    lp_value *f = make_frame(30); /* class c has 3 rows */
    assert_split_error("model_target: label, split_type: stratified, "
                       "split_ratio: [0.8, 0.1, 0.1]",
                       f, "class 'c' of model_target 'label' has 3 rows, too few to stratify");
    lp_value_unref(f);
}

/* A random split that leaves a class out of training cannot be scored: said
 * before training, suggesting stratified when every class could be in every
 * split (1000 classes in a random split once failed metric by metric). */
Test(splitter, a_class_missing_from_training_is_an_error_before_training)
{
    /* 8 rows of 'a' then 2 of 'z': a time split trains on the first 8 */
    lp_frame *g = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 10);
    lp_column *t = lp_column_new(LP_DT_INT64, 10);
    for (int i = 0; i < 10; i++) {
        lp_column_builder_append_str(b, i < 8 ? "a" : "z", 1);
        t->data.i64[i] = i;
    }
    cr_assert_eq(lp_frame_add_column(g, "label", lp_column_builder_finish(b)), 0);
    cr_assert_eq(lp_frame_add_column(g, "t", t), 0);
    lp_value *v = lp_value_frame(g);
    lp_frame_unref(g);
    assert_split_error("model_target: label, split_type: time, time_index: t", v,
                       "the time split left 1 of the 2 classes of model_target 'label' out of "
                       "training (first: 'z')");
    cr_assert(strstr(lp_error_last()->message, "use split_type: stratified"), "%s",
              lp_error_last()->message);
    /* a numeric target without problem_type is the trainer's to judge */
    lp_obj *s = splitter_in(1, "model_target: t, split_type: time, time_index: t");
    lp_value *r = lp_data_splitter_split_data(s, v);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(r);
    lp_value_unref(v);
}

Test(splitter, config_errors_are_reported_at_init)
{
    assert_config_error("split_ratio: [0.8, 0.2]",
                        "LocalDataSplitter at 'data_splitter' requires config 'model_target'");
    assert_config_error("model_target: y, split_ratio: [0.8, 0.3]",
                        "split_ratio must sum to 1 (it sums to 1.1");
    assert_config_error("model_target: y, split_ratio: [1]",
                        "split_ratio must be a list of 2 or 3 numbers");
    assert_config_error("model_target: y, split_ratio: [0.5, 0.25, 0.125, 0.125]",
                        "split_ratio must be a list of 2 or 3 numbers");
    assert_config_error("model_target: y, split_ratio: [0, 1]",
                        "split_ratio entries must be numbers between 0 and 1");
    assert_config_error("model_target: y, split_type: stratifed",
                        "split_type 'stratifed' is not one of random, stratified, time; did you "
                        "mean 'stratified'?");
    assert_config_error("model_target: y, split_type: time", "split_type time needs time_index");
    assert_config_error("model_target: y, seed: -1", "seed must be a non-negative integer");
    assert_config_error("model_target: y, drop_columns: x",
                        "t.yaml:3:43: config 'drop_columns' must be a list, got string");
    assert_config_error("model_target: y, drop_columns: [[x]]",
                        "drop_columns must be a list of column names");
}

/* ---- step recording: a split is stored as rows of the frame it split -------------- */

static size_t count_objects(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "find '%s/objects' -type f | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    cr_assert_eq(fscanf(p, "%zu", &n), 1);
    pclose(p);
    return n;
}

static void assert_same_frame(const lp_frame *a, const lp_frame *b, const char *what)
{
    uint8_t *x, *y;
    size_t nx, ny;
    cr_assert_eq(lp_frame_serialize(a, &x, &nx), 0);
    cr_assert_eq(lp_frame_serialize(b, &y, &ny), 0);
    cr_assert(nx == ny && memcmp(x, y, nx) == 0, "%s differs after the round trip", what);
    free(x);
    free(y);
}

Test(splitter, recorded_splits_are_row_lists_over_the_stored_parent)
{
    const char *dir = uw_tmpdir("split-codec", false);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, dir), 0, "%s", lp_error_last()->message);
    lp_obj *s = splitter("model_target: label, model_index: id, drop_columns: [t], "
                         "split_ratio: [0.6, 0.2, 0.2], split_type: stratified, seed: 3");
    lp_value *f = make_frame(500), *r = split(s, f);
    static const char *const keys[] = {"X_train", "y_train", "X_valid",
                                       "y_valid", "X_test",  "y_test"};
    for (size_t k = 0; k < 6; k++)
        cr_assert_not_null(lp_frame_origin_of(part(r, keys[k])), "%s has no origin", keys[k]);
    uint8_t *enc = NULL;
    size_t len = 0;
    cr_assert_eq(lp_value_encode(os, r, &enc, &len), 0, "%s", lp_error_last()->message);
    char *text = strndup((const char *)enc, len);
    cr_assert(strstr(text, "\"$rows\"") && !strstr(text, "\"$frame\""), "%s", text);
    cr_assert(strstr(text, "\"columns\":[\"x\",\"cls\"]"), "%s", text);
    /* the parent and one row list per part: no split frame of its own */
    cr_assert_eq(count_objects(dir), 4);
    lp_value *back = NULL;
    cr_assert_eq(lp_value_decode(os, uw_registry(), enc, len, &back), 0, "%s",
                 lp_error_last()->message);
    for (size_t k = 0; k < 6; k++)
        assert_same_frame(part(r, keys[k]), part(back, keys[k]), keys[k]);
    /* decoded splits remember their origin: recording them again stores nothing new */
    uint8_t *again = NULL;
    size_t again_len = 0;
    cr_assert_eq(lp_value_encode(os, back, &again, &again_len), 0, "%s", lp_error_last()->message);
    cr_assert(again_len == len && memcmp(again, enc, len) == 0, "%.*s", (int)again_len, again);
    cr_assert_eq(count_objects(dir), 4);
    free(again);
    free(text);
    free(enc);
    lp_value_unref(back);
    lp_value_unref(r);
    lp_value_unref(f);
    lp_objstore_close(os);
}

Test(splitter, splits_recorded_whole_by_earlier_versions_still_read)
{
    /* what main's step recording wrote: each split frame as its own object */
    const char *dir = uw_tmpdir("split-old", false);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, dir), 0, "%s", lp_error_last()->message);
    lp_obj *s = splitter("model_target: label, seed: 7");
    lp_value *f = make_frame(50), *r = split(s, f);
    char hex[2][65];
    static const char *const keys[] = {"X_train", "y_valid"};
    for (int k = 0; k < 2; k++) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        cr_assert_eq(lp_frame_serialize(part(r, keys[k]), &bytes, &n), 0);
        cr_assert_eq(lp_objstore_put(os, bytes, n, hex[k]), 0);
        free(bytes);
    }
    char text[512];
    snprintf(text, sizeof text,
             "{\"format\":\"lpvalue1\",\"value\":{\"X_train\":{\"$frame\":\"%s\"},"
             "\"y_valid\":{\"$frame\":\"%s\"}}}",
             hex[0], hex[1]);
    lp_value *back = NULL;
    cr_assert_eq(lp_value_decode(os, uw_registry(), (const uint8_t *)text, strlen(text), &back), 0,
                 "%s", lp_error_last()->message);
    for (int k = 0; k < 2; k++)
        assert_same_frame(part(r, keys[k]), part(back, keys[k]), keys[k]);
    lp_value_unref(back);
    lp_value_unref(r);
    lp_value_unref(f);
    lp_objstore_close(os);
}

Test(splitter, a_damaged_row_list_is_an_error_never_a_frame)
{
    const char *dir = uw_tmpdir("split-bad", false);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, dir), 0, "%s", lp_error_last()->message);
    lp_obj *s = splitter("model_target: label");
    lp_value *f = make_frame(20), *r = split(s, f);
    uint8_t *enc = NULL;
    size_t len = 0;
    cr_assert_eq(lp_value_encode(os, r, &enc, &len), 0, "%s", lp_error_last()->message);
    const char *of = strstr((const char *)enc, "\"of\":\"") + 6;
    char text[512];
    /* a row list whose rows are out of the parent's range */
    uint8_t rows[4] = {0xff, 0xff, 0, 0};
    char bad[65];
    cr_assert_eq(lp_objstore_put(os, rows, sizeof rows, bad), 0);
    snprintf(text, sizeof text,
             "{\"format\":\"lpvalue1\",\"value\":{\"$rows\":{\"of\":\"%.64s\",\"rows\":\"%s\","
             "\"columns\":[\"x\"]}}}",
             of, bad);
    lp_value *back = NULL;
    cr_assert_eq(lp_value_decode(os, uw_registry(), (const uint8_t *)text, strlen(text), &back),
                 LP_EINVAL);
    cr_assert_null(back);
    cr_assert(strstr(lp_error_last()->message, "out of range"), "%s", lp_error_last()->message);
    /* a column the parent does not have */
    snprintf(text, sizeof text,
             "{\"format\":\"lpvalue1\",\"value\":{\"$rows\":{\"of\":\"%.64s\",\"rows\":\"%s\","
             "\"columns\":[\"nope\"]}}}",
             of, bad);
    cr_assert_neq(lp_value_decode(os, uw_registry(), (const uint8_t *)text, strlen(text), &back),
                  0);
    cr_assert_null(back);
    free(enc);
    lp_value_unref(r);
    lp_value_unref(f);
    lp_objstore_close(os);
}
