/*
 * store_sqlite_rows.c — the SQLite back-end's resources and what hangs off
 * them: tags, artifacts, version-control info, reports, lineage, metrics.
 *
 * Writes check that the resource exists inside their transaction, so a bad id
 * is LP_ENOTFOUND naming it rather than a bare foreign-key failure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite.h"

/* ---- resources ------------------------------------------------------------------------ */

static bool is_version_type(const char *type)
{
    size_t n = strlen(type), k = strlen("_version");
    return n > k && strcmp(type + n - k, "_version") == 0;
}

/* Inserts a row and reads it back into *out. */
static int insert_resource(sq_store *s, const char *type, const char *name, int64_t version,
                           int64_t parent, const char *run_id, const char *uri, lp_value **out)
{
    int rc = sq_exec(s, Q_RES_INSERT, "ttIIttf", type, name, version, parent, run_id, uri,
                     lp_store_now());
    if (rc) return rc;
    return sq_resource_query(s, Q_RES_GET, out, "i", (int64_t)sqlite3_last_insert_rowid(s->db));
}

static int create_root(sq_store *s, const char *type, const char *name, const char *run_id,
                       lp_value **out)
{
    int rc = sq_resource_query(s, Q_RES_FIND_ROOT, out, "tt", type, name);
    if (rc || *out) return rc;
    char *uri = lp_asprintf("%s/%s", type, name);
    rc = uri ? insert_resource(s, type, name, 0, 0, run_id, uri, out) : LP_ENOMEM;
    free(uri);
    return rc;
}

static int create_child(sq_store *s, const char *type, int64_t parent, const char *run_id,
                        lp_value **out)
{
    lp_value *par = NULL;
    int rc = sq_resource_query(s, Q_RES_GET, &par, "i", parent);
    if (rc == 0 && !par)
        rc = lp_error_set(LP_ENOTFOUND,
                          "metadata store '%s': cannot create a %s under resource %lld: it does "
                          "not exist",
                          s->base.location, type, (long long)parent);
    int64_t version = 0;
    if (rc == 0) {
        sqlite3_stmt *q = sq_bind(s, Q_RES_MAXVER, "it", parent, type);
        int src = q ? sqlite3_step(q) : SQLITE_ERROR;
        if (src == SQLITE_ROW)
            version = sqlite3_column_int64(q, 0) + 1;
        else
            rc = q ? sq_fail(s, Q_RES_MAXVER) : lp_error_last()->code;
        sq_done(s, Q_RES_MAXVER);
    }
    char *uri = NULL;
    if (rc == 0) {
        const char *puri = lp_value_as_string(lp_map_get(par, "uri"));
        uri = is_version_type(type) ? lp_asprintf("%s/v%lld", puri, (long long)version)
                                    : lp_asprintf("%s/%s/%lld", puri, type, (long long)version);
        rc = uri ? 0 : LP_ENOMEM;
    }
    if (rc == 0)
        rc = insert_resource(s, type, lp_value_as_string(lp_map_get(par, "name")), version, parent,
                             run_id, uri, out);
    free(uri);
    lp_value_unref(par);
    return rc;
}

int sq_resource_create(lp_store *st, const char *type, const char *name, int64_t parent,
                       const char *run_id, lp_value **out)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0)
        rc = parent ? create_child(s, type, parent, run_id, out)
                    : create_root(s, type, name, run_id, out);
    rc = sq_end(s, rc);
    if (rc) {
        lp_value_unref(*out);
        *out = NULL;
    }
    return rc;
}

int sq_resource_roots(lp_store *st, const char *type, lp_value **out)
{
    return sq_resource_list(sq_of(st), Q_RES_ROOTS, out, "t", type);
}

int sq_resource_get(lp_store *st, int64_t id, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_GET, out, "i", id);
}

int sq_resource_find(lp_store *st, const char *type, const char *name, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_FIND_ROOT, out, "tt", type, name);
}

int sq_resource_by_uri(lp_store *st, const char *uri, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_BY_URI, out, "t", uri);
}

int sq_resource_children(lp_store *st, int64_t parent, const char *type, lp_value **out)
{
    return sq_resource_list(sq_of(st), Q_RES_CHILDREN, out, "it", parent, type);
}

