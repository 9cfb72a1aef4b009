/*
 * test_cli.c — the `lolpop` binary end to end: exit codes, output and every
 * error message's location.
 *
 * Each test writes its YAML into a fresh temporary directory, runs the real
 * binary there (fork/exec with pipes and a deadline, so a hang fails the test
 * instead of blocking the suite) and checks the exit code and substrings of
 * stdout and stderr. The environment is cleaned of LOLPOP_PLUGIN_PATH so that
 * only what a test names is loaded.
 */
#include <criterion/criterion.h>

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
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

#define DEADLINE_MS 60000 /* generous: sanitizer builds are slow */

typedef lp_run result; /* status, out, err */

static char tmpdir[] = "/tmp/lolpop-cli-XXXXXX";

static void setup(void)
{
    lp_tmpdir_make(tmpdir);
}

static void teardown(void)
{
    lp_tmpdir_remove(tmpdir);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ---------------------------------------------------------------- */

/* Full path of `name` in the test's directory (harness ring buffers). */
static const char *tmp_path(const char *name)
{
    return lp_path_in(tmpdir, name);
}

static const char *write_bytes(const char *name, const char *text, size_t len)
{
    return lp_write_bytes(tmpdir, name, text, len);
}

static const char *write_file(const char *name, const char *text)
{
    return lp_write_file(tmpdir, name, text);
}

/* Writes `name` as "plugin_paths: [<hello plugin>]" followed by body. */
static const char *write_hello(const char *name, const char *body)
{
    char text[8192];
    snprintf(text, sizeof text, "plugin_paths: [\"%s\"]\n%s", LP_HELLO_PLUGIN, body);
    return write_file(name, text);
}

#define HELLO_OK "component:\n  greeter: HelloGreeter\nconfig:\n  name: world\n"

/* The directory holding the hello plugin, for LOLPOP_PLUGIN_PATH. */
static const char *hello_dir_env(void)
{
    static char env[PATH_MAX + 32];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", LP_HELLO_PLUGIN);
    *strrchr(env, '/') = '\0';
    return env;
}

static const char *test_plugin(const char *name)
{
    static char ring[4][PATH_MAX];
    static int next;
    char *buf = ring[next++ % 4];
    snprintf(buf, PATH_MAX, "%s/lib%s.so", LP_TEST_PLUGIN_DIR, name);
    return buf;
}

/* Runs lolpop with args (NULL-terminated) and extra env, in tmpdir (harness.c). */
static result run_lolpop(const char *const *env_extra, const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, tmpdir, env_extra, args, DEADLINE_MS);
}

#define LOLPOP(...)          run_lolpop(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define LOLPOP_ENV(env, ...) run_lolpop((env), (const char *const[]){__VA_ARGS__, NULL})
#define ENV(...)             ((const char *const[]){__VA_ARGS__, NULL})

static void result_free(result *r)
{
    lp_run_free(r);
}

#define EXPECT_EXIT(r, code) LP_EXPECT_EXIT(r, code)
#define EXPECT_ERR(r, s)     LP_EXPECT_ERR(r, s)
#define EXPECT_OUT(r, s)     LP_EXPECT_OUT(r, s)
#define EXPECT_NOT_ERR(r, s)                                                                       \
    cr_assert(strstr((r).err, (s)) == NULL, "stderr has \"%s\":\n%s", (s), (r).err)
#define EXPECT_NOT_OUT(r, s)                                                                       \
    cr_assert(strstr((r).out, (s)) == NULL, "stdout has \"%s\":\n%s", (s), (r).out)

/* Asserts stderr holds "<file>:<line>:<digit>" (a located message). */
static void expect_location(const result *r, const char *file, int line)
{
    char needle[PATH_MAX + 32];
    snprintf(needle, sizeof needle, "%s:%d:", file, line);
    for (const char *p = strstr(r->err, needle); p; p = strstr(p + 1, needle))
        if (p[strlen(needle)] >= '1' && p[strlen(needle)] <= '9') return;
    cr_assert_fail("stderr lacks the location %s<col>:\n%s", needle, r->err);
}

/* Runs `run workflow HelloRunner -c <file>` and expects exit 2. */
static result run_bad(const char *file)
{
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", file);
    EXPECT_EXIT(r, 2);
    cr_assert_eq(strstr(r.out, "Hello, "), NULL, "nothing may run on a bad config:\n%s", r.out);
    return r;
}

/* ---- bad configuration: exit 2 with a located message -------------------------- */

Test(cli, yaml_syntax_error_is_located)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                            "  name: [unclosed\n");
    result r = run_bad(f);
    EXPECT_ERR(r, "YAML syntax error");
    EXPECT_ERR(r, "bad.yaml:");
    EXPECT_ERR(r, "config.name");
    result_free(&r);
}

Test(cli, yaml_bad_indentation_is_located)
{
    const char *f = write_file("bad.yaml", "a: b\n  c: d\n");
    result r = LOLPOP("config", "validate", "-c", f);
    EXPECT_EXIT(r, 2);
    expect_location(&r, f, 1);
    EXPECT_ERR(r, "YAML");
    result_free(&r);
}

