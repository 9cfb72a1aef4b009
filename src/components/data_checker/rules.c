/*
 * rules.c — LocalDataChecker's configured rules, checked when the component
 * is built so that a typo fails before any data is read:
 *
 *   rules:
 *     - {column: age, not_null: true, min: 0, max: 120}
 *     - {column: embarked, allowed: [C, Q, S], severity: WARN}
 *     - {unique: passenger_id}          # or a list: the columns together
 *     - {rows: {min: 100}}
 *     - {column: fare, max_missing: 0.05}
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_checker/rules.h"

static const char *const rule_keys[] = {"column", "not_null",    "min",  "max",     "allowed",
                                        "unique", "max_missing", "rows", "severity"};
#define N_RULE_KEYS (sizeof rule_keys / sizeof *rule_keys)

static const char *const suite_keys[] = {"empty",        "duplicate_rows",    "constant_columns",
                                         "schema",       "missing_jump",      "new_categories",
                                         "out_of_range", "missing_jump_share"};
#define N_SUITE_KEYS (sizeof suite_keys / sizeof *suite_keys)

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

/* Every key of map is one of keys[0..n); else LP_ECONFIG at the key. */
static int known_keys(const lp_value *map, const char *const *keys, size_t n, const char *who,
                      const char *what)
{
    for (size_t i = 0; i < lp_map_len(map); i++) {
        const char *k = lp_map_key(map, i);
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++)
            ok = strcmp(k, keys[j]) == 0;
        if (!ok)
            return lp_kit_error_at_origin(LP_ECONFIG, lp_map_key_origin(map, i),
                                          "%s: unknown %s key '%s'%s", who, what, k,
                                          lp_chk_did_you_mean(k, keys, n));
    }
    return 0;
}

static int number_at(double *out, bool *has, const lp_value *v, const char *key, const char *who)
{
    if (!v) return 0;
    if (!is_number(v) || !isfinite(lp_value_as_float(v)))
        return lp_kit_error_at(LP_ECONFIG, v, "%s: rule key '%s' must be a number, got %s", who,
                               key, lp_vtype_name(lp_value_type(v)));
    *out = lp_value_as_float(v);
    if (has) *has = true;
    return 0;
}

static int bool_at(bool *out, const lp_value *v, const char *key, const char *who)
{
    if (!v) return 0;
    if (lp_value_type(v) != LP_BOOL)
        return lp_kit_error_at(LP_ECONFIG, v, "%s: rule key '%s' must be true or false, got %s",
                               who, key, lp_vtype_name(lp_value_type(v)));
    *out = lp_value_as_bool(v);
    return 0;
}

/* A column name or a non-empty list of them. */
static int columns_at(const lp_value *v, const char *key, const char *who)
{
    bool ok = lp_value_type(v) == LP_STRING && lp_value_string_len(v) > 0;
    if (lp_value_type(v) == LP_LIST && lp_list_len(v) > 0) {
        ok = true;
        for (size_t i = 0; i < lp_list_len(v); i++)
            ok &= lp_value_type(lp_list_get(v, i)) == LP_STRING;
    }
    return ok ? 0
              : lp_kit_error_at(LP_ECONFIG, v, "%s: rule key '%s' must be a column name%s, got %s",
                                who, key, strcmp(key, "unique") == 0 ? " or a list of them" : "",
                                lp_vtype_name(lp_value_type(v)));
}

static int parse_rows(lp_dc_rule *r, const lp_value *rows, const char *who)
{
    static const char *const keys[] = {"min", "max"};
    r->kind = LP_RULE_ROWS;
    if (lp_value_type(rows) != LP_MAP || lp_map_len(rows) == 0)
        return lp_kit_error_at(LP_ECONFIG, rows,
                               "%s: rule key 'rows' must be a map such as {min: 100, max: 1000}",
                               who);
    int rc = known_keys(rows, keys, 2, who, "rows");
    if (rc == 0) rc = number_at(&r->min, &r->has_min, lp_map_get(rows, "min"), "rows.min", who);
    if (rc == 0) rc = number_at(&r->max, &r->has_max, lp_map_get(rows, "max"), "rows.max", who);
    return rc;
}

