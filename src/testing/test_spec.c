/*
 * test_spec.c — reads `tests:` sections (SPEC §8) into hooks, reporting every
 * problem with its file:line:col at validation time:
 *
 *     tests:
 *       transform:                      # a method of the section's class
 *         pre_hooks:
 *           - hook: libchecks.so:check_source_exists
 *         post_hooks:
 *           - check: "rows(result) > 500"
 *             name: enough rows         # optional
 *           - "nulls(result, 'survived') == 0"   # shorthand for check:
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing_internal.h"

typedef struct spec_ctx {
    const lp_class *cls;
    const char *label;
    lp_obj *obj;
    lp_test_hooks *out;
    lp_diags *d;
    size_t errors;
} spec_ctx;

static void problem(spec_ctx *c, const lp_origin *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(spec_ctx *c, const lp_origin *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_diags_addv(c->d, LP_SEV_ERROR, where, c->label, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* A quoted YAML scalar's origin is its opening quote; the expression starts
 * one column later. Reads that line of the file to tell. */
static lp_origin text_origin(const lp_value *text)
{
    const lp_origin *o = lp_value_origin(text);
    lp_origin at = o ? *o : (lp_origin){0};
    if (at.kind != LP_ORIGIN_FILE || !at.source || at.line < 1 || at.col < 1) return at;
    FILE *f = fopen(at.source, "r");
    if (!f) return at;
    int line = 1, col = 1, ch;
    while ((ch = fgetc(f)) != EOF && !(line == at.line && col == at.col)) {
        if (ch == '\n')
            line++, col = 1;
        else
            col++;
    }
    if (line == at.line && col == at.col && (ch == '"' || ch == '\'')) at.col++;
    fclose(f);
    return at;
}

static bool valid_hook_spec(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) return false;
    if (!isalpha((unsigned char)colon[1]) && colon[1] != '_') return false;
    for (const char *p = colon + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return false;
    return true;
}

/* Parses a check expression; a syntax error becomes a located diag. */
static lp_expr *parse_check(spec_ctx *c, const lp_value *text, bool post)
{
    lp_origin at = text_origin(text);
    lp_expr *e = NULL;
    if (lp_expr_parse(&e, lp_value_as_string(text), &at) != 0) {
        /* the error's own strings live in the error slot: copy what we keep */
        const lp_error *err = lp_error_last();
        lp_origin pos = at;
        if (err->line > 0) pos.line = err->line, pos.col = err->col;
        char *msg = lp_strdup(err->message);
        problem(c, &pos, "check expression: %s", msg ? msg : "syntax error");
        free(msg);
        return NULL;
    }
    if (!post && lp_expr_uses_name(e, "result")) {
        problem(c, &at,
                "a pre-hook runs before the method: its check cannot use 'result' "
                "(move it to post_hooks)");
        lp_expr_free(e);
        return NULL;
    }
    return e;
}

static int push_hook(spec_ctx *c, lp_test_hook *h)
{
    lp_test_hooks *l = c->out;
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        lp_test_hook *v = realloc(l->v, cap * sizeof *v);
        if (!v) return LP_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->len++] = *h;
    return 0;
}

static void hook_fields_free(lp_test_hook *h)
{
    free(h->label);
    free(h->method);
    free(h->spec);
    free(h->name);
    lp_expr_free(h->expr);
}

/* Keeps a parsed hook when the caller wants them; else frees it. */
static void keep(spec_ctx *c, lp_test_hook *h)
{
    if (c->out) {
        h->obj = c->obj;
        h->label = lp_strdup(c->label);
        if (h->label && h->method && h->spec && push_hook(c, h) == 0) return;
        problem(c, &h->where, "out of memory");
    }
    hook_fields_free(h);
}

/* `timeout:` of a hook: a positive number of seconds. */
static bool read_timeout(spec_ctx *c, const lp_value *v, double *out)
{
    double t = lp_value_as_float(v);
    if ((lp_value_type(v) != LP_INT && lp_value_type(v) != LP_FLOAT) || !(t > 0) || t > 86400) {
        problem(c, lp_value_origin(v),
                "'timeout:' must be a number of seconds above 0 (at most "
                "a day)");
        return false;
    }
    *out = t;
    return true;
}

/* Reads `name:`, `timeout:` and exactly one of `check:` / `hook:` from an entry map. */
static bool read_entry_map(spec_ctx *c, const lp_value *entry, const lp_value **check,
                           const lp_value **hook, const lp_value **name, double *timeout)
{
    static const char *const keys[] = {"check", "hook", "name", "timeout"};
    bool ok = true, timed = false;
    for (size_t i = 0; i < lp_map_len(entry); i++) {
        const char *k = lp_map_key(entry, i);
        const lp_value *v = lp_map_value(entry, i);
        if (strcmp(k, "timeout") == 0) {
            ok = read_timeout(c, v, timeout) && ok;
            timed = true;
            continue;
        }
        const lp_value **slot = strcmp(k, "check") == 0  ? check
                                : strcmp(k, "hook") == 0 ? hook
                                : strcmp(k, "name") == 0 ? name
                                                         : NULL;
        if (!slot) {
            const char *s = lp_suggest(k, keys, 4);
            problem(c, lp_map_key_origin(entry, i), "unknown key '%s' in a test%s%s%s", k,
                    s ? "; did you mean '" : " (a test has check: or hook:, name: and timeout:)",
                    s ? s : "", s ? "'?" : "");
            ok = false;
        } else if (lp_value_type(v) != LP_STRING || !*lp_value_as_string(v)) {
            problem(c, lp_value_origin(v), "'%s:' must be a non-empty string, got %s", k,
                    lp_vtype_name(lp_value_type(v)));
            ok = false;
        } else {
            *slot = v;
        }
    }
    if (ok && !!*check == !!*hook) {
        problem(c, lp_value_origin(entry),
                "a test needs exactly one of check: \"EXPRESSION\" "
                "or hook: FILE:FUNCTION");
        ok = false;
    }
    if (ok && timed && *check) {
        problem(c, lp_value_origin(entry),
                "'timeout:' applies to hook: tests (a check always "
                "finishes)");
        ok = false;
    }
    return ok;
}

