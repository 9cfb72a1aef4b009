/*
 * local.c — LocalMetadataTracker: resources, versions, tags, lineage,
 * artifacts and reports in the metadata store (a SQLite file by default), and
 * the run itself: configuration, git commit, status and the timing of every
 * dispatched call.
 *
 *   metadata_tracker:
 *     config:
 *       store: .lolpop/lolpop.db   # default, relative to the working directory
 *
 * init opens the store and begins the run; a dispatcher hook set records the
 * runner method (the first call on the workflow root) and buffers call
 * timings, written in one transaction every 1000 calls, at stop() and at
 * fini. stop() marks the run succeeded. A tracker finalised without stop()
 * marks it by what happened to the program's calls on the workflow root
 * (outermost calls): succeeded when at least one was made and none failed,
 * else failed with the first failure's message. The store stays open until fini so that the timing
 * of the runner method that called stop() is kept too.
 */
#include <stdlib.h>
#include <string.h>

#include "components/metadata_tracker/tracker.h"
#include "lolpop/dispatch.h"
#include "lolpop/objstore.h"
#include "lolpop/types/resource_version_control.h"
#include "lolpop/workflow.h"

#define FLUSH_EVERY 1000

typedef struct timing_buf {
    lp_store_timing *items;
    size_t n, cap;
} timing_buf;

/* A model deploy lock this tracker holds (lock_model), re-entrant by depth. */
typedef struct held_lock {
    char *model; /* owned */
    int token;   /* lp_store_model_lock's */
    int depth;
} held_lock;

#define MAX_HELD 8

typedef struct tracker {
    lp_store *store;     /* NULL once finalised */
    char *run_id;        /* owned */
    lp_obj *self, *root; /* borrowed: live as long as the workflow */
    timing_buf timings;
    bool ended;        /* the run's status is written (stop, or fini) */
    bool method_noted; /* the runner method is recorded */
    size_t root_calls; /* calls on the root that returned */
    char *root_error;  /* the first failure of a call on the root (owned), or NULL */
    held_lock held[MAX_HELD];
    lp_objstore *objects; /* copies of report and artifact files; opened on first use */
} tracker;

static const char *const resource_types[] = {
    "dataset",    "dataset_version", "model",     "model_version",
    "experiment", "prediction_job",  "promotion", "deployment",
};
#define N_TYPES (sizeof resource_types / sizeof resource_types[0])

/* The type a resource of `type` must have as its parent ("" for roots). */
static const char *parent_type_of(const char *type)
{
    if (strcmp(type, "dataset_version") == 0) return "dataset";
    if (strcmp(type, "model_version") == 0) return "model";
    if (lp_store_type_is_root(type)) return "";
    return "model_version";
}

static tracker *open_tracker(lp_obj *self)
{
    tracker *t = lp_obj_state(self);
    if (!t->store) {
        lp_error_set(LP_EINVAL, "LocalMetadataTracker: the metadata store is closed");
        return NULL;
    }
    return t;
}

/* ---- timings and hooks --------------------------------------------------------------------- */

static int flush_timings(tracker *t)
{
    if (!t->store || t->timings.n == 0) return 0;
    int rc = lp_store_timings_add(t->store, t->run_id, t->timings.items, t->timings.n);
    t->timings.n = 0; /* written or not, never twice */
    return rc;
}

static void flush_or_warn(tracker *t)
{
    if (flush_timings(t))
        lp_log(t->self, LP_LOG_WARN, "LocalMetadataTracker: call timings were not recorded: %s",
               lp_error_last()->message);
}

/* Whether the call being reported is an outermost one (made by the program,
 * not by another method): the dispatcher's chain holds only its own frame. */
static bool outermost_call(void)
{
    return !strstr(lp_error_context(), " → ");
}

