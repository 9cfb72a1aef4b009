/*
 * manifest.c — reading and checking the JSON files of a deployment bundle
 * (bundle.json, input.json, transform.json; docs/bundles.md). Whatever these
 * accept is a well-formed value the loader can use without further checks;
 * fuzz/fuzz_bundle.c feeds them arbitrary bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bundle/bundle_internal.h"
#include "core/digest.h"
#include "core/value_json.h"
#include "lolpop/abi.h"
#include "lolpop/frame.h"
#include "lolpop/version.h"

bool lp_bundle_plain_name(const char *name)
{
    return name && *name && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\');
}

/* LP_EINVAL "FILE: WHAT" */
static int bad(const char *file, const char *what)
{
    return lp_error_set(LP_EINVAL, "%s: %s", file, what);
}

/* The value of key in object o, the key compared ignoring ASCII case as
 * lolpop maps compare keys (lp_map_get), so that what is checked here is
 * what the loader reads; NULL when absent or o is not an object. */
static json_t *jget(json_t *o, const char *key)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcasecmp(k, key) == 0) return v;
    }
    return NULL;
}

/* A key of an object in j (at any depth) that equals another key of the same
 * object ignoring ASCII case, or NULL. lolpop maps look keys up ignoring
 * case, so "Transform_file" next to the checked JSON would be what the
 * loader reads: such a file is refused instead. */
static const char *case_twin(json_t *j, int depth)
{
    if (depth > 64) return NULL; /* jansson limits nesting itself */
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            const char *k = case_twin(json_array_get(j, i), depth + 1);
            if (k) return k;
        }
        return NULL;
    }
    if (!json_is_object(j)) return NULL;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        const char *other;
        json_t *w;
        json_object_foreach(j, other, w)
        {
            if (other != key && strcasecmp(other, key) == 0) return key;
        }
        const char *k = case_twin(v, depth + 1);
        if (k) return k;
    }
    return NULL;
}

/* The JSON object in text, or NULL with LP_EINVAL naming file and position. */
static json_t *load_object(const char *file, const char *text, size_t len)
{
    json_error_t err;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        lp_error_set(LP_EINVAL, "%s: not valid JSON (line %d, column %d: %s)", file, err.line,
                     err.column, err.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        bad(file, "not a JSON object");
        return NULL;
    }
    const char *twin = case_twin(j, 0);
    if (twin) {
        lp_error_set(LP_EINVAL, "%s: key '%s' appears twice (keys are compared ignoring case)",
                     file, twin);
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The JSON object j as a new value, or NULL (LP_ENOMEM). Consumes j. */
static int to_value(lp_value **out, json_t *j)
{
    *out = lp_value_from_json(j);
    json_decref(j);
    return *out ? 0 : LP_ENOMEM;
}

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64) return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) return false;
    return true;
}

/* Whether files lists `name` (a string) when name is not null. */
static int check_listed(json_t *m, json_t *files, const char *key, bool nullable)
{
    json_t *v = jget(m, key);
    if (nullable && (!v || json_is_null(v))) return 0;
    const char *name = json_string_value(v);
    char what[160];
    if (!lp_bundle_plain_name(name)) {
        snprintf(what, sizeof what, "'%s' must be a plain file name%s", key,
                 nullable ? " or null" : "");
        return bad(LP_BUNDLE_MANIFEST, what);
    }
    if (!jget(files, name)) {
        snprintf(what, sizeof what, "'%s' names '%.80s', which 'files' does not list", key, name);
        return bad(LP_BUNDLE_MANIFEST, what);
    }
    return 0;
}

/* Every entry of files is {sha256: 64 hex, size: int >= 0} under a plain name. */
static int check_files(json_t *files)
{
    if (!json_is_object(files)) return bad(LP_BUNDLE_MANIFEST, "'files' must be an object");
    const char *name;
    json_t *f;
    char what[200];
    json_object_foreach(files, name, f)
    {
        json_t *size = jget(f, "size");
        if (!lp_bundle_plain_name(name) || strcmp(name, LP_BUNDLE_MANIFEST) == 0) {
            snprintf(what, sizeof what, "'files' lists '%.80s', which is not a bundle file name",
                     name);
            return bad(LP_BUNDLE_MANIFEST, what);
        }
        if (!json_is_object(f) || !is_hex64(json_string_value(jget(f, "sha256"))) ||
            !json_is_integer(size) || json_integer_value(size) < 0) {
            snprintf(what, sizeof what,
                     "files['%.80s'] must be {sha256: 64 lower-case hex digits, size: bytes}",
                     name);
            return bad(LP_BUNDLE_MANIFEST, what);
        }
    }
    return 0;
}

