/*
 * registry.c — the tables of types, classes and plugin commands (registry.h).
 *
 * Registration is where descriptors are checked, once: a class that breaks
 * its type's contract, has unparsable requirements or defaults, or reuses a
 * name is refused with a message naming the class and both plugins involved,
 * so later code (validation, building, dispatch) can trust every descriptor.
 * Tables are plain arrays in registration order; look-ups are linear, which is
 * plenty for a few hundred classes looked up a few dozen times per run.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/config.h"
#include "lolpop/registry.h"
#include "internal.h"
#include "registry_internal.h"

/* Source recorded for types and classes registered outside any plugin. */
#define SOURCE_BUILTIN_TYPES "builtin"
#define SOURCE_DIRECT        "application"

/* ---- small helpers ------------------------------------------------------ */

static bool is_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return false;
    return true;
}

/* A word typed after `lolpop extension`: a letter, then letters, digits, '-', '_'. */
static bool is_command_word(const char *s)
{
    if (!s || !isalpha((unsigned char)*s)) return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-')) return false;
    return true;
}

const char *lp_registry_source(const lp_registry *reg)
{
    return reg->loading ? reg->loading : SOURCE_DIRECT;
}

/* Sets the last error, prefixed with the plugin being loaded (if any), counts
 * the refusal for lp_registry_plugin_end and returns `code`. */
int lp_registry_fail(lp_registry *reg, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv(code, fmt, ap);
    va_end(ap);
    if (reg->loading) {
        lp_error_prefix("plugin %s", reg->loading);
        reg->failed++;
    }
    return code;
}

/* Refuses (lp_registry_fail) a descriptor of kind `what` ("class") whose layout
 * version — its own abi_version, else the registering plugin's, else this
 * lolpop's — is one this lolpop cannot read; 0 otherwise. */
static int check_abi(lp_registry *reg, const char *what, const char *name, uint32_t own)
{
    uint32_t abi = own ? own : reg->loading_abi ? reg->loading_abi : LP_ABI_VERSION;
    if (abi >= LP_ABI_OLDEST && abi <= LP_ABI_VERSION) return 0;
    return lp_registry_fail(reg, LP_EINVAL,
                            "%s '%s' was written for lolpop ABI %u, this lolpop has ABI %u", what,
                            name ? name : "(null)", (unsigned)abi, (unsigned)LP_ABI_VERSION);
}

static int list_push(lp_reg_list *l, const void *desc, const char *source)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        lp_reg_item *items = realloc(l->items, cap * sizeof *items);
        if (!items) return lp_error_set(LP_ENOMEM, "out of memory");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->len++] = (lp_reg_item){desc, source};
    return 0;
}

/* The item whose name (read by `name_of`) equals `name`, or NULL. Borrowed. */
static const lp_reg_item *list_find(const lp_reg_list *l, const char *name,
                                    const char *(*name_of)(const void *))
{
    if (!name) return NULL;
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(name_of(l->items[i].desc), name) == 0) return &l->items[i];
    return NULL;
}

static const char *type_name_of(const void *d)
{
    return ((const lp_type *)d)->name;
}
static const char *class_name_of(const void *d)
{
    return ((const lp_class *)d)->name;
}
static const char *command_name_of(const void *d)
{
    return ((const lp_command *)d)->name;
}

/* ---- life cycle --------------------------------------------------------- */

/* New registry (caller frees with lp_registry_free) holding lp_builtin_types. */
LP_API lp_registry *lp_registry_new(void)
{
    lp_registry *reg = calloc(1, sizeof *reg);
    if (!reg) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (const lp_type *t = lp_builtin_types; t->name; t++) {
        if (list_push(&reg->types, t, SOURCE_BUILTIN_TYPES) != 0) {
            lp_registry_free(reg);
            return NULL;
        }
    }
    return reg;
}

