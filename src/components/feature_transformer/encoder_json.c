/*
 * encoder_json.c — a fitted encoder as a JSON object and back.
 *
 * Doubles are written with 17 significant digits, which round-trips every
 * finite double exactly, so a loaded transformer transforms bit for bit as
 * the saved one did; the non-finite ones are the strings "nan", "inf" and
 * "-inf". Loading validates every field: saved state may come from anywhere.
 *
 *   {"transformer": "OneHotEncoder", "column": "sex",
 *    "categories": {"kind": "string", "values": [...], "missing": false},
 *    "infrequent": [0, 3], "handle_unknown": "ignore"}
 *   {"transformer": "OrdinalEncoder", "column": ..., "categories": ..., "unknown_value": -1}
 *   {"transformer": "MinMaxScaler", "column": ..., "scale": s, "min": m}   y = x * s + m
 *   {"transformer": "StandardScaler", "column": ..., "mean": m, "scale": s} y = (x - m) / s
 *   {"transformer": "SimpleImputer", "column": ..., "strategy": "mean",
 *    "fill_is_string": false, "fill": 29.5}
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "encoders.h"

static const char *const cat_kind_names[] = {"string", "int", "float", "bool"};
static const char *const strategy_names[] = {"mean", "median", "most_frequent", "constant"};

static json_t *num(double d)
{
    if (isnan(d)) return json_string("nan");
    if (isinf(d)) return json_string(d < 0 ? "-inf" : "inf");
    return json_real(d);
}

static int get_num(double *out, const json_t *v)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s) return -1;
    if (strcmp(s, "nan") == 0)
        *out = NAN;
    else if (strcmp(s, "inf") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-inf") == 0)
        *out = -INFINITY;
    else
        return -1;
    return 0;
}

/* ---- writing ------------------------------------------------------------------- */

static json_t *categories_to_json(const lp_categories *c)
{
    json_t *vals = json_array();
    for (size_t i = 0; vals && i < c->n; i++) {
        json_t *v = c->kind == LP_CAT_STRING ? json_stringn(c->str[i], c->len[i]) : num(c->num[i]);
        if (json_array_append_new(vals, v)) {
            json_decref(vals);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o, s:b}", "kind", cat_kind_names[c->kind], "values", vals, "missing",
                     c->has_missing);
}

static json_t *infrequent_to_json(const lp_encoder *e)
{
    json_t *a = json_array();
    size_t total = e->cats.n + e->cats.has_missing;
    for (size_t i = 0; a && e->has_other && i < total; i++)
        if (e->slot[i] == e->n_slots - 1 && json_array_append_new(a, json_integer((json_int_t)i))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int add_fields(json_t *o, const lp_encoder *e)
{
    switch (e->kind) {
    case LP_ENC_ONEHOT:
        return json_object_set_new(o, "categories", categories_to_json(&e->cats)) ||
               json_object_set_new(o, "infrequent", infrequent_to_json(e)) ||
               json_object_set_new(o, "handle_unknown",
                                   json_string(e->params.unknown_error ? "error" : "ignore"));
    case LP_ENC_ORDINAL:
        return json_object_set_new(o, "categories", categories_to_json(&e->cats)) ||
               json_object_set_new(o, "unknown_value", num(e->params.unknown_value));
    case LP_ENC_MINMAX:
        return json_object_set_new(o, "scale", num(e->a)) ||
               json_object_set_new(o, "min", num(e->b));
    case LP_ENC_STANDARD:
        return json_object_set_new(o, "mean", num(e->a)) ||
               json_object_set_new(o, "scale", num(e->b));
    case LP_ENC_IMPUTER:
        return json_object_set_new(o, "strategy",
                                   json_string(strategy_names[e->params.strategy])) ||
               json_object_set_new(o, "fill_is_string", json_boolean(e->fill_is_string)) ||
               json_object_set_new(o, "fill",
                                   e->fill_is_string ? json_string(e->fill_str) : num(e->fill_num));
    }
    return -1;
}

json_t *lp_encoder_to_json(const lp_encoder *e)
{
    json_t *o =
        json_pack("{s:s, s:s}", "transformer", lp_enc_kind_name(e->kind), "column", e->column);
    if (!o || add_fields(o, e)) {
        json_decref(o);
        lp_error_set(LP_ENOMEM, "cannot encode the state of column '%s' as JSON", e->column);
        return NULL;
    }
    return o;
}

/* ---- reading --------------------------------------------------------------------- */

static int bad(size_t index, const char *what)
{
    return lp_error_set(LP_EINVAL, "encoders[%zu]: %s", index, what);
}

static int name_index(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0) return (int)i;
    return -1;
}

/* Byte order, as categories.c sorts (lookups binary-search on it). */
static bool str_less(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c < 0 || (c == 0 && alen < blen);
}

static int categories_from_json(lp_categories *c, const json_t *j, size_t index)
{
    const json_t *vals = json_object_get(j, "values");
    const json_t *missing = json_object_get(j, "missing");
    int kind = name_index(json_string_value(json_object_get(j, "kind")), cat_kind_names, 4);
    if (kind < 0 || !json_is_array(vals) || !json_is_boolean(missing))
        return bad(index, "'categories' needs kind, values and missing");
    c->kind = (lp_cat_kind)kind;
    c->has_missing = json_is_true(missing);
    size_t n = json_array_size(vals);
    if (kind == LP_CAT_STRING) {
        c->str = calloc(n ? n : 1, sizeof *c->str);
        c->len = calloc(n ? n : 1, sizeof *c->len);
    } else {
        c->num = calloc(n ? n : 1, sizeof *c->num);
    }
    if (kind == LP_CAT_STRING ? !c->str || !c->len : !c->num)
        return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(vals, i);
        if (kind != LP_CAT_STRING) {
            if (get_num(&c->num[i], v) || (i && !(c->num[i - 1] < c->num[i])))
                return bad(index, "category values must be ascending numbers");
            c->n = i + 1;
            continue;
        }
        if (!json_is_string(v)) return bad(index, "category values must be strings");
        c->len[i] = json_string_length(v);
        c->str[i] = lp_strndup(json_string_value(v), c->len[i]);
        if (!c->str[i]) return LP_ENOMEM;
        c->n = i + 1; /* from here on lp_categories_free owns str[i] */
        if (i && !str_less(c->str[i - 1], c->len[i - 1], c->str[i], c->len[i]))
            return bad(index, "category values must be ascending strings");
    }
    return 0;
}

