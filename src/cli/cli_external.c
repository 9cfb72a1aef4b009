/*
 * cli_external.c — commands from elsewhere on PATH: `lolpop NAME` runs the
 * program `lolpop-NAME` when NAME is not built in, as git does, and
 * `lolpop --help` lists those programs.
 *
 * Running and listing walk PATH the same way and accept the same files
 * (regular and executable), so every name the help lists is one that runs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"

#define PREFIX     "lolpop-"
#define PREFIX_LEN (sizeof PREFIX - 1)

/* Calls fn(dir, ctx) for each directory of PATH in order (empty entries are
 * skipped) until fn returns non-zero; returns that value, or 0. */
static int each_path_dir(int (*fn)(const char *dir, void *ctx), void *ctx)
{
    const char *path = getenv("PATH");
    char *dirs = path ? lp_strdup(path) : NULL;
    char *save = NULL;
    int rc = 0;
    for (char *dir = dirs ? strtok_r(dirs, ":", &save) : NULL; dir && rc == 0;
         dir = strtok_r(NULL, ":", &save))
        rc = fn(dir, ctx);
    free(dirs);
    return rc;
}

/* Whether `full` is a program we may run: a regular, executable file. */
static bool runnable(const char *full)
{
    struct stat st;
    return stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0;
}

/* ---- running ------------------------------------------------------------- */

typedef struct exec_ctx {
    char *prog; /* "lolpop-NAME" */
    char **argv;
} exec_ctx;

/* Executes dir/prog when it is there: does not return on success, returns
 * CLI_FAIL (reported) when it could not start, 0 to look further. */
static int exec_in(const char *dir, void *ctx)
{
    exec_ctx *e = ctx;
    char *full = lp_asprintf("%s/%s", dir, e->prog);
    int rc = 0;
    if (full && runnable(full)) {
        e->argv[0] = e->prog;
        execv(full, e->argv);
        cli_error("cannot run '%s': %s", full, strerror(errno));
        rc = CLI_FAIL;
    }
    free(full);
    return rc;
}

int cli_exec_external(const char *name, char **argv)
{
    if (strchr(name, '/')) return -1;
    char *prog = lp_asprintf(PREFIX "%s", name);
    exec_ctx e = {prog, argv};
    int rc = prog ? each_path_dir(exec_in, &e) : 0;
    free(prog);
    return rc != 0 ? rc : -1;
}

/* ---- listing ------------------------------------------------------------- */

typedef struct name_list {
    char **names; /* owned */
    size_t len;
} name_list;

static bool listed(const name_list *l, const char *name)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->names[i], name) == 0) return true;
    return false;
}

/* Adds a copy of name; false on OOM. */
static bool add_name(name_list *l, const char *name)
{
    char **grown = realloc(l->names, (l->len + 1) * sizeof *grown);
    if (!grown) return false;
    l->names = grown;
    if (!(l->names[l->len] = lp_strdup(name))) return false;
    l->len++;
    return true;
}

/* Adds the NAME of each runnable dir/lolpop-NAME that is not built in. A
 * directory that cannot be read is skipped, as a shell would. */
static int collect_in(const char *dir, void *ctx)
{
    name_list *l = ctx;
    DIR *d = opendir(dir);
    if (!d) return 0;
    bool ok = true;
    for (struct dirent *ent = readdir(d); ent && ok; ent = readdir(d)) {
        const char *name = ent->d_name + PREFIX_LEN;
        if (strncmp(ent->d_name, PREFIX, PREFIX_LEN) != 0 || !*name || cli_find_command(name) ||
            listed(l, name))
            continue;
        char *full = lp_asprintf("%s/%s", dir, ent->d_name);
        ok = full != NULL && (!runnable(full) || add_name(l, name));
        free(full);
    }
    closedir(d);
    return ok ? 0 : -1; /* out of memory: list what was found */
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t cli_print_external_commands(FILE *out, const char *heading)
{
    name_list l = {NULL, 0};
    each_path_dir(collect_in, &l);
    if (l.len) {
        qsort(l.names, l.len, sizeof *l.names, compare_names);
        fputs(heading, out);
    }
    for (size_t i = 0; i < l.len; i++) {
        fprintf(out, "  %s\n", l.names[i]);
        free(l.names[i]);
    }
    free(l.names);
    return l.len;
}
