/*
 * step_runner.c — StepRunner: a workflow written as a list of method calls in
 * the configuration. It runs any component or pipeline without a runner of
 * its own: what the example configs of `lolpop create` use, and a quick way
 * to try a class on real data.
 *
 *   component:
 *     data_splitter: LocalDataSplitter
 *   config:
 *     model_target: survived
 *     data:
 *       train: data/train.csv           # relative to this file; the frame data.train
 *     steps:
 *       - call: data_splitter.split_data
 *         args: {frame: data.train}
 *         as: splits                    # default: the method name
 *       - call: data_splitter.split_data
 *         args: {frame: "steps.splits.X_train"}
 *
 * Each argument is an expression of the check-expression language
 * (src/expr/expr.h) over {data, paths, config, steps}: `data` holds the
 * frames of `data:`, `paths` their resolved file paths, `config` the
 * runner's effective configuration, `steps` the result of every earlier step
 * by its `as` name. A string literal is written
 * "'text'"; numbers, booleans and null are themselves; lists and maps are
 * evaluated item by item. `call` is "SLOT.method", or "PIPELINE.SLOT.method"
 * for a component of a pipeline.
 *
 * init checks every step before anything runs: the slot exists, its class
 * has the method, every expression parses (each problem with file:line:col).
 * build_all loads the data (through the visible data_connector, else as
 * CSV), runs the steps in order through the dispatcher, logs one line per
 * step and returns the map {as: result}. The first failing step stops the
 * run; its error names the step.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "lolpop/dispatch.h"
#include "lolpop/frame.h"
#include "lolpop/log.h"
#include "runners/runners_internal.h"

/* One configured step, checked at init. Pointers into the configuration are
 * borrowed from the workflow's document, which outlives the runner. */
typedef struct step {
    const char *call;   /* "slot.method" as written */
    const char *method; /* points into `call` */
    const char *as;     /* result name */
    lp_obj *target;     /* the integration called (borrowed) */
    const lp_value *args;
    lp_expr **exprs; /* every string of args, in walk order */
    size_t n_exprs;
} step;

typedef struct step_runner {
    lp_value *steps_cfg; /* owned reference to config `steps` */
    step *steps;
    size_t n_steps;
} step_runner;

/* ---- problems collected at init ------------------------------------------------- */

/* Every problem found at init, each "file:line:col: message" on its own line;
 * the first one's location becomes the error's. */
typedef struct problems {
    lp_sb text;
    lp_origin first; /* copied: its source is interned */
    char *first_msg;
    size_t n;
} problems;

__attribute__((format(printf, 3, 0))) static void problem_v(problems *p, const lp_origin *o,
                                                            const char *fmt, va_list ap)
{
    lp_sb msg = {0};
    lp_sb_vappendf(&msg, fmt, ap);
    char *m = lp_sb_take(&msg);
    if (p->n++ == 0) {
        p->first = *o;
        p->first_msg = lp_strdup(m);
    } else {
        char *loc = o && o->kind == LP_ORIGIN_FILE ? lp_origin_format(o) : NULL;
        lp_sb_appendf(&p->text, "\n  %s%s%s", loc ? loc : "", loc ? ": " : "", m);
        free(loc);
    }
    free(m);
}

/* Records a problem located at the origin of `at`. */
__attribute__((format(printf, 3, 4))) static void problem(problems *p, const lp_value *at,
                                                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem_v(p, lp_value_origin(at), fmt, ap);
    va_end(ap);
}

/* Records a problem at an explicit location (file may be NULL). */
__attribute__((format(printf, 5, 6))) static void
problem_at(problems *p, const char *file, int line, int col, const char *fmt, ...)
{
    lp_origin o = {file ? LP_ORIGIN_FILE : LP_ORIGIN_NONE, file ? lp_origin_intern(file) : NULL,
                   line, col, 0};
    va_list ap;
    va_start(ap, fmt);
    problem_v(p, &o, fmt, ap);
    va_end(ap);
}

