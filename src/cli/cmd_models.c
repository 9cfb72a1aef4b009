/*
 * cmd_models.c — `lolpop models list | show | approve | promote | rollback`:
 * the models, versions, aliases and deployments of the metadata store
 * (issue 11). Options, NAME/vN resolution, `list` and `show`; the commands
 * that change what is deployed are in cmd_models_change.c.
 *
 * `list` and `show` open the store read-only: they work on a store nobody
 * may write. Results go to stdout (tables, or JSON with --json); errors to
 * stderr. A model or version that does not exist is a usage error (exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_models.h"
#include "cmd_runs.h"
#include "core/internal.h"

const char cmd_models_help[] =
    "Subcommands:\n"
    "  list                   every model: versions, aliases, validation metric, approved,\n"
    "                         deployed (* = the version `current` serves)\n"
    "  show NAME[/vN]         a model (versions, aliases, deployment history) or one version\n"
    "                         (experiments with parameters and metrics, lineage back to the\n"
    "                         dataset versions, deployments)\n"
    "  approve NAME/vN        records the approval (who, when); moves no alias\n"
    "  promote NAME/vN        points alias production at the version and redeploys its bundle\n"
    "                         through the model_deployer; an unapproved version is refused\n"
    "                         unless --force (which approves it, recorded as such)\n"
    "  rollback NAME          production back to the version it served before, redeployed\n"
    "Every change is recorded in the store (who, when, what) and serialised with the\n"
    "workflows deploying the same model (the model's deploy lock).\n\n"
    "Options:\n"
    "  --store PATH       the metadata store (default .lolpop/lolpop.db)\n"
    "  --alias NAME       promote: the alias to move (only production, the deployed one)\n"
    "  --force            promote: approve an unapproved version first\n"
    "  --deploy-dir DIR   promote, rollback: where bundles go (default: where the model's\n"
    "                     last bundle is, else .lolpop/deployments)\n"
    "  --json             machine-readable output on stdout\n"
    "  -h, --help         show this help\n";

enum { OPT_STORE = 1, OPT_JSON, OPT_ALIAS, OPT_FORCE, OPT_DEPLOY_DIR };

static const cli_option models_options[] = {
    {"store", 0, "PATH", OPT_STORE},          {"json", 0, NULL, OPT_JSON},
    {"alias", 0, "NAME", OPT_ALIAS},          {"force", 0, NULL, OPT_FORCE},
    {"deploy-dir", 0, "DIR", OPT_DEPLOY_DIR}, {NULL, 0, NULL, 0},
};

static int take_option(void *ctx, int id, const char *value)
{
    models_args *a = ctx;
    if ((id == OPT_STORE || id == OPT_ALIAS || id == OPT_DEPLOY_DIR) && !*value)
        return cli_usage_error(a->cmd, "option '--%s' needs a value",
                               id == OPT_STORE   ? "store"
                               : id == OPT_ALIAS ? "alias"
                                                 : "deploy-dir");
    if (id == OPT_STORE) a->store = value;
    if (id == OPT_ALIAS) a->alias = value;
    if (id == OPT_DEPLOY_DIR) a->deploy_dir = value;
    if (id == OPT_JSON) a->json = true;
    if (id == OPT_FORCE) a->force = true;
    return 0;
}

/* ---- store look-ups shared with cmd_models_change.c ------------------------------------- */

void models_ref_clear(models_ref *r)
{
    lp_value_unref(r->model);
    lp_value_unref(r->version);
    *r = (models_ref){0};
}

int64_t models_tag_int(lp_store *st, int64_t resource, const char *key)
{
    lp_value *v = NULL;
    if (lp_store_tag_get(st, resource, key, &v) != 0) lp_error_clear();
    int64_t id = lp_value_type(v) == LP_INT ? lp_value_as_int(v) : 0;
    lp_value_unref(v);
    return id;
}

int64_t models_version_of(lp_store *st, int64_t id)
{
    lp_value *r = NULL;
    if (id <= 0 || lp_store_resource_get(st, id, &r) != 0) {
        lp_error_clear();
        return 0;
    }
    int64_t v = runs_int(r, "version");
    lp_value_unref(r);
    return v;
}

