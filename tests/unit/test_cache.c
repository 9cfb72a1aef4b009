/*
 * test_cache.c — result caching (SPEC §7): the keys of calls (what changes
 * them and what does not), the value codec's round trips and its refusal of
 * damaged input, the local cache and LocalCacheManager over a real store in
 * a temporary working directory, and the store's schema migration.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/frame_internal.h"
#include "data/frame_origin.h"
#include "runs/cache_key.h"
#include "runs/local_cache.h"
#include "lolpop.h"
#include "lolpop/types/cache_manager.h"
#include "store/store.h"
#include "store/value_codec.h"

static char tmp[64];
static char old_cwd[4096];
static lp_registry *reg;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    cr_assert_not_null(getcwd(old_cwd, sizeof old_cwd));
    snprintf(tmp, sizeof tmp, "/tmp/lolpop-cache-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    cr_assert_eq(chdir(tmp), 0);
    write_text("q.sql", "SELECT * FROM source\n");
    write_text("train.csv", "id,x,y\n1,0.5,a\n2,1.5,b\n");
    reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
}

static void teardown(void)
{
    lp_registry_free(reg);
    cr_assert_eq(chdir(old_cwd), 0);
    nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- values used by several tests ---------------------------------------------------- */

/* x: float64 with a missing value, s: string, c: category, n: int64. */
static lp_frame *sample_frame(double x0)
{
    lp_column_builder *x = lp_column_builder_new(LP_DT_FLOAT64, 3);
    lp_column_builder_append_f64(x, x0);
    lp_column_builder_append_null(x);
    lp_column_builder_append_f64(x, -2.25);
    lp_column_builder *s = lp_column_builder_new(LP_DT_STRING, 3);
    lp_column_builder_append_str(s, "a,b", 3);
    lp_column_builder_append_str(s, "\xc3\xa9t\xc3\xa9", 5);
    lp_column_builder_append_null(s);
    lp_column_builder *n = lp_column_builder_new(LP_DT_INT64, 3);
    for (int i = 0; i < 3; i++)
        lp_column_builder_append_i64(n, INT64_MAX - i);
    lp_column *scol = lp_column_builder_finish(s), *cat = NULL;
    cr_assert_eq(lp_column_cast(&cat, scol, LP_DT_CATEGORY), 0, "%s", lp_error_last()->message);
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "x", lp_column_builder_finish(x)), 0);
    cr_assert_eq(lp_frame_add_column(f, "s", scol), 0);
    cr_assert_eq(lp_frame_add_column(f, "c", cat), 0);
    cr_assert_eq(lp_frame_add_column(f, "n", lp_column_builder_finish(n)), 0);
    return f;
}

static lp_value *frame_value(double x0)
{
    lp_frame *f = sample_frame(x0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_model *fixture_model(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model/v1_logistic.lpmodel", LP_FIXTURES_DIR);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, reg, buf, len), 0, "%s", lp_error_last()->message);
    return m;
}

/* ---- keys -------------------------------------------------------------------------- */

TestSuite(cache_key, .init = setup, .fini = teardown, .timeout = 60);

/* A workflow from the base configuration with three variable parts. */
static lp_workflow *build(const char *root_cfg, const char *train_cfg, const char *trainer_params,
                          lp_value **doc)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
             "predict: OfflinePredict}\n"
             "component: {resource_version_control: LocalResourceVersionControl, "
             "metrics_tracker: LocalMetricsTracker, logger: StdOutLogger}\n"
             "logger: {config: {log_level: ERROR}}\n"
             "config: {train_data: train.csv, eval_data: eval.csv, model_index: id%s}\n"
             "process: {component: {data_transformer: SQLDataTransformer}, data_transformer: "
             "{config: {sql_file: q.sql}}}\n"
             "train:\n"
             "  component: {data_splitter: LocalDataSplitter, model_trainer: XGBoostModelTrainer}\n"
             "  config: {perf_metric: f1%s}\n"
             "  model_trainer: {config: {training_params: {%s}}}\n",
             root_cfg, train_cfg, trainer_params);
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(doc, yaml, strlen(yaml), "t.yaml", &d), 0);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_new(&wf, reg, *doc, "ClassificationRunner", 0, &d);
    cr_assert_eq(rc, 0, "%s", d.len ? d.items[0].message : lp_error_last()->message);
    lp_diags_clear(&d);
    return wf;
}

typedef struct keys {
    char transform[65], train[65];
} keys;

/* Keys of process.transform_data(source) and train.train_model(splits, dataset_version). */
static keys keys_of(const char *root_cfg, const char *train_cfg, const char *params)
{
    lp_value *doc = NULL;
    lp_workflow *wf = build(root_cfg, train_cfg, params, &doc);
    lp_obj *root = lp_workflow_root(wf);
    lp_value *a1 = lp_map_put(lp_value_map(), "source", lp_value_string("train.csv"));
    lp_value *splits = lp_map_put(lp_value_map(), "X_train", frame_value(1.0));
    lp_value *dv = lp_map_put(lp_map_put(lp_value_map(), "id", lp_value_int(3)), "uri",
                              lp_value_string("dataset/d/v1"));
    lp_value *a2 = lp_map_put(lp_map_put(lp_value_map(), "splits", splits), "dataset_version", dv);
    keys k;
    cr_assert_eq(
        lp_cache_key(NULL, lp_obj_pipeline(root, "process"), "transform_data", a1, k.transform), 0,
        "%s", lp_error_last()->message);
    cr_assert_eq(lp_cache_key(NULL, lp_obj_pipeline(root, "train"), "train_model", a2, k.train), 0,
                 "%s", lp_error_last()->message);
    cr_assert_eq(strlen(k.train), 64);
    lp_value_unref(a1);
    lp_value_unref(a2);
    lp_workflow_free(wf);
    lp_value_unref(doc);
    return k;
}

#define BASE_ROOT   ", prediction_data: p.csv, model_target: y"
#define BASE_PARAMS "max_depth: 3, eta: 0.3"

Test(cache_key, the_same_configuration_and_arguments_give_the_same_key)
{
    keys a = keys_of(BASE_ROOT, "", BASE_PARAMS), b = keys_of(BASE_ROOT, "", BASE_PARAMS);
    cr_assert_str_eq(a.transform, b.transform);
    cr_assert_str_eq(a.train, b.train);
    cr_assert_str_neq(a.transform, a.train);
}

