/* Unit tests for config.h: merge, --set, paths, ${ENV} interpolation, $references
 * and the whole lp_config_load pipeline. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop/config.h"
#include "lolpop/error.h"

static lp_value *yaml(const char *text, const char *name)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_value *v = NULL;
    int rc = lp_yaml_parse(&v, text, strlen(text), name, &d);
    if (rc != 0 && d.len > 0) cr_log_error("unexpected: %s", d.items[0].message);
    cr_assert_eq(rc, 0);
    lp_diags_clear(&d);
    return v;
}

static lp_value *get(const lp_value *v, const char *path)
{
    return lp_config_path_get(v, path);
}

static const char *str(const lp_value *v, const char *path)
{
    const char *s = lp_value_as_string(get(v, path));
    cr_assert_not_null(s, "no string at %s", path);
    return s;
}

/* Index of the first diagnostic whose message contains needle, or -1. */
static long find_diag(const lp_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->len; i++)
        if (strstr(d->items[i].message, needle)) return (long)i;
    return -1;
}

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/lp_test_config_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

/* ---- lp_config_path_get ------------------------------------------------- */

Test(config_path, dotted_case_insensitive_and_indexed)
{
    lp_value *v = yaml("Train:\n  Config:\n    metrics: [accuracy, f1]\n    '0': zero\n", "p.yaml");
    cr_assert_str_eq(str(v, "train.config.METRICS.1"), "f1");
    cr_assert_str_eq(str(v, "TRAIN.config.0"), "zero", "numeric segment on a map is a key");
    cr_assert_null(get(v, "train.config.metrics.2"), "out of range");
    cr_assert_null(get(v, "train.config.metrics.x"), "lists need numbers");
    cr_assert_null(get(v, "train.config.metrics.1.deeper"), "scalars have no children");
    cr_assert_null(get(v, "train.nope"));
    cr_assert_eq(get(v, ""), v, "empty path is the document");
    cr_assert_eq(get(v, NULL), v);
    cr_assert_null(get(NULL, "a"));
    lp_value_unref(v);
}

/* ---- lp_config_merge --------------------------------------------------------- */

Test(config_merge, maps_merge_lists_and_scalars_replace)
{
    lp_value *base = yaml("train:\n  config:\n    metrics: [a, b, c]\n    perf: f1\n    keep: 1\n"
                          "  component: {trainer: X}\n",
                          "base.yaml");
    lp_value *over =
        yaml("TRAIN:\n  Config:\n    metrics: [z]\n    Perf: rocauc\n    new: 2\n", "prod.yaml");
    cr_assert_eq(lp_config_merge(base, over), 0);
    cr_assert_eq(lp_map_len(base), 1, "case-insensitive key merge: one 'train'");
    cr_assert_str_eq(lp_map_key(base, 0), "train", "base spelling kept");
    cr_assert_eq(lp_list_len(get(base, "train.config.metrics")), 1, "lists replace");
    cr_assert_str_eq(str(base, "train.config.metrics.0"), "z");
    cr_assert_str_eq(str(base, "train.config.perf"), "rocauc", "scalars replace");
    cr_assert_eq(lp_value_as_int(get(base, "train.config.keep")), 1, "untouched keys stay");
    cr_assert_eq(lp_value_as_int(get(base, "train.config.new")), 2, "new keys added");
    cr_assert_str_eq(str(base, "train.component.trainer"), "X");
    cr_assert_str_eq(lp_value_origin(get(base, "train.config.perf"))->source, "prod.yaml");
    cr_assert_eq(lp_value_origin(get(base, "train.config.perf"))->line, 4);
    cr_assert_str_eq(lp_value_origin(get(base, "train.config.keep"))->source, "base.yaml");
    /* over is only read: values were copied. */
    cr_assert_neq(get(base, "train.config.metrics"), get(over, "train.config.metrics"));
    cr_assert_eq(lp_list_len(get(over, "train.config.metrics")), 1);
    lp_value_unref(base);
    lp_value_unref(over);
}

