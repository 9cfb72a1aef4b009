/*
 * local.c — LocalModelDeployer: an approved model version as a self-contained
 * bundle directory that `lolpop serve` can serve.
 *
 *   model_deployer:
 *     config:
 *       deploy_dir: .lolpop/deployments    # the default
 *
 * deploy_model(promotion, model_version) writes
 *
 *   <deploy_dir>/<model name>/v<version>/model.lpm      lp_model_save bytes (with the
 *                                                       feature transformer attached)
 *                                       /schema.json    features, target, task, classes
 *                                       /metadata.json  model, version, run, time,
 *                                                       winning experiment, lolpop version
 *   <deploy_dir>/<model name>/current -> v<version>     symlink
 *
 * schema.json: {format: 1, task: binary|multiclass|regression, target: {name,
 * dtype}, classes: [labels in class order] ([] for regression), features:
 * [{name, dtype, categories (categorical features only)}], feature_transformer:
 * the attached transformer's class or null}. The features are the model's
 * own: with a transformer attached, the columns after it.
 * metadata.json: {format: 1, model_name, version, model_version_id,
 * model_version_uri, run (that created the version), deploy_run (null when the
 * tracker has no run_info), created (UTC ISO 8601), lolpop_version, backend,
 * model_file, model_sha256, model_size, perf_metric, perf_value, experiment:
 * {id, uri, trainer, params, metrics: split -> name -> value (null without a
 * metrics_tracker)} or null}.
 *
 * A version that is not approved (tag `approved` true) is refused. The bundle
 * is written into a temp directory next to its place, every file fsync'ed,
 * then renamed into place (a re-deployment of the same version exchanges the
 * directories atomically and removes the old one), so a reader sees a whole
 * bundle or none. Then the switch is recorded in ONE store transaction
 * (tracker record_deployment: the `deployment` resource with path, action,
 * alias, who, at, previous; the model's alias production and
 * `deployed_version`), so the store never points at a bundle that is not
 * there. Then `current` follows (a new symlink under a temp name, renamed
 * over it). All of it under the model's deploy lock (tracker lock_model,
 * re-entrant: the runner holds it already for its compare-and-deploy
 * decision), so concurrent deployments of one model take turns.
 *
 * Ownership: the method borrows its arguments and returns a new reference;
 * a `deploy` owns everything it gathers until deploy_clear.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle/bundle_internal.h"
#include "components/model_deployer/deployer.h"
#include "components/model_repository/repo_common.h"
#include "core/digest.h"
#include "core/value_json.h"
#include "lolpop/abi.h"
#include "lolpop/model.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/version.h"

#define WHO_SIZE        256
#define BUNDLE_FORMAT   LP_BUNDLE_FORMAT
#define DEFAULT_DIR     ".lolpop/deployments"
#define ATTACH_FT_CLASS "feature_transformer.class"

/* The component's state. */
typedef struct deployer {
    char *deploy_dir; /* config deploy_dir, trailing slashes trimmed */
} deployer;

/* Everything one deployment gathers before it writes. */
typedef struct deploy {
    char who[WHO_SIZE];
    lp_obj *self, *tracker;
    lp_value *mv;         /* the model_version resource map */
    lp_value *model;      /* the loaded model value */
    lp_value *experiment; /* the winning experiment resource, or NULL */
    uint8_t *bytes;       /* model.lpm */
    size_t len;
    char *model_dir; /* <deploy_dir>/<name> */
    char *final;     /* <model_dir>/v<version> */
    char *tmp;       /* the temp bundle directory while it exists */
    json_t *schema, *metadata;
    const char *action;        /* deploy (default), promote, rollback: borrowed from the args */
    const char *alias;         /* the alias that moves with the deployment (production) */
    const char *who_did;       /* who asked (`lolpop models`), or NULL: this process's user */
    json_t *input, *transform; /* input.json; transform.json or NULL (bundle_parts.c) */
} deploy;

/* Releases everything d owns (d itself is the caller's). */
static void deploy_clear(deploy *d)
{
    lp_value_unref(d->mv);
    lp_value_unref(d->model);
    lp_value_unref(d->experiment);
    free(d->bytes);
    free(d->model_dir);
    free(d->final);
    free(d->tmp);
    json_decref(d->schema);
    json_decref(d->metadata);
    json_decref(d->input);
    json_decref(d->transform);
}

/* ---- file system -------------------------------------------------------------------- */

/* LP_EIO "who: cannot WHAT 'path': strerror(errno)"; returns the code. */
static int io_error(const deploy *d, const char *what, const char *path)
{
    return lp_error_set(LP_EIO, "%s: cannot %s '%s': %s", d->who, what, path, strerror(errno));
}

