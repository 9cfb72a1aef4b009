/*
 * cmd_datagen.c — `lolpop datagen create SOURCE -n ROWS -o OUT [--evaluate]
 * [--seed N] [-c CLASS] [--set KEY=VALUE…] [--json]`: synthetic rows that
 * look like SOURCE, through any data_synthesizer class.
 *
 * As `lolpop seed` does, the synthesizer is built the way a workflow builds
 * it (defaults, validation, init checks and messages are a configuration
 * file's), from an in-memory document under a hidden runner:
 *     component: {data_synthesizer: CLASS, logger: FileLogger}
 *     logger: {config: {log_filename: /dev/stderr}}   # stdout stays for results
 *     data_synthesizer: {config: {KEY: VALUE, ...}}   # --set, then --seed
 * Then fit(SOURCE), sample(ROWS), evaluate(SOURCE, sample) when asked, and
 * OUT is written atomically (temporary file + rename): a failure at any step
 * leaves no OUT behind, and an existing OUT is replaced only on success.
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "core/internal.h"
#include "core/value_json.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_synthesizer.h"

const char cmd_datagen_help[] =
    "Learns the distribution of a CSV (.csv) or TSV (.tsv) file with a data_synthesizer class\n"
    "and writes ROWS synthetic rows with the same columns and types to OUT (.tsv: "
    "tab-separated).\n\n"
    "Options:\n"
    "  -n, --rows ROWS     how many rows to generate (a positive integer; required)\n"
    "  -o, --output OUT    the file to write (required; replaced atomically)\n"
    "  --evaluate          compare the synthetic rows with SOURCE: per column the\n"
    "                      Kolmogorov-Smirnov statistic (numbers) or the total variation\n"
    "                      distance (categories), 0 = same distribution, 1 = disjoint; the\n"
    "                      missing rates; the largest difference between the correlation\n"
    "                      matrices of the numeric columns\n"
    "  --seed N            seed of the random numbers (default 0): the same seed and SOURCE\n"
    "                      give the same rows\n"
    "  -c, --class CLASS   the data_synthesizer class (default GaussianCopulaDataSynthesizer)\n"
    "  --set KEY=VALUE     one config key of that class, e.g. --set max_categories=50 (VALUE\n"
    "                      is parsed as YAML); repeatable\n"
    "  --json              print the summary (and the evaluation) as JSON\n"
    "  -h, --help          show this help\n\n"
    "Exit code 2 for usage errors and unusable input (a missing or empty SOURCE, OUT in a\n"
    "missing directory), 1 when fitting, sampling or writing fails.\n";

#define DEFAULT_CLASS "GaussianCopulaDataSynthesizer"
#define MAX_ROWS      1000000000LL

enum { OPT_ROWS = 1, OPT_OUTPUT, OPT_EVALUATE, OPT_SEED, OPT_CLASS, OPT_SET, OPT_JSON };

static const cli_option datagen_options[] = {
    {"rows", 'n', "ROWS", OPT_ROWS},     {"output", 'o', "OUT", OPT_OUTPUT},
    {"evaluate", 0, NULL, OPT_EVALUATE}, {"seed", 0, "N", OPT_SEED},
    {"class", 'c', "CLASS", OPT_CLASS},  {"set", 0, "KEY=VALUE", OPT_SET},
    {"json", 0, NULL, OPT_JSON},         {NULL, 0, NULL, 0},
};

typedef struct datagen_args {
    cli_session session;
    cli_positionals pos; /* create, SOURCE */
    const char *cls, *out, *seed;
    long long rows; /* 0 until -n */
    bool evaluate, json;
    lp_value *doc; /* the document being built (owned) */
    lp_diags diags;
} datagen_args;

/* What one run produced, for the summary. */
typedef struct datagen_result {
    lp_frame *real, *fake;
    lp_value *report; /* NULL without --evaluate */
    int64_t seed;
    double fit_s, sample_s, write_s;
} datagen_result;

/* ---- options ------------------------------------------------------------------ */

/* --set KEY=VALUE: a config key of the synthesizer; 0 or an exit code. */
static int take_set(datagen_args *a, const char *assignment)
{
    return cli_component_set(a->doc, a->session.cmd, "data_synthesizer", assignment, &a->diags);
}

/* A decimal integer in [min, max] with nothing after it. */
static bool parse_int(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) return false;
    *out = v;
    return true;
}

