/*
 * test_scaffold.c — the contract table (src/core/builtin_types.def) as core and
 * `lolpop create` read it, against the hand-written contract headers under
 * include/lolpop/types/ (contract lines and typed helpers), the fixtures and samples of the
 * examples, the templates (every one renders, defines every method), and the name rules.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scaffold/scaffold.h"
#include "lolpop.h"

/* ---- core and scaffold read the same table (src/core/builtin_types.def) ---------------- */

/* The names of a NULL-terminated list equal those of a scaffold method list. */
static void expect_same_methods(const char *type, const char *what, const char *const *names,
                                const scaffold_method *methods)
{
    size_t i = 0;
    for (; names && names[i]; i++) {
        cr_assert_not_null(methods[i].name, "%s: the scaffold lacks %s method %s", type, what,
                           names[i]);
        cr_expect_str_eq(methods[i].name, names[i], "%s %s method %zu", type, what, i);
    }
    cr_expect_null(methods[i].name, "%s: the scaffold has an extra %s method %s", type, what,
                   methods[i].name);
}

Test(scaffold, every_builtin_type_has_a_contract_with_the_same_methods_in_order)
{
    size_t n_types = 0;
    for (const lp_type *t = lp_builtin_types; t->name; t++, n_types++) {
        const scaffold_contract *c = scaffold_contract_find(t->name);
        cr_assert_not_null(c, "no scaffold contract for type %s", t->name);
        cr_expect_eq(c->kind, t->kind, "kind of %s", t->name);
        expect_same_methods(t->name, "required", t->methods, c->methods);
        expect_same_methods(t->name, "optional", t->optional_methods, c->optional);
    }
    size_t n_contracts = 0;
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        n_contracts++;
    cr_expect_eq(n_contracts, n_types, "%zu contracts for %zu types", n_contracts, n_types);
    cr_expect_eq(n_types, 26, "22 component types and 4 pipeline types, got %zu", n_types);
}

Test(scaffold, run_info_is_an_optional_method_of_metadata_tracker)
{
    const lp_type *t = NULL;
    for (const lp_type *x = lp_builtin_types; x->name && !t; x++)
        if (strcmp(x->name, "metadata_tracker") == 0) t = x;
    cr_assert_not_null(t);
    cr_assert_not_null(t->optional_methods);
    cr_expect_str_eq(t->optional_methods[0], "run_info");
    cr_expect_null(t->optional_methods[1]);
    for (const char *const *m = t->methods; *m; m++)
        cr_expect_str_neq(*m, "run_info", "run_info must not be required");
}

/* ---- the table equals the contract headers ------------------------------------------------ */

/* The whole header of `type` (malloc'ed). */
static char *header_text(const char *type)
{
    char path[512];
    snprintf(path, sizeof path, "%s/include/lolpop/types/%s.h", LP_SOURCE_ROOT, type);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t cap = 1 << 17;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    size_t len = fread(text, 1, cap - 1, f);
    fclose(f);
    text[len] = '\0';
    return text;
}

/* What disagrees between a contract and a header: the count and the first reason. */
typedef struct mismatch {
    size_t n;
    char first[512];
} mismatch;

__attribute__((format(printf, 2, 3))) static void disagree(mismatch *mm, const char *fmt, ...)
{
    if (mm->n++ > 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mm->first, sizeof mm->first, fmt, ap);
    va_end(ap);
}

/* The contract lines of a header text: "   name(args) -> results", in order. */
static size_t header_signatures(const char *text, char sigs[][256], size_t max)
{
    size_t n = 0;
    bool in_contract = false;
    for (const char *line = text; *line && n < max;) {
        size_t len = strcspn(line, "\n");
        const char *next = line + len + (line[len] == '\n');
        if (strncmp(line, " * Contract:", 12) == 0) in_contract = true;
        if (strncmp(line, " * The inline helpers", 21) == 0) break;
        /* " *   name(" : three spaces, then an identifier and '(' */
        const char *p = line + 5;
        if (in_contract && len > 5 && strncmp(line, " *   ", 5) == 0 &&
            islower((unsigned char)*p)) {
            while (islower((unsigned char)*p) || *p == '_')
                p++;
            if (*p == '(') snprintf(sigs[n++], 256, "%.*s", (int)(len - 5), line + 5);
        }
        line = next;
    }
    return n;
}