/* mkdir -p */
static int make_dirs(const deploy *d, const char *path)
{
    char *p = lp_strdup(path);
    int rc = p ? 0 : LP_ENOMEM;
    for (char *c = p ? p + 1 : NULL; c && *c && rc == 0; c++) {
        if (*c != '/') continue;
        *c = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) rc = io_error(d, "create directory", p);
        *c = '/';
    }
    struct stat st;
    if (rc == 0 && mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = io_error(d, "create directory", p);
    else if (rc == 0 && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = lp_error_set(LP_EIO, "%s: '%s' exists and is not a directory", d->who, p);
    free(p);
    return rc;
}

/* fsync of a directory, so that the renames in it are durable. */
static int sync_dir(const deploy *d, const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error(d, "open directory", path);
    int rc = fsync(fd) != 0 && errno != EINVAL ? io_error(d, "sync directory", path) : 0;
    close(fd);
    return rc;
}

/* Writes dir/name (a new file) with len bytes and fsyncs it. */
static int write_file(const deploy *d, const char *dir, const char *name, const void *bytes,
                      size_t len)
{
    char *path = lp_asprintf("%s/%s", dir, name);
    if (!path) return LP_ENOMEM;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), rc = 0;
    if (fd < 0) rc = io_error(d, "create", path);
    for (size_t off = 0; rc == 0 && off < len;) {
        ssize_t w = write(fd, (const char *)bytes + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) rc = io_error(d, "write", path);
        off += w > 0 ? (size_t)w : 0;
    }
    if (rc == 0 && fsync(fd) != 0) rc = io_error(d, "sync", path);
    if (fd >= 0 && close(fd) != 0 && rc == 0) rc = io_error(d, "close", path);
    free(path);
    return rc;
}

/* nftw callback of remove_tree: one entry, children first. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* rm -rf path (does not follow symlinks). */
static int remove_tree(const deploy *d, const char *path)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT) return 0;
    return io_error(d, "remove", path);
}

/* "<dir>/.tmp-<what>-<pid>-<random>": a name no other writer picks. */
static char *temp_name(const char *dir, const char *what)
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
    }
    return lp_asprintf("%s/.tmp-%s-%ld-%08" PRIx32, dir, what, (long)getpid(), r);
}

/* ---- JSON --------------------------------------------------------------------------- */

/* Sets o[key] = val (consumed); a NULL val (OOM) poisons *rc. */
static void put(json_t *o, const char *key, json_t *val, int *rc)
{
    if (*rc == 0 && (!val || json_object_set_new(o, key, val) != 0)) {
        *rc = lp_error_set(LP_ENOMEM, "out of memory building JSON");
        return;
    }
    if (*rc && val) json_decref(val);
}

/* files[name] = {sha256, size} of len bytes. */
static int list_file(const deploy *d, json_t *files, const char *name, const void *bytes,
                     size_t len)
{
    char hex[65];
    int rc = lp_sha256_hex(bytes, len, hex);
    if (rc) return rc;
    json_t *f = json_object();
    put(f, "sha256", json_string(hex), &rc);
    put(f, "size", json_integer((json_int_t)len), &rc);
    put(files, name, f, &rc);
    if (rc) lp_error_prefix("%s", d->who);
    return rc;
}

/* bundle.json: format, versions, the files to read, and files (consumed). */
static json_t *manifest_json(const deploy *d, json_t *files, int *rc)
{
    json_t *m = json_object();
    put(m, "format", json_integer(BUNDLE_FORMAT), rc);
    put(m, "lolpop_version", json_string(lp_version()), rc);
    put(m, "abi_version", json_integer(LP_ABI_VERSION), rc);
    put(m, "created", json_incref(json_object_get(d->metadata, "created")), rc);
    put(m, "model_name", lp_json_from_value(lp_map_get(d->mv, "name"), 0), rc);
    put(m, "version", lp_json_from_value(lp_map_get(d->mv, "version"), 0), rc);
    put(m, "model_file", json_string(LP_BUNDLE_MODEL), rc);
    put(m, "input_file", json_string(LP_BUNDLE_INPUT), rc);
    put(m, "transform_file", d->transform ? json_string(LP_BUNDLE_TRANSFORM) : json_null(), rc);
    put(m, "files", files, rc);
    if (*rc == 0) return m;
    json_decref(m);
    return NULL;
}

/* Writes j (borrowed) pretty-printed, with a final newline, into dir/name,
 * and records its size and SHA-256 in files (the manifest's, when not NULL). */
static int write_json(const deploy *d, const char *dir, const char *name, const json_t *j,
                      json_t *files)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *line = text ? lp_asprintf("%s\n", text) : NULL;
    free(text);
    if (!line) return lp_error_set(LP_ENOMEM, "%s: out of memory writing %s", d->who, name);
    int rc = write_file(d, dir, name, line, strlen(line));
    if (rc == 0 && files) rc = list_file(d, files, name, line, strlen(line));
    free(line);
    return rc;
}

/* ---- schema.json and metadata.json ----------------------------------------------------- */

/* {name, dtype[, categories]} of feature j (new reference; NULL with *rc set). */
static json_t *feature_json(const lp_model *m, size_t j, int *rc)
{
    json_t *f = json_object();
    put(f, "name", json_string(lp_model_feature_name(m, j)), rc);
    put(f, "dtype", json_string(lp_dtype_name(lp_model_feature_dtype(m, j))), rc);
    if (lp_model_feature_is_categorical(m, j)) {
        json_t *c = json_array();
        for (size_t k = 0; c && k < lp_model_n_categories(m, j); k++)
            if (json_array_append_new(c, json_string(lp_model_category(m, j, k))) != 0) {
                json_decref(c);
                c = NULL;
            }
        put(f, "categories", c, rc);
    }
    if (!f && *rc == 0) *rc = lp_error_set(LP_ENOMEM, "out of memory building JSON");
    return f;
}