/* Turns the collected problems into the last error; returns LP_ECONFIG. */
static int problems_raise(problems *p)
{
    char *rest = lp_sb_take(&p->text);
    const lp_origin *o = &p->first;
    bool at_file = o && o->kind == LP_ORIGIN_FILE;
    lp_error_set_at(LP_ECONFIG, at_file ? o->source : NULL, at_file ? o->line : 0,
                    at_file ? o->col : 0, "%s%s%s", p->first_msg ? p->first_msg : "?",
                    p->n > 1 ? "\nmore problems in the steps:" : "", rest);
    free(rest);
    free(p->first_msg);
    return LP_ECONFIG;
}

/* ---- resolving "slot.method" -------------------------------------------------------- */

/* Appends the names of obj's children to sb, comma separated. */
static void child_names(lp_sb *sb, const lp_obj *obj)
{
    for (size_t i = 0; i < lp_obj_child_count(obj); i++)
        lp_sb_appendf(sb, "%s%s", i ? ", " : "", lp_obj_name(lp_obj_child_at(obj, i)));
}

/* The child of `from` named seg: its pipeline, else a component visible from it. */
static lp_obj *find_slot(lp_obj *from, const char *seg)
{
    lp_obj *o = lp_obj_pipeline(from, seg);
    return o ? o : lp_obj_component(from, seg);
}

/* "; did you mean 'X'?" for seg among the children of obj (new string). */
static char *slot_hint(const lp_obj *obj, const char *seg)
{
    size_t n = lp_obj_child_count(obj);
    const char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++)
        names[i] = lp_obj_name(lp_obj_child_at(obj, i));
    const char *close = names ? lp_suggest(seg, names, n) : NULL;
    char *hint = close ? lp_asprintf(" (did you mean '%s'?)", close) : lp_strdup("");
    free(names);
    return hint;
}

/* Resolves the object part of `call` (everything before the last '.').
 * NULL after recording a problem. */
static lp_obj *resolve_target(problems *p, lp_obj *self, const lp_value *at, const char *call,
                              size_t len)
{
    lp_obj *obj = self;
    const char *seg = call;
    while (seg < call + len) {
        size_t n = strcspn(seg, ".");
        if (seg + n > call + len) n = (size_t)(call + len - seg);
        char *name = lp_strndup(seg, n);
        lp_obj *next = name ? find_slot(obj, name) : NULL;
        if (!next) {
            char *hint = name ? slot_hint(obj, name) : NULL;
            lp_sb known = {0};
            child_names(&known, obj);
            char *list = lp_sb_take(&known);
            problem(p, at, "step '%s': no integration in slot '%s'%s; slots here: %s", call,
                    name ? name : "?", hint ? hint : "", *list ? list : "none");
            free(list);
            free(hint);
            free(name);
            return NULL;
        }
        free(name);
        obj = next;
        seg += n + 1;
    }
    return obj;
}

/* Records a problem naming the class's methods, with "did you mean". */
static void unknown_method(problems *p, const lp_value *at, const char *call, const lp_obj *obj,
                           const char *method)
{
    const lp_class *cls = lp_obj_class(obj);
    const char *names[128];
    size_t n = 0;
    lp_sb all = {0};
    for (const lp_method *m = cls->methods; m && m->name && n < 128; m++) {
        names[n++] = m->name;
        lp_sb_appendf(&all, "%s%s", all.len ? ", " : "", m->name);
    }
    const char *close = lp_suggest(method, names, n);
    char *list = lp_sb_take(&all);
    problem(p, at, "step '%s': %s (slot '%s') has no method '%s'%s%s%s; its methods: %s", call,
            cls->name, lp_obj_name(obj), method, close ? " (did you mean '" : "",
            close ? close : "", close ? "'?)" : "", list);
    free(list);
}

/* ---- arguments: expressions inside a value tree ------------------------------------- */

