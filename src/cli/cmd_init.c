/*
 * cmd_init.c — `lolpop init PROJECT [--dir DIR]`: a new extension project in
 * DIR/PROJECT (meson.build against `pkg-config lolpop`, the plugin entry
 * point and its registration list, tests, an example workflow and data).
 *
 * The files are written into a temporary directory beside the target, which
 * is renamed into place at the end: an interrupted init leaves nothing
 * half-made, and an existing non-empty directory is never touched.
 */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "cli.h"
#include "core/internal.h"
#include "cli/scaffold/scaffold.h"

const char cmd_init_help[] =
    "Creates the extension project PROJECT (a directory of that name): a Meson build of one\n"
    "plugin, lib<PROJECT>.so, against the installed lolpop (pkg-config lolpop), its entry point\n"
    "src/plugin.c and registration list src/classes.def, tests, an example workflow and sample\n"
    "data. Add classes to it with 'lolpop create'.\n\n"
    "PROJECT starts with a lower-case letter and holds lower-case letters, digits, '_' and '-'.\n\n"
    "Options:\n"
    "  --dir DIR    create the project in DIR (default: the current directory)\n"
    "  -h, --help   show this help\n";

enum { OPT_DIR = 1 };

static const cli_option init_options[] = {
    {"dir", 'd', "DIR", OPT_DIR},
    {NULL, 0, NULL, 0},
};

typedef struct init_args {
    const cli_command *cmd;
    cli_positionals pos; /* PROJECT */
    const char *dir;
} init_args;

static int take_option(void *ctx, int id, const char *value)
{
    init_args *a = ctx;
    if (id == OPT_DIR) a->dir = value;
    return 0;
}

static const cli_args_spec init_spec = {init_options, 1, take_option};

/* Whether path is a directory with nothing in it. */
static bool empty_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Writes the project's files under dir. 0 or an error code (last error set). */
static int write_project(const char *dir, const char *project)
{
    scaffold_output out[16] = {{0}};
    size_t n = 0;
    int rc = scaffold_generate_project(out, &n, project);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = lp_asprintf("%s/%s", dir, out[i].path);
        rc = path ? scaffold_write(path, out[i].text, false) : LP_ENOMEM;
        free(path);
    }
    scaffold_outputs_free(out, n);
    return rc;
}

/* Checks the target; 0 or CLI_USAGE after printing why it cannot be used. */
static int check_target(const init_args *a, const char *target)
{
    struct stat st;
    if (a->dir && stat(a->dir, &st) != 0)
        return cli_usage_error(a->cmd, "option '--dir %s': %s", a->dir, strerror(errno));
    if (a->dir && !S_ISDIR(st.st_mode))
        return cli_usage_error(a->cmd, "option '--dir %s': not a directory", a->dir);
    if (lstat(target, &st) != 0) return 0;
    if (S_ISDIR(st.st_mode) && empty_dir(target)) return 0;
    cli_error("%s already exists%s; choose another project name or --dir", target,
              S_ISDIR(st.st_mode) ? " and is not empty" : " (not a directory)");
    return CLI_USAGE;
}

static void print_next_steps(const char *target, const char *project)
{
    printf("Created the lolpop extension project '%s' in %s\n\n"
           "  meson.build              one plugin, lib%s.so, and its tests\n"
           "  src/plugin.c             the plugin's entry point\n"
           "  src/classes.def          its classes and commands ('lolpop create' adds to it)\n"
           "  src/extension.h          helpers the generated classes share\n"
           "  tests/                   test_plugin.c and one test per class\n"
           "  examples/workflow.yaml   a workflow on examples/data/sample.csv\n\n"
           "Next:\n"
           "  cd %s\n"
           "  lolpop create component model_trainer MyTrainer .\n"
           "  meson setup build && meson compile -C build && meson test -C build\n"
           "  lolpop run workflow StepRunner -c examples/my_trainer.yaml\n",
           project, target, project, target);
}

/* Writes into a temporary sibling of target, then renames it into place. */
static int create_project(const char *target, const char *project)
{
    char *tmp = lp_asprintf("%s.tmp-XXXXXX", target);
    if (!tmp || !mkdtemp(tmp)) {
        cli_error("cannot create a directory next to %s: %s", target, strerror(errno));
        free(tmp);
        return CLI_FAIL;
    }
    int rc = write_project(tmp, project);
    if (rc == 0) {
        /* mkdtemp made it 0700: a project directory is an ordinary one */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0777 & ~mask);
        rmdir(target); /* an empty directory is replaced; anything else makes rename fail */
        if (rename(tmp, target) != 0)
            rc = lp_error_set(LP_EIO, "cannot create %s: %s", target, strerror(errno));
    }
    if (rc != 0) {
        cli_print_last_error();
        nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(tmp);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_init(int argc, char **argv)
{
    init_args a = {.cmd = cli_find_command("init")};
    int rc = cli_parse_args(&a.pos, a.cmd, &init_spec, &a, argc, argv);
    if (rc != 0) return rc < 0 ? CLI_OK : rc;
    if (a.pos.n == 0) return cli_usage_error(a.cmd, "the PROJECT name is missing");
    const char *project = a.pos.v[0];
    if (!scaffold_valid_slug(project))
        return cli_usage_error(a.cmd,
                               "project name '%s' is not valid: it must start with a lower-case "
                               "letter and hold only a-z, 0-9, '_' and '-' (at most 64; it names "
                               "the plugin, lib%s.so)",
                               project, project);
    char *target = a.dir ? lp_asprintf("%s/%s", a.dir, project) : lp_strdup(project);
    if (!target) return CLI_FAIL;
    rc = check_target(&a, target);
    if (rc == 0) rc = create_project(target, project);
    if (rc == 0) print_next_steps(target, project);
    free(target);
    return rc;
}
