/*
 * cmd_predict.c — `lolpop predict MODEL DATA -o OUT [--store PATH]
 * [--no-track] [--json] [--explain [--top-k K]]`: scores raw rows with a deployed model's bundle
 * (include/lolpop/bundle.h).
 *
 * MODEL is a bundle directory, NAME (the production alias), NAME@ALIAS or
 * NAME/vN (lp_bundle_resolve, through the metadata store). DATA is a CSV or
 * TSV file, or `-` for stdin; OUT a file (written to a temp file beside it and
 * renamed into place when everything scored) or `-` for stdout. Logs and the
 * summary go to stderr when OUT is stdout.
 *
 * Memory is bounded whatever the length of DATA: it is read a block of whole
 * rows at a time (data/chunked_csv.h, --chunk-bytes, default 4 MiB), each block is scored and its
 * predictions written before the next is read; the output file still appears only when all scored.
 * On a terminal a progress line shows the bytes scored (stderr; not under -q).
 *
 * Unless --no-track, the scoring is recorded in the metadata store as a run
 * of "lolpop predict" with a `prediction_job` resource under the bundle's
 * model version (tags: rows, data, output, bundle), as OfflinePredict records
 * its jobs; a store or version that is not there is a warning, not an error
 * (a bundle may be used far from the store it came from).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"
#include "lolpop/bundle.h"
#include "data/chunked_csv.h"
#include "lolpop/csv.h"
#include "lolpop/progress.h"
#include "store/store.h"

const char cmd_predict_help[] =
    "Scores raw rows (the shape of the workflow's eval_data) with a deployed model and writes\n"
    "model_index (when the model has one), prediction and probability_<label> per class.\n\n"
    "MODEL: a bundle directory (.lolpop/deployments/NAME/current), NAME (the version with\n"
    "alias production), NAME@ALIAS or NAME/vN (looked up in the metadata store).\n"
    "DATA: a CSV or TSV (.tsv) file, or - for stdin.\n\n"
    "Options:\n"
    "  -o, --output OUT  where the predictions go: a CSV file (written atomically) or - for\n"
    "                    stdout (required)\n"
    "  --store PATH      the metadata store (default .lolpop/lolpop.db)\n"
    "  --no-track        do not record a prediction job in the store\n"
    "  --json            print the summary as one JSON object\n"
    "  --explain         add the top reasons per row: reason_1, reason_1_value, ... (the\n"
    "                    features with the largest SHAP contributions and their values)\n"
    "  --top-k K         reasons per row with --explain (default 3)\n"
    "  --chunk-bytes N   read and score DATA about N bytes of rows at a time (default 4 MiB;\n"
    "                    memory stays bounded whatever the length of DATA)\n"
    "  -h, --help        show this help\n\n"
    "Logs and the summary go to stderr when OUT is -. Exit code 2 for usage errors and a bad\n"
    "MODEL, 1 when the data cannot be read or scored (the message names the column and row).\n";

enum { OPT_OUTPUT = 1, OPT_STORE, OPT_NO_TRACK, OPT_JSON, OPT_EXPLAIN, OPT_TOP_K, OPT_CHUNK };

static const cli_option predict_options[] = {
    {"output", 'o', "OUT", OPT_OUTPUT},  {"store", 0, "PATH", OPT_STORE},
    {"no-track", 0, NULL, OPT_NO_TRACK}, {"json", 0, NULL, OPT_JSON},
    {"explain", 0, NULL, OPT_EXPLAIN},   {"top-k", 0, "K", OPT_TOP_K},
    {"chunk-bytes", 0, "N", OPT_CHUNK},  {NULL, 0, NULL, 0},
};

typedef struct predict_args {
    cli_session session;
    cli_positionals pos; /* MODEL DATA */
    const char *out, *store;
    bool no_track, json, explain;
    size_t top_k;       /* 0: not given */
    size_t chunk_bytes; /* 0: the reader's default */
} predict_args;

static int take_option(void *ctx, int id, const char *value)
{
    predict_args *a = ctx;
    if (id == OPT_OUTPUT) {
        if (!*value) return cli_usage_error(a->session.cmd, "option '-o' needs a file or -");
        a->out = value;
    } else if (id == OPT_STORE) {
        if (!*value) return cli_usage_error(a->session.cmd, "option '--store' needs a path");
        a->store = value;
    } else if (id == OPT_CHUNK) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(value, &end, 10);
        if (errno || !*value || *end || *value == '-' || n < 64 || n > ((size_t)1 << 30))
            return cli_usage_error(a->session.cmd,
                                   "option '--chunk-bytes' needs a number of bytes from 64 to "
                                   "1073741824 (got '%s')",
                                   value);
        a->chunk_bytes = (size_t)n;
    } else if (id == OPT_NO_TRACK) {
        a->no_track = true;
    } else if (id == OPT_EXPLAIN) {
        a->explain = true;
    } else if (id == OPT_TOP_K) {
        char *end = NULL;
        long k = strtol(value, &end, 10);
        if (!*value || *end || k < 1 || k > 1000)
            return cli_usage_error(a->session.cmd,
                                   "option '--top-k' needs a number from 1 to 1000");
        a->top_k = (size_t)k;
    } else {
        a->json = true;
    }
    return 0;
}