/* "v1, v2, v5" of the model's versions (new string). */
static char *version_names(lp_store *st, const lp_value *model)
{
    lp_value *vs = NULL;
    lp_sb sb = {0};
    if (lp_store_resource_children(st, runs_int(model, "id"), "model_version", &vs) != 0)
        lp_error_clear();
    for (size_t i = 0; i < lp_list_len(vs); i++)
        lp_sb_appendf(&sb, "%sv%lld", i ? ", " : "",
                      (long long)runs_int(lp_list_get(vs, i), "version"));
    lp_value_unref(vs);
    char *s = lp_sb_take(&sb);
    return s ? s : strdup("");
}

/* The version number of "vN" / "N", or -1. */
static long long parse_version(const char *s)
{
    if (*s == 'v' || *s == 'V') s++;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    return *s && !*end && !errno && n > 0 ? n : -1;
}

int models_resolve(lp_store *st, const models_args *a, const char *ref, bool need_version,
                   models_ref *out)
{
    *out = (models_ref){0};
    const char *slash = strrchr(ref, '/');
    char *name = slash ? lp_strndup(ref, (size_t)(slash - ref)) : lp_strdup(ref);
    if (!name) return CLI_FAIL;
    int rc = 0;
    if (need_version && !slash)
        rc = cli_usage_error(a->cmd, "'%s' names no version: give NAME/vN (e.g. %s/v1)", ref, ref);
    long long version = slash && rc == 0 ? parse_version(slash + 1) : 0;
    if (rc == 0 && version < 0)
        rc = cli_usage_error(a->cmd, "'%s': '%s' is not a version (vN, e.g. v3)", ref, slash + 1);
    if (rc == 0 && lp_store_resource_find(st, "model", name, &out->model) != 0) {
        cli_print_last_error();
        rc = CLI_FAIL;
    }
    if (rc == 0 && !out->model) {
        char *hint = lp_store_resource_suggest(st, "model", name);
        if (hint)
            cli_error("no model '%s' in the metadata store '%s' (did you mean '%s'?)", name,
                      lp_store_location(st), hint);
        else
            cli_error("no model '%s' in the metadata store '%s' (`lolpop models list` lists them)",
                      name, lp_store_location(st));
        free(hint);
        rc = CLI_USAGE;
    }
    lp_value *vs = NULL;
    if (rc == 0 && version > 0 &&
        lp_store_resource_children(st, runs_int(out->model, "id"), "model_version", &vs) != 0) {
        cli_print_last_error();
        rc = CLI_FAIL;
    }
    for (size_t i = 0; rc == 0 && i < lp_list_len(vs) && !out->version; i++)
        if (runs_int(lp_list_get(vs, i), "version") == version)
            out->version = lp_value_ref(lp_list_get(vs, i));
    if (rc == 0 && version > 0 && !out->version) {
        char *have = version_names(st, out->model);
        cli_error("model '%s' has no version v%lld (it has %s)", name, version,
                  have && *have ? have : "no versions");
        free(have);
        rc = CLI_USAGE;
    }
    lp_value_unref(vs);
    free(name);
    if (rc) models_ref_clear(out);
    return rc;
}

/* v[key] of a tag map as a new value (null when absent). */
static lp_value *tag_or_null(const lp_value *tags, const char *key)
{
    lp_value *v = lp_map_get(tags, key);
    return v ? lp_value_ref(v) : lp_value_null();
}

