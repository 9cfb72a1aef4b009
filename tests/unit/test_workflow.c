/*
 * test_workflow.c — the instance tree (visibility, defaults), config lookup,
 * validation (every error kind, locations, all problems at once) and
 * init/fini order. Uses its own tiny classes in a fresh registry (plus what
 * the testing framework registers for tests: sections).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "testing/testing_internal.h"

/* ---- test classes -------------------------------------------------------- */

static lp_value *m_none(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

/* init/fini journal: "I:path" / "F:path" joined by spaces */
static char journal[1024];
static const char *fail_init_path; /* an object whose init fails */

static void note(const char *what, lp_obj *self)
{
    const char *p = lp_obj_path(self);
    strncat(journal, what, sizeof journal - strlen(journal) - 1);
    strncat(journal, p[0] ? p : "<root>", sizeof journal - strlen(journal) - 1);
    strncat(journal, " ", sizeof journal - strlen(journal) - 1);
}

static int t_init(lp_obj *self)
{
    if (fail_init_path && strcmp(lp_obj_path(self), fail_init_path) == 0)
        return lp_error_set(LP_EIO, "cannot open the store");
    note("I:", self);
    return 0;
}

static void t_fini(lp_obj *self)
{
    note("F:", self);
}

static const lp_method logger_methods[] = {{"log", m_none, "log"}, {NULL, NULL, NULL}};
static const lp_method notifier_methods[] = {{"notify", m_none, "notify"}, {NULL, NULL, NULL}};
static const lp_method widget_methods[] = {{"poke", m_none, "poke"}, {NULL, NULL, NULL}};
static const lp_method stage_methods[] = {{"run", m_none, "run"}, {NULL, NULL, NULL}};
static const lp_method runner_methods[] = {{"build_all", m_none, "all"}, {NULL, NULL, NULL}};

static const lp_type t_widget = {"widget", LP_KIND_COMPONENT, "w",
                                 (const char *const[]){"poke", NULL}};
static const lp_type t_gadget = {"gadget", LP_KIND_COMPONENT, "g",
                                 (const char *const[]){"poke", NULL}};
static const lp_type t_stage = {"stage", LP_KIND_PIPELINE, "s", (const char *const[]){"run", NULL}};

static const lp_config_key logger_keys[] = {{"log_level", "string", "level"}, {NULL, NULL, NULL}};
static const lp_class c_logger = {"StdOutLogger",
                                  LP_KIND_COMPONENT,
                                  "logger",
                                  "test logger",
                                  "log_level: INFO\n",
                                  NULL,
                                  logger_keys,
                                  logger_methods,
                                  0,
                                  t_init,
                                  t_fini};
static const lp_class c_logger2 = {"OtherLogger", LP_KIND_COMPONENT, "logger", "other", NULL,  NULL,
                                   NULL,          logger_methods,    0,        t_init,  t_fini};
static const lp_class c_notifier = {"StdOutNotifier",
                                    LP_KIND_COMPONENT,
                                    "notifier",
                                    "n",
                                    NULL,
                                    NULL,
                                    NULL,
                                    notifier_methods,
                                    0,
                                    t_init,
                                    t_fini};

static const lp_config_key widget_keys[] = {
    {"size", "int", "size"},    {"ratio", "float", "ratio"},  {"flag", "bool", "flag"},
    {"names", "list", "names"}, {"label", "string", "label"}, {NULL, NULL, NULL}};
static const lp_class c_widget = {"Widget",
                                  LP_KIND_COMPONENT,
                                  "widget",
                                  "a widget",
                                  "size: 3\ncolor: red\nparams: {a: 1, b: 2}\n",
                                  NULL,
                                  widget_keys,
                                  widget_methods,
                                  16,
                                  t_init,
                                  t_fini};
static const lp_class c_gadget = {"Gadget", LP_KIND_COMPONENT,
                                  "gadget", "a gadget",
                                  NULL,     (const char *const[]){"config.gadget_url", NULL},
                                  NULL,     widget_methods,
                                  0,        t_init,
                                  t_fini};
static const lp_config_key stage_keys[] = {{"threshold", "float", "t"}, {NULL, NULL, NULL}};
static const lp_class c_stage = {
    "Stage",    LP_KIND_PIPELINE,
    "stage",    "a stage",
    NULL,       (const char *const[]){"component.widget", "config.sql|config.sql_file", NULL},
    stage_keys, stage_methods,
    0,          t_init,
    t_fini};
static const lp_class c_plain_stage = {"PlainStage", LP_KIND_PIPELINE, "stage", "s",    NULL,  NULL,
                                       NULL,         stage_methods,    0,       t_init, t_fini};
static const lp_config_key runner_keys[] = {{"data", "string", "d"}, {NULL, NULL, NULL}};
static const lp_class c_runner = {
    "TestRunner",
    LP_KIND_RUNNER,
    NULL,
    "runner",
    "mode: fast\n",
    (const char *const[]){"pipeline.train", "config.model_target", "component.gadget", NULL},
    runner_keys,
    runner_methods,
    0,
    t_init,
    t_fini};
static const lp_class c_bare_runner = {"BareRunner", LP_KIND_RUNNER, NULL, "runner", NULL,  NULL,
                                       NULL,         runner_methods, 0,    t_init,   t_fini};

static lp_registry *reg;

static void setup(void)
{
    journal[0] = 0;
    fail_init_path = NULL;
    reg = lp_registry_new();
    cr_assert_not_null(reg);
    cr_assert_eq(lp_registry_add_type(reg, &t_widget), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_type(reg, &t_gadget), 0);
    cr_assert_eq(lp_registry_add_type(reg, &t_stage), 0);
    const lp_class *all[] = {&c_logger, &c_logger2,     &c_notifier, &c_widget,     &c_gadget,
                             &c_stage,  &c_plain_stage, &c_runner,   &c_bare_runner};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cr_assert_eq(lp_registry_add_class(reg, all[i]), 0, "%s", lp_error_last()->message);
    /* tests: sections and the test_logger slot, as the built-in plugin registers them */
    cr_assert_eq(lp_testing_register(reg), 0, "%s", lp_error_last()->message);
    /* default slots are registered, as the built-in plugin registers its own */
    cr_assert_eq(lp_registry_add_default_slot(reg, "logger", "StdOutLogger"), 0);
    cr_assert_eq(lp_registry_add_default_slot(reg, "notifier", "StdOutNotifier"), 0);
}

static void teardown(void)
{
    lp_registry_free(reg);
    unsetenv("LOLPOP_MODEL_TARGET");
    unsetenv("LOLPOP_TEST_ONLY_ENV");
    unsetenv("LOLPOP_SIZE");
}

TestSuite(workflow, .init = setup, .fini = teardown);

static lp_value *parse(const char *yaml)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_value *doc = NULL;
    int rc = lp_yaml_parse(&doc, yaml, strlen(yaml), "test.yaml", &d);
    cr_assert_eq(rc, 0, "yaml: %s", d.len ? d.items[0].message : "?");
    lp_diags_clear(&d);
    return doc;
}

