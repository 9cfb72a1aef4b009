/*
 * suite.c — what LocalDataChecker runs on a frame: the default suite (empty
 * frame, duplicate rows, constant columns; with the previous version of the
 * same dataset: schema, missing-rate jumps, new categories, values outside
 * the previous range) and the configured rules. Missing means a null cell or
 * a float NaN (pandas' isna).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_checker/rules.h"
#include "components/data_profiler/profiler.h"

#define CELL 64

static size_t count_missing(const lp_column *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++)
        n += lp_prof_cell_missing(c, i);
    return n;
}

static lp_value *add_observed(lp_value *check, lp_value *observed)
{
    if (check && lp_map_set(check, "observed", observed) != 0) return NULL;
    if (!check) lp_value_unref(observed);
    return check;
}

#define ADD_OR_FAIL(expr)                                                                          \
    do {                                                                                           \
        if (!(expr)) return lp_error_set(LP_ENOMEM, "out of memory");                              \
    } while (0)

/* ---- the default suite --------------------------------------------------------------- */

/* Whether every non-missing cell of c equals the first one (an all-missing column too). */
static bool constant(const lp_column *c)
{
    char a[CELL], b[CELL];
    size_t la = 0, lb = 0;
    const char *first = NULL;
    for (size_t i = 0; i < c->length; i++) {
        const char *s = lp_prof_cell_text(c, i, first ? b : a, CELL, first ? &lb : &la);
        if (!s) continue;
        if (!first) {
            first = s;
            continue;
        }
        if (lb != la || memcmp(s, first, la) != 0) return false;
    }
    return true;
}

static int run_frame_checks(lp_value *checks, const lp_frame *f, const lp_dc_suite *s)
{
    size_t rows = lp_frame_rows(f);
    if (s->empty != LP_CHK_OFF)
        ADD_OR_FAIL(add_observed(lp_chk_add(checks, "empty", NULL, rows ? LP_CHK_PASS : s->empty,
                                            rows ? "%zu rows" : "the data has no rows", rows),
                                 lp_value_int((int64_t)rows)));
    if (s->duplicate_rows != LP_CHK_OFF) {
        size_t dups = 0;
        int rc = lp_prof_duplicate_rows(&dups, f);
        if (rc) return rc;
        ADD_OR_FAIL(add_observed(lp_chk_add(checks, "duplicate_rows", NULL,
                                            dups ? s->duplicate_rows : LP_CHK_PASS,
                                            "%zu row%s repeat%s an earlier row", dups,
                                            dups == 1 ? "" : "s", dups == 1 ? "s" : ""),
                                 lp_value_int((int64_t)dups)));
    }
    if (s->constant_columns == LP_CHK_OFF || rows < 2) return 0;
    size_t found = 0;
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        if (!constant(lp_frame_col(f, j))) continue;
        found++;
        ADD_OR_FAIL(lp_chk_add(checks, "constant_column", lp_frame_name(f, j), s->constant_columns,
                               "every value of '%s' is the same", lp_frame_name(f, j)));
    }
    if (!found)
        ADD_OR_FAIL(lp_chk_add(checks, "constant_column", NULL, LP_CHK_PASS,
                               "no column has a single value"));
    return 0;
}

static int run_schema(lp_value *checks, const lp_frame *f, const lp_frame *prev, int sev)
{
    size_t problems = 0;
    for (size_t j = 0; j < lp_frame_cols(prev); j++) {
        const char *name = lp_frame_name(prev, j);
        const lp_column *now = lp_frame_col_by_name(f, name);
        lp_dtype was = lp_frame_col(prev, j)->type;
        if (!now) {
            problems++;
            ADD_OR_FAIL(lp_chk_add(checks, "schema", name, sev,
                                   "column '%s' of the previous version is missing", name));
        } else if (now->type != was) {
            problems++;
            ADD_OR_FAIL(lp_chk_add(checks, "schema", name, sev,
                                   "column '%s' changed type from %s to %s", name,
                                   lp_dtype_name(was), lp_dtype_name(now->type)));
        }
    }
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const char *name = lp_frame_name(f, j);
        if (lp_frame_find(prev, name) >= 0) continue;
        problems++;
        ADD_OR_FAIL(lp_chk_add(checks, "schema", name, sev < LP_CHK_WARN ? sev : LP_CHK_WARN,
                               "column '%s' is new (not in the previous version)", name));
    }
    if (!problems)
        ADD_OR_FAIL(lp_chk_add(checks, "schema", NULL, LP_CHK_PASS,
                               "the same %zu columns and types as the previous version",
                               lp_frame_cols(f)));
    return 0;
}

