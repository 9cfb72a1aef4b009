/*
 * cmd_seed.c — `lolpop seed file SOURCE TARGET [-c CLASS] [--set KEY=VALUE…]`:
 * loads a local CSV/TSV file into a table through any data_connector class.
 *
 * The connector is built the way a workflow builds it, so its defaults,
 * requirements, init checks and error messages are the ones a configuration
 * file would get: an in-memory document
 *     component: {data_connector: CLASS}
 *     data_connector: {config: {KEY: VALUE, ...}}   # from --set
 * under a hidden runner class registered in this process's registry only.
 * Then save_data(frame, target=TARGET) is called on the connector.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_connector.h"

const char cmd_seed_help[] =
    "Loads a local CSV (.csv) or TSV (.tsv) file into a table with a data_connector class.\n\n"
    "Options:\n"
    "  -c, --class CLASS   the data_connector class (default SQLiteDataConnector), e.g.\n"
    "                      SQLiteDataConnector or PostgresDataConnector\n"
    "  --if-exists MODE    when TARGET already exists: fail (the default: nothing is\n"
    "                      written), append (add the rows) or replace (re-create it)\n"
    "  --set KEY=VALUE     one config key of that connector, e.g. --set database=data.db\n"
    "                      (VALUE is parsed as YAML); repeatable\n"
    "  -h, --help          show this help\n\n"
    "Prints the number of rows written. Exit code 2 for usage or configuration errors,\n"
    "1 when the file cannot be read or the write fails.\n";

#define DEFAULT_CLASS "SQLiteDataConnector"

enum { OPT_CLASS = 1, OPT_SET, OPT_IF_EXISTS };

static const cli_option seed_options[] = {
    {"class", 'c', "CLASS", OPT_CLASS},
    {"set", 0, "KEY=VALUE", OPT_SET},
    {"if-exists", 0, "MODE", OPT_IF_EXISTS},
    {NULL, 0, NULL, 0},
};

typedef struct seed_args {
    cli_session session;
    cli_positionals pos; /* file, SOURCE, TARGET */
    const char *cls;
    const char *if_exists; /* --if-exists, or NULL */
    lp_value *doc;         /* the document being built (owned) */
    lp_diags diags;
} seed_args;

static int take_option(void *ctx, int id, const char *value)
{
    seed_args *a = ctx;
    if (id == OPT_CLASS) {
        if (!*value) return cli_usage_error(a->session.cmd, "option '-c' needs a class name");
        a->cls = value;
        return 0;
    }
    if (id == OPT_IF_EXISTS) {
        if (strcmp(value, "fail") != 0 && strcmp(value, "append") != 0 &&
            strcmp(value, "replace") != 0)
            return cli_usage_error(a->session.cmd,
                                   "--if-exists '%s' is not one of fail, append, replace", value);
        a->if_exists = value;
        return 0;
    }
    return cli_component_set(a->doc, a->session.cmd, "data_connector", value, &a->diags);
}

static const cli_args_spec seed_spec = {seed_options, 3, take_option};

static int check_positionals(const seed_args *a)
{
    const cli_command *cmd = a->session.cmd;
    if (a->pos.n == 0)
        return cli_usage_error(cmd, "what to seed is missing: 'lolpop seed file SOURCE TARGET'");
    if (strcmp(a->pos.v[0], "file") != 0)
        return cli_usage_error(cmd, "unknown seed source kind '%s'; expected 'file'", a->pos.v[0]);
    if (a->pos.n < 2) return cli_usage_error(cmd, "the SOURCE file is missing after 'seed file'");
    if (a->pos.n < 3)
        return cli_usage_error(cmd, "the TARGET (table or file) is missing after '%s'",
                               a->pos.v[1]);
    return 0;
}

/* The connector class: registered, a component of type data_connector. */
static int check_class(seed_args *a, const char *name)
{
    const lp_class *cls = lp_registry_find_class(a->session.reg, name);
    if (!cls) {
        char *hint = cli_class_hint(a->session.reg, name);
        cli_error("unknown class '%s'%s", name, hint ? hint : "");
        free(hint);
        fprintf(stderr, "Run 'lolpop classes list --type data_connector' for the connectors.\n");
        return CLI_USAGE;
    }
    if (cls->kind != LP_KIND_COMPONENT || !cls->type || strcmp(cls->type, "data_connector") != 0) {
        cli_error("'%s' is a %s%s%s, not a data_connector", name, lp_kind_name(cls->kind),
                  cls->type ? " of type " : "", cls->type ? cls->type : "");
        fprintf(stderr, "Run 'lolpop classes list --type data_connector' for the connectors.\n");
        return CLI_USAGE;
    }
    return 0;
}