LP_API void lp_registry_free(lp_registry *reg)
{
    if (!reg) return;
    free(reg->types.items);
    free(reg->classes.items);
    free(reg->commands.items);
    lp_registry_drop_extensions(reg, 0, 0);
    free(reg->sections);
    free(reg->roles);
    free(reg->providers);
    for (size_t i = 0; i < reg->n_sources; i++)
        free(reg->sources[i]);
    free(reg->sources);
    lp_registry_slots_truncate(reg, 0);
    free(reg->slots);
    /* Last: descriptors above lived in the plugins' memory. */
    lp_registry_unload_plugins(reg);
    free(reg);
}

/* ---- plugin bracketing (used by plugin.c) ------------------------------- */

int lp_registry_plugin_begin(lp_registry *reg, const char *source, lp_reg_mark *mark)
{
    *mark = (lp_reg_mark){reg->types.len, reg->classes.len, reg->commands.len,
                          reg->failed,    reg->loading,     reg->n_sections,
                          reg->n_roles,   reg->n_slots,     reg->n_providers};
    if (reg->n_sources == reg->cap_sources) {
        size_t cap = reg->cap_sources ? reg->cap_sources * 2 : 8;
        char **s = realloc(reg->sources, cap * sizeof *s);
        if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
        reg->sources = s;
        reg->cap_sources = cap;
    }
    char *copy = lp_strdup(source ? source : SOURCE_DIRECT);
    if (!copy) return LP_ENOMEM;
    reg->sources[reg->n_sources++] = copy;
    reg->loading = copy;
    return 0;
}

void lp_registry_plugin_end(lp_registry *reg, const lp_reg_mark *mark, bool rollback)
{
    if (rollback) {
        reg->types.len = mark->n_types;
        reg->classes.len = mark->n_classes;
        reg->commands.len = mark->n_commands;
        lp_registry_drop_extensions(reg, mark->n_sections, mark->n_roles);
        lp_registry_slots_truncate(reg, mark->n_slots);
        reg->n_providers = mark->n_providers;
    }
    reg->failed = mark->failed;
    reg->loading = mark->prev_loading;
}

/* ---- types -------------------------------------------------------------- */

LP_API int lp_registry_add_type(lp_registry *reg, const lp_type *type)
{
    if (!reg || !type)
        return lp_error_set(LP_EINVAL, "lp_registry_add_type: NULL %s", reg ? "type" : "registry");
    int abi_rc = check_abi(reg, "type", type->name, type->abi_version);
    if (abi_rc) return abi_rc;
    if (!is_identifier(type->name))
        return lp_registry_fail(reg, LP_EINVAL, "type name '%s' is not a valid identifier",
                                type->name ? type->name : "(null)");
    if (type->kind != LP_KIND_COMPONENT && type->kind != LP_KIND_PIPELINE)
        return lp_registry_fail(reg, LP_EINVAL, "type '%s' must be of kind component or pipeline",
                                type->name);
    if (!type->methods)
        return lp_registry_fail(reg, LP_EINVAL, "type '%s' has no method list", type->name);
    for (const char *const *m = type->methods; *m; m++)
        if (!is_identifier(*m))
            return lp_registry_fail(reg, LP_EINVAL,
                                    "type '%s' lists method '%s', not a valid identifier",
                                    type->name, *m);
    for (const char *const *m = type->optional_methods; m && *m; m++)
        if (!is_identifier(*m))
            return lp_registry_fail(reg, LP_EINVAL,
                                    "type '%s' lists optional method '%s', not a valid identifier",
                                    type->name, *m);
    const lp_reg_item *old = list_find(&reg->types, type->name, type_name_of);
    if (old)
        return lp_registry_fail(reg, LP_EEXISTS, "type '%s' is already registered by %s",
                                type->name, old->source);
    return list_push(&reg->types, type, lp_registry_source(reg));
}

/* ---- classes ------------------------------------------------------------ */

/* Why a requirement string is malformed, or NULL when it is fine. Grammar:
 * ALT ('|' ALT)*, ALT = ("config" | "component" | "pipeline") "." IDENT. */
