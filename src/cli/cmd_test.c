/*
 * cmd_test.c — `lolpop test workflow RUNNER TEST_PLAN [-c FILE…]`: runs a
 * workflow with its tests attached (SPEC §8) and reports every verdict.
 *
 * TEST_PLAN is a YAML file merged over the -c files (it may also be the whole
 * configuration). Unless --live, the run happens in a scratch directory: a
 * copy of the working directory's .lolpop (store, objects, deployments) and
 * of every output the configuration names, so that testing never promotes a
 * model or overwrites the real run's predictions (issue 11 Fix 12). Tests are checked when the
 * configuration is validated (expression syntax, method names, hook files and functions), so a typo
 * in a test plan exits 2 before anything runs. Exit status: 0 when every test passed, 1 when one
 * failed or errored or the workflow itself failed.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"
#include "lolpop/runs.h"
#include "testing/testing_internal.h"

const char cmd_test_help[] =
    "Runs a workflow with the tests: sections of its configuration and of TEST_PLAN attached,\n"
    "prints every verdict and a summary, and exits 1 when any test fails or errors.\n\n"
    "Options:\n"
    "  -c, --config FILE        workflow configuration; repeatable; TEST_PLAN is merged over\n"
    "                           them (without -c, TEST_PLAN is the whole configuration)\n"
    "  --set KEY=VALUE          override one value (VALUE is parsed as YAML); repeatable\n"
    "  -b, --build-method NAME  the runner method to call (default build_all)\n"
    "  --build-args JSON        named arguments of that method, as a JSON object\n"
    "  --junit FILE             also write the verdicts as JUnit XML to FILE\n"
    "  --skip-validation        report missing required keys as warnings, and run anyway\n"
    "  --strict                 a key no class reads (unknown, or set where no class looks\n"
    "                           it up) is an error, not a warning\n"
    "  --live                   run against the real store and outputs: the tested model\n"
    "                           may be deployed and promoted, predictions are written\n"
    "  --scratch DIR            without --live, use (and keep) DIR as the scratch copy\n"
    "                           instead of a temporary directory removed afterwards\n"
    "  -h, --help               show this help\n\n"
    "Without --live the workflow runs in a scratch directory holding a copy of the\n"
    "working directory's .lolpop (store, object store, deployments) and of every output\n"
    "the configuration names (prediction_data, store, dir keys): the real store gets no\n"
    "new model version and no alias moves, the real predictions file and bundles stay as\n"
    "they are.\n\n"
    "A test is a pre- or post-hook on a method of any integration:\n"
    "  process:\n"
    "    data_transformer:\n"
    "      tests:\n"
    "        transform:\n"
    "          post_hooks:\n"
    "            - check: \"rows(result) > 500 and nulls(result, 'survived') == 0\"\n"
    "            - hook: libchecks.so:check_label_counts\n"
    "Checks see args, result (post-hooks) and config; functions: rows cols len nulls mean\n"
    "min max distinct abs. Tests on methods the workflow never called are reported as\n"
    "NOT_RUN. Exit status: 0 all passed, 1 a test failed or errored (or the workflow\n"
    "failed), 2 usage or configuration error.\n";

enum {
    OPT_CONFIG = 1,
    OPT_SET,
    OPT_METHOD,
    OPT_ARGS,
    OPT_JUNIT,
    OPT_SKIP,
    OPT_STRICT,
    OPT_LIVE,
    OPT_SCRATCH
};

static const cli_option test_options[] = {
    {"config", 'c', "FILE", OPT_CONFIG},
    {"set", 0, "KEY=VALUE", OPT_SET},
    {"build-method", 'b', "METHOD", OPT_METHOD},
    {"build-args", 0, "JSON", OPT_ARGS},
    {"junit", 0, "FILE", OPT_JUNIT},
    {"skip-validation", 0, NULL, OPT_SKIP},
    {"strict", 0, NULL, OPT_STRICT},
    {"live", 0, NULL, OPT_LIVE},
    {"scratch", 0, "DIR", OPT_SCRATCH},
    {NULL, 0, NULL, 0},
};

typedef struct test_args {
    cli_session session;
    cli_positionals pos; /* "workflow", RUNNER, TEST_PLAN */
    const char *method;
    const char *junit;
    lp_value *build_args; /* a map, owned */
    bool skip_validation;
    bool strict;             /* --strict: keys no class reads are errors */
    bool live;               /* --live: the real store and outputs */
    const char *scratch_opt; /* --scratch DIR, borrowed */
    char *scratch;           /* the scratch directory in use (absolute), owned */
    char *cwd;               /* the working directory before the scratch run, owned */
    char *junit_abs;         /* --junit made absolute for the scratch run, owned */
    char **abs_files;        /* the -c files and TEST_PLAN made absolute, owned */
    size_t n_abs_files;
} test_args;

