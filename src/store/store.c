/*
 * store.c — the back-end-neutral half of the metadata store: picks the
 * back-end from the location, checks arguments, makes run ids and the facts a
 * run begins with (git commit, pid, host, time), turns values into JSON text,
 * and forwards to the back-end's ops table.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_backend.h"

#define CHECK_ST(st, what)                                                                         \
    do {                                                                                           \
        if (!(st)) return lp_error_set(LP_EINVAL, "%s: no metadata store given", what);            \
    } while (0)

double lp_store_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool lp_store_type_is_root(const char *type)
{
    return type && (strcmp(type, "dataset") == 0 || strcmp(type, "model") == 0);
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

int lp_store_open(lp_store **out, const char *location, int flags)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_open: out is required");
    *out = NULL;
    if (!location || !*location)
        return lp_error_set(LP_EINVAL, "metadata store: the location is empty (give a file path)");
    if (has_prefix(location, "postgresql://") || has_prefix(location, "postgres://"))
        return lp_error_set(LP_ECONFIG,
                            "metadata store '%s': PostgreSQL stores are not supported yet; give "
                            "a SQLite file path",
                            location);
    const char *path = has_prefix(location, "sqlite:") ? location + 7 : location;
    if (!*path)
        return lp_error_set(LP_EINVAL, "metadata store '%s': the file path is empty", location);
    return lp_store_sqlite_open(out, location, path, flags);
}

void lp_store_close(lp_store *st)
{
    if (!st) return;
    if (st->active_run) {
        /* A run nobody ended: its process is about to lose the lock anyway. */
        st->ops->run_end(st, st->active_run, "failed",
                         "the metadata store was closed before the run ended", lp_store_now());
        free(st->active_run);
        st->active_run = NULL;
    }
    st->ops->close(st);
}

const char *lp_store_location(const lp_store *st)
{
    return st ? st->location : NULL;
}

static int check_writable(lp_store *st, const char *what)
{
    if (st->flags & LP_STORE_READONLY)
        return lp_error_set(LP_EINVAL, "metadata store '%s': %s: the store was opened read-only",
                            st->location, what);
    return 0;
}

/* ---- runs ------------------------------------------------------------------------------ */

static char *hostname_dup(void)
{
    char host[HOST_NAME_MAX + 1];
    if (gethostname(host, sizeof host) != 0) return lp_strdup("unknown");
    host[HOST_NAME_MAX] = 0;
    return lp_strdup(host);
}

int lp_store_run_begin(lp_store *st, const char *runner, const char *config_json, char **run_id)
{
    CHECK_ST(st, "beginning a run");
    if (!run_id) return lp_error_set(LP_EINVAL, "lp_store_run_begin: run_id is required");
    *run_id = NULL;
    int rc = check_writable(st, "beginning a run");
    if (rc) return rc;
    if (st->active_run)
        return lp_error_set(LP_EINVAL,
                            "metadata store '%s': run %s is still active on this handle; end it "
                            "before beginning another",
                            st->location, st->active_run);
    char cwd[PATH_MAX];
    char *git = getcwd(cwd, sizeof cwd) ? lp_store_git_commit(cwd) : NULL;
    char *host = hostname_dup();
    char id[LP_STORE_RUN_ID_LEN + 1];
    rc = host ? 0 : LP_ENOMEM;
    /* Ids carry 24 random bits per second: a collision is rare; retry it. */
    for (int attempt = 0; rc == 0 && attempt < 8; attempt++) {
        rc = lp_store_new_run_id(id, sizeof id);
        lp_store_run_row row = {id,   runner ? runner : "", config_json,   git,
                                host, (int64_t)getpid(),    lp_store_now()};
        if (rc == 0) rc = st->ops->run_begin(st, &row);
        if (rc != LP_EEXISTS) break;
        rc = 0;
    }
    free(git);
    free(host);
    if (rc) return rc;
    if (!(st->active_run = lp_strdup(id)) || !(*run_id = lp_strdup(id))) {
        rc = LP_ENOMEM;
        lp_store_run_end(st, id, false, "out of memory");
    }
    return rc;
}

int lp_store_run_method(lp_store *st, const char *run_id, const char *method)
{
    CHECK_ST(st, "recording a run's method");
    if (!run_id || !method)
        return lp_error_set(LP_EINVAL, "lp_store_run_method: run id and method are required");
    int rc = check_writable(st, "recording a run's method");
    return rc ? rc : st->ops->run_method(st, run_id, method);
}

