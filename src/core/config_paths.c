/*
 * config_paths.c — resolves path-valued configuration keys (issue 11 Fix 2).
 *
 * One rule: a relative path is relative to the file that set it, so a
 * workflow runs the same from any working directory (`lolpop run workflow R
 * -c path/to/x.yaml`) and an overlay's paths are its own. Values from --set
 * and the environment have no file: they stay relative to the working
 * directory. The document is rewritten once, in lp_config_load, so every
 * reader (runners, components, plugins) sees the resolved path; the value's
 * origin is kept, so messages still point at the line that set it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config_paths.h"
#include "internal.h"

static const lp_path_key path_keys[] = {
    {"train_data", false, true,
     "training data file (a table or query when a database connector reads it)"},
    {"eval_data", false, true, "data to score, as train_data"},
    {"ground_truth_data", false, true, "labelled data for evaluate_ground_truth"},
    {"prediction_data", true, true,
     "where predictions are written (a CSV path unless a "
     "connector says)"},
    {"sql_file", false, false, "the SQL file of SQLDataTransformer / PostgresDataTransformer"},
    {"store", true, false, "the metadata store (SQLite file)"},
    {"objects_dir", true, false, "the object store's directory (metadata_tracker)"},
    {"dir", true, false, "output directories: reports, plots, deployments, the object store"},
    {"deploy_dir", true, false, "where the model_deployer writes bundles"},
    {"run_report_dir", true, false, "where the run report is written"},
    {"report_file", true, false, "a data or model checker's report file"},
    {"profile_file", true, false, "the data profiler's profile file"},
    {"comparison_file", true, false, "the data profiler's comparison file"},
    {"database", true, false, "SQLiteDataConnector's database file"},
    /* reports of the test run itself: written where asked, also by a scratch run */
    {"junit_file", false, false, "LocalTestRecorder's JUnit XML file"},
    {"json_file", false, false, "LocalTestRecorder's JSON file"},
    {"log_filename", false, false, "FileLogger's log file"},
    {NULL, false, false, NULL},
};

const lp_path_key *lp_config_path_keys(void)
{
    return path_keys;
}

const lp_path_key *lp_config_path_key(const char *name)
{
    for (const lp_path_key *k = path_keys; name && k->name; k++)
        if (strcasecmp(k->name, name) == 0) return k;
    return NULL;
}

char *lp_path_relative_to_origin(const char *rel, const lp_origin *o)
{
    if (rel[0] == '/' || !o || o->kind != LP_ORIGIN_FILE || !o->source) return lp_strdup(rel);
    const char *slash = strrchr(o->source, '/');
    if (!slash) return lp_strdup(rel);
    if (slash == o->source) return lp_asprintf("/%s", rel);
    return lp_asprintf("%.*s/%s", (int)(slash - o->source), o->source, rel);
}

static bool has_file_extension(const char *s)
{
    static const char *const ext[] = {"csv",     "tsv", "txt",   "json",   "jsonl", "ndjson",
                                      "parquet", "gz",  "bz2",   "zst",    "xz",    "sql",
                                      "yaml",    "yml", "arrow", "feather"};
    const char *dot = strrchr(s, '.');
    if (!dot || strchr(dot, '/')) return false;
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (strcasecmp(dot + 1, ext[i]) == 0) return true;
    return false;
}

/* Whether `s` may be resolved at all: not empty, not absolute, not a URL or
 * connection string. For keys that may name a table or a query, only what
 * looks like a file (a '/', a data file extension, or an existing file). */
static bool resolvable(const char *s, const char *candidate_base, const lp_path_key *k)
{
    if (!*s || s[0] == '/' || strstr(s, "://")) return false;
    if (!k->maybe_table) return true;
    if (strpbrk(s, " \t\n\r")) return false; /* a query */
    if (strchr(s, '/') || has_file_extension(s)) return true;
    struct stat st;
    return candidate_base && stat(candidate_base, &st) == 0;
}

/* Resolves one string value in place in its container (map key or list index). */
static int resolve_one(lp_value *container, const char *key, size_t index, lp_value *v,
                       const lp_path_key *k, const char *cwd)
{
    const char *s = lp_value_as_string(v);
    if (lp_value_type(v) != LP_STRING || !s) return 0;
    char *path = lp_path_relative_to_origin(s, lp_value_origin(v));
    if (!path) return LP_ENOMEM;
    if (!resolvable(s, path, k)) {
        free(path);
        return 0;
    }
    if (cwd && path[0] != '/') {
        char *abs = lp_asprintf("%s/%s", cwd, path);
        free(path);
        if (!abs) return LP_ENOMEM;
        path = abs;
    }
    int rc = 0;
    if (strcmp(path, s) != 0) {
        lp_value *nv = lp_value_string(path);
        if (!nv) rc = LP_ENOMEM;
        if (nv) lp_value_set_origin(nv, lp_value_origin(v));
        if (nv) rc = key ? lp_map_set(container, key, nv) : lp_list_set(container, index, nv);
    }
    free(path);
    return rc;
}