static int take_option(void *ctx, int id, const char *value)
{
    datagen_args *a = ctx;
    const cli_command *cmd = a->session.cmd;
    long long v;
    switch (id) {
    case OPT_ROWS:
        if (!parse_int(value, 1, MAX_ROWS, &a->rows))
            return cli_usage_error(cmd,
                                   "option '-n' expects a positive integer (the rows to "
                                   "generate, at most %lld), got '%s'",
                                   MAX_ROWS, value);
        return 0;
    case OPT_OUTPUT:
        if (!*value) return cli_usage_error(cmd, "option '-o' needs a file name");
        a->out = value;
        return 0;
    case OPT_EVALUATE:
        a->evaluate = true;
        return 0;
    case OPT_SEED:
        if (!parse_int(value, 0, INT64_MAX, &v))
            return cli_usage_error(cmd, "option '--seed' expects a non-negative integer, got '%s'",
                                   value);
        a->seed = value;
        return 0;
    case OPT_CLASS:
        if (!*value) return cli_usage_error(cmd, "option '-c' needs a class name");
        a->cls = value;
        return 0;
    case OPT_JSON:
        a->json = true;
        return 0;
    default:
        return take_set(a, value);
    }
}

static const cli_args_spec datagen_spec = {datagen_options, 2, take_option};

static int check_positionals(const datagen_args *a)
{
    const cli_command *cmd = a->session.cmd;
    if (a->pos.n == 0)
        return cli_usage_error(cmd, "a subcommand is missing: 'lolpop datagen create SOURCE "
                                    "-n ROWS -o OUT'");
    if (strcmp(a->pos.v[0], "create") != 0) {
        const char *subs[] = {"create"};
        char hint[64];
        cli_suggestion(hint, sizeof hint, a->pos.v[0], subs, 1);
        return cli_usage_error(cmd, "unknown subcommand 'datagen %s'%s", a->pos.v[0], hint);
    }
    if (a->pos.n < 2) return cli_usage_error(cmd, "the SOURCE file is missing after 'create'");
    if (!a->rows) return cli_usage_error(cmd, "how many rows? '-n ROWS' is required");
    if (!a->out) return cli_usage_error(cmd, "where to? '-o OUT' is required");
    return 0;
}

/* OUT must be a file name in an existing directory, and not SOURCE itself
 * (which would be replaced by its own synthetic copy). */
static int check_output(const datagen_args *a)
{
    const char *out = a->out, *source = a->pos.v[1];
    char *copy = lp_strdup(out);
    if (!copy) return CLI_FAIL;
    char dir[PATH_MAX], out_real[PATH_MAX + NAME_MAX + 2], src_real[PATH_MAX];
    const char *parent = dirname(copy);
    struct stat st;
    int rc = 0;
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = cli_usage_error(a->session.cmd, "cannot write '%s': the directory '%s' does not exist",
                             out, parent);
    else if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        rc = cli_usage_error(a->session.cmd, "'%s' is a directory; -o needs a file name", out);
    else if (realpath(parent, dir) && realpath(source, src_real)) {
        snprintf(copy, strlen(out) + 1, "%s", out);
        snprintf(out_real, sizeof out_real, "%s/%s", dir, basename(copy));
        if (strcmp(out_real, src_real) == 0)
            rc = cli_usage_error(a->session.cmd,
                                 "OUT '%s' is the SOURCE file: writing it would replace the real "
                                 "data; choose another -o",
                                 out);
    }
    free(copy);
    return rc;
}

/* The synthesizer class: registered, a component of type data_synthesizer. */
static int check_class(datagen_args *a)
{
    const lp_class *cls = lp_registry_find_class(a->session.reg, a->cls);
    if (!cls) {
        char *hint = cli_class_hint(a->session.reg, a->cls);
        cli_error("unknown class '%s'%s", a->cls, hint ? hint : "");
        free(hint);
    } else if (cls->kind != LP_KIND_COMPONENT || !cls->type ||
               strcmp(cls->type, LP_TYPE_DATA_SYNTHESIZER) != 0) {
        cli_error("'%s' is a %s%s%s, not a data_synthesizer", a->cls, lp_kind_name(cls->kind),
                  cls->type ? " of type " : "", cls->type ? cls->type : "");
    } else {
        return 0;
    }
    fprintf(stderr, "Run 'lolpop classes list --type data_synthesizer' for the synthesizers.\n");
    return CLI_USAGE;
}

/* ---- running ---------------------------------------------------------------------- */

