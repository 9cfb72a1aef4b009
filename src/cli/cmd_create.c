/*
 * cmd_create.c — `lolpop create component|pipeline|runner|cli-command …`:
 * adds a working skeleton to an extension project made by `lolpop init`.
 *
 * Everything is checked before a file is written: the kind and type (with
 * "did you mean"), the class or command name (an identifier, unused in the
 * project and in lolpop's registry), and the project itself. Then the
 * source, its test and its example are written (each through a temporary
 * file) and one line is appended to src/classes.def, the only existing file
 * `create` changes. If anything fails, the files written are removed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"
#include "cli/scaffold/scaffold.h"

const char cmd_create_help[] =
    "Adds a skeleton to the extension project EXTENSION (a directory made by 'lolpop init'):\n"
    "the source under src/, a test under tests/, an example workflow under examples/ and its\n"
    "line in src/classes.def. Every method of the type's contract is there, with a simple\n"
    "placeholder behaviour (search for 'TODO: replace'); the project builds and its tests pass\n"
    "unchanged.\n\n"
    "Kinds:\n"
    "  component TYPE CLASS EXTENSION   a component of TYPE (see 'lolpop classes list')\n"
    "  pipeline TYPE CLASS EXTENSION    a pipeline: process, train, deploy or predict\n"
    "  runner CLASS EXTENSION           a runner (its example runs it end to end)\n"
    "  cli-command NAME EXTENSION       a command run by 'lolpop extension NAME'\n\n"
    "CLASS starts with a letter and holds letters, digits and '_'; NAME starts with a\n"
    "lower-case letter and holds a-z, 0-9, '_' and '-'.\n\n"
    "Options:\n"
    "  -h, --help   show this help\n";

static const cli_option create_options[] = {{NULL, 0, NULL, 0}};

static int no_option(void *ctx, int id, const char *value)
{
    (void)ctx;
    (void)id;
    (void)value;
    return 0;
}

static const cli_args_spec create_spec = {create_options, 4, no_option};

static const char *const kinds[] = {"component", "pipeline", "runner", "cli-command"};
#define N_KINDS 4

/* ---- checking the command line -------------------------------------------------------- */

/* "logger, notifier, ..." for the types of one kind (new string). */
static char *type_list(lp_kind kind)
{
    lp_sb sb = {0};
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        if (c->kind == kind) lp_sb_appendf(&sb, "%s%s", sb.len ? ", " : "", c->type);
    return lp_sb_take(&sb);
}

/* The contract of `type` for this kind, or NULL after a usage error. */
static const scaffold_contract *check_type(const cli_command *cmd, scaffold_kind kind,
                                           const char *type)
{
    lp_kind want = kind == SCAFFOLD_PIPELINE ? LP_KIND_PIPELINE : LP_KIND_COMPONENT;
    const char *what = want == LP_KIND_PIPELINE ? "pipeline" : "component";
    const scaffold_contract *c = scaffold_contract_find(type);
    if (c && c->kind == want) return c;
    if (c) {
        cli_usage_error(cmd,
                        "'%s' is a %s type, not a %s type: use 'lolpop create %s %s CLASS "
                        "EXTENSION'",
                        type, want == LP_KIND_PIPELINE ? "component" : "pipeline", what,
                        want == LP_KIND_PIPELINE ? "component" : "pipeline", type);
        return NULL;
    }
    const char *names[64];
    size_t n = 0;
    for (const scaffold_contract *t = scaffold_contracts; t->type && n < 64; t++)
        if (t->kind == want) names[n++] = t->type;
    char hint[128];
    cli_suggestion(hint, sizeof hint, type, names, n);
    char *list = type_list(want);
    cli_usage_error(cmd, "unknown %s type '%s'%s\nThe %s types: %s", what, type, hint, what,
                    list ? list : "");
    free(list);
    return NULL;
}