/* What a client must send and gets back: features (as the model takes them,
 * after the attached feature transformer, if any), target, task, classes. */
static json_t *schema_json(const lp_model *m, int *rc)
{
    json_t *s = json_object(), *target = json_object(), *classes = json_array(),
           *features = json_array();
    put(target, "name", json_string(lp_model_target(m)), rc);
    put(target, "dtype", json_string(lp_dtype_name(lp_model_target_dtype(m))), rc);
    for (size_t k = 0; classes && k < lp_model_n_classes(m); k++)
        if (json_array_append_new(classes, json_string(lp_model_class_label(m, k))) != 0)
            *rc = lp_error_set(LP_ENOMEM, "out of memory building JSON");
    for (size_t j = 0; features && *rc == 0 && j < lp_model_n_features(m); j++)
        if (json_array_append_new(features, feature_json(m, j, rc)) != 0 && *rc == 0)
            *rc = lp_error_set(LP_ENOMEM, "out of memory building JSON");
    size_t len = 0;
    const uint8_t *ft = lp_model_attachment(m, ATTACH_FT_CLASS, &len);
    put(s, "format", json_integer(BUNDLE_FORMAT), rc);
    put(s, "task", json_string(lp_model_task_name(lp_model_task_of(m))), rc);
    put(s, "target", target, rc);
    put(s, "classes", classes, rc);
    put(s, "features", features, rc);
    put(s, "feature_transformer", ft ? json_stringn((const char *)ft, len) : json_null(), rc);
    if (*rc == 0) return s;
    json_decref(s);
    return NULL;
}

/* The tag `key` of resource as JSON (null when unset). */
static json_t *tag_json(deploy *d, lp_value *resource, const char *key, int *rc)
{
    if (*rc) return NULL;
    lp_value *v = lp_metadata_tracker_get_tag(d->tracker, resource, key);
    if (!v) {
        *rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        return NULL;
    }
    json_t *j = lp_json_from_value(v, 0);
    lp_value_unref(v);
    return j;
}

/* The default metric names (docs/ml-workflow.md) and the splits they are read for. */
static const char *const classification_metrics[] = {"accuracy", "f1",     "precision",
                                                     "recall",   "rocauc", "logloss"};
static const char *const regression_metrics[] = {"rmse", "mae", "r2", "mape"};
static const char *const split_names[] = {"train", "valid", "test"};

/* Adds metric `name` of every split to metrics (split -> name -> value). */
static int add_metric(deploy *d, lp_obj *mt, const char *name, json_t *metrics)
{
    for (size_t s = 0; s < 3; s++) {
        char id[128];
        snprintf(id, sizeof id, "%s.%s", split_names[s], name);
        lp_value *v = lp_metrics_tracker_get_metric(mt, d->experiment, id);
        if (!v) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        json_t *split = json_object_get(metrics, split_names[s]);
        int rc = 0;
        if (lp_value_type(v) == LP_FLOAT || lp_value_type(v) == LP_INT) {
            if (!split) put(metrics, split_names[s], split = json_object(), &rc);
            if (rc == 0) put(split, name, lp_json_from_value(v, 0), &rc);
        }
        lp_value_unref(v);
        if (rc) return rc;
    }
    return 0;
}

/* The winning experiment's metrics (config `metrics`, else the defaults of
 * the model's task) from the visible metrics_tracker; null without one. */
static json_t *metrics_json(deploy *d, int *rc)
{
    lp_obj *mt = lp_obj_component(d->self, "metrics_tracker");
    if (*rc || !mt || !d->experiment) return *rc ? NULL : json_null();
    lp_value *cfg = lp_obj_config(d->self, "metrics");
    bool regression = lp_model_task_of(lp_value_as_model(d->model)) == LP_MODEL_REGRESSION;
    const char *const *names = regression ? regression_metrics : classification_metrics;
    size_t n = regression ? 4 : 6;
    json_t *metrics = json_object();
    if (lp_value_type(cfg) == LP_STRING)
        *rc = add_metric(d, mt, lp_value_as_string(cfg), metrics);
    else if (lp_value_type(cfg) == LP_LIST)
        for (size_t i = 0; *rc == 0 && i < lp_list_len(cfg); i++) {
            const char *name = lp_value_as_string(lp_list_get(cfg, i));
            if (name) *rc = add_metric(d, mt, name, metrics);
        }
    else
        for (size_t i = 0; *rc == 0 && i < n; i++)
            *rc = add_metric(d, mt, names[i], metrics);
    lp_value_unref(cfg);
    if (*rc == 0 && metrics) return metrics;
    json_decref(metrics);
    if (*rc == 0) *rc = lp_error_set(LP_ENOMEM, "out of memory building JSON");
    return NULL;
}

