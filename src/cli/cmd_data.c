/*
 * cmd_data.c — `lolpop data describe FILE`: per-column statistics of a CSV
 * file (pandas' describe(include="all") plus missing and distinct counts), as
 * a table or as JSON. The file is read with every core and the columns'
 * statistics are computed in parallel too: this command is the yardstick of
 * ingestion speed (bench/describe.sh).
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"

const char cmd_data_help[] =
    "Subcommands:\n"
    "  describe FILE   per column: type, count, missing, distinct; numbers: mean, std, min,\n"
    "                  25%/50%/75% and max; other columns: the most frequent value (top) and\n"
    "                  its frequency (freq)\n"
    "  profile FILE    LocalDataProfiler's profile: per-column statistics, histograms, top\n"
    "                  values, kinds, correlations and alerts, as an HTML report (-o, default\n"
    "                  profile.html) with a JSON twin; a summary on stdout\n"
    "  compare OLD NEW per-column drift of NEW against OLD (evidently's default rules: KS or\n"
    "                  chi-square p-value up to 1000 rows, normed Wasserstein or\n"
    "                  Jensen-Shannon distance above) and the dataset verdict; HTML report\n"
    "                  (-o, default drift.html)\n\n"
    "Options:\n"
    "  --sep C            separator: ',' ';' '|' or 'tab' (default: tab for .tsv, else ',')\n"
    "  --na VALUE         also read VALUE as missing (repeatable; pandas' defaults always apply)\n"
    "  --type COL=TYPE    read column COL as TYPE: float64, int64, bool, string, category,\n"
    "                     timestamp (repeatable; otherwise types are inferred)\n"
    "  -o, --output FILE  the HTML report of profile / compare (JSON twin beside it)\n"
    "  --json             machine-readable output\n"
    "  --threads N        threads to use (default: all cores)\n"
    "  -h, --help         show this help\n";

enum { OPT_SEP = 1, OPT_NA, OPT_TYPE, OPT_JSON, OPT_THREADS, OPT_OUTPUT };

static const cli_option data_options[] = {
    {"sep", 0, "C", OPT_SEP},
    {"na", 0, "VALUE", OPT_NA},
    {"type", 0, "COL=TYPE", OPT_TYPE},
    {"json", 0, NULL, OPT_JSON},
    {"threads", 0, "N", OPT_THREADS},
    {"output", 'o', "FILE", OPT_OUTPUT},
    {NULL, 0, NULL, 0},
};

typedef struct data_args {
    const cli_command *cmd;
    cli_positionals pos;
    lp_csv_options opt;
    const char **na; /* NULL-terminated, borrowed strings */
    size_t n_na;
    lp_csv_type_override *types;
    size_t n_types;
    const char *out; /* -o, borrowed from argv */
    bool json;
} data_args;

static int take_sep(data_args *a, const char *v)
{
    if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0 || strcmp(v, "\t") == 0) {
        a->opt.separator = '\t';
        return 0;
    }
    if (strlen(v) == 1 && strchr(",;|", v[0])) {
        a->opt.separator = v[0];
        return 0;
    }
    return cli_usage_error(
        a->cmd, "option '--sep': unsupported separator '%s' (use ',', ';', '|' or 'tab')", v);
}

static int take_type(data_args *a, const char *v)
{
    const char *eq = strrchr(v, '=');
    if (!eq || eq == v)
        return cli_usage_error(a->cmd, "option '--type' expects COL=TYPE, got '%s'", v);
    lp_csv_type_override *o = &a->types[a->n_types];
    if (lp_dtype_parse(eq + 1, &o->type) != 0)
        return cli_usage_error(a->cmd, "option '--type %s': %s", v, lp_error_last()->message);
    char *col = lp_strndup(v, (size_t)(eq - v));
    if (!col) return CLI_FAIL;
    o->column = col;
    a->n_types++;
    return 0;
}

static int take_option(void *ctx, int id, const char *value)
{
    data_args *a = ctx;
    switch (id) {
    case OPT_SEP:
        return take_sep(a, value);
    case OPT_NA:
        a->na[a->n_na++] = value;
        return 0;
    case OPT_TYPE:
        return take_type(a, value);
    case OPT_JSON:
        a->json = true;
        return 0;
    case OPT_OUTPUT:
        a->out = value;
        return 0;
    default: {
        char *end = NULL;
        long n = strtol(value, &end, 10);
        if (!*value || *end || n < 1 || n > 64)
            return cli_usage_error(
                a->cmd, "option '--threads' expects a number from 1 to 64, got '%s'", value);
        a->opt.threads = (int)n;
        return 0;
    }
    }
}

/* ---- statistics of every column, in parallel ---------------------------------- */

typedef struct stats_job {
    const lp_frame *f;
    lp_column_stats *st;
    int *rc;
    atomic_size_t next;
} stats_job;

