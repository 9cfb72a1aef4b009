/*
 * scaffold_gen.c — the files `lolpop init` and `lolpop create` write, from
 * the contract table (contracts.c) and the embedded templates.
 *
 * A class's source is header + the type's template code + trailer (method
 * table from the contract, class descriptor); its example runs every method
 * with StepRunner, after the fixture steps its sample arguments need; its
 * test checks each method's result shape.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "cli/scaffold/scaffold.h"

/* The sample data, and the settings of the sample data's model (only where
 * some class of the example reads them: unread keys are warned about). */
#define EXAMPLE_DATA    "  data:\n    sample: data/sample.csv\n"
#define EXAMPLE_PROBLEM "  problem_type: classification\n"
#define EXAMPLE_COLUMNS "  model_target: label\n  model_index: id\n  drop_columns: [group]\n"

const char *scaffold_kind_dir(scaffold_kind kind)
{
    static const char *const dirs[] = {"components", "pipelines", "runners", "commands"};
    return dirs[kind];
}

void scaffold_outputs_free(scaffold_output *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(out[i].path);
        free(out[i].text);
        out[i].path = out[i].text = NULL;
    }
}

/* ---- names of one request ---------------------------------------------------------------- */

typedef struct names {
    char *snake;  /* my_trainer */
    char *file;   /* src/components/my_trainer.c */
    char *upper;  /* PROJECT_NAME as a C identifier in upper case */
    char *slot;   /* the slot the examples put the class in: its type */
    char *plugin; /* ../build/lib<project>.so */
} names;

static void names_free(names *n)
{
    free(n->snake);
    free(n->file);
    free(n->upper);
    free(n->slot);
    free(n->plugin);
}

static int names_make(names *n, const scaffold_request *req)
{
    memset(n, 0, sizeof *n);
    n->snake = scaffold_snake(req->name);
    n->file = n->snake ? lp_asprintf("src/%s/%s.c", scaffold_kind_dir(req->kind), n->snake) : NULL;
    char *p = scaffold_snake(req->project);
    n->upper = p ? scaffold_upper(p) : NULL;
    free(p);
    n->slot = lp_strdup(req->type ? req->type : "");
    n->plugin = lp_asprintf("../build/lib%s.so", req->project);
    if (!n->snake || !n->file || !n->upper || !n->slot || !n->plugin) {
        names_free(n);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- small text helpers -------------------------------------------------------------------- */

/* s as C string literals of at most ~80 columns, split after spaces and
 * joined by newline + `cont` (new string). */
static char *c_literal(const char *s, const char *cont)
{
    lp_sb sb = {0};
    lp_sb_putc(&sb, '"');
    size_t col = 0;
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') lp_sb_putc(&sb, '\\');
        lp_sb_putc(&sb, *s == '\n' ? ' ' : *s);
        if (++col >= 72 && (*s == ' ' || *s == '\n') && s[1]) {
            lp_sb_appendf(&sb, "\"\n%s\"", cont);
            col = 0;
        }
    }
    lp_sb_putc(&sb, '"');
    return lp_sb_take(&sb);
}

/* Every line of text prefixed by `prefix` (new string). */
static char *indent(const char *text, const char *prefix)
{
    lp_sb sb = {0};
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        lp_sb_append(&sb, n ? prefix : "");
        lp_sb_appendn(&sb, line, n);
        lp_sb_putc(&sb, '\n');
        line += n + (line[n] == '\n');
    }
    return lp_sb_take(&sb);
}

/* The lines of a paragraph joined by spaces, trimmed (new string). */
static char *one_line(const char *text)
{
    lp_sb sb = {0};
    for (const char *p = text; *p; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c == ' ' && (sb.len == 0 || sb.buf[sb.len - 1] == ' ')) continue;
        lp_sb_putc(&sb, c);
    }
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    return lp_sb_take(&sb);
}

/* ---- fixtures -------------------------------------------------------------------------------- */