/* {id, uri, trainer, params, metrics} of the winning experiment (new reference). */
static json_t *experiment_json(deploy *d, int *rc)
{
    if (*rc || !d->experiment) return *rc ? NULL : json_null();
    json_t *e = json_object();
    put(e, "id", lp_json_from_value(lp_map_get(d->experiment, "id"), 0), rc);
    put(e, "uri", lp_json_from_value(lp_map_get(d->experiment, "uri"), 0), rc);
    put(e, "trainer", tag_json(d, d->experiment, "trainer", rc), rc);
    put(e, "params", tag_json(d, d->experiment, "params", rc), rc);
    put(e, "metrics", metrics_json(d, rc), rc);
    if (*rc == 0) return e;
    json_decref(e);
    return NULL;
}

/* The id of the run deploying now, when the tracker offers run_info (an
 * extra method of LocalMetadataTracker); JSON null otherwise. */
static json_t *deploy_run_json(deploy *d, int *rc)
{
    if (*rc || !lp_obj_has_method(d->tracker, "run_info")) return *rc ? NULL : json_null();
    lp_value *info = lp_call(d->tracker, "run_info", NULL);
    if (!info) {
        *rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        return NULL;
    }
    json_t *j = lp_json_from_value(lp_map_get(info, "id"), 0);
    lp_value_unref(info);
    return j;
}

/* The lower-case hex SHA-256 of model.lpm (new reference). */
static json_t *sha256_json(const deploy *d, int *rc)
{
    char hex[65];
    if (*rc) return NULL;
    if ((*rc = lp_sha256_hex(d->bytes, d->len, hex)) != 0) {
        lp_error_prefix("%s", d->who);
        return NULL;
    }
    return json_string(hex);
}

/* The current UTC time, ISO 8601 with a Z (new reference). */
static json_t *now_json(void)
{
    time_t t = time(NULL);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

/* Where the bundle came from: model, version, runs, time, experiment, lolpop. */
static json_t *metadata_json(deploy *d, int *rc)
{
    json_t *m = json_object();
    put(m, "format", json_integer(BUNDLE_FORMAT), rc);
    put(m, "model_name", lp_json_from_value(lp_map_get(d->mv, "name"), 0), rc);
    put(m, "version", lp_json_from_value(lp_map_get(d->mv, "version"), 0), rc);
    put(m, "model_version_id", lp_json_from_value(lp_map_get(d->mv, "id"), 0), rc);
    put(m, "model_version_uri", lp_json_from_value(lp_map_get(d->mv, "uri"), 0), rc);
    put(m, "run", lp_json_from_value(lp_map_get(d->mv, "run"), 0), rc);
    put(m, "deploy_run", deploy_run_json(d, rc), rc);
    put(m, "created", now_json(), rc);
    put(m, "lolpop_version", json_string(lp_version()), rc);
    put(m, "backend", json_string(lp_model_backend(lp_value_as_model(d->model))), rc);
    put(m, "model_file", json_string("model.lpm"), rc);
    put(m, "model_sha256", sha256_json(d, rc), rc);
    put(m, "model_size", json_integer((json_int_t)d->len), rc);
    put(m, "perf_metric", tag_json(d, d->mv, "perf_metric", rc), rc);
    put(m, "perf_value", tag_json(d, d->mv, "perf_value", rc), rc);
    put(m, "experiment", experiment_json(d, rc), rc);
    if (*rc == 0) return m;
    json_decref(m);
    return NULL;
}

/* ---- the bundle on disk ------------------------------------------------------------------ */

/* Moves the finished temp bundle to d->final, replacing an older bundle of
 * the same version atomically (exchange, then removal of the old one). */
static int place_bundle(deploy *d)
{
    if (rename(d->tmp, d->final) == 0) return 0;
    if (errno != ENOTEMPTY && errno != EEXIST) return io_error(d, "move the bundle to", d->final);
    if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->final, RENAME_EXCHANGE) == 0) {
        if (remove_tree(d, d->tmp) != 0) /* d->tmp now holds the old bundle */
            lp_log(d->self, LP_LOG_WARN, "%s", lp_error_last()->message);
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS) return io_error(d, "replace", d->final);
    /* No RENAME_EXCHANGE on this file system: move the old one aside first. */
    char *old = temp_name(d->model_dir, "old");
    int rc = old ? 0 : LP_ENOMEM;
    if (rc == 0 && rename(d->final, old) != 0) rc = io_error(d, "move aside", d->final);
    if (rc == 0 && rename(d->tmp, d->final) != 0) {
        rc = io_error(d, "move the bundle to", d->final);
        (void)rename(old, d->final); /* put the old one back */
    } else if (rc == 0 && remove_tree(d, old) != 0) {
        lp_log(d->self, LP_LOG_WARN, "%s", lp_error_last()->message);
    }
    free(old);
    return rc;
}

/* The pid in a temp name ".tmp-<what>-<pid>-<random>", or -1. */
static long temp_owner(const char *name)
{
    const char *last = strrchr(name, '-');
    const char *p = last;
    while (p && p > name && p[-1] != '-')
        p--;
    if (!last || !p || p == last || p[-1] != '-') return -1;
    char *end = NULL;
    long pid = strtol(p, &end, 10);
    return end == last && pid > 0 ? pid : -1;
}

