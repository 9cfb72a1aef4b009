/*
 * test_data_describe.c — `lolpop data describe` end to end: the --json
 * numbers against pandas' (tests/fixtures/describe/NAME.json, computed by
 * tests/fixtures/gen_describe.py) to 1e-9 relative, the table, and exit
 * code 2 with file:line:col on bad files and bad arguments.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

#define FIXTURES LP_SOURCE_ROOT "/tests/fixtures"

typedef struct result {
    int status;
    char *out, *err;
} result;

static char *slurp(FILE *f)
{
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    s[fread(s, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return s;
}

/* Runs lolpop with args (NULL-terminated); output captured through temp files. */
static result run(const char *const *args)
{
    FILE *out = tmpfile(), *err = tmpfile();
    cr_assert(out && err);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        const char *argv[16] = {"lolpop"};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        execv(LP_LOLPOP_EXE, (char *const *)(void *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    result r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(out), slurp(err)};
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

static void check_value(const json_t *want, const json_t *got, const char *col, const char *key)
{
    if (json_is_null(want) || json_is_string(want)) {
        cr_assert(json_equal(want, got), "%s.%s differs", col, key);
        return;
    }
    cr_assert(json_is_number(got), "%s.%s: expected a number", col, key);
    double w = json_number_value(want), g = json_number_value(got);
    double aw = fabs(w), ag = fabs(g), tol = 1e-9 * (aw > ag ? aw : ag);
    cr_assert(fabs(w - g) <= tol, "%s.%s: expected %.17g, got %.17g", col, key, w, g);
}

static void describe_matches_pandas(const char *stem)
{
    char csv[512], fix[512];
    snprintf(csv, sizeof csv, FIXTURES "/data/%s.csv", stem);
    snprintf(fix, sizeof fix, FIXTURES "/describe/%s.json", stem);
    const char *args[] = {"data", "describe", csv, "--json", NULL};
    result r = run(args);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    json_error_t e;
    json_t *got = json_loads(r.out, 0, &e), *want = json_load_file(fix, 0, &e);
    cr_assert_not_null(got, "output is not JSON: %s", r.out);
    cr_assert_not_null(want, "%s", fix);
    cr_assert_eq(json_integer_value(json_object_get(got, "rows")),
                 json_integer_value(json_object_get(want, "rows")));
    const json_t *gc = json_object_get(got, "columns"), *wc = json_object_get(want, "columns");
    cr_assert_eq(json_array_size(gc), json_array_size(wc));
    static const char *const keys[] = {"name", "count", "missing", "distinct", "mean", "std",
                                       "25%",  "50%",   "75%",     "top",      "freq"};
    for (size_t i = 0; i < json_array_size(wc); i++) {
        const json_t *w = json_array_get(wc, i), *g = json_array_get(gc, i);
        const char *name = json_string_value(json_object_get(w, "name"));
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            check_value(json_object_get(w, keys[k]), json_object_get(g, keys[k]), name, keys[k]);
        /* min/max: numbers for number columns (timestamps print their text) */
        if (json_is_number(json_object_get(w, "min"))) {
            check_value(json_object_get(w, "min"), json_object_get(g, "min"), name, "min");
            check_value(json_object_get(w, "max"), json_object_get(g, "max"), name, "max");
        }
    }
    json_decref(got);
    json_decref(want);
    result_free(&r);
}

Test(data_describe, titanic_json_matches_pandas)
{
    describe_matches_pandas("titanic");
}

Test(data_describe, diamonds_json_matches_pandas)
{
    describe_matches_pandas("diamonds");
}

Test(data_describe, ugly_json_matches_pandas)
{
    describe_matches_pandas("ugly");
}

Test(data_describe, table_lists_every_column)
{
    const char *args[] = {"data", "describe", FIXTURES "/data/titanic.csv", NULL};
    result r = run(args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "column"), "%s", r.out);
    cr_assert(strstr(r.out, "embark_town"), "%s", r.out);
    cr_assert(strstr(r.out, "Southampton"), "%s", r.out);
    cr_assert(strstr(r.out, "891 rows, 15 columns"), "%s", r.out);
    result_free(&r);
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/lolpop-describe-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

Test(data_describe, bad_file_exits_2_with_location)
{
    char *path = write_temp("a,b\n1,2\n3,\"x\"y\n");
    const char *args[] = {"data", "describe", path, NULL};
    result r = run(args);
    cr_assert_eq(r.status, 2);
    char want[128];
    snprintf(want, sizeof want, "%s:3:6:", path);
    cr_assert(strstr(r.err, want), "stderr lacks %s: %s", want, r.err);
    result_free(&r);
    const char *args2[] = {"data", "describe", path, "--type", "a=int", NULL};
    unlink(path);
    r = run(args2);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "cannot open"), "%s", r.err);
    result_free(&r);
    free(path);
}

/* A FIFO once hung `data describe` and `datagen create` (open blocked waiting
 * for a writer); a directory was reported with a stale errno. Each is now
 * refused at once with its own message. */
Test(data_describe, fifo_and_directory_are_refused_at_once)
{
    char dir[] = "/tmp/lolpop-fifo-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/in.csv", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    const char *describe[] = {"data", "describe", fifo, NULL};
    const char *datagen[] = {"datagen", "create", fifo, "-n", "5", "-o", "/dev/null", NULL};
    const char *const *cmds[] = {describe, datagen};
    for (int k = 0; k < 2; k++) {
        result r = run(cmds[k]);
        cr_assert_eq(r.status, 2, "%s", r.err);
        cr_assert(strstr(r.err, "not a regular file"), "%s", r.err);
        result_free(&r);
    }
    const char *on_dir[] = {"data", "describe", dir, NULL};
    result r = run(on_dir);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "is a directory"), "%s", r.err);
    result_free(&r);
    unlink(fifo);
    rmdir(dir);
}

Test(data_describe, options_sep_na_type)
{
    char *path = write_temp("k|v\n01|-\n02|2.5\n");
    const char *args[] = {"data", "describe", path,    "--sep",  "|", "--na",
                          "-",    "--type",   "k=str", "--json", NULL};
    result r = run(args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    cr_assert_not_null(j, "%s", r.out);
    json_t *cols = json_object_get(j, "columns");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cols, 0), "type")), "string");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cols, 0), "top")), "01");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(cols, 1), "missing")), 1);
    json_decref(j);
    result_free(&r);
    unlink(path);
    free(path);
}

Test(data_describe, usage_errors_exit_2)
{
    const char *a1[] = {"data", NULL};
    const char *a2[] = {"data", "descibe", "x.csv", NULL};
    const char *a3[] = {"data", "describe", "x.csv", "--sep", "::", NULL};
    const char *a4[] = {"data", "describe", "x.csv", "--type", "a=decimal", NULL};
    const char *const *cases[] = {a1, a2, a3, a4};
    const char *msgs[] = {"subcommand is missing", "did you mean 'describe'", "separator",
                          "unknown column type"};
    for (int i = 0; i < 4; i++) {
        result r = run(cases[i]);
        cr_assert_eq(r.status, 2, "case %d: %s", i, r.err);
        cr_assert(strstr(r.err, msgs[i]), "case %d: %s", i, r.err);
        result_free(&r);
    }
}
