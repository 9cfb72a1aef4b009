/*
 * test_seed.c — `lolpop seed file SOURCE TARGET -c CLASS --set …` end to end:
 * the real binary loads a CSV into a real SQLite file (checked with SQLite
 * itself), and every usage or write problem gets its message and exit code.
 *
 * The process helpers (fork/exec with pipes and a deadline, a fresh temporary
 * directory per test) follow tests/cli/test_cli.c.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

extern char **environ;

#define DEADLINE_MS 60000 /* generous: sanitizer builds are slow */

typedef struct result {
    int status; /* exit code, 128+signal, or -1 on timeout */
    char *out;
    char *err;
} result;

static char tmpdir[] = "/tmp/lolpop-seed-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(seed, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ---------------------------------------------------------------- */

/* Full path of `name` in the test's directory (a ring of static buffers). */
static const char *tmp_path(const char *name)
{
    static char ring[8][PATH_MAX];
    static int next;
    char *buf = ring[next++ % 8];
    snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
    return buf;
}

static const char *write_bytes(const char *name, const char *text, size_t len)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *write_file(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

/* Whether `extra` sets the variable of the "NAME=value" entry `var`. */
static bool overridden(const char *var, const char *const *extra)
{
    size_t len = strcspn(var, "=") + 1;
    for (size_t i = 0; extra && extra[i]; i++)
        if (strncmp(extra[i], var, len) == 0) return true;
    return false;
}

/* The child's environment: ours without LOLPOP_PLUGIN_PATH, NO_COLOR=1, plus
 * extra (which replaces a variable of ours of the same name, e.g. PATH). */
static char **child_env(const char *const *extra)
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 2, sizeof *env);
    cr_assert_not_null(env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LOLPOP_PLUGIN_PATH=", 19) != 0 &&
            strncmp(environ[i], "NO_COLOR=", 9) != 0 && strncmp(environ[i], "LOLPOP_T_", 9) != 0 &&
            !overridden(environ[i], extra))
            env[k++] = environ[i];
    env[k++] = (char *)(uintptr_t) "NO_COLOR=1";
    for (size_t i = 0; i < m; i++)
        env[k++] = (char *)(uintptr_t)extra[i];
    return env;
}

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void buf_reserve(buf *b)
{
    if (b->cap - b->len < 4097) {
        b->cap = b->cap * 2 + 8192;
        b->data = realloc(b->data, b->cap);
        cr_assert_not_null(b->data);
    }
    b->data[b->len] = '\0';
}

static void buf_read(buf *b, int fd, bool *open)
{
    buf_reserve(b);
    ssize_t n = read(fd, b->data + b->len, 4096);
    if (n > 0)
        b->len += (size_t)n;
    else if (n == 0 || errno != EINTR)
        *open = false;
    b->data[b->len] = '\0';
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs lolpop with args (NULL-terminated) and extra env, in tmpdir. */
static result run_lolpop(const char *const *env_extra, const char *const *args)
{
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    cr_assert_not_null(argv);
    argv[0] = (char *)(uintptr_t)LP_LOLPOP_EXE;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)(uintptr_t)args[i];
    char **envp = child_env(env_extra);
    int out_pipe[2], err_pipe[2];
    cr_assert_eq(pipe(out_pipe), 0);
    cr_assert_eq(pipe(err_pipe), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(out_pipe[0]);
        close(err_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[1]);
        if (chdir(tmpdir) != 0) _exit(126);
        execve(LP_LOLPOP_EXE, argv, envp);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    buf out = {0}, err = {0};
    bool out_open = true, err_open = true, timed_out = false;
    long deadline = now_ms() + DEADLINE_MS;
    buf_reserve(&out); /* so that both are strings even when the child writes nothing */
    buf_reserve(&err);
    while (out_open || err_open) {
        long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                                {err_open ? err_pipe[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, (int)left) < 0 && errno != EINTR) break;
        if (fds[0].revents) buf_read(&out, out_pipe[0], &out_open);
        if (fds[1].revents) buf_read(&err, err_pipe[0], &err_open);
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    free(argv);
    free(envp);
    result r = {.out = out.data, .err = err.data};
    r.status = timed_out ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    cr_assert_neq(r.status, -1, "lolpop did not finish within %d ms\nstdout:\n%s\nstderr:\n%s",
                  DEADLINE_MS, r.out, r.err);
    return r;
}

#define LOLPOP(...)          run_lolpop(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define LOLPOP_ENV(env, ...) run_lolpop((env), (const char *const[]){__VA_ARGS__, NULL})
#define ENV(...)             ((const char *const[]){__VA_ARGS__, NULL})

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

#define EXPECT_EXIT(r, code)                                                                       \
    cr_assert_eq((r).status, (code),                                                               \
                 "exit code %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s", (r).status,        \
                 (code), (r).out, (r).err)
#define EXPECT_ERR(r, s)                                                                           \
    cr_assert(strstr((r).err, (s)) != NULL, "stderr lacks \"%s\":\n%s", (s), (r).err)
#define EXPECT_OUT(r, s)                                                                           \
    cr_assert(strstr((r).out, (s)) != NULL, "stdout lacks \"%s\":\n%s\n--- stderr:\n%s", (s),      \
              (r).out, (r).err)
#define EXPECT_NOT_OUT(r, s)                                                                       \
    cr_assert(strstr((r).out, (s)) == NULL, "stdout has \"%s\":\n%s", (s), (r).out)

/* ---- SQLite checks ------------------------------------------------------------ */

/* The single integer a query returns, from the database file in tmpdir. */
static long long db_int(const char *db_name, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(tmp_path(db_name), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#define PEOPLE_CSV                                                                                 \
    "id,full name,score/100,\"say \"\"hi\"\"\"\n"                                                  \
    "1,Ada Lovelace,91.5,yes\n"                                                                    \
    "2,Grace Hopper,,\n"                                                                           \
    "3,\"Torvalds, Linus\",77,no\n"

/* ---- happy path ------------------------------------------------------------------ */

Test(seed, loads_a_csv_into_sqlite)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector", "--set",
                      "database=app.db");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "3 rows");
    EXPECT_OUT(r, "people");
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people WHERE \"score/100\" IS NULL"), 1);
    cr_assert_eq(db_int("app.db", "SELECT id FROM people WHERE \"full name\" = 'Torvalds, Linus'"),
                 3);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM pragma_table_info('people') "
                                  "WHERE name = 'say \"hi\"'"),
                 1);

    /* default if_exists appends; replace re-creates */
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 6);
    r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector", "--set",
               "database=app.db", "--set", "if_exists=replace");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
}