Test(cache_key, a_trainer_parameter_changes_train_but_not_process)
{
    keys a = keys_of(BASE_ROOT, "", BASE_PARAMS),
         b = keys_of(BASE_ROOT, "", "max_depth: 4, eta: 0.3");
    cr_assert_str_eq(a.transform, b.transform);
    cr_assert_str_neq(a.train, b.train);
}

Test(cache_key, log_level_and_the_runners_data_locations_do_not_count)
{
    keys a = keys_of(BASE_ROOT, "", BASE_PARAMS);
    keys b = keys_of(BASE_ROOT ", log_level: DEBUG", ", log_level: TRACE", BASE_PARAMS);
    cr_assert_str_eq(a.transform, b.transform);
    cr_assert_str_eq(a.train, b.train);
    /* the runner hands prediction_data to save_predictions as an argument */
    keys c = keys_of(", prediction_data: elsewhere.csv, model_target: y", "", BASE_PARAMS);
    cr_assert_str_eq(a.train, c.train);
    cr_assert_str_eq(a.transform, c.transform);
}

Test(cache_key, an_inherited_setting_counts)
{
    keys a = keys_of(BASE_ROOT, "", BASE_PARAMS),
         b = keys_of(", prediction_data: p.csv, model_target: x", "", BASE_PARAMS);
    cr_assert_str_neq(a.train, b.train);
    cr_assert_str_neq(a.transform, b.transform);
    keys c = keys_of(BASE_ROOT, ", retrain_all: true", BASE_PARAMS);
    cr_assert_str_eq(a.transform, c.transform);
    cr_assert_str_neq(a.train, c.train);
}

Test(cache_key, integral_floats_and_ints_are_one_setting)
{
    keys a = keys_of(BASE_ROOT, "", "max_depth: 3, eta: 1"),
         b = keys_of(BASE_ROOT, "", "eta: 1.0, max_depth: 3.0");
    cr_assert_str_eq(a.train, b.train);
}

Test(cache_key, a_file_named_in_config_counts_by_content)
{
    keys a = keys_of(BASE_ROOT, "", BASE_PARAMS);
    write_text("q.sql", "SELECT *, 1 AS one FROM source\n");
    keys b = keys_of(BASE_ROOT, "", BASE_PARAMS);
    cr_assert_str_neq(a.transform, b.transform);
    cr_assert_str_eq(a.train, b.train);
    write_text("q.sql", "SELECT * FROM source\n"); /* the old content: the old key */
    keys c = keys_of(BASE_ROOT, "", BASE_PARAMS);
    cr_assert_str_eq(a.transform, c.transform);
}

Test(cache_key, a_file_named_by_an_argument_counts_by_content)
{
    lp_cache_keyer *k = lp_cache_keyer_new(NULL);
    lp_value *args = lp_map_put(lp_value_map(), "source", lp_value_string("train.csv"));
    uint8_t h1[32], h2[32], h3[32];
    cr_assert_eq(lp_cache_value_hash(k, args, h1), 0);
    write_text("train.csv", "id,x,y\n1,0.5,a\n2,1.5,c\n");
    cr_assert_eq(lp_cache_value_hash(k, args, h2), 0);
    cr_assert_neq(memcmp(h1, h2, 32), 0, "new data under the same path must change the key");
    write_text("train.csv", "id,x,y\n1,0.5,a\n2,1.5,b\n");
    cr_assert_eq(lp_cache_value_hash(k, args, h3), 0);
    cr_assert_eq(memcmp(h1, h3, 32), 0);
    lp_value_unref(args);
    lp_cache_keyer_free(k);
}

Test(cache_key, argument_contents_decide_not_their_layout)
{
    uint8_t a[32], b[32];
    /* key order and case, ints vs integral floats */
    lp_value *m1 = lp_map_put(lp_map_put(lp_value_map(), "Alpha", lp_value_int(2)), "beta",
                              lp_value_float(0.5));
    lp_value *m2 = lp_map_put(lp_map_put(lp_value_map(), "beta", lp_value_float(0.5)), "alpha",
                              lp_value_float(2.0));
    cr_assert_eq(lp_cache_value_hash(NULL, m1, a), 0);
    cr_assert_eq(lp_cache_value_hash(NULL, m2, b), 0);
    cr_assert_eq(memcmp(a, b, 32), 0);
    /* a frame by content: equal frames built twice hash alike, one changed cell does not */
    lp_value *f1 = frame_value(1.0), *f2 = frame_value(1.0), *f3 = frame_value(1.5);
    uint8_t h1[32], h2[32], h3[32];
    cr_assert_eq(lp_cache_value_hash(NULL, f1, h1), 0);
    cr_assert_eq(lp_cache_value_hash(NULL, f2, h2), 0);
    cr_assert_eq(lp_cache_value_hash(NULL, f3, h3), 0);
    cr_assert_eq(memcmp(h1, h2, 32), 0);
    cr_assert_neq(memcmp(h1, h3, 32), 0);
    /* a list is not a map, "1" is not 1 */
    lp_value *s = lp_value_string("1"), *i = lp_value_int(1);
    cr_assert_eq(lp_cache_value_hash(NULL, s, a), 0);
    cr_assert_eq(lp_cache_value_hash(NULL, i, b), 0);
    cr_assert_neq(memcmp(a, b, 32), 0);
    lp_value *lst = lp_value_list(), *emp = lp_value_map();
    cr_assert_eq(lp_cache_value_hash(NULL, lst, a), 0);
    cr_assert_eq(lp_cache_value_hash(NULL, emp, b), 0);
    cr_assert_neq(memcmp(a, b, 32), 0);
    lp_value *vals[] = {m1, m2, f1, f2, f3, s, i, lst, emp};
    for (size_t j = 0; j < sizeof vals / sizeof *vals; j++)
        lp_value_unref(vals[j]);
}

static void opaque_free(void *p)
{
    (void)p;
}
static const lp_handle_type opaque_type = {"opaque", opaque_free, NULL, NULL};