int lp_store_run_end(lp_store *st, const char *run_id, bool ok, const char *error)
{
    CHECK_ST(st, "ending a run");
    if (!run_id) return lp_error_set(LP_EINVAL, "lp_store_run_end: run id is required");
    int rc = check_writable(st, "ending a run");
    if (rc) return rc;
    rc = st->ops->run_end(st, run_id, ok ? "succeeded" : "failed", ok ? NULL : error,
                          lp_store_now());
    if (st->active_run && strcmp(st->active_run, run_id) == 0) {
        free(st->active_run);
        st->active_run = NULL;
    }
    return rc;
}

/* "a, b, c" of the ids in a list (new string). */
static char *join_ids(const lp_value *ids, size_t max)
{
    lp_sb sb = {0};
    for (size_t i = 0; i < lp_list_len(ids) && i < max; i++)
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", lp_value_as_string(lp_list_get(ids, i)));
    if (lp_list_len(ids) > max) lp_sb_append(&sb, ", ...");
    return lp_sb_take(&sb);
}

int lp_store_run_resolve(lp_store *st, const char *ref, char **run_id)
{
    CHECK_ST(st, "finding a run");
    if (!ref || !run_id) return lp_error_set(LP_EINVAL, "lp_store_run_resolve: bad arguments");
    *run_id = NULL;
    bool latest = strcmp(ref, "latest") == 0;
    if (!latest && !*ref)
        return lp_error_set(LP_EINVAL, "metadata store '%s': the run id is empty", st->location);
    lp_value *ids = NULL;
    int rc = st->ops->run_ids(st, latest ? "" : ref, latest ? 1 : 6, &ids);
    if (rc) return rc;
    size_t n = lp_list_len(ids);
    const char *exact = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(lp_value_as_string(lp_list_get(ids, i)), ref) == 0)
            exact = lp_value_as_string(lp_list_get(ids, i));
    if (n == 0) {
        rc = latest
                 ? lp_error_set(LP_ENOTFOUND, "metadata store '%s' has no runs yet", st->location)
                 : lp_error_set(LP_ENOTFOUND,
                                "no run '%s' in the metadata store '%s' (see 'lolpop runs "
                                "list')",
                                ref, st->location);
    } else if (n > 1 && !exact) {
        char *list = join_ids(ids, 5);
        rc = lp_error_set(LP_EINVAL, "run id prefix '%s' is ambiguous: it matches %s", ref,
                          list ? list : "several runs");
        free(list);
    } else {
        *run_id = lp_strdup(exact ? exact : lp_value_as_string(lp_list_get(ids, 0)));
        rc = *run_id ? 0 : LP_ENOMEM;
    }
    lp_value_unref(ids);
    return rc;
}

int lp_store_run_get(lp_store *st, const char *run_id, lp_value **out)
{
    CHECK_ST(st, "reading a run");
    if (!run_id || !out) return lp_error_set(LP_EINVAL, "lp_store_run_get: bad arguments");
    *out = NULL;
    return st->ops->run_get(st, run_id, true, out);
}

int lp_store_runs_list(lp_store *st, size_t limit, lp_value **out)
{
    CHECK_ST(st, "listing runs");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_runs_list: out is required");
    *out = NULL;
    return st->ops->runs_list(st, limit, out);
}

int lp_store_run_resources(lp_store *st, const char *run_id, lp_value **out)
{
    CHECK_ST(st, "listing a run's resources");
    if (!run_id || !out) return lp_error_set(LP_EINVAL, "lp_store_run_resources: bad arguments");
    *out = NULL;
    return st->ops->run_resources(st, run_id, out);
}

int lp_store_timings_add(lp_store *st, const char *run_id, const lp_store_timing *t, size_t n)
{
    CHECK_ST(st, "recording timings");
    if (!run_id || (n && !t)) return lp_error_set(LP_EINVAL, "lp_store_timings_add: bad arguments");
    int rc = check_writable(st, "recording timings");
    if (rc || n == 0) return rc;
    return st->ops->timings_add(st, run_id, t, n);
}

int lp_store_run_timings(lp_store *st, const char *run_id, size_t limit, lp_value **out)
{
    CHECK_ST(st, "reading timings");
    if (!run_id || !out) return lp_error_set(LP_EINVAL, "lp_store_run_timings: bad arguments");
    *out = NULL;
    return st->ops->run_timings(st, run_id, limit, out);
}

