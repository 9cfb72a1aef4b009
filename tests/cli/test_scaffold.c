/*
 * test_scaffold.c — `lolpop init` and `lolpop create` with the real binary:
 * the files they make, and the exit code and message of every mistake (bad
 * names, unknown types with a suggestion, duplicates, not a project, an
 * existing directory), with nothing written when they refuse.
 *
 * That the generated project builds and its tests pass is checked end to end
 * by scripts/check-scaffold (suite 'install'), against an installed lolpop.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define DEADLINE_MS 60000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/lolpop-scaffold-XXXXXX");
    dir = lp_tmpdir_make(dir_buf);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(scaffold, .init = setup, .fini = teardown, .timeout = 120);

/* Runs lolpop with the arguments (NULL-terminated) in the test directory. */
static lp_run run(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
}
#define LOLPOP(...) run((const char *const[]){__VA_ARGS__, NULL})

/* dir/rel in a ring of static buffers. */
static const char *at(const char *rel)
{
    static char ring[8][512];
    static int next;
    char *buf = ring[next++ % 8];
    snprintf(buf, 512, "%s/%s", dir, rel);
    return buf;
}

static bool exists(const char *rel)
{
    struct stat st;
    return stat(at(rel), &st) == 0;
}

/* The number of LP_CLASS / LP_COMMAND lines of the project's classes.def. */
static size_t def_entries(const char *project)
{
    char rel[256];
    snprintf(rel, sizeof rel, "%s/src/classes.def", project);
    char *text = lp_read_file(at(rel));
    cr_assert_not_null(text, "no %s", rel);
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "\nLP_")) != NULL; p++)
        n++;
    free(text);
    return n;
}

/* A fresh project "ext" in the test directory. */
static void init_ext(void)
{
    lp_run r = LOLPOP("init", "ext");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
}

/* ---- init ----------------------------------------------------------------------------- */

Test(scaffold, init_creates_a_buildable_project_layout)
{
    lp_run r = LOLPOP("init", "my-ext");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "Created the lolpop extension project 'my-ext' in my-ext");
    LP_EXPECT_OUT(r, "lolpop create component model_trainer MyTrainer .");
    const char *files[] = {"meson.build",
                           "README.md",
                           ".gitignore",
                           "src/plugin.c",
                           "src/classes.def",
                           "src/extension.h",
                           "tests/test_plugin.c",
                           "tests/lolpop_test.h",
                           "examples/workflow.yaml",
                           "examples/data/sample.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "my-ext/%s", files[i]);
        cr_expect(exists(rel), "init did not write %s", rel);
    }
    char *meson = lp_read_file(at("my-ext/meson.build"));
    cr_assert_not_null(meson);
    cr_expect(strstr(meson, "project('my-ext', 'c',"), "%s", meson);
    cr_expect(strstr(meson, "dependency('lolpop')"), "%s", meson);
    cr_expect(strstr(meson, "fs.read('src/classes.def')"), "%s", meson);
    free(meson);
    char *yaml = lp_read_file(at("my-ext/examples/workflow.yaml"));
    cr_expect(strstr(yaml, "  - ../build/libmy-ext.so\n"), "%s", yaml);
    free(yaml);
    cr_expect_eq(def_entries("my-ext"), 0);
    struct stat st;
    cr_assert_eq(stat(at("my-ext"), &st), 0);
    cr_expect_eq(st.st_mode & 0755, 0755, "the project directory is an ordinary one: %o",
                 st.st_mode & 0777);
    lp_run_free(&r);
}

Test(scaffold, init_dir_option_and_an_empty_existing_directory)
{
    cr_assert_eq(mkdir(at("place"), 0755), 0);
    cr_assert_eq(mkdir(at("place/ext"), 0755), 0);
    lp_run r = LOLPOP("init", "ext", "--dir", "place");
    LP_EXPECT_EXIT(r, 0);
    cr_expect(exists("place/ext/src/plugin.c"));
    lp_run_free(&r);
}