int sq_resource_latest(lp_store *st, int64_t parent, const char *type, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_LATEST, out, "it", parent, type);
}

int sq_resource_latest_tagged(lp_store *st, int64_t parent, const char *type, const char *key,
                              const char *json, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_LATEST_TAGGED, out, "ittt", parent, type, key, json);
}

int sq_resource_previous(lp_store *st, int64_t id, lp_value **out)
{
    return sq_resource_query(sq_of(st), Q_RES_PREVIOUS, out, "i", id);
}

/* ---- key -> value maps (tags, artifacts, vc_info) ------------------------------------------ */

/* Runs q for the resource and collects (column 0 -> column 1) into a new map. */
static int kv_map(sq_store *s, sq_query q, int64_t resource, bool json, lp_value **out)
{
    sqlite3_stmt *st = sq_bind(s, q, "i", resource);
    if (!st) return lp_error_last()->code;
    lp_value *map = lp_value_map();
    int rc = map ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
        lp_value *v = sq_column(st, 1, json);
        rc = v ? lp_map_set(map, (const char *)sqlite3_column_text(st, 0), v)
               : lp_error_last()->code;
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, q);
    sq_done(s, q);
    if (rc) {
        lp_value_unref(map);
        return rc;
    }
    *out = map;
    return 0;
}

/* The single JSON value q returns for (resource, key), or *out NULL. */
static int keyed_json(sq_store *s, sq_query q, int64_t resource, const char *key, lp_value **out)
{
    sqlite3_stmt *st = sq_bind(s, q, "it", resource, key);
    if (!st) return lp_error_last()->code;
    int src = sqlite3_step(st), rc = 0;
    if (src == SQLITE_ROW) {
        *out = sq_column(st, 0, true);
        if (!*out) rc = lp_error_last()->code;
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(s, q);
    }
    sq_done(s, q);
    return rc;
}

int sq_tag_set(lp_store *st, int64_t resource, const char *key, const char *json,
               const char *run_id, bool exclusive)
{
    sq_store *s = sq_of(st);
    double now = lp_store_now();
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, resource);
    if (rc == 0 && exclusive && strcmp(json, "true") == 0)
        rc = sq_exec(s, Q_TAG_CLEAR_SIBLINGS, "ittf", resource, key, run_id, now);
    if (rc == 0) rc = sq_exec(s, Q_TAG_SET, "itttf", resource, key, json, run_id, now);
    return sq_end(s, rc);
}

int sq_tag_get(lp_store *st, int64_t resource, const char *key, lp_value **out)
{
    return keyed_json(sq_of(st), Q_TAG_GET, resource, key, out);
}

int sq_tags(lp_store *st, int64_t resource, lp_value **out)
{
    return kv_map(sq_of(st), Q_TAGS, resource, true, out);
}

int sq_artifact_add(lp_store *st, int64_t resource, const char *name, const char *path,
                    const char *object, const char *run_id)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, resource);
    if (rc == 0)
        rc = sq_exec(s, Q_ART_SET, "ittttf", resource, name, path, object, run_id, lp_store_now());
    return sq_end(s, rc);
}

int sq_artifacts(lp_store *st, int64_t resource, lp_value **out)
{
    return kv_map(sq_of(st), Q_ARTS, resource, false, out);
}

int sq_vc_info_set(lp_store *st, int64_t resource, const char *key, const char *json,
                   const char *run_id)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, resource);
    if (rc == 0) rc = sq_exec(s, Q_VC_SET, "itttf", resource, key, json, run_id, lp_store_now());
    return sq_end(s, rc);
}

int sq_vc_info_get(lp_store *st, int64_t resource, const char *key, lp_value **out)
{
    return keyed_json(sq_of(st), Q_VC_GET, resource, key, out);
}

int sq_vc_infos(lp_store *st, int64_t resource, lp_value **out)
{
    return kv_map(sq_of(st), Q_VCS, resource, true, out);
}

/* ---- reports, lineage ------------------------------------------------------------------------ */

int sq_report_add(lp_store *st, int64_t resource, const lp_store_report *r, const char *json,
                  const char *run_id)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, resource);
    if (rc == 0)
        rc = sq_exec(s, Q_REPORT_INSERT, "ittttttftt", resource, r->kind, r->path, r->cls, json,
                     r->status, run_id, lp_store_now(), r->object, r->json_object);
    return sq_end(s, rc);
}