static void on_timing(void *ud, lp_obj *obj, const char *method, double seconds, int ok)
{
    tracker *t = ud;
    if (!t->store) return;
    const lp_class *cls = lp_obj_class(obj);
    const lp_method *m = lp_class_method(cls, method);
    /* The run's outcome is that of the program's calls on the root; a runner
     * method may call another and recover from its failure. */
    if (obj == t->root && outermost_call()) {
        t->root_calls++;
        if (!ok && !t->root_error) t->root_error = lp_error_format();
    }
    if (t->timings.n == t->timings.cap) {
        size_t cap = t->timings.cap ? t->timings.cap * 2 : 64;
        lp_store_timing *items = realloc(t->timings.items, cap * sizeof *items);
        if (!items) return; /* a timing lost to OOM is not worth failing the call */
        t->timings.items = items;
        t->timings.cap = cap;
    }
    /* Strings borrowed from the workflow and the static class: they outlive the buffer. */
    t->timings.items[t->timings.n++] =
        (lp_store_timing){lp_obj_path(obj), cls->name, m ? m->name : "?", seconds, ok != 0};
    /* Flushing only after a success: a failed write must not replace the error
     * the failed call is returning. */
    if (ok && t->timings.n >= FLUSH_EVERY) flush_or_warn(t);
}

static int on_pre(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    tracker *t = ud;
    if (!t->store || t->method_noted || obj != t->root) return 0;
    t->method_noted = true;
    if (lp_store_run_method(t->store, t->run_id, method))
        lp_log(t->self, LP_LOG_WARN, "LocalMetadataTracker: the run's method was not recorded: %s",
               lp_error_last()->message);
    return 0;
}

/* ---- init, fini ------------------------------------------------------------------------------ */

static lp_obj *root_of(lp_obj *o)
{
    while (lp_obj_parent(o))
        o = lp_obj_parent(o);
    return o;
}

static int begin_run(lp_obj *self, tracker *t)
{
    const lp_class *runner = lp_obj_class(t->root);
    char *config =
        lp_store_value_json(lp_workflow_document(lp_obj_workflow(self)), LP_STORE_JSON_HIDE_ENV);
    int rc = config ? lp_store_run_begin(t->store, runner ? runner->name : "", config, &t->run_id)
                    : LP_ENOMEM;
    free(config);
    return rc;
}

static int tracker_init(lp_obj *self)
{
    tracker *t = lp_obj_state(self);
    t->self = self;
    t->root = root_of(self);
    char *path = lp_tracker_store_path(self, NULL);
    int rc = path ? lp_store_open(&t->store, path, LP_STORE_CREATE) : LP_ENOMEM;
    if (rc == 0) rc = begin_run(self, t);
    if (rc == 0) {
        lp_call_hooks hooks = {.ud = t, .pre = on_pre, .timing = on_timing};
        rc = lp_workflow_add_hooks(lp_obj_workflow(self), &hooks);
    }
    if (rc) {
        lp_store_close(t->store); /* marks a begun run failed */
        t->store = NULL;
        free(t->run_id);
        t->run_id = NULL;
    } else {
        lp_log(self, LP_LOG_DEBUG, "run %s recorded in %s", t->run_id, path);
    }
    free(path);
    return rc;
}

/* Releases every deploy lock still held (a failed step between lock and unlock). */
static void release_all(tracker *t)
{
    for (size_t i = 0; i < MAX_HELD; i++)
        if (t->held[i].model) {
            lp_store_model_unlock(t->store, t->held[i].token);
            free(t->held[i].model);
            t->held[i] = (held_lock){0};
        }
}

static void tracker_fini(lp_obj *self)
{
    tracker *t = lp_obj_state(self);
    release_all(t);
    if (t->store) {
        flush_or_warn(t);
        if (!t->ended) {
            bool ok = t->root_calls > 0 && !t->root_error;
            /* No call on the root: building the workflow failed, or nobody called it. */
            if (!ok && !t->root_error && lp_error_last()->code) t->root_error = lp_error_format();
            const char *why = t->root_error ? t->root_error
                                            : "the workflow ended without calling a runner method";
            if (lp_store_run_end(t->store, t->run_id, ok, ok ? NULL : why))
                lp_log(self, LP_LOG_WARN,
                       "LocalMetadataTracker: the run's end was not recorded: %s",
                       lp_error_last()->message);
        }
        lp_store_close(t->store);
        t->store = NULL; /* the hooks stay installed: they check this */
    }
    lp_objstore_close(t->objects);
    t->objects = NULL;
    free(t->timings.items);
    t->timings = (timing_buf){0};
    free(t->run_id);
    free(t->root_error);
    t->run_id = t->root_error = NULL;
}

/* ---- argument helpers ------------------------------------------------------------------------ */

