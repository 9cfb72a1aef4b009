/*
 * local.c — LocalFeatureTransformer: configured column encodings, fitted on
 * training data and applied to any frame.
 *
 *   feature_transformer:
 *     config:
 *       transformers:
 *         - {transformer: SimpleImputer, columns: [age], params: {strategy: median}}
 *         - {transformer: StandardScaler, columns: [age, fare]}
 *         - {transformer: OneHotEncoder, columns: [sex, embarked], params: {max_categories: 3}}
 *
 * Transformers run in the order listed, each on the output of the previous
 * ones (as a scikit-learn Pipeline), so an imputer can feed a scaler. Columns
 * no transformer names pass through unchanged, shared with the input. The
 * configuration is checked when the component starts; the fitted state is
 * saved as versioned JSON bytes (encoder_json.c) that load restores exactly.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "encoders.h"
#include "lolpop/feature_state.h"
#include "lolpop/frame.h"

#define STATE_FORMAT  "lolpop.LocalFeatureTransformer"
#define STATE_VERSION 1

/* One configured entry: a transformer and the columns it applies to. */
typedef struct ft_step {
    lp_enc_params params;
    char **columns;
    size_t n_columns;
    char *where; /* "transformers[1] (StandardScaler)" for messages */
} ft_step;

typedef struct ft_state {
    ft_step *steps;
    size_t n_steps;
    lp_encoder **enc; /* fitted, in application order; NULL before fit/load */
    size_t n_enc;
    bool fitted;
} ft_state;

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* Re-sets the last error at v's file position when v came from a file. */
static int at_origin(int rc, const lp_value *v)
{
    const lp_origin *o = lp_value_origin(v);
    if (!o || o->kind != LP_ORIGIN_FILE) return rc;
    char *msg = lp_strdup(lp_error_last()->message);
    if (msg) lp_error_set_at(rc, o->source, o->line, o->col, "%s", msg);
    free(msg);
    return rc;
}

/* ---- configuration ------------------------------------------------------------ */

static const char *const entry_keys[] = {"transformer", "columns", "params"};

static int check_entry_keys(const lp_value *entry, const char *where)
{
    for (size_t i = 0; i < lp_map_len(entry); i++) {
        const char *k = lp_map_key(entry, i);
        size_t j = 0;
        while (j < 3 && !lp_streq_nocase(k, entry_keys[j]))
            j++;
        if (j < 3) continue;
        const char *s = lp_suggest(k, entry_keys, 3);
        return lp_error_set(LP_ECONFIG,
                            "%s: unknown key '%s'%s%s%s (keys: transformer, columns, "
                            "params)",
                            where, k, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
    }
    return 0;
}

static int parse_kind(lp_enc_kind *kind, const lp_value *entry, const char *where)
{
    const lp_value *t = lp_map_get(entry, "transformer");
    const char *name = lp_value_as_string(t);
    if (!name)
        return at_origin(lp_error_set(LP_ECONFIG,
                                      "%s: 'transformer' must name one of "
                                      "OneHotEncoder, OrdinalEncoder, MinMaxScaler, "
                                      "StandardScaler, SimpleImputer",
                                      where),
                         t ? t : entry);
    if (lp_enc_kind_parse(name, kind)) return 0;
    const char *s = lp_suggest(name, lp_enc_kind_names, 5);
    return at_origin(s ? lp_error_set(LP_ECONFIG,
                                      "%s: unknown transformer '%s'; did you mean '%s'?", where,
                                      name, s)
                       : lp_error_set(LP_ECONFIG,
                                      "%s: unknown transformer '%s' (known: OneHotEncoder, "
                                      "OrdinalEncoder, MinMaxScaler, StandardScaler, "
                                      "SimpleImputer)",
                                      where, name),
                     t);
}

static int parse_columns(ft_step *st, const lp_value *entry, const char *where)
{
    const lp_value *cols = lp_map_get(entry, "columns");
    size_t n = lp_list_len(cols);
    if (lp_value_type(cols) != LP_LIST || n == 0)
        return at_origin(lp_error_set(LP_ECONFIG,
                                      "%s: 'columns' must be a non-empty list of "
                                      "column names",
                                      where),
                         cols ? cols : entry);
    st->columns = calloc(n, sizeof *st->columns);
    if (!st->columns) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const lp_value *c = lp_list_get(cols, i);
        const char *name = lp_value_as_string(c);
        if (!name)
            return at_origin(
                lp_error_set(LP_ECONFIG, "%s: columns[%zu] must be a column name", where, i), c);
        for (size_t j = 0; j < i; j++)
            if (strcmp(st->columns[j], name) == 0)
                return at_origin(
                    lp_error_set(LP_ECONFIG, "%s: column '%s' is listed twice", where, name), c);
        if (!(st->columns[i] = lp_strdup(name))) return LP_ENOMEM;
        st->n_columns++;
    }
    return 0;
}