static bool has_method(const scaffold_contract *c, const char *name, size_t len)
{
    for (const scaffold_method *m = c ? c->methods : NULL; m && m->name; m++)
        if (strlen(m->name) == len && strncmp(m->name, name, len) == 0) return true;
    return false;
}

static void need_in(bool *need, const scaffold_contract *c, const char *text);

/* Marks fixture `name` (and what its arguments need) as needed. */
static void need_fixture(bool *need, const scaffold_contract *c, const char *name, size_t len)
{
    for (size_t i = 0; scaffold_fixtures[i].name; i++) {
        const scaffold_fixture *f = &scaffold_fixtures[i];
        if (strlen(f->name) != len || strncmp(f->name, name, len) != 0 || need[i]) continue;
        need[i] = true;
        need_in(need, c, f->args);
    }
}

/* Marks the fixtures that the "steps.NAME" references of text name. */
static void need_in(bool *need, const scaffold_contract *c, const char *text)
{
    for (const char *p = strstr(text, "steps."); p; p = strstr(p + 1, "steps.")) {
        const char *name = p + 6;
        size_t len = 0;
        while (islower((unsigned char)name[len]) || isdigit((unsigned char)name[len]) ||
               name[len] == '_')
            len++;
        if (!has_method(c, name, len)) need_fixture(need, c, name, len);
    }
}

/* ---- the example workflow -------------------------------------------------------------------- */

static bool fixture_needed(const bool *need, const char *name)
{
    for (size_t i = 0; scaffold_fixtures[i].name; i++)
        if (strcmp(scaffold_fixtures[i].name, name) == 0) return need[i];
    return false;
}

/* Whether the request's type is one of the space-separated words of list. */
static bool type_in(const scaffold_request *req, const char *list)
{
    size_t n = req->type ? strlen(req->type) : 0;
    for (const char *p = list; n && *p;) {
        size_t w = strcspn(p, " ");
        if (w == n && strncmp(p, req->type, n) == 0) return true;
        p += w + (p[w] == ' ');
    }
    return false;
}

/* "  slot: Class\n" for every component the example needs, deduplicated. */
static void example_components(lp_sb *sb, const scaffold_request *req, const bool *need)
{
    const char *done[32];
    size_t n = 0;
    if (req->kind == SCAFFOLD_COMPONENT) {
        lp_sb_appendf(sb, "  %s: %s\n", req->type, req->name);
        done[n++] = req->type;
    }
    for (size_t i = 0; scaffold_fixtures[i].name; i++) {
        const scaffold_fixture *f = &scaffold_fixtures[i];
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= strcmp(done[k], f->slot) == 0;
        if (!need[i] || !f->cls || seen || n == 32) continue;
        lp_sb_appendf(sb, "  %s: %s\n", f->slot, f->cls);
        done[n++] = f->slot;
    }
}

/* The steps: fixtures first, then every method of the class, with every
 * argument (optional ones too: the example shows the class accepts them). */
static void example_steps(lp_sb *sb, const scaffold_request *req, const scaffold_contract *c,
                          const bool *need)
{
    bool any = false;
    for (size_t i = 0; scaffold_fixtures[i].name; i++)
        any |= need[i];
    if (any) lp_sb_append(sb, "    # sample arguments for the methods below\n");
    for (size_t i = 0; scaffold_fixtures[i].name; i++) {
        const scaffold_fixture *f = &scaffold_fixtures[i];
        if (!need[i]) continue;
        lp_sb_appendf(sb, "    - call: %s.%s\n      args: %s\n      as: %s\n", f->slot, f->method,
                      f->args, f->name);
    }
    lp_sb_appendf(sb, "    # every method of %s\n", req->name);
    for (const scaffold_method *m = c->methods; m->name; m++) {
        lp_sb_appendf(sb, "    - call: %s.%s\n", req->type, m->name);
        if (m->args[0].name) lp_sb_append(sb, "      args:\n");
        for (const scaffold_arg *a = m->args; a->name; a++)
            lp_sb_appendf(sb, "        %s: %s\n", a->name, a->sample);
    }
}