static int take_option(void *ctx, int id, const char *value)
{
    test_args *t = ctx;
    switch (id) {
    case OPT_CONFIG:
        return cli_session_add_file(&t->session, value);
    case OPT_SET:
        return cli_session_add_set(&t->session, value);
    case OPT_METHOD:
        if (!*value) return cli_usage_error(t->session.cmd, "option '-b' needs a method name");
        t->method = value;
        return 0;
    case OPT_ARGS:
        lp_value_unref(t->build_args);
        t->build_args = cli_json_to_map(value, "--build-args");
        return t->build_args ? 0 : CLI_USAGE;
    case OPT_JUNIT:
        if (!*value) return cli_usage_error(t->session.cmd, "option '--junit' needs a file name");
        t->junit = value;
        return 0;
    case OPT_STRICT:
        t->strict = true;
        return 0;
    case OPT_LIVE:
        t->live = true;
        return 0;
    case OPT_SCRATCH:
        if (!*value) return cli_usage_error(t->session.cmd, "option '--scratch' needs a directory");
        t->scratch_opt = value;
        return 0;
    case OPT_SKIP:
        t->skip_validation = true;
        return 0;
    }
    return 0;
}

static const cli_args_spec test_spec = {test_options, 3, take_option};

static int parse_test_args(test_args *t, int argc, char **argv)
{
    const cli_command *cmd = t->session.cmd;
    int rc = cli_parse_args(&t->pos, cmd, &test_spec, t, argc, argv);
    if (rc != 0) return rc;
    if (t->pos.n == 0)
        return cli_usage_error(cmd, "what to test is missing: 'lolpop test workflow RUNNER "
                                    "TEST_PLAN'");
    if (strcmp(t->pos.v[0], "workflow") != 0)
        return cli_usage_error(cmd, "unknown test target '%s'; expected 'workflow'", t->pos.v[0]);
    if (t->pos.n < 2)
        return cli_usage_error(cmd, "the RUNNER class is missing after 'test workflow'");
    if (t->pos.n < 3)
        return cli_usage_error(cmd, "the TEST_PLAN file is missing after 'test workflow %s'",
                               t->pos.v[1]);
    if (t->live && t->scratch_opt)
        return cli_usage_error(cmd, "--scratch and --live exclude each other");
    /* the plan is merged last: its tests: sections and overrides win */
    return cli_session_add_file(&t->session, t->pos.v[2]);
}

/* `path` made absolute against the working directory (new string). */
static char *absolute(const char *path)
{
    char resolved[PATH_MAX];
    if (realpath(path, resolved)) return lp_strdup(resolved);
    if (path[0] == '/') return lp_strdup(path);
    char *cwd = getcwd(NULL, 0);
    char *abs = cwd ? lp_asprintf("%s/%s", cwd, path) : lp_strdup(path);
    free(cwd);
    return abs;
}

/* For a scratch run: the configuration files by absolute path, so that what
 * is relative to them (hooks, plugin_paths, data) still resolves once the run
 * has moved into the scratch directory. */