Test(config_merge, map_replaces_scalar_and_back)
{
    lp_value *base = yaml("a: 1\nb: {x: 1}\n", "b.yaml");
    lp_value *over = yaml("a: {y: 2}\nb: 5\n", "o.yaml");
    cr_assert_eq(lp_config_merge(base, over), 0);
    cr_assert_eq(lp_value_as_int(get(base, "a.y")), 2);
    cr_assert_eq(lp_value_as_int(get(base, "b")), 5);
    lp_value *list = lp_value_list();
    cr_assert_eq(lp_config_merge(base, list), LP_EINVAL);
    lp_value_unref(list);
    lp_value_unref(base);
    lp_value_unref(over);
}

/* ---- lp_config_apply_set ----------------------------------------------------- */

Test(config_set, values_are_yaml_typed)
{
    lp_value *doc = yaml("train:\n  config:\n    perf_metric: f1\n    other: 1\n", "s.yaml");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.perf_metric=rocauc", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.rounds=3", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.metrics=[a, b]", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.flag=true", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.quoted='3'", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.empty=", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "train.config.eq=a=b", &d), 0);
    cr_assert_eq(lp_config_apply_set(doc, "Train.Config.Map={k: 1.5}", &d), 0);
    cr_assert_eq(d.len, 0);
    cr_assert_str_eq(str(doc, "train.config.perf_metric"), "rocauc");
    cr_assert_eq(lp_map_key(get(doc, "train.config"), 0)[0], 'p', "replaced in place");
    cr_assert_eq(lp_value_type(get(doc, "train.config.rounds")), LP_INT);
    cr_assert_eq(lp_value_as_int(get(doc, "train.config.rounds")), 3);
    cr_assert_eq(lp_list_len(get(doc, "train.config.metrics")), 2);
    cr_assert_str_eq(str(doc, "train.config.metrics.1"), "b");
    cr_assert_eq(lp_value_type(get(doc, "train.config.flag")), LP_BOOL);
    cr_assert_eq(lp_value_type(get(doc, "train.config.quoted")), LP_STRING);
    cr_assert_str_eq(str(doc, "train.config.quoted"), "3");
    cr_assert_null(get(doc, "train.config.empty"), "an empty (null) value removes the key");
    cr_assert_str_eq(str(doc, "train.config.eq"), "a=b", "only the first '=' splits");
    cr_assert_float_eq(lp_value_as_float(get(doc, "train.config.map.k")), 1.5, 0);
    cr_assert_eq(lp_map_len(get(doc, "train")), 1, "keys matched ignoring case");
    const lp_origin *o = lp_value_origin(get(doc, "train.config.rounds"));
    cr_assert_eq(o->kind, LP_ORIGIN_SET);
    cr_assert_str_eq(o->source, "--set train.config.rounds=3");
    cr_assert_eq(lp_value_origin(get(doc, "train.config.metrics.0"))->kind, LP_ORIGIN_SET);
    cr_assert_eq(lp_value_origin(get(doc, "train.config.other"))->kind, LP_ORIGIN_FILE);
    lp_value_unref(doc);
}

Test(config_set, creates_intermediate_maps)
{
    lp_value *doc = lp_value_map();
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_apply_set(doc, "a.b.c=1", &d), 0);
    cr_assert_eq(lp_value_type(get(doc, "a.b")), LP_MAP);
    cr_assert_eq(lp_value_as_int(get(doc, "a.b.c")), 1);
    cr_assert_eq(lp_value_origin(get(doc, "a"))->kind, LP_ORIGIN_SET);
    cr_assert_eq(lp_map_key_origin(doc, 0)->kind, LP_ORIGIN_SET);
    cr_assert_eq(lp_config_apply_set(doc, " top = x ", &d), 0, "spaces around the path");
    cr_assert_str_eq(str(doc, "top"), "x");
    lp_value_unref(doc);
}