Test(seed, into_another_file_with_the_local_connector)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "copy.tsv", "-c", "LocalDataConnector");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "3 rows");
    result_free(&r);
    struct stat sb;
    cr_assert_eq(stat(tmp_path("copy.tsv"), &sb), 0);
    cr_assert_gt(sb.st_size, 0);
}

Test(seed, help_describes_the_command)
{
    result r = LOLPOP("seed", "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "seed file SOURCE TARGET");
    EXPECT_OUT(r, "--set");
    result_free(&r);
}

/* ---- usage errors: exit 2 ------------------------------------------------------------ */

Test(seed, unknown_class_suggests_the_closest)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConector", "--set",
                      "database=app.db");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown class 'SQLiteDataConector'");
    EXPECT_ERR(r, "SQLiteDataConnector");
    result_free(&r);
    cr_assert_neq(access(tmp_path("app.db"), F_OK), 0);
}

Test(seed, class_must_be_a_data_connector)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "StdOutLogger");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'StdOutLogger' is a component of type logger, not a data_connector");
    result_free(&r);
}

Test(seed, missing_required_config_is_named)
{
    write_file("people.csv", PEOPLE_CSV);
    unsetenv("DATABASE"); /* config lookup would fall back to it */
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "database");
    EXPECT_ERR(r, "--set database=VALUE");
    result_free(&r);
}

Test(seed, bad_config_value_is_a_usage_error)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
                      "if_exists=overwrite");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "if_exists 'overwrite' is not one of append, replace, fail");
    result_free(&r);
}

Test(seed, command_line_problems)
{
    result r = LOLPOP("seed");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "lolpop seed file SOURCE TARGET");
    result_free(&r);
    r = LOLPOP("seed", "files", "a.csv", "t");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown seed source kind 'files'");
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "TARGET");
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv", "t", "extra");
    EXPECT_EXIT(r, 2);
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv", "t", "--set", "novalue");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "KEY=VALUE");
    result_free(&r);
}

/* ---- failures: exit 1 --------------------------------------------------------------- */

Test(seed, unreadable_source_fails)
{
    result r = LOLPOP("seed", "file", "nothing.csv", "people", "--set", "database=app.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "nothing.csv");
    result_free(&r);
}

Test(seed, failed_write_names_the_database)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=no/dir/app.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "no/dir/app.db");
    EXPECT_NOT_OUT(r, "rows");
    result_free(&r);

    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
               "if_exists=fail");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
               "if_exists=fail");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "app.db: table 'people' already exists");
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
}