/* "name(a, b?) -> r" of a table entry, optional arguments marked '?'. */
static void table_signature(char *out, size_t size, const scaffold_method *m)
{
    size_t len = (size_t)snprintf(out, size, "%s(", m->name);
    for (const scaffold_arg *a = m->args; a->name; a++)
        len += (size_t)snprintf(out + len, size - len, "%s%s%s", a == m->args ? "" : ", ", a->name,
                                a->optional ? "?" : "");
    snprintf(out + len, size - len, ")%s%s", m->result ? " -> " : "", m->result ? m->result : "");
}

/* Contract lines: required methods, then optional ones, as the table lists
 * them; every optional argument documented as "name: optional; doc". */
static void check_contract_lines(mismatch *mm, const scaffold_contract *c, const char *text)
{
    char sigs[32][256];
    size_t n = header_signatures(text, sigs, 32), i = 0;
    const scaffold_method *lists[] = {c->methods, c->optional};
    for (size_t l = 0; l < 2; l++)
        for (const scaffold_method *m = lists[l]; m->name; m++, i++) {
            char mine[256];
            table_signature(mine, sizeof mine, m);
            if (i >= n)
                disagree(mm, "%s.h documents fewer methods than the table (%s)", c->type, mine);
            else if (strcmp(mine, sigs[i]) != 0)
                disagree(mm, "%s: the table says '%s', the header '%s'", c->type, mine, sigs[i]);
            for (const scaffold_arg *a = m->args; a->name; a++) {
                char want[512];
                snprintf(want, sizeof want, " *       %s: optional; %s\n", a->name, a->doc);
                if (a->optional && !strstr(text, want))
                    disagree(mm, "%s.h does not document %s's optional argument as '%.*s'", c->type,
                             m->name, (int)strlen(want) - 1, want);
            }
        }
    if (i != n) disagree(mm, "%s: %zu methods in the table, %zu in the header", c->type, i, n);
}

/* Helper names the table asks for: lp_<type>_<method>, and for a method with
 * optional arguments also lp_<type>_<method>_<optional names joined by '_'>
 * (which passes them all). With_opts picks which. */
static void helper_name(char *out, size_t size, const scaffold_contract *c,
                        const scaffold_method *m, bool with_opts)
{
    size_t len = (size_t)snprintf(out, size, "lp_%s_%s", c->type, m->name);
    for (const scaffold_arg *a = m->args; with_opts && a->name; a++)
        if (a->optional) len += (size_t)snprintf(out + len, size - len, "_%s", a->name);
}

static bool has_optional(const scaffold_method *m)
{
    for (const scaffold_arg *a = m->args; a->name; a++)
        if (a->optional) return true;
    return false;
}

/* The body of the static inline helper `name` (from its name to its closing
 * brace), or NULL. *len is set. */
static const char *helper_body(const char *text, const char *name, size_t *len)
{
    char want[256];
    snprintf(want, sizeof want, "%s(", name);
    for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
        if (p == text || (p[-1] != ' ' && p[-1] != '*' && p[-1] != '\n')) continue;
        /* the declaration starts on this line, or on the one before when the name was wrapped */
        const char *line = p;
        if (line[-1] == '\n' && line - 1 > text) line--;
        while (line > text && line[-1] != '\n')
            line--;
        if (strncmp(line, "static inline ", 14) != 0) continue;
        const char *end = strstr(p, "\n}\n");
        *len = end ? (size_t)(end - p) : strlen(p);
        return p;
    }
    return NULL;
}

/* The helper passes the arguments of m by name, in order (optional ones only
 * when with_opts). */
