/*
 * cmd_runs.c — `lolpop runs list | show RUN | compare RUN_A RUN_B`: the
 * metadata store from the terminal (SPEC §7, §10). Options, `list`, and the
 * table and formatting helpers `show` and `compare` (cmd_runs_report.c) use.
 *
 * The store is opened without creating it: a missing store is an error, not
 * an empty one. Opening it read-write lets the store mark runs whose process
 * died as failed before they are listed; a store the user may not write is
 * read as it is.
 */
#include <errno.h>
#include <math.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd_runs.h"
#include "core/internal.h"

const char cmd_runs_help[] =
    "Subcommands:\n"
    "  list                 runs, newest first: id, status, runner, method, start, duration,\n"
    "                       git commit\n"
    "  show RUN             one run: status, error, configuration, datasets, model versions,\n"
    "                       experiments with parameters and metrics per split (* = winner),\n"
    "                       prediction jobs, lineage and the slowest calls\n"
    "  compare RUN_A RUN_B  the winning experiments of both runs side by side: metrics,\n"
    "                       parameters that differ, datasets that differ\n"
    "  report RUN -o FILE   one self-contained HTML page for the run (datasets, profiles,\n"
    "                       checks, drift, experiments, the winner's metrics and plots,\n"
    "                       lineage) and its JSON twin beside it (FILE with .json)\n"
    "RUN is a run id, a prefix of exactly one id, or 'latest'.\n\n"
    "Options:\n"
    "  --store PATH   the metadata store (default .lolpop/lolpop.db)\n"
    "  --limit N      list: at most N runs (default 20; 0 for all)\n"
    "  --json         machine-readable output\n"
    "  -o, --output FILE  report: where the HTML page goes (default run-RUN.html)\n"
    "  -h, --help     show this help\n";

enum { OPT_STORE = 1, OPT_LIMIT, OPT_JSON, OPT_OUTPUT };

static const cli_option runs_options[] = {
    {"store", 0, "PATH", OPT_STORE},     {"limit", 0, "N", OPT_LIMIT}, {"json", 0, NULL, OPT_JSON},
    {"output", 'o', "FILE", OPT_OUTPUT}, {NULL, 0, NULL, 0},
};

typedef struct runs_args {
    const cli_command *cmd;
    cli_positionals pos;
    const char *store;
    size_t limit;
    bool json;
    const char *output;
} runs_args;

static int take_option(void *ctx, int id, const char *value)
{
    runs_args *a = ctx;
    if (id == OPT_STORE) {
        if (!*value) return cli_usage_error(a->cmd, "option '--store' needs a path");
        a->store = value;
    } else if (id == OPT_JSON) {
        a->json = true;
    } else if (id == OPT_OUTPUT) {
        if (!*value) return cli_usage_error(a->cmd, "option '--output' needs a file path");
        a->output = value;
    } else {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (!*value || *end || n < 0 || errno)
            return cli_usage_error(a->cmd, "option '--limit' expects a number >= 0, got '%s'",
                                   value);
        a->limit = (size_t)n;
    }
    return 0;
}

/* ---- helpers shared with cmd_runs_report.c ------------------------------------------------ */

const char *runs_str(const lp_value *v, const char *key)
{
    return lp_value_as_string(lp_map_get(v, key));
}

int64_t runs_int(const lp_value *v, const char *key)
{
    return lp_value_as_int(lp_map_get(v, key));
}

void runs_table_init(runs_table *t, size_t cols, const char *align)
{
    *t = (runs_table){.cols = cols, .align = align};
}

/* A copy of s fit for one table cell: control characters become spaces. */
static char *cell_copy(const char *s)
{
    char *c = strdup(s ? s : "");
    for (char *p = c; p && *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    return c;
}

void runs_table_add(runs_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **grown = realloc(t->cells, cap * t->cols * sizeof *grown);
        if (!grown) return;
        t->cells = grown;
        t->cap = cap;
    }
    for (size_t c = 0; c < t->cols; c++)
        t->cells[t->rows * t->cols + c] = cell_copy(cells[c]);
    t->rows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

void runs_table_print(const runs_table *t, FILE *out, const char *indent)
{
    size_t w[16] = {0};
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols && c < 16; c++) {
            size_t n = width(t->cells[r * t->cols + c]);
            if (n > w[c]) w[c] = n;
        }
    for (size_t r = 0; r < t->rows; r++) {
        lp_sb line = {0};
        lp_sb_append(&line, indent);
        for (size_t c = 0; c < t->cols && c < 16; c++) {
            const char *s = t->cells[r * t->cols + c];
            int pad = (int)(w[c] - width(s));
            if (c) lp_sb_append(&line, "  ");
            if (t->align[c] == 'r') lp_sb_appendf(&line, "%*s", pad, "");
            lp_sb_append(&line, s ? s : "");
            if (t->align[c] != 'r') lp_sb_appendf(&line, "%*s", pad, "");
        }
        char *text = lp_sb_take(&line);
        size_t n = strlen(text);
        while (n && text[n - 1] == ' ') /* no trailing blanks */
            text[--n] = 0;
        fprintf(out, "%s\n", text);
        free(text);
    }
}