lp_value *models_deployments(lp_store *st, const lp_value *model)
{
    lp_value *out = lp_value_list(), *vs = NULL;
    if (lp_store_resource_children(st, runs_int(model, "id"), "model_version", &vs) != 0)
        lp_error_clear();
    for (size_t i = 0; out && i < lp_list_len(vs); i++) {
        const lp_value *mv = lp_list_get(vs, i);
        lp_value *deps = NULL;
        if (lp_store_resource_children(st, runs_int(mv, "id"), "deployment", &deps) != 0)
            lp_error_clear();
        for (size_t k = 0; k < lp_list_len(deps); k++) {
            const lp_value *d = lp_list_get(deps, k);
            lp_value *tags = NULL;
            if (lp_store_tags(st, runs_int(d, "id"), &tags) != 0) lp_error_clear();
            const lp_value *prev = lp_map_get(tags, "previous");
            int64_t pv =
                lp_value_type(prev) == LP_INT ? models_version_of(st, lp_value_as_int(prev)) : 0;
            lp_value *e = lp_value_map();
            if (e) {
                lp_map_set(e, "id", lp_value_int(runs_int(d, "id")));
                lp_map_set(e, "uri", lp_value_string(runs_str(d, "uri")));
                lp_map_set(e, "version", lp_value_int(runs_int(mv, "version")));
                lp_map_set(e, "version_id", lp_value_int(runs_int(mv, "id")));
                lp_map_set(e, "action", tag_or_null(tags, "action"));
                lp_map_set(e, "alias", tag_or_null(tags, "alias"));
                lp_map_set(e, "who", tag_or_null(tags, "who"));
                lp_map_set(e, "at", tag_or_null(tags, "at"));
                lp_map_set(e, "previous", pv ? lp_value_int(pv) : lp_value_null());
                lp_map_set(e, "path", tag_or_null(tags, "path"));
                lp_list_append(out, e);
            }
            lp_value_unref(tags);
        }
        lp_value_unref(deps);
    }
    lp_value_unref(vs);
    /* in the order they happened: deployment rows are numbered as created */
    size_t n = lp_list_len(out);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && runs_int(lp_list_get(out, j - 1), "id") > runs_int(lp_list_get(out, j), "id");
             j--) {
            lp_value *x = lp_value_ref(lp_list_get(out, j - 1));
            lp_value *y = lp_value_ref(lp_list_get(out, j));
            lp_list_set(out, j - 1, y);
            lp_list_set(out, j, x);
        }
    return out;
}

/* ---- list ---------------------------------------------------------------------------- */

/* {version, id, uri, run, approved, approved_by, perf_metric, perf_value,
 * aliases, deployed} of one version (new map). */
/* The status of run_id ("succeeded", "failed", "running") as a new string
 * value, or null when the run is unknown: a version whose run failed has no
 * metrics, and the table says why. */
static lp_value *run_status(lp_store *st, const char *run_id)
{
    lp_value *run = NULL;
    if (!run_id || lp_store_run_get(st, run_id, &run) != 0) {
        lp_error_clear();
        return lp_value_null();
    }
    const char *status = runs_str(run, "status");
    lp_value *v = status ? lp_value_string(status) : lp_value_null();
    lp_value_unref(run);
    return v;
}

/* "f1 0.7921", or "- (run failed)" for a version its failed run left without
 * metrics, into buf. */
static void validation_text(char *buf, size_t n, const lp_value *entry)
{
    char val[32];
    runs_format_value(val, sizeof val, lp_map_get(entry, "perf_value"));
    const char *metric = runs_str(entry, "perf_metric"), *status = runs_str(entry, "run_status");
    if (metric)
        snprintf(buf, n, "%s %s", metric, val);
    else if (status && strcmp(status, "succeeded") != 0)
        snprintf(buf, n, "- (run %s)", status);
    else
        snprintf(buf, n, "-");
}