Test(cache_key, class_method_and_unhashable_arguments)
{
    lp_value *doc = NULL;
    lp_workflow *wf = build(BASE_ROOT, "", BASE_PARAMS, &doc);
    lp_obj *train = lp_obj_pipeline(lp_workflow_root(wf), "train");
    lp_obj *predict = lp_obj_pipeline(lp_workflow_root(wf), "predict");
    lp_value *args = lp_map_put(lp_value_map(), "frame", frame_value(1.0));
    char k1[65], k2[65], k3[65];
    cr_assert_eq(lp_cache_key(NULL, train, "split_data", args, k1), 0);
    cr_assert_eq(lp_cache_key(NULL, train, "train_model", args, k2), 0);
    cr_assert_eq(lp_cache_key(NULL, predict, "split_data", args, k3), 0);
    cr_assert_str_neq(k1, k2);
    cr_assert_str_neq(k1, k3);
    static int dummy;
    lp_map_set(args, "opaque", lp_value_handle(&opaque_type, &dummy));
    cr_assert_eq(lp_cache_key(NULL, train, "split_data", args, k1), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "opaque"), "%s", lp_error_last()->message);
    lp_value_unref(args);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

/* Rows `rows` of parent's columns x and s, remembered as rows of parent. */
static lp_value *rows_of(lp_frame *parent, const size_t *rows, size_t n)
{
    static const char *const names[] = {"x", "s"};
    lp_frame *cols = NULL, *t = NULL;
    cr_assert_eq(lp_frame_select(&cols, parent, names, 2), 0);
    cr_assert_eq(lp_frame_take(&t, cols, rows, n), 0);
    lp_frame_origin *o = lp_frame_origin_new(parent, rows, n);
    cr_assert(lp_frame_origin_set(t, cols, o));
    lp_frame_origin_unref(o);
    lp_frame_unref(cols);
    lp_value *v = lp_value_frame(t);
    lp_frame_unref(t);
    return v;
}

static void split_key(const lp_obj *train, lp_value *x, char key[65])
{
    lp_value *args = lp_map_put(lp_value_map(), "splits", lp_map_put(lp_value_map(), "X_train", x));
    cr_assert_eq(lp_cache_key(NULL, train, "train_model", args, key), 0, "%s",
                 lp_error_last()->message);
    lp_value_unref(args);
}

Test(cache_key, a_split_counts_by_its_parent_and_rows_without_hashing_its_values)
{
    lp_value *doc = NULL;
    lp_workflow *wf = build(BASE_ROOT, "", BASE_PARAMS, &doc);
    lp_obj *train = lp_obj_pipeline(lp_workflow_root(wf), "train");
    lp_frame *parent = sample_frame(1.0);
    static const size_t r1[] = {2, 0}, r2[] = {1, 0};
    lp_value *a = rows_of(parent, r1, 2);
    char k1[65], k2[65], k3[65], k4[65];
    split_key(train, lp_value_ref(a), k1);
    /* the split's own content was not hashed: only the parent's was */
    cr_assert_eq(atomic_load(&lp_value_as_frame(a)->hash_state), 0);
    cr_assert_eq(atomic_load(&parent->hash_state), 2);
    split_key(train, rows_of(parent, r1, 2), k2); /* the same split made again */
    split_key(train, rows_of(parent, r2, 2), k3); /* other rows */
    lp_frame *other = sample_frame(5.0);          /* the same rows of another parent */
    split_key(train, rows_of(other, r1, 2), k4);
    cr_assert_str_eq(k1, k2);
    cr_assert_str_neq(k1, k3);
    cr_assert_str_neq(k1, k4);
    lp_value_unref(a);
    lp_frame_unref(other);
    lp_frame_unref(parent);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

/* ---- the value codec ------------------------------------------------------------------ */

TestSuite(value_codec, .init = setup, .fini = teardown, .timeout = 60);

/* Equal including the kind of every number (lp_value_equal says 1 == 1.0). */
static void assert_same(const lp_value *a, const lp_value *b, const char *where)
{
    cr_assert_eq(lp_value_type(a), lp_value_type(b), "%s: %s vs %s", where,
                 lp_vtype_name(lp_value_type(a)), lp_vtype_name(lp_value_type(b)));
    switch (lp_value_type(a)) {
    case LP_FLOAT: {
        double x = lp_value_as_float(a), y = lp_value_as_float(b);
        cr_assert((isnan(x) && isnan(y)) || (x == y && signbit(x) == signbit(y)), "%s: %g vs %g",
                  where, x, y);
        break;
    }
    case LP_STRING:
        cr_assert_eq(lp_value_string_len(a), lp_value_string_len(b), "%s", where);
        cr_assert_eq(memcmp(lp_value_as_string(a), lp_value_as_string(b), lp_value_string_len(a)),
                     0, "%s", where);
        break;
    case LP_LIST:
        cr_assert_eq(lp_list_len(a), lp_list_len(b), "%s", where);
        for (size_t i = 0; i < lp_list_len(a); i++)
            assert_same(lp_list_get(a, i), lp_list_get(b, i), where);
        break;
    case LP_MAP:
        cr_assert_eq(lp_map_len(a), lp_map_len(b), "%s", where);
        for (size_t i = 0; i < lp_map_len(a); i++) {
            cr_assert_str_eq(lp_map_key(a, i), lp_map_key(b, i), "%s: key order", where);
            assert_same(lp_map_value(a, i), lp_map_value(b, i), lp_map_key(a, i));
        }
        break;
    case LP_HANDLE:
        if (lp_value_as_frame(a)) {
            char ha[65], hb[65];
            cr_assert_not_null(lp_value_as_frame(b), "%s", where);
            cr_assert_eq(lp_frame_hash_hex(lp_value_as_frame(a), ha), 0);
            cr_assert_eq(lp_frame_hash_hex(lp_value_as_frame(b), hb), 0);
            cr_assert_str_eq(ha, hb, "%s: frame content", where);
        } else {
            uint8_t *sa = NULL, *sb = NULL;
            size_t la = 0, lb = 0;
            cr_assert_not_null(lp_value_as_model(b), "%s", where);
            cr_assert_eq(lp_model_save(&sa, &la, lp_value_as_model(a)), 0);
            cr_assert_eq(lp_model_save(&sb, &lb, lp_value_as_model(b)), 0);
            cr_assert(la == lb && memcmp(sa, sb, la) == 0, "%s: model bytes", where);
            free(sa);
            free(sb);
        }
        break;
    default:
        cr_assert(lp_value_equal(a, b), "%s", where);
    }
}

static lp_value *round_trip(lp_objstore *os, const lp_value *v)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_value_encode(os, v, &bytes, &len), 0, "%s", lp_error_last()->message);
    lp_value *back = NULL;
    cr_assert_eq(lp_value_decode(os, reg, bytes, len, &back), 0, "%s", lp_error_last()->message);
    free(bytes);
    return back;
}