static int parse_step(ft_step *st, const lp_value *entry, const char *where)
{
    if (lp_value_type(entry) != LP_MAP)
        return at_origin(lp_error_set(LP_ECONFIG,
                                      "%s: expected a map {transformer, columns, "
                                      "params}",
                                      where),
                         entry);
    lp_enc_kind kind;
    int rc = check_entry_keys(entry, where);
    if (rc) return at_origin(rc, entry);
    if ((rc = parse_kind(&kind, entry, where))) return rc;
    free(st->where);
    st->where = lp_asprintf("%s (%s)", where, lp_enc_kind_name(kind));
    if (!st->where) return LP_ENOMEM;
    const lp_value *params = lp_map_get(entry, "params");
    if ((rc = lp_enc_params_parse(&st->params, kind, params, st->where)))
        return at_origin(rc, params ? params : entry);
    return parse_columns(st, entry, st->where);
}

static void free_steps(ft_state *s)
{
    for (size_t i = 0; i < s->n_steps; i++) {
        for (size_t j = 0; j < s->steps[i].n_columns; j++)
            free(s->steps[i].columns[j]);
        free(s->steps[i].columns);
        free(s->steps[i].where);
        lp_value_unref(s->steps[i].params.fill_value);
    }
    free(s->steps);
    s->steps = NULL;
    s->n_steps = 0;
}

static void free_encoders(lp_encoder **enc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lp_encoder_free(enc[i]);
    free(enc);
}

static int ft_init(lp_obj *self)
{
    ft_state *s = lp_obj_state(self);
    lp_value *list = lp_obj_config(self, "transformers");
    int rc = 0;
    if (lp_value_type(list) != LP_LIST) {
        rc = at_origin(lp_error_set(LP_ECONFIG,
                                    "LocalFeatureTransformer (%s): 'transformers' must be a list "
                                    "of {transformer, columns, params}",
                                    path_of(self)),
                       list);
        lp_value_unref(list);
        return rc;
    }
    size_t n = lp_list_len(list);
    s->steps = calloc(n ? n : 1, sizeof *s->steps);
    if (!s->steps) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *where =
            lp_asprintf("LocalFeatureTransformer (%s): transformers[%zu]", path_of(self), i);
        s->n_steps++;
        rc = where ? parse_step(&s->steps[i], lp_list_get(list, i), where) : LP_ENOMEM;
        free(where);
    }
    lp_value_unref(list);
    if (rc) free_steps(s); /* a failed init gets no fini */
    return rc;
}

static void ft_fini(lp_obj *self)
{
    ft_state *s = lp_obj_state(self);
    free_steps(s);
    free_encoders(s->enc, s->n_enc);
    s->enc = NULL;
    s->n_enc = 0;
}

/* ---- methods -------------------------------------------------------------------- */

/* Applies encoders enc[0..n) in order; new frame in *out. */
static int apply_all(lp_frame **out, lp_encoder *const *enc, size_t n, lp_frame *f)
{
    lp_frame *cur = lp_frame_ref(f);
    for (size_t i = 0; i < n; i++) {
        lp_frame *next = NULL;
        int rc = lp_encoder_apply(&next, enc[i], cur);
        lp_frame_unref(cur);
        if (rc) return rc;
        cur = next;
    }
    *out = cur;
    return 0;
}

/* Fits step by step, each encoder on the training frame as the earlier ones
 * left it. */
static int fit_all(ft_state *s, lp_encoder ***out, size_t *n_out, lp_frame *X)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < s->n_steps; i++)
        total += s->steps[i].n_columns;
    lp_encoder **enc = calloc(total ? total : 1, sizeof *enc);
    if (!enc) return lp_error_set(LP_ENOMEM, "out of memory");
    lp_frame *cur = lp_frame_ref(X);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_steps; i++)
        for (size_t j = 0; rc == 0 && j < s->steps[i].n_columns; j++) {
            lp_frame *next = NULL;
            rc = lp_encoder_fit(&enc[n], &s->steps[i].params, s->steps[i].columns[j], cur);
            if (rc == 0) rc = lp_encoder_apply(&next, enc[n++], cur);
            if (rc) lp_error_prefix("%s", s->steps[i].where);
            lp_frame_unref(cur);
            cur = next;
        }
    if (cur) lp_frame_unref(cur);
    if (rc) {
        free_encoders(enc, n);
        return rc;
    }
    *out = enc;
    *n_out = n;
    return 0;
}