/* model_file, input_file and transform_file name three different files. */
static int check_distinct(json_t *m)
{
    const char *model = json_string_value(jget(m, "model_file"));
    const char *input = json_string_value(jget(m, "input_file"));
    const char *transform = json_string_value(jget(m, "transform_file"));
    if (strcmp(model, input) != 0 &&
        (!transform || (strcmp(transform, model) != 0 && strcmp(transform, input) != 0)))
        return 0;
    return bad(LP_BUNDLE_MANIFEST, "model_file, input_file and transform_file must name "
                                   "different files");
}

int lp_bundle_manifest_parse(lp_value **out, const char *text, size_t len)
{
    *out = NULL;
    json_t *m = load_object(LP_BUNDLE_MANIFEST, text, len);
    if (!m) return LP_EINVAL;
    json_t *files = jget(m, "files");
    int rc = 0;
    if (!json_is_integer(jget(m, "format")))
        rc = bad(LP_BUNDLE_MANIFEST, "'format' must be an integer");
    else if (!json_is_string(jget(m, "lolpop_version")))
        rc = bad(LP_BUNDLE_MANIFEST, "'lolpop_version' must be a string");
    else if (!json_is_integer(jget(m, "abi_version")))
        rc = bad(LP_BUNDLE_MANIFEST, "'abi_version' must be an integer");
    if (rc == 0) rc = check_files(files);
    if (rc == 0) rc = check_listed(m, files, "model_file", false);
    if (rc == 0) rc = check_listed(m, files, "input_file", false);
    if (rc == 0) rc = check_listed(m, files, "transform_file", true);
    if (rc == 0) rc = check_distinct(m);
    if (rc) {
        json_decref(m);
        return rc;
    }
    return to_value(out, m);
}

/* major.minor.patch of s into v[3]; false when s is not of that form. */
static bool parse_version(const char *s, long v[3])
{
    int n = 0;
    return s && sscanf(s, "%ld.%ld.%ld%n", &v[0], &v[1], &v[2], &n) == 3 && n > 0 && v[0] >= 0 &&
           v[1] >= 0 && v[2] >= 0;
}

int lp_bundle_check_versions(const lp_value *manifest, const char *dir)
{
    int64_t format = lp_value_as_int(lp_map_get(manifest, "format"));
    int64_t abi = lp_value_as_int(lp_map_get(manifest, "abi_version"));
    const char *made_by = lp_value_as_string(lp_map_get(manifest, "lolpop_version"));
    long theirs[3], ours[3];
    if (format != LP_BUNDLE_FORMAT)
        return lp_error_set(LP_EINVAL,
                            "bundle '%s' has format %lld; this lolpop (%s) reads format %d: "
                            "deploy the model again with this lolpop",
                            dir, (long long)format, lp_version(), LP_BUNDLE_FORMAT);
    if (abi < (int64_t)LP_ABI_OLDEST || abi > (int64_t)LP_ABI_VERSION)
        return lp_error_set(LP_EINVAL,
                            "bundle '%s' was written for lolpop ABI %lld; this lolpop (%s) "
                            "supports ABI %u to %u",
                            dir, (long long)abi, lp_version(), LP_ABI_OLDEST, LP_ABI_VERSION);
    if (!parse_version(made_by, theirs) || !parse_version(lp_version(), ours))
        return lp_error_set(LP_EINVAL, "bundle '%s': lolpop_version '%s' is not MAJOR.MINOR.PATCH",
                            dir, made_by ? made_by : "");
    bool newer = theirs[0] > ours[0] || (theirs[0] == ours[0] && theirs[1] > ours[1]);
    if (theirs[0] != ours[0] || newer)
        return lp_error_set(LP_EINVAL,
                            "bundle '%s' was written by lolpop %s, which this lolpop (%s) cannot "
                            "read (same major version and not newer needed)",
                            dir, made_by, lp_version());
    return 0;
}