Test(config_set, bad_assignments_are_diagnostics)
{
    lp_value *doc = yaml("a:\n  list: [1, 2]\n  scalar: 5\n", "s.yaml");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_apply_set(doc, "a.b", &d), LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "no '='"), -1);
    cr_assert_eq(d.items[0].where.kind, LP_ORIGIN_SET);
    cr_assert_eq(lp_config_apply_set(doc, "=5", &d), LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "key path before '=' is empty"), -1);
    cr_assert_eq(lp_config_apply_set(doc, "a..b=5", &d), LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "empty segment"), -1);
    cr_assert_eq(lp_config_apply_set(doc, "a.b.=5", &d), LP_ECONFIG);
    cr_assert_eq(lp_config_apply_set(doc, "a.list.0=5", &d), LP_ECONFIG);
    long i = find_diag(&d, "'a.list' is a list");
    cr_assert_neq(i, -1);
    cr_assert_str_eq(d.items[i].section, "a.list");
    cr_assert(strstr(d.items[i].message, "s.yaml:2:9"), "%s", d.items[i].message);
    cr_assert_eq(lp_config_apply_set(doc, "a.scalar.x=5", &d), LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "'a.scalar' is a int"), -1);
    cr_assert_eq(lp_config_apply_set(doc, "a.new=[1, 2", &d), LP_ECONFIG);
    i = find_diag(&d, "YAML syntax error");
    cr_assert_neq(i, -1);
    cr_assert_str_eq(d.items[i].where.source, "--set a.new=[1, 2");
    cr_assert_eq(strncmp(d.items[i].section, "a.new", 5), 0, "%s", d.items[i].section);
    char deep[1200] = "";
    for (int k = 0; k < 300; k++)
        strcat(deep, "k.");
    strcat(deep, "x=1");
    cr_assert_eq(lp_config_apply_set(doc, deep, &d), LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "more than 256 segments"), -1);
    cr_assert_eq(lp_diags_errors(&d), 8);
    cr_assert_null(get(doc, "a.new"), "failed sets change nothing");
    cr_assert(strstr(lp_error_last()->message, "more than 256 segments"));
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

/* ---- lp_config_interpolate_env --------------------------------------------- */

Test(config_env, replaces_variables_in_strings_at_any_depth)
{
    setenv("LP_T_HOST", "db.example", 1);
    setenv("LP_T_EMPTY", "", 1);
    unsetenv("LP_T_UNSET");
    lp_value *doc = yaml("db:\n  url: \"postgres://${LP_T_HOST}:5432/x\"\n"
                         "  hosts: [\"${LP_T_HOST}\", plain, {h: \"${LP_T_HOST}\"}]\n"
                         "  d1: ${LP_T_UNSET:-fallback}\n  d2: ${LP_T_EMPTY:-used}\n"
                         "  d3: x${LP_T_EMPTY}y\n  d4: \"${LP_T_UNSET:-}\"\n"
                         "  lit: $${LP_T_HOST}\n  dollar: price $5 and $HOME\n"
                         "  ${LP_T_HOST}: key untouched\n  n: 5\n",
                         "e.yaml");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_interpolate_env(doc, &d), 0);
    cr_assert_eq(d.len, 0);
    cr_assert_str_eq(str(doc, "db.url"), "postgres://db.example:5432/x");
    cr_assert_str_eq(str(doc, "db.hosts.0"), "db.example", "list items too");
    cr_assert_str_eq(str(doc, "db.hosts.1"), "plain");
    cr_assert_str_eq(str(doc, "db.hosts.2.h"), "db.example");
    cr_assert_str_eq(str(doc, "db.d1"), "fallback");
    cr_assert_str_eq(str(doc, "db.d2"), "used", ":- also applies to empty values");
    cr_assert_str_eq(str(doc, "db.d3"), "xy");
    cr_assert_str_eq(str(doc, "db.d4"), "");
    cr_assert_str_eq(str(doc, "db.lit"), "${LP_T_HOST}", "$${ is a literal ${");
    cr_assert_str_eq(str(doc, "db.dollar"), "price $5 and $HOME");
    cr_assert_str_eq(str(doc, "db.${LP_T_HOST}"), "key untouched", "keys are not interpolated");
    cr_assert_eq(lp_value_as_int(get(doc, "db.n")), 5);
    const lp_origin *o = lp_value_origin(get(doc, "db.url"));
    cr_assert_eq(o->kind, LP_ORIGIN_FILE, "replaced value keeps its file origin");
    cr_assert_eq(o->line, 2);
    cr_assert_eq(o->col, 8);
    lp_value_unref(doc);
}