/* fit(X, y) -> null: learns every encoding from the training frame X. */
static lp_value *ft_fit(lp_obj *self, lp_value *args)
{
    ft_state *s = lp_obj_state(self);
    lp_frame *X = lp_kit_arg_frame(args, "X", NULL);
    if (!X) return NULL;
    if (lp_frame_rows(X) == 0) {
        lp_error_set(LP_EINVAL, "LocalFeatureTransformer (%s).fit: X has no rows to fit on",
                     path_of(self));
        return NULL;
    }
    lp_encoder **enc = NULL;
    size_t n = 0;
    if (fit_all(s, &enc, &n, X) != 0) return NULL;
    free_encoders(s->enc, s->n_enc);
    s->enc = enc;
    s->n_enc = n;
    s->fitted = true;
    lp_log(self, LP_LOG_DEBUG, "fitted %zu column encodings on %zu rows", n, lp_frame_rows(X));
    return lp_value_null();
}

static int need_fitted(lp_obj *self, const char *method)
{
    ft_state *s = lp_obj_state(self);
    if (s->fitted) return 0;
    return lp_error_set(LP_EWORKFLOW, "LocalFeatureTransformer (%s).%s called before fit (or load)",
                        path_of(self), method);
}

/* transform(X) -> X: the encoded frame. */
static lp_value *ft_transform(lp_obj *self, lp_value *args)
{
    ft_state *s = lp_obj_state(self);
    lp_frame *X = lp_kit_arg_frame(args, "X", NULL);
    if (!X || need_fitted(self, "transform")) return NULL;
    lp_frame *out = NULL;
    if (apply_all(&out, s->enc, s->n_enc, X) != 0) {
        lp_error_prefix("LocalFeatureTransformer (%s).transform", path_of(self));
        return NULL;
    }
    lp_value *v = lp_value_frame(out);
    lp_frame_unref(out);
    return v;
}

/* save() -> data: the fitted state as versioned JSON bytes. */
static lp_value *ft_save(lp_obj *self, lp_value *args)
{
    (void)args;
    ft_state *s = lp_obj_state(self);
    if (need_fitted(self, "save")) return NULL;
    json_t *list = json_array();
    for (size_t i = 0; list && i < s->n_enc; i++)
        if (json_array_append_new(list, lp_encoder_to_json(s->enc[i]))) {
            json_decref(list);
            list = NULL;
        }
    json_t *doc = list ? json_pack("{s:s, s:i, s:o}", "format", STATE_FORMAT, "version",
                                   STATE_VERSION, "encoders", list)
                       : NULL;
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(doc);
    if (!text) {
        lp_error_set(LP_ENOMEM, "LocalFeatureTransformer (%s).save: cannot encode the state",
                     path_of(self));
        return NULL;
    }
    lp_value *v = lp_value_string(text);
    free(text);
    return v;
}

static int decode_state(lp_encoder ***out, size_t *n_out, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, 0, &jerr);
    if (!doc) return lp_error_set(LP_EINVAL, "not JSON (%s at byte %d)", jerr.text, jerr.position);
    const char *format = json_string_value(json_object_get(doc, "format"));
    json_t *version = json_object_get(doc, "version"), *list = json_object_get(doc, "encoders");
    int rc = 0;
    if (!format || strcmp(format, STATE_FORMAT) != 0)
        rc = lp_error_set(LP_EINVAL, "not a saved %s state", "LocalFeatureTransformer");
    else if (!json_is_integer(version) || json_integer_value(version) != STATE_VERSION)
        rc = json_is_integer(version)
                 ? lp_error_set(LP_EINVAL,
                                "state version %lld is not the version this lolpop "
                                "reads (%d)",
                                (long long)json_integer_value(version), STATE_VERSION)
                 : lp_error_set(LP_EINVAL, "state has no version");
    else if (!json_is_array(list))
        rc = lp_error_set(LP_EINVAL, "'encoders' must be a list");
    size_t n = rc ? 0 : json_array_size(list), k = 0;
    lp_encoder **enc = rc ? NULL : calloc(n ? n : 1, sizeof *enc);
    if (rc == 0 && !enc) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (; rc == 0 && k < n; k++)
        rc = lp_encoder_from_json(&enc[k], json_array_get(list, k), k);
    json_decref(doc);
    if (rc) {
        free_encoders(enc, k);
        return rc;
    }
    *out = enc;
    *n_out = n;
    return 0;
}