/* The comment that opens every example. */
static void example_header(lp_sb *sb, const scaffold_request *req, const char *snake,
                           const char *runner)
{
    lp_sb_appendf(sb, "# examples/%s.yaml — runs %s", snake, req->name);
    if (req->kind == SCAFFOLD_RUNNER)
        lp_sb_append(sb, ", a runner, on data/sample.csv.\n");
    else
        lp_sb_appendf(sb,
                      " (a %s %s) through every method\n# of its contract with lolpop's "
                      "StepRunner, on data/sample.csv.\n",
                      req->type, req->kind == SCAFFOLD_PIPELINE ? "pipeline" : "component");
    lp_sb_appendf(sb,
                  "#\n# From the project root, after `meson setup build && meson compile -C "
                  "build`:\n#\n#   lolpop run workflow %s -c examples/%s.yaml\n#\n",
                  runner, snake);
    if (req->kind != SCAFFOLD_RUNNER)
        lp_sb_append(sb, "# Each step calls SLOT.method; its arguments are expressions over "
                         "`data` (the\n# frames of `data:`), `steps` (earlier results, by "
                         "`as`, default the method\n# name) and `config`; \"'text'\" is a "
                         "string.\n");
    lp_sb_appendf(sb, "# tests/test_%s.c runs this file and checks what %s returns.\n", snake,
                  req->kind == SCAFFOLD_RUNNER ? "build_all" : "every method");
}

static char *example_yaml(const scaffold_request *req, const scaffold_contract *c, const names *nm,
                          const char *yaml_section)
{
    lp_sb sb = {0};
    example_header(&sb, req, nm->snake, req->kind == SCAFFOLD_RUNNER ? req->name : "StepRunner");
    lp_sb_appendf(&sb, "plugin_paths:\n  - %s\n", nm->plugin);
    if (req->kind == SCAFFOLD_RUNNER) {
        lp_sb_append(&sb, yaml_section);
        return lp_sb_take(&sb);
    }
    bool need[64] = {false};
    for (const scaffold_method *m = c->methods; m->name; m++)
        for (const scaffold_arg *a = m->args; a->name; a++)
            need_in(need, c, a->sample);
    lp_sb comps = {0};
    example_components(&comps, req, need);
    if (comps.len) lp_sb_appendf(&sb, "component:\n%s", comps.buf);
    lp_sb_free(&comps);
    if (req->kind == SCAFFOLD_PIPELINE)
        lp_sb_appendf(&sb, "pipeline:\n  %s: %s\n", req->type, req->name);
    if (yaml_section && *yaml_section) {
        char *body = indent(yaml_section, "  ");
        lp_sb_appendf(&sb, "%s:\n%s", req->type, body ? body : "");
        free(body);
    }
    lp_sb_append(&sb, "config:\n");
    if (fixture_needed(need, "model") || type_in(req, "model_trainer hyperparameter_tuner train"))
        lp_sb_append(&sb, EXAMPLE_PROBLEM);
    if (fixture_needed(need, "splits") || type_in(req, "data_splitter train"))
        lp_sb_append(&sb, EXAMPLE_COLUMNS);
    lp_sb_append(&sb, EXAMPLE_DATA "  steps:\n");
    example_steps(&sb, req, c, need);
    return lp_sb_take(&sb);
}

/* ---- the class source ------------------------------------------------------------------------ */

