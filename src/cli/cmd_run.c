/*
 * cmd_run.c — `lolpop run workflow RUNNER -c FILE…`: load, validate, build,
 * call one method of the runner, print its result.
 *
 * Everything that can be checked before running is: the command line (every
 * option, the --build-args JSON), the configuration, the plugins, the runner
 * and the method name. Only then is the instance tree built and the method
 * called, so a typo never costs a half-run workflow.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"
#include "lolpop/runs.h"

const char cmd_run_help[] =
    "Runs a workflow: builds the runner RUNNER and its integrations from the configuration,\n"
    "then calls one of its methods (build_all unless -b says otherwise).\n\n"
    "Options:\n"
    "  -c, --config FILE        configuration file; repeat to deep-merge later files over\n"
    "                           earlier ones (required)\n"
    "  --set KEY=VALUE          override one value, e.g. --set train.config.perf_metric=f1\n"
    "                           (VALUE is parsed as YAML); repeatable\n"
    "  -b, --build-method NAME  the runner method to call (default build_all)\n"
    "  --build-args JSON        named arguments of that method, as a JSON object\n"
    "  --skip-validation        report missing required keys as warnings, and run anyway\n"
    "  --strict                 a key no class reads (unknown, or set where no class looks\n"
    "                           it up) is an error, not a warning\n"
    "  --resume RUN             re-run the workflow of run RUN (an id, a unique prefix of one,\n"
    "                           or 'latest'), reusing the result of every step that finished\n"
    "                           there; steps whose configuration or input changed since, and\n"
    "                           every step after them that depends on them, run again.\n"
    "                           (resuming a run that succeeded is allowed: everything is reused)\n"
    "  -h, --help               show this help\n\n"
    "The result of the method, if any, is printed on stdout as one line; the summary that\n"
    "build_all of ClassificationRunner and RegressionRunner returns is printed as text.\n"
    "Every run records the results of its pipeline steps in the metadata store, so that any\n"
    "run can be resumed; with a cache_manager configured, results of earlier runs are reused\n"
    "without --resume too.\n";

enum { OPT_CONFIG = 1, OPT_SET, OPT_METHOD, OPT_ARGS, OPT_SKIP, OPT_RESUME, OPT_STRICT };

static const cli_option run_options[] = {
    {"config", 'c', "FILE", OPT_CONFIG},
    {"set", 0, "KEY=VALUE", OPT_SET},
    {"build-method", 'b', "METHOD", OPT_METHOD},
    {"build-args", 0, "JSON", OPT_ARGS},
    {"skip-validation", 0, NULL, OPT_SKIP},
    {"resume", 0, "RUN", OPT_RESUME},
    {"strict", 0, NULL, OPT_STRICT},
    {NULL, 0, NULL, 0},
};

typedef struct run_args {
    cli_session session;
    cli_positionals pos; /* "workflow", RUNNER */
    const char *method;
    lp_value *build_args; /* a map, owned */
    bool skip_validation;
    bool strict;        /* --strict: keys no class reads are errors */
    const char *resume; /* --resume RUN, or NULL */
} run_args;

/* One option into the run_args `ctx`; 0 or an exit code (already reported). */
static int take_option(void *ctx, int id, const char *value)
{
    run_args *r = ctx;
    switch (id) {
    case OPT_CONFIG:
        return cli_session_add_file(&r->session, value);
    case OPT_SET:
        return cli_session_add_set(&r->session, value);
    case OPT_METHOD:
        if (!*value) return cli_usage_error(r->session.cmd, "option '-b' needs a method name");
        r->method = value;
        return 0;
    case OPT_ARGS:
        lp_value_unref(r->build_args);
        r->build_args = cli_json_to_map(value, "--build-args");
        return r->build_args ? 0 : CLI_USAGE;
    case OPT_SKIP:
        r->skip_validation = true;
        return 0;
    case OPT_STRICT:
        r->strict = true;
        return 0;
    case OPT_RESUME:
        if (!*value) return cli_usage_error(r->session.cmd, "option '--resume' needs a run id");
        r->resume = value;
        return 0;
    }
    return 0;
}