/* Applies saved state (bytes from save) to X without an instance: how a
 * model trained after this transformer predicts anywhere (feature_state.h). */
static int local_state_apply(lp_frame **out, const uint8_t *data, size_t len, const lp_frame *X)
{
    lp_encoder **enc = NULL;
    size_t n = 0;
    if (decode_state(&enc, &n, (const char *)data, len) != 0) {
        lp_error_prefix("LocalFeatureTransformer saved state");
        return lp_error_last()->code;
    }
    lp_frame *in = lp_frame_ref((lp_frame *)(uintptr_t)X);
    int rc = apply_all(out, enc, n, in);
    lp_frame_unref(in);
    free_encoders(enc, n);
    return rc;
}

const lp_feature_state_applier lp_local_feature_state = {
    sizeof(lp_feature_state_applier),
    "LocalFeatureTransformer",
    local_state_apply,
};

/* load(data) -> null: restores the state save returned. */
static lp_value *ft_load(lp_obj *self, lp_value *args)
{
    ft_state *s = lp_obj_state(self);
    lp_value *data = lp_map_get(args, "data");
    if (lp_value_type(data) != LP_STRING) {
        lp_error_set(LP_EINVAL,
                     "LocalFeatureTransformer (%s).load: argument 'data' must be the "
                     "bytes save returned, got %s",
                     path_of(self), data ? lp_vtype_name(lp_value_type(data)) : "nothing");
        return NULL;
    }
    lp_encoder **enc = NULL;
    size_t n = 0;
    if (decode_state(&enc, &n, lp_value_as_string(data), lp_value_string_len(data)) != 0) {
        lp_error_prefix("LocalFeatureTransformer (%s).load", path_of(self));
        return NULL;
    }
    free_encoders(s->enc, s->n_enc);
    s->enc = enc;
    s->n_enc = n;
    s->fitted = true;
    return lp_value_null();
}

static const lp_method ft_methods[] = {
    {"fit", ft_fit, "fit(X, y) -> null: learns the encodings from the training frame X"},
    {"transform", ft_transform, "transform(X) -> X: the frame with the fitted encodings applied"},
    {"save", ft_save, "save() -> data: the fitted state as versioned JSON bytes"},
    {"load", ft_load, "load(data) -> null: restores a state returned by save"},
    {NULL, NULL, NULL},
};

static const lp_config_key ft_keys[] = {
    {"transformers", "list",
     "the encodings, applied in order: a list of {transformer: NAME, columns: [...], params: "
     "{...}} with NAME one of OneHotEncoder (params max_categories, handle_unknown: "
     "ignore|error), OrdinalEncoder (unknown_value: -1 unless set), MinMaxScaler (feature_range), "
     "StandardScaler, SimpleImputer (strategy: mean|median|most_frequent|constant, fill_value)"},
    {NULL, NULL, NULL},
};

static const char *const ft_requirements[] = {"config.transformers", NULL};

const lp_class lp_local_feature_transformer_class = {
    .name = "LocalFeatureTransformer",
    .kind = LP_KIND_COMPONENT,
    .type = "feature_transformer",
    .doc = "Fits column encodings on training data and applies them to any frame: "
           "OneHotEncoder (categories sorted, columns named col_value; max_categories keeps the "
           "most frequent and puts the rest in col_other; unknown categories encode as all "
           "zeros), OrdinalEncoder (sorted codes; unknown -1; missing stays missing), "
           "MinMaxScaler, StandardScaler (population std) and SimpleImputer (mean, median, "
           "most_frequent, constant). Transformers run in the order listed, each on the output "
           "of the previous; other columns pass through. Numbers match scikit-learn's "
           "estimators of the same names. save returns the fitted state as JSON bytes; load "
           "restores it exactly.",
    .defaults_yaml = NULL,
    .requirements = ft_requirements,
    .config_keys = ft_keys,
    .methods = ft_methods,
    .state_size = sizeof(ft_state),
    .init = ft_init,
    .fini = ft_fini,
};