static int parse_column(lp_dc_rule *r, const lp_value *spec, const char *who)
{
    r->kind = LP_RULE_COLUMN;
    r->column = lp_map_get(spec, "column");
    int rc = columns_at(r->column, "column", who);
    if (rc == 0) rc = bool_at(&r->not_null, lp_map_get(spec, "not_null"), "not_null", who);
    if (rc == 0) rc = bool_at(&r->unique, lp_map_get(spec, "unique"), "unique", who);
    if (rc == 0) rc = number_at(&r->min, &r->has_min, lp_map_get(spec, "min"), "min", who);
    if (rc == 0) rc = number_at(&r->max, &r->has_max, lp_map_get(spec, "max"), "max", who);
    const lp_value *mm = lp_map_get(spec, "max_missing");
    if (rc == 0 && mm) {
        rc = number_at(&r->max_missing, NULL, mm, "max_missing", who);
        if (rc == 0 && (r->max_missing < 0 || r->max_missing > 1))
            rc = lp_kit_error_at(LP_ECONFIG, mm, "%s: max_missing is a share between 0 and 1", who);
    }
    r->allowed = lp_map_get(spec, "allowed");
    if (rc == 0 && r->allowed && (lp_value_type(r->allowed) != LP_LIST))
        rc = lp_kit_error_at(LP_ECONFIG, r->allowed, "%s: rule key 'allowed' must be a list", who);
    if (rc == 0 && !r->not_null && !r->unique && !r->has_min && !r->has_max && !r->allowed && !mm)
        rc = lp_kit_error_at(LP_ECONFIG, spec,
                             "%s: the rule on column '%s' checks nothing (give not_null, min, "
                             "max, allowed, unique or max_missing)",
                             who, lp_value_as_string(r->column));
    return rc;
}

static int parse_rule(lp_dc_rule *r, lp_value *spec, const char *who)
{
    memset(r, 0, sizeof *r);
    r->max_missing = -1;
    r->severity = LP_CHK_ERROR;
    if (lp_value_type(spec) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, spec,
                               "%s: each rule is a map such as {column: age, "
                               "min: 0}, got %s",
                               who, lp_vtype_name(lp_value_type(spec)));
    r->spec = lp_value_ref(spec);
    int rc = known_keys(spec, rule_keys, N_RULE_KEYS, who, "rule");
    if (rc == 0) rc = lp_chk_parse_severity(&r->severity, lp_map_get(spec, "severity"), false, who);
    const lp_value *rows = lp_map_get(spec, "rows"), *unique = lp_map_get(spec, "unique");
    if (rc) return rc;
    if (rows) {
        if (lp_map_len(spec) > 1 + (lp_map_get(spec, "severity") != NULL))
            return lp_kit_error_at(LP_ECONFIG, spec, "%s: a rows rule takes only rows and severity",
                                   who);
        return parse_rows(r, rows, who);
    }
    if (unique && lp_value_type(unique) != LP_BOOL) {
        r->kind = LP_RULE_UNIQUE;
        r->column = unique;
        if (lp_map_get(spec, "column"))
            return lp_kit_error_at(LP_ECONFIG, spec,
                                   "%s: give either {unique: COLUMN(S)} or {column: C, unique: "
                                   "true}, not both",
                                   who);
        return columns_at(unique, "unique", who);
    }
    if (!lp_map_get(spec, "column"))
        return lp_kit_error_at(LP_ECONFIG, spec,
                               "%s: a rule needs 'column' (or is {unique: COLUMN} or {rows: "
                               "{min: N}})",
                               who);
    return parse_column(r, spec, who);
}

void lp_dc_rules_free(lp_dc_rule *rules, size_t n)
{
    for (size_t i = 0; rules && i < n; i++)
        lp_value_unref(rules[i].spec);
    free(rules);
}

int lp_dc_rules_parse(lp_dc_rule **out, size_t *n, const lp_value *rules, const char *who)
{
    *out = NULL;
    *n = 0;
    if (!rules || lp_value_type(rules) == LP_NULL) return 0;
    if (lp_value_type(rules) != LP_LIST)
        return lp_kit_error_at(LP_ECONFIG, rules, "%s: 'rules' must be a list of rules, got %s",
                               who, lp_vtype_name(lp_value_type(rules)));
    size_t k = lp_list_len(rules);
    lp_dc_rule *r = calloc(k ? k : 1, sizeof *r);
    if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    size_t done = 0;
    for (; rc == 0 && done < k; done++)
        rc = parse_rule(&r[done], lp_list_get(rules, done), who);
    if (rc) {
        lp_dc_rules_free(r, done);
        return rc;
    }
    *out = r;
    *n = k;
    return 0;
}

int lp_dc_suite_parse(lp_dc_suite *s, const lp_value *suite, const char *who)
{
    if (!suite || lp_value_type(suite) == LP_NULL) return 0;
    if (lp_value_type(suite) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, suite,
                               "%s: 'suite' must be a map of check -> ERROR, WARN or off", who);
    int rc = known_keys(suite, suite_keys, N_SUITE_KEYS, who, "suite");
    int *slots[] = {&s->empty,        &s->duplicate_rows, &s->constant_columns, &s->schema,
                    &s->missing_jump, &s->new_categories, &s->out_of_range};
    for (size_t i = 0; rc == 0 && i < sizeof slots / sizeof *slots; i++)
        rc = lp_chk_parse_severity(slots[i], lp_map_get(suite, suite_keys[i]), true, who);
    const lp_value *share = lp_map_get(suite, "missing_jump_share");
    if (rc == 0) rc = number_at(&s->missing_jump_share, NULL, share, "missing_jump_share", who);
    if (rc == 0 && share && !(s->missing_jump_share > 0 && s->missing_jump_share <= 1))
        rc = lp_kit_error_at(LP_ECONFIG, share, "%s: missing_jump_share is a share in (0, 1]", who);
    return rc;
}