static void check_helper_args(mismatch *mm, const char *name, const char *body, size_t len,
                              const scaffold_method *m, bool with_opts)
{
    char *copy = strndup(body, len);
    cr_assert_not_null(copy);
    const char *at = copy;
    for (const scaffold_arg *a = m->args; a->name; a++) {
        char key[96];
        snprintf(key, sizeof key, "\"%s\",", a->name);
        const char *found = strstr(at, key);
        if (a->optional && !with_opts) {
            if (strstr(copy, key)) disagree(mm, "%s passes the optional argument %s", name, key);
            continue;
        }
        if (!found)
            disagree(mm, "%s does not pass argument %s (in the table's order)", name, key);
        else
            at = found + strlen(key);
    }
    free(copy);
}

/* Every static inline lp_<type>_... helper of text is one the table asks for. */
static void check_no_extra_helpers(mismatch *mm, const scaffold_contract *c, const char *text)
{
    char prefix[96];
    snprintf(prefix, sizeof prefix, "lp_%s_", c->type);
    for (const char *p = strstr(text, "static inline "); p; p = strstr(p + 1, "static inline ")) {
        /* the name is on this line, or on the next when it was wrapped */
        const char *eol = p + strcspn(p, "\n");
        if (*eol) eol += 1 + strcspn(eol + 1, "\n");
        const char *name = strstr(p, prefix);
        if (!name || name > eol || (name[-1] != ' ' && name[-1] != '*' && name[-1] != '\n'))
            continue;
        size_t nlen = strcspn(name, "(");
        bool known = false;
        const scaffold_method *lists[] = {c->methods, c->optional};
        for (size_t l = 0; l < 2 && !known; l++)
            for (const scaffold_method *m = lists[l]; m->name && !known; m++)
                for (int w = 0; w < 2 && !known; w++) {
                    char want[200];
                    helper_name(want, sizeof want, c, m, w == 1);
                    known = strlen(want) == nlen && strncmp(want, name, nlen) == 0 &&
                            (w == 0 || has_optional(m));
                }
        if (!known)
            disagree(mm, "%s.h has helper %.*s, which the table does not ask for", c->type,
                     (int)nlen, name);
    }
}

/* The header's typed helpers: `#define LP_<TYPE>_<METHOD> "method"` names and
 * the helpers of helper_name, exactly one per method of the table (required
 * and optional) and one more per method with optional arguments, no more;
 * each passes its arguments by name. */
static void check_helpers(mismatch *mm, const scaffold_contract *c, const char *text)
{
    size_t n_table = 0;
    const scaffold_method *lists[] = {c->methods, c->optional};
    for (size_t l = 0; l < 2; l++)
        for (const scaffold_method *m = lists[l]; m->name; m++, n_table++) {
            for (int w = 0; w < (has_optional(m) ? 2 : 1); w++) {
                char name[200];
                size_t len = 0;
                helper_name(name, sizeof name, c, m, w == 1);
                const char *body = helper_body(text, name, &len);
                if (!body)
                    disagree(mm, "%s.h has no helper %s()", c->type, name);
                else
                    check_helper_args(mm, name, body, len, m, w == 1);
            }
            char want[160];
            snprintf(want, sizeof want, "\"%s\"\n", m->name);
            if (!strstr(text, want))
                disagree(mm, "%s.h has no method name macro for %s", c->type, m->name);
        }
    check_no_extra_helpers(mm, c, text);
    /* Every method-name macro of the header names a method of the table. */
    size_t n_macros = 0;
    for (const char *p = strstr(text, "#define LP_"); p; p = strstr(p + 1, "#define LP_")) {
        const char *q = strchr(p, '"');
        const char *eol = strchr(p, '\n');
        if (!q || (eol && q > eol + 200)) continue;
        if (strncmp(p, "#define LP_TYPE_", 16) == 0) continue; /* the type's own name */
        const char *end = strchr(q + 1, '"');
        if (!end) continue;
        size_t nlen = (size_t)(end - q - 1);
        bool known = false;
        for (size_t l = 0; l < 2 && !known; l++)
            for (const scaffold_method *m = lists[l]; m->name && !known; m++)
                known = strlen(m->name) == nlen && strncmp(m->name, q + 1, nlen) == 0;
        if (!known)
            disagree(mm, "%s.h names method '%.*s', which the table lacks", c->type, (int)nlen,
                     q + 1);
        n_macros++;
    }
    if (n_macros != n_table)
        disagree(mm, "%s.h: %zu method macros, %zu methods in the table", c->type, n_macros,
                 n_table);
}

