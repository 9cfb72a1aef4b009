/*
 * cmd_classes.c — `lolpop classes list [--type T]` and `classes show NAME`:
 * what the registry holds (built-ins and plugins), with docs and config keys.
 *
 * Plugins are found as for a run: plugin_paths of the -c files (optional),
 * LOLPOP_PLUGIN_PATH and the installed plugin directory.
 */
#include <stdlib.h>
#include <string.h>

#include "core/config_paths.h"
#include "core/key_default.h"
#include "cli.h"
#include "cli/scaffold/scaffold.h"
#include "core/internal.h"

const char cmd_classes_help[] =
    "Subcommands:\n"
    "  list        one line per registered class: name, kind, type, source, summary\n"
    "  show NAME   a class's documentation, methods, its type's contract, requirements,\n"
    "              config keys and defaults\n\n"
    "Options:\n"
    "  --type TYPE        list only classes of this component/pipeline type, or of this kind\n"
    "                     (component, pipeline, runner)\n"
    "  -c, --config FILE  also load the plugins named by this configuration's plugin_paths\n"
    "  -h, --help         show this help\n";

enum { OPT_TYPE = 1, OPT_CONFIG };

static const cli_option classes_options[] = {
    {"type", 't', "TYPE", OPT_TYPE},
    {"config", 'c', "FILE", OPT_CONFIG},
    {NULL, 0, NULL, 0},
};

typedef struct classes_args {
    cli_session session;
    cli_positionals pos; /* list|show, NAME */
    const char *type;
} classes_args;

/* One option into the classes_args `ctx`; 0 or an exit code (already reported). */
static int take_option(void *ctx, int id, const char *value)
{
    classes_args *a = ctx;
    if (id == OPT_TYPE) {
        a->type = value;
        return 0;
    }
    return cli_session_add_file(&a->session, value);
}

static const cli_args_spec classes_spec = {classes_options, 2, take_option};

static int check_positionals(classes_args *a)
{
    const cli_command *cmd = a->session.cmd;
    if (a->pos.n == 0)
        return cli_usage_error(cmd, "a subcommand is missing: 'list' or 'show NAME'");
    const char *sub = a->pos.v[0];
    if (strcmp(sub, "list") == 0) {
        if (a->pos.n > 1)
            return cli_usage_error(cmd, "unexpected argument '%s' (use --type to filter)",
                                   a->pos.v[1]);
        return 0;
    }
    if (strcmp(sub, "show") == 0) {
        if (a->pos.n < 2)
            return cli_usage_error(cmd, "the class NAME is missing after 'classes show'");
        if (a->type) return cli_usage_error(cmd, "option '--type' applies to 'classes list' only");
        return 0;
    }
    const char *subs[] = {"list", "show"};
    char hint[64];
    cli_suggestion(hint, sizeof hint, sub, subs, 2);
    return cli_usage_error(cmd, "unknown subcommand 'classes %s'%s", sub, hint);
}

static int parse_classes_args(classes_args *a, int argc, char **argv)
{
    int rc = cli_parse_args(&a->pos, a->session.cmd, &classes_spec, a, argc, argv);
    return rc != 0 ? rc : check_positionals(a);
}

/* The first sentence of a doc paragraph, at most `max` bytes (new string). */
static char *summary(const char *doc, size_t max)
{
    if (!doc) return lp_strdup("");
    size_t n = strcspn(doc, "\n");
    for (const char *p = doc; p < doc + n; p++)
        if (*p == '.' && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0')) {
            n = (size_t)(p - doc) + 1;
            break;
        }
    if (n <= max) return lp_strndup(doc, n);
    size_t cut = max - 3;
    while (cut > 0 && ((unsigned char)doc[cut] & 0xC0) == 0x80) /* stay on a UTF-8 boundary */
        cut--;
    char *s = lp_asprintf("%.*s...", (int)cut, doc);
    return s;
}

/* Whether cls passes the --type filter (a type name or a kind name). */
static bool matches(const lp_class *cls, const char *type)
{
    if (!type) return true;
    if (strcmp(type, lp_kind_name(cls->kind)) == 0) return true;
    return cls->type && strcmp(cls->type, type) == 0;
}

/* --type must name a registered type or a kind: a typo is an error, not an empty list. */
static int check_type(cli_session *s, const char *type)
{
    if (!type || strcmp(type, "component") == 0 || strcmp(type, "pipeline") == 0 ||
        strcmp(type, "runner") == 0 || lp_registry_find_type(s->reg, type))
        return 0;
    size_t n = lp_registry_type_count(s->reg);
    const char **names = calloc(n + 3, sizeof *names);
    if (!names) return CLI_FAIL;
    for (size_t i = 0; i < n; i++)
        names[i] = lp_registry_type_at(s->reg, i)->name;
    names[n] = "component";
    names[n + 1] = "pipeline";
    names[n + 2] = "runner";
    char hint[128];
    cli_suggestion(hint, sizeof hint, type, names, n + 3);
    free(names);
    return cli_usage_error(s->cmd, "option '--type': unknown type '%s'%s", type, hint);
}