Test(scaffold, init_refuses_bad_names)
{
    const char *bad[] = {"1ext", "My-Ext", "my ext", "../escape", "-x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lp_run r =
            strcmp(bad[i], "-x") == 0 ? LOLPOP("init", "--", bad[i]) : LOLPOP("init", bad[i]);
        LP_EXPECT_EXIT(r, 2);
        LP_EXPECT_ERR(r, "is not valid: it must start with a lower-case letter");
        lp_run_free(&r);
    }
    cr_expect_not(exists("escape"));
    lp_run r = LOLPOP("init");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "the PROJECT name is missing");
    lp_run_free(&r);
}

Test(scaffold, init_never_touches_an_existing_directory)
{
    cr_assert_eq(mkdir(at("ext"), 0755), 0);
    lp_write_file(dir, "ext/mine.txt", "keep me\n");
    lp_run r = LOLPOP("init", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "ext already exists and is not empty");
    char *kept = lp_read_file(at("ext/mine.txt"));
    cr_expect_str_eq(kept, "keep me\n");
    free(kept);
    cr_expect_not(exists("ext/meson.build"));
    lp_run_free(&r);
    lp_write_file(dir, "plain", "a file\n");
    r = LOLPOP("init", "plain");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "plain already exists (not a directory)");
    lp_run_free(&r);
    r = LOLPOP("init", "ok", "--dir", "no/such/dir");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "option '--dir no/such/dir'");
    lp_run_free(&r);
}

/* ---- create --------------------------------------------------------------------------- */

Test(scaffold, create_writes_source_test_example_and_one_registration_line)
{
    init_ext();
    lp_run r = LOLPOP("create", "component", "model_trainer", "MyTrainer", "ext");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "Created component 'MyTrainer' in ext:");
    LP_EXPECT_OUT(r, "lolpop run workflow StepRunner -c examples/my_trainer.yaml");
    cr_expect(exists("ext/src/components/my_trainer.c"));
    cr_expect(exists("ext/tests/test_my_trainer.c"));
    cr_expect(exists("ext/examples/my_trainer.yaml"));
    lp_run_free(&r);

    r = LOLPOP("create", "pipeline", "train", "MyTrain", "ext");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    r = LOLPOP("create", "runner", "MyRunner", "ext");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "lolpop run workflow MyRunner -c examples/my_runner.yaml");
    lp_run_free(&r);
    r = LOLPOP("create", "cli-command", "my-report", "ext");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "lolpop extension my-report");
    cr_expect(exists("ext/src/commands/my_report.c"));
    cr_expect(exists("ext/tests/test_my_report.c"));
    lp_run_free(&r);

    char *def = lp_read_file(at("ext/src/classes.def"));
    cr_assert_not_null(def);
    const char *lines[] = {
        "\nLP_CLASS(MyTrainer, my_trainer_class, \"src/components/my_trainer.c\")\n"
        "LP_CLASS(MyTrain, my_train_class, \"src/pipelines/my_train.c\")\n"
        "LP_CLASS(MyRunner, my_runner_class, \"src/runners/my_runner.c\")\n"
        "LP_COMMAND(\"my-report\", my_report_command, \"src/commands/my_report.c\")\n"};
    cr_expect(strstr(def, lines[0]), "classes.def:\n%s", def);
    free(def);
    char *src = lp_read_file(at("ext/src/pipelines/my_train.c"));
    cr_expect(strstr(src, ".kind = LP_KIND_PIPELINE,"), "%s", src);
    cr_expect(strstr(src, "static lp_value *my_train_retrain_model_on_all_data(lp_obj *self, "
                          "lp_value *args)"));
    free(src);
}