/* Parses every string of v (depth first, in order) into st->exprs. */
static void parse_exprs(problems *p, step *st, const lp_value *v)
{
    if (lp_value_type(v) == LP_LIST) {
        for (size_t i = 0; i < lp_list_len(v); i++)
            parse_exprs(p, st, lp_list_get(v, i));
        return;
    }
    if (lp_value_type(v) == LP_MAP) {
        for (size_t i = 0; i < lp_map_len(v); i++)
            parse_exprs(p, st, lp_map_value(v, i));
        return;
    }
    if (lp_value_type(v) != LP_STRING) return;
    lp_expr *e = NULL;
    if (lp_expr_parse(&e, lp_value_as_string(v), lp_value_origin(v)) != 0) {
        const lp_error *err = lp_error_last();
        problem_at(p, err->file, err->line, err->col, "step '%s': bad argument expression: %s",
                   st->call, err->message ? err->message : "?");
        return;
    }
    lp_expr **grown = realloc(st->exprs, (st->n_exprs + 1) * sizeof *grown);
    if (!grown) {
        lp_expr_free(e);
        problem(p, v, "out of memory");
        return;
    }
    grown[st->n_exprs++] = e;
    st->exprs = grown;
}

/* The value of v in env: strings evaluated (consuming st->exprs[*next]),
 * lists and maps item by item, other scalars as they are. New reference or NULL. */
static lp_value *eval_tree(const step *st, size_t *next, const lp_value *v, const lp_value *env)
{
    lp_vtype t = lp_value_type(v);
    if (t == LP_STRING) {
        lp_value *out = NULL;
        if (*next >= st->n_exprs) {
            lp_error_set(LP_ERROR, "step '%s': expression list out of step", st->call);
            return NULL;
        }
        return lp_expr_eval(&out, st->exprs[(*next)++], env) == 0 ? out : NULL;
    }
    if (t != LP_LIST && t != LP_MAP) return lp_value_copy(v);
    lp_value *out = t == LP_LIST ? lp_value_list() : lp_value_map();
    size_t n = t == LP_LIST ? lp_list_len(v) : lp_map_len(v);
    for (size_t i = 0; out && i < n; i++) {
        lp_value *item =
            eval_tree(st, next, t == LP_LIST ? lp_list_get(v, i) : lp_map_value(v, i), env);
        int rc = !item          ? LP_ERROR
                 : t == LP_LIST ? lp_list_append(out, item)
                                : lp_map_set(out, lp_map_key(v, i), item);
        if (rc != 0) {
            lp_value_unref(out);
            out = NULL;
        }
    }
    return out;
}

/* ---- init: checking the steps --------------------------------------------------------- */

/* The runner's own config value `key` (borrowed; NULL when absent). Not
 * lp_obj_config: a STEPS or DATA environment variable must not stand in. */
static lp_value *own_config(const lp_obj *self, const char *key)
{
    return lp_map_get(lp_map_get(lp_obj_section(self), "config"), key);
}

static const char *const step_keys[] = {"call", "args", "as"};