static int check_type_name(const char *type)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strcmp(type, resource_types[i]) == 0) return 0;
    const char *s = lp_suggest(type, resource_types, N_TYPES);
    if (s)
        return lp_error_set(LP_EINVAL, "unknown resource type '%s'; did you mean '%s'?", type, s);
    return lp_error_set(LP_EINVAL,
                        "unknown resource type '%s' (one of dataset, dataset_version, model, "
                        "model_version, experiment, prediction_job, promotion, deployment)",
                        type);
}

static const char *type_of(const lp_value *res)
{
    return lp_value_as_string(lp_map_get(res, "type"));
}

/* The resource args[name] as a stored row of type `want` (NULL: any). */
static int need_resource(tracker *t, const lp_value *args, const char *name, const char *want,
                         lp_value **res)
{
    int rc = lp_tracker_resource_arg(t->store, args, name, res);
    if (rc == 0 && want && strcmp(type_of(*res), want) != 0) {
        rc = lp_error_set(LP_EINVAL, "argument '%s' must be a %s, got the %s %s", name, want,
                          type_of(*res), lp_value_as_string(lp_map_get(*res, "uri")));
        lp_value_unref(*res);
        *res = NULL;
    }
    return rc;
}

/* The null value methods return for "nothing", or NULL passing rc's failure on. */
static lp_value *done(int rc)
{
    return rc ? NULL : lp_value_null();
}

/* A found value, null for "absent", NULL for failure. */
static lp_value *found(int rc, lp_value *v)
{
    if (rc) return NULL;
    return v ? v : lp_value_null();
}

/* ---- resources --------------------------------------------------------------------------------
 */

/* "a" or "an" before a resource type's name. */
static const char *article(const char *type)
{
    return strchr("aeiou", type[0]) ? "an" : "a";
}

/* The parent for a new resource of `type`: args.parent, or for a version
 * without one the root named by `id` (got or created). New reference in *par. */
static int parent_for(tracker *t, const lp_value *args, const char *type, const char *id,
                      lp_value **par)
{
    const char *want = parent_type_of(type);
    const lp_value *p = lp_map_get(args, "parent");
    if (lp_value_type(p) != LP_NULL) return need_resource(t, args, "parent", want, par);
    if (strcmp(type, "dataset_version") && strcmp(type, "model_version"))
        return lp_error_set(LP_EINVAL, "%s %s needs a parent resource (a %s)", article(type), type,
                            want);
    if (!id)
        return lp_error_set(LP_EINVAL, "%s %s needs a parent %s or, in 'id', the %s's name",
                            article(type), type, want, want);
    return lp_store_resource_create(t->store, want, id, 0, t->run_id, par);
}

static lp_value *tracker_create_resource(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    const char *type = NULL, *id = NULL;
    if (!t || lp_tracker_string_arg(args, "type", true, &type) || check_type_name(type))
        return NULL;
    bool root = lp_store_type_is_root(type);
    if (lp_tracker_string_arg(args, "id", root, &id)) return NULL;
    lp_value *par = NULL, *res = NULL;
    int rc = root ? 0 : parent_for(t, args, type, id, &par);
    if (rc == 0)
        rc = lp_store_resource_create(t->store, type, id, lp_tracker_resource_id(par), t->run_id,
                                      &res);
    /* A prediction job descends from its model version: the lineage says so too. */
    if (rc == 0 && strcmp(type, "prediction_job") == 0)
        rc = lp_store_lineage_add(t->store, lp_tracker_resource_id(par),
                                  lp_tracker_resource_id(res), "predicted", t->run_id);
    lp_value_unref(par);
    if (rc) {
        lp_value_unref(res);
        return NULL;
    }
    return res;
}

static lp_value *tracker_get_resource(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    const char *type = NULL;
    if (!t || lp_tracker_string_arg(args, "type", true, &type) || check_type_name(type))
        return NULL;
    const lp_value *id = lp_map_get(args, "id");
    lp_value *res = NULL;
    int rc = 0;
    if (lp_store_type_is_root(type) && lp_value_type(id) == LP_STRING)
        rc = lp_store_resource_find(t->store, type, lp_value_as_string(id), &res);
    else if (lp_value_type(id) == LP_STRING)
        rc = lp_store_resource_by_uri(t->store, lp_value_as_string(id), &res);
    else if (lp_value_type(id) == LP_INT)
        rc = lp_store_resource_get(t->store, lp_value_as_int(id), &res);
    else if (lp_value_type(id) == LP_MAP)
        rc = lp_store_resource_get(t->store, lp_tracker_resource_id(id), &res);
    else
        rc = lp_error_set(LP_EINVAL, "argument 'id' must be a name, a uri or an id, got %s",
                          id ? lp_vtype_name(lp_value_type(id)) : "nothing");
    if (rc == 0 && res && strcmp(type_of(res), type) != 0) { /* another type: not that one */
        lp_value_unref(res);
        res = NULL;
    }
    return found(rc, res);
}