static const cli_args_spec predict_spec = {predict_options, 2, take_option};

/* ---- reading ------------------------------------------------------------------------ */

/* DATA opened for reading in chunks, with the bundle's string columns
 * declared (a chunk of digits in a string column stays a string, as in the
 * whole file; the other types are cast by the bundle, whose messages name
 * the column and row); 0 or an exit code (reported). */
static int open_data(lp_chunked_csv **in, const lp_bundle *b, const char *data, size_t block)
{
    const lp_value *cols = lp_map_get(lp_bundle_input_schema(b), "columns");
    size_t n = lp_list_len(cols), k = 0;
    lp_csv_type_override *decl = calloc(n ? n : 1, sizeof *decl);
    int rc = decl ? lp_chunked_csv_open(in, data, NULL, block)
                  : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const lp_value *c = lp_list_get(cols, i);
        lp_dtype t;
        if (lp_dtype_parse(lp_value_as_string(lp_map_get(c, "dtype")), &t) != 0 ||
            t != LP_DT_STRING)
            continue;
        decl[k].column = lp_value_as_string(lp_map_get(c, "name"));
        decl[k++].type = t;
    }
    if (rc == 0) rc = lp_chunked_csv_declare(*in, decl, k);
    free(decl);
    if (rc == 0) return 0;
    cli_print_last_error();
    return CLI_FAIL;
}

/* ---- writing ------------------------------------------------------------------------ */

/* Where the predictions go: stdout, or a temp file renamed over `path` at the end. */
typedef struct sink {
    const char *path; /* NULL for stdout */
    char *tmp;
    FILE *fp;
    size_t header_len; /* bytes of the header line, written with the first chunk only */
    size_t rows;
} sink;

static int sink_open(sink *s, const char *out)
{
    if (strcmp(out, "-") == 0) {
        s->fp = stdout;
        return 0;
    }
    s->path = out;
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) r = (uint32_t)getpid();
    const char *slash = strrchr(out, '/');
    s->tmp = slash ? lp_asprintf("%.*s/.%s.tmp-%ld-%08" PRIx32, (int)(slash - out), out, slash + 1,
                                 (long)getpid(), r)
                   : lp_asprintf(".%s.tmp-%ld-%08" PRIx32, out, (long)getpid(), r);
    int fd = s->tmp ? open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
    if (fd < 0 || !(s->fp = fdopen(fd, "w"))) {
        cli_error("cannot write '%s': %s", out, strerror(errno));
        if (fd >= 0) close(fd);
        return CLI_FAIL;
    }
    return 0;
}

/* Length of the CSV header of f's columns (a 0-row frame written alone). */
static int header_length(const lp_frame *f, size_t *len)
{
    lp_frame *empty = NULL;
    size_t none = 0;
    int rc = lp_frame_take(&empty, f, &none, 0);
    char *text = NULL;
    if (rc == 0) rc = lp_csv_write_buffer(&text, len, empty, NULL);
    if (empty) lp_frame_unref(empty);
    free(text);
    return rc;
}

/* Appends one chunk of predictions (the header only with the first). */
static int sink_write(sink *s, const lp_frame *preds)
{
    char *text = NULL;
    size_t len = 0, skip = 0;
    int rc = s->rows == 0 && s->header_len == 0 ? header_length(preds, &s->header_len) : 0;
    if (rc == 0) rc = lp_csv_write_buffer(&text, &len, preds, NULL);
    if (rc) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    if (s->rows > 0) skip = s->header_len < len ? s->header_len : len;
    bool ok = fwrite(text + skip, 1, len - skip, s->fp) == len - skip;
    free(text);
    s->rows += lp_frame_rows(preds);
    if (ok) return 0;
    cli_error("cannot write '%s': %s", s->path ? s->path : "<stdout>", strerror(errno));
    return CLI_FAIL;
}

/* Finishes the output: flush (stdout), or fsync and rename (a file). On
 * failure (ok false) the temp file is removed and OUT left as it was. */