/* Everything a header must agree on with contract c. */
static mismatch header_mismatch(const scaffold_contract *c, const char *text)
{
    mismatch mm = {0};
    check_contract_lines(&mm, c, text);
    check_helpers(&mm, c, text);
    return mm;
}

Test(scaffold, every_contract_header_agrees_with_the_table)
{
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++) {
        char *text = header_text(c->type);
        mismatch mm = header_mismatch(c, text);
        cr_expect_eq(mm.n, 0, "%zu disagreements, the first: %s", mm.n, mm.first);
        free(text);
    }
}

/* text with the first `from` replaced by `to` (malloc'ed). */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    cr_assert_not_null(at, "no '%s' to replace", from);
    size_t head = (size_t)(at - text), tail = strlen(at + strlen(from));
    char *out = malloc(head + strlen(to) + tail + 1);
    cr_assert_not_null(out);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

/* The check fails whenever a header and the table disagree on an optional
 * argument, whichever side is wrong. */
Test(scaffold, a_header_disagreeing_on_an_optional_argument_is_caught)
{
    const scaffold_contract *c = scaffold_contract_find("model_trainer");
    cr_assert_not_null(c);
    char *text = header_text("model_trainer");
    const char *breaks[][2] = {
        /* the contract line drops the '?' argument */
        {" *   fit(splits, params?) -> model\n", " *   fit(splits) -> model\n"},
        /* ... or marks it required */
        {" *   predict(frame, model?) -> predictions", " *   predict(frame, model) -> predictions"},
        /* its documentation line loses "optional;" */
        {" *       params: optional; ", " *       params: "},
        /* the helper that passes it is missing (renamed) */
        {"lp_model_trainer_predict_proba_model(", "lp_model_trainer_predict_proba_with("},
        /* the helper does not pass it */
        {"\"params\", lp_type_arg(params)", "lp_type_arg(params)"},
        /* the plain helper passes it */
        {"LP_MODEL_TRAINER_FIT, \"splits\", lp_type_arg(splits),\n                        "
         "(const char *)NULL",
         "LP_MODEL_TRAINER_FIT, \"splits\", lp_type_arg(splits), \"params\", NULL,\n"
         "                        (const char *)NULL"},
    };
    for (size_t k = 0; k < sizeof breaks / sizeof *breaks; k++) {
        char *bad = replaced(text, breaks[k][0], breaks[k][1]);
        mismatch mm = header_mismatch(c, bad);
        cr_expect_gt(mm.n, 0, "break %zu (%s) went unnoticed", k, breaks[k][1]);
        free(bad);
    }
    /* The table without fit's optional params: the header's fit_params and
     * its contract line are now extra. */
    scaffold_method methods[16];
    size_t n = 0;
    for (; c->methods[n].name; n++)
        methods[n] = c->methods[n];
    methods[n] = c->methods[n];
    cr_assert_str_eq(methods[0].name, "fit");
    const scaffold_arg fit_args[] = {methods[0].args[0], {NULL, NULL, NULL, false}};
    methods[0].args = fit_args;
    scaffold_contract narrowed = *c;
    narrowed.methods = methods;
    mismatch mm = header_mismatch(&narrowed, text);
    cr_expect_gt(mm.n, 0, "a header with more optional arguments than the table went unnoticed");
    cr_expect_eq(header_mismatch(c, text).n, 0, "%s", header_mismatch(c, text).first);
    free(text);
}