/* Index of the first diagnostic whose message contains `needle`, or -1. */
static long find_diag(const lp_diags *d, lp_severity sev, const char *needle)
{
    for (size_t i = 0; i < d->len; i++)
        if (d->items[i].severity == sev && strstr(d->items[i].message, needle)) return (long)i;
    return -1;
}

static void dump(const lp_diags *d)
{
    lp_diags_print(d, stderr, 0);
}

static const char *full_doc = "pipeline:\n"
                              "  train: Stage\n"
                              "  other: PlainStage\n"
                              "component:\n"
                              "  gadget: Gadget\n"
                              "config:\n"
                              "  model_target: y\n"
                              "  gadget_url: http://x\n"
                              "  data: root-data\n"
                              "train:\n"
                              "  component:\n"
                              "    widget: Widget\n"
                              "  config:\n"
                              "    sql: select 1\n"
                              "    threshold: 0.5\n"
                              "  widget:\n"
                              "    component:\n"
                              "      gadget: Gadget\n"
                              "    config:\n"
                              "      size: 7\n"
                              "      params: {a: 10}\n";

static lp_workflow *build(const char *yaml, const char *runner, int flags, lp_value **doc_out)
{
    lp_value *doc = parse(yaml);
    lp_diags d;
    lp_diags_init(&d);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_new(&wf, reg, doc, runner, flags, &d);
    if (rc) dump(&d);
    cr_assert_eq(rc, 0, "workflow: %s", lp_error_last()->message);
    lp_diags_clear(&d);
    *doc_out = doc;
    return wf;
}

/* ---- tree and visibility ---------------------------------------------- */

