/*
 * fake_tracking.h — in-memory stand-ins for the tracking components, shared
 * by test_trainers.c and test_tuners.c: FakeMetadataTracker (resources, tags,
 * vc_info records), FakeMetricsTracker (log_metrics calls), FakeVersionControl
 * (version_model: keeps the models) and CaptureLogger (keeps every message).
 * Declaring them keeps the tests free of any store on disk and lets them
 * check exactly what an experiment recorded. Criterion runs each test in its
 * own process, so the globals start empty; fake_reset frees them.
 */
#ifndef LP_TEST_FAKE_TRACKING_H
#define LP_TEST_FAKE_TRACKING_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lolpop.h"

static struct {
    lp_value *resources; /* list of resource maps */
    lp_value *tags;      /* list of {id, key, value} in the order logged */
    lp_value *metrics;   /* list of {id, metrics, perf_metric} */
    lp_value *vc;        /* list of {id, vc_info, key} */
    lp_value *models;    /* list of {id, model} from version_model */
    lp_value *log;       /* list of "LEVEL message" strings */
} fk;

static void fake_reset(void)
{
    lp_value **all[] = {&fk.resources, &fk.tags, &fk.metrics, &fk.vc, &fk.models, &fk.log};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        lp_value_unref(*all[i]);
        *all[i] = lp_value_list();
    }
}

static int64_t fake_id(const lp_value *r)
{
    if (lp_value_type(r) == LP_INT) return lp_value_as_int(r);
    return lp_value_as_int(lp_map_get(r, "id"));
}