/* Removes the temp entries (.tmp-*) a crashed deploy left in the model's
 * directory. Runs under the model's deploy lock, so no other deploy of the
 * model is writing one; an entry whose process is still alive is kept all
 * the same (a deployer without the lock). Problems are warnings. */
static void clean_stale_temps(deploy *d)
{
    DIR *dir = opendir(d->model_dir);
    if (!dir) return; /* the first deploy of the model: nothing left over */
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strncmp(e->d_name, ".tmp-", 5) != 0) continue;
        long pid = temp_owner(e->d_name);
        if (pid == (long)getpid() || (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)))
            continue;
        char *path = lp_asprintf("%s/%s", d->model_dir, e->d_name);
        if (path && remove_tree(d, path) == 0)
            lp_log(d->self, LP_LOG_INFO, "removed %s, left by an interrupted deploy", path);
        else if (path)
            lp_log(d->self, LP_LOG_WARN, "%s", lp_error_last()->message);
        free(path);
    }
    closedir(dir);
}

/* Writes the three files into a new temp directory next to the bundle's
 * place, then moves it there. The temp directory never outlives a failure. */
static int write_bundle(deploy *d)
{
    int rc = make_dirs(d, d->model_dir);
    char what[48];
    snprintf(what, sizeof what, "v%" PRId64, lp_repo_field(d->mv, "version"));
    if (rc == 0 && !(d->tmp = temp_name(d->model_dir, what))) rc = LP_ENOMEM;
    if (rc == 0 && mkdir(d->tmp, 0755) != 0) {
        rc = io_error(d, "create directory", d->tmp);
        free(d->tmp);
        d->tmp = NULL;
    }
    json_t *files = json_object(), *manifest = NULL;
    if (rc == 0 && !files) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = write_file(d, d->tmp, LP_BUNDLE_MODEL, d->bytes, d->len);
    if (rc == 0) rc = list_file(d, files, LP_BUNDLE_MODEL, d->bytes, d->len);
    if (rc == 0) rc = write_json(d, d->tmp, LP_BUNDLE_SCHEMA, d->schema, files);
    if (rc == 0) rc = write_json(d, d->tmp, LP_BUNDLE_METADATA, d->metadata, files);
    if (rc == 0) rc = write_json(d, d->tmp, LP_BUNDLE_INPUT, d->input, files);
    if (rc == 0 && d->transform)
        rc = write_json(d, d->tmp, LP_BUNDLE_TRANSFORM, d->transform, files);
    if (rc == 0) manifest = manifest_json(d, json_incref(files), &rc);
    json_decref(files);
    if (rc == 0) rc = write_json(d, d->tmp, LP_BUNDLE_MANIFEST, manifest, NULL); /* last */
    json_decref(manifest);
    if (rc == 0) rc = sync_dir(d, d->tmp);
    if (rc == 0) rc = place_bundle(d);
    if (rc && d->tmp) nftw(d->tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS); /* keep the error */
    free(d->tmp);
    d->tmp = NULL;
    return rc ? rc : sync_dir(d, d->model_dir);
}

/* Points <model_dir>/current at the bundle: a new symlink renamed over it. */
static int point_current(deploy *d)
{
    const char *target = strrchr(d->final, '/') + 1; /* relative: the tree can move */
    char *link = temp_name(d->model_dir, "current");
    char *current = lp_asprintf("%s/current", d->model_dir);
    int rc = link && current ? 0 : LP_ENOMEM;
    if (rc == 0 && symlink(target, link) != 0)
        rc = io_error(d, "create symlink", link);
    else if (rc == 0 && rename(link, current) != 0) {
        rc = errno == EISDIR ? lp_error_set(LP_EIO,
                                            "%s: '%s' is a directory, not the symlink to the "
                                            "current bundle; move it away and deploy again",
                                            d->who, current)
                             : io_error(d, "replace", current);
        unlink(link);
    }
    if (rc == 0) rc = sync_dir(d, d->model_dir);
    free(link);
    free(current);
    return rc;
}

/* ---- deploy_model ------------------------------------------------------------------------ */