Test(workflow, tree_shape_and_children_order)
{
    lp_value *doc;
    lp_workflow *wf = build(full_doc, "TestRunner", 0, &doc);
    lp_obj *root = lp_workflow_root(wf);
    cr_assert_str_eq(lp_obj_name(root), "TestRunner");
    cr_assert_str_eq(lp_obj_path(root), "");
    cr_assert_null(lp_obj_parent(root));
    cr_assert_eq(lp_workflow_registry(wf), reg);
    cr_assert_eq(lp_workflow_document(wf), doc);
    /* pipelines, then components, then the defaults */
    cr_assert_eq(lp_obj_child_count(root), 5);
    const char *names[] = {"train", "other", "gadget", "logger", "notifier"};
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(lp_obj_name(lp_obj_child_at(root, i)), names[i]);
    cr_assert_null(lp_obj_child_at(root, 5));
    lp_obj *train = lp_obj_pipeline(root, "train");
    cr_assert_str_eq(lp_obj_class(train)->name, "Stage");
    lp_obj *widget = lp_obj_component(train, "widget");
    cr_assert_str_eq(lp_obj_path(widget), "train.widget");
    cr_assert_eq(lp_obj_parent(widget), train);
    cr_assert_eq(lp_obj_workflow(widget), wf);
    cr_assert_not_null(lp_obj_state(widget)); /* state_size 16 */
    cr_assert_null(lp_obj_state(train));
    cr_assert_eq(lp_value_type(lp_obj_section(widget)), LP_MAP);
    cr_assert_null(lp_obj_pipeline(root, "gadget")); /* a component, not a pipeline */
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

Test(workflow, visibility_rules)
{
    lp_value *doc;
    lp_workflow *wf = build(full_doc, "TestRunner", 0, &doc);
    lp_obj *root = lp_workflow_root(wf);
    lp_obj *train = lp_obj_pipeline(root, "train");
    lp_obj *other = lp_obj_pipeline(root, "other");
    lp_obj *widget = lp_obj_component(train, "widget");
    lp_obj *root_gadget = lp_obj_component(root, "gadget");
    lp_obj *own_gadget = lp_obj_child_at(widget, 0);
    cr_assert_not_null(widget);
    cr_assert_str_eq(lp_obj_path(own_gadget), "train.widget.gadget");
    /* runner-level components are visible to all */
    cr_assert_eq(lp_obj_component(train, "gadget"), root_gadget);
    cr_assert_eq(lp_obj_component(other, "gadget"), root_gadget);
    /* a component's own components are visible to itself, and shadow the root's */
    cr_assert_eq(lp_obj_component(widget, "gadget"), own_gadget);
    /* no leaking between sibling pipelines, nor upwards */
    cr_assert_null(lp_obj_component(other, "widget"));
    cr_assert_null(lp_obj_component(root, "widget"));
    cr_assert_eq(lp_obj_component(train, "gadget"), root_gadget); /* not widget's own */
    /* defaults at the root, seen from everywhere */
    lp_obj *logger = lp_obj_component(root, "logger");
    cr_assert_str_eq(lp_obj_class(logger)->name, "StdOutLogger");
    cr_assert_eq(lp_obj_component(own_gadget, "logger"), logger);
    cr_assert_str_eq(lp_obj_class(lp_obj_component(widget, "notifier"))->name, "StdOutNotifier");
    /* LocalMetadataTracker is not registered: silently absent */
    cr_assert_null(lp_obj_component(root, "metadata_tracker"));
    cr_assert_null(lp_obj_component(root, NULL));
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

Test(workflow, declared_default_slot_and_default_section_config)
{
    lp_value *doc;
    lp_workflow *wf = build("component: {logger: OtherLogger}\n"
                            "notifier:\n  config: {channel: ops}\n",
                            "BareRunner", 0, &doc);
    lp_obj *root = lp_workflow_root(wf);
    cr_assert_str_eq(lp_obj_class(lp_obj_component(root, "logger"))->name, "OtherLogger");
    cr_assert_eq(lp_obj_child_count(root), 2); /* declared logger + default notifier */
    lp_obj *notifier = lp_obj_component(root, "notifier");
    char *ch = lp_obj_config_string(notifier, "channel");
    cr_assert_str_eq(ch, "ops");
    free(ch);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

/* ---- config lookup ---------------------------------------------------- */

Test(workflow, config_lookup_order)
{
    lp_value *doc;
    setenv("LOLPOP_TEST_ONLY_ENV", "from-env", 1);
    lp_workflow *wf = build(full_doc, "TestRunner", 0, &doc);
    lp_obj *root = lp_workflow_root(wf);
    lp_obj *train = lp_obj_pipeline(root, "train");
    lp_obj *widget = lp_obj_component(train, "widget");
    /* own config beats the class default */
    cr_assert_eq(lp_obj_config_int(widget, "size", -1), 7);
    /* class default when not set */
    lp_value *color = lp_obj_config(widget, "color");
    cr_assert_str_eq(lp_value_as_string(color), "red");
    cr_assert_eq(lp_value_origin(color)->kind, LP_ORIGIN_DEFAULT);
    cr_assert_str_eq(lp_value_origin(color)->source, "Widget");
    lp_value_unref(color);
    /* maps: own config merged over the default map */
    lp_value *params = lp_obj_config(widget, "params");
    cr_assert_eq(lp_value_as_int(lp_map_get(params, "a")), 10);
    cr_assert_eq(lp_value_as_int(lp_map_get(params, "b")), 2);
    lp_value_unref(params);
    /* then the parent's, up to the root (config and the runner's defaults) */
    cr_assert_float_eq(lp_obj_config_float(widget, "threshold", 0), 0.5, 1e-12);
    char *data = lp_obj_config_string(widget, "data");
    cr_assert_str_eq(data, "root-data");
    free(data);
    char *mode = lp_obj_config_string(widget, "MODE"); /* case-insensitive */
    cr_assert_str_eq(mode, "fast");
    free(mode);
    /* then the environment: LOLPOP_ and the key upper-cased */
    lp_value *e = lp_obj_config(widget, "test_only_env");
    cr_assert_str_eq(lp_value_as_string(e), "from-env");
    cr_assert_eq(lp_value_origin(e)->kind, LP_ORIGIN_ENV);
    cr_assert_str_eq(lp_value_origin(e)->source, "LOLPOP_TEST_ONLY_ENV");
    lp_value_unref(e);
    /* an unprefixed variable of the key's name is never read */
    setenv("LP_T_UNPREFIXED", "from-shell", 1);
    cr_assert_null(lp_obj_config(widget, "lp_t_unprefixed"));
    unsetenv("LP_T_UNPREFIXED");
    /* then not found */
    cr_assert_null(lp_obj_config(widget, "no_such_key_anywhere"));
    cr_assert_eq(lp_obj_config_int(widget, "no_such_key_anywhere", 42), 42);
    cr_assert_null(lp_obj_config_string(widget, "no_such_key_anywhere"));
    /* a parent does not see its children's config */
    cr_assert_null(lp_obj_config(root, "sql"));
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

Test(workflow, config_typed_shortcuts_and_env_conversion)
{
    lp_value *doc;
    setenv("LOLPOP_TEST_ONLY_ENV", "true", 1);
    lp_workflow *wf =
        build("config: {n: 5, f: 2.5, b: false, s: text, l: [1]}\n", "BareRunner", 0, &doc);
    lp_obj *root = lp_workflow_root(wf);
    cr_assert_eq(lp_obj_config_int(root, "n", 0), 5);
    cr_assert_float_eq(lp_obj_config_float(root, "n", 0), 5.0, 1e-12); /* int widens */
    cr_assert_float_eq(lp_obj_config_float(root, "f", 0), 2.5, 1e-12);
    cr_assert_eq(lp_obj_config_int(root, "f", 9), 9); /* float is not an int */
    cr_assert_eq(lp_obj_config_bool(root, "b", true), false);
    cr_assert_eq(lp_obj_config_bool(root, "s", true), true); /* wrong type: default */
    cr_assert_eq(lp_obj_config_bool(root, "test_only_env", false), true);
    char *n = lp_obj_config_string(root, "n");
    cr_assert_str_eq(n, "5");
    free(n);
    cr_assert_null(lp_obj_config_string(root, "l"));
    setenv("LOLPOP_TEST_ONLY_ENV", "17", 1);
    cr_assert_eq(lp_obj_config_int(root, "test_only_env", 0), 17);
    cr_assert_float_eq(lp_obj_config_float(root, "test_only_env", 0), 17.0, 1e-12);
    setenv("LOLPOP_TEST_ONLY_ENV", "0", 1);
    cr_assert_eq(lp_obj_config_bool(root, "test_only_env", true), false);
    setenv("LOLPOP_TEST_ONLY_ENV", "1.5x", 1);
    cr_assert_eq(lp_obj_config_int(root, "test_only_env", 3), 3);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}

/* ---- validation ------------------------------------------------------- */

static lp_diags validate(const char *yaml, const char *runner, int flags, int expect_rc)
{
    lp_value *doc = parse(yaml);
    lp_diags d;
    lp_diags_init(&d);
    int rc = lp_workflow_validate(reg, doc, runner, flags, &d);
    if (rc != expect_rc) dump(&d);
    cr_assert_eq(rc, expect_rc);
    lp_value_unref(doc);
    return d;
}

static void expect(const lp_diags *d, lp_severity sev, const char *needle, int line, int col,
                   const char *section)
{
    long i = find_diag(d, sev, needle);
    if (i < 0) dump(d);
    cr_assert_geq(i, 0, "no diagnostic containing \"%s\"", needle);
    const lp_diag *g = &d->items[i];
    if (line) {
        cr_assert_eq(g->where.kind, LP_ORIGIN_FILE, "%s: no location", needle);
        cr_assert_str_eq(g->where.source, "test.yaml");
        cr_assert_eq(g->where.line, line, "%s: line %d", needle, g->where.line);
        cr_assert_eq(g->where.col, col, "%s: col %d", needle, g->where.col);
    }
    if (section) cr_assert_str_eq(g->section, section);
}

Test(workflow, valid_document_has_no_problems)
{
    lp_diags d = validate(full_doc, "TestRunner", 0, 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
}

Test(workflow, unknown_classes_with_suggestions_all_reported)
{
    lp_diags d = validate("pipeline:\n"
                          "  train: Stgae\n"
                          "component:\n"
                          "  gadget: Gadgte\n"
                          "  widget: Widget\n"
                          "widget:\n"
                          "  component:\n"
                          "    gadget: Nothing_Like_Any_Class\n",
                          "TestRuner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "unknown class 'TestRuner'; did you mean 'TestRunner'?", 0, 0, "");
    expect(&d, LP_SEV_ERROR, "unknown class 'Stgae'; did you mean 'Stage'?", 2, 10, "pipeline");
    expect(&d, LP_SEV_ERROR, "unknown class 'Gadgte'; did you mean 'Gadget'?", 4, 11, "component");
    expect(&d, LP_SEV_ERROR, "unknown class 'Nothing_Like_Any_Class'", 8, 13, "widget.component");
    cr_assert_eq(lp_diags_errors(&d), 4);
    lp_diags_clear(&d);
}

Test(workflow, wrong_kind_type_and_name_errors)
{
    lp_diags d = validate("pipeline:\n"
                          "  train: Widget\n"
                          "  other: TestRunner\n"
                          "component:\n"
                          "  notifier: StdOutLogger\n"
                          "  gadget: Stage\n"
                          "  widget: [Widget]\n"
                          "  thing: Widget\n",
                          NULL, 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR,
           "'Widget' is a component, but slot 'train' under pipeline: needs a pipeline", 2, 10,
           "pipeline");
    expect(&d, LP_SEV_ERROR, "'TestRunner' is a runner, but slot 'other'", 3, 10, "pipeline");
    expect(&d, LP_SEV_ERROR, "slot 'notifier' needs a notifier, 'StdOutLogger' is a logger", 5, 13,
           "component");
    expect(&d, LP_SEV_ERROR,
           "'Stage' is a pipeline, but slot 'gadget' under component: needs a "
           "component",
           6, 11, "component");
    expect(&d, LP_SEV_ERROR, "class name for slot 'widget' must be a string, got list", 7, 11,
           "component");
    expect(&d, LP_SEV_ERROR, "slot 'thing' is not a component type", 8, 10, "component");
    cr_assert_eq(lp_diags_errors(&d), 6);
    lp_diags_clear(&d);
}

Test(workflow, sections_of_the_wrong_shape)
{
    lp_diags d = validate("pipeline: [Stage]\n"
                          "component: Gadget\n"
                          "config: 3\n"
                          "tests: [a]\n"
                          "logger: [x]\n"
                          "plugin_paths: [plugins, 3]\n",
                          NULL, 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "'pipeline:' must be a map", 1, 11, "pipeline");
    expect(&d, LP_SEV_ERROR, "'component:' must be a map", 2, 12, "component");
    expect(&d, LP_SEV_ERROR, "'config:' must be a map of settings, got int", 3, 9, "config");
    expect(&d, LP_SEV_ERROR, "'tests:' must be a map", 4, 8, "");
    expect(&d, LP_SEV_ERROR, "section 'logger' must be a map, got list", 5, 9, "logger");
    expect(&d, LP_SEV_ERROR, "'plugin_paths' entry 1 must be a string", 6, 25, "plugin_paths");
    cr_assert_eq(lp_diags_errors(&d), 6);
    lp_diags_clear(&d);

    d = validate("plugin_paths: plugins\n", NULL, 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "'plugin_paths' must be a list of strings, got string", 1, 15, NULL);
    lp_diags_clear(&d);

    /* the loader refuses a non-map document; validation does too when built by hand */
    lp_value *list = lp_value_list();
    lp_diags_init(&d);
    cr_assert_eq(lp_workflow_validate(reg, list, NULL, 0, &d), LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "the configuration must be a map of sections, got list", 0, 0, "");
    lp_diags_clear(&d);
    lp_value_unref(list);
}

Test(workflow, pipelines_only_under_runners)
{
    lp_diags d = validate("pipeline: {train: PlainStage}\n"
                          "component: {widget: Widget}\n"
                          "train:\n"
                          "  pipeline: {sub: PlainStage}\n"
                          "widget:\n"
                          "  pipeline: {sub: PlainStage}\n",
                          "BareRunner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "only runners have pipelines, and 'train' is a pipeline", 4, 3,
           "train");
    expect(&d, LP_SEV_ERROR, "only runners have pipelines, and 'widget' is a component", 6, 3,
           "widget");
    cr_assert_eq(lp_diags_errors(&d), 2);
    lp_diags_clear(&d);
}

Test(workflow, unknown_keys_are_warnings_with_suggestions)
{
    lp_diags d = validate("pipeline: {train: PlainStage}\n"
                          "component: {widget: Widget}\n"
                          "train:\n"
                          "  compnent: {x: Widget}\n"
                          "  confg: {}\n"
                          "widget:\n"
                          "  config:\n"
                          "    sise: 3\n"
                          "    zzzzzzzzzzzz: 1\n"
                          "    log_level: DEBUG\n"
                          "    color: blue\n"
                          "config:\n"
                          "  size: 4\n" /* documented below, but Widget's default hides it */
                          "  treshold: 1\n"
                          "widgte: {}\n",
                          "BareRunner", 0, 0);
    expect(&d, LP_SEV_WARNING,
           "unknown key 'compnent' in section 'train'; did you mean 'component'?", 4, 3, "train");
    expect(&d, LP_SEV_WARNING, "unknown key 'confg' in section 'train'; did you mean 'config'?", 5,
           3, "train");
    expect(&d, LP_SEV_WARNING,
           "unknown config key 'sise' in section 'widget'; did you mean 'size'?", 8, 5,
           "widget.config");
    expect(&d, LP_SEV_WARNING, "unknown config key 'zzzzzzzzzzzz' in section 'widget'", 9, 5, NULL);
    expect(&d, LP_SEV_WARNING, "unknown key 'widgte' in the root section; did you mean 'widget'?",
           15, 1, "");
    /* treshold is documented by no class of this tree (PlainStage has no keys) */
    expect(&d, LP_SEV_WARNING, "unknown config key 'treshold'", 14, 3, "config");
    /* issue 11 Fix 3: a key set where no class looks it up names where it belongs */
    expect(&d, LP_SEV_WARNING,
           "config 'size' set in the root config is not read: Widget at 'widget' has its own "
           "value (its config or class default) and no class above it reads 'size'; set it "
           "under widget.config",
           13, 3, "config");
    cr_assert_eq(lp_diags_warnings(&d), 7);
    cr_assert_eq(lp_diags_errors(&d), 0);
    lp_diags_clear(&d);
    /* --strict: the same keys are errors */
    d = validate("component: {widget: Widget}\nconfig:\n  size: 4\n  treshold: 1\n", "BareRunner",
                 LP_WF_STRICT, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "config 'size' set in the root config is not read", 3, 3, "config");
    expect(&d, LP_SEV_ERROR, "unknown config key 'treshold'", 4, 3, "config");
    cr_assert_eq(lp_diags_errors(&d), 2);
    lp_diags_clear(&d);
}

Test(workflow, wrong_types_of_documented_keys_and_log_level)
{
    lp_diags d = validate("component: {widget: Widget}\n"
                          "widget:\n"
                          "  config:\n"
                          "    size: big\n"
                          "    ratio: 2\n" /* int is a valid float */
                          "    flag: yes-please\n"
                          "    names: {a: 1}\n"
                          "    label: [x]\n"
                          "    log_level: LOUD\n",
                          "BareRunner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "config 'size' must be an int, got string", 4, 11, "widget.config");
    expect(&d, LP_SEV_ERROR, "config 'flag' must be a bool, got string", 6, 11, NULL);
    expect(&d, LP_SEV_ERROR, "config 'names' must be a list, got map", 7, 12, NULL);
    expect(&d, LP_SEV_ERROR, "config 'label' must be a string, got list", 8, 12, NULL);
    expect(&d, LP_SEV_ERROR, "invalid log_level", 9, 16, NULL);
    cr_assert(strstr(d.items[find_diag(&d, LP_SEV_ERROR, "invalid log_level")].message, "LOUD"));
    cr_assert_eq(lp_diags_errors(&d), 5);
    lp_diags_clear(&d);
}

Test(workflow, missing_requirements_all_reported)
{
    lp_diags d = validate("pipeline: {train: Stage}\n"
                          "component: {gadget: Gadget}\n",
                          "TestRunner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR,
           "TestRunner (the runner) requires config 'model_target' (set it under config:, or env "
           "LOLPOP_MODEL_TARGET)",
           0, 0, "");
    expect(&d, LP_SEV_ERROR,
           "Stage at 'train' requires component 'widget' (declare it under train.component or a "
           "parent's component)",
           1, 19, "train");
    expect(&d, LP_SEV_ERROR,
           "Stage at 'train' requires config 'sql' or config 'sql_file' (set it under "
           "train.config or a parent's config, or env LOLPOP_SQL or LOLPOP_SQL_FILE)",
           1, 19, "train");
    expect(&d, LP_SEV_ERROR, "Gadget at 'gadget' requires config 'gadget_url'", 2, 21, "gadget");
    cr_assert_eq(lp_diags_errors(&d), 4);
    lp_diags_clear(&d);

    d = validate("component: {gadget: Gadget}\nconfig: {gadget_url: u, model_target: t}\n",
                 "TestRunner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "TestRunner (the runner) requires pipeline 'train'", 0, 0, "");
    cr_assert_eq(lp_diags_errors(&d), 1);
    lp_diags_clear(&d);
}

Test(workflow, requirements_met_by_env_defaults_and_alternatives)
{
    setenv("LOLPOP_MODEL_TARGET", "y", 1);
    lp_diags d = validate("pipeline: {train: Stage}\n"
                          "component: {gadget: Gadget, widget: Widget}\n"
                          "config: {gadget_url: u}\n"
                          "train:\n"
                          "  config: {sql_file: a.sql}\n",
                          "TestRunner", 0, 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
}

Test(workflow, skip_validation_makes_missing_requirements_warnings)
{
    lp_value *doc = parse("pipeline: {train: Stage}\ncomponent: {gadget: Gadget}\n");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_workflow_validate(reg, doc, "TestRunner", LP_WF_SKIP_VALIDATION, &d), 0);
    cr_assert_eq(lp_diags_errors(&d), 0);
    cr_assert_eq(lp_diags_warnings(&d), 4);
    expect(&d, LP_SEV_WARNING, "requires config 'model_target'", 0, 0, "");
    lp_diags_clear(&d);
    lp_workflow *wf = NULL;
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "TestRunner", LP_WF_SKIP_VALIDATION, &d), 0);
    cr_assert_not_null(wf);
    lp_workflow_free(wf);
    /* structural errors are never skipped */
    lp_value *bad = parse("pipeline: {train: Nope}\n");
    lp_diags_clear(&d);
    cr_assert_eq(lp_workflow_validate(reg, bad, "BareRunner", LP_WF_SKIP_VALIDATION, &d),
                 LP_ECONFIG);
    lp_diags_clear(&d);
    lp_value_unref(bad);
    lp_value_unref(doc);
}

Test(workflow, structure_only_checks_classes_not_requirements)
{
    lp_diags d = validate("pipeline: {train: Stage}\ncomponent: {gadget: Gadget}\n", NULL, 0, 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
    d = validate("pipeline: {train: Stage}\n", "TestRunner", LP_WF_STRUCTURE_ONLY, 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
    d = validate("pipeline: {train: Stage}\n"
                 "train:\n  component: {widget: Widgett}\n",
                 NULL, 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "unknown class 'Widgett'; did you mean 'Widget'?", 3, 23,
           "train.component");
    cr_assert_eq(lp_diags_errors(&d), 1);
    lp_diags_clear(&d);
}

Test(workflow, new_refuses_invalid_config_with_located_error)
{
    lp_value *doc = parse("pipeline: {train: Stgae}\n");
    lp_diags d;
    lp_diags_init(&d);
    lp_workflow *wf = (lp_workflow *)1;
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "BareRunner", 0, &d), LP_ECONFIG);
    cr_assert_null(wf);
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert_str_eq(lp_error_last()->file, "test.yaml");
    cr_assert_eq(lp_error_last()->line, 1);
    cr_assert(strstr(lp_error_last()->message, "unknown class 'Stgae'"));
    cr_assert_eq(lp_diags_errors(&d), 1);
    lp_diags_clear(&d);
    /* without diags too */
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "BareRunner", 0, NULL), LP_ECONFIG);
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, NULL, 0, NULL), LP_EINVAL);
    lp_value_unref(doc);
    lp_workflow_free(NULL);
}

/* ---- init / fini -------------------------------------------------------- */

static const char *order_doc = "pipeline: {train: Stage}\n"
                               "component: {gadget: Gadget, widget: Widget}\n"
                               "config: {gadget_url: u, model_target: t, sql: s}\n"
                               "train:\n"
                               "  component: {widget: Widget}\n";

Test(workflow, init_components_first_fini_reverse)
{
    lp_value *doc;
    lp_workflow *wf = build(order_doc, "TestRunner", 0, &doc);
    cr_assert_str_eq(journal, "I:logger I:notifier I:gadget I:widget I:train.widget I:train "
                              "I:<root> ");
    journal[0] = 0;
    lp_workflow_free(wf);
    cr_assert_str_eq(journal, "F:<root> F:train F:train.widget F:widget F:gadget F:notifier "
                              "F:logger ");
    lp_value_unref(doc);
}

Test(workflow, init_failure_finalises_what_was_initialised)
{
    lp_value *doc = parse(order_doc);
    fail_init_path = "train";
    lp_workflow *wf = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "TestRunner", 0, &d), LP_EIO);
    cr_assert_null(wf);
    cr_assert_str_eq(lp_error_last()->message, "Stage at 'train': cannot open the store");
    cr_assert_str_eq(journal, "I:logger I:notifier I:gadget I:widget I:train.widget "
                              "F:train.widget F:widget F:gadget F:notifier F:logger ");
    journal[0] = 0;
    fail_init_path = "";
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "TestRunner", 0, &d), LP_EIO);
    cr_assert_str_eq(lp_error_last()->message, "TestRunner (the runner): cannot open the store");
    lp_diags_clear(&d);
    lp_value_unref(doc);
}