static int sink_close(sink *s, bool ok)
{
    int rc = 0;
    if (!s->path) {
        if (fflush(stdout) != 0) rc = CLI_FAIL;
        return rc;
    }
    if (s->fp && (fflush(s->fp) != 0 || fsync(fileno(s->fp)) != 0)) ok = false;
    if (s->fp && fclose(s->fp) != 0) ok = false;
    s->fp = NULL;
    if (ok && rename(s->tmp, s->path) != 0) {
        cli_error("cannot move the predictions to '%s': %s", s->path, strerror(errno));
        ok = false;
        rc = CLI_FAIL;
    }
    if (!ok && s->tmp) unlink(s->tmp);
    free(s->tmp);
    s->tmp = NULL;
    return rc;
}

/* ---- scoring ------------------------------------------------------------------------ */

/* Reads, scores and writes DATA chunk by chunk: one chunk's rows,
 * features and predictions at a time (bounded memory for any length); with
 * top_k > 0 each row gets its top_k reasons. */
static int score_all(sink *s, const lp_bundle *b, lp_chunked_csv *in, const char *data,
                     size_t top_k)
{
    lp_progress_task task;
    char what[80];
    snprintf(what, sizeof what, "scoring %s", strcmp(data, "-") == 0 ? "<stdin>" : data);
    lp_progress_begin(&task, what, "bytes", lp_chunked_csv_total(in));
    int rc = 0;
    for (;;) {
        lp_frame *chunk = NULL, *preds = NULL;
        size_t first = 0;
        if (lp_chunked_csv_next(in, &chunk, &first) != 0 ||
            (chunk && (top_k ? lp_bundle_score_explained(&preds, NULL, b, chunk, first, top_k)
                             : lp_bundle_score_from(&preds, b, chunk, first)) != 0)) {
            cli_print_last_error();
            rc = CLI_FAIL;
        }
        if (rc == 0 && preds) rc = sink_write(s, preds);
        if (chunk) lp_frame_unref(chunk);
        if (preds) lp_frame_unref(preds);
        if (rc || !chunk) break;
        lp_progress_update(&task, lp_chunked_csv_done(in));
    }
    lp_progress_end(&task);
    return rc;
}

/* ---- tracking ----------------------------------------------------------------------- */

/* The store version resource of the bundle's model (new), or NULL. */
static lp_value *bundle_version(lp_store *st, const lp_value *manifest)
{
    const char *name = lp_value_as_string(lp_map_get(manifest, "model_name"));
    int64_t version = lp_value_as_int(lp_map_get(manifest, "version"));
    lp_value *model = NULL, *versions = NULL, *mv = NULL;
    if (!name || lp_store_resource_find(st, "model", name, &model) != 0 || !model) return NULL;
    if (lp_store_resource_children(st, lp_value_as_int(lp_map_get(model, "id")), "model_version",
                                   &versions) == 0)
        for (size_t i = 0; i < lp_list_len(versions) && !mv; i++)
            if (lp_value_as_int(lp_map_get(lp_list_get(versions, i), "version")) == version)
                mv = lp_value_ref(lp_list_get(versions, i));
    lp_value_unref(versions);
    lp_value_unref(model);
    return mv;
}

/* Tags the job with what was scored where. */
static int tag_job(lp_store *st, int64_t job, const char *run, const predict_args *a,
                   const lp_bundle *b, size_t rows)
{
    struct {
        const char *key;
        lp_value *v;
    } tags[] = {
        {"rows", lp_value_int((int64_t)rows)},
        {"data", lp_value_string(a->pos.v[1])},
        {"output", lp_value_string(a->out)},
        {"bundle", lp_value_string(lp_bundle_dir(b))},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        if (rc == 0)
            rc = tags[i].v ? lp_store_tag_set(st, job, tags[i].key, tags[i].v, run) : LP_ENOMEM;
        lp_value_unref(tags[i].v);
    }
    return rc;
}

/* Records the scoring (a run with a prediction_job); *job_uri: new string or
 * NULL. Problems are warnings. */
static void track(const predict_args *a, const lp_bundle *b, size_t rows, char **job_uri)
{
    const char *location = a->store ? a->store : LP_STORE_DEFAULT_PATH;
    lp_store *st = NULL;
    if (lp_store_open(&st, location, 0) != 0) {
        cli_warning("prediction job not recorded: %s (use --store PATH, or --no-track)",
                    lp_error_last()->message);
        return;
    }
    lp_value *mv = bundle_version(st, lp_bundle_manifest(b)), *job = NULL;
    char *run = NULL;
    int rc = mv ? lp_store_run_begin(st, "lolpop predict", NULL, &run) : LP_ENOTFOUND;
    if (!mv)
        lp_error_set(LP_ENOTFOUND, "%s does not hold the bundle's model version %s/v%" PRId64,
                     location, lp_value_as_string(lp_map_get(lp_bundle_manifest(b), "model_name")),
                     lp_value_as_int(lp_map_get(lp_bundle_manifest(b), "version")));
    if (rc == 0) rc = lp_store_run_method(st, run, "predict");
    if (rc == 0)
        rc = lp_store_resource_create(st, "prediction_job", NULL,
                                      lp_value_as_int(lp_map_get(mv, "id")), run, &job);
    if (rc == 0) rc = tag_job(st, lp_value_as_int(lp_map_get(job, "id")), run, a, b, rows);
    if (rc) cli_warning("prediction job not recorded: %s", lp_error_last()->message);
    if (run) lp_store_run_end(st, run, rc == 0, rc ? lp_error_last()->message : NULL);
    if (rc == 0) *job_uri = lp_strdup(lp_value_as_string(lp_map_get(job, "uri")));
    free(run);
    lp_value_unref(job);
    lp_value_unref(mv);
    lp_store_close(st);
}