static void parse_entry(spec_ctx *c, const char *method, bool post, const lp_value *entry)
{
    const lp_value *check = NULL, *hook = NULL, *name = NULL;
    double timeout = LP_TEST_HOOK_TIMEOUT;
    if (lp_value_type(entry) == LP_STRING) {
        check = entry;
    } else if (lp_value_type(entry) != LP_MAP) {
        problem(c, lp_value_origin(entry),
                "a test must be a map (check: or hook:) or an expression string, got %s",
                lp_vtype_name(lp_value_type(entry)));
        return;
    } else if (!read_entry_map(c, entry, &check, &hook, &name, &timeout)) {
        return;
    }
    const lp_value *text = check ? check : hook;
    lp_test_hook h = {.post = post, .is_check = check != NULL, .timeout = timeout};
    const lp_origin *o = lp_value_origin(entry);
    if (o) h.where = *o;
    if (hook && !valid_hook_spec(lp_value_as_string(hook))) {
        problem(c, lp_value_origin(hook),
                "hook '%s' must be FILE:FUNCTION, e.g. "
                "libchecks.so:check_rows",
                lp_value_as_string(hook));
        return;
    }
    if (check && !(h.expr = parse_check(c, check, post))) return;
    h.method = lp_strdup(method);
    h.spec = lp_strdup(lp_value_as_string(text));
    h.name = name ? lp_strdup(lp_value_as_string(name)) : NULL;
    keep(c, &h);
}

static void parse_list(spec_ctx *c, const char *method, bool post, const lp_value *list,
                       const lp_origin *key_at)
{
    if (lp_value_type(list) == LP_NULL) return;
    if (lp_value_type(list) != LP_LIST) {
        problem(c, lp_value_origin(list) ? lp_value_origin(list) : key_at,
                "'%s' must be a list of tests, got %s", post ? "post_hooks" : "pre_hooks",
                lp_vtype_name(lp_value_type(list)));
        return;
    }
    for (size_t i = 0; i < lp_list_len(list); i++)
        parse_entry(c, method, post, lp_list_get(list, i));
}

/* The method must exist: "OfflineProcess has no method 'transfrom_data'; did you mean ...". */
static void check_method(spec_ctx *c, const char *method, const lp_origin *at)
{
    if (!c->cls || lp_class_method(c->cls, method)) return;
    size_t n = 0;
    for (const lp_method *m = c->cls->methods; m && m->name; m++)
        n++;
    const char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++)
        names[i] = c->cls->methods[i].name;
    const char *s = names ? lp_suggest(method, names, n) : NULL;
    problem(c, at, "tests for '%s': %s has no such method%s%s%s", method, c->cls->name,
            s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
    free(names);
}

static void parse_method(spec_ctx *c, const char *method, const lp_value *hooks,
                         const lp_origin *at)
{
    check_method(c, method, at); /* and read on: every problem is reported at once */
    if (lp_value_type(hooks) == LP_NULL) return;
    if (lp_value_type(hooks) != LP_MAP) {
        problem(c, lp_value_origin(hooks) ? lp_value_origin(hooks) : at,
                "tests for '%s' must be a map with pre_hooks and/or post_hooks, got %s", method,
                lp_vtype_name(lp_value_type(hooks)));
        return;
    }
    static const char *const keys[] = {"pre_hooks", "post_hooks"};
    for (size_t i = 0; i < lp_map_len(hooks); i++) {
        const char *k = lp_map_key(hooks, i);
        const lp_origin *kat = lp_map_key_origin(hooks, i);
        if (lp_streq_nocase(k, "pre_hooks") || lp_streq_nocase(k, "post_hooks")) {
            parse_list(c, method, lp_streq_nocase(k, "post_hooks"), lp_map_value(hooks, i), kat);
            continue;
        }
        const char *s = lp_suggest(k, keys, 2);
        problem(c, kat, "unknown key '%s' in the tests of '%s'; expected %s", k, method,
                s ? s : "pre_hooks or post_hooks");
    }
}

size_t lp_tests_parse(const lp_class *cls, const char *label, const lp_value *tests, lp_obj *obj,
                      lp_test_hooks *out, lp_diags *diags)
{
    spec_ctx c = {cls, label ? label : "?", obj, out, diags, 0};
    if (lp_value_type(tests) == LP_NULL) return 0;
    if (lp_value_type(tests) != LP_MAP) {
        problem(&c, lp_value_origin(tests),
                "'tests:' must be a map of method name -> hooks, got %s",
                lp_vtype_name(lp_value_type(tests)));
        return c.errors;
    }
    for (size_t i = 0; i < lp_map_len(tests); i++)
        parse_method(&c, lp_map_key(tests, i), lp_map_value(tests, i), lp_map_key_origin(tests, i));
    return c.errors;
}

void lp_test_hooks_free(lp_test_hooks *hooks)
{
    for (size_t i = 0; i < hooks->len; i++)
        hook_fields_free(&hooks->v[i]);
    free(hooks->v);
    *hooks = (lp_test_hooks){0};
}