Test(cli, empty_file_lists_every_missing_requirement)
{
    /* An empty document is an empty map: valid YAML, but HelloRunner needs
     * a greeter and a name, and both are reported at once. */
    const char *f = write_file("empty.yaml", "");
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "greeter");
    EXPECT_ERR(r, "'name'");
    EXPECT_ERR(r, "2 problems");
    result_free(&r);
}

Test(cli, invalid_utf8_is_rejected_with_its_position)
{
    const char text[] = "config:\n  name: \xff\xfe\n";
    const char *f = write_bytes("bad.yaml", text, sizeof text - 1);
    result r = run_bad(f);
    EXPECT_ERR(r, "UTF-8");
    expect_location(&r, f, 2);
    result_free(&r);
}

Test(cli, list_where_section_map_belongs)
{
    const char *f = write_hello("bad.yaml", "component:\n  - HelloGreeter\nconfig:\n  name: x\n");
    result r = run_bad(f);
    expect_location(&r, f, 3);
    EXPECT_ERR(r, "component");
    EXPECT_ERR(r, "list");
    result_free(&r);
}

Test(cli, scalar_where_config_map_belongs)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\nconfig: hello\n");
    result r = run_bad(f);
    expect_location(&r, f, 4);
    EXPECT_ERR(r, "config");
    result_free(&r);
}

Test(cli, unknown_class_suggests_the_closest)
{
    const char *f =
        write_hello("bad.yaml", "component:\n  greeter: HelloGreter\nconfig:\n  name: x\n");
    result r = run_bad(f);
    expect_location(&r, f, 3);
    EXPECT_ERR(r, "HelloGreter");
    EXPECT_ERR(r, "did you mean 'HelloGreeter'");
    result_free(&r);
}

Test(cli, runner_class_in_a_component_slot)
{
    const char *f =
        write_hello("bad.yaml", "component:\n  greeter: HelloRunner\nconfig:\n  name: x\n");
    result r = run_bad(f);
    expect_location(&r, f, 3);
    EXPECT_ERR(r, "runner");
    result_free(&r);
}

Test(cli, component_of_the_wrong_type_in_a_slot)
{
    const char *f =
        write_hello("bad.yaml", "component:\n  greeter: StdOutLogger\nconfig:\n  name: x\n");
    result r = run_bad(f);
    expect_location(&r, f, 3);
    EXPECT_ERR(r, "StdOutLogger");
    EXPECT_ERR(r, "logger");
    result_free(&r);
}

Test(cli, missing_required_keys_are_all_listed)
{
    const char *f = write_hello("bad.yaml", "");
    result r = run_bad(f);
    EXPECT_ERR(r, "component 'greeter'");
    EXPECT_ERR(r, "config 'name'");
    result_free(&r);
}

Test(cli, reference_to_a_missing_target)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                            "  name: $nothing.here\n");
    result r = run_bad(f);
    expect_location(&r, f, 5);
    EXPECT_ERR(r, "$nothing.here");
    result_free(&r);
}

Test(cli, reference_cycle_names_both_ends)
{
    const char *f = write_hello("bad.yaml", HELLO_OK "first: $second\nsecond: $first\n");
    result r = run_bad(f);
    EXPECT_ERR(r, "cycle");
    EXPECT_ERR(r, "$first");
    EXPECT_ERR(r, "$second");
    expect_location(&r, f, 6);
    expect_location(&r, f, 7);
    result_free(&r);
}

Test(cli, reference_past_the_end_of_a_list)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\nitems: [x, y]\n"
                                            "config:\n  name: $items.5\n");
    result r = run_bad(f);
    expect_location(&r, f, 6);
    EXPECT_ERR(r, "$items.5");
    EXPECT_ERR(r, "out of range");
    result_free(&r);
}

Test(cli, unset_environment_variable)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                            "  name: ${LOLPOP_T_UNSET}\n");
    result r = run_bad(f);
    expect_location(&r, f, 5);
    EXPECT_ERR(r, "LOLPOP_T_UNSET");
    result_free(&r);
}

Test(cli, set_without_equals_sign)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "config.name");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--set config.name");
    EXPECT_ERR(r, "'='");
    EXPECT_ERR(r, "usage: lolpop run workflow");
    result_free(&r);
}

Test(cli, set_with_an_empty_key)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "=x");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--set");
    result_free(&r);
}

Test(cli, set_through_a_scalar)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "config.name.first=x");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--set");
    EXPECT_ERR(r, "config.name");
    expect_location(&r, f, 5); /* where the scalar was set */
    result_free(&r);
}

Test(cli, nonexistent_file)
{
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", "does-not-exist.yaml");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "does-not-exist.yaml");
    EXPECT_ERR(r, "No such file");
    result_free(&r);
}

Test(cli, directory_instead_of_a_file)
{
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", tmpdir);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, tmpdir);
    EXPECT_ERR(r, "directory");
    result_free(&r);
}

Test(cli, device_that_never_ends_is_refused)
{
    result r = LOLPOP("config", "validate", "-c", "/dev/zero");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "/dev/zero");
    EXPECT_ERR(r, "too large");
    result_free(&r);
}