/* Adds a logger on stderr (stdout is the command's output), then builds the workflow. */
static int build(datagen_args *a, lp_workflow **wf)
{
    lp_value *slots = lp_value_map();
    int rc = slots ? lp_map_set(slots, "logger", lp_value_string("FileLogger")) : LP_ENOMEM;
    if (rc == 0) {
        rc = lp_map_set(a->doc, "component", slots);
        slots = NULL;
    }
    lp_value_unref(slots);
    if (rc == 0)
        rc = lp_config_apply_set(a->doc, "logger.config.log_filename=/dev/stderr", &a->diags);
    if (rc != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    return cli_component_build(wf, a->session.reg, a->doc, "data_synthesizer", a->cls, &a->diags);
}

/* SOURCE as a frame with at least one row and one column; 0 or an exit code. */
static int read_source(const char *path, lp_frame **out)
{
    if (lp_csv_read(out, path, NULL) != 0) {
        cli_print_last_error();
        return CLI_USAGE;
    }
    if (lp_frame_rows(*out) > 0 && lp_frame_cols(*out) > 0) return 0;
    cli_error("'%s' has no %s: there is nothing to learn from", path,
              lp_frame_cols(*out) ? "data rows" : "columns");
    return CLI_USAGE;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Fits, samples and evaluates (when asked); the frames and report go to r. */
static int synthesize(datagen_args *a, lp_obj *synth, datagen_result *r)
{
    lp_value *real = lp_value_frame(r->real);
    double t0 = now_s();
    int rc = real ? lp_data_synthesizer_fit(synth, real) : LP_ENOMEM;
    double t1 = now_s();
    lp_value *fake = rc ? NULL : lp_data_synthesizer_sample(synth, (int64_t)a->rows);
    r->fit_s = t1 - t0;
    r->sample_s = now_s() - t1;
    if (rc == 0 && !fake) rc = LP_ERROR;
    if (rc == 0) r->fake = lp_frame_ref(lp_value_as_frame(fake));
    if (rc == 0 && !r->fake) rc = lp_error_set(LP_EINVAL, "sample(n) returned no data frame");
    if (rc == 0 && a->evaluate && !(r->report = lp_data_synthesizer_evaluate(synth, real, fake)))
        rc = LP_ERROR;
    lp_value_unref(real);
    lp_value_unref(fake);
    if (rc == 0) return 0;
    cli_print_last_error();
    return CLI_FAIL;
}

/* ---- output -------------------------------------------------------------------------- */

static void print_summary(const datagen_args *a, const datagen_result *r)
{
    size_t n = lp_frame_rows(r->fake), d = lp_frame_cols(r->fake);
    printf("%zu synthetic row%s (%zu column%s) written to %s by %s, seed %lld, learnt from %zu "
           "rows of %s (fit %.3f s, sample %.3f s, write %.3f s)\n",
           n, n == 1 ? "" : "s", d, d == 1 ? "" : "s", a->out, a->cls, (long long)r->seed,
           lp_frame_rows(r->real), a->pos.v[1], r->fit_s, r->sample_s, r->write_s);
}

/* A report number as text: "-" for null. */
static void fmt_stat(char *buf, size_t size, const lp_value *v, bool percent)
{
    if (lp_value_type(v) != LP_FLOAT && lp_value_type(v) != LP_INT)
        snprintf(buf, size, "-");
    else if (percent)
        snprintf(buf, size, "%.1f%%", 100.0 * lp_value_as_float(v));
    else
        snprintf(buf, size, "%.4f", lp_value_as_float(v));
}

#define EVAL_FIELDS 5

/* Cell k of a column entry of the report. */
static void eval_cell(char *buf, size_t size, const lp_value *e, int k)
{
    const lp_value *ks = lp_map_get(e, "ks");
    switch (k) {
    case 0:
        snprintf(buf, size, "%.40s", lp_value_as_string(lp_map_get(e, "column")));
        break;
    case 1:
        snprintf(buf, size, "%s %s", lp_value_as_string(lp_map_get(e, "kind")), ks ? "KS" : "TVD");
        break;
    case 2:
        fmt_stat(buf, size, ks ? ks : lp_map_get(e, "tvd"), false);
        break;
    default:
        fmt_stat(buf, size, lp_map_get(e, k == 3 ? "missing_real" : "missing_fake"), true);
        break;
    }
}

static void print_evaluation(const lp_value *report)
{
    static const char *const heads[EVAL_FIELDS] = {"column", "kind", "distance", "missing real",
                                                   "missing fake"};
    const lp_value *cols = lp_map_get(report, "columns");
    size_t nc = lp_list_len(cols), w[EVAL_FIELDS];
    char buf[128];
    for (int k = 0; k < EVAL_FIELDS; k++) {
        w[k] = strlen(heads[k]);
        for (size_t j = 0; j < nc; j++) {
            eval_cell(buf, sizeof buf, lp_list_get(cols, j), k);
            if (strlen(buf) > w[k]) w[k] = strlen(buf);
        }
    }
    printf("\n");
    for (int k = 0; k < EVAL_FIELDS; k++)
        printf(k < 2 ? "%-*s%s" : "%*s%s", (int)w[k], heads[k], k + 1 < EVAL_FIELDS ? "  " : "\n");
    for (size_t j = 0; j < nc; j++)
        for (int k = 0; k < EVAL_FIELDS; k++) {
            eval_cell(buf, sizeof buf, lp_list_get(cols, j), k);
            printf(k < 2 ? "%-*s%s" : "%*s%s", (int)w[k], buf, k + 1 < EVAL_FIELDS ? "  " : "\n");
        }
    const lp_value *diff = lp_map_get(report, "max_corr_diff");
    const lp_value *pair = lp_map_get(report, "max_corr_pair");
    if (lp_value_type(diff) == LP_FLOAT)
        printf("\nlargest correlation difference: %.4f (%s, %s)\n", lp_value_as_float(diff),
               lp_value_as_string(lp_list_get(pair, 0)), lp_value_as_string(lp_list_get(pair, 1)));
    else
        printf("\nlargest correlation difference: - (fewer than two non-constant numeric "
               "columns)\n");
    printf("distance: Kolmogorov-Smirnov statistic (KS) or total variation distance (TVD);\n"
           "0 = same distribution as the source, 1 = nothing in common\n");
}

static int print_json(const datagen_args *a, const datagen_result *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "source", json_string(a->pos.v[1]));
    json_object_set_new(root, "output", json_string(a->out));
    json_object_set_new(root, "class", json_string(a->cls));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "source_rows", json_integer((json_int_t)lp_frame_rows(r->real)));
    json_object_set_new(root, "rows", json_integer((json_int_t)lp_frame_rows(r->fake)));
    json_object_set_new(root, "columns", json_integer((json_int_t)lp_frame_cols(r->fake)));
    json_object_set_new(root, "fit_seconds", json_real(r->fit_s));
    json_object_set_new(root, "sample_seconds", json_real(r->sample_s));
    json_object_set_new(root, "write_seconds", json_real(r->write_s));
    if (r->report) json_object_set_new(root, "evaluation", lp_json_from_value(r->report, 0));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!text) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}