static int absolute_files(test_args *t)
{
    cli_session *s = &t->session;
    t->abs_files = calloc(s->n_files ? s->n_files : 1, sizeof *t->abs_files);
    for (size_t i = 0; t->abs_files && i < s->n_files; i++) {
        if (!(t->abs_files[i] = absolute(s->files[i]))) break;
        s->files[i] = t->abs_files[t->n_abs_files++];
    }
    if (t->abs_files && t->n_abs_files == s->n_files) return 0;
    cli_error("out of memory");
    return CLI_FAIL;
}

/* Creates the scratch copy and moves into it (Fix 12). */
static int enter_scratch(test_args *t)
{
    t->cwd = getcwd(NULL, 0);
    if (!t->cwd) {
        cli_error("cannot read the working directory: %s", strerror(errno));
        return CLI_FAIL;
    }
    if (t->scratch_opt) {
        t->scratch = absolute(t->scratch_opt);
    } else {
        const char *tmp = getenv("TMPDIR");
        char *templ = lp_asprintf("%s/lolpop-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        t->scratch = templ && mkdtemp(templ) ? templ : NULL;
        if (!t->scratch) free(templ);
        if (!t->scratch) {
            cli_error("cannot create a scratch directory: %s", strerror(errno));
            return CLI_FAIL;
        }
    }
    if (t->junit) t->junit = t->junit_abs = absolute(t->junit);
    int rc = t->scratch ? cli_scratch_prepare(lp_config_root(t->session.cfg), t->cwd, t->scratch)
                        : LP_ENOMEM;
    if (rc == 0 && chdir(t->scratch) != 0)
        rc = lp_error_set(LP_EIO, "cannot enter the scratch directory '%s': %s", t->scratch,
                          strerror(errno));
    if (rc != 0) {
        cli_print_last_error();
        return cli_exit_code(rc);
    }
    if (cli_globals_get()->verbosity >= 0)
        fprintf(stderr,
                "lolpop: testing in a scratch copy of the store and outputs: %s%s (--live to "
                "deploy for real)\n",
                t->scratch, t->scratch_opt ? "" : ", removed afterwards");
    return 0;
}

/* Back to the working directory; the temporary scratch directory goes. */
static void leave_scratch(test_args *t)
{
    if (t->cwd && chdir(t->cwd) != 0) cli_warning("cannot return to '%s'", t->cwd);
    if (t->scratch && !t->scratch_opt && cli_scratch_remove(t->scratch) != 0)
        cli_print_last_error();
}

static const char *text(const lp_value *v, const char *key)
{
    const char *s = lp_value_as_string(lp_map_get(v, key));
    return s ? s : "";
}

static void print_verdicts(const lp_value *results)
{
    printf("\nWorkflow tests:\n");
    for (size_t i = 0; i < lp_list_len(results); i++) {
        const lp_value *v = lp_list_get(results, i);
        bool named = lp_value_as_bool(lp_map_get(v, "named"));
        bool pass = strcmp(text(v, "status"), "PASS") == 0;
        printf("  %-7s %s.%s %s: ", text(v, "status"), text(v, "integration"), text(v, "method"),
               text(v, "phase"));
        if (named) printf("%s\n", text(v, "name"));
        if (!named || !pass)
            printf("%s%s `%s`\n", named ? "          " : "", text(v, "kind"), text(v, "spec"));
        if (*text(v, "message")) printf("          %s\n", text(v, "message"));
        if (!pass && *text(v, "location")) printf("          at %s\n", text(v, "location"));
    }
}

/* Prints the summary; writes JUnit when asked. Returns the exit code. */
static int report(test_args *t, lp_test_session *ts, bool workflow_ok)
{
    const lp_value *results = lp_test_session_results(ts);
    print_verdicts(results);
    size_t passed, failed, errors, not_run;
    lp_test_session_counts(ts, &passed, &failed, &errors, &not_run);
    printf("\n%zu passed, %zu failed, %zu errors, %zu not run\n", passed, failed, errors, not_run);
    fflush(stdout);
    int code = failed || errors || !workflow_ok ? CLI_FAIL : CLI_OK;
    if (t->junit && lp_junit_write(results, "lolpop workflow tests", t->junit) != 0) {
        cli_print_last_error();
        code = CLI_FAIL;
    }
    return code;
}

static int build(test_args *t, const char *runner, lp_workflow **wf, lp_test_session **ts)
{
    cli_session *s = &t->session;
    /* No LP_WF_CHECK_INPUTS: missing inputs are what workflow tests may check themselves. */
    int flags = (t->skip_validation ? LP_WF_SKIP_VALIDATION : 0) | (t->strict ? LP_WF_STRICT : 0);
    int rc = lp_workflow_new(wf, s->reg, cli_session_doc(s), runner, flags, &s->diags);
    if (rc == 0) rc = lp_test_session_new(ts, *wf, &s->diags);
    cli_report(&s->diags, rc, true);
    if (rc != 0 && lp_diags_errors(&s->diags) == 0) cli_print_last_error();
    if (rc != 0) return rc == LP_ECONFIG ? CLI_USAGE : cli_exit_code(rc);
    if (lp_test_session_hook_count(*ts) == 0) {
        cli_error("no tests: the configuration and '%s' have no tests: section (see "
                  "'lolpop test --help')",
                  t->pos.v[2]);
        return CLI_USAGE;
    }
    return 0;
}

static int test_workflow(test_args *t, const char *runner, const char *method)
{
    lp_workflow *wf = NULL;
    lp_test_session *ts = NULL;
    int code = build(t, runner, &wf, &ts);
    /* a test run is a run: it records its steps (resumable) and honours a cache_manager */
    if (code == 0 && lp_workflow_enable_runs(wf, NULL) != 0) {
        cli_print_last_error();
        code = cli_exit_code(lp_error_last()->code);
    }
    if (code == 0) {
        lp_value *args = t->build_args ? lp_value_ref(t->build_args) : lp_value_map();
        lp_error_clear();
        lp_value *result = args ? lp_call(lp_workflow_root(wf), method, args) : NULL;
        char *err = result ? NULL : lp_error_format();
        if (!result) cli_print_last_error();
        cli_print_run_summary(stdout, result); /* build_all's summary, as `run` shows it */
        lp_test_session_finish(ts, method, result ? NULL : (err ? err : "the workflow failed"));
        code = report(t, ts, result != NULL);
        free(err);
        lp_value_unref(result);
        lp_value_unref(args);
    }
    lp_workflow_free(wf);
    lp_test_session_free(ts);
    return code;
}

int cmd_test(int argc, char **argv)
{
    test_args t = {0};
    cli_session_init(&t.session, cli_find_command("test"));
    int rc = parse_test_args(&t, argc, argv);
    if (rc == 0 && !t.live) rc = absolute_files(&t);
    if (rc == 0) rc = cli_session_load_config(&t.session);
    if (rc == 0) rc = cli_session_load_registry(&t.session);
    const lp_class *runner = NULL;
    if (rc == 0 && !(runner = cli_session_runner(&t.session, t.pos.v[1]))) rc = CLI_USAGE;
    const char *method = t.method ? t.method : "build_all";
    if (rc == 0) rc = cli_session_check_method(runner, method);
    bool scratch = rc == 0 && !t.live;
    if (scratch) rc = enter_scratch(&t);
    if (rc == 0) rc = test_workflow(&t, runner->name, method);
    if (scratch) leave_scratch(&t);
    for (size_t i = 0; i < t.n_abs_files; i++)
        free(t.abs_files[i]);
    free(t.abs_files);
    free(t.scratch);
    free(t.cwd);
    free(t.junit_abs);
    lp_value_unref(t.build_args);
    cli_session_free(&t.session);
    return rc < 0 ? CLI_OK : rc;
}