Test(scaffold, unknown_type_lists_the_types_with_a_suggestion)
{
    init_ext();
    lp_run r = LOLPOP("create", "component", "model_trainr", "X", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "unknown component type 'model_trainr'; did you mean 'model_trainer'?");
    LP_EXPECT_ERR(r, "The component types: logger, notifier, data_connector,");
    LP_EXPECT_ERR(r, "cache_manager, test_recorder");
    lp_run_free(&r);
    r = LOLPOP("create", "pipeline", "trian", "X", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "unknown pipeline type 'trian'; did you mean 'train'?");
    LP_EXPECT_ERR(r, "The pipeline types: process, train, deploy, predict");
    lp_run_free(&r);
    r = LOLPOP("create", "component", "train", "X", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'train' is a pipeline type, not a component type: use 'lolpop create "
                     "pipeline train CLASS EXTENSION'");
    lp_run_free(&r);
    r = LOLPOP("create", "componnet", "logger", "X", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "unknown kind 'create componnet'; did you mean 'component'?");
    lp_run_free(&r);
    cr_expect_eq(def_entries("ext"), 0, "nothing registered");
}

Test(scaffold, bad_names_and_argument_counts)
{
    init_ext();
    lp_run r = LOLPOP("create", "component", "logger", "my-logger", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "class name 'my-logger' is not valid");
    lp_run_free(&r);
    r = LOLPOP("create", "runner", "9Runner", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "class name '9Runner' is not valid");
    lp_run_free(&r);
    r = LOLPOP("create", "cli-command", "Report", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "command name 'Report' is not valid");
    lp_run_free(&r);
    r = LOLPOP("create", "runner", "MyRunner");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'lolpop create runner' takes CLASS EXTENSION, got 1 argument");
    lp_run_free(&r);
    r = LOLPOP("create");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "what to create is missing");
    lp_run_free(&r);
    cr_expect_eq(def_entries("ext"), 0);
    cr_expect_not(exists("ext/src/components"));
}

Test(scaffold, duplicates_in_the_project_and_in_lolpop_are_refused)
{
    init_ext();
    lp_run r = LOLPOP("create", "component", "logger", "MyLogger", "ext");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    r = LOLPOP("create", "component", "notifier", "MyLogger", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "class 'MyLogger' already exists in ext (src/classes.def)");
    lp_run_free(&r);
    r = LOLPOP("create", "component", "model_trainer", "XGBoostModelTrainer", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "class 'XGBoostModelTrainer' already exists in lolpop (registered by "
                     "builtin)");
    lp_run_free(&r);
    r = LOLPOP("create", "runner", "StepRunner", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "class 'StepRunner' already exists in lolpop");
    lp_run_free(&r);
    /* a class whose file would replace one of the project's: nothing written */
    r = LOLPOP("create", "component", "logger", "Plugin", "ext");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "tests/test_plugin.c already exists");
    lp_run_free(&r);
    cr_expect_not(exists("ext/src/components/plugin.c"));
    cr_expect_eq(def_entries("ext"), 1, "only MyLogger is registered");
}

Test(scaffold, the_extension_must_be_a_project)
{
    cr_assert_eq(mkdir(at("notaproject"), 0755), 0);
    lp_run r = LOLPOP("create", "component", "logger", "MyLogger", "notaproject");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'notaproject' is not a lolpop extension project (it needs meson.build, "
                     "src/plugin.c and src/classes.def); make one with 'lolpop init NAME'");
    lp_run_free(&r);
    r = LOLPOP("create", "component", "logger", "MyLogger", "missing");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'missing' is not a lolpop extension project");
    lp_run_free(&r);
    cr_expect_not(exists("notaproject/src"));
}

Test(scaffold, help_names_every_kind)
{
    lp_run r = LOLPOP("create", "--help");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "lolpop create component TYPE CLASS EXTENSION");
    LP_EXPECT_OUT(r, "cli-command NAME EXTENSION");
    lp_run_free(&r);
    r = LOLPOP("init", "--help");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "lolpop init PROJECT [--dir DIR]");
    lp_run_free(&r);
}
