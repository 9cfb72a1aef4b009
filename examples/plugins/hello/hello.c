/*
 * hello.c — a complete lolpop plugin: a component type, a component class, a
 * runner and a CLI command, in one file.
 *
 * It proves the whole path config → registry → plugin → instance tree →
 * dispatcher → CLI:
 *
 *     lolpop run workflow HelloRunner -c examples/plugins/hello/hello.yaml
 *     lolpop run workflow HelloRunner -c hello.yaml -b shout
 *     lolpop extension hello Ada
 *
 * It uses only the public API (<lolpop.h>), as any out-of-tree plugin does.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, when built outside the project with -std=c17 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>

/* ---- the component type ------------------------------------------------- */

/* A contract: every class of type "greeter" implements greet(name) -> string. */
static const char *const greeter_methods[] = {"greet", NULL};

static const lp_type greeter_type = {
    .name = "greeter",
    .kind = LP_KIND_COMPONENT,
    .doc = "Greets someone: greet(name) -> string.",
    .methods = greeter_methods,
};

/* ---- HelloGreeter --------------------------------------------------------- */

/* "<greeting>, <name>!" as a new malloc'ed string, or NULL on OOM. */
static char *make_greeting(const char *greeting, const char *name)
{
    int n = snprintf(NULL, 0, "%s, %s!", greeting, name);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) snprintf(s, (size_t)n + 1, "%s, %s!", greeting, name);
    return s;
}

/* greet(name) -> string. `name` defaults to the config key of that name. */
static lp_value *greeter_greet(lp_obj *self, lp_value *args)
{
    char *name = NULL;
    const char *arg = lp_value_as_string(lp_map_get(args, "name"));
    name = arg ? strdup(arg) : lp_obj_config_string(self, "name");
    if (!name) {
        lp_error_set(LP_EINVAL, "HelloGreeter.greet: no 'name' argument and no config 'name'");
        return NULL;
    }
    char *greeting = lp_obj_config_string(self, "greeting");
    char *text = make_greeting(greeting ? greeting : "Hello", name);
    free(greeting);
    free(name);
    if (!text) {
        lp_error_set(LP_ENOMEM, "HelloGreeter.greet: out of memory");
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "%s", text);
    lp_value *result = lp_value_string(text);
    free(text);
    return result;
}

static const lp_method greeter_class_methods[] = {
    {"greet", greeter_greet, "greet(name) -> string: \"<greeting>, <name>!\""},
    {NULL, NULL, NULL},
};

static const lp_config_key greeter_keys[] = {
    {"greeting", "string", "the word before the name (default \"Hello\")"},
    {"name", "string", "who to greet when greet() gets no name argument"},
    {NULL, NULL, NULL},
};

static const char *const no_requirements[] = {NULL};

static const lp_class hello_greeter_class = {
    .name = "HelloGreeter",
    .kind = LP_KIND_COMPONENT,
    .type = "greeter",
    .doc = "The example greeter: greet(name) returns \"<greeting>, <name>!\" and logs it at INFO.",
    .defaults_yaml = "greeting: Hello\n",
    .requirements = no_requirements,
    .config_keys = greeter_keys,
    .methods = greeter_class_methods,
};

/* ---- HelloRunner ------------------------------------------------------------ */

/* Calls the visible greeter with the name from args (--build-args) or config.
 * Returns a new reference to the greeting string, or NULL with the error set. */
static lp_value *runner_greet(lp_obj *self, lp_value *args)
{
    lp_obj *greeter = lp_obj_component(self, "greeter");
    if (!greeter) {
        lp_error_set(LP_ECONFIG, "HelloRunner: no component in slot 'greeter'");
        return NULL;
    }
    lp_value *name = lp_value_ref(lp_map_get(args, "name"));
    if (!name) {
        name = lp_obj_config(self, "name");
        if (!name) {
            lp_error_set(LP_ECONFIG, "HelloRunner: config 'name' is required");
            return NULL;
        }
    }
    return lp_call_with(greeter, "greet", "name", name, NULL);
}

/* build_all(name?) -> {greeting}: greets once and returns the greeting. */
static lp_value *runner_build_all(lp_obj *self, lp_value *args)
{
    lp_value *greeting = runner_greet(self, args);
    if (!greeting) return NULL;
    lp_log(self, LP_LOG_INFO, "greeted: %s", lp_value_as_string(greeting));
    lp_value *result = lp_value_map();
    if (result)
        lp_map_set(result, "greeting", greeting);
    else
        lp_value_unref(greeting);
    return result;
}

/* shout(name?) -> {greeting}: the greeting in capitals. */
static lp_value *runner_shout(lp_obj *self, lp_value *args)
{
    lp_value *greeting = runner_greet(self, args);
    if (!greeting) return NULL;
    char *loud = strdup(lp_value_as_string(greeting) ? lp_value_as_string(greeting) : "");
    lp_value_unref(greeting);
    if (!loud) {
        lp_error_set(LP_ENOMEM, "HelloRunner.shout: out of memory");
        return NULL;
    }
    for (char *p = loud; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    lp_value *result = lp_value_map();
    if (result) lp_map_set(result, "greeting", lp_value_string(loud));
    free(loud);
    return result;
}

/* fail() -> never: fails on purpose, to show a workflow failure (exit code 1,
 * the error's call chain, the notifier). */
static lp_value *runner_fail(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    lp_error_set(LP_EWORKFLOW, "failing on purpose");
    return NULL;
}

static const lp_method runner_methods[] = {
    {"build_all", runner_build_all, "build_all(name?) -> {greeting}: greets once"},
    {"shout", runner_shout, "shout(name?) -> {greeting}: greets in capitals"},
    {"fail", runner_fail, "fail() -> never: fails on purpose (exit code 1)"},
    {NULL, NULL, NULL},
};

static const lp_config_key runner_keys[] = {
    {"name", "string", "who to greet"},
    {NULL, NULL, NULL},
};

static const char *const runner_requirements[] = {"component.greeter", "config.name", NULL};

static const lp_class hello_runner_class = {
    .name = "HelloRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "The example runner: build_all calls greeter.greet with config 'name' and returns "
           "{greeting}; shout does the same in capitals.",
    .defaults_yaml = NULL,
    .requirements = runner_requirements,
    .config_keys = runner_keys,
    .methods = runner_methods,
};

/* ---- a CLI command: lolpop extension hello [NAME] ----------------------------- */

static int hello_command(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: lolpop extension hello [NAME]\n");
        return 2;
    }
    printf("Hello, %s!\n", argc == 2 ? argv[1] : "world");
    return 0;
}

static const lp_command hello_cmd = {
    .name = "hello",
    .summary = "print a greeting (the example plugin's command)",
    .run = hello_command,
};

/* ---- the entry point ------------------------------------------------------------ */

static int hello_init(lp_registry *reg)
{
    int rc = lp_registry_add_type(reg, &greeter_type);
    if (rc == 0) rc = lp_registry_add_class(reg, &hello_greeter_class);
    if (rc == 0) rc = lp_registry_add_class(reg, &hello_runner_class);
    if (rc == 0) rc = lp_registry_add_command(reg, &hello_cmd);
    return rc;
}

LP_PLUGIN_DEFINE("hello", "1.0.0", hello_init)