/* The vc_info key: the argument, or by type ("data" for datasets, else "model"). */
static const char *vc_key(const lp_value *args, const lp_value *res, int *rc)
{
    const char *key = NULL;
    *rc = lp_tracker_string_arg(args, "key", false, &key);
    if (key || *rc) return key;
    return strncmp(type_of(res), "dataset", 7) == 0 ? "data" : "model";
}

static lp_value *tracker_register_vc_resource(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *res = NULL;
    if (!t || need_resource(t, args, "resource", NULL, &res)) return NULL;
    const lp_value *info = lp_map_get(args, "vc_info");
    int rc = 0;
    const char *key = vc_key(args, res, &rc);
    if (rc == 0 && lp_value_type(info) != LP_MAP)
        rc = lp_error_set(LP_EINVAL,
                          "argument 'vc_info' must be a map (from "
                          "resource_version_control), got %s",
                          info ? lp_vtype_name(lp_value_type(info)) : "nothing");
    if (rc == 0)
        rc = lp_store_vc_info_set(t->store, lp_tracker_resource_id(res), key, info, t->run_id);
    if (rc) {
        lp_value_unref(res);
        return NULL;
    }
    return res;
}

static lp_value *tracker_get_vc_info(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *res = NULL, *info = NULL;
    if (!t || need_resource(t, args, "resource", NULL, &res)) return NULL;
    int rc = 0;
    const char *key = vc_key(args, res, &rc);
    if (rc == 0) rc = lp_store_vc_info_get(t->store, lp_tracker_resource_id(res), key, &info);
    lp_value_unref(res);
    return found(rc, info);
}

/* ---- tags, artifacts, reports ---------------------------------------------------------------- */

static lp_value *tracker_log_tag(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    const char *key = NULL;
    lp_value *res = NULL;
    if (!t || lp_tracker_string_arg(args, "key", true, &key) ||
        need_resource(t, args, "resource", NULL, &res))
        return NULL;
    const lp_value *value = lp_map_get(args, "value");
    int64_t id = lp_tracker_resource_id(res);
    /* `winner` has at most one holder per model version. */
    int rc = strcmp(key, "winner") == 0
                 ? lp_store_tag_set_exclusive(t->store, id, key, value, t->run_id)
                 : lp_store_tag_set(t->store, id, key, value, t->run_id);
    lp_value_unref(res);
    return done(rc);
}

static lp_value *tracker_get_tag(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    const char *key = NULL;
    lp_value *res = NULL, *v = NULL;
    if (!t || lp_tracker_string_arg(args, "key", true, &key) ||
        need_resource(t, args, "resource", NULL, &res))
        return NULL;
    int rc = lp_store_tag_get(t->store, lp_tracker_resource_id(res), key, &v);
    lp_value_unref(res);
    return found(rc, v);
}

static lp_value *tracker_log_artifact(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    const char *id = NULL, *path = NULL;
    lp_value *res = NULL;
    if (!t || lp_tracker_string_arg(args, "id", true, &id) ||
        lp_tracker_string_arg(args, "path", true, &path) ||
        need_resource(t, args, "resource", NULL, &res))
        return NULL;
    char hex[65];
    lp_tracker_store_object(&t->objects, self, lp_store_location(t->store), path, hex);
    int rc = lp_store_artifact_record(t->store, lp_tracker_resource_id(res), id, path,
                                      hex[0] ? hex : NULL, t->run_id);
    lp_value_unref(res);
    return done(rc);
}