/* "    {\"fit\", snake_fit, \"fit(splits, params?) -> model: ...\"},\n" for every method. */
static char *method_table(const scaffold_contract *c, const char *snake)
{
    lp_sb sb = {0};
    for (const scaffold_method *m = c->methods; m->name; m++) {
        char *sig = scaffold_signature(m);
        char *doc = sig ? lp_asprintf("%s: %s", sig, m->doc) : NULL;
        char *lit = doc ? c_literal(doc, "     ") : NULL;
        lp_sb_appendf(&sb, "    {\"%s\", %s_%s,\n     %s},\n", m->name, snake, m->name,
                      lit ? lit : "\"\"");
        free(lit);
        free(doc);
        free(sig);
    }
    return lp_sb_take(&sb);
}

/* The pseudo-contract of a runner: build_all. */
static const scaffold_contract runner_contract = {
    NULL, LP_KIND_RUNNER,
    (const scaffold_method[]){{"build_all", "rows, model, metrics", "runs the workflow",
                               "map:rows,model,metrics",
                               (const scaffold_arg[]){{NULL, NULL, NULL, false}}},
                              {NULL, NULL, NULL, NULL, NULL}},
    (const scaffold_method[]){{NULL, NULL, NULL, NULL, NULL}}};

/* The parts of the header and trailer that depend on the kind. */
static void kind_vars(const scaffold_request *req, char **what, char **command, char **contract,
                      char **includes, char **type_field)
{
    if (req->kind == SCAFFOLD_RUNNER) {
        *what = lp_strdup("a runner");
        *command = lp_asprintf("lolpop create runner %s", req->name);
        *contract = lp_asprintf("build_all runs the workflow; add methods and call them with\n"
                                " * `lolpop run workflow %s -b METHOD`.",
                                req->name);
        *includes = lp_strdup("");
        *type_field = lp_strdup("NULL");
        return;
    }
    const char *kind = req->kind == SCAFFOLD_PIPELINE ? "pipeline" : "component";
    *what = lp_asprintf("a %s %s", req->type, kind);
    *command = lp_asprintf("lolpop create %s %s %s", kind, req->type, req->name);
    *contract = lp_asprintf("every method of the %s contract (<lolpop/types/%s.h>),\n"
                            " * each with a placeholder behaviour that returns a value of the\n"
                            " * documented shape.",
                            req->type, req->type);
    *includes = lp_asprintf("#include <lolpop/types/%s.h>\n", req->type);
    *type_field = lp_asprintf("\"%s\"", req->type);
}

static char *class_source(const scaffold_request *req, const scaffold_contract *c, const names *nm,
                          const char *summary, const char *code)
{
    char *what = NULL, *command = NULL, *contract = NULL, *includes = NULL, *type_field = NULL;
    kind_vars(req, &what, &command, &contract, &includes, &type_field);
    char *sum = indent(summary, " * ");
    char *flat = one_line(summary);
    char *doc_text =
        flat ? lp_asprintf("%s (a skeleton made by lolpop create). %s", what ? what : "", flat)
             : NULL;
    if (doc_text && doc_text[0]) doc_text[0] = (char)toupper((unsigned char)doc_text[0]);
    char *doc = doc_text ? c_literal(doc_text, "           ") : NULL;
    char *methods = method_table(c, nm->snake);
    const char *kind = req->kind == SCAFFOLD_RUNNER     ? "LP_KIND_RUNNER"
                       : req->kind == SCAFFOLD_PIPELINE ? "LP_KIND_PIPELINE"
                                                        : "LP_KIND_COMPONENT";
    const scaffold_var vars[] = {
        {"FILE", nm->file},
        {"CLASS", req->name},
        {"SNAKE", nm->snake},
        {"TYPE", req->type ? req->type : ""},
        {"PROJECT", req->project},
        {"WHAT", what ? what : ""},
        {"COMMAND", command ? command : ""},
        {"CONTRACT", contract ? contract : ""},
        {"SUMMARY", sum ? sum : ""},
        {"RUNNER", req->kind == SCAFFOLD_RUNNER ? req->name : "StepRunner"},
        {"INCLUDES", includes ? includes : ""},
        {"METHODS", methods ? methods : ""},
        {"KIND", kind},
        {"TYPE_FIELD", type_field ? type_field : "NULL"},
        {"DOC", doc ? doc : "\"\""},
        {NULL, NULL},
    };
    char *head = scaffold_render(scaffold_template("class/header.c"), vars, "class/header.c");
    char *body = head ? scaffold_render(code, vars, "code") : NULL;
    char *tail =
        body ? scaffold_render(scaffold_template("class/trailer.c"), vars, "class/trailer.c")
             : NULL;
    char *out = tail ? lp_asprintf("%s%s%s", head, body, tail) : NULL;
    free(head);
    free(body);
    free(tail);
    free(what);
    free(command);
    free(contract);
    free(includes);
    free(type_field);
    free(sum);
    free(flat);
    free(doc_text);
    free(doc);
    free(methods);
    return out;
}