/* ---- resources --------------------------------------------------------------------------- */

static int check_name(lp_store *st, const char *type, const char *name)
{
    if (!name || !*name)
        return lp_error_set(LP_EINVAL, "metadata store '%s': a %s needs a name", st->location,
                            type);
    for (const char *p = name; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20)
            return lp_error_set(LP_EINVAL,
                                "metadata store '%s': %s name '%s' may not contain '/' or control "
                                "characters",
                                st->location, type, name);
    return 0;
}

int lp_store_resource_create(lp_store *st, const char *type, const char *name, int64_t parent,
                             const char *run_id, lp_value **out)
{
    CHECK_ST(st, "creating a resource");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_resource_create: out is required");
    *out = NULL;
    int rc = check_writable(st, "creating a resource");
    if (rc) return rc;
    if (!type || !*type || strchr(type, '/'))
        return lp_error_set(LP_EINVAL, "metadata store '%s': bad resource type '%s'", st->location,
                            type ? type : "(null)");
    bool root = lp_store_type_is_root(type);
    if (root && parent)
        return lp_error_set(LP_EINVAL, "metadata store '%s': a %s has no parent", st->location,
                            type);
    if (!root && parent <= 0)
        return lp_error_set(LP_EINVAL, "metadata store '%s': a %s needs a parent resource",
                            st->location, type);
    if (root && (rc = check_name(st, type, name))) return rc;
    return st->ops->resource_create(st, type, root ? name : NULL, parent, run_id, out);
}

int lp_store_resource_get(lp_store *st, int64_t id, lp_value **out)
{
    CHECK_ST(st, "reading a resource");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_resource_get: out is required");
    *out = NULL;
    return st->ops->resource_get(st, id, out);
}

int lp_store_resource_find(lp_store *st, const char *type, const char *name, lp_value **out)
{
    CHECK_ST(st, "finding a resource");
    if (!type || !name || !out)
        return lp_error_set(LP_EINVAL, "lp_store_resource_find: bad arguments");
    *out = NULL;
    return st->ops->resource_find(st, type, name, out);
}

int lp_store_resource_by_uri(lp_store *st, const char *uri, lp_value **out)
{
    CHECK_ST(st, "finding a resource");
    if (!uri || !out) return lp_error_set(LP_EINVAL, "lp_store_resource_by_uri: bad arguments");
    *out = NULL;
    return st->ops->resource_by_uri(st, uri, out);
}

int lp_store_resource_children(lp_store *st, int64_t parent, const char *type, lp_value **out)
{
    CHECK_ST(st, "listing resources");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_resource_children: out is required");
    *out = NULL;
    return st->ops->resource_children(st, parent, type, out);
}

int lp_store_resource_latest(lp_store *st, int64_t parent, const char *type, lp_value **out)
{
    CHECK_ST(st, "finding the latest resource");
    if (!type || !out) return lp_error_set(LP_EINVAL, "lp_store_resource_latest: bad arguments");
    *out = NULL;
    return st->ops->resource_latest(st, parent, type, out);
}

int lp_store_resource_latest_tagged(lp_store *st, int64_t parent, const char *type, const char *key,
                                    const lp_value *value, lp_value **out)
{
    CHECK_ST(st, "finding a tagged resource");
    if (!type || !key || !out)
        return lp_error_set(LP_EINVAL, "lp_store_resource_latest_tagged: bad arguments");
    *out = NULL;
    char *json = lp_store_value_json(value, 0);
    if (!json) return LP_ENOMEM;
    int rc = st->ops->resource_latest_tagged(st, parent, type, key, json, out);
    free(json);
    return rc;
}

int lp_store_resource_previous(lp_store *st, int64_t id, lp_value **out)
{
    CHECK_ST(st, "finding the previous version");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_resource_previous: out is required");
    *out = NULL;
    return st->ops->resource_previous(st, id, out);
}

/* ---- tags, artifacts, vc_info ---------------------------------------------------------- */

static int tag_set(lp_store *st, int64_t resource, const char *key, const lp_value *value,
                   const char *run_id, bool exclusive)
{
    CHECK_ST(st, "setting a tag");
    if (!key || !*key)
        return lp_error_set(LP_EINVAL, "metadata store '%s': a tag needs a name", st->location);
    int rc = check_writable(st, "setting a tag");
    if (rc) return rc;
    char *json = lp_store_value_json(value, 0);
    if (!json) return LP_ENOMEM;
    rc = st->ops->tag_set(st, resource, key, json, run_id, exclusive);
    free(json);
    return rc;
}