static void *stats_worker(void *arg)
{
    stats_job *j = arg;
    size_t n = lp_frame_cols(j->f);
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < n;)
        j->rc[i] = lp_column_stats_compute(&j->st[i], lp_frame_col(j->f, i));
    return NULL;
}

static int compute_all(const lp_frame *f, lp_column_stats *st, int threads)
{
    size_t n = lp_frame_cols(f);
    int *rc = calloc(n ? n : 1, sizeof *rc);
    if (!rc) return LP_ENOMEM;
    stats_job job = {.f = f, .st = st, .rc = rc};
    atomic_init(&job.next, 0);
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads && t < 64 && (size_t)t < n; t++)
        if (pthread_create(&tid[started], NULL, stats_worker, &job) == 0) started++;
    stats_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    int err = 0;
    for (size_t i = 0; i < n; i++)
        if (rc[i] && !err) err = rc[i];
    free(rc);
    return err;
}

/* ---- output --------------------------------------------------------------------- */

/* A number; +-infinity as the strings "inf" / "-inf" (JSON has no such
 * numbers); NaN (not applicable) as null. */
static json_t *num_or_null(double v)
{
    if (isinf(v)) return json_string(v > 0 ? "inf" : "-inf");
    return isnan(v) ? json_null() : json_real(v);
}

static json_t *ts_text(double us)
{
    if (!isfinite(us)) return json_null();
    lp_column *c = lp_column_new(LP_DT_TIMESTAMP, 1);
    if (!c) return json_null();
    c->data.i64[0] = (int64_t)us;
    lp_column_stats s;
    json_t *j = json_null();
    if (lp_column_stats_compute(&s, c) == 0 && s.top) {
        json_decref(j);
        j = json_string(s.top);
    }
    lp_column_stats_free(&s);
    lp_column_unref(c);
    return j;
}

static json_t *column_json(const char *name, const lp_column *col, const lp_column_stats *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "type", json_string(lp_dtype_name(col->type)));
    json_object_set_new(o, "count", json_integer((json_int_t)s->count));
    json_object_set_new(o, "missing", json_integer((json_int_t)s->missing));
    json_object_set_new(o, "distinct", json_integer((json_int_t)s->distinct));
    json_object_set_new(o, "mean", num_or_null(s->mean));
    json_object_set_new(o, "std", num_or_null(s->std));
    bool ts = col->type == LP_DT_TIMESTAMP;
    json_object_set_new(o, "min", ts ? ts_text(s->min) : num_or_null(s->min));
    json_object_set_new(o, "25%", num_or_null(s->q25));
    json_object_set_new(o, "50%", num_or_null(s->q50));
    json_object_set_new(o, "75%", num_or_null(s->q75));
    json_object_set_new(o, "max", ts ? ts_text(s->max) : num_or_null(s->max));
    json_object_set_new(o, "top", s->top ? json_stringn(s->top, strlen(s->top)) : json_null());
    json_object_set_new(o, "freq", s->top ? json_integer((json_int_t)s->freq) : json_null());
    return o;
}

static int print_json(const char *path, const lp_frame *f, const lp_column_stats *st)
{
    json_t *root = json_object(), *cols = json_array();
    json_object_set_new(root, "file", json_string(path));
    json_object_set_new(root, "rows", json_integer((json_int_t)lp_frame_rows(f)));
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        json_array_append_new(cols, column_json(lp_frame_name(f, j), lp_frame_col(f, j), &st[j]));
    json_object_set_new(root, "columns", cols);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
    json_decref(root);
    if (!text) return CLI_FAIL;
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}

#define NFIELDS 14

/* Cell text of column j's statistic k into buf (empty when not applicable). */
static void cell(char *buf, size_t size, const lp_frame *f, size_t j, const lp_column_stats *s,
                 int k)
{
    const lp_column *col = lp_frame_col(f, j);
    double nums[] = {s->mean, s->std, s->min, s->q25, s->q50, s->q75, s->max};
    buf[0] = '\0';
    if (k == 0)
        snprintf(buf, size, "%.30s", lp_frame_name(f, j));
    else if (k == 1)
        snprintf(buf, size, "%s", lp_dtype_name(col->type));
    else if (k == 2)
        snprintf(buf, size, "%zu", s->count);
    else if (k == 3)
        snprintf(buf, size, "%zu", s->missing);
    else if (k == 4)
        snprintf(buf, size, "%zu", s->distinct);
    else if (k < 12 && col->type == LP_DT_TIMESTAMP && (k == 7 || k == 11)) {
        json_t *t = ts_text(nums[k - 5]);
        if (json_is_string(t)) snprintf(buf, size, "%s", json_string_value(t));
        json_decref(t);
    } else if (k < 12 && !isnan(nums[k - 5]) /* NaN: not applicable; ±inf is a value */)
        snprintf(buf, size, "%.6g", nums[k - 5]);
    else if (k == 12 && s->top)
        snprintf(buf, size, "%.30s", s->top);
    else if (k == 13 && s->top)
        snprintf(buf, size, "%zu", s->freq);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
}