/* Opening a FIFO nobody writes to blocks in open(2); it must read as empty
 * instead (the helper's deadline turns a hang into a failure). */
Test(cli, fifo_without_a_writer_does_not_hang)
{
    const char *fifo = tmp_path("fifo.yaml");
    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo: %s", strerror(errno));
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "run", "workflow", "HelloRunner", "-c", fifo);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "fifo.yaml");
    EXPECT_ERR(r, "greeter");
    result_free(&r);
}

/* libfyaml stops at a raw NUL byte: everything after it would be silently
 * dropped (here the broken rest of the file, and the name). */
Test(cli, nul_byte_is_located_not_truncated)
{
    static const char text[] = "component:\n  greeter: HelloGreeter\nconfig:\n  name: wo\0rld\n"
                               "broken: [\n";
    const char *f = write_bytes("nul.yaml", text, sizeof text - 1);
    result r = LOLPOP("config", "validate", "-c", f);
    EXPECT_EXIT(r, 2);
    expect_location(&r, f, 4);
    EXPECT_ERR(r, "NUL byte");
    result_free(&r);
}

/* A 4 MB generated file: one section with 100000 keys. It must be refused
 * or accepted quickly (map lookups were linear: this took minutes), never hang. */
Test(cli, huge_config_file_finishes)
{
    const char *f = tmp_path("huge.yaml");
    FILE *fp = fopen(f, "w");
    cr_assert_not_null(fp);
    fputs("config:\n", fp);
    for (int i = 0; i < 100000; i++)
        fprintf(fp, "  key_number_%d: value_number_%d\n", i, i);
    fclose(fp);
    result r = LOLPOP("config", "validate", "-c", f);
    EXPECT_EXIT(r, 0);
    result_free(&r);
}

Test(cli, second_file_missing_is_named)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "-c", "prod.yaml");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "prod.yaml");
    result_free(&r);
}

Test(cli, plugin_not_found)
{
    const char *f = write_file("bad.yaml", "plugin_paths: [/nonexistent/libnothing.so]\n");
    result r = run_bad(f);
    expect_location(&r, f, 1);
    EXPECT_ERR(r, "/nonexistent/libnothing.so");
    result_free(&r);
}

Test(cli, plugin_found_relative_to_the_yaml_file_or_not)
{
    /* Relative entries resolve against the file's directory, not the cwd. */
    const char *f = write_file("bad.yaml", "plugin_paths: [plugins/missing.so]\n");
    result r = run_bad(f);
    expect_location(&r, f, 1);
    EXPECT_ERR(r, "missing.so");
    result_free(&r);
}

static void expect_bad_plugin(const char *plugin, const char *message)
{
    char text[PATH_MAX + 64];
    snprintf(text, sizeof text, "plugin_paths: [\"%s\"]\n", test_plugin(plugin));
    const char *f = write_file("bad.yaml", text);
    result r = run_bad(f);
    expect_location(&r, f, 1);
    EXPECT_ERR(r, plugin);
    EXPECT_ERR(r, message);
    result_free(&r);
}

Test(cli, plugin_without_entry_point)
{
    expect_bad_plugin("no_entry", "lolpop_plugin");
}

Test(cli, plugin_abi_mismatch)
{
    expect_bad_plugin("bad_abi", "ABI");
}

Test(cli, plugin_whose_init_fails)
{
    expect_bad_plugin("init_fails", "init");
}

Test(cli, plugin_breaking_a_type_contract)
{
    expect_bad_plugin("bad_contract", "lacks");
}

Test(cli, duplicate_class_names_both_plugins)
{
    char text[2 * PATH_MAX + 64];
    snprintf(text, sizeof text, "plugin_paths: [\"%s\", \"%s\"]\n", LP_HELLO_PLUGIN,
             test_plugin("dup_class"));
    const char *f = write_file("bad.yaml", text);
    result r = run_bad(f);
    EXPECT_ERR(r, "HelloGreeter");
    EXPECT_ERR(r, "libdup_class.so");
    EXPECT_ERR(r, "libhello.so");
    result_free(&r);
}

Test(cli, unknown_runner_suggests_the_closest)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRuner", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown runner 'HelloRuner'");
    EXPECT_ERR(r, "did you mean 'HelloRunner'");
    result_free(&r);
}

Test(cli, component_is_not_a_runner)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "StdOutLogger", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "not a runner");
    result_free(&r);
}

Test(cli, unknown_build_method_is_a_usage_error)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "-b", "shoot");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'shoot'");
    EXPECT_ERR(r, "did you mean 'shout'");
    EXPECT_NOT_OUT(r, "Hello");
    result_free(&r);
}

Test(cli, build_args_that_are_not_json)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--build-args", "{bad");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--build-args");
    EXPECT_ERR(r, "invalid JSON");
    result_free(&r);
}

Test(cli, build_args_that_are_not_an_object)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--build-args", "[1, 2]");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--build-args");
    EXPECT_ERR(r, "object");
    result_free(&r);
}

Test(cli, multi_document_yaml_is_rejected)
{
    const char *f = write_hello("bad.yaml", HELLO_OK "---\nconfig:\n  name: other\n");
    result r = run_bad(f);
    EXPECT_ERR(r, "bad.yaml");
    result_free(&r);
}