/* Records a report of `kind` from args (report in args[report_arg], class in args[class_arg]). */
static lp_value *log_report(lp_obj *self, lp_value *args, const char *kind, const char *report_arg,
                            const char *class_arg)
{
    tracker *t = open_tracker(self);
    const char *path = NULL, *cls = NULL;
    lp_value *res = NULL;
    if (!t || lp_tracker_string_arg(args, "file_path", false, &path) ||
        lp_tracker_string_arg(args, class_arg, false, &cls) ||
        need_resource(t, args, "resource", NULL, &res))
        return NULL;
    const lp_value *report = lp_map_get(args, report_arg);
    /* The file and its JSON twin (the same name with .json) are kept in the object store. */
    char hex[65], json_hex[65];
    const char *store = lp_store_location(t->store);
    lp_tracker_store_object(&t->objects, self, store, path, hex);
    size_t n = path ? strlen(path) : 0;
    char *twin = n > 5 && strcmp(path + n - 5, ".html") == 0
                     ? lp_asprintf("%.*s.json", (int)(n - 5), path)
                     : NULL;
    lp_tracker_store_object(&t->objects, self, store, twin, json_hex);
    free(twin);
    lp_store_report r = {.kind = kind,
                         .path = path,
                         .cls = cls,
                         .report = report,
                         .status = lp_value_as_string(lp_map_get(report, "status")),
                         .object = hex[0] ? hex : NULL,
                         .json_object = json_hex[0] ? json_hex : NULL};
    int rc = lp_store_report_record(t->store, lp_tracker_resource_id(res), &r, t->run_id);
    lp_value_unref(res);
    return done(rc);
}

static lp_value *tracker_log_data_profile(lp_obj *self, lp_value *args)
{
    return log_report(self, args, "profile", "profile", "profiler_class");
}

static lp_value *tracker_log_checks(lp_obj *self, lp_value *args)
{
    return log_report(self, args, "checks", "checks", "checker_class");
}

static lp_value *tracker_log_data_comparison(lp_obj *self, lp_value *args)
{
    return log_report(self, args, "comparison", "comparison", "comparator_class");
}

/* ---- lineage and versions ---------------------------------------------------------------------
 */

static lp_value *tracker_build_model_lineage(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *mv = NULL, *dv = NULL;
    if (!t || need_resource(t, args, "model_version", "model_version", &mv)) return NULL;
    int rc = need_resource(t, args, "dataset_version", "dataset_version", &dv);
    if (rc == 0)
        rc = lp_store_lineage_add(t->store, lp_tracker_resource_id(dv), lp_tracker_resource_id(mv),
                                  "trained", t->run_id);
    lp_value_unref(mv);
    lp_value_unref(dv);
    return done(rc);
}

static lp_value *tracker_get_prev_resource_version(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *res = NULL, *prev = NULL;
    if (!t || need_resource(t, args, "resource_version", NULL, &res)) return NULL;
    int rc = lp_store_resource_previous(t->store, lp_tracker_resource_id(res), &prev);
    lp_value_unref(res);
    return found(rc, prev);
}

/* The winning experiment of a model version: tagged winner, else the newest. */
static int winning_experiment(tracker *t, const lp_value *mv, lp_value **out)
{
    int64_t id = lp_tracker_resource_id(mv);
    lp_value *yes = lp_value_bool(true);
    int rc = yes ? lp_store_resource_latest_tagged(t->store, id, "experiment", "winner", yes, out)
                 : LP_ENOMEM;
    lp_value_unref(yes);
    if (rc == 0 && !*out) rc = lp_store_resource_latest(t->store, id, "experiment", out);
    if (rc == 0 && !*out)
        rc = lp_error_set(LP_ENOTFOUND, "model version %s has no experiments",
                          lp_value_as_string(lp_map_get(mv, "uri")));
    return rc;
}

static lp_value *tracker_get_winning_experiment(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *mv = NULL, *exp = NULL;
    if (!t || need_resource(t, args, "model_version", "model_version", &mv)) return NULL;
    int rc = winning_experiment(t, mv, &exp);
    lp_value_unref(mv);
    return rc ? NULL : exp;
}