static lp_value *version_entry(lp_store *st, const lp_value *mv, const lp_value *model_tags,
                               int64_t deployed)
{
    lp_value *tags = NULL;
    if (lp_store_tags(st, runs_int(mv, "id"), &tags) != 0) lp_error_clear();
    lp_value *aliases = lp_value_list();
    for (size_t i = 0; i < lp_map_len(model_tags); i++) {
        const char *key = lp_map_key(model_tags, i);
        const lp_value *v = lp_map_value(model_tags, i);
        if (strncmp(key, "alias.", 6) == 0 && lp_value_type(v) == LP_INT &&
            lp_value_as_int(v) == runs_int(mv, "id"))
            lp_list_append(aliases, lp_value_string(key + 6));
    }
    const lp_value *approved = lp_map_get(tags, "approved");
    lp_value *e = lp_value_map();
    lp_map_set(e, "version", lp_value_int(runs_int(mv, "version")));
    lp_map_set(e, "id", lp_value_int(runs_int(mv, "id")));
    lp_map_set(e, "uri", lp_value_string(runs_str(mv, "uri")));
    lp_map_set(e, "run", tag_or_null(mv, "run"));
    lp_map_set(e, "run_status", run_status(st, runs_str(mv, "run")));
    lp_map_set(e, "approved",
               lp_value_bool(lp_value_type(approved) == LP_BOOL && lp_value_as_bool(approved)));
    lp_map_set(e, "approved_by", tag_or_null(tags, "approved_by"));
    lp_map_set(e, "perf_metric", tag_or_null(tags, "perf_metric"));
    lp_map_set(e, "perf_value", tag_or_null(tags, "perf_value"));
    lp_map_set(e, "aliases", aliases);
    lp_map_set(e, "deployed", lp_value_bool(deployed == runs_int(mv, "id")));
    lp_value_unref(tags);
    return e;
}

/* {name, id, deployed_version, aliases: {alias: version}, versions: [...]} (new map). */
static lp_value *model_entry(lp_store *st, const lp_value *model)
{
    int64_t mid = runs_int(model, "id");
    lp_value *tags = NULL, *vs = NULL;
    if (lp_store_tags(st, mid, &tags) != 0) lp_error_clear();
    if (lp_store_resource_children(st, mid, "model_version", &vs) != 0) lp_error_clear();
    const lp_value *dv = lp_map_get(tags, "deployed_version");
    int64_t deployed = lp_value_type(dv) == LP_INT ? lp_value_as_int(dv) : 0;
    lp_value *aliases = lp_value_map(), *versions = lp_value_list();
    for (size_t i = 0; i < lp_map_len(tags); i++) {
        const char *key = lp_map_key(tags, i);
        const lp_value *v = lp_map_value(tags, i);
        if (strncmp(key, "alias.", 6) == 0 && lp_value_type(v) == LP_INT)
            lp_map_set(aliases, key + 6, lp_value_int(models_version_of(st, lp_value_as_int(v))));
    }
    for (size_t i = 0; i < lp_list_len(vs); i++)
        lp_list_append(versions, version_entry(st, lp_list_get(vs, i), tags, deployed));
    lp_value *e = lp_value_map();
    lp_map_set(e, "name", lp_value_string(runs_str(model, "name")));
    lp_map_set(e, "id", lp_value_int(mid));
    lp_map_set(e, "deployed_version",
               deployed ? lp_value_int(models_version_of(st, deployed)) : lp_value_null());
    lp_map_set(e, "aliases", aliases);
    lp_map_set(e, "versions", versions);
    lp_value_unref(tags);
    lp_value_unref(vs);
    return e;
}

/* "production, staging" of a version entry (new string). */
static char *alias_text(const lp_value *entry)
{
    const lp_value *al = lp_map_get(entry, "aliases");
    lp_sb sb = {0};
    for (size_t i = 0; i < lp_list_len(al); i++)
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", lp_value_as_string(lp_list_get(al, i)));
    char *s = lp_sb_take(&sb);
    return s ? s : strdup("");
}

/* Adds the rows of one model's versions to the table. */
static void add_version_rows(runs_table *t, const lp_value *m)
{
    const lp_value *vs = lp_map_get(m, "versions");
    for (size_t i = 0; i < lp_list_len(vs); i++) {
        const lp_value *v = lp_list_get(vs, i);
        char ver[32], perf[96];
        snprintf(ver, sizeof ver, "v%lld", (long long)runs_int(v, "version"));
        validation_text(perf, sizeof perf, v);
        char *al = alias_text(v);
        const char *row[] = {i ? "" : runs_str(m, "name"),
                             ver,
                             al && *al ? al : "-",
                             perf,
                             lp_value_as_bool(lp_map_get(v, "approved")) ? "yes" : "no",
                             lp_value_as_bool(lp_map_get(v, "deployed")) ? "*" : ""};
        runs_table_add(t, row);
        free(al);
    }
}