void runs_table_free(runs_table *t)
{
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i]);
    free(t->cells);
    *t = (runs_table){0};
}

void runs_format_time(char *buf, size_t size, const lp_value *t)
{
    if (lp_value_type(t) != LP_FLOAT && lp_value_type(t) != LP_INT) {
        snprintf(buf, size, "-");
        return;
    }
    time_t secs = (time_t)lp_value_as_float(t);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

void runs_format_duration(char *buf, size_t size, const lp_value *run)
{
    const lp_value *a = lp_map_get(run, "started_at"), *b = lp_map_get(run, "ended_at");
    if (lp_value_type(b) == LP_NULL || !b) {
        snprintf(buf, size, "%s",
                 runs_str(run, "status") && strcmp(runs_str(run, "status"), "running") == 0
                     ? "running"
                     : "-");
        return;
    }
    double d = lp_value_as_float(b) - lp_value_as_float(a);
    if (!(d >= 0)) d = 0;
    if (d < 60)
        snprintf(buf, size, "%.1fs", d);
    else if (d < 3600)
        snprintf(buf, size, "%dm %02ds", (int)(d / 60), (int)d % 60);
    else
        snprintf(buf, size, "%dh %02dm", (int)(d / 3600), ((int)d / 60) % 60);
}

void runs_format_value(char *buf, size_t size, const lp_value *v)
{
    switch (lp_value_type(v)) {
    case LP_FLOAT: {
        double d = lp_value_as_float(v);
        if (isnan(d))
            snprintf(buf, size, "nan");
        else if (d == floor(d) && fabs(d) > 1 && fabs(d) < 1e15) /* counts: 418, not 418.0000 */
            snprintf(buf, size, "%.0f", d);
        else if (fabs(d) >= 1e6 || (d != 0 && fabs(d) < 1e-4))
            snprintf(buf, size, "%.4g", d);
        else
            snprintf(buf, size, "%.4f", d);
        break;
    }
    case LP_INT:
        snprintf(buf, size, "%lld", (long long)lp_value_as_int(v));
        break;
    case LP_STRING:
        snprintf(buf, size, "%s", lp_value_as_string(v));
        break;
    case LP_NULL:
        snprintf(buf, size, "-");
        break;
    default: {
        char *s = lp_value_to_string(v);
        snprintf(buf, size, "%s", s ? s : "?");
        free(s);
    }
    }
}

int runs_print_json(const lp_value *v)
{
    char *text = lp_store_value_json(v, 0);
    json_error_t err;
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, &err) : NULL;
    char *pretty =
        j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    if (pretty) printf("%s\n", pretty);
    free(pretty);
    json_decref(j);
    free(text);
    if (!pretty) cli_error("out of memory writing JSON");
    return pretty ? CLI_OK : CLI_FAIL;
}

/* ---- list ------------------------------------------------------------------------------------ */

static int runs_list(lp_store *st, size_t limit, bool json)
{
    lp_value *runs = NULL;
    if (lp_store_runs_list(st, limit, &runs)) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    if (json) {
        rc = runs_print_json(runs);
    } else if (lp_list_len(runs) == 0) {
        printf("no runs in %s\n", lp_store_location(st));
    } else {
        runs_table t;
        runs_table_init(&t, 7, "lllllrl");
        const char *head[] = {"ID",       "STATUS", "RUNNER", "METHOD", "STARTED (UTC)",
                              "DURATION", "COMMIT"};
        runs_table_add(&t, head);
        for (size_t i = 0; i < lp_list_len(runs); i++) {
            const lp_value *r = lp_list_get(runs, i);
            char started[32], dur[32], commit[16];
            runs_format_time(started, sizeof started, lp_map_get(r, "started_at"));
            runs_format_duration(dur, sizeof dur, r);
            const char *git = runs_str(r, "git_commit");
            snprintf(commit, sizeof commit, "%.7s", git ? git : "-");
            const char *method = runs_str(r, "method");
            const char *row[] = {runs_str(r, "id"),
                                 runs_str(r, "status"),
                                 runs_str(r, "runner"),
                                 method ? method : "-",
                                 started,
                                 dur,
                                 commit};
            runs_table_add(&t, row);
        }
        runs_table_print(&t, stdout, "");
        runs_table_free(&t);
    }
    lp_value_unref(runs);
    return rc;
}