static lp_objstore *open_objects(void)
{
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, "objs"), 0, "%s", lp_error_last()->message);
    return os;
}

Test(value_codec, every_type_round_trips)
{
    lp_objstore *os = open_objects();
    lp_model *m = fixture_model();
    lp_value *model = lp_value_model(m);
    lp_model_unref(m);
    lp_value *inner = lp_value_list();
    lp_list_append(inner, lp_value_null());
    lp_list_append(inner, lp_value_bool(true));
    lp_list_append(inner, lp_value_bool(false));
    lp_list_append(inner, lp_value_int(INT64_MIN));
    lp_list_append(inner, lp_value_int(INT64_MAX));
    lp_list_append(inner, lp_value_int(0));
    lp_list_append(inner, lp_value_float(1.0)); /* a float, not an int */
    lp_list_append(inner, lp_value_float(0.1));
    lp_list_append(inner, lp_value_float(-0.0));
    lp_list_append(inner, lp_value_float(5e-324));
    lp_list_append(inner, lp_value_float(NAN));
    lp_list_append(inner, lp_value_float(INFINITY));
    lp_list_append(inner, lp_value_float(-INFINITY));
    lp_list_append(inner, lp_value_string(""));
    lp_list_append(inner, lp_value_stringn("a\0b", 3));
    lp_list_append(inner, lp_value_stringn("\xff\xfe bad utf-8", 13));
    lp_list_append(inner, lp_value_string("\xe2\x82\xac uro"));
    lp_list_append(inner, lp_value_list());
    lp_list_append(inner, lp_value_map());
    lp_value *v = lp_value_map();
    lp_map_set(v, "scalars", inner);
    lp_map_set(v, "$frame", lp_value_string("not a tag")); /* a key that looks like one */
    lp_map_set(v, "$$x", lp_value_int(1));
    lp_map_set(v, "Zeta", lp_value_int(2)); /* order and case kept */
    lp_map_set(v, "splits",
               lp_map_put(lp_map_put(lp_value_map(), "X_train", frame_value(1.0)), "y_train",
                          frame_value(2.0)));
    lp_map_set(v, "model", model);
    lp_value *back = round_trip(os, v);
    assert_same(v, back, "value");
    lp_value_unref(back);
    /* every type on its own too, as a whole value */
    for (size_t i = 0; i < lp_list_len(inner); i++) {
        back = round_trip(os, lp_list_get(inner, i));
        assert_same(lp_list_get(inner, i), back, "scalar");
        lp_value_unref(back);
    }
    back = round_trip(os, model);
    assert_same(model, back, "model");
    lp_value_unref(back);
    lp_value_unref(v);
    lp_objstore_close(os);
}

Test(value_codec, frames_are_stored_once_as_version_control_stores_them)
{
    lp_objstore *os = open_objects();
    lp_frame *f = sample_frame(1.0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_frame_serialize(f, &bytes, &len), 0);
    char want[65];
    cr_assert_eq(lp_objstore_put(os, bytes, len, want), 0); /* what version_data stores */
    free(bytes);
    lp_value *v = lp_value_list();
    lp_list_append(v, lp_value_frame(f));
    lp_list_append(v, lp_value_frame(f));
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    cr_assert_eq(lp_value_encode(os, v, &enc, &enc_len), 0);
    char *text = strndup((const char *)enc, enc_len);
    char expect[256];
    snprintf(expect, sizeof expect, "[{\"$frame\":\"%s\"},{\"$frame\":\"%s\"}]", want, want);
    cr_assert(strstr(text, expect), "%s", text);
    free(text);
    free(enc);
    /* objs/objects/<2>/<62>: one object file */
    char dir[128];
    snprintf(dir, sizeof dir, "objs/objects/%.2s", want);
    size_t files = 0;
    FILE *p = popen("find objs/objects -type f | wc -l", "r");
    cr_assert_eq(fscanf(p, "%zu", &files), 1);
    pclose(p);
    cr_assert_eq(files, 1);
    lp_value_unref(v);
    lp_frame_unref(f);
    lp_objstore_close(os);
}

Test(value_codec, what_cannot_be_encoded_is_named)
{
    lp_objstore *os = open_objects();
    static int dummy;
    lp_value *v =
        lp_map_put(lp_value_map(), "x",
                   lp_map_put(lp_value_map(), "y", lp_value_handle(&opaque_type, &dummy)));
    uint8_t *enc = NULL;
    size_t len = 0;
    cr_assert_eq(lp_value_encode(os, v, &enc, &len), LP_EINVAL);
    cr_assert_null(enc);
    cr_assert(strstr(lp_error_last()->message, "value.x.y") &&
                  strstr(lp_error_last()->message, "opaque"),
              "%s", lp_error_last()->message);
    lp_value_unref(v);
    lp_objstore_close(os);
}

static int decode_text(lp_objstore *os, const char *text)
{
    lp_value *out = NULL;
    int rc = lp_value_decode(os, reg, (const uint8_t *)text, strlen(text), &out);
    cr_assert_null(out, "decoding '%s' gave a value", text);
    return rc;
}

Test(value_codec, damaged_input_is_an_error_never_a_value)
{
    lp_objstore *os = open_objects();
    cr_assert_eq(decode_text(os, "not json"), LP_EINVAL);
    cr_assert_eq(decode_text(os, "[1]"), LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue9\",\"value\":1}"), LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\"}"), LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\",\"value\":{\"$what\":1}}"), LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\",\"value\":{\"$float\":\"big\"}}"),
                 LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\",\"value\":{\"$bytes\":\"@@\"}}"),
                 LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\",\"value\":{\"$frame\":\"abc\"}}"),
                 LP_EINVAL);
    cr_assert_eq(decode_text(os, "{\"format\":\"lpvalue1\",\"value\":{\"a\":1,\"A\":2}}"),
                 LP_EINVAL);
    /* a reference to an object that is not there */
    char text[256];
    snprintf(text, sizeof text, "{\"format\":\"lpvalue1\",\"value\":{\"$frame\":\"%064d\"}}", 0);
    cr_assert_eq(decode_text(os, text), LP_ENOTFOUND);
    /* an object whose bytes are not what they claim, and a model object holding a frame */
    lp_value *v = frame_value(1.0);
    uint8_t *enc = NULL;
    size_t len = 0;
    cr_assert_eq(lp_value_encode(os, v, &enc, &len), 0);
    char *frame_hex = strstr((char *)enc, "\"$frame\":\"") + 10;
    snprintf(text, sizeof text, "{\"format\":\"lpvalue1\",\"value\":{\"$model\":\"%.64s\"}}",
             frame_hex);
    cr_assert_eq(decode_text(os, text), LP_EINVAL, "%s", lp_error_last()->message);
    char *path = NULL;
    char fh[65];
    memcpy(fh, frame_hex, 64);
    fh[64] = 0;
    cr_assert_eq(lp_objstore_path(os, fh, &path), 0);
    chmod(path, 0644);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, -3, SEEK_END);
    fputc('!', f);
    fclose(f);
    lp_value *back = NULL;
    int rc = lp_value_decode(os, reg, enc, len, &back);
    cr_assert(rc == LP_EIO || rc == LP_EINVAL, "rc %d: %s", rc, lp_error_last()->message);
    cr_assert_null(back);
    free(path);
    free(enc);
    lp_value_unref(v);
    lp_objstore_close(os);
}