/* Rows of q (bound to the resource) as maps with `keys` (column i -> keys[i];
 * json[i] parses the column; NULL columns are left out). */
static int rows_as_maps(sq_store *s, sq_query q, int64_t resource, const char *const *keys,
                        const bool *json, int ncols, lp_value **out)
{
    sqlite3_stmt *st = sq_bind(s, q, "i", resource);
    if (!st) return lp_error_last()->code;
    lp_value *list = lp_value_list();
    int rc = list ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
        lp_value *m = lp_value_map();
        rc = m ? lp_list_append(list, m) : LP_ENOMEM;
        for (int i = 0; rc == 0 && i < ncols; i++) {
            if (sqlite3_column_type(st, i) == SQLITE_NULL) continue;
            lp_value *v = sq_column(st, i, json[i]);
            rc = v ? lp_map_set(m, keys[i], v) : lp_error_last()->code;
        }
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, q);
    sq_done(s, q);
    if (rc) {
        lp_value_unref(list);
        return rc;
    }
    *out = list;
    return 0;
}

int sq_reports(lp_store *st, int64_t resource, lp_value **out)
{
    static const char *const keys[] = {"kind",   "path",   "class",      "status",
                                       "report", "object", "json_object"};
    static const bool json[] = {false, false, false, false, true, false, false};
    return rows_as_maps(sq_of(st), Q_REPORTS, resource, keys, json, 7, out);
}

int sq_artifact_list(lp_store *st, int64_t resource, lp_value **out)
{
    static const char *const keys[] = {"name", "path", "object"};
    static const bool json[] = {false, false, false};
    return rows_as_maps(sq_of(st), Q_ART_LIST, resource, keys, json, 3, out);
}

int sq_lineage_add(lp_store *st, int64_t from, int64_t to, const char *kind, const char *run_id)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, from);
    if (rc == 0) rc = sq_need_resource(s, to);
    if (rc == 0) rc = sq_exec(s, Q_LINEAGE_INSERT, "iittf", from, to, kind, run_id, lp_store_now());
    return sq_end(s, rc);
}

int sq_lineage(lp_store *st, int64_t resource, lp_value **out)
{
    static const char *const keys[] = {"from", "to", "kind", "from_uri", "to_uri"};
    static const bool json[] = {false, false, false, false, false};
    return rows_as_maps(sq_of(st), Q_LINEAGE, resource, keys, json, 5, out);
}

/* ---- metrics -----------------------------------------------------------------------------------
 */

int sq_metrics_set(lp_store *st, int64_t resource, const lp_store_metric *m, size_t n)
{
    sq_store *s = sq_of(st);
    double now = lp_store_now();
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_need_resource(s, resource);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sq_exec(s, Q_METRIC_SET, "ittff", resource, m[i].split, m[i].name, m[i].value, now);
    return sq_end(s, rc);
}

int sq_metric_get(lp_store *st, int64_t resource, const char *split, const char *name,
                  double *value, bool *found)
{
    sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_bind(s, Q_METRIC_GET, "itt", resource, split, name);
    if (!q) return lp_error_last()->code;
    int src = sqlite3_step(q), rc = 0;
    if (src == SQLITE_ROW) {
        *found = true;
        *value = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(s, Q_METRIC_GET);
    }
    sq_done(s, Q_METRIC_GET);
    return rc;
}

int sq_metrics(lp_store *st, int64_t resource, lp_value **out)
{
    sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_bind(s, Q_METRICS, "i", resource);
    if (!q) return lp_error_last()->code;
    lp_value *map = lp_value_map();
    int rc = map ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW) {
        const char *split = (const char *)sqlite3_column_text(q, 0);
        lp_value *inner = lp_map_get(map, split);
        if (!inner) {
            inner = lp_value_map();
            rc = inner ? lp_map_set(map, split, inner) : LP_ENOMEM;
        }
        double v = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
        lp_value *f = rc ? NULL : lp_value_float(v);
        if (rc == 0)
            rc = f ? lp_map_set(inner, (const char *)sqlite3_column_text(q, 1), f) : LP_ENOMEM;
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, Q_METRICS);
    sq_done(s, Q_METRICS);
    if (rc) {
        lp_value_unref(map);
        return rc;
    }
    *out = map;
    return 0;
}