/* The model a model_version (or model) belongs to: *model a new reference. */
static int model_of(tracker *t, const lp_value *args, const char *name, lp_value **model)
{
    lp_value *res = NULL;
    int rc = need_resource(t, args, name, NULL, &res);
    if (rc) return rc;
    if (strcmp(type_of(res), "model") == 0) {
        *model = res;
        return 0;
    }
    if (strcmp(type_of(res), "model_version") == 0)
        rc = lp_store_resource_get(t->store, lp_value_as_int(lp_map_get(res, "parent")), model);
    else
        rc = lp_error_set(LP_EINVAL,
                          "argument '%s' must be a model_version or a model, got the %s %s", name,
                          type_of(res), lp_value_as_string(lp_map_get(res, "uri")));
    lp_value_unref(res);
    return rc;
}

static lp_value *tracker_get_currently_deployed_model_version(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *model = NULL, *tag = NULL, *mv = NULL;
    if (!t || model_of(t, args, "model_version", &model)) return NULL;
    int rc = lp_store_tag_get(t->store, lp_tracker_resource_id(model), "deployed_version", &tag);
    int64_t id = lp_value_type(tag) == LP_MAP ? lp_tracker_resource_id(tag) : lp_value_as_int(tag);
    if (rc == 0 && id > 0) rc = lp_store_resource_get(t->store, id, &mv);
    lp_value_unref(model);
    lp_value_unref(tag);
    return found(rc, mv);
}

static lp_value *tracker_get_latest_model_resource(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    if (!t) return NULL;
    const lp_value *arg = lp_map_get(args, "model");
    lp_value *model = NULL, *mv = NULL;
    int rc = 0;
    if (lp_value_type(arg) == LP_STRING && !strchr(lp_value_as_string(arg), '/')) {
        /* A model name: no such model has no versions. */
        rc = lp_store_resource_find(t->store, "model", lp_value_as_string(arg), &model);
        if (rc || !model) return found(rc, NULL);
    } else {
        rc = model_of(t, args, "model", &model);
    }
    if (rc == 0)
        rc =
            lp_store_resource_latest(t->store, lp_tracker_resource_id(model), "model_version", &mv);
    lp_value_unref(model);
    return found(rc, mv);
}

static lp_value *tracker_load_model(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *mv = NULL, *exp = NULL, *info = NULL, *model = NULL;
    if (!t || need_resource(t, args, "model_version", "model_version", &mv)) return NULL;
    int rc = winning_experiment(t, mv, &exp);
    if (rc == 0) rc = lp_store_vc_info_get(t->store, lp_tracker_resource_id(exp), "model", &info);
    if (rc == 0 && !info)
        rc = lp_error_set(LP_ENOTFOUND,
                          "experiment %s (the winner of %s) has no stored model (no vc_info "
                          "'model')",
                          lp_value_as_string(lp_map_get(exp, "uri")),
                          lp_value_as_string(lp_map_get(mv, "uri")));
    lp_obj *rvc = rc ? NULL : lp_obj_component(self, "resource_version_control");
    if (rc == 0 && !rvc)
        rc = lp_error_set(LP_ECONFIG,
                          "load_model needs a resource_version_control component to read the "
                          "stored model; add one to the workflow");
    if (rc == 0) {
        model = lp_resource_version_control_get_model(rvc, exp, info);
        if (!model) rc = lp_error_last()->code;
    }
    lp_value_unref(mv);
    lp_value_unref(exp);
    lp_value_unref(info);
    return rc ? NULL : model;
}

/* ---- the run -----------------------------------------------------------------------------------
 */

static lp_value *tracker_stop(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    if (!t) return NULL;
    int rc = flush_timings(t);
    if (!t->ended) {
        int end_rc = lp_store_run_end(t->store, t->run_id, true, NULL);
        rc = rc ? rc : end_rc;
        t->ended = true;
    }
    return done(rc);
}

static lp_value *tracker_run_info(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *run = NULL;
    if (!t || lp_store_run_get(t->store, t->run_id, &run)) return NULL;
    lp_value *info = lp_value_map();
    lp_value *status = lp_map_get(run, "status");
    int rc = info ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lp_map_set(info, "id", lp_value_string(t->run_id));
    if (rc == 0) rc = lp_map_set(info, "store", lp_value_string(lp_store_location(t->store)));
    if (rc == 0) rc = lp_map_set(info, "status", lp_value_ref(status));
    lp_value_unref(run);
    if (rc) {
        lp_value_unref(info);
        return NULL;
    }
    return info;
}

/* ---- deployments: one model at a time ---------------------------------------------------- */