/* ---- the command ----------------------------------------------------------------------------- */

/* Whether path and the directory holding it are writable by us. */
static bool store_writable(const char *path)
{
    char *copy = strdup(path);
    bool ok = copy && access(path, W_OK) == 0 && access(dirname(copy), W_OK) == 0;
    free(copy);
    return ok;
}

static int open_store(lp_store **st, const char *path)
{
    int rc = lp_store_open(st, path, 0);
    /* Not ours to write (another user's store, a read-only copy or mount):
     * read it as it is. The directory counts too: SQLite writes beside the file. */
    if (rc == LP_EIO && !store_writable(path)) rc = lp_store_open(st, path, LP_STORE_READONLY);
    if (rc == LP_ENOTFOUND) {
        cli_error("no metadata store at '%s' (run a workflow first, or give --store PATH)", path);
        return CLI_FAIL;
    }
    if (rc) {
        cli_print_last_error();
        return rc == LP_ECONFIG ? CLI_USAGE : CLI_FAIL;
    }
    return 0;
}

/* The full id of a run reference, or NULL after printing why. */
static char *resolve(lp_store *st, const char *ref)
{
    char *id = NULL;
    if (lp_store_run_resolve(st, ref, &id)) cli_print_last_error();
    return id;
}

static const char *const subcommands[] = {"list", "show", "compare", "report"};

static int check_positionals(runs_args *a)
{
    if (a->pos.n == 0)
        return cli_usage_error(
            a->cmd, "a subcommand is missing: list, show RUN, compare A B or report RUN");
    const char *sub = a->pos.v[0];
    size_t want = strcmp(sub, "list") == 0      ? 1
                  : strcmp(sub, "show") == 0    ? 2
                  : strcmp(sub, "compare") == 0 ? 3
                  : strcmp(sub, "report") == 0  ? 2
                                                : 0;
    if (!want) {
        char hint[64];
        cli_suggestion(hint, sizeof hint, sub, subcommands, 4);
        return cli_usage_error(a->cmd, "unknown subcommand 'runs %s'%s", sub, hint);
    }
    if (a->pos.n < want)
        return cli_usage_error(a->cmd, "'runs %s' needs %s", sub,
                               want == 2 ? "a RUN (an id, a prefix or 'latest')" : "RUN_A RUN_B");
    if (a->pos.n > want)
        return cli_usage_error(a->cmd, "unexpected argument '%s' after 'runs %s'", a->pos.v[want],
                               sub);
    return 0;
}

static int run_sub(runs_args *a, lp_store *st)
{
    const char *sub = a->pos.v[0];
    if (strcmp(sub, "list") == 0) return runs_list(st, a->limit, a->json);
    char *id_a = resolve(st, a->pos.v[1]);
    char *id_b = id_a && a->pos.n > 2 ? resolve(st, a->pos.v[2]) : NULL;
    int rc = CLI_FAIL;
    if (id_a && strcmp(sub, "show") == 0)
        rc = runs_show(st, id_a, a->json);
    else if (id_a && strcmp(sub, "report") == 0)
        rc = runs_report(st, id_a, a->output);
    else if (id_a && id_b)
        rc = runs_compare(st, id_a, id_b, a->json);
    free(id_a);
    free(id_b);
    return rc;
}

int cmd_runs(int argc, char **argv)
{
    runs_args a = {.cmd = cli_find_command("runs"), .store = LP_STORE_DEFAULT_PATH, .limit = 20};
    static const cli_args_spec spec = {runs_options, 3, take_option};
    int rc = cli_parse_args(&a.pos, a.cmd, &spec, &a, argc, argv);
    if (rc < 0) return CLI_OK; /* --help printed */
    if (rc || (rc = check_positionals(&a))) return rc;
    lp_store *st = NULL;
    if ((rc = open_store(&st, a.store))) return rc;
    rc = run_sub(&a, st);
    lp_store_close(st);
    return rc;
}