/* Parses kind and positionals into req (name, type) and *ext. 0 or an exit code. */
static int parse_request(const cli_command *cmd, const cli_positionals *pos, scaffold_request *req,
                         const char **ext)
{
    if (pos->n == 0)
        return cli_usage_error(cmd, "what to create is missing: component, pipeline, runner or "
                                    "cli-command");
    size_t k = 0;
    while (k < N_KINDS && strcmp(kinds[k], pos->v[0]) != 0)
        k++;
    if (k == N_KINDS) {
        char hint[96];
        cli_suggestion(hint, sizeof hint, pos->v[0], kinds, N_KINDS);
        return cli_usage_error(cmd,
                               "unknown kind 'create %s'%s (kinds: component, pipeline, "
                               "runner, cli-command)",
                               pos->v[0], hint);
    }
    req->kind = (scaffold_kind)k;
    bool typed = req->kind == SCAFFOLD_COMPONENT || req->kind == SCAFFOLD_PIPELINE;
    size_t want = typed ? 4 : 3;
    if (pos->n != want)
        return cli_usage_error(cmd, "'lolpop create %s' takes %s, got %zu argument%s", kinds[k],
                               typed                          ? "TYPE CLASS EXTENSION"
                               : req->kind == SCAFFOLD_RUNNER ? "CLASS EXTENSION"
                                                              : "NAME EXTENSION",
                               pos->n - 1, pos->n == 2 ? "" : "s");
    req->type = typed ? pos->v[1] : NULL;
    req->name = pos->v[want - 2];
    *ext = pos->v[want - 1];
    if (typed && !check_type(cmd, req->kind, req->type)) return CLI_USAGE;
    if (req->kind == SCAFFOLD_COMMAND && !scaffold_valid_slug(req->name))
        return cli_usage_error(cmd,
                               "command name '%s' is not valid: it must start with a "
                               "lower-case letter and hold only a-z, 0-9, '_' and '-'",
                               req->name);
    if (req->kind != SCAFFOLD_COMMAND && !scaffold_valid_class(req->name))
        return cli_usage_error(cmd,
                               "class name '%s' is not valid: it must start with a letter "
                               "and hold only letters, digits and '_' (at most 64)",
                               req->name);
    return 0;
}

/* ---- the project ------------------------------------------------------------------------ */

typedef struct project {
    char *dir;  /* EXTENSION as given */
    char *name; /* from meson.build's project('NAME', ...) */
    char *def;  /* the text of src/classes.def */
} project;

static void project_free(project *p)
{
    free(p->dir);
    free(p->name);
    free(p->def);
}

/* dir/rel (new string). */
static char *in_dir(const char *dir, const char *rel)
{
    return lp_asprintf("%s/%s", dir, rel);
}

/* The NAME of `project('NAME'` in a meson.build text (new string), or NULL. */
static char *meson_project_name(const char *text)
{
    const char *p = text ? strstr(text, "project(") : NULL;
    if (!p) return NULL;
    p += strlen("project(");
    while (*p == ' ' || *p == '\n')
        p++;
    if (*p != '\'') return NULL;
    size_t n = strcspn(p + 1, "'\n");
    return p[1 + n] == '\'' ? lp_strndup(p + 1, n) : NULL;
}

/* Opens the project at dir; 0 or CLI_USAGE after saying what is wrong. */
static int project_open(project *p, const char *dir)
{
    memset(p, 0, sizeof *p);
    p->dir = lp_strdup(dir);
    char *def = in_dir(dir, "src/classes.def");
    char *plugin = in_dir(dir, "src/plugin.c");
    char *build = in_dir(dir, "meson.build");
    struct stat st;
    bool ok = def && plugin && build && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
              scaffold_exists(plugin);
    char *meson = ok ? scaffold_read(build) : NULL;
    p->def = ok && meson ? scaffold_read(def) : NULL;
    p->name = meson_project_name(meson);
    free(meson);
    free(def);
    free(plugin);
    free(build);
    if (p->def && p->name && scaffold_valid_slug(p->name)) return 0;
    cli_error("'%s' is not a lolpop extension project (it needs meson.build, src/plugin.c and "
              "src/classes.def); make one with 'lolpop init NAME'",
              dir);
    return CLI_USAGE;
}

