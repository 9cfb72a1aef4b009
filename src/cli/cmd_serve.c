/*
 * cmd_serve.c — `lolpop serve MODEL`: the model of a deployment bundle behind
 * HTTP (src/server/). This file only reads the command line, opens the
 * registry (for the model back-ends, plugin ones included) and hands over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server/server.h"

const char cmd_serve_help[] =
    "MODEL is a deployment bundle directory (<deploy_dir>/<name>/v<N>), a model's\n"
    "deployment directory (<deploy_dir>/<name>: its `current` link is followed), or NAME\n"
    "or NAME/vN under <store>/deployments.\n\n"
    "Endpoints:\n"
    "  POST /predict       {\"rows\": [{...}]}, {\"columns\": [...], \"data\": [[...]]} or\n"
    "                      text/csv -> {\"predictions\": [...], \"probabilities\": [{label: p}]}\n"
    "  POST /invocations   MLflow's scoring protocol (dataframe_split, dataframe_records,\n"
    "                      instances, inputs) -> {\"predictions\": [...]}\n"
    "  GET  /health, /schema, /metrics (Prometheus), /version\n\n"
    "Options:\n"
    "  --host HOST        address to bind (default 127.0.0.1: this machine only)\n"
    "  --port N           port (default 8080; 0 = any free port, named in the start-up line)\n"
    "  --threads N        request threads (default: one per core); each prediction runs on\n"
    "                     one thread (OMP_NUM_THREADS=1 unless it is set)\n"
    "  --max-body BYTES   largest request body (default 16777216); larger ones get 413\n"
    "  --reload           follow the `current` link: a new version is loaded in the\n"
    "                     background and swapped in without failing a request\n"
    "  --store PATH       the store directory for a model NAME (default .lolpop)\n"
    "  -q, --quiet        log warnings only\n"
    "  -v, --verbose      log one line per request\n"
    "  -h, --help         show this help\n\n"
    "SIGTERM or SIGINT stops accepting connections, lets the requests in flight finish and\n"
    "exits 0. Logs go to stderr.\n";

enum {
    OPT_HOST = 1,
    OPT_PORT,
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_RELOAD,
    OPT_STORE,
    OPT_QUIET,
    OPT_VERBOSE
};

static const cli_option serve_options[] = {
    {"host", 0, "HOST", OPT_HOST},
    {"port", 0, "N", OPT_PORT},
    {"threads", 0, "N", OPT_THREADS},
    {"max-body", 0, "BYTES", OPT_MAX_BODY},
    {"reload", 0, NULL, OPT_RELOAD},
    {"store", 0, "PATH", OPT_STORE},
    {"quiet", 'q', NULL, OPT_QUIET},
    {"verbose", 'v', NULL, OPT_VERBOSE},
    {NULL, 0, NULL, 0},
};

typedef struct serve_args {
    const cli_command *cmd;
    srv_options opt;
} serve_args;

/* A whole number in [lo, hi] into *out; else a usage error naming the option. */
static int take_number(serve_args *a, const char *option, const char *v, unsigned long long lo,
                       unsigned long long hi, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || n < lo || n > hi)
        return cli_usage_error(a->cmd, "option '--%s' expects a number from %llu to %llu, got '%s'",
                               option, lo, hi, v);
    *out = n;
    return 0;
}

static int take_option(void *ctx, int id, const char *value)
{
    serve_args *a = ctx;
    unsigned long long n = 0;
    int rc = 0;
    switch (id) {
    case OPT_HOST:
        a->opt.host = value;
        return 0;
    case OPT_PORT:
        if (!(rc = take_number(a, "port", value, 0, 65535, &n))) a->opt.port = (unsigned)n;
        return rc;
    case OPT_THREADS:
        if (!(rc = take_number(a, "threads", value, 1, 256, &n))) a->opt.threads = (unsigned)n;
        return rc;
    case OPT_MAX_BODY:
        if (!(rc = take_number(a, "max-body", value, 1, (1ULL << 40), &n)))
            a->opt.max_body = (size_t)n;
        return rc;
    case OPT_RELOAD:
        a->opt.reload = true;
        return 0;
    case OPT_STORE:
        a->opt.store = value;
        return 0;
    case OPT_QUIET:
        a->opt.verbosity = 0;
        return 0;
    default: /* OPT_VERBOSE */
        a->opt.verbosity = 2;
        return 0;
    }
}

int cmd_serve(int argc, char **argv)
{
    serve_args a = {.cmd = cli_find_command("serve")};
    a.opt = (srv_options){.host = "127.0.0.1", .port = 8080, .verbosity = 1};
    cli_positionals pos = {0};
    cli_args_spec spec = {serve_options, 1, take_option};
    int rc = cli_parse_args(&pos, a.cmd, &spec, &a, argc, argv);
    if (rc == -1) return CLI_OK;
    if (rc) return rc;
    if (pos.n != 1) return cli_usage_error(a.cmd, "expected the MODEL to serve");
    /* -q / -v are global options (taken before this parser sees them) */
    int verbosity = cli_globals_get()->verbosity;
    if (verbosity) a.opt.verbosity = verbosity < 0 ? 0 : 2;
    /* Requests are scored in parallel on the request threads: one OpenMP
     * thread per prediction (XGBoost's default is one per core, which
     * oversubscribes the cores and makes every request wait on the others).
     * Set before the back-end library is loaded (on first use); a value the
     * user exported wins. */
    setenv("OMP_NUM_THREADS", "1", 0);
    cli_session s;
    cli_session_init(&s, a.cmd);
    rc = cli_session_load_registry(&s);
    if (rc == 0) {
        int err = srv_serve(s.reg, pos.v[0], &a.opt);
        if (err) {
            cli_print_last_error();
            rc = cli_exit_code(err);
        }
    }
    cli_session_free(&s);
    return rc;
}
