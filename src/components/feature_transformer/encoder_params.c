/*
 * encoder_params.c — transformer names and their `params` maps, validated
 * when the component starts so that a typo fails before any data is read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "encoders.h"

const char *const lp_enc_kind_names[] = {"OneHotEncoder",  "OrdinalEncoder", "MinMaxScaler",
                                         "StandardScaler", "SimpleImputer",  NULL};

const char *lp_enc_kind_name(lp_enc_kind k)
{
    return lp_enc_kind_names[k];
}

bool lp_enc_kind_parse(const char *name, lp_enc_kind *out)
{
    for (int k = 0; name && lp_enc_kind_names[k]; k++)
        if (strcmp(name, lp_enc_kind_names[k]) == 0) {
            *out = (lp_enc_kind)k;
            return true;
        }
    return false;
}

/* The parameter names each transformer accepts. */
static const char *const onehot_keys[] = {"max_categories", "handle_unknown", NULL};
static const char *const ordinal_keys[] = {"unknown_value", NULL};
static const char *const minmax_keys[] = {"feature_range", NULL};
static const char *const standard_keys[] = {NULL};
static const char *const imputer_keys[] = {"strategy", "fill_value", NULL};
static const char *const *const kind_keys[] = {onehot_keys, ordinal_keys, minmax_keys,
                                               standard_keys, imputer_keys};

static size_t count(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    return n;
}

static int unknown_key(const char *where, const char *key, lp_enc_kind kind)
{
    const char *const *keys = kind_keys[kind];
    const char *s = lp_suggest(key, keys, count(keys));
    if (s)
        return lp_error_set(LP_ECONFIG, "%s: unknown parameter '%s'; did you mean '%s'?", where,
                            key, s);
    if (!keys[0])
        return lp_error_set(LP_ECONFIG, "%s: unknown parameter '%s'; %s takes no parameters", where,
                            key, lp_enc_kind_name(kind));
    return lp_error_set(LP_ECONFIG, "%s: unknown parameter '%s'", where, key);
}

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

static int parse_onehot(lp_enc_params *out, const lp_value *params, const char *where)
{
    const lp_value *mc = lp_map_get(params, "max_categories");
    if (mc && lp_value_type(mc) != LP_NULL) {
        if (lp_value_type(mc) != LP_INT || lp_value_as_int(mc) < 1)
            return lp_error_set(LP_ECONFIG, "%s: max_categories must be an integer >= 1", where);
        out->max_categories = (long)lp_value_as_int(mc);
    }
    const lp_value *hu = lp_map_get(params, "handle_unknown");
    if (hu) {
        const char *s = lp_value_as_string(hu);
        if (s && strcmp(s, "error") == 0)
            out->unknown_error = true;
        else if (!s || strcmp(s, "ignore") != 0)
            return lp_error_set(LP_ECONFIG, "%s: handle_unknown must be 'ignore' or 'error'",
                                where);
    }
    return 0;
}

static int parse_ordinal(lp_enc_params *out, const lp_value *params, const char *where)
{
    const lp_value *uv = lp_map_get(params, "unknown_value");
    if (!uv) return 0;
    if (!is_number(uv))
        return lp_error_set(LP_ECONFIG, "%s: unknown_value must be a number", where);
    out->unknown_value = lp_value_as_float(uv);
    return 0;
}

static int parse_minmax(lp_enc_params *out, const lp_value *params, const char *where)
{
    const lp_value *fr = lp_map_get(params, "feature_range");
    if (!fr) return 0;
    if (lp_value_type(fr) != LP_LIST || lp_list_len(fr) != 2 || !is_number(lp_list_get(fr, 0)) ||
        !is_number(lp_list_get(fr, 1)))
        return lp_error_set(LP_ECONFIG,
                            "%s: feature_range must be a list of two numbers [min, max]", where);
    out->range_min = lp_value_as_float(lp_list_get(fr, 0));
    out->range_max = lp_value_as_float(lp_list_get(fr, 1));
    if (!(out->range_min < out->range_max))
        return lp_error_set(LP_ECONFIG, "%s: feature_range minimum must be below its maximum",
                            where);
    return 0;
}

static int parse_imputer(lp_enc_params *out, const lp_value *params, const char *where)
{
    static const char *const names[] = {"mean", "median", "most_frequent", "constant"};
    const lp_value *st = lp_map_get(params, "strategy");
    if (st) {
        const char *s = lp_value_as_string(st);
        size_t k = 0;
        while (k < 4 && !(s && strcmp(s, names[k]) == 0))
            k++;
        if (k == 4) {
            const char *sug = s ? lp_suggest(s, names, 4) : NULL;
            return lp_error_set(LP_ECONFIG,
                                "%s: strategy '%s' is not one of mean, median, most_frequent, "
                                "constant%s%s%s",
                                where, s ? s : "?", sug ? "; did you mean '" : "", sug ? sug : "",
                                sug ? "'?" : "");
        }
        out->strategy = (lp_impute_strategy)k;
    }
    const lp_value *fv = lp_map_get(params, "fill_value");
    if (fv) {
        if (!is_number(fv) && lp_value_type(fv) != LP_STRING)
            return lp_error_set(LP_ECONFIG, "%s: fill_value must be a number or a string", where);
        if (out->strategy != LP_IMPUTE_CONSTANT)
            return lp_error_set(LP_ECONFIG, "%s: fill_value needs strategy: constant", where);
        out->fill_value = lp_value_copy(fv);
    }
    return 0;
}

int lp_enc_params_parse(lp_enc_params *out, lp_enc_kind kind, const lp_value *params,
                        const char *where)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->unknown_value = -1;
    out->range_min = 0;
    out->range_max = 1;
    out->strategy = LP_IMPUTE_MEAN;
    if (!params || lp_value_type(params) == LP_NULL) return 0;
    if (lp_value_type(params) != LP_MAP)
        return lp_error_set(LP_ECONFIG, "%s: params must be a map", where);
    const char *const *keys = kind_keys[kind];
    for (size_t i = 0; i < lp_map_len(params); i++) {
        const char *key = lp_map_key(params, i);
        size_t k = 0;
        while (keys[k] && !lp_streq_nocase(keys[k], key))
            k++;
        if (!keys[k]) return unknown_key(where, key, kind);
    }
    switch (kind) {
    case LP_ENC_ONEHOT:
        return parse_onehot(out, params, where);
    case LP_ENC_ORDINAL:
        return parse_ordinal(out, params, where);
    case LP_ENC_MINMAX:
        return parse_minmax(out, params, where);
    case LP_ENC_STANDARD:
        return 0;
    case LP_ENC_IMPUTER:
        return parse_imputer(out, params, where);
    }
    return 0;
}