Test(workflow, invalid_env_log_level_is_reported_with_its_origin)
{
    /* OtherLogger has no log_level default, so the environment is reached */
    setenv("LOLPOP_LOG_LEVEL", "chatty", 1);
    lp_diags d = validate("component: {logger: OtherLogger}\n", "BareRunner", 0, LP_ECONFIG);
    unsetenv("LOLPOP_LOG_LEVEL");
    long i = find_diag(&d, LP_SEV_ERROR,
                       "environment variable LOLPOP_LOG_LEVEL: invalid log_level (expected TRACE");
    cr_assert_geq(i, 0);
    cr_assert_null(strstr(d.items[i].message, "chatty"), "an env value is never shown");
    cr_assert_eq(d.items[i].where.kind, LP_ORIGIN_ENV);
    cr_assert_str_eq(d.items[i].where.source, "LOLPOP_LOG_LEVEL");
    cr_assert_str_eq(d.items[i].section, "logger");
    lp_diags_clear(&d);
    setenv("LOLPOP_LOG_LEVEL", "debug", 1);
    d = validate("component: {logger: OtherLogger}\n", "BareRunner", 0, 0);
    unsetenv("LOLPOP_LOG_LEVEL");
    lp_diags_clear(&d);
}

Test(workflow, slot_declared_twice_is_an_error)
{
    lp_diags d = validate("pipeline: {widget: PlainStage}\n"
                          "component: {widget: Widget}\n",
                          "BareRunner", 0, LP_ECONFIG);
    expect(&d, LP_SEV_ERROR, "slot 'widget' is declared under both pipeline: and component:", 2, 13,
           "component");
    cr_assert_eq(lp_diags_errors(&d), 1);
    lp_diags_clear(&d);
}

Test(workflow, empty_sections_and_null_blocks_are_fine)
{
    lp_diags d = validate("pipeline:\ncomponent:\nconfig:\ntests:\nlogger:\n", "BareRunner", 0, 0);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
    lp_diags_init(&d);
    cr_assert_eq(lp_workflow_validate(reg, NULL, "BareRunner", 0, &d), 0);
    cr_assert_eq(d.len, 0);
}

Test(workflow, null_in_config_means_not_set_here)
{
    lp_value *doc;
    lp_workflow *wf = build("component: {widget: Widget}\n"
                            "config: {color: green}\n"
                            "widget:\n  config:\n    size:\n    color: ~\n",
                            "BareRunner", 0, &doc);
    lp_obj *widget = lp_obj_component(lp_workflow_root(wf), "widget");
    cr_assert_eq(lp_obj_config_int(widget, "size", 0), 3); /* the class default */
    char *color = lp_obj_config_string(widget, "color");
    cr_assert_str_eq(color, "red"); /* own default beats the parent */
    free(color);
    lp_workflow_free(wf);
    lp_value_unref(doc);
}