static int list_classes(cli_session *s, const char *type)
{
    int rc = check_type(s, type);
    if (rc) return rc;
    size_t n = lp_registry_class_count(s->reg);
    int w_name = 4, w_kind = 4, w_type = 4, w_src = 6;
    for (size_t i = 0; i < n; i++) {
        const lp_class *c = lp_registry_class_at(s->reg, i);
        const char *src = lp_registry_class_source(s->reg, c->name);
        int ln = (int)strlen(c->name), lk = (int)strlen(lp_kind_name(c->kind));
        int lt = c->type ? (int)strlen(c->type) : 1, ls = src ? (int)strlen(src) : 1;
        w_name = ln > w_name ? ln : w_name;
        w_kind = lk > w_kind ? lk : w_kind;
        w_type = lt > w_type ? lt : w_type;
        w_src = ls > w_src ? ls : w_src;
    }
    printf("%-*s  %-*s  %-*s  %-*s  %s\n", w_name, "NAME", w_kind, "KIND", w_type, "TYPE", w_src,
           "SOURCE", "DESCRIPTION");
    for (size_t i = 0; i < n; i++) {
        const lp_class *c = lp_registry_class_at(s->reg, i);
        if (!matches(c, type)) continue;
        const char *src = lp_registry_class_source(s->reg, c->name);
        char *doc = summary(c->doc, 72);
        printf("%-*s  %-*s  %-*s  %-*s  %s\n", w_name, c->name, w_kind, lp_kind_name(c->kind),
               w_type, c->type ? c->type : "-", w_src, src ? src : "?", doc ? doc : "");
        free(doc);
    }
    return CLI_OK;
}

/* ---- show ----------------------------------------------------------------- */

static int unknown_class(cli_session *s, const char *name)
{
    char *hint = cli_class_hint(s->reg, name);
    cli_error("unknown class '%s'%s", name, hint ? hint : "");
    free(hint);
    fprintf(stderr, "Run 'lolpop classes list' for every registered class (plugins need -c FILE "
                    "or LOLPOP_PLUGIN_PATH).\n");
    return CLI_USAGE;
}

/* The class default of `key` as one line (new string), or NULL. */
static char *default_of(const lp_value *defaults, const char *key)
{
    const lp_value *v = lp_map_get(defaults, key);
    return v ? lp_value_to_string(v) : NULL;
}

static void show_config_keys(const lp_class *cls, const lp_value *defaults)
{
    printf("\nConfiguration keys:\n");
    if (!cls->config_keys || !cls->config_keys[0].name) {
        printf("  (none)\n");
        return;
    }
    int w = 4;
    for (const lp_config_key *k = cls->config_keys; k->name; k++)
        w = (int)strlen(k->name) > w ? (int)strlen(k->name) : w;
    for (const lp_config_key *k = cls->config_keys; k->name; k++) {
        char *dflt = default_of(defaults, k->name);
        printf("  %-*s  %-6s  %s", w, k->name, k->type ? k->type : "any", k->doc ? k->doc : "");
        if (dflt) printf(" [default: %s]", dflt);
        /* issue 11 Fix 2: one rule for every path-valued key */
        if (lp_config_path_key(k->name)) printf(" (a path: relative to the file that set it)");
        printf("\n");
        free(dflt);
    }
}

/* Whether `name` is one of the optional methods of `type` (NULL: none). */
static bool is_optional(const lp_type *type, const char *name)
{
    for (const char *const *o = type ? type->optional_methods : NULL; o && *o; o++)
        if (strcmp(*o, name) == 0) return true;
    return false;
}

/* The class's methods; those its type declares optional are marked so. */
static void show_methods(const lp_registry *reg, const lp_class *cls)
{
    const lp_type *type = cls->type ? lp_registry_find_type(reg, cls->type) : NULL;
    printf("\nMethods:\n");
    int w = 4;
    for (const lp_method *m = cls->methods; m && m->name; m++)
        w = (int)strlen(m->name) > w ? (int)strlen(m->name) : w;
    for (const lp_method *m = cls->methods; m && m->name; m++)
        printf("  %-*s  %s%s\n", w, m->name, m->doc ? m->doc : "",
               is_optional(type, m->name) ? " (optional in the type's contract)" : "");
}

/* Whether cls implements `name`. */
static bool implements(const lp_class *cls, const char *name)
{
    for (const lp_method *m = cls->methods; m && m->name; m++)
        if (strcmp(m->name, name) == 0) return true;
    return false;
}