Test(config_env, unset_variable_is_located_and_named)
{
    unsetenv("LP_T_SECRET");
    lp_value *doc = yaml("tracker:\n  config:\n    token: \"${LP_T_SECRET}\"\n"
                         "    list: [ok, \"a${LP_T_SECRET}\"]\n",
                         "sec.yaml");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_interpolate_env(doc, &d), LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 2, "every problem reported");
    cr_assert(strstr(d.items[0].message, "LP_T_SECRET"));
    cr_assert(strstr(d.items[0].message, "not set"));
    cr_assert_str_eq(d.items[0].section, "tracker.config.token");
    cr_assert_str_eq(d.items[0].where.source, "sec.yaml");
    cr_assert_eq(d.items[0].where.line, 3);
    cr_assert_eq(d.items[0].where.col, 12);
    cr_assert_str_eq(d.items[1].section, "tracker.config.list.1");
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, LP_ECONFIG);
    cr_assert_eq(e->line, 3);
    cr_assert(strstr(e->message, "tracker.config.token"));
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

Test(config_env, malformed_references_are_errors)
{
    lp_value *doc =
        yaml("a: \"${UNCLOSED\"\nb: \"${1BAD}\"\nc: \"${}\"\nd: \"${A B:-x}\"\n", "m.yaml");
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_config_interpolate_env(doc, &d), LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 4);
    cr_assert(strstr(d.items[0].message, "closing '}'"));
    cr_assert_str_eq(d.items[0].section, "a");
    cr_assert(strstr(d.items[1].message, "not a valid environment reference"));
    cr_assert_eq(d.items[1].where.line, 2);
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

/* ---- lp_config_resolve_refs ---------------------------------------------------- */

static lp_value *resolved(const char *text, lp_diags *d, int want_rc)
{
    lp_value *doc = yaml(text, "r.yaml");
    lp_diags_init(d);
    int rc = lp_config_resolve_refs(doc, d);
    if (rc != want_rc && d->len) cr_log_error("diag: %s", d->items[0].message);
    cr_assert_eq(rc, want_rc);
    return doc;
}

Test(config_refs, references_in_maps_and_lists)
{
    lp_diags d;
    lp_value *doc =
        resolved("process:\n  component:\n    data_transformer: SQLDataTransformer\n"
                 "train:\n  model_trainer:\n    config:\n"
                 "      training_params: {max_depth: 6, eta: 0.3}\n"
                 "  config:\n    t: $process.component.data_transformer\n"
                 "    params: $train.model_trainer.config.training_params\n"
                 "    list: [$process.component.data_transformer, x, $TRAIN.config.metrics.1]\n"
                 "    metrics: [a, b]\n",
                 &d, 0);
    cr_assert_eq(d.len, 0);
    cr_assert_str_eq(str(doc, "train.config.t"), "SQLDataTransformer");
    cr_assert_eq(lp_value_as_int(get(doc, "train.config.params.max_depth")), 6);
    cr_assert_str_eq(str(doc, "train.config.list.0"), "SQLDataTransformer");
    cr_assert_str_eq(str(doc, "train.config.list.2"), "b", "index into a list, any key case");
    /* A copy, keeping the target's origins. */
    const lp_value *params = get(doc, "train.config.params");
    cr_assert_neq(params, get(doc, "train.model_trainer.config.training_params"));
    cr_assert_eq(lp_value_origin(params)->line, 7);
    cr_assert_eq(lp_value_origin(get(doc, "train.config.t"))->line, 3);
    lp_value_unref(doc);
}

Test(config_refs, references_to_references_resolve)
{
    lp_diags d;
    lp_value *doc = resolved("a: $b\nb: $c.x\nc:\n  x: {y: $d}\nd: 42\ne: $a.y\n"
                             "f: [$e, $c]\n",
                             &d, 0);
    cr_assert_eq(d.len, 0);
    cr_assert_eq(lp_value_as_int(get(doc, "a.y")), 42);
    cr_assert_eq(lp_value_as_int(get(doc, "b.y")), 42);
    cr_assert_eq(lp_value_as_int(get(doc, "c.x.y")), 42);
    cr_assert_eq(lp_value_as_int(get(doc, "e")), 42, "path through a reference");
    cr_assert_eq(lp_value_as_int(get(doc, "f.0")), 42);
    cr_assert_eq(lp_value_as_int(get(doc, "f.1.x.y")), 42, "section holding references");
    lp_value_unref(doc);
}