/* ---- the local cache, LocalCacheManager, the store -------------------------------------- */

TestSuite(local_cache, .init = setup, .fini = teardown, .timeout = 60);

static const char key1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char key2[] = "2222222222222222222222222222222222222222222222222222222222222222";

/* Two runs in a new store, then the cache over it. */
static lp_local_cache *open_cache(char **run_a, char **run_b)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, "s/lolpop.db", LP_STORE_CREATE), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_store_run_begin(st, "R", NULL, run_a), 0);
    cr_assert_eq(lp_store_run_end(st, *run_a, false, "boom"), 0);
    cr_assert_eq(lp_store_run_begin(st, "R", NULL, run_b), 0);
    cr_assert_eq(lp_store_run_end(st, *run_b, true, NULL), 0);
    lp_store_close(st);
    lp_local_cache *c = NULL;
    cr_assert_eq(lp_local_cache_open(&c, reg, "s/lolpop.db", "s"), 0, "%s",
                 lp_error_last()->message);
    return c;
}

Test(local_cache, put_and_get_by_run)
{
    char *a = NULL, *b = NULL;
    lp_local_cache *c = open_cache(&a, &b);
    lp_value *va = lp_map_put(lp_value_map(), "frame", frame_value(1.0));
    lp_value *vb = lp_value_int(42);
    cr_assert_eq(lp_local_cache_put(c, key1, va, a, "OfflineProcess", "transform_data"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_local_cache_put(c, key1, vb, b, "OfflineProcess", "transform_data"), 0);
    lp_value *got = NULL;
    char *run = NULL;
    /* newest of any run */
    cr_assert_eq(lp_local_cache_get(c, key1, NULL, &got, &run), 0);
    cr_assert_str_eq(run, b);
    assert_same(vb, got, "newest");
    lp_value_unref(got);
    free(run);
    /* only run a */
    lp_value *runs = lp_value_list();
    lp_list_append(runs, lp_value_string(a));
    cr_assert_eq(lp_local_cache_get(c, key1, runs, &got, &run), 0);
    cr_assert_str_eq(run, a);
    assert_same(va, got, "run a");
    lp_value_unref(got);
    free(run);
    /* a miss */
    cr_assert_eq(lp_local_cache_get(c, key2, runs, &got, &run), 0);
    cr_assert_null(got);
    /* the row as people read it */
    lp_value *row = NULL;
    cr_assert_eq(lp_store_cache_get(lp_local_cache_store(c), key1, runs, &row), 0);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(row, "class")), "OfflineProcess");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(row, "method")), "transform_data");
    const char *text = lp_value_as_string(lp_map_get(row, "value"));
    cr_assert(strstr(text, "\"format\":\"lpvalue1\"") && strstr(text, "{\"$frame\":\""), "%s",
              text);
    lp_value_unref(row);
    /* a damaged entry: its frame object gone */
    lp_frame *f = sample_frame(1.0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_frame_serialize(f, &bytes, &len), 0);
    lp_objstore *os = NULL;
    char hex[65];
    char *path = NULL;
    cr_assert_eq(lp_objstore_open(&os, "s"), 0);
    cr_assert(lp_objstore_has(
                  os, "0000000000000000000000000000000000000000000000000000000000000000") == false);
    cr_assert_eq(lp_objstore_put(os, bytes, len, hex), 0); /* present already: writes nothing */
    cr_assert_eq(lp_objstore_path(os, hex, &path), 0);
    cr_assert_eq(unlink(path), 0, "the cached frame should be object %s", hex);
    free(path);
    free(bytes);
    lp_frame_unref(f);
    lp_objstore_close(os);
    int rc = lp_local_cache_get(c, key1, runs, &got, &run);
    cr_assert_eq(rc, LP_ENOTFOUND, "%d: %s", rc, lp_error_last()->message);
    cr_assert_null(got);
    lp_value_unref(runs);
    lp_value_unref(va);
    lp_value_unref(vb);
    lp_local_cache_close(c);
    free(a);
    free(b);
}

Test(local_cache, the_store_migrates_a_version_1_store_and_records_resumed_runs)
{
    char *a = NULL, *b = NULL;
    lp_local_cache_close(open_cache(&a, &b));
    /* back to schema 1 by hand, keeping the runs */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open("s/lolpop.db", &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "DROP TABLE cache; ALTER TABLE runs DROP COLUMN resumed_from; "
                              "UPDATE runs SET config = (SELECT text FROM configs WHERE sha256 = "
                              "runs.config_sha256); ALTER TABLE runs DROP COLUMN config_sha256; "
                              "DROP TABLE configs; ALTER TABLE reports DROP COLUMN object; "
                              "ALTER TABLE reports DROP COLUMN json_object; ALTER TABLE "
                              "artifacts DROP COLUMN object; DELETE FROM lolpop_schema WHERE "
                              "version >= 2",
                              NULL, NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, "s/lolpop.db", 0), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_store_run_set_resumed_from(st, b, a), 0, "%s", lp_error_last()->message);
    lp_value *run = NULL;
    cr_assert_eq(lp_store_run_get(st, b, &run), 0);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(run, "resumed_from")), a);
    lp_value_unref(run);
    cr_assert_eq(lp_store_run_get(st, a, &run), 0);
    cr_assert_null(lp_map_get(run, "resumed_from"));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(run, "error")), "boom");
    lp_value_unref(run);
    cr_assert_eq(lp_store_run_set_resumed_from(st, "no-such-run", a), LP_ENOTFOUND);
    lp_store_cache_entry e = {"xyz", a, "C", "m", "v"};
    cr_assert_eq(lp_store_cache_put(st, &e), LP_EINVAL); /* keys are 64 hex digits */
    lp_store_close(st);
    cr_assert_eq(sqlite3_open("s/lolpop.db", &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT MAX(version) FROM lolpop_schema", -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), 4);
    sqlite3_finalize(q);
    sqlite3_close(db);
    free(a);
    free(b);
}

/* A workflow with a LocalCacheManager (and its tracker's store in .lolpop). */
static lp_workflow *build_manager(const char *cm_cfg, lp_value **doc)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
             "predict: OfflinePredict}\n"
             "component: {cache_manager: LocalCacheManager, metrics_tracker: LocalMetricsTracker, "
             "logger: StdOutLogger}\n"
             "logger: {config: {log_level: ERROR}}\n"
             "cache_manager: {config: {%s}}\n"
             "config: {train_data: a.csv, eval_data: b.csv, prediction_data: c.csv, "
             "model_target: y}\n",
             cm_cfg);
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(doc, yaml, strlen(yaml), "t.yaml", &d), 0);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_new(&wf, reg, *doc, "ClassificationRunner", 0, &d);
    lp_diags_clear(&d);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    return wf;
}