int lp_store_tag_set(lp_store *st, int64_t resource, const char *key, const lp_value *value,
                     const char *run_id)
{
    return tag_set(st, resource, key, value, run_id, false);
}

int lp_store_tag_set_exclusive(lp_store *st, int64_t resource, const char *key,
                               const lp_value *value, const char *run_id)
{
    return tag_set(st, resource, key, value, run_id, true);
}

int lp_store_tag_get(lp_store *st, int64_t resource, const char *key, lp_value **out)
{
    CHECK_ST(st, "reading a tag");
    if (!key || !out) return lp_error_set(LP_EINVAL, "lp_store_tag_get: bad arguments");
    *out = NULL;
    return st->ops->tag_get(st, resource, key, out);
}

int lp_store_tags(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading tags");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_tags: out is required");
    *out = NULL;
    return st->ops->tags(st, resource, out);
}

int lp_store_artifact_add(lp_store *st, int64_t resource, const char *name, const char *path,
                          const char *run_id)
{
    return lp_store_artifact_record(st, resource, name, path, NULL, run_id);
}

int lp_store_artifact_record(lp_store *st, int64_t resource, const char *name, const char *path,
                             const char *object, const char *run_id)
{
    CHECK_ST(st, "recording an artifact");
    if (!name || !*name || !path)
        return lp_error_set(LP_EINVAL, "metadata store '%s': an artifact needs a name and a path",
                            st->location);
    int rc = check_writable(st, "recording an artifact");
    return rc ? rc : st->ops->artifact_add(st, resource, name, path, object, run_id);
}

int lp_store_artifact_list(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading artifacts");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_artifact_list: out is required");
    *out = NULL;
    return st->ops->artifact_list(st, resource, out);
}

int lp_store_artifacts(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading artifacts");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_artifacts: out is required");
    *out = NULL;
    return st->ops->artifacts(st, resource, out);
}

int lp_store_vc_info_set(lp_store *st, int64_t resource, const char *key, const lp_value *info,
                         const char *run_id)
{
    CHECK_ST(st, "recording version-control info");
    if (!key) return lp_error_set(LP_EINVAL, "lp_store_vc_info_set: key is required");
    int rc = check_writable(st, "recording version-control info");
    if (rc) return rc;
    char *json = lp_store_value_json(info, 0);
    if (!json) return LP_ENOMEM;
    rc = st->ops->vc_info_set(st, resource, key, json, run_id);
    free(json);
    return rc;
}

int lp_store_vc_info_get(lp_store *st, int64_t resource, const char *key, lp_value **out)
{
    CHECK_ST(st, "reading version-control info");
    if (!key || !out) return lp_error_set(LP_EINVAL, "lp_store_vc_info_get: bad arguments");
    *out = NULL;
    return st->ops->vc_info_get(st, resource, key, out);
}

int lp_store_vc_infos(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading version-control info");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_vc_infos: out is required");
    *out = NULL;
    return st->ops->vc_infos(st, resource, out);
}

/* ---- reports, lineage, metrics -------------------------------------------------------- */

int lp_store_report_add(lp_store *st, int64_t resource, const char *kind, const char *path,
                        const char *cls, const lp_value *report, const char *status,
                        const char *run_id)
{
    lp_store_report r = {
        .kind = kind, .path = path, .cls = cls, .report = report, .status = status};
    return lp_store_report_record(st, resource, &r, run_id);
}

int lp_store_report_record(lp_store *st, int64_t resource, const lp_store_report *r,
                           const char *run_id)
{
    CHECK_ST(st, "recording a report");
    if (!r) return lp_error_set(LP_EINVAL, "lp_store_report_record: the report is required");
    const char *kind = r->kind;
    const lp_value *report = r->report;
    if (!kind || (strcmp(kind, "profile") && strcmp(kind, "checks") && strcmp(kind, "comparison")))
        return lp_error_set(LP_EINVAL,
                            "metadata store '%s': report kind '%s' is not one of profile, "
                            "checks, comparison",
                            st->location, kind ? kind : "(null)");
    int rc = check_writable(st, "recording a report");
    if (rc) return rc;
    char *json = report ? lp_store_value_json(report, 0) : NULL;
    if (report && !json) return LP_ENOMEM;
    rc = st->ops->report_add(st, resource, r, json, run_id);
    free(json);
    return rc;
}