static int models_list(models_args *a, lp_store *st)
{
    lp_value *models = NULL;
    if (lp_store_resource_roots(st, "model", &models) != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    lp_value *entries = lp_value_list();
    for (size_t i = 0; i < lp_list_len(models); i++)
        lp_list_append(entries, model_entry(st, lp_list_get(models, i)));
    lp_value_unref(models);
    int rc = CLI_OK;
    if (a->json) {
        lp_value *doc = lp_value_map();
        lp_map_set(doc, "store", lp_value_string(lp_store_location(st)));
        lp_map_set(doc, "models", lp_value_ref(entries));
        rc = runs_print_json(doc);
        lp_value_unref(doc);
    } else if (lp_list_len(entries) == 0) {
        printf("no models in %s\n", lp_store_location(st));
    } else {
        runs_table t;
        runs_table_init(&t, 6, "llllll");
        const char *head[] = {"MODEL", "VERSION", "ALIASES", "VALIDATION", "APPROVED", "DEPLOYED"};
        runs_table_add(&t, head);
        for (size_t i = 0; i < lp_list_len(entries); i++)
            add_version_rows(&t, lp_list_get(entries, i));
        runs_table_print(&t, stdout, "");
        runs_table_free(&t);
    }
    lp_value_unref(entries);
    return rc;
}

/* ---- show ---------------------------------------------------------------------------- */

/* The deployment history as text lines. */
static void print_deployments(const lp_value *deps, int64_t only_version)
{
    printf("deployments:\n");
    size_t shown = 0;
    for (size_t i = 0; i < lp_list_len(deps); i++) {
        const lp_value *d = lp_list_get(deps, i);
        if (only_version && runs_int(d, "version") != only_version) continue;
        char when[32], prev[32] = "none";
        runs_format_time(when, sizeof when, lp_map_get(d, "at"));
        if (lp_value_type(lp_map_get(d, "previous")) == LP_INT)
            snprintf(prev, sizeof prev, "v%lld", (long long)runs_int(d, "previous"));
        const char *action = runs_str(d, "action"), *who = runs_str(d, "who");
        printf("  %s  %-8s v%lld (was %s) by %s\n", when, action ? action : "deploy",
               (long long)runs_int(d, "version"), prev, who ? who : "?");
        shown++;
    }
    if (!shown) printf("  (none)\n");
}

/* The version's experiments: {uri, trainer, params, winner, metrics} (new list). */
static lp_value *experiments_of(lp_store *st, const lp_value *mv)
{
    lp_value *exps = NULL, *out = lp_value_list();
    if (lp_store_resource_children(st, runs_int(mv, "id"), "experiment", &exps) != 0)
        lp_error_clear();
    for (size_t i = 0; i < lp_list_len(exps); i++) {
        const lp_value *x = lp_list_get(exps, i);
        lp_value *tags = NULL, *metrics = NULL;
        if (lp_store_tags(st, runs_int(x, "id"), &tags) != 0) lp_error_clear();
        if (lp_store_metrics(st, runs_int(x, "id"), &metrics) != 0) lp_error_clear();
        const lp_value *w = lp_map_get(tags, "winner");
        lp_value *e = lp_value_map();
        lp_map_set(e, "uri", lp_value_string(runs_str(x, "uri")));
        lp_map_set(e, "trainer", tag_or_null(tags, "trainer"));
        lp_map_set(e, "params", tag_or_null(tags, "params"));
        lp_map_set(e, "winner", lp_value_bool(lp_value_type(w) == LP_BOOL && lp_value_as_bool(w)));
        lp_map_set(e, "metrics", metrics ? metrics : lp_value_map());
        lp_list_append(out, e);
        lp_value_unref(tags);
    }
    lp_value_unref(exps);
    return out;
}

/* Lineage back to the data: the version's edges, and for each dataset version
 * it was trained on, that version's own edges (its dataset). New list. */
static lp_value *lineage_of(lp_store *st, const lp_value *mv)
{
    lp_value *edges = NULL;
    if (lp_store_lineage(st, runs_int(mv, "id"), &edges) != 0) lp_error_clear();
    return edges ? edges : lp_value_list();
}

static void print_experiments(const lp_value *exps)
{
    printf("experiments:\n");
    for (size_t i = 0; i < lp_list_len(exps); i++) {
        const lp_value *e = lp_list_get(exps, i);
        char *params = lp_store_value_json(lp_map_get(e, "params"), 0);
        const char *trainer = runs_str(e, "trainer");
        printf("  %s %s %s %s\n", lp_value_as_bool(lp_map_get(e, "winner")) ? "*" : " ",
               runs_str(e, "uri"), trainer ? trainer : "-", params ? params : "null");
        free(params);
        const lp_value *metrics = lp_map_get(e, "metrics");
        for (size_t s = 0; s < lp_map_len(metrics); s++) {
            const lp_value *split = lp_map_value(metrics, s);
            printf("      %-6s", lp_map_key(metrics, s));
            for (size_t k = 0; k < lp_map_len(split); k++) {
                char val[32];
                runs_format_value(val, sizeof val, lp_map_value(split, k));
                printf(" %s %s", lp_map_key(split, k), val);
            }
            printf("\n");
        }
    }
    if (!lp_list_len(exps)) printf("  (none)\n");
}

static void print_version(const lp_value *entry, const lp_value *model, const lp_value *doc)
{
    char *al = alias_text(entry), val[96];
    validation_text(val, sizeof val, entry);
    const char *run = runs_str(entry, "run");
    const char *by = runs_str(entry, "approved_by");
    printf("%s v%lld (%s)\n", runs_str(model, "name"), (long long)runs_int(entry, "version"),
           runs_str(entry, "uri"));
    printf("  run         %s\n", run ? run : "-");
    printf("  validation  %s\n", val);
    printf("  approved    %s%s%s\n", lp_value_as_bool(lp_map_get(entry, "approved")) ? "yes" : "no",
           by ? " by " : "", by ? by : "");
    printf("  aliases     %s\n", al && *al ? al : "-");
    printf("  deployed    %s\n", lp_value_as_bool(lp_map_get(entry, "deployed")) ? "yes" : "no");
    free(al);
    print_experiments(lp_map_get(doc, "experiments"));
    const lp_value *lin = lp_map_get(doc, "lineage");
    printf("lineage:\n");
    for (size_t i = 0; i < lp_list_len(lin); i++) {
        const lp_value *l = lp_list_get(lin, i);
        printf("  %s -[%s]-> %s\n", runs_str(l, "from_uri"), runs_str(l, "kind"),
               runs_str(l, "to_uri"));
    }
    if (!lp_list_len(lin)) printf("  (none)\n");
}

static int show_version(models_args *a, lp_store *st, const models_ref *r, lp_value *entry)
{
    lp_value *doc = lp_value_copy(entry);
    lp_value *deps = models_deployments(st, r->model);
    lp_value *mine = lp_value_list();
    for (size_t i = 0; i < lp_list_len(deps); i++)
        if (runs_int(lp_list_get(deps, i), "version") == runs_int(entry, "version"))
            lp_list_append(mine, lp_value_ref(lp_list_get(deps, i)));
    lp_map_set(doc, "model", lp_value_string(runs_str(r->model, "name")));
    lp_map_set(doc, "experiments", experiments_of(st, r->version));
    lp_map_set(doc, "lineage", lineage_of(st, r->version));
    lp_map_set(doc, "deployments", mine);
    int rc = CLI_OK;
    if (a->json) {
        rc = runs_print_json(doc);
    } else {
        print_version(entry, r->model, doc);
        print_deployments(deps, runs_int(entry, "version"));
    }
    lp_value_unref(deps);
    lp_value_unref(doc);
    return rc;
}

static int models_show(models_args *a, lp_store *st)
{
    models_ref r;
    int rc = models_resolve(st, a, a->pos.v[1], false, &r);
    if (rc) return rc;
    lp_value *m = model_entry(st, r.model);
    if (r.version) {
        const lp_value *vs = lp_map_get(m, "versions");
        for (size_t i = 0; i < lp_list_len(vs); i++)
            if (runs_int(lp_list_get(vs, i), "id") == runs_int(r.version, "id"))
                rc = show_version(a, st, &r, lp_list_get(vs, i));
    } else {
        lp_value *deps = models_deployments(st, r.model);
        if (a->json) {
            lp_map_set(m, "deployments", lp_value_ref(deps));
            rc = runs_print_json(m);
        } else {
            runs_table t;
            runs_table_init(&t, 6, "llllll");
            const char *head[] = {"MODEL",      "VERSION",  "ALIASES",
                                  "VALIDATION", "APPROVED", "DEPLOYED"};
            runs_table_add(&t, head);
            add_version_rows(&t, m);
            runs_table_print(&t, stdout, "");
            runs_table_free(&t);
            print_deployments(deps, 0);
        }
        lp_value_unref(deps);
    }
    lp_value_unref(m);
    models_ref_clear(&r);
    return rc;
}

/* ---- the command ----------------------------------------------------------------------------- */

static const char *const subcommands[] = {"list", "show", "approve", "promote", "rollback"};

static int check_positionals(models_args *a)
{
    if (a->pos.n == 0)
        return cli_usage_error(a->cmd, "a subcommand is missing: list, show, approve, promote "
                                       "or rollback");
    const char *sub = a->pos.v[0];
    size_t want = strcmp(sub, "list") == 0 ? 1 : 0;
    for (size_t i = 1; i < 5; i++)
        if (strcmp(sub, subcommands[i]) == 0) want = 2;
    if (!want) {
        char hint[64];
        cli_suggestion(hint, sizeof hint, sub, subcommands, 5);
        return cli_usage_error(a->cmd, "unknown subcommand 'models %s'%s", sub, hint);
    }
    if (a->pos.n < want)
        return cli_usage_error(a->cmd, "'models %s' needs %s", sub,
                               strcmp(sub, "show") == 0       ? "NAME or NAME/vN"
                               : strcmp(sub, "rollback") == 0 ? "a model NAME"
                                                              : "NAME/vN");
    if (a->pos.n > want)
        return cli_usage_error(a->cmd, "unexpected argument '%s' after 'models %s'", a->pos.v[want],
                               sub);
    if ((a->alias || a->force) && strcmp(sub, "promote") != 0)
        return cli_usage_error(a->cmd, "--alias and --force belong to 'models promote'");
    if (a->alias && strcmp(a->alias, "production") != 0)
        return cli_usage_error(a->cmd,
                               "--alias %s: only production can be promoted here (it is the "
                               "alias the deployed bundle follows)",
                               a->alias);
    return 0;
}

static int open_store(lp_store **st, const char *path, bool write)
{
    int rc = lp_store_open(st, path, write ? 0 : LP_STORE_READONLY);
    if (rc == LP_ENOTFOUND) {
        cli_error("no metadata store at '%s' (run a workflow first, or give --store PATH)", path);
        return CLI_USAGE;
    }
    if (rc) {
        cli_print_last_error();
        return rc == LP_ECONFIG ? CLI_USAGE : CLI_FAIL;
    }
    return 0;
}

int cmd_models(int argc, char **argv)
{
    models_args a = {.cmd = cli_find_command("models"), .store = LP_STORE_DEFAULT_PATH};
    static const cli_args_spec spec = {models_options, 2, take_option};
    int rc = cli_parse_args(&a.pos, a.cmd, &spec, &a, argc, argv);
    if (rc < 0) return CLI_OK; /* --help printed */
    if (rc || (rc = check_positionals(&a))) return rc;
    const char *sub = a.pos.v[0];
    bool read = strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0;
    lp_store *st = NULL;
    if ((rc = open_store(&st, a.store, !read))) return rc;
    if (strcmp(sub, "list") == 0)
        rc = models_list(&a, st);
    else if (strcmp(sub, "show") == 0)
        rc = models_show(&a, st);
    else if (strcmp(sub, "approve") == 0)
        rc = models_approve(&a, st);
    else if (strcmp(sub, "promote") == 0)
        rc = models_promote(&a, st);
    else
        rc = models_rollback(&a, st);
    lp_store_close(st);
    return rc;
}