static const cli_args_spec run_spec = {run_options, 2, take_option};

/* Parses and checks the whole command line; 0, -1 after --help, or an exit code. */
static int parse_run_args(run_args *r, int argc, char **argv)
{
    const cli_command *cmd = r->session.cmd;
    int rc = cli_parse_args(&r->pos, cmd, &run_spec, r, argc, argv);
    if (rc != 0) return rc;
    if (r->pos.n == 0)
        return cli_usage_error(cmd, "what to run is missing: 'lolpop run workflow RUNNER'");
    if (strcmp(r->pos.v[0], "workflow") != 0)
        return cli_usage_error(cmd, "unknown run target '%s'; expected 'workflow'", r->pos.v[0]);
    if (r->pos.n < 2)
        return cli_usage_error(cmd, "the RUNNER class is missing after 'run workflow'");
    if (r->session.n_files == 0)
        return cli_usage_error(cmd, "no configuration: give at least one -c FILE");
    return 0;
}

/* Builds the workflow and calls the method; returns the exit code. */
static int run_workflow(run_args *r, const char *runner, const char *method)
{
    cli_session *s = &r->session;
    lp_workflow *wf = NULL;
    int flags = (r->skip_validation ? LP_WF_SKIP_VALIDATION : 0) | (r->strict ? LP_WF_STRICT : 0) |
                LP_WF_CHECK_INPUTS;
    int rc = lp_workflow_new(&wf, s->reg, cli_session_doc(s), runner, flags, &s->diags);
    cli_report(&s->diags, rc, true);
    if (rc != 0) {
        lp_workflow_free(wf);
        return rc == LP_ECONFIG ? CLI_USAGE : cli_exit_code(rc);
    }
    rc = lp_workflow_enable_runs(wf, r->resume);
    lp_value *args = rc == 0 && r->build_args ? lp_value_ref(r->build_args) : NULL;
    if (rc == 0 && !args) args = lp_value_map();
    if (rc == 0) lp_error_clear();
    lp_value *result = args ? lp_call(lp_workflow_root(wf), method, args) : NULL;
    int code = CLI_OK;
    if (rc != 0) {
        cli_print_last_error();
        code = cli_exit_code(rc);
    } else if (!result) {
        cli_print_last_error();
        code = cli_exit_code(lp_error_last()->code) == CLI_USAGE ? CLI_USAGE : CLI_FAIL;
    } else if (cli_print_run_summary(stdout, result)) {
        /* build_all's summary of the run, as text */
    } else if (lp_value_type(result) != LP_NULL) {
        char *text = lp_value_to_string(result);
        printf("%s\n", text ? text : "");
        free(text);
    }
    lp_value_unref(result);
    lp_value_unref(args);
    lp_workflow_free(wf); /* frees the run service's state too */
    return code;
}

int cmd_run(int argc, char **argv)
{
    run_args r = {0};
    cli_session_init(&r.session, cli_find_command("run"));
    int rc = parse_run_args(&r, argc, argv);
    if (rc == 0) rc = cli_session_load_config(&r.session);
    if (rc == 0) rc = cli_session_load_registry(&r.session);
    const lp_class *runner = NULL;
    if (rc == 0 && !(runner = cli_session_runner(&r.session, r.pos.v[1]))) rc = CLI_USAGE;
    const char *method = r.method ? r.method : "build_all";
    if (rc == 0) rc = cli_session_check_method(runner, method); /* before anything runs */
    if (rc == 0) rc = run_workflow(&r, runner->name, method);
    lp_value_unref(r.build_args);
    cli_session_free(&r.session);
    return rc < 0 ? CLI_OK : rc;
}