Test(local_cache, local_cache_manager_caches_and_retrieves_and_survives_damage)
{
    lp_value *doc = NULL;
    lp_workflow *wf = build_manager("methods: [SQLDataTransformer.transform]", &doc);
    lp_obj *cm = lp_obj_component(lp_workflow_root(wf), "cache_manager");
    cr_assert_not_null(cm);
    lp_value *v = lp_map_put(lp_value_map(), "frame", frame_value(3.0));
    cr_assert_eq(lp_cache_manager_cache(cm, "any text is a key", v), 0, "%s",
                 lp_error_last()->message);
    lp_value *got = lp_cache_manager_retrieve(cm, "any text is a key");
    cr_assert_not_null(got, "%s", lp_error_last()->message);
    assert_same(v, got, "retrieved");
    lp_value_unref(got);
    got = lp_cache_manager_retrieve(cm, "never stored");
    cr_assert_eq(lp_value_type(got), LP_NULL);
    lp_value_unref(got);
    /* the row names the run the tracker began */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(".lolpop/lolpop.db", &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT COUNT(*) FROM cache c JOIN runs r ON r.id = c.run "
                                    "WHERE r.status = 'running'",
                                    -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    /* damage every object: a miss (null), not a crash or a wrong value */
    cr_assert_eq(system("for f in .lolpop/objects/*/*; do chmod u+w \"$f\"; printf x >> \"$f\"; "
                        "done"),
                 0);
    got = lp_cache_manager_retrieve(cm, "any text is a key");
    cr_assert_not_null(got, "%s", lp_error_last()->message);
    cr_assert_eq(lp_value_type(got), LP_NULL);
    lp_value_unref(got);
    sqlite3_close(db);
    lp_value_unref(v);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

Test(local_cache, a_disabled_manager_keeps_nothing_and_bad_methods_are_refused)
{
    lp_value *doc = NULL;
    lp_workflow *wf = build_manager("enabled: false", &doc);
    lp_obj *cm = lp_obj_component(lp_workflow_root(wf), "cache_manager");
    lp_value *v = lp_value_int(7);
    cr_assert_eq(lp_cache_manager_cache(cm, "k", v), 0);
    lp_value *got = lp_cache_manager_retrieve(cm, "k");
    cr_assert_eq(lp_value_type(got), LP_NULL);
    lp_value_unref(got);
    lp_value_unref(v);
    lp_workflow_free(wf);
    lp_value_unref(doc);

    const char *yaml = "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: "
                       "OfflineDeploy, predict: OfflinePredict}\n"
                       "component: {cache_manager: LocalCacheManager, metrics_tracker: "
                       "LocalMetricsTracker}\n"
                       "cache_manager: {config: {methods: [transform]}}\n"
                       "config: {train_data: a.csv, eval_data: b.csv, prediction_data: c.csv, "
                       "model_target: y}\n";
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "t.yaml", &d), 0);
    wf = NULL;
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "ClassificationRunner", 0, &d), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "Class.method"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_error_last()->line, 3);
    lp_diags_clear(&d);
    lp_value_unref(doc);

    /* a misspelt class, a method it lacks, a class whose calls are never cached */
    const char *bad[][2] = {
        {"SQLDataTransformr.transform", "did you mean 'SQLDataTransformer'"},
        {"SQLDataTransformer.transfrom", "SQLDataTransformer has no method 'transfrom'"},
        {"LocalMetadataTracker.log_tag", "never cached"},
        {"ClassificationRunner.build_all", "never cached"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lp_value *w = NULL;
        char cfg[128];
        snprintf(cfg, sizeof cfg, "methods: [%s]", bad[i][0]);
        char yaml2[1024];
        snprintf(yaml2, sizeof yaml2,
                 "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: "
                 "OfflineDeploy, predict: OfflinePredict}\n"
                 "component: {cache_manager: LocalCacheManager, metrics_tracker: "
                 "LocalMetricsTracker}\n"
                 "cache_manager: {config: {%s}}\n"
                 "config: {train_data: a.csv, eval_data: b.csv, prediction_data: c.csv, "
                 "model_target: y}\n",
                 cfg);
        cr_assert_eq(lp_yaml_parse(&w, yaml2, strlen(yaml2), "t.yaml", &d), 0);
        lp_workflow *bad_wf = NULL;
        cr_assert_eq(lp_workflow_new(&bad_wf, reg, w, "ClassificationRunner", 0, &d), LP_ECONFIG,
                     "%s", bad[i][0]);
        cr_assert(strstr(lp_error_last()->message, bad[i][1]), "%s: %s", bad[i][0],
                  lp_error_last()->message);
        lp_diags_clear(&d);
        lp_value_unref(w);
    }
}

/* ---- the dispatcher glue, with classes of the test's own ----------------------------------- */

static int computed, worked;      /* how often the methods really ran */
static lp_value *memory;          /* MemoryCacheManager's entries: key -> value */
static int mem_cached, mem_asked; /* how often its cache / retrieve were called */