Test(cli, invalid_log_level_is_located)
{
    const char *f = write_hello("bad.yaml", HELLO_OK "logger:\n  config:\n    log_level: LOUD\n");
    result r = run_bad(f);
    EXPECT_ERR(r, "LOUD");
    expect_location(&r, f, 8);
    result_free(&r);
}

Test(cli, file_logger_without_a_writable_path)
{
    const char *f = write_hello("bad.yaml", "component:\n  greeter: HelloGreeter\n"
                                            "  logger: FileLogger\nconfig:\n  name: x\n"
                                            "logger:\n  config:\n"
                                            "    log_filename: /nonexistent/dir/x.log\n");
    result r = run_bad(f);
    EXPECT_ERR(r, "/nonexistent/dir/x.log");
    expect_location(&r, f, 9);
    result_free(&r);
}

/* ---- command-line errors ----------------------------------------------------------------- */

Test(cli, unknown_command_suggests)
{
    result r = LOLPOP("rn");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'rn' is not a lolpop command");
    EXPECT_ERR(r, "did you mean 'run'");
    result_free(&r);
}

Test(cli, unknown_option_is_named)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--skip-validaton");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown option '--skip-validaton'");
    EXPECT_ERR(r, "did you mean '--skip-validation'");
    EXPECT_ERR(r, "usage:");
    result_free(&r);
}

Test(cli, missing_config_value)
{
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "option '-c' needs a value");
    result_free(&r);
}

Test(cli, option_is_not_a_config_value)
{
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", "--skip-validation");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'-c' needs a value");
    result_free(&r);
}

Test(cli, missing_runner)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "RUNNER");
    result_free(&r);
}

Test(cli, missing_config_file_option)
{
    result r = LOLPOP("run", "workflow", "HelloRunner");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "-c FILE");
    result_free(&r);
}

Test(cli, unknown_run_target)
{
    const char *f = write_hello("ok.yaml", HELLO_OK);
    result r = LOLPOP("run", "workfow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'workfow'");
    result_free(&r);
}

Test(cli, no_command_at_all)
{
    result r = LOLPOP("--frob");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown option '--frob'");
    result_free(&r);
}

/* ---- happy paths --------------------------------------------------------------------- */

Test(cli, version_is_printed_without_loading_anything)
{
    result r = LOLPOP_ENV(ENV("LOLPOP_PLUGIN_PATH=/nonexistent"), "--version");
    EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "lolpop 0.1.0\n");
    cr_assert_str_eq(r.err, "");
    result_free(&r);
}

Test(cli, help_lists_every_command)
{
    result r = LOLPOP("--help");
    EXPECT_EXIT(r, 0);
    const char *commands[] = {"run", "config", "classes", "extension", "help", "version"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n  %s ", commands[i]);
        EXPECT_OUT(r, line);
    }
    result_free(&r);
}

Test(cli, help_lists_plugin_commands)
{
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\nPlugin commands");
    EXPECT_OUT(r, "\n  hello      print a greeting");
    EXPECT_OUT(r, "\n  run ");
    cr_assert_str_eq(r.err, "");
    result_free(&r);
}

/* issue 11 Fix 14: `extension --help` and `help extension` list the plugin commands */
Test(cli, extension_help_lists_plugin_commands)
{
    const char *forms[][2] = {{"extension", "--help"}, {"help", "extension"}};
    for (size_t i = 0; i < 2; i++) {
        result r = LOLPOP_ENV(ENV(hello_dir_env()), forms[i][0], forms[i][1]);
        EXPECT_EXIT(r, 0);
        EXPECT_OUT(r, "usage: lolpop extension NAME");
        EXPECT_OUT(r, "\nPlugin commands:\n  hello ");
        result_free(&r);
    }
}

Test(cli, help_with_a_broken_plugin_path_still_lists_the_commands)
{
    result r = LOLPOP_ENV(ENV("LOLPOP_PLUGIN_PATH=/nonexistent"), "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\n  classes ");
    EXPECT_ERR(r, "/nonexistent");
    EXPECT_ERR(r, "warning: some plugins could not be loaded");
    result_free(&r);
}

/* Makes tmpdir/bin with an executable `lolpop-hello2` (and programs that must
 * not be listed); returns "PATH=<bin>:<our PATH>". */
static const char *path_with_hello2(void)
{
    const char *bin = tmp_path("bin");
    cr_assert_eq(mkdir(bin, 0755), 0, "mkdir %s: %s", bin, strerror(errno));
    const char *prog = write_file("bin/lolpop-hello2", "#!/bin/sh\necho \"hello2 says $*\"\n");
    cr_assert_eq(chmod(prog, 0755), 0);
    write_file("bin/lolpop-notexec", "#!/bin/sh\n"); /* not executable: not a command */
    const char *shadowed = write_file("bin/lolpop-run", "#!/bin/sh\n"); /* built-in wins */
    cr_assert_eq(chmod(shadowed, 0755), 0);
    static char env[2 * PATH_MAX + 16];
    const char *path = getenv("PATH");
    snprintf(env, sizeof env, "PATH=%s:%s", bin, path ? path : "/usr/bin:/bin");
    return env;
}