/* The contract of a built-in type as its header writes it (arguments and
 * results, "name?" for an optional argument), from the one contract table;
 * nothing for a type a plugin declares (lp_type has no arguments). */
static void show_contract(const lp_class *cls)
{
    const scaffold_contract *c = cls->type ? scaffold_contract_find(cls->type) : NULL;
    if (!c) return;
    printf("\nContract of %s (<lolpop/types/%s.h>; \"name?\" is an optional argument):\n", c->type,
           c->type);
    const scaffold_method *lists[] = {c->methods, c->optional};
    for (size_t l = 0; l < 2; l++)
        for (const scaffold_method *m = lists[l]; m->name; m++) {
            char *sig = scaffold_signature(m);
            printf("  %s%s\n", sig ? sig : m->name,
                   l == 0                     ? ""
                   : implements(cls, m->name) ? "  (optional method)"
                                              : "  (optional method, not implemented)");
            free(sig);
        }
}

static void show_requirements(const lp_class *cls)
{
    printf("\nRequirements:\n");
    if (!cls->requirements || !cls->requirements[0]) {
        printf("  (none)\n");
        return;
    }
    for (const char *const *r = cls->requirements; *r; r++)
        printf("  %s\n", *r);
}

/* Whether `name` is one of cls's documented keys. */
static bool documented(const lp_class *cls, const char *name)
{
    return lp_class_config_key(cls, name) != NULL;
}

/* Every key's default (issue 11 Fix 14): the class's defaults_yaml, which
 * the configuration is merged over, then what each key's doc states (the
 * convention of core/key_default.h, the same for built-ins and plugins). */
static void show_defaults(const lp_class *cls, const lp_value *defaults)
{
    printf("\nDefaults:\n");
    int w = 4, n = 0;
    for (const lp_config_key *k = cls->config_keys; k && k->name; k++)
        w = (int)strlen(k->name) > w ? (int)strlen(k->name) : w;
    for (size_t i = 0; lp_value_type(defaults) == LP_MAP && i < lp_map_len(defaults); i++)
        w = (int)strlen(lp_map_key(defaults, i)) > w ? (int)strlen(lp_map_key(defaults, i)) : w;
    for (const lp_config_key *k = cls->config_keys; k && k->name; k++) {
        char *d = lp_key_default(k, defaults);
        if (d)
            printf("  %-*s  %s%s\n", w, k->name, d,
                   lp_map_get(defaults, k->name) ? "" : "  (stated in the key's doc)");
        n += d != NULL;
        free(d);
    }
    /* defaults of keys the class does not document still apply */
    for (size_t i = 0; lp_value_type(defaults) == LP_MAP && i < lp_map_len(defaults); i++) {
        if (documented(cls, lp_map_key(defaults, i))) continue;
        char *d = lp_value_to_string(lp_map_value(defaults, i));
        printf("  %-*s  %s\n", w, lp_map_key(defaults, i), d ? d : "?");
        n++;
        free(d);
    }
    if (n == 0) printf("  (none)\n");
}

static int show_class(cli_session *s, const char *name)
{
    const lp_class *cls = lp_registry_find_class(s->reg, name);
    if (!cls) return unknown_class(s, name);
    const char *src = lp_registry_class_source(s->reg, name);
    printf("%s\n  kind: %s\n", cls->name, lp_kind_name(cls->kind));
    if (cls->type) printf("  type: %s\n", cls->type);
    printf("  source: %s\n\n%s\n", src ? src : "?", cls->doc ? cls->doc : "(undocumented)");
    lp_value *defaults = NULL;
    if (cls->defaults_yaml) {
        lp_diags d;
        lp_diags_init(&d);
        if (lp_yaml_parse(&defaults, cls->defaults_yaml, strlen(cls->defaults_yaml), cls->name,
                          &d) != 0)
            defaults = NULL;
        lp_diags_clear(&d);
    }
    show_methods(s->reg, cls);
    show_contract(cls);
    show_requirements(cls);
    show_config_keys(cls, defaults);
    show_defaults(cls, defaults);
    lp_value_unref(defaults);
    return CLI_OK;
}

int cmd_classes(int argc, char **argv)
{
    classes_args a = {0};
    cli_session_init(&a.session, cli_find_command("classes"));
    int rc = parse_classes_args(&a, argc, argv);
    if (rc == 0) rc = cli_session_load_config(&a.session);
    if (rc == 0) rc = cli_session_load_registry(&a.session);
    if (rc == 0 && strcmp(a.pos.v[0], "list") == 0)
        rc = list_classes(&a.session, a.type);
    else if (rc == 0)
        rc = show_class(&a.session, a.pos.v[1]);
    cli_session_free(&a.session);
    return rc < 0 ? CLI_OK : rc;
}