static int run_missing_jump(lp_value *checks, const lp_frame *f, const lp_frame *prev,
                            const lp_dc_suite *s)
{
    size_t rows = lp_frame_rows(f), prows = lp_frame_rows(prev), found = 0;
    for (size_t j = 0; rows && prows && j < lp_frame_cols(f); j++) {
        const lp_column *was = lp_frame_col_by_name(prev, lp_frame_name(f, j));
        if (!was) continue;
        double now = (double)count_missing(lp_frame_col(f, j)) / (double)rows;
        double before = (double)count_missing(was) / (double)prows;
        if (now - before <= s->missing_jump_share) continue;
        found++;
        ADD_OR_FAIL(
            add_observed(lp_chk_add(checks, "missing_jump", lp_frame_name(f, j), s->missing_jump,
                                    "missing share of '%s' rose from %.4g to %.4g",
                                    lp_frame_name(f, j), before, now),
                         lp_value_float(now)));
    }
    if (!found)
        ADD_OR_FAIL(lp_chk_add(checks, "missing_jump", NULL, LP_CHK_PASS,
                               "no missing share rose by more than %.4g", s->missing_jump_share));
    return 0;
}

static bool is_text(const lp_column *c)
{
    return c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY || c->type == LP_DT_BOOL;
}

/* Values of a text column never seen in the previous version. */
static int new_categories(lp_value *checks, const char *name, const lp_column *now,
                          const lp_column *was, int sev, size_t *found)
{
    lp_prof_counts t = {0};
    int rc = lp_prof_counts_add(&t, 0, was);
    if (rc == 0) rc = lp_prof_counts_add(&t, 1, now);
    lp_sb sb = {0};
    size_t fresh = 0;
    for (size_t k = 0; rc == 0 && k < t.n; k++) {
        if (t.count[0][k] > 0 || t.count[1][k] == 0) continue;
        if (fresh < 5) lp_sb_appendf(&sb, "%s'%.40s'", fresh ? ", " : "", t.keys[k]);
        fresh++;
    }
    lp_prof_counts_free(&t);
    char *list = lp_sb_take(&sb);
    if (rc == 0 && fresh) {
        (*found)++;
        if (!add_observed(lp_chk_add(checks, "new_categories", name, sev,
                                     "'%s' has %zu value%s not in the previous version: %s%s", name,
                                     fresh, fresh == 1 ? "" : "s", list ? list : "",
                                     fresh > 5 ? ", ..." : ""),
                          lp_value_int((int64_t)fresh)))
            rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    free(list);
    return rc;
}

/* Values of a numeric column outside the previous version's [min, max]. */
static int out_of_range(lp_value *checks, const char *name, const lp_column *now,
                        const lp_column *was, int sev, size_t *found)
{
    /* the previous range: a scan, not a sort of the whole column for its two ends */
    double lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < was->length; i++) {
        if (lp_prof_cell_missing(was, i)) continue;
        double x = was->type == LP_DT_BOOL ? (double)was->data.b8[i] : lp_column_get_f64(was, i);
        if (x == 0) x = 0; /* -0 as 0, as the sorted values gave it */
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        n++;
    }
    if (n == 0) return 0;
    size_t outside = 0;
    for (size_t i = 0; i < now->length; i++) {
        if (lp_prof_cell_missing(now, i)) continue;
        double x = now->type == LP_DT_BOOL ? (double)now->data.b8[i] : lp_column_get_f64(now, i);
        outside += x < lo || x > hi;
    }
    if (!outside) return 0;
    (*found)++;
    return add_observed(lp_chk_add(checks, "out_of_range", name, sev,
                                   "%zu value%s of '%s' outside the previous range [%.6g, %.6g]",
                                   outside, outside == 1 ? "" : "s", name, lo, hi),
                        lp_value_int((int64_t)outside))
               ? 0
               : lp_error_set(LP_ENOMEM, "out of memory");
}