Test(cli, help_lists_external_commands_on_path)
{
    result r = LOLPOP_ENV(ENV(path_with_hello2()), "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\nExternal commands (lolpop-NAME programs on PATH):\n");
    EXPECT_OUT(r, "\n  hello2\n");
    EXPECT_NOT_OUT(r, "notexec");
    cr_assert_eq(strstr(r.out, "\n  run\n"), NULL, "a built-in is not external:\n%s", r.out);
    result_free(&r);
}

Test(cli, external_command_runs_from_path)
{
    result r = LOLPOP_ENV(ENV(path_with_hello2()), "hello2", "a", "b");
    EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "hello2 says a b\n");
    result_free(&r);
}

Test(cli, help_loads_plugins_and_version_does_not)
{
    /* The same plugin path, full of broken plugins: --help reports them
     * (so the path is really read), --version must not even look. */
    char env[PATH_MAX + 32];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", LP_TEST_PLUGIN_DIR);
    result h = LOLPOP_ENV(ENV(env), "--help");
    EXPECT_EXIT(h, 0);
    EXPECT_ERR(h, "libinit_fails.so");
    result v = LOLPOP_ENV(ENV(env), "--version");
    EXPECT_EXIT(v, 0);
    cr_assert_str_eq(v.out, "lolpop 0.1.0\n");
    cr_assert_str_eq(v.err, "");
    result_free(&h);
    result_free(&v);
}

Test(cli, help_per_command)
{
    result a = LOLPOP("run", "--help");
    EXPECT_EXIT(a, 0);
    EXPECT_OUT(a, "usage: lolpop run workflow RUNNER");
    EXPECT_OUT(a, "--build-args");
    result b = LOLPOP("help", "config");
    EXPECT_EXIT(b, 0);
    EXPECT_OUT(b, "usage: lolpop config validate");
    result c = LOLPOP("classes", "-h");
    EXPECT_EXIT(c, 0);
    EXPECT_OUT(c, "--type");
    result d = LOLPOP("help", "confg");
    EXPECT_EXIT(d, 2);
    EXPECT_ERR(d, "did you mean 'config'");
    result_free(&a);
    result_free(&b);
    result_free(&c);
    result_free(&d);
}

Test(cli, run_hello_workflow)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    /* the log on stderr, the result alone on stdout */
    EXPECT_ERR(r, "INFO  [HelloGreeter greeter] Hello, world!");
    cr_assert_str_eq(r.out, "{\"greeting\": \"Hello, world!\"}\n");
    cr_assert_eq(strstr(r.err, "\033["), NULL, "no colour when stderr is not a terminal");
    result_free(&r);
}

Test(cli, run_the_shipped_hello_yaml)
{
    /* The example file as shipped, with plugin_paths pointed at this build. */
    char set[PATH_MAX + 32];
    snprintf(set, sizeof set, "plugin_paths=[\"%s\"]", LP_HELLO_PLUGIN);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c",
                      LP_SOURCE_ROOT "/examples/plugins/hello/hello.yaml", "--set", set);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, world!");
    result_free(&r);
}

Test(cli, build_method_shout)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "-b", "shout");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "HELLO, WORLD!");
    result_free(&r);
}

Test(cli, set_overrides_the_name)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "config.name=there");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, there!");
    EXPECT_NOT_OUT(r, "world");
    result_free(&r);
}

Test(cli, set_configures_a_component)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r =
        LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "greeter.config.greeting=Howdy");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Howdy, world!");
    result_free(&r);
}

Test(cli, later_files_override_earlier_ones)
{
    const char *base = write_hello("base.yaml", HELLO_OK);
    const char *prod = write_file("prod.yaml", "config:\n  name: production\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", base, "-c", prod);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, production!");
    result_free(&r);
}

Test(cli, environment_interpolation)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                              "  name: ${LOLPOP_T_NAME}\n");
    result r = LOLPOP_ENV(ENV("LOLPOP_T_NAME=Ada"), "run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, Ada!");
    result_free(&r);
}

Test(cli, environment_default)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                              "  name: ${LOLPOP_T_NAME:-Bob}\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, Bob!");
    result_free(&r);
}

Test(cli, reference_resolves)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\n"
                                              "people:\n  - Zed\nconfig:\n  name: $people.0\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, Zed!");
    result_free(&r);
}

Test(cli, build_args_reach_the_method)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r =
        LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--build-args", "{\"name\": \"json\"}");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Hello, json!");
    result_free(&r);
}

Test(cli, skip_validation_turns_missing_keys_into_warnings)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--skip-validation",
                      "--build-args", "{\"name\": \"anyway\"}");
    EXPECT_EXIT(r, 0);
    EXPECT_ERR(r, "name");
    EXPECT_OUT(r, "Hello, anyway!");
    result_free(&r);
}