static const char *requirement_problem(const char *req)
{
    if (!req || !*req) return "it is empty";
    const char *p = req;
    for (;;) {
        size_t n = strcspn(p, "|");
        const char *dot = memchr(p, '.', n);
        if (n == 0) return "it has an empty alternative around '|'";
        if (!dot) return "expected 'config.KEY', 'component.SLOT' or 'pipeline.SLOT'";
        size_t plen = (size_t)(dot - p);
        if (!((plen == 6 && strncmp(p, "config", 6) == 0) ||
              (plen == 9 && strncmp(p, "component", 9) == 0) ||
              (plen == 8 && strncmp(p, "pipeline", 8) == 0)))
            return "it must start with 'config.', 'component.' or 'pipeline.'";
        const char *name = dot + 1;
        size_t nlen = n - plen - 1;
        if (nlen == 0 || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
            return "the name after the '.' must be an identifier";
        for (size_t i = 1; i < nlen; i++)
            if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
                return "the name after the '.' must be an identifier";
        if (!p[n]) return NULL;
        p += n + 1;
    }
}

static bool config_type_known(const char *t)
{
    static const char *const known[] = {"string", "int", "float", "bool", "list", "map", "any"};
    for (size_t i = 0; t && i < sizeof known / sizeof *known; i++)
        if (strcmp(t, known[i]) == 0) return true;
    return false;
}

/* Methods: present, named, callable, no name twice. */
static int check_methods(lp_registry *reg, const lp_class *cls)
{
    if (!cls->methods)
        return lp_registry_fail(reg, LP_EINVAL, "class '%s' has no method table", cls->name);
    for (const lp_method *m = cls->methods; m->name; m++) {
        if (!is_identifier(m->name))
            return lp_registry_fail(reg, LP_EINVAL,
                                    "class '%s' has a method named '%s', not an identifier",
                                    cls->name, m->name);
        if (!m->fn)
            return lp_registry_fail(reg, LP_EINVAL, "class '%s': method '%s' has no function",
                                    cls->name, m->name);
        for (const lp_method *o = cls->methods; o != m; o++)
            if (strcmp(o->name, m->name) == 0)
                return lp_registry_fail(reg, LP_EINVAL, "class '%s' defines method '%s' twice",
                                        cls->name, m->name);
    }
    return 0;
}

/* Kind and type: components/pipelines fulfil a registered type of their kind;
 * runners have no type but a build_all (what `lolpop run workflow` calls). */
static int check_contract(lp_registry *reg, const lp_class *cls)
{
    if (cls->kind == LP_KIND_RUNNER) {
        if (cls->type)
            return lp_registry_fail(reg, LP_EINVAL,
                                    "runner class '%s' must not declare a type (got '%s')",
                                    cls->name, cls->type);
        if (!lp_class_method(cls, "build_all"))
            return lp_registry_fail(
                reg, LP_EINVAL,
                "runner class '%s' lacks method 'build_all' (every runner needs it: "
                "`lolpop run workflow` calls it by default)",
                cls->name);
        return 0;
    }
    if (cls->kind != LP_KIND_COMPONENT && cls->kind != LP_KIND_PIPELINE)
        return lp_registry_fail(reg, LP_EINVAL, "class '%s' has an unknown kind (%d)", cls->name,
                                (int)cls->kind);
    if (!cls->type)
        return lp_registry_fail(reg, LP_EINVAL, "%s class '%s' must declare its type",
                                lp_kind_name(cls->kind), cls->name);
    const lp_type *type = lp_registry_find_type(reg, cls->type);
    if (!type)
        return lp_registry_fail(reg, LP_EINVAL,
                                "class '%s' claims type '%s', which is not registered", cls->name,
                                cls->type);
    if (type->kind != cls->kind)
        return lp_registry_fail(
            reg, LP_EINVAL, "%s class '%s' claims type '%s', which is a %s type",
            lp_kind_name(cls->kind), cls->name, type->name, lp_kind_name(type->kind));
    lp_sb missing = {0};
    for (const char *const *m = type->methods; *m; m++)
        if (!lp_class_method(cls, *m)) lp_sb_appendf(&missing, "%s%s", missing.len ? ", " : "", *m);
    int rc = 0;
    if (missing.len)
        rc = lp_registry_fail(reg, LP_EINVAL, "class '%s' claims type '%s' but lacks method(s): %s",
                              cls->name, type->name, missing.buf);
    lp_sb_free(&missing);
    return rc;
}

static int check_requirements_and_keys(lp_registry *reg, const lp_class *cls)
{
    for (const char *const *r = cls->requirements; r && *r; r++) {
        const char *why = requirement_problem(*r);
        if (why)
            return lp_registry_fail(reg, LP_EINVAL, "class '%s' has a bad requirement \"%s\": %s",
                                    cls->name, *r, why);
    }
    for (const lp_config_key *k = cls->config_keys; k && k->name; k++) {
        if (!config_type_known(k->type))
            return lp_registry_fail(
                reg, LP_EINVAL,
                "class '%s': config key '%s' has type '%s'; expected one of string, "
                "int, float, bool, list, map, any",
                cls->name, k->name, k->type ? k->type : "(null)");
    }
    return 0;
}

/* The defaults must parse as a YAML map now, not when a workflow first uses
 * the class: a broken default is the plugin author's bug, not the user's. */
static int check_defaults(lp_registry *reg, const lp_class *cls)
{
    if (!cls->defaults_yaml) return 0;
    char *source = lp_asprintf("defaults of class %s", cls->name);
    if (!source) return LP_ENOMEM;
    lp_diags diags;
    lp_diags_init(&diags);
    lp_value *doc = NULL;
    int rc = lp_yaml_parse(&doc, cls->defaults_yaml, strlen(cls->defaults_yaml), source, &diags);
    if (rc != 0) {
        const lp_diag *d = NULL;
        for (size_t i = 0; i < diags.len && !d; i++)
            if (diags.items[i].severity == LP_SEV_ERROR) d = &diags.items[i];
        const char *msg = d ? d->message : lp_error_last()->message;
        int line = d ? d->where.line : 0, col = d ? d->where.col : 0;
        rc = lp_registry_fail(reg, LP_EINVAL,
                              "class '%s' has invalid defaults_yaml (line %d, column %d): %s",
                              cls->name, line, col, msg ? msg : "parse error");
    } else if (lp_value_type(doc) != LP_MAP) {
        rc =
            lp_registry_fail(reg, LP_EINVAL, "class '%s' has defaults_yaml that is a %s, not a map",
                             cls->name, lp_vtype_name(lp_value_type(doc)));
    }
    lp_value_unref(doc);
    lp_diags_clear(&diags);
    free(source);
    return rc;
}

LP_API int lp_registry_add_class(lp_registry *reg, const lp_class *cls)
{
    if (!reg || !cls)
        return lp_error_set(LP_EINVAL, "lp_registry_add_class: NULL %s",
                            reg ? "class" : "registry");
    int abi_rc = check_abi(reg, "class", cls->name, cls->abi_version);
    if (abi_rc) return abi_rc;
    if (!is_identifier(cls->name))
        return lp_registry_fail(reg, LP_EINVAL, "class name '%s' is not a valid identifier",
                                cls->name ? cls->name : "(null)");
    const lp_reg_item *old = list_find(&reg->classes, cls->name, class_name_of);
    if (old)
        return lp_registry_fail(reg, LP_EEXISTS, "class '%s' is already registered by %s",
                                cls->name, old->source);
    int rc;
    if ((rc = check_methods(reg, cls)) != 0 || (rc = check_contract(reg, cls)) != 0 ||
        (rc = check_requirements_and_keys(reg, cls)) != 0 || (rc = check_defaults(reg, cls)) != 0)
        return rc;
    return list_push(&reg->classes, cls, lp_registry_source(reg));
}

/* ---- commands ----------------------------------------------------------- */

LP_API int lp_registry_add_command(lp_registry *reg, const lp_command *cmd)
{
    if (!reg || !cmd)
        return lp_error_set(LP_EINVAL, "lp_registry_add_command: NULL %s",
                            reg ? "command" : "registry");
    int abi_rc = check_abi(reg, "command", cmd->name, cmd->abi_version);
    if (abi_rc) return abi_rc;
    if (!is_command_word(cmd->name))
        return lp_registry_fail(
            reg, LP_EINVAL,
            "command name '%s' is not a valid command word (a letter, then letters, "
            "digits, '-' or '_')",
            cmd->name ? cmd->name : "(null)");
    if (!cmd->run)
        return lp_registry_fail(reg, LP_EINVAL, "command '%s' has no run function", cmd->name);
    const lp_reg_item *old = list_find(&reg->commands, cmd->name, command_name_of);
    if (old)
        return lp_registry_fail(reg, LP_EEXISTS, "command '%s' is already registered by %s",
                                cmd->name, old->source);
    return list_push(&reg->commands, cmd, lp_registry_source(reg));
}

/* ---- section validators and role slots ---------------------------------- */

/* Keys validation itself handles: no other layer may claim them. */
static bool core_section_key(const char *key)
{
    static const char *const keys[] = {"config", "component", "pipeline", "plugin_paths"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (lp_streq_nocase(key, keys[i])) return true;
    return false;
}

int lp_registry_grow(void **arr, size_t *cap, size_t len, size_t size)
{
    if (len < *cap) return 0;
    size_t n = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, n * size);
    if (!p) return lp_error_set(LP_ENOMEM, "out of memory");
    *arr = p;
    *cap = n;
    return 0;
}

LP_API int lp_registry_add_section_validator(lp_registry *reg, const char *key,
                                             lp_section_validator_fn fn)
{
    if (!reg) return lp_error_set(LP_EINVAL, "lp_registry_add_section_validator: NULL registry");
    if (!is_identifier(key))
        return lp_registry_fail(reg, LP_EINVAL, "section key '%s' is not a valid identifier",
                                key ? key : "(null)");
    if (!fn) return lp_registry_fail(reg, LP_EINVAL, "section key '%s' has no validator", key);
    if (core_section_key(key) || lp_registry_find_type(reg, key))
        return lp_registry_fail(reg, LP_EINVAL,
                                "section key '%s' is reserved (validation handles it)", key);
    for (size_t i = 0; i < reg->n_sections; i++)
        if (lp_streq_nocase(reg->sections[i].key, key))
            return lp_registry_fail(reg, LP_EEXISTS,
                                    "section key '%s' already has a validator from %s", key,
                                    reg->sections[i].source);
    void *arr = reg->sections;
    int rc = lp_registry_grow(&arr, &reg->cap_sections, reg->n_sections, sizeof *reg->sections);
    reg->sections = arr;
    if (rc) return rc;
    char *copy = lp_strdup(key);
    if (!copy) return LP_ENOMEM;
    reg->sections[reg->n_sections++] = (lp_reg_section){copy, fn, lp_registry_source(reg)};
    return 0;
}

LP_API int lp_registry_add_slot_role(lp_registry *reg, const char *slot, const char *type)
{
    if (!reg) return lp_error_set(LP_EINVAL, "lp_registry_add_slot_role: NULL registry");
    if (!is_identifier(slot))
        return lp_registry_fail(reg, LP_EINVAL, "role slot name '%s' is not a valid identifier",
                                slot ? slot : "(null)");
    if (core_section_key(slot) || lp_registry_find_type(reg, slot))
        return lp_registry_fail(reg, LP_EINVAL,
                                "role slot '%s' is reserved (a type or a section key)", slot);
    const lp_type *t = lp_registry_find_type(reg, type);
    if (!t || t->kind != LP_KIND_COMPONENT)
        return lp_registry_fail(reg, LP_EINVAL,
                                "role slot '%s' holds '%s', which is no registered %s", slot,
                                type ? type : "(null)", "component type");
    if (lp_registry_slot_role(reg, slot))
        return lp_registry_fail(reg, LP_EEXISTS, "role slot '%s' is already declared", slot);
    void *arr = reg->roles;
    int rc = lp_registry_grow(&arr, &reg->cap_roles, reg->n_roles, sizeof *reg->roles);
    reg->roles = arr;
    if (rc) return rc;
    lp_reg_role r = {lp_strdup(slot), lp_strdup(t->name), lp_registry_source(reg)};
    if (!r.slot || !r.type) {
        free(r.slot);
        free(r.type);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    reg->roles[reg->n_roles++] = r;
    return 0;
}

lp_section_validator_fn lp_registry_section_validator(const lp_registry *reg, const char *key)
{
    for (size_t i = 0; reg && key && i < reg->n_sections; i++)
        if (lp_streq_nocase(reg->sections[i].key, key)) return reg->sections[i].fn;
    return NULL;
}

size_t lp_registry_section_count(const lp_registry *reg)
{
    return reg ? reg->n_sections : 0;
}

const char *lp_registry_section_at(const lp_registry *reg, size_t i)
{
    return reg && i < reg->n_sections ? reg->sections[i].key : NULL;
}

const char *lp_registry_slot_role(const lp_registry *reg, const char *slot)
{
    for (size_t i = 0; reg && slot && i < reg->n_roles; i++)
        if (lp_streq_nocase(reg->roles[i].slot, slot)) return reg->roles[i].type;
    return NULL;
}

void lp_registry_drop_extensions(lp_registry *reg, size_t n_sections, size_t n_roles)
{
    for (; reg->n_sections > n_sections; reg->n_sections--)
        free(reg->sections[reg->n_sections - 1].key);
    for (; reg->n_roles > n_roles; reg->n_roles--) {
        free(reg->roles[reg->n_roles - 1].slot);
        free(reg->roles[reg->n_roles - 1].type);
    }
}

/* ---- look-ups and enumeration ------------------------------------------- */

LP_API const lp_type *lp_registry_find_type(const lp_registry *reg, const char *name)
{
    const lp_reg_item *it = reg ? list_find(&reg->types, name, type_name_of) : NULL;
    return it ? it->desc : NULL;
}

LP_API const lp_class *lp_registry_find_class(const lp_registry *reg, const char *name)
{
    const lp_reg_item *it = reg ? list_find(&reg->classes, name, class_name_of) : NULL;
    return it ? it->desc : NULL;
}

LP_API const lp_command *lp_registry_find_command(const lp_registry *reg, const char *name)
{
    const lp_reg_item *it = reg ? list_find(&reg->commands, name, command_name_of) : NULL;
    return it ? it->desc : NULL;
}

LP_API const char *lp_registry_class_source(const lp_registry *reg, const char *name)
{
    const lp_reg_item *it = reg ? list_find(&reg->classes, name, class_name_of) : NULL;
    return it ? it->source : NULL;
}

LP_API size_t lp_registry_class_count(const lp_registry *reg)
{
    return reg ? reg->classes.len : 0;
}
LP_API size_t lp_registry_type_count(const lp_registry *reg)
{
    return reg ? reg->types.len : 0;
}
LP_API size_t lp_registry_command_count(const lp_registry *reg)
{
    return reg ? reg->commands.len : 0;
}

LP_API const lp_class *lp_registry_class_at(const lp_registry *reg, size_t i)
{
    return reg && i < reg->classes.len ? reg->classes.items[i].desc : NULL;
}

LP_API const lp_type *lp_registry_type_at(const lp_registry *reg, size_t i)
{
    return reg && i < reg->types.len ? reg->types.items[i].desc : NULL;
}

LP_API const lp_command *lp_registry_command_at(const lp_registry *reg, size_t i)
{
    return reg && i < reg->commands.len ? reg->commands.items[i].desc : NULL;
}

/* ---- suggestions -------------------------------------------------------- */

typedef struct scored {
    size_t dist, index;
    const char *name;
} scored;

static int scored_cmp(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static bool prefix_nocase(const char *prefix, const char *s)
{
    for (; *prefix; prefix++, s++)
        if (tolower((unsigned char)*prefix) != tolower((unsigned char)*s)) return false;
    return true;
}

/* Plausible typos (distance <= max(2, len/3)) or names the word begins,
 * closest first, ties in registration order. */
LP_API size_t lp_registry_suggest_class(const lp_registry *reg, const char *name, const char **out,
                                        size_t max)
{
    if (!reg || !name || !*name || !out || max == 0 || reg->classes.len == 0) return 0;
    scored *s = malloc(reg->classes.len * sizeof *s);
    if (!s) return 0;
    size_t len = strlen(name), limit = len / 3 > 2 ? len / 3 : 2, n = 0;
    for (size_t i = 0; i < reg->classes.len; i++) {
        const char *cand = class_name_of(reg->classes.items[i].desc);
        size_t d = lp_edit_distance(name, cand);
        if (d <= limit || prefix_nocase(name, cand)) s[n++] = (scored){d, i, cand};
    }
    qsort(s, n, sizeof *s, scored_cmp);
    size_t k = n < max ? n : max;
    for (size_t i = 0; i < k; i++)
        out[i] = s[i].name;
    free(s);
    return k;
}

/* ---- default slots ------------------------------------------------------ */

static const lp_reg_slot *find_slot(const lp_registry *reg, const char *slot)
{
    for (size_t i = 0; reg && slot && i < reg->n_slots; i++)
        if (lp_streq_nocase(reg->slots[i].slot, slot)) return &reg->slots[i];
    return NULL;
}

/* Why `slot` -> `cls_name` cannot be registered (lp_registry_fail called), or 0. */
static int check_slot(lp_registry *reg, const char *slot, const char *cls_name)
{
    if (!is_identifier(slot))
        return lp_registry_fail(reg, LP_EINVAL, "default slot name '%s' is not a valid identifier",
                                slot ? slot : "(null)");
    /* the root's section holds the section keys: validation's own and registered ones */
    if (core_section_key(slot) || lp_registry_section_validator(reg, slot))
        return lp_registry_fail(reg, LP_EINVAL, "'%s' is a section key, not a slot for a default",
                                slot);
    const lp_reg_slot *old = find_slot(reg, slot);
    if (old)
        return lp_registry_fail(reg, LP_EEXISTS,
                                "default slot '%s' is already filled with %s by %s", slot, old->cls,
                                old->source);
    const lp_class *cls = lp_registry_find_class(reg, cls_name);
    if (!cls)
        return lp_registry_fail(reg, LP_EINVAL,
                                "default slot '%s': no class '%s' (register the class first)", slot,
                                cls_name ? cls_name : "(null)");
    if (cls->kind != LP_KIND_COMPONENT)
        return lp_registry_fail(reg, LP_EINVAL, "default slot '%s': class %s is not a component",
                                slot, cls->name);
    return 0;
}

LP_API int lp_registry_add_default_slot(lp_registry *reg, const char *slot, const char *class_name)
{
    if (!reg) return lp_error_set(LP_EINVAL, "lp_registry_add_default_slot: NULL registry");
    int rc = check_slot(reg, slot, class_name);
    if (rc) return rc;
    void *arr = reg->slots;
    rc = lp_registry_grow(&arr, &reg->cap_slots, reg->n_slots, sizeof *reg->slots);
    reg->slots = arr;
    if (rc) return rc;
    lp_reg_slot item = {lp_strdup(slot), lp_strdup(class_name), lp_registry_source(reg)};
    if (!item.slot || !item.cls) {
        free(item.slot);
        free(item.cls);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    reg->slots[reg->n_slots++] = item;
    return 0;
}

void lp_registry_slots_truncate(lp_registry *reg, size_t keep)
{
    while (reg->n_slots > keep) {
        lp_reg_slot *s = &reg->slots[--reg->n_slots];
        free(s->slot);
        free(s->cls);
    }
}

LP_API const char *lp_registry_default_slot(const lp_registry *reg, const char *slot)
{
    const lp_reg_slot *s = find_slot(reg, slot);
    return s ? s->cls : NULL;
}

LP_API size_t lp_registry_default_slot_count(const lp_registry *reg)
{
    return reg ? reg->n_slots : 0;
}

LP_API const char *lp_registry_default_slot_at(const lp_registry *reg, size_t i,
                                               const char **class_name)
{
    const lp_reg_slot *s = reg && i < reg->n_slots ? &reg->slots[i] : NULL;
    if (class_name) *class_name = s ? s->cls : NULL;
    return s ? s->slot : NULL;
}