/* ---- deployments ------------------------------------------------------------------------- */

/* Sets tag key of resource to the JSON text `json` inside the open transaction. */
static int put_tag(sq_store *s, int64_t resource, const char *key, const char *json,
                   const char *run_id, double at)
{
    return json ? sq_exec(s, Q_TAG_SET, "itttf", resource, key, json, run_id, at) : LP_ENOMEM;
}

/* A string as JSON text (new string). */
static char *json_string_of(const char *text)
{
    lp_value *v = lp_value_string(text);
    char *json = v ? lp_store_value_json(v, 0) : NULL;
    lp_value_unref(v);
    return json;
}

/* The deployment's own tags: path, action, alias, who, at, previous. */
static int deployment_tags(sq_store *s, int64_t dep, const lp_store_deploy *d,
                           const lp_value *previous, double at)
{
    char *path = json_string_of(d->path), *action = json_string_of(d->action),
         *alias = json_string_of(d->alias), *who = json_string_of(d->who);
    char *prev = previous ? lp_store_value_json(previous, 0) : lp_strdup("null");
    char *when = lp_asprintf("%.6f", at);
    int rc = put_tag(s, dep, "path", path, d->run_id, at);
    if (rc == 0) rc = put_tag(s, dep, "action", action, d->run_id, at);
    if (rc == 0) rc = put_tag(s, dep, "alias", alias, d->run_id, at);
    if (rc == 0) rc = put_tag(s, dep, "who", who, d->run_id, at);
    if (rc == 0) rc = put_tag(s, dep, "at", when, d->run_id, at);
    if (rc == 0) rc = put_tag(s, dep, "previous", prev, d->run_id, at);
    free(path);
    free(action);
    free(alias);
    free(who);
    free(prev);
    free(when);
    return rc;
}

int sq_deploy_record(lp_store *st, const lp_store_deploy *d, double at, lp_value **out)
{
    sq_store *s = sq_of(st);
    lp_value *mv = NULL, *previous = NULL;
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_resource_query(s, Q_RES_GET, &mv, "i", d->model_version);
    const char *type = mv ? lp_value_as_string(lp_map_get(mv, "type")) : NULL;
    if (rc == 0 && (!type || strcmp(type, "model_version") != 0))
        rc = lp_error_set(LP_ENOTFOUND,
                          "metadata store '%s': cannot record a deployment of resource %lld: it "
                          "is not a model version",
                          st->location, (long long)d->model_version);
    int64_t model = mv ? lp_value_as_int(lp_map_get(mv, "parent")) : 0;
    if (rc == 0) rc = keyed_json(s, Q_TAG_GET, model, "deployed_version", &previous);
    if (rc == 0) rc = create_child(s, "deployment", d->model_version, d->run_id, out);
    if (rc == 0) rc = deployment_tags(s, lp_value_as_int(lp_map_get(*out, "id")), d, previous, at);
    char *id = lp_asprintf("%lld", (long long)d->model_version);
    char *alias_key = lp_asprintf("alias.%s", d->alias);
    if (rc == 0 && !(id && alias_key)) rc = LP_ENOMEM;
    if (rc == 0) rc = put_tag(s, model, alias_key, id, d->run_id, at);
    if (rc == 0) rc = put_tag(s, model, "deployed_version", id, d->run_id, at);
    free(id);
    free(alias_key);
    lp_value_unref(mv);
    lp_value_unref(previous);
    rc = sq_end(s, rc);
    if (rc) {
        lp_value_unref(*out);
        *out = NULL;
    }
    return rc;
}

int sq_model_lock(lp_store *st, const char *name, double timeout_s, int *lock)
{
    sq_store *s = sq_of(st);
    int fd = lp_store_model_lock_take(s->dir, st->location, name, timeout_s);
    if (fd < 0) return fd;
    *lock = fd;
    return 0;
}

void sq_model_unlock(lp_store *st, int lock)
{
    (void)st;
    lp_store_model_lock_release(lock);
}