/* Whether classes.def already registers this class or command. */
static bool project_has(const project *p, const scaffold_request *req)
{
    char *needle = req->kind == SCAFFOLD_COMMAND ? lp_asprintf("LP_COMMAND(\"%s\",", req->name)
                                                 : lp_asprintf("LP_CLASS(%s,", req->name);
    bool found = false;
    for (const char *line = p->def; needle && line && *line;) {
        if (strncmp(line, needle, strlen(needle)) == 0) found = true;
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    free(needle);
    return found;
}

/* The class or command must be new to the project and to lolpop. 0 or CLI_USAGE. */
static int check_new(const project *p, const scaffold_request *req)
{
    const char *what = req->kind == SCAFFOLD_COMMAND ? "command" : "class";
    if (project_has(p, req)) {
        cli_error("%s '%s' already exists in %s (src/classes.def)", what, req->name, p->dir);
        return CLI_USAGE;
    }
    lp_registry *reg = lp_registry_new();
    lp_diags d;
    lp_diags_init(&d);
    if (reg && lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin") == 0)
        lp_registry_load_plugins(reg, NULL, &d); /* a broken plugin elsewhere is not our business */
    lp_diags_clear(&d);
    const char *source = !reg ? NULL
                         : req->kind == SCAFFOLD_COMMAND
                             ? (lp_registry_find_command(reg, req->name) ? "a plugin" : NULL)
                             : lp_registry_class_source(reg, req->name);
    int rc = 0;
    if (source) {
        cli_error("%s '%s' already exists in lolpop (registered by %s); choose another name", what,
                  req->name, source);
        rc = CLI_USAGE;
    }
    lp_registry_free(reg);
    return rc;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Writes every output under the project, then the classes.def line; removes
 * what it wrote when a step fails. 0 or an exit code (printed). */
static int write_all(const project *p, const scaffold_request *req, scaffold_output *out, size_t n)
{
    char *paths[8] = {NULL};
    for (size_t i = 0; i < n; i++) {
        paths[i] = in_dir(p->dir, out[i].path);
        if (paths[i] && scaffold_exists(paths[i])) {
            cli_error("%s already exists; remove it or choose another name", paths[i]);
            for (size_t k = 0; k <= i; k++)
                free(paths[k]);
            return CLI_USAGE;
        }
    }
    size_t written = 0;
    int rc = 0;
    for (; rc == 0 && written < n; written++)
        rc = paths[written] ? scaffold_write(paths[written], out[written].text, false) : LP_ENOMEM;
    char *line = rc == 0 ? scaffold_def_line(req) : NULL;
    char *def_path = line ? in_dir(p->dir, "src/classes.def") : NULL;
    size_t len = p->def ? strlen(p->def) : 0;
    char *def =
        def_path ? lp_asprintf("%s%s%s", p->def, len && p->def[len - 1] != '\n' ? "\n" : "", line)
                 : NULL;
    if (rc == 0) rc = def ? scaffold_write(def_path, def, true) : LP_ENOMEM;
    if (rc != 0) {
        cli_print_last_error();
        for (size_t k = 0; k < written; k++)
            if (paths[k]) unlink(paths[k]);
    }
    for (size_t k = 0; k < n; k++)
        free(paths[k]);
    free(line);
    free(def_path);
    free(def);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

static void print_done(const project *p, const scaffold_request *req, scaffold_output *out,
                       size_t n)
{
    printf("Created %s '%s' in %s:\n", kinds[req->kind], req->name, p->dir);
    for (size_t i = 0; i < n; i++)
        printf("  %s\n", out[i].path);
    printf("  src/classes.def (registration added)\n\nNext, in %s:\n"
           "  meson setup build   (once; meson compile picks new classes up afterwards)\n"
           "  meson compile -C build && meson test -C build\n",
           p->dir);
    char *snake = scaffold_snake(req->name);
    if (req->kind == SCAFFOLD_COMMAND)
        printf("  LOLPOP_PLUGIN_PATH=build/lib%s.so lolpop extension %s\n", p->name, req->name);
    else
        printf("  lolpop run workflow %s -c examples/%s.yaml\n",
               req->kind == SCAFFOLD_RUNNER ? req->name : "StepRunner", snake ? snake : "");
    free(snake);
}

int cmd_create(int argc, char **argv)
{
    const cli_command *cmd = cli_find_command("create");
    cli_positionals pos = {0};
    int rc = cli_parse_args(&pos, cmd, &create_spec, NULL, argc, argv);
    if (rc != 0) return rc < 0 ? CLI_OK : rc;
    scaffold_request req = {0};
    const char *ext = NULL;
    if ((rc = parse_request(cmd, &pos, &req, &ext)) != 0) return rc;
    project p;
    rc = project_open(&p, ext);
    if (rc == 0) {
        req.project = p.name;
        rc = check_new(&p, &req);
    }
    scaffold_output out[4] = {{0}};
    size_t n = 0;
    if (rc == 0 && scaffold_generate(out, &n, &req) != 0) {
        cli_print_last_error();
        rc = CLI_FAIL;
    }
    if (rc == 0) rc = write_all(&p, &req, out, n);
    if (rc == 0) print_done(&p, &req, out, n);
    scaffold_outputs_free(out, n);
    project_free(&p);
    return rc;
}