/* The value of a path key: a string, or the strings of a map or list. */
static int resolve_key_value(lp_value *map, size_t i, const lp_path_key *k, const char *cwd)
{
    lp_value *v = lp_map_value(map, i);
    int rc = 0;
    if (lp_value_type(v) == LP_STRING) return resolve_one(map, lp_map_key(map, i), 0, v, k, cwd);
    for (size_t j = 0; rc == 0 && lp_value_type(v) == LP_MAP && j < lp_map_len(v); j++)
        rc = resolve_one(v, lp_map_key(v, j), 0, lp_map_value(v, j), k, cwd);
    for (size_t j = 0; rc == 0 && lp_value_type(v) == LP_LIST && j < lp_list_len(v); j++)
        rc = resolve_one(v, NULL, j, lp_list_get(v, j), k, cwd);
    return rc;
}

static int walk(lp_value *v, const char *cwd, int depth)
{
    int rc = 0;
    if (depth > 256) return 0; /* the loader already refused deeper documents */
    if (lp_value_type(v) == LP_LIST)
        for (size_t i = 0; rc == 0 && i < lp_list_len(v); i++)
            rc = walk(lp_list_get(v, i), cwd, depth + 1);
    if (lp_value_type(v) != LP_MAP) return rc;
    for (size_t i = 0; rc == 0 && i < lp_map_len(v); i++) {
        const lp_path_key *k = lp_config_path_key(lp_map_key(v, i));
        rc = k ? resolve_key_value(v, i, k, cwd) : walk(lp_map_value(v, i), cwd, depth + 1);
    }
    return rc;
}

int lp_config_resolve_paths(lp_value *doc, const char *cwd)
{
    int rc = walk(doc, cwd, 0);
    return rc ? lp_error_set(LP_ENOMEM, "out of memory resolving configuration paths") : 0;
}

/* ---- scratch runs ------------------------------------------------------------------ */

static int reroot_one(lp_value *moved, lp_value *container, const char *key, size_t index,
                      lp_value *v, const char *root)
{
    const char *s = lp_value_as_string(v);
    if (lp_value_type(v) != LP_STRING || !s || s[0] != '/') return 0;
    char *to = lp_asprintf("%s/outputs%s", root, s);
    lp_value *nv = to ? lp_value_string(to) : NULL;
    lp_value *pair = nv ? lp_value_map() : NULL;
    int rc = pair ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lp_map_set(pair, "from", lp_value_string(s));
    if (rc == 0) rc = lp_map_set(pair, "to", lp_value_string(to));
    if (rc == 0)
        rc = lp_list_append(moved, pair);
    else
        lp_value_unref(pair);
    free(to);
    if (rc != 0) {
        lp_value_unref(nv);
        return LP_ENOMEM;
    }
    lp_value_set_origin(nv, lp_value_origin(v));
    return key ? lp_map_set(container, key, nv) : lp_list_set(container, index, nv);
}

static int reroot_walk(lp_value *moved, lp_value *v, const char *root, int depth)
{
    int rc = 0;
    if (depth > 256) return 0;
    if (lp_value_type(v) == LP_LIST)
        for (size_t i = 0; rc == 0 && i < lp_list_len(v); i++)
            rc = reroot_walk(moved, lp_list_get(v, i), root, depth + 1);
    if (lp_value_type(v) != LP_MAP) return rc;
    for (size_t i = 0; rc == 0 && i < lp_map_len(v); i++) {
        const lp_path_key *k = lp_config_path_key(lp_map_key(v, i));
        lp_value *x = lp_map_value(v, i);
        if (!k || !k->output) {
            rc = reroot_walk(moved, x, root, depth + 1);
            continue;
        }
        /* reroot_one replaces (and frees) a string x: decide on its type first */
        lp_vtype t = lp_value_type(x);
        if (t == LP_STRING) rc = reroot_one(moved, v, lp_map_key(v, i), 0, x, root);
        for (size_t j = 0; rc == 0 && t == LP_MAP && j < lp_map_len(x); j++)
            rc = reroot_one(moved, x, lp_map_key(x, j), 0, lp_map_value(x, j), root);
    }
    return rc;
}

int lp_config_reroot_outputs(lp_value **moved, lp_value *doc, const char *root)
{
    *moved = lp_value_list();
    int rc = *moved ? reroot_walk(*moved, doc, root, 0) : LP_ENOMEM;
    if (rc == 0) return 0;
    lp_value_unref(*moved);
    *moved = NULL;
    return lp_error_set(LP_ENOMEM, "out of memory moving outputs to the scratch directory");
}