/* How long lock_model waits for another process's switch (seconds). */
#define LOCK_TIMEOUT_S 600.0

/* The model's name from args[name]: a model name, or a model / model_version
 * resource (map, id or uri). *out borrowed from *hold (a new ref to unref). */
static int model_name_arg(tracker *t, const lp_value *args, const char *name, lp_value **hold,
                          const char **out)
{
    const lp_value *arg = lp_map_get(args, name);
    *hold = NULL;
    if (lp_value_type(arg) == LP_STRING && !strchr(lp_value_as_string(arg), '/')) {
        *out = lp_value_as_string(arg);
        return *out[0] ? 0 : lp_error_set(LP_EINVAL, "argument '%s' is an empty model name", name);
    }
    int rc = model_of(t, args, name, hold);
    *out = rc ? NULL : lp_value_as_string(lp_map_get(*hold, "name"));
    return rc;
}

static held_lock *find_held(tracker *t, const char *model)
{
    for (size_t i = 0; i < MAX_HELD; i++)
        if (t->held[i].model && strcmp(t->held[i].model, model) == 0) return &t->held[i];
    return NULL;
}

/* lock_model(model) -> {model, depth}: waits for the model's deploy lock. */
static lp_value *tracker_lock_model(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *hold = NULL;
    const char *name = NULL;
    if (!t || model_name_arg(t, args, "model", &hold, &name)) return NULL;
    held_lock *h = find_held(t, name);
    int rc = 0;
    if (!h) {
        for (size_t i = 0; !h && i < MAX_HELD; i++)
            if (!t->held[i].model) h = &t->held[i];
        if (!h)
            rc = lp_error_set(LP_EINVAL, "lock_model: already holding %d model locks", MAX_HELD);
        if (rc == 0) rc = lp_store_model_lock(t->store, name, LOCK_TIMEOUT_S, &h->token);
        if (rc == 0 && !(h->model = lp_strdup(name))) {
            lp_store_model_unlock(t->store, h->token);
            rc = LP_ENOMEM;
        }
        if (rc == 0) lp_log(self, LP_LOG_DEBUG, "deploy lock of model '%s' taken", name);
    }
    lp_value *r = rc ? NULL : lp_value_map();
    if (r && (lp_map_set(r, "model", lp_value_string(name)) ||
              lp_map_set(r, "depth", lp_value_int(++h->depth)))) {
        lp_value_unref(r);
        r = NULL;
    }
    lp_value_unref(hold);
    return r;
}

/* unlock_model(model): undoes one lock_model; the last one releases the lock. */
static lp_value *tracker_unlock_model(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *hold = NULL;
    const char *name = NULL;
    if (!t || model_name_arg(t, args, "model", &hold, &name)) return NULL;
    held_lock *h = find_held(t, name);
    int rc = h ? 0
               : lp_error_set(LP_EINVAL, "unlock_model: the deploy lock of model '%s' is not held",
                              name);
    if (h && --h->depth == 0) {
        lp_store_model_unlock(t->store, h->token);
        free(h->model);
        *h = (held_lock){0};
        lp_log(self, LP_LOG_DEBUG, "deploy lock of model '%s' released", name);
    }
    lp_value_unref(hold);
    return done(rc);
}

/* record_deployment(model_version, path, action, alias, who) -> deployment:
 * the deployment row, the alias and deployed_version in one transaction. */
static lp_value *tracker_record_deployment(lp_obj *self, lp_value *args)
{
    tracker *t = open_tracker(self);
    lp_value *mv = NULL, *dep = NULL;
    if (!t || need_resource(t, args, "model_version", "model_version", &mv)) return NULL;
    const char *path = NULL, *action = NULL, *alias = NULL, *who = NULL;
    int rc = lp_tracker_string_arg(args, "path", true, &path);
    if (rc == 0) rc = lp_tracker_string_arg(args, "action", false, &action);
    if (rc == 0) rc = lp_tracker_string_arg(args, "alias", false, &alias);
    if (rc == 0) rc = lp_tracker_string_arg(args, "who", false, &who);
    lp_store_deploy d = {.model_version = lp_tracker_resource_id(mv),
                         .alias = alias,
                         .path = path,
                         .action = action ? action : "deploy",
                         .who = who,
                         .run_id = t->run_id};
    if (rc == 0) rc = lp_store_deploy_record(t->store, &d, &dep);
    lp_value_unref(mv);
    return rc ? NULL : dep;
}