/* After a failed validation: names the --set that would add each missing
 * required key (the workflow's message points at configuration sections,
 * and here there is no file). */
static void hint_required_keys(seed_args *a, const lp_class *cls)
{
    const lp_value *cfg = lp_config_path_get(a->doc, "data_connector.config");
    for (const char *const *r = cls->requirements; r && *r; r++) {
        if (strncmp(*r, "config.", 7) != 0 || strchr(*r, '|')) continue;
        const char *key = *r + 7;
        if (lp_map_get(cfg, key)) continue;
        char env[128];
        size_t k = 0;
        for (; key[k] && k < sizeof env - 1; k++)
            env[k] = (key[k] >= 'a' && key[k] <= 'z') ? (char)(key[k] - 'a' + 'A') : key[k];
        env[k] = 0;
        if (getenv(env)) continue;
        fprintf(stderr, "hint: %s needs config '%s': add --set %s=VALUE\n", cls->name, key, key);
    }
}

/* Seeding never appends by surprise: --if-exists (or an explicit
 * --set if_exists=…) says what happens to an existing table, else "fail".
 * 0 or an exit code (reported). */
static int apply_if_exists(seed_args *a)
{
    const lp_class *cls = lp_registry_find_class(a->session.reg, a->cls);
    bool has_key = false;
    for (const lp_config_key *k = cls ? cls->config_keys : NULL; k && k->name; k++)
        if (strcmp(k->name, "if_exists") == 0) has_key = true;
    if (!has_key && a->if_exists) {
        cli_error("%s writes whole files, it has no if_exists: drop --if-exists", a->cls);
        return CLI_USAGE;
    }
    if (!has_key) return 0;
    const lp_value *cfg = lp_config_path_get(a->doc, "data_connector.config");
    if (!a->if_exists && lp_map_get(cfg, "if_exists")) return 0;
    char set[64];
    snprintf(set, sizeof set, "if_exists=%s", a->if_exists ? a->if_exists : "fail");
    return cli_component_set(a->doc, a->session.cmd, "data_connector", set, &a->diags);
}

/* Builds the connector; 0 or an exit code (reported). */
static int build(seed_args *a, lp_workflow **wf)
{
    int set = apply_if_exists(a);
    if (set != 0) return set;
    int rc = cli_component_build(wf, a->session.reg, a->doc, "data_connector", a->cls, &a->diags);
    if (rc == CLI_USAGE) hint_required_keys(a, lp_registry_find_class(a->session.reg, a->cls));
    return rc;
}

/* Reads SOURCE and saves it through the connector; the exit code. */
static int seed(seed_args *a, lp_workflow *wf)
{
    const char *source = a->pos.v[1], *target = a->pos.v[2];
    lp_frame *f = NULL;
    if (lp_csv_read(&f, source, NULL) != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    lp_value *v = lp_value_frame(f);
    lp_obj *conn = lp_obj_component(lp_workflow_root(wf), "data_connector");
    lp_error_clear();
    int rc = v ? lp_data_connector_save_data(conn, v, target) : LP_ENOMEM;
    int code = CLI_OK;
    if (rc != 0) {
        bool exists = lp_error_last()->code == LP_EEXISTS;
        cli_print_last_error();
        if (exists)
            fprintf(stderr,
                    "hint: nothing was written; pass --if-exists append to add the rows "
                    "or --if-exists replace to re-create '%s'\n",
                    target);
        code = CLI_FAIL;
    } else {
        printf("%zu rows (%zu columns) from %s written to %s with %s\n", lp_frame_rows(f),
               lp_frame_cols(f), source, target, a->cls);
    }
    lp_value_unref(v);
    lp_frame_unref(f);
    return code;
}

int cmd_seed(int argc, char **argv)
{
    seed_args a = {0};
    cli_session_init(&a.session, cli_find_command("seed"));
    lp_diags_init(&a.diags);
    a.cls = DEFAULT_CLASS;
    a.doc = lp_value_map();
    int rc = a.doc ? 0 : CLI_FAIL;
    if (rc == 0) rc = cli_parse_args(&a.pos, a.session.cmd, &seed_spec, &a, argc, argv);
    if (rc == 0) rc = check_positionals(&a);
    if (rc == 0) rc = cli_session_load_registry(&a.session);
    if (rc == 0) rc = check_class(&a, a.cls);
    lp_workflow *wf = NULL;
    if (rc == 0) rc = build(&a, &wf);
    if (rc == 0) rc = seed(&a, wf);
    lp_workflow_free(wf);
    lp_value_unref(a.doc);
    lp_diags_clear(&a.diags);
    cli_session_free(&a.session);
    return rc < 0 ? CLI_OK : rc;
}