Test(config_refs, escapes_and_non_references_stay)
{
    lp_diags d;
    lp_value *doc = resolved("a: $$b.c\nb: $5\nc: price in $\nd: \"$ x\"\ne: a $b\n"
                             "f: $a.\ng: $$$x\nh: $\n",
                             &d, 0);
    cr_assert_eq(d.len, 0);
    cr_assert_str_eq(str(doc, "a"), "$b.c");
    cr_assert_str_eq(str(doc, "b"), "$5");
    cr_assert_str_eq(str(doc, "c"), "price in $");
    cr_assert_str_eq(str(doc, "d"), "$ x");
    cr_assert_str_eq(str(doc, "e"), "a $b");
    cr_assert_str_eq(str(doc, "f"), "$a.");
    cr_assert_str_eq(str(doc, "g"), "$$x");
    cr_assert_str_eq(str(doc, "h"), "$");
    lp_value_unref(doc);
}

Test(config_refs, escaped_target_is_not_resolved_twice)
{
    lp_diags d;
    lp_value *doc = resolved("a: {x: $$b}\nb: 1\nc: $a\nd: $a.x\n", &d, 0);
    cr_assert_str_eq(str(doc, "c.x"), "$b");
    cr_assert_str_eq(str(doc, "d"), "$b");
    lp_value_unref(doc);
}

Test(config_refs, cycles_name_both_ends)
{
    lp_diags d;
    lp_value *doc = resolved("train:\n  x: $process.y\nprocess:\n  y: $train.x\n", &d, LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 1, "one cycle, one message");
    const char *m = d.items[0].message;
    cr_assert(strstr(m, "reference cycle"), "%s", m);
    cr_assert(strstr(m, "train.x ($process.y) at r.yaml:2:6"), "%s", m);
    cr_assert(strstr(m, "process.y ($train.x) at r.yaml:4:6"), "%s", m);
    cr_assert_eq(d.items[0].where.kind, LP_ORIGIN_FILE);
    cr_assert_str_eq(str(doc, "train.x"), "$process.y", "document unchanged on error");
    lp_value_unref(doc);
    lp_diags_clear(&d);

    doc = resolved("a:\n  x: $a\n", &d, LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 1);
    m = d.items[0].message;
    cr_assert(strstr(m, "a.x ($a) at r.yaml:2:6"), "%s", m);
    cr_assert(strstr(m, "a at r.yaml:2:3 (contains a.x)"), "%s", m);
    cr_assert_str_eq(d.items[0].section, "a.x");
    lp_value_unref(doc);
    lp_diags_clear(&d);

    doc = resolved("s: $s\n", &d, LP_ECONFIG);
    cr_assert(strstr(d.items[0].message, "reference cycle"));
    lp_value_unref(doc);
    lp_diags_clear(&d);

    doc = resolved("z: $a.b\na:\n  b:\n    c: $a\n", &d, LP_ECONFIG);
    cr_assert_geq(lp_diags_errors(&d), 1);
    cr_assert(strstr(d.items[0].message, "reference cycle"));
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

Test(config_refs, missing_targets_name_both_ends)
{
    lp_diags d;
    lp_value *doc = resolved("train:\n  config:\n    p: $process.component.data_transfomer\n"
                             "process:\n  component:\n    data_transformer: X\n"
                             "other: $train.config.p\n",
                             &d, LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 1, "dependents fail silently: %zu", d.len);
    const char *m = d.items[0].message;
    cr_assert(strstr(m, "$process.component.data_transfomer"), "%s", m);
    cr_assert(strstr(m, "process.component (r.yaml:6:5) has no key 'data_transfomer'"), "%s", m);
    cr_assert(strstr(m, "did you mean 'data_transformer'"), "%s", m);
    cr_assert_str_eq(d.items[0].section, "train.config.p");
    cr_assert_eq(d.items[0].where.line, 3);
    cr_assert_eq(d.items[0].where.col, 8);
    lp_value_unref(doc);
    lp_diags_clear(&d);

    doc = resolved("a: $nothing\n", &d, LP_ECONFIG);
    cr_assert(strstr(d.items[0].message, "(root)"), "%s", d.items[0].message);
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

Test(config_refs, list_index_out_of_range_says_length)
{
    lp_diags d;
    lp_value *doc = resolved("m: [a, b, c]\nx: $m.3\ny: $m.name\nz: $m.0.deeper\n", &d, LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 3);
    cr_assert(strstr(d.items[0].message, "index 3 is out of range"), "%s", d.items[0].message);
    cr_assert(strstr(d.items[0].message, "list of 3 items"), "%s", d.items[0].message);
    cr_assert(strstr(d.items[1].message, "is a list"), "%s", d.items[1].message);
    cr_assert(strstr(d.items[2].message, "is a string"), "%s", d.items[2].message);
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, LP_ECONFIG);
    cr_assert(strstr(e->message, "and 2 more problems"), "%s", e->message);
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

Test(config_refs, fan_out_is_bounded)
{
    lp_diags d;
    lp_value *doc = resolved("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
                             "b: [$a, $a, $a, $a, $a, $a, $a, $a, $a, $a]\n"
                             "c: [$b, $b, $b, $b, $b, $b, $b, $b, $b, $b]\n"
                             "d: [$c, $c, $c, $c, $c, $c, $c, $c, $c, $c]\n"
                             "e: [$d, $d, $d, $d, $d, $d, $d, $d, $d, $d]\n"
                             "f: [$e, $e, $e, $e, $e, $e, $e, $e, $e, $e]\n"
                             "g: [$f, $f, $f, $f, $f, $f, $f, $f, $f, $f]\n",
                             &d, LP_ECONFIG);
    cr_assert_neq(find_diag(&d, "more than 1000000 values"), -1);
    lp_value_unref(doc);
    lp_diags_clear(&d);
}

/* ---- lp_config_load ---------------------------------------------------------------- */

Test(config_load, layers_files_sets_env_and_refs)
{
    setenv("LP_T_STORE", "/var/lp.db", 1);
    char *base = write_temp("pipeline:\n  train: OfflineTrain\nconfig:\n  metrics: [a, b, c]\n"
                            "  model: m\ntrain:\n  config:\n    perf: $config.metrics.0\n"
                            "metadata_tracker:\n  config:\n    store: ${LP_T_STORE}\n");
    char *prod = write_temp("CONFIG:\n  Metrics: [x]\n  model: prod\n");
    const char *files[] = {base, prod};
    const char *sets[] = {"train.config.rounds=10", "config.model=set"};
    lp_config_input in = {files, 2, sets, 2};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), 0);
    cr_assert_eq(d.len, 0);
    const lp_value *root = lp_config_root(cfg);
    cr_assert_str_eq(str(root, "pipeline.train"), "OfflineTrain");
    cr_assert_eq(lp_list_len(get(root, "config.metrics")), 1);
    cr_assert_str_eq(str(root, "train.config.perf"), "x", "refs see the merged document");
    cr_assert_str_eq(str(root, "config.model"), "set", "--set wins over files");
    cr_assert_eq(lp_value_as_int(get(root, "train.config.rounds")), 10);
    cr_assert_str_eq(str(root, "metadata_tracker.config.store"), "/var/lp.db");
    cr_assert_str_eq(lp_value_origin(get(root, "config.metrics.0"))->source, prod);
    lp_config_free(cfg);
    unlink(base), unlink(prod);
    free(base), free(prod);
}