/* A model name is one directory level: no separators, nothing hidden. */
static int check_name(const deploy *d, const char *name)
{
    if (name && *name && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\')) return 0;
    return lp_error_set(LP_EINVAL,
                        "%s: model name '%s' cannot name a bundle directory (it must be "
                        "non-empty, without '/' or '\\', and not start with '.')",
                        d->who, name ? name : "");
}

/* The version to deploy: the model_version argument, else the promotion's;
 * when both are given they must agree. */
static int find_version(deploy *d, lp_value *args)
{
    lp_value *ref = lp_map_get(args, "model_version"), *promo = lp_map_get(args, "promotion");
    bool has_ref = lp_value_type(ref) != LP_NULL;
    d->mv = has_ref ? lp_repo_model_version(d->tracker, ref, "model_version", d->who)
                    : lp_repo_promotion_model_version(d->tracker, promo, d->who);
    if (!d->mv) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    const lp_value *pmv = lp_map_get(promo, "model_version");
    int64_t pid = lp_value_type(pmv) == LP_INT ? lp_value_as_int(pmv) : lp_repo_field(pmv, "id");
    if (!has_ref || pid <= 0 || pid == lp_repo_field(d->mv, "id")) return 0;
    const char *puri = lp_value_as_string(lp_map_get(pmv, "uri"));
    const char *uri = lp_value_as_string(lp_map_get(d->mv, "uri"));
    return lp_error_set(LP_EINVAL,
                        "%s: the promotion is of model version %s (id %" PRId64
                        "), not of the model_version given, %s",
                        d->who, puri ? puri : "?", pid, uri ? uri : "?");
}

/* 0 when the version's tag `approved` is true, else LP_EINVAL saying how to approve. */
static int require_approved(deploy *d)
{
    bool approved = false;
    int rc = lp_repo_tag_true(d->tracker, d->mv, "approved", &approved);
    if (rc || approved) return rc;
    const char *uri = lp_value_as_string(lp_map_get(d->mv, "uri"));
    return lp_error_set(LP_EINVAL,
                        "%s: model version %s is not approved (its tag 'approved' is not true); "
                        "approve it first (model_repository.approve_model, or "
                        "auto_approve_models: true)",
                        d->who, uri ? uri : "?");
}

/* The model through the tracker (winning experiment → version control). */
static int load_model(deploy *d)
{
    d->model = lp_metadata_tracker_load_model(d->tracker, d->mv);
    if (!d->model) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    const lp_model *m = lp_value_as_model(d->model);
    if (!m)
        return lp_error_set(LP_ERROR, "%s: metadata_tracker.load_model returned %s, not a model",
                            d->who, lp_vtype_name(lp_value_type(d->model)));
    int rc = lp_model_save(&d->bytes, &d->len, m);
    if (rc) lp_error_prefix("%s: saving the model", d->who);
    return rc;
}

/* The bundle's input schema and processing step. In a workflow they are
 * found from its data and data_transformer, and recorded with the version;
 * outside one (`lolpop models promote`, `rollback`) the recorded ones are
 * used, so the bundle scores the same raw rows whoever deploys it. */
static int bundle_parts(deploy *d)
{
    bool seen = false;
    int rc = lp_deployer_bundle_parts(&d->input, &d->transform, &seen, d->self,
                                      lp_value_as_model(d->model), d->who);
    if (rc || seen)
        return rc ? rc : lp_deployer_parts_record(d->tracker, d->mv, d->input, d->transform);
    json_t *input = NULL, *transform = NULL;
    rc = lp_deployer_parts_recall(&input, &transform, d->tracker, d->mv);
    if (rc == 0 && input) {
        json_decref(d->input);
        json_decref(d->transform);
        d->input = input;
        d->transform = transform;
        return 0;
    }
    const char *uri = lp_value_as_string(lp_map_get(d->mv, "uri"));
    if (rc == 0)
        lp_log(d->self, LP_LOG_WARN,
               "%s: %s has no recorded input schema (it was trained by an older lolpop, or "
               "without a model_deployer in its workflow), and there is no eval_data or "
               "train_data here to find one: the bundle scores rows of the model's own features, "
               "not the raw rows a data_transformer would turn into them",
               d->who, uri ? uri : "?");
    return rc;
}

/* Everything the bundle holds, gathered before anything is written. */
static int gather(deploy *d, lp_value *args)
{
    d->tracker = lp_repo_tracker(d->self, d->who);
    int rc = d->tracker ? find_version(d, args) : LP_ECONFIG;
    if (rc == 0) rc = require_approved(d);
    const char *name = lp_value_as_string(lp_map_get(d->mv, "name"));
    if (rc == 0) rc = check_name(d, name);
    if (rc == 0) rc = load_model(d);
    if (rc == 0 && !(d->experiment = lp_metadata_tracker_get_winning_experiment(d->tracker, d->mv)))
        rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (rc == 0 && lp_value_type(d->experiment) != LP_MAP) {
        lp_value_unref(d->experiment);
        d->experiment = NULL;
    }
    if (rc == 0) d->schema = schema_json(lp_value_as_model(d->model), &rc);
    if (rc == 0) rc = bundle_parts(d);
    if (rc == 0) d->metadata = metadata_json(d, &rc);
    const deployer *st = lp_obj_state(d->self);
    if (rc == 0 && !(d->model_dir = lp_asprintf("%s/%s", st->deploy_dir, name))) rc = LP_ENOMEM;
    if (rc == 0 &&
        !(d->final = lp_asprintf("%s/v%" PRId64, d->model_dir, lp_repo_field(d->mv, "version"))))
        rc = LP_ENOMEM;
    return rc;
}

/* The deployment's record through the tracker's record_deployment: the
 * deployment resource (tags path, action, alias, who, at, previous), the
 * model's alias and deployed_version in ONE store transaction. A tracker
 * without that method gets the same records as separate writes. */
static lp_value *record_switch(deploy *d, lp_value *path)
{
    if (lp_obj_has_method(d->tracker, "record_deployment"))
        return lp_call_with(
            d->tracker, "record_deployment", "model_version", lp_value_ref(d->mv), "path",
            lp_value_ref(path), "action", lp_value_string(d->action ? d->action : "deploy"),
            "alias", lp_value_string(d->alias), "who",
            d->who_did ? lp_value_string(d->who_did) : lp_value_null(), (const char *)NULL);
    lp_value *dep = lp_metadata_tracker_create_resource(d->tracker, NULL, "deployment", d->mv);
    char key[96];
    snprintf(key, sizeof key, "alias.%s", d->alias);
    int rc = dep ? lp_metadata_tracker_log_tag(d->tracker, dep, "path", path) : LP_ERROR;
    if (rc == 0)
        rc = lp_repo_tag_id(d->tracker, lp_repo_field(d->mv, "parent"), key,
                            lp_value_int(lp_repo_field(d->mv, "id")));
    if (rc == 0)
        rc = lp_repo_tag_id(d->tracker, lp_repo_field(d->mv, "parent"), "deployed_version",
                            lp_value_int(lp_repo_field(d->mv, "id")));
    if (rc == 0) return dep;
    lp_value_unref(dep);
    return NULL;
}

/* Tags the deployment with its absolute bundle_dir, where `lolpop predict
 * NAME` finds it from any directory. Written after `current` moved (a crash
 * before it leaves only this tag missing; lp_bundle_resolve then falls back
 * to the `path` tag), so the one-transaction switch stays the only step
 * between the bundle and `current`. */
static int tag_bundle_dir(deploy *d, lp_value *r)
{
    char *abs = realpath(d->final, NULL);
    if (!abs) return io_error(d, "resolve", d->final);
    lp_value *v = lp_value_string(abs);
    free(abs);
    int rc =
        v ? lp_metadata_tracker_log_tag(d->tracker, lp_map_get(r, "deployment"), "bundle_dir", v)
          : LP_ENOMEM;
    lp_value_unref(v);
    return rc;
}

/* Records the deployment. Returns {path, model_version, deployment}. */
static lp_value *record(deploy *d)
{
    lp_value *path = lp_value_string(d->final);
    lp_value *dep = path ? record_switch(d, path) : NULL;
    lp_value *r = dep ? lp_value_map() : NULL;
    if (r && (lp_map_set(r, "path", lp_value_ref(path)) ||
              lp_map_set(r, "model_version", lp_value_ref(d->mv)) ||
              lp_map_set(r, "deployment", lp_value_ref(dep)))) {
        lp_value_unref(r);
        r = NULL;
        lp_error_set(LP_ENOMEM, "out of memory");
    }
    lp_value_unref(dep);
    lp_value_unref(path);
    return r;
}

/* ---- the per-model lock -------------------------------------------------------------------- */

/* Takes the model's deploy lock through the tracker's lock_model (re-entrant:
 * the runner may hold it already for its compare-and-deploy decision). A
 * tracker without it cannot serialise: logged, not fatal. *held true when taken. */
static int lock_model(deploy *d, bool *held)
{
    *held = false;
    if (!lp_obj_has_method(d->tracker, "lock_model")) {
        lp_log(d->self, LP_LOG_DEBUG,
               "%s: the metadata_tracker has no lock_model; concurrent "
               "deployments of one model are not serialised",
               d->who);
        return 0;
    }
    lp_value *r = lp_call_with(d->tracker, "lock_model", "model",
                               lp_value_ref(lp_map_get(d->mv, "name")), (const char *)NULL);
    if (!r) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(r);
    *held = true;
    return 0;
}

/* Undoes lock_model, keeping an error already set. */
static void unlock_model(deploy *d, bool held)
{
    if (!held) return;
    lp_saved_error saved = {0};
    lp_error_save(&saved);
    lp_value *r = lp_call_with(d->tracker, "unlock_model", "model",
                               lp_value_ref(lp_map_get(d->mv, "name")), (const char *)NULL);
    if (!r) lp_log(d->self, LP_LOG_WARN, "%s: %s", d->who, lp_error_last()->message);
    lp_value_unref(r);
    lp_error_restore(&saved);
}

/* `current` must be replaceable before anything is recorded: a directory in
 * its place would leave the store pointing where the link does not. */
static int check_current(deploy *d)
{
    char *current = lp_asprintf("%s/current", d->model_dir);
    struct stat st;
    int rc = current ? 0 : LP_ENOMEM;
    if (rc == 0 && lstat(current, &st) == 0 && S_ISDIR(st.st_mode))
        rc = lp_error_set(LP_EIO,
                          "%s: '%s' is a directory, not the symlink to the current bundle; move "
                          "it away and deploy again",
                          d->who, current);
    free(current);
    return rc;
}

/* d->who: "LocalModelDeployer (<path>).<method>", the prefix of d's messages. */
static void name_caller(deploy *d, const char *method)
{
    const char *p = lp_obj_path(d->self);
    snprintf(d->who, sizeof d->who, "LocalModelDeployer (%s).%s",
             p && *p ? p : lp_obj_name(d->self), method);
}

/* deploy_model(promotion, model_version[, action, alias, who]) -> deployment.
 * Under the model's deploy lock: the bundle is written, then the store's
 * switch recorded (one transaction), then `current` follows. A crash before
 * the record leaves an unreferenced bundle directory; after it, the next
 * switch of the model re-points `current`. */
static lp_value *deployer_deploy_model(lp_obj *self, lp_value *args)
{
    deploy d = {.self = self};
    name_caller(&d, "deploy_model");
    const char *alias = lp_value_as_string(lp_map_get(args, "alias"));
    d.action = lp_value_as_string(lp_map_get(args, "action"));
    d.who_did = lp_value_as_string(lp_map_get(args, "who"));
    d.alias = alias && *alias ? alias : "production";
    bool held = false;
    int rc = gather(&d, args);
    if (rc == 0) rc = lock_model(&d, &held);
    if (rc == 0) rc = check_current(&d);
    if (rc == 0) clean_stale_temps(&d);
    if (rc == 0) rc = write_bundle(&d);
    lp_value *r = rc ? NULL : record(&d);
    if (r && (point_current(&d) != 0 || tag_bundle_dir(&d, r) != 0)) {
        lp_value_unref(r);
        r = NULL;
    }
    unlock_model(&d, held);
    const char *uri = lp_value_as_string(lp_map_get(d.mv, "uri"));
    if (r) lp_log(self, LP_LOG_INFO, "deployed %s to %s", uri ? uri : "?", d.final);
    deploy_clear(&d);
    return r;
}

/* prepare_bundle(model_version, model): for a version not deployed now, the
 * bundle parts found in its workflow are recorded with it, so that a later
 * `lolpop models promote` of it builds the bundle the workflow would have. */
static lp_value *deployer_prepare_bundle(lp_obj *self, lp_value *args)
{
    deploy d = {.self = self};
    name_caller(&d, "prepare_bundle");
    d.tracker = lp_repo_tracker(self, d.who);
    if (d.tracker)
        d.mv = lp_repo_model_version(d.tracker, lp_map_get(args, "model_version"), "model_version",
                                     d.who);
    lp_model *m = d.mv ? lp_kit_arg_model(args, "model", "prepare_bundle") : NULL;
    bool seen = false;
    int rc = m ? lp_deployer_bundle_parts(&d.input, &d.transform, &seen, self, m, d.who)
               : (lp_error_last()->code ? lp_error_last()->code : LP_ERROR);
    if (rc == 0 && seen) rc = lp_deployer_parts_record(d.tracker, d.mv, d.input, d.transform);
    deploy_clear(&d);
    return rc ? NULL : lp_value_null();
}

/* ---- the class ---------------------------------------------------------------------------- */

/* Reads deploy_dir (the default when unset); an empty one is LP_ECONFIG. */
static int deployer_init(lp_obj *self)
{
    deployer *st = lp_obj_state(self);
    lp_value *v = lp_obj_config(self, "deploy_dir");
    int rc = 0;
    if (v && (lp_value_type(v) != LP_STRING || !*lp_value_as_string(v)))
        rc = lp_kit_error_at(LP_ECONFIG, v,
                             "LocalModelDeployer (%s): deploy_dir must be a non-empty path",
                             lp_obj_path(self));
    if (rc == 0) {
        const char *dir = v ? lp_value_as_string(v) : DEFAULT_DIR;
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        if (!(st->deploy_dir = lp_strndup(dir, n))) rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    return rc;
}

/* Frees what init allocated. */
static void deployer_fini(lp_obj *self)
{
    deployer *st = lp_obj_state(self);
    free(st->deploy_dir);
    st->deploy_dir = NULL;
}

static const lp_method deployer_methods[] = {
    {"deploy_model", deployer_deploy_model,
     "deploy_model(promotion, model_version) -> deployment: {path, model_version, deployment}"},
    {"prepare_bundle", deployer_prepare_bundle,
     "prepare_bundle(model_version, model): records with a version not deployed now its "
     "bundle's input schema and data_transformer, for a later `lolpop models promote`"},
    {NULL, NULL, NULL},
};

/* deploy_model loads the stored model through the metadata_tracker, which
 * reads it with the resource_version_control: without either, a workflow
 * would train, promote and only then fail (issue 11, Fix 1). */
static const char *const deployer_requirements[] = {"component.metadata_tracker",
                                                    "component.resource_version_control", NULL};

static const lp_config_key deployer_keys[] = {
    {"deploy_dir", "string",
     "where bundles go: <deploy_dir>/<model name>/v<version>, and a symlink current (default "
     ".lolpop/deployments)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_model_deployer_class = {
    .name = "LocalModelDeployer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_deployer",
    .doc = "Deploys an approved model version as a self-contained bundle directory "
           "<deploy_dir>/<model name>/v<version>/ holding model.lpm (the saved model, its "
           "feature transformer attached), schema.json (features with types and categories, "
           "target, task, classes) and metadata.json (model, version, runs, time, the winning "
           "experiment's parameters and metrics, lolpop version), and points the symlink "
           "<deploy_dir>/<model name>/current at it. The bundle is written to a temp directory "
           "and renamed into place (a redeployment replaces it atomically); then the deployment "
           "resource, alias production and the model's deployed_version are recorded in one "
           "store transaction, then current follows; all under the model's deploy lock. A "
           "version whose tag approved is not true is refused.",
    .defaults_yaml = NULL,
    .requirements = deployer_requirements,
    .config_keys = deployer_keys,
    .methods = deployer_methods,
    .state_size = sizeof(deployer),
    .init = deployer_init,
    .fini = deployer_fini,
};
