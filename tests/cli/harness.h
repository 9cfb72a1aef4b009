/*
 * harness.h — running the real `lolpop` binary from tests: fork/exec in a
 * given directory with pipes and a deadline (a hang fails the test instead of
 * blocking the suite), a clean environment (no LOLPOP_PLUGIN_PATH nor the
 * tests' own LOLPOP_T_* variables, NO_COLOR=1)
 * and temporary directories removed afterwards.
 *
 * Ownership: lp_run's result strings are malloc'ed, freed by lp_run_free;
 * path helpers return static ring buffers valid for the next few calls.
 */
#ifndef LP_TEST_HARNESS_H
#define LP_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct lp_run {
    int status; /* exit code, 128+signal */
    char *out;
    char *err;
} lp_run;

/* Runs `exe` with args (NULL-terminated, without argv[0]) in `dir`, with the
 * test environment plus `env_extra` ("NAME=value", NULL-terminated, may be
 * NULL; replaces a variable of the same name). Fails the test after
 * deadline_ms. */
lp_run lp_run_exe(const char *exe, const char *dir, const char *const *env_extra,
                  const char *const *args, long deadline_ms);
void lp_run_free(lp_run *r);

/* A new temporary directory (mkdtemp of "/tmp/lolpop-<tag>-XXXXXX") in a
 * static buffer; lp_tmpdir_remove deletes it recursively. */
char *lp_tmpdir_make(char *templ);
void lp_tmpdir_remove(const char *dir);

/* Copies the regular files of directory src (recursively) into dst. */
void lp_copy_tree(const char *src, const char *dst);

/* Copies an example directory into dst as a new user would get it: without
 * the outputs a developer's own run left there (.lolpop/, predictions.csv). */
void lp_copy_example(const char *src, const char *dst);

/* A new temporary directory "/tmp/lolpop-<tag>-XXXXXX" (written into path, which must
 * hold 64 bytes) holding a fresh copy of the example directory src (lp_copy_example). Returns buf.
 */
const char *lp_example_tmpdir(char *path, size_t size, const char *tag, const char *src);
/* The titanic quickstart of the source tree (LP_SOURCE_ROOT comes from the test's build). */
#define LP_TITANIC_EXAMPLE LP_SOURCE_ROOT "/examples/quickstart/classification/titanic"

/* dir/name in a ring of 8 static buffers (valid for the next few calls). */
const char *lp_path_in(const char *dir, const char *name);

/* Writes len bytes (NULs included) to dir/name (fails the test on error); returns the path (ring).
 */
const char *lp_write_bytes(const char *dir, const char *name, const char *bytes, size_t len);

/* Writes text to dir/name (fails the test on error); returns the path (ring). */
const char *lp_write_file(const char *dir, const char *name, const char *text);

/* The whole of a file as a NUL-terminated malloc'ed string, or NULL. */
char *lp_read_file(const char *path);

#define LP_EXPECT_EXIT(r, code)                                                                    \
    cr_assert_eq((r).status, (code),                                                               \
                 "exit code %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s", (r).status,        \
                 (code), (r).out, (r).err)
#define LP_EXPECT_ERR(r, s)                                                                        \
    cr_assert(strstr((r).err, (s)) != NULL, "stderr lacks \"%s\":\n%s", (s), (r).err)
#define LP_EXPECT_OUT(r, s)                                                                        \
    cr_assert(strstr((r).out, (s)) != NULL, "stdout lacks \"%s\":\n%s\n--- stderr:\n%s", (s),      \
              (r).out, (r).err)

#endif