static int run_value_checks(lp_value *checks, const lp_frame *f, const lp_frame *prev,
                            const lp_dc_suite *s)
{
    size_t cats = 0, ranges = 0;
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(f); j++) {
        const lp_column *now = lp_frame_col(f, j);
        const lp_column *was = lp_frame_col_by_name(prev, lp_frame_name(f, j));
        if (!was || was->type != now->type) continue; /* the schema check says so */
        if (is_text(now) && s->new_categories != LP_CHK_OFF)
            rc = new_categories(checks, lp_frame_name(f, j), now, was, s->new_categories, &cats);
        else if (lp_prof_is_numeric(now->type) && s->out_of_range != LP_CHK_OFF)
            rc = out_of_range(checks, lp_frame_name(f, j), now, was, s->out_of_range, &ranges);
    }
    if (rc == 0 && s->new_categories != LP_CHK_OFF && !cats)
        ADD_OR_FAIL(lp_chk_add(checks, "new_categories", NULL, LP_CHK_PASS,
                               "no text column has values the previous version lacked"));
    if (rc == 0 && s->out_of_range != LP_CHK_OFF && !ranges)
        ADD_OR_FAIL(lp_chk_add(checks, "out_of_range", NULL, LP_CHK_PASS,
                               "every number lies within the previous version's range"));
    return rc;
}

int lp_dc_run_suite(lp_value *checks, const lp_frame *f, const lp_frame *previous,
                    const lp_dc_suite *s)
{
    int rc = run_frame_checks(checks, f, s);
    if (rc || !previous) return rc;
    if (s->schema != LP_CHK_OFF) rc = run_schema(checks, f, previous, s->schema);
    if (rc == 0 && s->missing_jump != LP_CHK_OFF) rc = run_missing_jump(checks, f, previous, s);
    if (rc == 0) rc = run_value_checks(checks, f, previous, s);
    return rc;
}

/* ---- rules --------------------------------------------------------------------------- */

/* The column `name` of f, or LP_ECONFIG located at v with "did you mean". */
static const lp_column *rule_column(const lp_frame *f, const lp_value *v, const char *name,
                                    const char *who)
{
    const lp_column *c = lp_frame_col_by_name(f, name);
    if (c) return c;
    size_t n = lp_frame_cols(f);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    for (size_t j = 0; names && j < n; j++)
        names[j] = lp_frame_name(f, j);
    lp_kit_error_at(LP_ECONFIG, v, "%s: rule on column '%s', which the data does not have%s", who,
                    name, names ? lp_chk_did_you_mean(name, names, n) : "");
    free(names);
    return NULL;
}

static bool allowed_has(const lp_value *allowed, const char *s, size_t len)
{
    char buf[CELL];
    for (size_t i = 0; i < lp_list_len(allowed); i++) {
        const lp_value *a = lp_list_get(allowed, i);
        const char *t = buf;
        switch (lp_value_type(a)) {
        case LP_STRING:
            t = lp_value_as_string(a);
            break;
        case LP_INT:
            snprintf(buf, sizeof buf, "%lld", (long long)lp_value_as_int(a));
            break;
        case LP_FLOAT:
            snprintf(buf, sizeof buf, "%.17g", lp_value_as_float(a));
            break;
        case LP_BOOL:
            t = lp_value_as_bool(a) ? "True" : "False";
            break;
        default:
            continue;
        }
        if (strlen(t) == len && memcmp(t, s, len) == 0) return true;
    }
    return false;
}

static int rule_result(lp_value *checks, const char *check, const char *col, size_t bad, int sev,
                       const char *what)
{
    lp_value *c =
        bad ? lp_chk_add(checks, check, col, sev, "%zu value%s of '%s' %s", bad,
                         bad == 1 ? "" : "s", col, what)
            : lp_chk_add(checks, check, col, LP_CHK_PASS, "no value of '%s' %s", col, what);
    return add_observed(c, lp_value_int((int64_t)bad)) ? 0
                                                       : lp_error_set(LP_ENOMEM, "out of memory");
}

/* Rows whose `cols` values repeat an earlier row's (missing cells ignored for one column). */
static int duplicates_in(size_t *out, const lp_frame *f, const lp_value *cols, const char *who)
{
    size_t n = lp_value_type(cols) == LP_LIST ? lp_list_len(cols) : 1;
    const char **names = malloc(n * sizeof *names);
    if (!names) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const lp_value *v = lp_value_type(cols) == LP_LIST ? lp_list_get(cols, i) : cols;
        names[i] = lp_value_as_string(v);
        if (!rule_column(f, v, names[i], who)) rc = LP_ECONFIG;
    }
    lp_frame *sub = NULL;
    if (rc == 0) rc = lp_frame_select(&sub, f, names, n);
    free(names);
    if (rc) return rc;
    rc = lp_prof_duplicate_rows(out, sub);
    lp_frame_unref(sub);
    return rc;
}

