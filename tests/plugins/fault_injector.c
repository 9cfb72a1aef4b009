/*
 * fault_injector.c — a TEST-ONLY plugin (never installed, never linked into
 * lolpop) for tests/concurrency/test_faults.c: a component of its own type
 * `fault_injector` that counts the workflow's dispatcher calls through a
 * pre-hook and, at a chosen call, makes the process die or the disk "fill":
 *
 *   LOLPOP_PLUGIN_PATH=.../libfault_injector.so lolpop run workflow ... \
 *     --set component.fault_injector=FaultInjector \
 *     --set fault_injector.config.kill_at=N      # SIGKILL at the N-th call
 *     --set fault_injector.config.full_at=N      # from the N-th call on, every write that
 *                                                # grows a file fails (RLIMIT_FSIZE 1 byte,
 *                                                # SIGXFSZ ignored: EFBIG, as a full disk)
 *     --set fault_injector.config.count_file=F   # at exit, one line per call seen:
 *                                                # "N Class.method"
 *
 * The production binary has no fault paths: the hooks are the public
 * dispatcher hooks any plugin may add.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "lolpop.h"
#include "lolpop/dispatch.h"
#include "lolpop/workflow.h"

/* One workflow per test process: the state is the plugin's, not the object's,
 * so that the hook never reads freed memory after the component's fini. */
static struct {
    long calls, kill_at, full_at;
    char *count_file;
    char **names; /* "Class.method" of every call, with count_file */
    size_t cap;
} fault;

static int on_pre(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    (void)ud;
    (void)args;
    fault.calls++;
    if (fault.count_file && (size_t)fault.calls > fault.cap) {
        size_t cap = fault.cap ? fault.cap * 2 : 256;
        char **grown = realloc(fault.names, cap * sizeof *grown);
        if (grown) {
            fault.names = grown;
            fault.cap = cap;
        }
    }
    if (fault.count_file && (size_t)fault.calls <= fault.cap) {
        const lp_class *cls = lp_obj_class(obj);
        char *name = NULL;
        if (asprintf(&name, "%s.%s", cls ? cls->name : "?", method) < 0) name = NULL;
        fault.names[fault.calls - 1] = name;
    }
    if (fault.calls == fault.kill_at) raise(SIGKILL);
    if (fault.calls == fault.full_at) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit one = {1, 1};
        setrlimit(RLIMIT_FSIZE, &one);
    }
    return 0;
}

/* Writes the call list and frees it (at exit, or when the plugin is unloaded:
 * a handler registered by a shared object runs at its dlclose). */
static void write_count(void)
{
    FILE *f = fault.count_file ? fopen(fault.count_file, "w") : NULL;
    for (long i = 0; f && i < fault.calls && (size_t)i < fault.cap; i++)
        fprintf(f, "%ld %s\n", i + 1, fault.names[i] ? fault.names[i] : "?");
    if (f) fclose(f);
    for (long i = 0; i < fault.calls && (size_t)i < fault.cap; i++)
        free(fault.names[i]);
    free(fault.names);
    free(fault.count_file);
    fault.names = NULL;
    fault.count_file = NULL;
    fault.cap = 0;
}

static int injector_init(lp_obj *self)
{
    fault.kill_at = (long)lp_obj_config_int(self, "kill_at", 0);
    fault.full_at = (long)lp_obj_config_int(self, "full_at", 0);
    fault.count_file = lp_obj_config_string(self, "count_file");
    if (fault.count_file) atexit(write_count);
    lp_call_hooks hooks = {.ud = NULL, .pre = on_pre};
    return lp_workflow_add_hooks(lp_obj_workflow(self), &hooks);
}

static const lp_method injector_methods[] = {{NULL, NULL, NULL}};

static const lp_config_key injector_keys[] = {
    {"kill_at", "int", "SIGKILL at this dispatcher call (1 = the first after init)"},
    {"full_at", "int", "from this call on, writes that grow a file fail (EFBIG)"},
    {"count_file", "string", "write the number of calls seen here at exit"},
    {NULL, NULL, NULL},
};

static const lp_type injector_type = {
    .name = "fault_injector",
    .kind = LP_KIND_COMPONENT,
    .doc = "test-only: dies or fills the disk at a chosen dispatcher call",
    .methods = (const char *const[]){NULL},
};

static const lp_class injector_class = {
    .name = "FaultInjector",
    .kind = LP_KIND_COMPONENT,
    .type = "fault_injector",
    .doc = "Test-only: SIGKILL (kill_at) or a full disk (full_at) at a chosen dispatcher call.",
    .config_keys = injector_keys,
    .methods = injector_methods,
    .init = injector_init,
};

static int fault_plugin_init(lp_registry *reg)
{
    int rc = lp_registry_add_type(reg, &injector_type);
    return rc ? rc : lp_registry_add_class(reg, &injector_class);
}

LP_PLUGIN_DEFINE("fault_injector", "1.0.0", fault_plugin_init)