/* {name, dtype} with a known dtype. */
static bool is_typed(json_t *o)
{
    lp_dtype t;
    const char *dtype = json_string_value(jget(o, "dtype"));
    return json_is_object(o) && json_is_string(jget(o, "name")) && dtype &&
           lp_dtype_parse(dtype, &t) == 0;
}

/* columns: null or [{name, dtype, required}] with unique names. */
static int check_columns(json_t *cols)
{
    if (!cols || json_is_null(cols)) return 0;
    if (!json_is_array(cols)) return bad(LP_BUNDLE_INPUT, "'columns' must be a list or null");
    size_t i;
    json_t *c;
    char what[200];
    json_array_foreach(cols, i, c)
    {
        json_t *required = jget(c, "required");
        if (!is_typed(c) || !required || !json_is_boolean(required)) {
            snprintf(what, sizeof what,
                     "columns[%zu] must be {name, dtype (a lolpop type), required (bool)}", i);
            return bad(LP_BUNDLE_INPUT, what);
        }
        const char *name = json_string_value(jget(c, "name"));
        for (size_t k = 0; name && k < i; k++) {
            /* earlier entries passed is_typed, so their names are strings;
             * the check keeps -O3's null-dereference analysis quiet */
            const char *earlier = json_string_value(jget(json_array_get(cols, k), "name"));
            if (earlier && strcmp(name, earlier) == 0) {
                snprintf(what, sizeof what, "column '%.80s' is listed twice", name);
                return bad(LP_BUNDLE_INPUT, what);
            }
        }
    }
    return 0;
}

/* A list of strings (at least `min`). */
static bool is_strings(json_t *a, size_t min)
{
    if (!json_is_array(a) || json_array_size(a) < min) return false;
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s) if (!json_is_string(s)) return false;
    return true;
}

int lp_bundle_input_parse(lp_value **out, const char *text, size_t len)
{
    *out = NULL;
    json_t *in = load_object(LP_BUNDLE_INPUT, text, len);
    if (!in) return LP_EINVAL;
    json_t *idx = jget(in, "model_index");
    const char *task = json_string_value(jget(in, "task"));
    int rc = check_columns(jget(in, "columns"));
    if (rc == 0 && idx && !json_is_null(idx) && !json_is_string(idx))
        rc = bad(LP_BUNDLE_INPUT, "'model_index' must be a column name or null");
    if (rc == 0 && !is_typed(jget(in, "target")))
        rc = bad(LP_BUNDLE_INPUT, "'target' must be {name, dtype}");
    if (rc == 0 && (!task || (strcmp(task, "binary") && strcmp(task, "multiclass") &&
                              strcmp(task, "regression"))))
        rc = bad(LP_BUNDLE_INPUT, "'task' must be binary, multiclass or regression");
    if (rc == 0 && !is_strings(jget(in, "classes"), 0))
        rc = bad(LP_BUNDLE_INPUT, "'classes' must be a list of labels");
    if (rc) {
        json_decref(in);
        return rc;
    }
    return to_value(out, in);
}

int lp_bundle_transform_parse(lp_value **out, const char *text, size_t len)
{
    *out = NULL;
    json_t *t = load_object(LP_BUNDLE_TRANSFORM, text, len);
    if (!t) return LP_EINVAL;
    int rc = 0;
    const char *cls = json_string_value(jget(t, "class"));
    if (!cls || !*cls)
        rc = bad(LP_BUNDLE_TRANSFORM, "'class' must name a data_transformer class");
    else if (!json_is_object(jget(t, "config")))
        rc = bad(LP_BUNDLE_TRANSFORM, "'config' must be an object");
    else if (!is_strings(jget(t, "tables"), 1))
        rc = bad(LP_BUNDLE_TRANSFORM, "'tables' must be a list of one table name or more");
    if (rc) {
        json_decref(t);
        return rc;
    }
    return to_value(out, t);
}