static void print_table(const lp_frame *f, const lp_column_stats *st)
{
    static const char *const heads[NFIELDS] = {"column", "type", "count", "missing", "distinct",
                                               "mean",   "std",  "min",   "25%",     "50%",
                                               "75%",    "max",  "top",   "freq"};
    size_t nc = lp_frame_cols(f), w[NFIELDS];
    char buf[128];
    for (int k = 0; k < NFIELDS; k++) {
        w[k] = strlen(heads[k]);
        for (size_t j = 0; j < nc; j++) {
            cell(buf, sizeof buf, f, j, &st[j], k);
            if (strlen(buf) > w[k]) w[k] = strlen(buf);
        }
    }
    for (int k = 0; k < NFIELDS; k++)
        printf(k < 2 || k == 12 ? "%-*s%s" : "%*s%s", (int)w[k], heads[k],
               k + 1 < NFIELDS ? "  " : "\n");
    for (size_t j = 0; j < nc; j++)
        for (int k = 0; k < NFIELDS; k++) {
            cell(buf, sizeof buf, f, j, &st[j], k);
            printf(k < 2 || k == 12 ? "%-*s%s" : "%*s%s", (int)w[k], buf,
                   k + 1 < NFIELDS ? "  " : "\n");
        }
    printf("%zu row%s, %zu column%s\n", lp_frame_rows(f), lp_frame_rows(f) == 1 ? "" : "s", nc,
           nc == 1 ? "" : "s");
}

static int describe(data_args *a, const char *path)
{
    lp_frame *f = NULL;
    if (lp_csv_read(&f, path, &a->opt) != 0) {
        cli_print_last_error();
        return CLI_USAGE;
    }
    size_t nc = lp_frame_cols(f);
    lp_column_stats *st = calloc(nc ? nc : 1, sizeof *st);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = a->opt.threads > 0 ? a->opt.threads : (int)(cores > 0 ? cores : 1);
    int rc = st ? compute_all(f, st, threads) : LP_ENOMEM;
    if (rc) {
        cli_print_last_error();
        rc = CLI_FAIL;
    } else if (a->json) {
        rc = print_json(path, f, st);
    } else {
        print_table(f, st);
    }
    for (size_t j = 0; st && j < nc; j++)
        lp_column_stats_free(&st[j]);
    free(st);
    lp_frame_unref(f);
    return rc;
}

static int run_data(data_args *a, int argc, char **argv)
{
    static const cli_args_spec spec = {data_options, 3, take_option};
    int rc = cli_parse_args(&a->pos, a->cmd, &spec, a, argc, argv);
    if (rc < 0) return CLI_OK; /* --help printed */
    if (rc) return rc;
    if (a->pos.n == 0)
        return cli_usage_error(a->cmd, "a subcommand is missing: 'describe FILE', 'profile FILE' "
                                       "or 'compare OLD NEW'");
    const char *subs[] = {"describe", "profile", "compare"};
    size_t sub = 0;
    while (sub < 3 && strcmp(a->pos.v[0], subs[sub]) != 0)
        sub++;
    if (sub == 3) {
        char hint[64];
        cli_suggestion(hint, sizeof hint, a->pos.v[0], subs, 3);
        return cli_usage_error(a->cmd, "unknown subcommand 'data %s'%s", a->pos.v[0], hint);
    }
    size_t need = sub == 2 ? 3 : 2;
    if (a->pos.n < need)
        return cli_usage_error(
            a->cmd, "%s missing after 'data %s'",
            sub == 2 ? (a->pos.n == 1 ? "OLD and NEW are" : "NEW is") : "the FILE is", subs[sub]);
    if (a->pos.n > need)
        return cli_usage_error(a->cmd, "unexpected argument '%s' after 'data %s'", a->pos.v[need],
                               subs[sub]);
    if (a->out && sub == 0)
        return cli_usage_error(a->cmd, "'-o' is for 'data profile' and 'data compare'");
    a->opt.na_values = a->na;
    a->opt.overrides = a->types;
    a->opt.n_overrides = a->n_types;
    if (sub > 0)
        return cli_data_profile(a->cmd, (const char *const *)(a->pos.v + 1), need - 1, a->out,
                                a->json, &a->opt);
    return describe(a, a->pos.v[1]);
}

int cmd_data(int argc, char **argv)
{
    data_args a = {.cmd = cli_find_command("data")};
    a.na = calloc((size_t)argc + 1, sizeof *a.na);
    a.types = calloc((size_t)argc + 1, sizeof *a.types);
    int rc = a.na && a.types ? run_data(&a, argc, argv) : CLI_FAIL;
    for (size_t i = 0; a.types && i < a.n_types; i++)
        free((char *)(uintptr_t)a.types[i].column);
    free(a.types);
    free(a.na);
    return rc;
}