/* ---- optional arguments --------------------------------------------------------------------- */

Test(scaffold, optional_arguments_follow_the_required_ones_and_have_samples)
{
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++) {
        const scaffold_method *lists[] = {c->methods, c->optional};
        for (size_t l = 0; l < 2; l++)
            for (const scaffold_method *m = lists[l]; m->name; m++) {
                bool seen_optional = false;
                for (const scaffold_arg *a = m->args; a->name; a++) {
                    cr_expect(!seen_optional || a->optional,
                              "%s.%s: required argument %s after an optional one", c->type, m->name,
                              a->name);
                    seen_optional |= a->optional;
                    cr_expect(a->doc && *a->doc && a->sample && *a->sample, "%s.%s(%s)", c->type,
                              m->name, a->name);
                }
            }
    }
}

/* The arguments a method's signature shows, as the table declares them. */
static void expect_signature(const char *type, const char *method, const char *want)
{
    const scaffold_contract *c = scaffold_contract_find(type);
    cr_assert_not_null(c, "%s", type);
    const scaffold_method *m = c->methods;
    while (m->name && strcmp(m->name, method) != 0)
        m++;
    cr_assert_not_null(m->name, "%s has no method %s", type, method);
    char *sig = scaffold_signature(m);
    cr_expect_str_eq(sig, want);
    free(sig);
}

/* What the built-in trainers (the trainer kit) and loggers accept, and what
 * the experiment code and the tuners pass. */
Test(scaffold, the_types_declare_their_optional_arguments)
{
    expect_signature("model_trainer", "fit", "fit(splits, params?) -> model");
    expect_signature("model_trainer", "predict", "predict(frame, model?) -> predictions");
    expect_signature("model_trainer", "predict_proba",
                     "predict_proba(frame, model?) -> probabilities");
    expect_signature("model_trainer", "calculate_metrics",
                     "calculate_metrics(splits, predictions, metrics, model?) -> metrics");
    expect_signature("model_trainer", "save", "save(path, model?)");
    expect_signature("model_trainer", "load", "load(path)");
    expect_signature("logger", "log", "log(level, message, fields, source?)");
    expect_signature("data_checker", "check_data",
                     "check_data(frame, previous?) -> report, path, status");
    expect_signature("model_checker", "get_baseline_comparison",
                     "get_baseline_comparison(splits, model, predictions?) -> report");
    /* no other type declares one (a new one needs its header's helpers too) */
    size_t n = 0;
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        for (const scaffold_method *m = c->methods; m->name; m++)
            n += has_optional(m);
    cr_expect_eq(n, 8, "methods with optional arguments: %zu", n);
}

/* ---- samples and fixtures ----------------------------------------------------------------- */