/* Issue 11 Fix 10: an overlay removes a key or slot with null (a later file's
 * `key: null` / `key: ~`, `--set KEY=null` or `--set KEY=~`); the first file's
 * nulls stay (`key:` there is "unset", and validation sees it). */
Test(config_load, overlay_nulls_remove_keys_and_slots)
{
    char *base =
        write_temp("train:\n  component:\n    hyperparameter_tuner: LocalHyperparameterTuner\n"
                   "    model_trainer: XGBoostModelTrainer\n"
                   "  config: {perf_metric: f1, seed: 1, keep: ~}\n"
                   "config: {a: 1, b: 2}\n");
    char *over = write_temp("config: {a: null, nothing_here: ~}\ntrain:\n  config: {seed: ~}\n");
    const char *files[] = {base, over};
    const char *sets[] = {"train.component.hyperparameter_tuner=null", "config.b=~",
                          "train.config.perf_metric=rocauc"};
    lp_config_input in = {files, 2, sets, 3};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), 0);
    const lp_value *root = lp_config_root(cfg);
    cr_assert_null(get(root, "train.component.hyperparameter_tuner"), "--set =null removes a slot");
    cr_assert_str_eq(str(root, "train.component.model_trainer"), "XGBoostModelTrainer");
    cr_assert_null(get(root, "config.a"), "null in an overlay file removes the key");
    cr_assert_null(get(root, "config.b"), "--set KEY=~ removes the key");
    cr_assert_null(get(root, "config.nothing_here"), "a null for an absent key is dropped");
    cr_assert_null(get(root, "train.config.seed"));
    cr_assert_str_eq(str(root, "train.config.perf_metric"), "rocauc");
    cr_assert_not_null(get(root, "train.config.keep"), "the first file's nulls stay");
    lp_config_free(cfg);
    lp_diags_clear(&d);
    unlink(base), unlink(over);
    free(base), free(over);
}