/* Reads SOURCE, runs the synthesizer, writes OUT and prints; the exit code. */
static int datagen(datagen_args *a, lp_workflow *wf, datagen_result *r)
{
    int rc = read_source(a->pos.v[1], &r->real);
    if (rc) return rc;
    lp_obj *synth = lp_obj_component(lp_workflow_root(wf), "data_synthesizer");
    r->seed = lp_obj_config_int(synth, "seed", 0);
    lp_error_clear();
    if ((rc = synthesize(a, synth, r)) != 0) return rc;
    double t = now_s();
    if (lp_csv_write(r->fake, a->out, NULL) != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    r->write_s = now_s() - t;
    if (a->json) return print_json(a, r);
    print_summary(a, r);
    if (r->report) print_evaluation(r->report);
    return CLI_OK;
}

static int run_datagen(datagen_args *a, int argc, char **argv)
{
    int rc = cli_parse_args(&a->pos, a->session.cmd, &datagen_spec, a, argc, argv);
    if (rc == 0) rc = check_positionals(a);
    if (rc == 0) rc = check_output(a);
    if (rc == 0 && a->seed) {
        char set[64];
        snprintf(set, sizeof set, "seed=%s", a->seed);
        rc = take_set(a, set); /* after every --set: --seed wins */
    }
    if (rc == 0) rc = cli_session_load_registry(&a->session);
    if (rc == 0) rc = check_class(a);
    lp_workflow *wf = NULL;
    if (rc == 0) rc = build(a, &wf);
    datagen_result r = {0};
    if (rc == 0) rc = datagen(a, wf, &r);
    lp_value_unref(r.report);
    lp_frame_unref(r.fake);
    lp_frame_unref(r.real);
    lp_workflow_free(wf);
    return rc;
}

int cmd_datagen(int argc, char **argv)
{
    datagen_args a = {0};
    cli_session_init(&a.session, cli_find_command("datagen"));
    lp_diags_init(&a.diags);
    a.cls = DEFAULT_CLASS;
    a.doc = lp_value_map();
    int rc = a.doc ? run_datagen(&a, argc, argv) : CLI_FAIL;
    lp_value_unref(a.doc);
    lp_diags_clear(&a.diags);
    cli_session_free(&a.session);
    return rc < 0 ? CLI_OK : rc;
}