Test(cli, workflow_failure_exits_1_and_notifies)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "-b", "fail");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "lolpop: error:");
    EXPECT_ERR(r, "HelloRunner.fail");
    EXPECT_ERR(r, "failing on purpose");
    /* printed once: the notifier does not repeat the failure the CLI reports */
    EXPECT_NOT_ERR(r, "NOTIFY");
    const char *first = strstr(r.err, "failing on purpose");
    cr_assert(first && !strstr(first + 1, "failing on purpose"), "error printed twice:\n%s", r.err);
    cr_assert_str_eq(r.out, "");
    result_free(&r);
}

Test(cli, log_level_filters_messages)
{
    const char *f = write_hello("hello.yaml", HELLO_OK "logger:\n  config:\n    log_level: WARN\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_NOT_ERR(r, "INFO");
    EXPECT_OUT(r, "{\"greeting\": \"Hello, world!\"}");
    result_free(&r);
}

Test(cli, log_level_is_inherited_from_the_runner_config)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--set", "config.log_level=DEBUG");
    EXPECT_EXIT(r, 0);
    EXPECT_ERR(r, " DEBUG ");
    result quiet = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(quiet, 0);
    EXPECT_NOT_ERR(quiet, " DEBUG ");
    result_free(&r);
    result_free(&quiet);
}

Test(cli, colour_can_be_forced)
{
    const char *f = write_hello("hello.yaml", HELLO_OK "logger:\n  config:\n    colour: always\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_ERR(r, "\033[32mINFO \033[0m [HelloGreeter greeter] Hello, world!");
    result_free(&r);
}

Test(cli, file_logger_writes_json_lines)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\n"
                                              "  logger: FileLogger\nconfig:\n  name: world\n"
                                              "logger:\n  config:\n    log_filename: run.jsonl\n"
                                              "    log_format: json\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_NOT_OUT(r, "INFO");
    FILE *log = fopen(tmp_path("run.jsonl"), "r");
    cr_assert_not_null(log, "the log file was not created");
    char text[8192] = "";
    size_t n = fread(text, 1, sizeof text - 1, log);
    fclose(log);
    text[n] = '\0';
    cr_assert(strstr(text, "\"level\":\"INFO\"") != NULL, "log:\n%s", text);
    cr_assert(strstr(text, "\"message\":\"Hello, world!\"") != NULL, "log:\n%s", text);
    cr_assert(strstr(text, "\"ts\":\"") != NULL, "log:\n%s", text);
    cr_assert_eq(text[0], '{');
    result_free(&r);
}

Test(cli, file_logger_appends_text)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\n"
                                              "  logger: FileLogger\nconfig:\n  name: world\n"
                                              "logger:\n  config:\n    log_filename: run.log\n");
    write_file("run.log", "earlier line\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    FILE *log = fopen(tmp_path("run.log"), "r");
    cr_assert_not_null(log);
    char text[8192] = "";
    size_t n = fread(text, 1, sizeof text - 1, log);
    fclose(log);
    text[n] = '\0';
    cr_assert(strncmp(text, "earlier line\n", 13) == 0, "append mode keeps old lines:\n%s", text);
    cr_assert(strstr(text, " INFO  ") && strstr(text, "Hello, world!"), "log:\n%s", text);
    result_free(&r);
}

/* ---- config ---------------------------------------------------------------------------- */

Test(cli, config_validate_ok)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("config", "validate", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "OK");
    result_free(&r);
}

Test(cli, config_validate_without_runner_checks_structure_only)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\n");
    result r = LOLPOP("config", "validate", "-c", f);
    EXPECT_EXIT(r, 0);
    result with = LOLPOP("config", "validate", "HelloRunner", "-c", f);
    EXPECT_EXIT(with, 2);
    EXPECT_ERR(with, "config 'name'");
    result_free(&r);
    result_free(&with);
}

Test(cli, config_validate_warns_about_unknown_keys)
{
    const char *f = write_hello("hello.yaml", HELLO_OK "greeter:\n  config:\n    greting: Hi\n");
    result r = LOLPOP("config", "validate", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_ERR(r, "greting");
    EXPECT_ERR(r, "greeting");
    expect_location(&r, f, 8);
    result_free(&r);
}

Test(cli, config_show_prints_origins)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                              "  name: world\n  who: ${LOLPOP_T_WHO}\n");
    result r = LOLPOP_ENV(ENV("LOLPOP_T_WHO=s3cr3t-value"), "config", "show", "HelloRunner", "-c",
                          f, "--set", "config.extra=7");
    EXPECT_EXIT(r, 0);
    char origin[PATH_MAX + 64];
    snprintf(origin, sizeof origin, "name: world  # %s:5:9", f);
    EXPECT_OUT(r, origin);
    EXPECT_OUT(r, "extra: 7  # --set config.extra=7");
    /* A value read from the environment may be a secret: shown hidden, never in clear. */
    EXPECT_OUT(r, "who: '********'  # ");
    EXPECT_OUT(r, "(from the environment, hidden)");
    EXPECT_NOT_OUT(r, "s3cr3t-value");
    EXPECT_OUT(r, "greeter (HelloGreeter):");
    EXPECT_OUT(r, "greeting: Hello  # default (HelloGreeter)");
    EXPECT_OUT(r, "logger (StdOutLogger):");
    result_free(&r);
}