/* ---- the command -------------------------------------------------------------------- */

static void summary(const predict_args *a, const lp_bundle *b, size_t rows, const char *job)
{
    FILE *out = strcmp(a->out, "-") == 0 ? stderr : stdout;
    const lp_value *m = lp_bundle_manifest(b);
    const char *name = lp_value_as_string(lp_map_get(m, "model_name"));
    int64_t version = lp_value_as_int(lp_map_get(m, "version"));
    if (a->json) {
        lp_value *v = lp_value_map();
        lp_map_put(v, "model", lp_value_string(name ? name : ""));
        lp_map_put(v, "version", lp_value_int(version));
        lp_map_put(v, "bundle", lp_value_string(lp_bundle_dir(b)));
        lp_map_put(v, "rows", lp_value_int((int64_t)rows));
        lp_map_put(v, "output", lp_value_string(a->out));
        lp_map_put(v, "prediction_job", job ? lp_value_string(job) : lp_value_null());
        char *text = lp_store_value_json(v, 0);
        fprintf(out, "%s\n", text ? text : "{}");
        free(text);
        lp_value_unref(v);
        return;
    }
    fprintf(out, "lolpop: %zu rows scored with %s version %" PRId64 " -> %s%s%s\n", rows,
            name ? name : "?", version, strcmp(a->out, "-") == 0 ? "<stdout>" : a->out,
            job ? ", recorded as " : "", job ? job : "");
}

static int check_positionals(const predict_args *a)
{
    const cli_command *cmd = a->session.cmd;
    if (a->pos.n == 0) return cli_usage_error(cmd, "MODEL and DATA are missing");
    if (a->pos.n < 2) return cli_usage_error(cmd, "DATA (a CSV/TSV file or -) is missing");
    if (!a->out) return cli_usage_error(cmd, "-o OUT is missing (a file, or - for stdout)");
    if (a->top_k && !a->explain) return cli_usage_error(cmd, "--top-k needs --explain");
    return 0;
}

/* MODEL to an open bundle; 0 or an exit code (reported). */
static int open_bundle(predict_args *a, lp_bundle **b)
{
    char *dir = NULL;
    int rc = lp_bundle_resolve(&dir, a->pos.v[0], a->store);
    if (rc == 0) rc = lp_bundle_open(b, a->session.reg, dir);
    free(dir);
    if (rc == 0) return 0;
    cli_print_last_error();
    return rc == LP_ENOMEM || rc == LP_EIO ? CLI_FAIL : CLI_USAGE;
}

int cmd_predict(int argc, char **argv)
{
    predict_args a = {0};
    cli_session_init(&a.session, cli_find_command("predict"));
    int rc = cli_parse_args(&a.pos, a.session.cmd, &predict_spec, &a, argc, argv);
    if (rc == 0) rc = check_positionals(&a);
    if (rc == 0) rc = cli_session_load_registry(&a.session);
    lp_bundle *b = NULL;
    lp_chunked_csv *in = NULL;
    sink s = {0};
    if (rc == 0) rc = open_bundle(&a, &b);
    if (rc == 0) rc = open_data(&in, b, a.pos.v[1], a.chunk_bytes);
    bool opened = rc == 0 && (rc = sink_open(&s, a.out)) == 0;
    if (rc == 0) rc = score_all(&s, b, in, a.pos.v[1], a.explain ? (a.top_k ? a.top_k : 3) : 0);
    if (opened && sink_close(&s, rc == 0) != 0 && rc == 0) rc = CLI_FAIL;
    char *job = NULL;
    if (rc == 0 && !a.no_track) track(&a, b, s.rows, &job);
    if (rc == 0) summary(&a, b, s.rows, job);
    free(job);
    lp_chunked_csv_free(in);
    lp_bundle_free(b);
    cli_session_free(&a.session);
    return rc < 0 ? CLI_OK : rc;
}