int lp_store_reports(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading reports");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_reports: out is required");
    *out = NULL;
    return st->ops->reports(st, resource, out);
}

int lp_store_lineage_add(lp_store *st, int64_t from, int64_t to, const char *kind,
                         const char *run_id)
{
    CHECK_ST(st, "recording lineage");
    if (!kind || !*kind) return lp_error_set(LP_EINVAL, "lp_store_lineage_add: kind is required");
    if (from == to)
        return lp_error_set(LP_EINVAL,
                            "metadata store '%s': resource %lld cannot descend from "
                            "itself",
                            st->location, (long long)from);
    int rc = check_writable(st, "recording lineage");
    return rc ? rc : st->ops->lineage_add(st, from, to, kind, run_id);
}

int lp_store_lineage(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading lineage");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_lineage: out is required");
    *out = NULL;
    return st->ops->lineage(st, resource, out);
}

int lp_store_metrics_set(lp_store *st, int64_t resource, const lp_store_metric *m, size_t n)
{
    CHECK_ST(st, "recording metrics");
    if (n && !m) return lp_error_set(LP_EINVAL, "lp_store_metrics_set: metrics are required");
    for (size_t i = 0; i < n; i++)
        if (!m[i].name || !*m[i].name || !m[i].split)
            return lp_error_set(LP_EINVAL, "metadata store '%s': a metric needs a name",
                                st->location);
    int rc = check_writable(st, "recording metrics");
    if (rc || n == 0) return rc;
    return st->ops->metrics_set(st, resource, m, n);
}

int lp_store_metric_get(lp_store *st, int64_t resource, const char *split, const char *name,
                        double *value, bool *found)
{
    CHECK_ST(st, "reading a metric");
    if (!split || !name || !value || !found)
        return lp_error_set(LP_EINVAL, "lp_store_metric_get: bad arguments");
    *value = NAN;
    *found = false;
    return st->ops->metric_get(st, resource, split, name, value, found);
}

int lp_store_metrics(lp_store *st, int64_t resource, lp_value **out)
{
    CHECK_ST(st, "reading metrics");
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_metrics: out is required");
    *out = NULL;
    return st->ops->metrics(st, resource, out);
}

/* ---- resumed runs and the result cache ------------------------------------------------- */

int lp_store_run_set_resumed_from(lp_store *st, const char *run_id, const char *from)
{
    CHECK_ST(st, "recording a resumed run");
    if (!run_id || !from || !*from)
        return lp_error_set(LP_EINVAL, "lp_store_run_set_resumed_from: bad arguments");
    int rc = check_writable(st, "recording a resumed run");
    return rc ? rc : st->ops->run_set_resumed_from(st, run_id, from);
}

/* A cache key: 64 lower-case hex digits (what lp_cache_key makes). */
static bool valid_cache_key(const char *key)
{
    size_t n = 0;
    for (; key && key[n]; n++)
        if (!((key[n] >= '0' && key[n] <= '9') || (key[n] >= 'a' && key[n] <= 'f'))) return false;
    return n == 64;
}

int lp_store_cache_put(lp_store *st, const lp_store_cache_entry *e)
{
    CHECK_ST(st, "recording a cached result");
    if (!e || !valid_cache_key(e->key) || !e->value || !*e->value)
        return lp_error_set(LP_EINVAL,
                            "lp_store_cache_put: a 64-hex-digit key and a value are required");
    int rc = check_writable(st, "recording a cached result");
    if (rc) return rc;
    lp_store_cache_entry row = *e;
    if (!row.run) row.run = "";
    if (!row.cls) row.cls = "";
    if (!row.method) row.method = "";
    return st->ops->cache_put(st, &row, lp_store_now());
}

int lp_store_cache_get(lp_store *st, const char *key, const lp_value *runs, lp_value **out)
{
    CHECK_ST(st, "looking up a cached result");
    if (!out || !valid_cache_key(key))
        return lp_error_set(LP_EINVAL, "lp_store_cache_get: a 64-hex-digit key is required");
    *out = NULL;
    if (!runs) return st->ops->cache_get(st, key, NULL, out);
    int rc = 0;
    for (size_t i = 0; rc == 0 && !*out && i < lp_list_len(runs); i++) {
        const char *run = lp_value_as_string(lp_list_get(runs, i));
        if (run) rc = st->ops->cache_get(st, key, run, out);
    }
    return rc;
}