/* ---- the test -------------------------------------------------------------------------------- */

static char *class_test(const scaffold_request *req, const scaffold_contract *c, const names *nm)
{
    lp_sb expect = {0};
    for (const scaffold_method *m = c->methods; m->name; m++)
        lp_sb_appendf(&expect, "    {\"%s\", \"%s\"},\n", m->name, m->shape);
    char *table = lp_sb_take(&expect);
    const char *kind = req->kind == SCAFFOLD_PIPELINE ? "pipeline" : "component";
    const scaffold_var vars[] = {
        {"CLASS", req->name}, {"SNAKE", nm->snake}, {"TYPE", req->type ? req->type : ""},
        {"KIND", kind},       {"SLOT", nm->slot},   {"EXPECT", table ? table : ""},
        {NULL, NULL},
    };
    const char *tmpl = req->kind == SCAFFOLD_RUNNER ? "class/runner_test.c" : "class/test.c";
    char *out = scaffold_render(scaffold_template(tmpl), vars, tmpl);
    free(table);
    return out;
}

/* ---- requests ------------------------------------------------------------------------------ */

/* The template of a kind and type: its name under templates/ (static buffer). */
static const char *template_name(const scaffold_request *req)
{
    static char name[128];
    if (req->kind == SCAFFOLD_RUNNER) return "class/runner.c";
    snprintf(name, sizeof name, "%s/%s.c",
             req->kind == SCAFFOLD_PIPELINE ? "pipeline" : "component", req->type);
    return name;
}

static int generate_command(scaffold_output *out, size_t *n, const scaffold_request *req,
                            const names *nm)
{
    const scaffold_var vars[] = {
        {"FILE", nm->file},        {"NAME", req->name}, {"SNAKE", nm->snake},
        {"PROJECT", req->project}, {NULL, NULL},
    };
    out[0].path = lp_strdup(nm->file);
    out[0].text = scaffold_render(scaffold_template("class/command.c"), vars, "class/command.c");
    out[1].path = lp_asprintf("tests/test_%s.c", nm->snake);
    out[1].text = out[0].text ? scaffold_render(scaffold_template("class/command_test.c"), vars,
                                                "class/command_test.c")
                              : NULL;
    *n = 2;
    return out[0].path && out[0].text && out[1].path && out[1].text ? 0 : LP_ERROR;
}