/* CStage.compute(x) -> {y: 2 x, w: worker.work(x)}; fails for x < 0. */
static lp_value *m_compute(lp_obj *self, lp_value *args)
{
    computed++;
    int64_t x = lp_value_as_int(lp_map_get(args, "x"));
    if (x < 0) {
        lp_error_set(LP_EINVAL, "x must not be negative");
        return NULL;
    }
    lp_value *w = lp_call_with(lp_obj_component(self, "cworker"), "work", "x", lp_value_int(x),
                               (const char *)NULL);
    if (!w) return NULL;
    return lp_map_put(lp_map_put(lp_value_map(), "y", lp_value_int(2 * x)), "w", w);
}

static lp_value *m_work(lp_obj *self, lp_value *args)
{
    (void)self;
    worked++;
    return lp_value_int(lp_value_as_int(lp_map_get(args, "x")) + 1);
}

/* CRunner.go(x): the stage's compute(x). */
static lp_value *m_go(lp_obj *self, lp_value *args)
{
    return lp_call(lp_obj_pipeline(self, "stage"), "compute", args);
}

static lp_value *m_mem_cache(lp_obj *self, lp_value *args)
{
    (void)self;
    mem_cached++;
    lp_map_set(memory, lp_value_as_string(lp_map_get(args, "key")),
               lp_value_ref(lp_map_get(args, "value")));
    return lp_value_null();
}

static lp_value *m_mem_retrieve(lp_obj *self, lp_value *args)
{
    (void)self;
    mem_asked++;
    lp_value *v = lp_map_get(memory, lp_value_as_string(lp_map_get(args, "key")));
    return v ? lp_value_ref(v) : lp_value_null();
}

static const lp_method stage_methods[] = {{"compute", m_compute, "compute(x)"}, {NULL, NULL, NULL}};
static const lp_method worker_methods[] = {{"work", m_work, "work(x)"}, {NULL, NULL, NULL}};
static const lp_method runner_methods[] = {
    {"go", m_go, "go(x)"}, {"build_all", m_go, "build_all: go()"}, {NULL, NULL, NULL}};
static const lp_method mem_methods[] = {
    {"cache", m_mem_cache, "cache"}, {"retrieve", m_mem_retrieve, "retrieve"}, {NULL, NULL, NULL}};
static const lp_type t_cstage = {"cstage", LP_KIND_PIPELINE, "s",
                                 (const char *const[]){"compute", NULL}};
static const lp_type t_cworker = {"cworker", LP_KIND_COMPONENT, "w",
                                  (const char *const[]){"work", NULL}};
static const lp_class c_stage = {.name = "CStage",
                                 .kind = LP_KIND_PIPELINE,
                                 .type = "cstage",
                                 .doc = "s",
                                 .methods = stage_methods};
static const lp_class c_worker = {.name = "CWorker",
                                  .kind = LP_KIND_COMPONENT,
                                  .type = "cworker",
                                  .doc = "w",
                                  .methods = worker_methods};
static const lp_class c_runner = {
    .name = "CRunner", .kind = LP_KIND_RUNNER, .doc = "r", .methods = runner_methods};
static const lp_class c_memory = {.name = "MemoryCacheManager",
                                  .kind = LP_KIND_COMPONENT,
                                  .type = "cache_manager",
                                  .doc = "m",
                                  .methods = mem_methods};

static void glue_setup(void)
{
    setup();
    computed = worked = mem_cached = mem_asked = 0;
    memory = lp_value_map();
    cr_assert_eq(lp_registry_add_type(reg, &t_cstage), 0);
    cr_assert_eq(lp_registry_add_type(reg, &t_cworker), 0);
    const lp_class *all[] = {&c_stage, &c_worker, &c_runner, &c_memory};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cr_assert_eq(lp_registry_add_class(reg, all[i]), 0, "%s", lp_error_last()->message);
}

static void glue_teardown(void)
{
    lp_value_unref(memory);
    teardown();
}

TestSuite(glue, .init = glue_setup, .fini = glue_teardown, .timeout = 60);

typedef struct flow {
    lp_value *doc;
    lp_workflow *wf;
    char run[64];
} flow;

/* A CRunner workflow with a cache_manager of class `cm` (NULL: none) and
 * `extra` YAML, caching attached (resuming `resume`). */
static int flow_open(flow *f, const char *cm, const char *extra, const char *resume)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "pipeline: {stage: CStage}\ncomponent: {cworker: CWorker, logger: StdOutLogger%s%s}\n"
             "logger: {config: {log_level: ERROR}}\n%s",
             cm ? ", cache_manager: " : "", cm ? cm : "", extra ? extra : "");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&f->doc, yaml, strlen(yaml), "t.yaml", &d), 0, "%s", yaml);
    cr_assert_eq(lp_workflow_new(&f->wf, reg, f->doc, "CRunner", 0, &d), 0, "%s",
                 d.len ? d.items[0].message : lp_error_last()->message);
    lp_diags_clear(&d);
    lp_value *info =
        lp_call(lp_obj_component(lp_workflow_root(f->wf), "metadata_tracker"), "run_info", NULL);
    cr_assert_not_null(info);
    snprintf(f->run, sizeof f->run, "%s", lp_value_as_string(lp_map_get(info, "id")));
    lp_value_unref(info);
    return lp_workflow_enable_runs(f->wf, resume);
}

static void flow_close(flow *f)
{
    lp_workflow_free(f->wf);
    lp_value_unref(f->doc);
    memset(f, 0, sizeof *f);
}

/* runner.go(x): y, or -1 when it failed. */
static int64_t go(flow *f, int64_t x)
{
    lp_value *r =
        lp_call_with(lp_workflow_root(f->wf), "go", "x", lp_value_int(x), (const char *)NULL);
    int64_t y = r ? lp_value_as_int(lp_map_get(r, "y")) : -1;
    if (r) cr_assert_eq(lp_value_as_int(lp_map_get(r, "w")), x + 1);
    lp_value_unref(r);
    return y;
}

/* The worker's work(x) called directly (through the dispatcher, so the
 * cache manager sees it): its result, or -1 after an error. */
static int64_t work(flow *f, int64_t x)
{
    lp_obj *w = lp_obj_component(lp_workflow_root(f->wf), "cworker");
    lp_value *r = lp_call_with(w, "work", "x", lp_value_int(x), (const char *)NULL);
    int64_t y = r ? lp_value_as_int(r) : -1;
    lp_value_unref(r);
    return y;
}

static long cache_rows(const char *where)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(".lolpop/lolpop.db", &db), SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM cache WHERE %s", where);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    long n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