static lp_value *fake_null(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

/* ---- metadata tracker ---------------------------------------------------------------- */

static lp_value *fake_create_resource(lp_obj *self, lp_value *args)
{
    (void)self;
    const char *type = lp_value_as_string(lp_map_get(args, "type"));
    lp_value *parent = lp_map_get(args, "parent");
    int64_t pid = lp_value_type(parent) == LP_NULL || !parent ? 0 : fake_id(parent), version = 1;
    for (size_t i = 0; i < lp_list_len(fk.resources); i++) {
        lp_value *r = lp_list_get(fk.resources, i);
        if (lp_value_as_int(lp_map_get(r, "parent")) == pid &&
            strcmp(lp_value_as_string(lp_map_get(r, "type")), type) == 0)
            version++;
    }
    lp_value *r = lp_value_map();
    lp_map_set(r, "id", lp_value_int((int64_t)lp_list_len(fk.resources) + 1));
    lp_map_set(r, "type", lp_value_string(type));
    lp_map_set(r, "name", lp_value_string("m"));
    lp_map_set(r, "version", lp_value_int(version));
    lp_map_set(r, "parent", lp_value_int(pid));
    lp_list_append(fk.resources, lp_value_ref(r));
    return r;
}

static lp_value *fake_log_tag(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_value *t = lp_value_map();
    lp_map_set(t, "id", lp_value_int(fake_id(lp_map_get(args, "resource"))));
    lp_map_set(t, "key", lp_value_copy(lp_map_get(args, "key")));
    lp_map_set(t, "value", lp_value_copy(lp_map_get(args, "value")));
    lp_list_append(fk.tags, t);
    return lp_value_null();
}

/* The latest value of tag key on resource id (borrowed), or NULL. */
static lp_value *fake_tag(int64_t id, const char *key)
{
    for (size_t i = lp_list_len(fk.tags); i-- > 0;) {
        lp_value *t = lp_list_get(fk.tags, i);
        if (lp_value_as_int(lp_map_get(t, "id")) == id &&
            strcmp(lp_value_as_string(lp_map_get(t, "key")), key) == 0)
            return lp_map_get(t, "value");
    }
    return NULL;
}

static lp_value *fake_get_tag(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_value *v = fake_tag(fake_id(lp_map_get(args, "resource")),
                           lp_value_as_string(lp_map_get(args, "key")));
    return v ? lp_value_ref(v) : lp_value_null();
}

static lp_value *fake_get_winning_experiment(lp_obj *self, lp_value *args)
{
    (void)self;
    int64_t mv = fake_id(lp_map_get(args, "model_version"));
    lp_value *newest = NULL;
    for (size_t i = 0; i < lp_list_len(fk.resources); i++) {
        lp_value *r = lp_list_get(fk.resources, i);
        if (strcmp(lp_value_as_string(lp_map_get(r, "type")), "experiment") != 0 ||
            lp_value_as_int(lp_map_get(r, "parent")) != mv)
            continue;
        lp_value *w = fake_tag(fake_id(r), "winner");
        if (lp_value_type(w) == LP_BOOL && lp_value_as_bool(w)) return lp_value_ref(r);
        newest = r;
    }
    if (newest) return lp_value_ref(newest);
    lp_error_set(LP_ENOTFOUND, "no experiment under model version %lld", (long long)mv);
    return NULL;
}

static lp_value *fake_register_vc(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_value *t = lp_value_map();
    lp_map_set(t, "id", lp_value_int(fake_id(lp_map_get(args, "resource"))));
    lp_map_set(t, "vc_info", lp_value_copy(lp_map_get(args, "vc_info")));
    lp_map_set(t, "key", lp_value_copy(lp_map_get(args, "key")));
    lp_list_append(fk.vc, t);
    return lp_value_ref(lp_map_get(args, "resource"));
}

static const lp_method fake_mdt_methods[] = {
    {"create_resource", fake_create_resource, "t"},
    {"get_resource", fake_null, "t"},
    {"register_vc_resource", fake_register_vc, "t"},
    {"get_vc_info", fake_null, "t"},
    {"log_tag", fake_log_tag, "t"},
    {"get_tag", fake_get_tag, "t"},
    {"log_artifact", fake_null, "t"},
    {"log_data_profile", fake_null, "t"},
    {"log_checks", fake_null, "t"},
    {"log_data_comparison", fake_null, "t"},
    {"build_model_lineage", fake_null, "t"},
    {"get_prev_resource_version", fake_null, "t"},
    {"get_winning_experiment", fake_get_winning_experiment, "t"},
    {"get_currently_deployed_model_version", fake_null, "t"},
    {"get_latest_model_resource", fake_null, "t"},
    {"load_model", fake_null, "t"},
    {"stop", fake_null, "t"},
    {NULL, NULL, NULL},
};

static const lp_class fake_metadata_tracker = {"FakeMetadataTracker",
                                               LP_KIND_COMPONENT,
                                               "metadata_tracker",
                                               "t",
                                               NULL,
                                               NULL,
                                               NULL,
                                               fake_mdt_methods,
                                               0,
                                               NULL,
                                               NULL};

/* ---- metrics tracker --------------------------------------------------------------------- */

static lp_value *fake_log_metrics(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_value *t = lp_value_map();
    lp_map_set(t, "id", lp_value_int(fake_id(lp_map_get(args, "resource"))));
    lp_map_set(t, "metrics", lp_value_copy(lp_map_get(args, "metrics")));
    lp_map_set(t, "perf_metric", lp_value_copy(lp_map_get(args, "perf_metric")));
    lp_list_append(fk.metrics, t);
    return lp_value_null();
}

static const lp_method fake_mt_methods[] = {
    {"log_metric", fake_null, "t"},
    {"log_metrics", fake_log_metrics, "t"},
    {"log_prediction_metrics", fake_null, "t"},
    {"get_metric", fake_null, "t"},
    {NULL, NULL, NULL},
};

static const lp_class fake_metrics_tracker = {"FakeMetricsTracker",
                                              LP_KIND_COMPONENT,
                                              "metrics_tracker",
                                              "t",
                                              NULL,
                                              NULL,
                                              NULL,
                                              fake_mt_methods,
                                              0,
                                              NULL,
                                              NULL};

/* ---- resource version control ------------------------------------------------------------ */

static lp_value *fake_version_model(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_value *model = lp_map_get(args, "model");
    cr_assert_not_null(lp_value_as_model(model), "version_model got no model");
    int64_t id = fake_id(lp_map_get(args, "experiment"));
    lp_value *t = lp_value_map();
    lp_map_set(t, "id", lp_value_int(id));
    lp_map_set(t, "model", lp_value_ref(model));
    lp_list_append(fk.models, t);
    lp_value *vc = lp_value_map();
    lp_map_set(vc, "hash", lp_value_string("feedface"));
    lp_map_set(vc, "format", lp_value_string("lpmodel1"));
    lp_map_set(vc, "experiment", lp_value_int(id));
    return vc;
}

static const lp_method fake_rvc_methods[] = {
    {"version_data", fake_null, "t"},
    {"get_data", fake_null, "t"},
    {"version_model", fake_version_model, "t"},
    {"get_model", fake_null, "t"},
    {NULL, NULL, NULL},
};

static const lp_class fake_version_control = {"FakeVersionControl",
                                              LP_KIND_COMPONENT,
                                              "resource_version_control",
                                              "t",
                                              NULL,
                                              NULL,
                                              NULL,
                                              fake_rvc_methods,
                                              0,
                                              NULL,
                                              NULL};

/* ---- logger ---------------------------------------------------------------------------------- */

static lp_value *fake_logger_log(lp_obj *self, lp_value *args)
{
    (void)self;
    char line[2048];
    snprintf(line, sizeof line, "%s %s", lp_value_as_string(lp_map_get(args, "level")),
             lp_value_as_string(lp_map_get(args, "message")));
    lp_list_append(fk.log, lp_value_string(line));
    return lp_value_null();
}

static const lp_method fake_logger_methods[] = {{"log", fake_logger_log, "t"}, {NULL, NULL, NULL}};

static const lp_class capture_logger = {"CaptureLogger",
                                        LP_KIND_COMPONENT,
                                        "logger",
                                        "t",
                                        NULL,
                                        NULL,
                                        NULL,
                                        fake_logger_methods,
                                        0,
                                        NULL,
                                        NULL};

static void fake_register(lp_registry *reg)
{
    const lp_class *all[] = {&fake_metadata_tracker, &fake_metrics_tracker, &fake_version_control,
                             &capture_logger};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cr_assert_eq(lp_registry_add_class(reg, all[i]), 0, "%s", lp_error_last()->message);
    fake_reset();
}

/* Resources of `type`, in creation order (borrowed from fk.resources). */
__attribute__((unused)) static size_t fake_count(const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < lp_list_len(fk.resources); i++)
        n +=
            strcmp(lp_value_as_string(lp_map_get(lp_list_get(fk.resources, i), "type")), type) == 0;
    return n;
}

/* The number of log lines containing `needle`. */
__attribute__((unused)) static size_t fake_log_count(const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < lp_list_len(fk.log); i++)
        n += strstr(lp_value_as_string(lp_list_get(fk.log, i)), needle) != NULL;
    return n;
}

#endif