int scaffold_generate(scaffold_output *out, size_t *n, const scaffold_request *req)
{
    *n = 0;
    names nm;
    int rc = names_make(&nm, req);
    if (rc != 0) return rc;
    if (req->kind == SCAFFOLD_COMMAND) {
        rc = generate_command(out, n, req, &nm);
        names_free(&nm);
        return rc;
    }
    const scaffold_contract *c =
        req->kind == SCAFFOLD_RUNNER ? &runner_contract : scaffold_contract_find(req->type);
    const char *tmpl = c ? scaffold_template(template_name(req)) : NULL;
    if (!tmpl) {
        names_free(&nm);
        return lp_error_set(LP_ENOTFOUND, "no template for %s", template_name(req));
    }
    char *summary = scaffold_section(tmpl, "summary");
    char *yaml = scaffold_section(tmpl, "yaml");
    char *code = scaffold_section(tmpl, "code");
    char *yaml_vars = NULL;
    if (summary && yaml && code) {
        const scaffold_var vars[] = {{"CLASS", req->name}, {NULL, NULL}};
        yaml_vars = scaffold_render(yaml, vars, "yaml");
    }
    if (yaml_vars) {
        out[0].path = lp_strdup(nm.file);
        out[0].text = class_source(req, c, &nm, summary, code);
        out[1].path = lp_asprintf("tests/test_%s.c", nm.snake);
        out[1].text = class_test(req, c, &nm);
        out[2].path = lp_asprintf("examples/%s.yaml", nm.snake);
        out[2].text = example_yaml(req, c, &nm, yaml_vars);
        *n = 3;
    }
    rc = *n == 3 && out[0].path && out[0].text && out[1].path && out[1].text && out[2].path &&
                 out[2].text
             ? 0
             : (lp_error_last()->code ? lp_error_last()->code : LP_ERROR);
    free(summary);
    free(yaml);
    free(code);
    free(yaml_vars);
    names_free(&nm);
    return rc;
}

char *scaffold_def_line(const scaffold_request *req)
{
    char *snake = scaffold_snake(req->name);
    char *line = !snake ? NULL
                 : req->kind == SCAFFOLD_COMMAND
                     ? lp_asprintf("LP_COMMAND(\"%s\", %s_command, \"src/commands/%s.c\")\n",
                                   req->name, snake, snake)
                 : req->type && strcmp(req->type, "model_trainer") == 0
                     /* a trainer's models load back through its registered back-end */
                     ? lp_asprintf("LP_MODEL_BACKEND(%s_backend, \"src/%s/%s.c\")\n"
                                   "LP_CLASS(%s, %s_class, \"src/%s/%s.c\")\n",
                                   snake, scaffold_kind_dir(req->kind), snake, req->name, snake,
                                   scaffold_kind_dir(req->kind), snake)
                     : lp_asprintf("LP_CLASS(%s, %s_class, \"src/%s/%s.c\")\n", req->name, snake,
                                   scaffold_kind_dir(req->kind), snake);
    free(snake);
    return line;
}

/* ---- the project ------------------------------------------------------------------------------
 */

int scaffold_generate_project(scaffold_output *out, size_t *n, const char *project)
{
    static const char *const files[][2] = {
        {"project/meson.build", "meson.build"},
        {"project/README.md", "README.md"},
        {"project/gitignore", ".gitignore"},
        {"project/plugin.c", "src/plugin.c"},
        {"project/classes.def", "src/classes.def"},
        {"project/extension.h", "src/extension.h"},
        {"project/test_plugin.c", "tests/test_plugin.c"},
        {"project/lolpop_test.h", "tests/lolpop_test.h"},
        {"project/workflow.yaml", "examples/workflow.yaml"},
        {"project/sample.csv", "examples/data/sample.csv"},
    };
    char *snake = scaffold_snake(project);
    char *upper = snake ? scaffold_upper(snake) : NULL;
    const scaffold_var vars[] = {
        {"PROJECT", project}, {"PROJECT_UPPER", upper ? upper : ""}, {NULL, NULL}};
    int rc = upper ? 0 : LP_ENOMEM;
    *n = 0;
    for (size_t i = 0; rc == 0 && i < sizeof files / sizeof files[0]; i++) {
        const char *tmpl = scaffold_template(files[i][0]);
        out[*n].path = lp_strdup(files[i][1]);
        out[*n].text = tmpl ? scaffold_render(tmpl, vars, files[i][0]) : NULL;
        if (!tmpl) lp_error_set(LP_ENOTFOUND, "no template %s", files[i][0]);
        rc = out[*n].path && out[*n].text ? 0 : LP_ERROR;
        (*n)++;
    }
    free(snake);
    free(upper);
    return rc;
}