static int run_column_rule(lp_value *checks, const lp_frame *f, const lp_dc_rule *r,
                           const char *who)
{
    const char *name = lp_value_as_string(r->column);
    const lp_column *c = rule_column(f, r->column, name, who);
    if (!c) return LP_ECONFIG;
    /* a column with no values (an empty file reads as text) has nothing out of range */
    if ((r->has_min || r->has_max) && !lp_prof_is_numeric(c->type) && c->type != LP_DT_BOOL &&
        count_missing(c) < c->length)
        return lp_kit_error_at(LP_ECONFIG, lp_map_get(r->spec, r->has_min ? "min" : "max"),
                               "%s: min / max need a numeric column; '%s' is %s", who, name,
                               lp_dtype_name(c->type));
    size_t nulls = 0, low = 0, high = 0, outside = 0;
    char buf[CELL];
    for (size_t i = 0; i < c->length; i++) {
        /* the text (a number formatted, for a numeric column) only for `allowed` */
        if (lp_prof_cell_missing(c, i)) {
            nulls++;
            continue;
        }
        if (r->has_min || r->has_max) {
            double x = c->type == LP_DT_BOOL ? (double)c->data.b8[i] : lp_column_get_f64(c, i);
            low += r->has_min && x < r->min;
            high += r->has_max && x > r->max;
        }
        size_t len = 0;
        const char *s = r->allowed ? lp_prof_cell_text(c, i, buf, sizeof buf, &len) : NULL;
        if (s) outside += !allowed_has(r->allowed, s, len);
    }
    int rc = 0;
    if (r->not_null) rc = rule_result(checks, "not_null", name, nulls, r->severity, "is missing");
    char what[96];
    if (rc == 0 && r->has_min) {
        snprintf(what, sizeof what, "is below the minimum %.6g", r->min);
        rc = rule_result(checks, "min", name, low, r->severity, what);
    }
    if (rc == 0 && r->has_max) {
        snprintf(what, sizeof what, "is above the maximum %.6g", r->max);
        rc = rule_result(checks, "max", name, high, r->severity, what);
    }
    if (rc == 0 && r->allowed)
        rc = rule_result(checks, "allowed", name, outside, r->severity, "is not an allowed value");
    if (rc == 0 && r->max_missing >= 0) {
        double share = c->length ? (double)nulls / (double)c->length : 0;
        bool bad = share > r->max_missing;
        if (!add_observed(lp_chk_add(checks, "max_missing", name, bad ? r->severity : LP_CHK_PASS,
                                     "%.4g of '%s' is missing (at most %.4g allowed)", share, name,
                                     r->max_missing),
                          lp_value_float(share)))
            rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (rc == 0 && r->unique) {
        size_t dups = 0;
        rc = duplicates_in(&dups, f, r->column, who);
        if (rc == 0) rc = rule_result(checks, "unique", name, dups, r->severity, "repeats");
    }
    return rc;
}

int lp_dc_run_rules(lp_value *checks, const lp_frame *f, const lp_dc_rule *rules, size_t n,
                    const char *who)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const lp_dc_rule *r = &rules[i];
        if (r->kind == LP_RULE_COLUMN) {
            rc = run_column_rule(checks, f, r, who);
        } else if (r->kind == LP_RULE_UNIQUE) {
            size_t dups = 0;
            rc = duplicates_in(&dups, f, r->column, who);
            char *label = lp_value_type(r->column) == LP_LIST
                              ? lp_value_to_string(r->column)
                              : lp_strdup(lp_value_as_string(r->column));
            if (rc == 0)
                rc = label ? rule_result(checks, "unique", label, dups, r->severity, "repeats")
                           : LP_ENOMEM;
            free(label);
        } else {
            size_t rows = lp_frame_rows(f);
            bool bad =
                (r->has_min && (double)rows < r->min) || (r->has_max && (double)rows > r->max);
            lp_sb sb = {0};
            if (r->has_min) lp_sb_appendf(&sb, "at least %.15g", r->min);
            if (r->has_max) lp_sb_appendf(&sb, "%sat most %.15g", r->has_min ? ", " : "", r->max);
            char *range = lp_sb_take(&sb);
            if (!add_observed(lp_chk_add(checks, "rows", NULL, bad ? r->severity : LP_CHK_PASS,
                                         "%zu rows (expected %s)", rows, range ? range : "?"),
                              lp_value_int((int64_t)rows)))
                rc = lp_error_set(LP_ENOMEM, "out of memory");
            free(range);
        }
    }
    return rc;
}