static const lp_method tracker_methods[] = {
    {"create_resource", tracker_create_resource,
     "create_resource(id, type, parent) -> resource: dataset/model got or created by name (id); "
     "other types numbered 1, 2, ... under parent (a version without parent: under the root "
     "named id)"},
    {"get_resource", tracker_get_resource,
     "get_resource(id, type) -> resource or null: by name for dataset/model, else by uri or id"},
    {"register_vc_resource", tracker_register_vc_resource,
     "register_vc_resource(resource, vc_info, key) -> resource: stores vc_info under key "
     "(default data for datasets, model otherwise)"},
    {"get_vc_info", tracker_get_vc_info, "get_vc_info(resource, key) -> vc_info or null"},
    {"log_tag", tracker_log_tag,
     "log_tag(resource, key, value): sets a tag (winner=true clears the other experiments')"},
    {"get_tag", tracker_get_tag, "get_tag(resource, key) -> value or null"},
    {"log_artifact", tracker_log_artifact, "log_artifact(resource, id, path): attaches a file"},
    {"log_data_profile", tracker_log_data_profile,
     "log_data_profile(resource, file_path, profile, profiler_class): records a profile report"},
    {"log_checks", tracker_log_checks,
     "log_checks(resource, file_path, checks, checker_class): records a checks report"},
    {"log_data_comparison", tracker_log_data_comparison,
     "log_data_comparison(resource, file_path, comparison, comparator_class): records a "
     "comparison report"},
    {"build_model_lineage", tracker_build_model_lineage,
     "build_model_lineage(model_version, dataset_version): records dataset version -> model "
     "version"},
    {"get_prev_resource_version", tracker_get_prev_resource_version,
     "get_prev_resource_version(resource_version) -> resource_version or null"},
    {"get_winning_experiment", tracker_get_winning_experiment,
     "get_winning_experiment(model_version) -> experiment: tagged winner, else the newest"},
    {"get_currently_deployed_model_version", tracker_get_currently_deployed_model_version,
     "get_currently_deployed_model_version(model_version) -> model_version or null (the model's "
     "deployed_version tag)"},
    {"get_latest_model_resource", tracker_get_latest_model_resource,
     "get_latest_model_resource(model) -> model_version or null"},
    {"load_model", tracker_load_model,
     "load_model(model_version) -> model: the winning experiment's model through "
     "resource_version_control.get_model"},
    {"stop", tracker_stop, "stop(): writes pending timings and marks the run succeeded"},
    {"run_info", tracker_run_info, "run_info() -> {id, store, status}: the current run"},
    {"lock_model", tracker_lock_model,
     "lock_model(model) -> {model, depth}: waits for the model's deploy lock (re-entrant; held "
     "until as many unlock_model calls, or the end of the process)"},
    {"unlock_model", tracker_unlock_model, "unlock_model(model): undoes one lock_model"},
    {"record_deployment", tracker_record_deployment,
     "record_deployment(model_version, path, action, alias, who) -> deployment: the deployment "
     "(tags path, action, alias, who, at, previous), alias.<alias> (default production) and "
     "deployed_version, in one transaction"},
    {NULL, NULL, NULL},
};

static const lp_config_key tracker_keys[] = {
    {"store", "string",
     "the metadata store: a SQLite file path (default .lolpop/lolpop.db, relative to the working "
     "directory)"},
    {"objects_dir", "string",
     "where copies of report and artifact files go (an object store; default: the metadata "
     "store's directory, whose objects/ LocalResourceVersionControl uses too)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_metadata_tracker_class = {
    .name = "LocalMetadataTracker",
    .kind = LP_KIND_COMPONENT,
    .type = "metadata_tracker",
    .doc = "Records the run (configuration, git commit, status, timing of every call) and its "
           "resources — datasets, models, their versions, experiments, prediction jobs — with "
           "tags, artifacts, version-control info, reports and lineage in a metadata store "
           "(one SQLite file, safe for concurrent workflows). The default metadata_tracker of "
           "every workflow; `lolpop runs` reads the same store.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = tracker_keys,
    .methods = tracker_methods,
    .state_size = sizeof(tracker),
    .init = tracker_init,
    .fini = tracker_fini,
};