static int onehot_from_json(lp_encoder *e, const json_t *j, size_t index)
{
    int rc = categories_from_json(&e->cats, json_object_get(j, "categories"), index);
    if (rc) return rc;
    const char *hu = json_string_value(json_object_get(j, "handle_unknown"));
    if (!hu || (strcmp(hu, "ignore") != 0 && strcmp(hu, "error") != 0))
        return bad(index, "'handle_unknown' must be ignore or error");
    e->params.unknown_error = strcmp(hu, "error") == 0;
    size_t total = e->cats.n + e->cats.has_missing, i;
    const json_t *inf = json_object_get(j, "infrequent"), *v;
    if (!json_is_array(inf)) return bad(index, "'infrequent' must be a list");
    bool *flags = calloc(total ? total : 1, sizeof *flags);
    if (!flags) return lp_error_set(LP_ENOMEM, "out of memory");
    json_array_foreach(inf, i, v)
    {
        json_int_t k = json_is_integer(v) ? json_integer_value(v) : -1;
        if (k < 0 || (size_t)k >= total) {
            free(flags);
            return bad(index, "'infrequent' holds an index outside the categories");
        }
        flags[k] = true;
    }
    rc = lp_onehot_assign_slots(e, flags);
    free(flags);
    return rc;
}

static int need_nums(const json_t *j, const char *ka, double *a, const char *kb, double *b,
                     size_t index)
{
    if (get_num(a, json_object_get(j, ka)) || get_num(b, json_object_get(j, kb)))
        return lp_error_set(LP_EINVAL, "encoders[%zu]: '%s' and '%s' must be numbers", index, ka,
                            kb);
    return 0;
}

static int imputer_from_json(lp_encoder *e, const json_t *j, size_t index)
{
    int s = name_index(json_string_value(json_object_get(j, "strategy")), strategy_names, 4);
    if (s < 0) return bad(index, "'strategy' must be mean, median, most_frequent or constant");
    e->params.strategy = (lp_impute_strategy)s;
    const json_t *fill = json_object_get(j, "fill");
    if (!json_is_boolean(json_object_get(j, "fill_is_string")))
        return bad(index, "'fill_is_string' must be true or false");
    if (json_is_true(json_object_get(j, "fill_is_string"))) {
        if (!json_is_string(fill)) return bad(index, "'fill' must be a string");
        e->fill_is_string = true;
        e->fill_str = lp_strndup(json_string_value(fill), json_string_length(fill));
        return e->fill_str ? 0 : LP_ENOMEM;
    }
    if (get_num(&e->fill_num, fill)) return bad(index, "'fill' must be a number or a string");
    return 0;
}

static int fields_from_json(lp_encoder *e, const json_t *j, size_t index)
{
    switch (e->kind) {
    case LP_ENC_ONEHOT:
        return onehot_from_json(e, j, index);
    case LP_ENC_ORDINAL:
        if (get_num(&e->params.unknown_value, json_object_get(j, "unknown_value")))
            return bad(index, "'unknown_value' must be a number");
        return categories_from_json(&e->cats, json_object_get(j, "categories"), index);
    case LP_ENC_MINMAX:
        return need_nums(j, "scale", &e->a, "min", &e->b, index);
    case LP_ENC_STANDARD:
        return need_nums(j, "mean", &e->a, "scale", &e->b, index);
    case LP_ENC_IMPUTER:
        return imputer_from_json(e, j, index);
    }
    return 0;
}

int lp_encoder_from_json(lp_encoder **out, json_t *j, size_t index)
{
    *out = NULL;
    lp_enc_kind kind;
    const char *column = json_string_value(json_object_get(j, "column"));
    if (!json_is_object(j) || !column)
        return bad(index, "expected an object with 'transformer' and 'column'");
    if (!lp_enc_kind_parse(json_string_value(json_object_get(j, "transformer")), &kind))
        return bad(index, "unknown 'transformer'");
    lp_encoder *e = calloc(1, sizeof *e);
    if (!e) return lp_error_set(LP_ENOMEM, "out of memory");
    e->kind = e->params.kind = kind;
    e->column = lp_strdup(column);
    int rc = e->column ? fields_from_json(e, j, index) : LP_ENOMEM;
    if (rc) {
        lp_encoder_free(e);
        return rc;
    }
    *out = e;
    return 0;
}