Test(glue, without_a_cache_manager_steps_are_recorded_not_reused)
{
    flow f = {0};
    cr_assert_eq(flow_open(&f, NULL, NULL, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(computed, 2);
    cr_assert_eq(worked, 2);
    /* pipeline calls only: not the runner's, not the worker's */
    cr_assert_eq(cache_rows("class = 'CStage' AND method = 'compute'"), 1);
    cr_assert_eq(cache_rows("1"), 1);
    flow_close(&f);
}

Test(glue, a_local_cache_manager_reuses_steps_and_listed_methods)
{
    const char *cfg = "cache_manager: {config: {methods: [CWorker.work]}}\n";
    flow f = {0};
    cr_assert_eq(flow_open(&f, "LocalCacheManager", cfg, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(computed, 1, "the second go(3) reuses compute");
    cr_assert_eq(worked, 1);
    cr_assert_eq(go(&f, 4), 8);
    cr_assert_eq(computed, 2);
    /* the worker directly: its listed method is cached too */
    cr_assert_eq(work(&f, 3), 4);
    cr_assert_eq(worked, 2, "work(3) was cached inside compute(3)");
    flow_close(&f);
    /* a later run reuses them */
    cr_assert_eq(flow_open(&f, "LocalCacheManager", cfg, NULL), 0);
    cr_assert_eq(go(&f, 4), 8);
    cr_assert_eq(computed, 2);
    flow_close(&f);
}

Test(glue, a_failed_call_is_not_recorded_and_the_next_ones_are)
{
    flow f = {0};
    cr_assert_eq(flow_open(&f, "LocalCacheManager", NULL, NULL), 0);
    cr_assert_eq(go(&f, -1), -1);
    cr_assert(strstr(lp_error_last()->message, "x must not be negative"), "%s",
              lp_error_last()->message);
    cr_assert_eq(go(&f, 5), 10);
    cr_assert_eq(go(&f, -1), -1);
    cr_assert_eq(go(&f, 5), 10);
    cr_assert_eq(computed, 3);
    cr_assert_eq(cache_rows("1"), 1);
    flow_close(&f);
}

Test(glue, a_plugin_cache_manager_is_asked_through_its_methods)
{
    flow f = {0};
    cr_assert_eq(flow_open(&f, "MemoryCacheManager", NULL, NULL), 0);
    cr_assert_eq(go(&f, 2), 4);
    cr_assert_eq(go(&f, 2), 4);
    cr_assert_eq(computed, 1);
    cr_assert_eq(lp_map_len(memory), 1);
    cr_assert_eq(strlen(lp_map_key(memory, 0)), 64);
    cr_assert_eq(cache_rows("1"), 1, "recorded locally as well, for --resume");
    flow_close(&f);
}

/* The run service knows no cache_manager class: a plugin's gets the same
 * settings (methods, enabled) and serves later runs through its contract. */
Test(glue, a_plugin_cache_manager_takes_part_like_the_local_one)
{
    const char *cfg = "cache_manager: {config: {methods: [CWorker.work]}}\n";
    flow f = {0};
    cr_assert_eq(flow_open(&f, "MemoryCacheManager", cfg, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(computed, 1);
    cr_assert_eq(mem_cached, 2, "compute and the listed work were offered to it");
    cr_assert_eq(lp_map_len(memory), 2);
    cr_assert_eq(work(&f, 3), 4);
    cr_assert_eq(worked, 1, "work(3) came from the plugin's retrieve");
    flow_close(&f);
    /* a later run, with the local records gone: only the plugin can serve it */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(".lolpop/lolpop.db", &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DELETE FROM cache", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_assert_eq(flow_open(&f, "MemoryCacheManager", cfg, NULL), 0);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(computed, 1);
    flow_close(&f);
    /* enabled: false — never asked, never offered */
    int asked = mem_asked, cached = mem_cached;
    cr_assert_eq(
        flow_open(&f, "MemoryCacheManager", "cache_manager: {config: {enabled: false}}\n", NULL),
        0);
    cr_assert_eq(go(&f, 3), 6);
    cr_assert_eq(computed, 2);
    cr_assert_eq(mem_asked, asked);
    cr_assert_eq(mem_cached, cached);
    flow_close(&f);
}

Test(glue, resume_reuses_the_resumed_runs_results_only)
{
    flow a = {0}, b = {0}, other = {0};
    cr_assert_eq(flow_open(&a, NULL, NULL, NULL), 0);
    cr_assert_eq(go(&a, 1), 2);
    char run_a[64];
    snprintf(run_a, sizeof run_a, "%s", a.run);
    flow_close(&a);
    cr_assert_eq(flow_open(&other, NULL, NULL, NULL), 0);
    cr_assert_eq(go(&other, 2), 4);
    flow_close(&other);
    cr_assert_eq(computed, 2);
    /* resume a: its go(1) is reused, go(2) (computed by another run) is not */
    cr_assert_eq(flow_open(&b, NULL, NULL, run_a), 0, "%s", lp_error_last()->message);
    cr_assert_eq(go(&b, 1), 2);
    cr_assert_eq(computed, 2);
    cr_assert_eq(go(&b, 2), 4);
    cr_assert_eq(computed, 3);
    char run_b[64];
    snprintf(run_b, sizeof run_b, "%s", b.run);
    flow_close(&b);
    /* b records resumed_from; resuming b also reaches a's results */
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, ".lolpop/lolpop.db", 0), 0);
    lp_value *run = NULL;
    cr_assert_eq(lp_store_run_get(st, run_b, &run), 0);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(run, "resumed_from")), run_a);
    lp_value_unref(run);
    lp_store_close(st);
    cr_assert_eq(flow_open(&b, NULL, NULL, run_b), 0);
    cr_assert_eq(go(&b, 1), 2);
    cr_assert_eq(go(&b, 2), 4);
    cr_assert_eq(computed, 3);
    flow_close(&b);
    /* runs that do not exist, ambiguous prefixes */
    cr_assert_eq(flow_open(&b, NULL, NULL, "nope"), LP_EUSAGE);
    cr_assert(strstr(lp_error_last()->message, "no run 'nope'"), "%s", lp_error_last()->message);
    flow_close(&b);
    cr_assert_eq(flow_open(&b, NULL, NULL, "2"), LP_EUSAGE);
    cr_assert(strstr(lp_error_last()->message, "ambiguous"), "%s", lp_error_last()->message);
    flow_close(&b);
    cr_assert_eq(flow_open(&b, NULL, NULL, "latest"), 0, "%s", lp_error_last()->message);
    flow_close(&b);
}