/* A secret that starts with '$' is text, not a "$reference" (nor a "$$"
 * escape): interpolated text is never re-read, and so never appears in a
 * reference error. */
Test(config_load, env_values_are_never_reinterpreted)
{
    setenv("LP_T_PASSWORD", "$config.model", 1);
    setenv("LP_T_TOKEN", "$$nope.at.all", 1);
    char *base = write_temp("config:\n  model: m\n  password: ${LP_T_PASSWORD}\n"
                            "  token: \"${LP_T_TOKEN}\"\n  ref: $config.model\n");
    const char *files[] = {base};
    lp_config_input in = {files, 1, NULL, 0};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), 0, "%s", d.len ? d.items[0].message : "");
    const lp_value *root = lp_config_root(cfg);
    cr_assert_str_eq(str(root, "config.password"), "$config.model");
    cr_assert_str_eq(str(root, "config.token"), "$$nope.at.all");
    cr_assert_str_eq(str(root, "config.ref"), "m", "references written in the file still resolve");
    lp_config_free(cfg);
    lp_diags_clear(&d);
    unlink(base);
    free(base);
}

Test(config_load, empty_input_is_an_empty_map)
{
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, NULL, NULL), 0);
    cr_assert_eq(lp_value_type(lp_config_root(cfg)), LP_MAP);
    cr_assert_eq(lp_map_len(lp_config_root(cfg)), 0);
    lp_config_free(cfg);
    lp_config_free(NULL);
    cr_assert_null(lp_config_root(NULL));
}

Test(config_load, every_problem_is_reported_at_once)
{
    unsetenv("LP_T_NOPE");
    char *a = write_temp("train:\n  config:\n    token: ${LP_T_NOPE}\n    ref: $process.missing\n"
                         "process: {}\n");
    const char *files[] = {a};
    const char *sets[] = {"novalue", "train.config.token.x=1"};
    lp_config_input in = {files, 1, sets, 2};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = (lp_config *)&d;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), LP_ECONFIG);
    cr_assert_null(cfg);
    cr_assert_eq(lp_diags_errors(&d), 4, "got %zu", lp_diags_errors(&d));
    cr_assert_neq(find_diag(&d, "no '='"), -1);
    cr_assert_neq(find_diag(&d, "'train.config.token' is a string"), -1);
    long i = find_diag(&d, "LP_T_NOPE");
    cr_assert_neq(i, -1);
    cr_assert_str_eq(d.items[i].section, "train.config.token");
    cr_assert_eq(d.items[i].where.line, 3);
    i = find_diag(&d, "$process.missing");
    cr_assert_neq(i, -1);
    cr_assert_str_eq(d.items[i].section, "train.config.ref");
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, LP_ECONFIG);
    cr_assert(strstr(e->message, "no '='"), "first problem summarised: %s", e->message);
    cr_assert(strstr(e->message, "3 more problems"), "%s", e->message);
    lp_diags_clear(&d);
    unlink(a);
    free(a);
}

Test(config_load, bad_files_are_all_reported)
{
    char *bad = write_temp("a: [1\n");
    char *good = write_temp("b: $a\n");
    const char *files[] = {"/nonexistent.yaml", bad, good};
    lp_config_input in = {files, 3, NULL, 0};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), LP_ECONFIG);
    cr_assert_null(cfg);
    cr_assert_eq(lp_diags_errors(&d), 2, "no reference noise after a parse failure");
    cr_assert(strstr(d.items[0].message, "/nonexistent.yaml"));
    cr_assert_str_eq(d.items[1].where.source, bad);
    const lp_error *e = lp_error_last();
    cr_assert(strstr(e->message, "/nonexistent.yaml"), "%s", e->message);
    lp_diags_clear(&d);
    unlink(bad), unlink(good);
    free(bad), free(good);
}

/* ---- path-valued keys (issue 11 Fix 2) ----------------------------------------------- */