Test(cli, config_show_without_runner)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("config", "show", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "greeter: HelloGreeter  # ");
    EXPECT_NOT_OUT(r, "default (");
    result_free(&r);
}

Test(cli, config_unknown_subcommand)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("config", "valdate", "-c", f);
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "did you mean 'validate'");
    result_free(&r);
}

/* ---- classes ---------------------------------------------------------------------------- */

Test(cli, classes_list_builtins)
{
    result r = LOLPOP("classes", "list");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "StdOutLogger");
    EXPECT_OUT(r, "FileLogger");
    EXPECT_OUT(r, "StdOutNotifier");
    EXPECT_OUT(r, "builtin");
    result_free(&r);
}

Test(cli, classes_list_by_type)
{
    result r = LOLPOP("classes", "list", "--type", "logger");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "FileLogger");
    EXPECT_NOT_OUT(r, "StdOutNotifier");
    result bad = LOLPOP("classes", "list", "--type", "loger");
    EXPECT_EXIT(bad, 2);
    EXPECT_ERR(bad, "did you mean 'logger'");
    result_free(&r);
    result_free(&bad);
}

Test(cli, classes_list_with_plugins_from_the_environment)
{
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "classes", "list", "--type", "runner");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "HelloRunner");
    EXPECT_OUT(r, "libhello.so");
    EXPECT_NOT_OUT(r, "StdOutLogger");
    result_free(&r);
}

Test(cli, classes_show_documents_config_keys)
{
    result r = LOLPOP("classes", "show", "FileLogger");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "kind: component");
    EXPECT_OUT(r, "type: logger");
    EXPECT_OUT(r, "log_filename");
    EXPECT_OUT(r, "log_format");
    EXPECT_OUT(r, "[default: \"text\"]");
    EXPECT_OUT(r, "config.log_filename");
    result_free(&r);
    /* issue 11 Fix 2: path-valued keys say how they resolve */
    r = LOLPOP("classes", "show", "SQLDataTransformer");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "a file holding the SQL (a path: relative to the file that set it)");
    EXPECT_NOT_OUT(r, "working directory");
    result_free(&r);
}

/* issue 11 Fix 14: `classes show` lists each key's default, from the class's
 * defaults and from what the key docs state (core/key_default.h) */
Test(cli, classes_show_lists_each_keys_default)
{
    result r = LOLPOP("classes", "show", "LocalDataSplitter");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\nDefaults:\n"
                  "  split_ratio   [0.8, 0.2]  (stated in the key's doc)\n"
                  "  split_type    random  (stated in the key's doc)\n"
                  "  seed          0  (stated in the key's doc)\n");
    EXPECT_NOT_OUT(r, "(none)");
    result_free(&r);
    r = LOLPOP("classes", "show", "SMTPNotifier");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "  starttls        try  (stated in the key's doc)\n");
    EXPECT_OUT(r, "  retries         3  (stated in the key's doc)\n");
    result_free(&r);
    /* class defaults (what config show merges under) are listed unmarked */
    r = LOLPOP("classes", "show", "ClassificationRunner");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "  perf_metric          \"f1\"\n");
    EXPECT_OUT(r, "  run_report           true  (stated in the key's doc)\n");
    result_free(&r);
    /* a rule's severity is not the default of the rules list (listed before dir if it were) */
    r = LOLPOP("classes", "show", "LocalDataChecker");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\nDefaults:\n  dir          .lolpop/reports  (stated in the key's doc)\n");
    result_free(&r);
    /* a plugin's class the same way */
    r = LOLPOP_ENV(ENV(hello_dir_env()), "classes", "show", "HelloGreeter");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\nDefaults:\n  greeting  \"Hello\"\n");
    result_free(&r);
}

Test(cli, classes_show_marks_optional_methods)
{
    result r = LOLPOP("classes", "show", "LocalMetadataTracker");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "the current run (optional in the type's contract)");
    result_free(&r);
}

/* The type's contract, from the one table: optional arguments marked '?'. */
Test(cli, classes_show_prints_the_contract_with_optional_arguments)
{
    result r = LOLPOP("classes", "show", "XGBoostModelTrainer");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "Contract of model_trainer (<lolpop/types/model_trainer.h>;");
    EXPECT_OUT(r, "\n  fit(splits, params?) -> model\n");
    EXPECT_OUT(r, "\n  predict(frame, model?) -> predictions\n");
    EXPECT_OUT(r, "\n  calculate_metrics(splits, predictions, metrics, model?) -> metrics\n");
    EXPECT_OUT(r, "\n  save(path, model?)\n");
    EXPECT_OUT(r, "\n  load(path)\n");
    result_free(&r);
    r = LOLPOP("classes", "show", "LocalMetadataTracker");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\n  run_info() -> id, store, status  (optional method)\n");
    result_free(&r);
}

Test(cli, classes_show_plugin_class_from_config)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("classes", "show", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "build_all");
    EXPECT_OUT(r, "shout");
    EXPECT_OUT(r, "component.greeter");
    result_free(&r);
}

Test(cli, classes_show_unknown_suggests)
{
    result r = LOLPOP("classes", "show", "StdoutLoger");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown class 'StdoutLoger'");
    EXPECT_ERR(r, "StdOutLogger");
    result_free(&r);
}