/* Checks one step map and fills st. Problems are recorded, not returned. */
static void check_step(problems *p, lp_obj *self, step *st, const lp_value *item, size_t i)
{
    if (lp_value_type(item) != LP_MAP) {
        problem(p, item, "step %zu must be a map with 'call', 'args' and 'as', got %s", i + 1,
                lp_vtype_name(lp_value_type(item)));
        return;
    }
    for (size_t k = 0; k < lp_map_len(item); k++) {
        const char *key = lp_map_key(item, k);
        if (!lp_streq_nocase(key, "call") && !lp_streq_nocase(key, "args") &&
            !lp_streq_nocase(key, "as")) {
            const char *close = lp_suggest(key, step_keys, 3);
            problem(p, lp_map_value(item, k),
                    "step %zu: unknown key '%s'%s%s%s (keys: call, args, as)", i + 1, key,
                    close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
        }
    }
    const lp_value *call = lp_map_get(item, "call");
    const char *text = lp_value_as_string(call);
    const char *dot = text ? strrchr(text, '.') : NULL;
    if (!dot || dot == text || !dot[1]) {
        problem(p, call ? call : item, "step %zu: 'call' must be \"SLOT.method\", got %s", i + 1,
                text ? text : lp_vtype_name(lp_value_type(call)));
        return;
    }
    st->call = text;
    st->method = dot + 1;
    const lp_value *as = lp_map_get(item, "as");
    st->as = lp_value_as_string(as) ? lp_value_as_string(as) : st->method;
    if (as && (!lp_value_as_string(as) || !*st->as))
        problem(p, as, "step '%s': 'as' must be a non-empty name", text);
    st->args = lp_map_get(item, "args");
    if (st->args && lp_value_type(st->args) != LP_MAP && lp_value_type(st->args) != LP_NULL)
        problem(p, st->args, "step '%s': 'args' must be a map of NAME: EXPRESSION, got %s", text,
                lp_vtype_name(lp_value_type(st->args)));
    else if (st->args)
        parse_exprs(p, st, st->args);
    st->target = resolve_target(p, self, call, text, (size_t)(dot - text));
    if (st->target && !lp_class_method(lp_obj_class(st->target), st->method))
        unknown_method(p, call, text, st->target, st->method);
}

/* `data:` must be a map of name -> path string. */
static void check_data(problems *p, const lp_value *data)
{
    if (!data || lp_value_type(data) == LP_NULL) return;
    if (lp_value_type(data) != LP_MAP) {
        problem(p, data, "'data' must be a map of NAME: CSV_PATH, got %s",
                lp_vtype_name(lp_value_type(data)));
        return;
    }
    for (size_t i = 0; i < lp_map_len(data); i++)
        if (lp_value_type(lp_map_value(data, i)) != LP_STRING)
            problem(p, lp_map_value(data, i), "data '%s' must be a path string, got %s",
                    lp_map_key(data, i), lp_vtype_name(lp_value_type(lp_map_value(data, i))));
}

static void step_runner_fini(lp_obj *self);

/* Checks every step (all problems in one error). A failed init frees what it
 * took: the workflow calls fini only after a successful init. */
static int step_runner_init(lp_obj *self)
{
    step_runner *sr = lp_obj_state(self);
    problems p = {0};
    sr->steps_cfg = lp_value_ref(own_config(self, "steps"));
    check_data(&p, own_config(self, "data"));
    if (lp_value_type(sr->steps_cfg) != LP_LIST || lp_list_len(sr->steps_cfg) == 0) {
        problem(&p, sr->steps_cfg, "config 'steps' must be a non-empty list of {call, args, as}");
        step_runner_fini(self);
        return problems_raise(&p);
    }
    sr->n_steps = lp_list_len(sr->steps_cfg);
    sr->steps = calloc(sr->n_steps, sizeof *sr->steps);
    if (!sr->steps) {
        lp_sb_free(&p.text);
        free(p.first_msg);
        step_runner_fini(self);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < sr->n_steps; i++)
        check_step(&p, self, &sr->steps[i], lp_list_get(sr->steps_cfg, i), i);
    if (p.n == 0) return 0;
    step_runner_fini(self);
    return problems_raise(&p);
}

static void step_runner_fini(lp_obj *self)
{
    step_runner *sr = lp_obj_state(self);
    for (size_t i = 0; sr->steps && i < sr->n_steps; i++) {
        for (size_t j = 0; j < sr->steps[i].n_exprs; j++)
            lp_expr_free(sr->steps[i].exprs[j]);
        free(sr->steps[i].exprs);
    }
    free(sr->steps);
    lp_value_unref(sr->steps_cfg);
    memset(sr, 0, sizeof *sr);
}

/* ---- build_all ------------------------------------------------------------------------ */

/* `path` resolved against the directory of the config file it came from. */
static char *resolve_path(const lp_value *v)
{
    const char *path = lp_value_as_string(v);
    const lp_origin *o = lp_value_origin(v);
    if (path[0] == '/' || !o || o->kind != LP_ORIGIN_FILE || !o->source) return lp_strdup(path);
    const char *slash = strrchr(o->source, '/');
    if (!slash) return lp_strdup(path);
    return lp_asprintf("%.*s/%s", (int)(slash - o->source), o->source, path);
}

/* One line saying what a step returned: "frame 891 x 12", "map {a, b}", ... (new string). */
static char *describe(const lp_value *v)
{
    const lp_frame *f = lp_value_as_frame(v);
    if (f) return lp_asprintf("frame %zu x %zu", lp_frame_rows(f), lp_frame_cols(f));
    lp_sb sb = {0};
    switch (lp_value_type(v)) {
    case LP_MAP:
        lp_sb_append(&sb, "map {");
        for (size_t i = 0; i < lp_map_len(v) && i < 8; i++)
            lp_sb_appendf(&sb, "%s%s", i ? ", " : "", lp_map_key(v, i));
        lp_sb_append(&sb, lp_map_len(v) > 8 ? ", ...}" : "}");
        break;
    case LP_LIST:
        lp_sb_appendf(&sb, "list of %zu", lp_list_len(v));
        break;
    case LP_NULL:
        lp_sb_append(&sb, "null");
        break;
    default: { /* scalars: "int 5", "string \"abc\""; handles: "<model: ...>" */
        char *text = lp_value_to_string(v);
        size_t n = text ? strlen(text) : 0;
        bool handle = lp_value_type(v) == LP_HANDLE;
        lp_sb_appendf(&sb, "%s%s%.*s%s", handle ? "" : lp_vtype_name(lp_value_type(v)),
                      handle ? "" : " ", (int)(n > 72 ? 72 : n), text ? text : "",
                      n > 72 ? "..." : "");
        free(text);
    }
    }
    return lp_sb_take(&sb);
}

/* Loads every `data:` entry into a map name -> frame, and its resolved path
 * into *paths (name -> string). New references, or NULL. */
static lp_value *load_data(lp_obj *self, lp_value **paths)
{
    const lp_value *data = own_config(self, "data");
    lp_value *frames = lp_value_map();
    *paths = lp_value_map();
    if (!*paths) {
        lp_value_unref(frames);
        frames = NULL;
    }
    for (size_t i = 0; frames && i < lp_map_len(data); i++) {
        char *path = resolve_path(lp_map_value(data, i));
        if (path && lp_map_set(*paths, lp_map_key(data, i), lp_value_string(path)) != 0) {
            free(path);
            path = NULL;
        }
        lp_value *frame = path ? lp_kit_load(self, path) : NULL;
        if (!frame) {
            lp_error_prefix("data '%s' (%s)", lp_map_key(data, i), path ? path : "?");
        } else {
            char *what = describe(frame);
            lp_log(self, LP_LOG_INFO, "data %s: %s from %s", lp_map_key(data, i), what, path);
            free(what);
        }
        free(path);
        if (!frame || lp_map_set(frames, lp_map_key(data, i), frame) != 0) {
            lp_value_unref(frames);
            frames = NULL;
        }
    }
    if (!frames) {
        lp_value_unref(*paths);
        *paths = NULL;
    }
    return frames;
}

/* The environment {data, paths, config, steps}; takes frames and paths.
 * New reference or NULL. */
static lp_value *make_env(lp_obj *self, lp_value *frames, lp_value *paths)
{
    lp_value *env = lp_value_map();
    lp_value *config = lp_obj_config_map(self);
    lp_value *steps = lp_value_map();
    if (!env || !config || !steps) {
        lp_value_unref(env);
        lp_value_unref(config);
        lp_value_unref(steps);
        lp_value_unref(frames);
        lp_value_unref(paths);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    lp_map_set(env, "data", frames);
    lp_map_set(env, "paths", paths);
    lp_map_set(env, "config", config);
    lp_map_set(env, "steps", steps);
    return env;
}

/* Runs step i; adds its result to results and env.steps. 0 or an error code. */
static int run_step(lp_obj *self, const step *st, size_t i, size_t n, lp_value *env,
                    lp_value *results)
{
    size_t next = 0;
    lp_value *args = st->args && lp_value_type(st->args) == LP_MAP
                         ? eval_tree(st, &next, st->args, env)
                         : lp_value_map();
    if (!args) {
        lp_error_prefix("step %zu of %zu '%s' (arguments)", i + 1, n, st->call);
        return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    }
    lp_value *result = lp_call(st->target, st->method, args);
    lp_value_unref(args);
    if (!result) {
        lp_error_prefix("step %zu of %zu '%s'", i + 1, n, st->call);
        return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    }
    char *what = describe(result);
    lp_log(self, LP_LOG_INFO, "step %zu/%zu %s: %s -> %s", i + 1, n, st->as, st->call,
           what ? what : "?");
    free(what);
    int rc = lp_map_set(lp_map_get(env, "steps"), st->as, lp_value_ref(result));
    if (rc == 0)
        rc = lp_map_set(results, st->as, result);
    else
        lp_value_unref(result);
    return rc;
}

/* build_all() -> {as: result, ...}: loads the data and runs every step. */
static lp_value *step_runner_build_all(lp_obj *self, lp_value *args)
{
    (void)args;
    step_runner *sr = lp_obj_state(self);
    lp_value *paths = NULL;
    lp_value *frames = load_data(self, &paths);
    lp_value *env = frames ? make_env(self, frames, paths) : NULL;
    lp_value *results = env ? lp_value_map() : NULL;
    int rc = results ? 0 : LP_ERROR;
    for (size_t i = 0; rc == 0 && i < sr->n_steps; i++)
        rc = run_step(self, &sr->steps[i], i, sr->n_steps, env, results);
    lp_value_unref(env);
    if (rc != 0) {
        lp_value_unref(results);
        return NULL;
    }
    return results;
}

static const lp_method step_runner_methods[] = {
    {"build_all", step_runner_build_all,
     "build_all() -> {as: result}: loads `data`, runs every step of `steps` in order"},
    {NULL, NULL, NULL},
};

static const lp_config_key step_runner_keys[] = {
    {"data", "map",
     "NAME: CSV_PATH; each file (relative to the config file) is read through the "
     "visible data_connector, else as CSV, into the frame data.NAME"},
    {"steps", "list",
     "the calls to make, in order: {call: SLOT.method, args: {NAME: EXPRESSION}, as: NAME}; "
     "expressions see data, paths, config and steps (earlier results by `as`); \"'text'\" is a "
     "string"},
    {NULL, NULL, NULL},
};

static const char *const step_runner_requirements[] = {"config.steps", NULL};

const lp_class lp_step_runner_class = {
    .name = "StepRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "Runs a list of method calls written in the configuration. config `data` names CSV "
           "files (relative to the config file) loaded as frames (data.NAME; their paths are "
           "paths.NAME); config `steps` is a list of "
           "{call: \"slot.method\" (or \"pipeline.slot.method\"), args: {name: EXPRESSION}, as: "
           "NAME}. Each argument is a check expression over data, paths, config and steps (the "
           "results "
           "of earlier steps by `as`, default the method name); write a string literal as "
           "\"'text'\"; numbers, booleans and null stand for themselves and lists and maps are "
           "evaluated item by item. init checks every slot, method and expression; build_all runs "
           "the steps "
           "through the dispatcher, logs what each returned (\"frame 891 x 12\", \"map {a, b}\") "
           "and returns {as: result}. The first failing step stops the run.",
    .defaults_yaml = NULL,
    .requirements = step_runner_requirements,
    .config_keys = step_runner_keys,
    .methods = step_runner_methods,
    .state_size = sizeof(step_runner),
    .init = step_runner_init,
    .fini = step_runner_fini,
};