/* One rule: a relative path is relative to the file that set it (the
 * configuration, an overlay elsewhere); --set values stay relative to the
 * working directory; tables, queries, URLs and absolute paths are left alone. */
Test(config_load, paths_are_relative_to_the_file_that_set_them)
{
    char root[] = "/tmp/lp_test_paths_XXXXXX";
    cr_assert_not_null(mkdtemp(root));
    char conf_dir[64], over_dir[64], conf[96], over[96];
    snprintf(conf_dir, sizeof conf_dir, "%s/conf", root);
    snprintf(over_dir, sizeof over_dir, "%s/over", root);
    cr_assert_eq(mkdir(conf_dir, 0700), 0);
    cr_assert_eq(mkdir(over_dir, 0700), 0);
    snprintf(conf, sizeof conf, "%s/x.yaml", conf_dir);
    snprintf(over, sizeof over, "%s/o.yaml", over_dir);
    FILE *f = fopen(conf, "w");
    fputs("plugin_paths: [plugins]\n"
          "config:\n"
          "  train_data: data/train.csv\n"
          "  eval_data: SELECT * FROM titanic\n"
          "  prediction_data: scored_table\n"
          "  ground_truth_data: {a: labels.csv, b: /abs/labels.csv}\n"
          "process:\n"
          "  data_transformer:\n"
          "    config: {sql_file: q.sql}\n"
          "metadata_tracker:\n"
          "  config: {store: postgresql://db/lolpop}\n"
          "model_deployer:\n"
          "  config: {dir: out/deployments}\n",
          f);
    fclose(f);
    f = fopen(over, "w");
    fputs("config:\n  prediction_data: preds.csv\n", f);
    fclose(f);
    const char *files[] = {conf, over};
    const char *sets[] = {"train.config.train_data=set/train.csv"};
    lp_config_input in = {files, 2, sets, 1};
    lp_diags d;
    lp_diags_init(&d);
    lp_config *cfg = NULL;
    cr_assert_eq(lp_config_load(&cfg, &in, &d), 0);
    const lp_value *doc = lp_config_root(cfg);
    char want[160];
    snprintf(want, sizeof want, "%s/data/train.csv", conf_dir);
    cr_assert_str_eq(str(doc, "config.train_data"), want);
    cr_assert_eq(lp_value_origin(get(doc, "config.train_data"))->line, 3, "the origin is kept");
    snprintf(want, sizeof want, "%s/preds.csv", over_dir);
    cr_assert_str_eq(str(doc, "config.prediction_data"), want, "an overlay's path is its own");
    snprintf(want, sizeof want, "%s/labels.csv", conf_dir);
    cr_assert_str_eq(str(doc, "config.ground_truth_data.a"), want);
    cr_assert_str_eq(str(doc, "config.ground_truth_data.b"), "/abs/labels.csv");
    cr_assert_str_eq(str(doc, "config.eval_data"), "SELECT * FROM titanic", "a query stays");
    snprintf(want, sizeof want, "%s/q.sql", conf_dir);
    cr_assert_str_eq(str(doc, "process.data_transformer.config.sql_file"), want);
    snprintf(want, sizeof want, "%s/out/deployments", conf_dir);
    cr_assert_str_eq(str(doc, "model_deployer.config.dir"), want);
    cr_assert_str_eq(str(doc, "metadata_tracker.config.store"), "postgresql://db/lolpop");
    cr_assert_str_eq(str(doc, "train.config.train_data"), "set/train.csv",
                     "--set is relative to the working directory");
    cr_assert_str_eq(str(doc, "plugin_paths.0"), "plugins",
                     "plugin_paths are resolved by the plugin loader, by the same rule");
    lp_config_free(cfg);
    lp_diags_clear(&d);

    /* a table name written in a file stays a table name */
    f = fopen(over, "w");
    fputs("config:\n  prediction_data: scored_table\n", f);
    fclose(f);
    cr_assert_eq(lp_config_load(&cfg, &(lp_config_input){files, 2, NULL, 0}, &d), 0);
    cr_assert_str_eq(str(lp_config_root(cfg), "config.prediction_data"), "scored_table");
    lp_config_free(cfg);
    lp_diags_clear(&d);
    unlink(conf), unlink(over), rmdir(conf_dir), rmdir(over_dir), rmdir(root);
}