/* ---- extension ------------------------------------------------------------------------- */

Test(cli, extension_runs_a_plugin_command)
{
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "extension", "hello", "Ada");
    EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "Hello, Ada!\n");
    result_free(&r);
}

Test(cli, extension_unknown_command)
{
    result r = LOLPOP_ENV(ENV(hello_dir_env()), "extension", "helo");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "did you mean 'hello'");
    result_free(&r);
}

/* ---- the console: logs on stderr, results on stdout, -q / -v / --log-format ---- */

/* Every non-empty line of text is one JSON object with a level and a message. */
static void expect_json_lines(const char *text)
{
    size_t lines = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            cr_assert(p[0] == '{' && p[len - 1] == '}', "not a JSON object: %.*s", (int)len, p);
            char *line = strndup(p, len);
            cr_assert(line && strstr(line, "\"level\":") && strstr(line, "\"message\":"),
                      "no level/message: %.*s", (int)len, p);
            free(line);
            lines++;
        }
        p += len + (nl ? 1 : 0);
    }
    cr_assert_gt(lines, 0, "no log line at all");
}

Test(cli, quiet_and_verbose_work_on_every_command_before_or_after_it)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result q = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "-q");
    EXPECT_EXIT(q, 0);
    cr_assert_str_eq(q.err, "", "-q: nothing but warnings and errors");
    cr_assert_str_eq(q.out, "{\"greeting\": \"Hello, world!\"}\n");
    result q2 = LOLPOP("--quiet", "run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(q2, 0);
    cr_assert_str_eq(q2.err, "");
    result v = LOLPOP("-v", "run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(v, 0);
    EXPECT_ERR(v, " DEBUG ");
    EXPECT_NOT_OUT(v, "DEBUG");
    result v2 = LOLPOP("run", "workflow", "HelloRunner", "--verbose", "-c", f);
    EXPECT_EXIT(v2, 0);
    EXPECT_ERR(v2, " DEBUG ");
    /* -q wins over a configured level; still an error is printed */
    result fail = LOLPOP("run", "workflow", "HelloRunner", "-q", "-c", f, "-b", "fail");
    EXPECT_EXIT(fail, 1);
    EXPECT_ERR(fail, "lolpop: error:");
    EXPECT_ERR(fail, "failing on purpose");
    const char *commands[][3] = {{"classes", "list", NULL},
                                 {"config", "validate", NULL},
                                 {"runs", "list", NULL},
                                 {"version", NULL, NULL}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        result r = i < 2            ? LOLPOP("-q", commands[i][0], commands[i][1], "-c", f)
                   : commands[i][1] ? LOLPOP(commands[i][0], commands[i][1], "-q")
                                    : LOLPOP("-q", commands[i][0]);
        cr_assert_neq(r.status, 2, "lolpop -q %s: %s", commands[i][0], r.err);
        cr_assert_null(strstr(r.err, "unknown option"), "%s", r.err);
        result_free(&r);
    }
    result c = LOLPOP("classes", "list", "-v");
    EXPECT_EXIT(c, 0);
    result_free(&c);
    result_free(&q);
    result_free(&q2);
    result_free(&v);
    result_free(&v2);
    result_free(&fail);
}

Test(cli, log_format_json_writes_one_object_per_line_on_stderr)
{
    const char *f = write_hello("hello.yaml", HELLO_OK);
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--log-format", "json");
    EXPECT_EXIT(r, 0);
    expect_json_lines(r.err);
    EXPECT_ERR(r, "\"level\":\"INFO\",\"message\":\"Hello, world!\",\"source\":\"HelloGreeter "
                  "greeter\"");
    cr_assert_str_eq(r.out, "{\"greeting\": \"Hello, world!\"}\n");
    /* the CLI's own errors too */
    result e = LOLPOP("--log-format=json", "run", "workflow", "HelloRunner", "-c", f, "-b", "fail");
    EXPECT_EXIT(e, 1);
    expect_json_lines(e.err);
    EXPECT_ERR(e, "\"level\":\"ERROR\"");
    EXPECT_ERR(e, "failing on purpose");
    result bad = LOLPOP("run", "workflow", "HelloRunner", "-c", f, "--log-format", "xml");
    EXPECT_EXIT(bad, 2);
    EXPECT_ERR(bad, "lolpop: error: --log-format takes text or json, not 'xml'");
    result_free(&r);
    result_free(&e);
    result_free(&bad);
}

Test(cli, json_results_on_stdout_stay_parseable_while_logging)
{
    const char *f = write_hello("hello.yaml", "component:\n  greeter: HelloGreeter\nconfig:\n"
                                              "  name: world\n  log_level: DEBUG\n");
    result r = LOLPOP("run", "workflow", "HelloRunner", "-c", f);
    EXPECT_EXIT(r, 0);
    /* debug logging on and yet stdout holds the result alone */
    cr_assert_str_eq(r.out, "{\"greeting\": \"Hello, world!\"}\n");
    EXPECT_ERR(r, " DEBUG ");
    result_free(&r);
}