/* Index of the fixture named name[0..len), or -1. */
static long fixture_index(const char *name, size_t len)
{
    for (size_t i = 0; scaffold_fixtures[i].name; i++)
        if (strlen(scaffold_fixtures[i].name) == len &&
            strncmp(scaffold_fixtures[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* Every steps.NAME in text names a fixture before `limit` (fixtures) or a
 * method of c before `before` (the class's earlier steps). */
static void check_refs(const char *text, const scaffold_contract *c, size_t before, long limit,
                       const char *where)
{
    for (const char *p = strstr(text, "steps."); p; p = strstr(p + 1, "steps.")) {
        const char *name = p + 6;
        size_t len = 0;
        while (islower((unsigned char)name[len]) || isdigit((unsigned char)name[len]) ||
               name[len] == '_')
            len++;
        bool own = false;
        for (size_t i = 0; c && i < before; i++)
            own |= strlen(c->methods[i].name) == len && strncmp(c->methods[i].name, name, len) == 0;
        long f = fixture_index(name, len);
        cr_expect(own || (f >= 0 && f < limit),
                  "%s: steps.%.*s is neither an earlier method "
                  "nor an earlier fixture",
                  where, (int)len, name);
    }
}

Test(scaffold, fixtures_only_use_earlier_fixtures)
{
    for (long i = 0; scaffold_fixtures[i].name; i++)
        check_refs(scaffold_fixtures[i].args, NULL, 0, i, scaffold_fixtures[i].name);
}

Test(scaffold, samples_only_use_fixtures_and_earlier_methods)
{
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        for (size_t i = 0; c->methods[i].name; i++)
            for (const scaffold_arg *a = c->methods[i].args; a->name; a++) {
                char where[128];
                snprintf(where, sizeof where, "%s.%s(%s)", c->type, c->methods[i].name, a->name);
                check_refs(a->sample, c, i, 1000, where);
            }
}

/* Whether every '|'-separated word of shapes is a shape the test knows. */
static bool valid_shapes(const char *shapes)
{
    static const char *const known[] = {"frame", "model", "map",    "list", "string",
                                        "bool",  "int",   "number", "null", "any"};
    for (const char *s = shapes; *s;) {
        size_t n = strcspn(s, "|:");
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            ok |= strlen(known[k]) == n && strncmp(known[k], s, n) == 0;
        if (!ok) return false;
        if (s[n] == ':') n += strcspn(s + n, "|"); /* map:keys */
        s += n + (s[n] == '|');
    }
    return true;
}

Test(scaffold, result_shapes_are_known_and_match_the_result_names)
{
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        for (const scaffold_method *m = c->methods; m->name; m++) {
            cr_expect(valid_shapes(m->shape), "%s.%s: shape '%s'", c->type, m->name, m->shape);
            /* no result documented: the method returns null */
            if (!m->result) cr_expect_str_eq(m->shape, "null", "%s.%s", c->type, m->name);
            /* a result "a, b" is a map with those keys */
            if (m->result && strchr(m->result, ','))
                cr_expect(strncmp(m->shape, "map:", 4) == 0, "%s.%s: '%s' is a map", c->type,
                          m->name, m->result);
        }
}

/* ---- templates ------------------------------------------------------------------------------ */

/* Generates a class of kind/type and checks what every output must hold. */
static void check_generated(scaffold_kind kind, const char *type)
{
    scaffold_request req = {kind, type, "ProbeClass", "probe-ext"};
    scaffold_output out[4] = {{0}};
    size_t n = 0;
    int rc = scaffold_generate(out, &n, &req);
    cr_assert_eq(rc, 0, "%s: %s", type, lp_error_last()->message);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(out[0].path, kind == SCAFFOLD_RUNNER     ? "src/runners/probe_class.c"
                                  : kind == SCAFFOLD_PIPELINE ? "src/pipelines/probe_class.c"
                                                              : "src/components/probe_class.c");
    cr_expect_str_eq(out[1].path, "tests/test_probe_class.c");
    cr_expect_str_eq(out[2].path, "examples/probe_class.yaml");
    const scaffold_contract *c = type ? scaffold_contract_find(type) : NULL;
    for (const scaffold_method *m = c ? c->methods : NULL; m && m->name; m++) {
        char want[160];
        snprintf(want, sizeof want, "static lp_value *probe_class_%s(lp_obj *self, lp_value *args)",
                 m->name);
        cr_expect(strstr(out[0].text, want), "%s: the source lacks %s", type, want);
        snprintf(want, sizeof want, "{\"%s\", probe_class_%s,", m->name, m->name);
        cr_expect(strstr(out[0].text, want), "%s: the method table lacks %s", type, m->name);
        snprintf(want, sizeof want, "    - call: %s.%s\n", type, m->name);
        cr_expect(strstr(out[2].text, want), "%s: the example never calls %s", type, m->name);
        snprintf(want, sizeof want, "{\"%s\", \"%s\"},", m->name, m->shape);
        cr_expect(strstr(out[1].text, want), "%s: the test does not check %s", type, m->name);
    }
    cr_expect(strstr(out[0].text, "TODO: replace"), "%s: no TODO: replace", type);
    cr_expect(strstr(out[0].text, "const lp_class probe_class_class = {"), "%s", type);
    cr_expect(strstr(out[2].text, "plugin_paths:\n  - ../build/libprobe-ext.so\n"), "%s", type);
    cr_expect_null(strchr(out[0].text, '@'), "%s: a placeholder was left: %s", type,
                   strchr(out[0].text, '@'));
    scaffold_outputs_free(out, n);
}

Test(scaffold, every_type_generates_a_source_test_and_example_covering_its_contract)
{
    for (const scaffold_contract *c = scaffold_contracts; c->type; c++)
        check_generated(c->kind == LP_KIND_PIPELINE ? SCAFFOLD_PIPELINE : SCAFFOLD_COMPONENT,
                        c->type);
    check_generated(SCAFFOLD_RUNNER, NULL);
}

Test(scaffold, examples_configure_only_the_fixtures_they_use)
{
    scaffold_request req = {SCAFFOLD_COMPONENT, "model_trainer", "MyTrainer", "p"};
    scaffold_output out[4] = {{0}};
    size_t n = 0;
    cr_assert_eq(scaffold_generate(out, &n, &req), 0);
    const char *yaml = out[2].text;
    /* the class in its slot, the splitter its samples need; no second trainer */
    cr_expect(strstr(yaml, "component:\n  model_trainer: MyTrainer\n  data_splitter: "
                           "LocalDataSplitter\n"),
              "%s", yaml);
    cr_expect_null(strstr(yaml, "LinearModelTrainer"), "%s", yaml);
    cr_expect(strstr(yaml, "    - call: data_splitter.split_data\n      args: {frame: "
                           "data.sample}\n      as: splits\n"),
              "%s", yaml);
    cr_expect(strstr(yaml, "        predictions: {valid: steps.predict}\n"), "%s", yaml);
    scaffold_outputs_free(out, n);

    scaffold_request cache = {SCAFFOLD_COMPONENT, "cache_manager", "MyCache", "p"};
    cr_assert_eq(scaffold_generate(out, &n, &cache), 0);
    cr_expect_null(strstr(out[2].text, "model_target"), "no model settings:\n%s", out[2].text);
    cr_expect_null(strstr(out[2].text, "# sample arguments"), "no fixtures:\n%s", out[2].text);
    cr_expect(strstr(out[2].text, "        key: \"'answer'\"\n        value: 42\n"), "%s",
              out[2].text);
    scaffold_outputs_free(out, n);
}

Test(scaffold, a_command_generates_its_source_and_test)
{
    scaffold_request req = {SCAFFOLD_COMMAND, NULL, "my-report", "p"};
    scaffold_output out[4] = {{0}};
    size_t n = 0;
    cr_assert_eq(scaffold_generate(out, &n, &req), 0);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(out[0].path, "src/commands/my_report.c");
    cr_expect(strstr(out[0].text, "const lp_command my_report_command = {"));
    cr_expect(strstr(out[0].text, ".name = \"my-report\","));
    cr_expect(strstr(out[1].text, "lp_registry_find_command(w.reg, \"my-report\")"));
    char *line = scaffold_def_line(&req);
    cr_expect_str_eq(line, "LP_COMMAND(\"my-report\", my_report_command, "
                           "\"src/commands/my_report.c\")\n");
    free(line);
    scaffold_outputs_free(out, n);
}

Test(scaffold, a_project_has_every_file_and_no_placeholder_left)
{
    scaffold_output out[16] = {{0}};
    size_t n = 0;
    cr_assert_eq(scaffold_generate_project(out, &n, "my-ext"), 0);
    cr_expect_eq(n, 10);
    const char *want[] = {"meson.build",
                          "src/plugin.c",
                          "src/classes.def",
                          "tests/test_plugin.c",
                          "tests/lolpop_test.h",
                          "examples/workflow.yaml",
                          "examples/data/sample.csv"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(out[i].path, want[k]) == 0;
        cr_expect(found, "no %s", want[k]);
    }
    for (size_t i = 0; i < n; i++) {
        const char *at = strchr(out[i].text, '@');
        cr_expect_null(at, "%s: placeholder left: %.20s", out[i].path, at);
        if (strcmp(out[i].path, "src/extension.h") == 0)
            cr_expect(strstr(out[i].text, "#ifndef MY_EXT_EXTENSION_H"), "guard from the name");
        if (strcmp(out[i].path, "meson.build") == 0)
            cr_expect(strstr(out[i].text, "project('my-ext', 'c',"));
        if (strcmp(out[i].path, "examples/data/sample.csv") == 0) {
            size_t lines = 0;
            for (const char *p = out[i].text; *p; p++)
                lines += *p == '\n';
            cr_expect_eq(lines, 41, "header + 40 rows, got %zu lines", lines);
        }
    }
    scaffold_outputs_free(out, n);
}

/* ---- rendering and names -------------------------------------------------------------------- */

Test(scaffold, render_replaces_known_placeholders_and_refuses_unknown_ones)
{
    const scaffold_var vars[] = {{"CLASS", "Foo"}, {"SNAKE", "foo"}, {NULL, NULL}};
    char *s = scaffold_render("@CLASS@ is @SNAKE@; mail a@b, @@x", vars, "t");
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "Foo is foo; mail a@b, @@x");
    free(s);
    lp_error_clear();
    cr_expect_null(scaffold_render("x @CLAS@ y", vars, "probe"));
    cr_expect_eq(lp_error_last()->code, LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "@CLAS@"), "%s", lp_error_last()->message);
    cr_expect(strstr(lp_error_last()->message, "probe"), "%s", lp_error_last()->message);
}

Test(scaffold, sections_split_at_double_at_lines)
{
    const char *t = "@@summary\none\ntwo\n@@yaml\nconfig: {}\n@@code\nint x;\n";
    char *s = scaffold_section(t, "summary"), *y = scaffold_section(t, "yaml"),
         *c = scaffold_section(t, "code"), *none = scaffold_section(t, "other");
    cr_expect_str_eq(s, "one\ntwo\n");
    cr_expect_str_eq(y, "config: {}\n");
    cr_expect_str_eq(c, "int x;\n");
    cr_expect_null(none);
    free(s);
    free(y);
    free(c);
}

Test(scaffold, snake_case_names)
{
    const char *cases[][2] = {{"MyTrainer", "my_trainer"},
                              {"HTTPServer", "http_server"},
                              {"XGBoostTrainer", "xg_boost_trainer"},
                              {"my-cmd", "my_cmd"},
                              {"ABC", "abc"},
                              {"Trainer2Go", "trainer2_go"},
                              {"already_snake", "already_snake"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *s = scaffold_snake(cases[i][0]);
        cr_expect_str_eq(s, cases[i][1], "%s", cases[i][0]);
        free(s);
    }
}

Test(scaffold, class_and_slug_names)
{
    cr_expect(scaffold_valid_class("MyTrainer"));
    cr_expect(scaffold_valid_class("A_1"));
    cr_expect_not(scaffold_valid_class(""));
    cr_expect_not(scaffold_valid_class("1Trainer"));
    cr_expect_not(scaffold_valid_class("My-Trainer"));
    cr_expect_not(scaffold_valid_class("_Hidden"));
    char long_name[70];
    memset(long_name, 'A', 65);
    long_name[65] = '\0';
    cr_expect_not(scaffold_valid_class(long_name));
    cr_expect(scaffold_valid_slug("my-ext_2"));
    cr_expect_not(scaffold_valid_slug("My-ext"));
    cr_expect_not(scaffold_valid_slug("-x"));
    cr_expect_not(scaffold_valid_slug("a b"));
    cr_expect_not(scaffold_valid_slug("../x"));
}
