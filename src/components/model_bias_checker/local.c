/*
 * local.c — LocalModelBiasChecker.
 *
 *   check_model_bias(frame, model) -> {report, path, status, failed}: the
 *       model's predictions on `frame` (the split's raw columns with the
 *       target, as OfflineTrain hands them over), then per protected
 *       attribute aif360's statistical parity difference, disparate impact,
 *       equal opportunity difference and average odds difference (unprivileged
 *       against privileged rows, and per unprivileged group), per-group
 *       selection rate / accuracy / f1 / TPR / FPR; checks against thresholds;
 *       HTML + JSON report.
 *
 *   model_bias_checker: LocalModelBiasChecker
 *   model_bias_checker:
 *     config:
 *       protected_attributes:
 *         sex: {privileged: [male]}          # groups: the column's values
 *         age: {bins: [0, 18, 65, 120]}      # groups "[0, 18)", ...; privileged
 *                                            # defaults to the most frequent group
 *       favorable_label: "1"                 # default: a binary model's second class
 *       thresholds:                          # these are the defaults
 *         disparate_impact: [0.8, 1.25]      # the four-fifths rule (or {min, max, severity})
 *         statistical_parity_difference: 0.1 # |x| at most (or {max, severity}); off disables
 *         equal_opportunity_difference: 0.1
 *         average_odds_difference: 0.1
 *       severity: WARN                       # of a threshold without its own
 *       min_group_rows: 10                   # fewer rows on one side: noted, not judged
 *       fail_on: ERROR                       # stop the workflow (default off)
 *       dir: .lolpop/reports
 *
 * Where the protected attribute comes from: the frame holds the split's columns
 * before feature encoding (the model applies its feature transformer state
 * itself), so an attribute the encoder turns into indicator columns, or that
 * the model does not use at all, is still there as one raw column. Columns the
 * data_splitter removes (model_index, drop_columns) and columns the SQL of the
 * data_transformer does not select never reach this step: an attribute that is
 * absent is an error naming the columns the frame has.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_bias_checker/bias.h"
#include "components/model_checker/mc.h"
#include "lolpop/strbuf.h"
#include "lolpop/workflow.h"

#define MAX_GROUPS 64

enum { M_DI, M_SPD, M_EOD, M_AOD, N_METRICS };
static const char *const metric_keys[N_METRICS] = {
    "disparate_impact", "statistical_parity_difference", "equal_opportunity_difference",
    "average_odds_difference"};

typedef struct attr_cfg {
    char *name;
    double *bins; /* n_bins edges; NULL: the groups are the column's values */
    size_t n_bins;
    char **privileged; /* NULL: the most frequent group */
    size_t n_priv;
} attr_cfg;

typedef struct threshold {
    double lo, hi; /* disparate impact: [lo, hi]; differences: |x| <= hi */
    int sev;       /* LP_CHK_OFF: not checked; -1: the global severity */
} threshold;

typedef struct bias_checker {
    attr_cfg *attrs;
    size_t n_attrs;
    char *favorable;
    threshold th[N_METRICS];
    int severity, fail_on;
    size_t min_group_rows;
    char *dir, *file, *who;
} bias_checker;

/* ---- configuration ------------------------------------------------------------------ */

/* The text of a group value as config and cells are compared: strings as they are,
 * integers plainly, floats with %.15g, booleans true / false. New string or NULL. */
static char *value_text(const lp_value *v)
{
    switch (lp_value_type(v)) {
    case LP_STRING:
        return lp_strdup(lp_value_as_string(v));
    case LP_INT:
        return lp_asprintf("%lld", (long long)lp_value_as_int(v));
    case LP_FLOAT:
        return lp_asprintf("%.15g", lp_value_as_float(v));
    case LP_BOOL:
        return lp_strdup(lp_value_as_bool(v) ? "true" : "false");
    default:
        return NULL;
    }
}

static char *bin_label(const double *edges, size_t k)
{
    return lp_asprintf("[%.15g, %.15g)", edges[k], edges[k + 1]);
}

static int parse_bins(attr_cfg *a, const lp_value *b, const char *who)
{
    if (lp_value_type(b) != LP_LIST || lp_list_len(b) < 2)
        return lp_kit_error_at(LP_ECONFIG, b,
                               "%s: protected_attributes.%s.bins is a list of at least two "
                               "increasing numbers, such as [0, 18, 65, 120]",
                               who, a->name);
    a->n_bins = lp_list_len(b);
    if (!(a->bins = malloc(a->n_bins * sizeof *a->bins)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < a->n_bins; i++) {
        const lp_value *e = lp_list_get(b, i);
        a->bins[i] = lp_value_as_float(e);
        if ((lp_value_type(e) != LP_INT && lp_value_type(e) != LP_FLOAT) || !isfinite(a->bins[i]) ||
            (i > 0 && !(a->bins[i] > a->bins[i - 1])))
            return lp_kit_error_at(LP_ECONFIG, e,
                                   "%s: protected_attributes.%s.bins must be finite numbers "
                                   "in increasing order",
                                   who, a->name);
    }
    return 0;
}

/* A binned attribute's privileged entries must name one of its bins. */
static int check_bin_names(const attr_cfg *a, const lp_value *list, const char *who)
{
    for (size_t p = 0; p < a->n_priv; p++) {
        bool found = false;
        for (size_t k = 0; !found && k + 1 < a->n_bins; k++) {
            char *l = bin_label(a->bins, k);
            if (!l) return lp_error_set(LP_ENOMEM, "out of memory");
            found = strcmp(l, a->privileged[p]) == 0;
            free(l);
        }
        if (!found) {
            char *first = bin_label(a->bins, 0);
            int rc = lp_kit_error_at(LP_ECONFIG, lp_list_get(list, p),
                                     "%s: protected_attributes.%s.privileged names bins by "
                                     "their label, such as \"%s\"; '%s' is none of them",
                                     who, a->name, first ? first : "", a->privileged[p]);
            free(first);
            return rc;
        }
    }
    return 0;
}

static int parse_privileged(attr_cfg *a, const lp_value *p, const char *who)
{
    if (lp_value_type(p) != LP_LIST || lp_list_len(p) == 0)
        return lp_kit_error_at(LP_ECONFIG, p,
                               "%s: protected_attributes.%s.privileged is a non-empty list of "
                               "the attribute's privileged values, such as [male]",
                               who, a->name);
    if (!(a->privileged = calloc(lp_list_len(p), sizeof *a->privileged)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < lp_list_len(p); i++, a->n_priv++)
        if (!(a->privileged[i] = value_text(lp_list_get(p, i))))
            return lp_kit_error_at(LP_ECONFIG, lp_list_get(p, i),
                                   "%s: protected_attributes.%s.privileged holds strings, "
                                   "numbers or booleans",
                                   who, a->name);
    return a->bins ? check_bin_names(a, p, who) : 0;
}

static int parse_attribute(attr_cfg *a, const char *name, const lp_value *spec, const char *who)
{
    static const char *const keys[] = {"privileged", "bins"};
    if (!(a->name = lp_strdup(name))) return lp_error_set(LP_ENOMEM, "out of memory");
    if (lp_value_type(spec) == LP_NULL) return 0;
    if (lp_value_type(spec) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, spec,
                               "%s: protected_attributes.%s is a map {privileged: [values], "
                               "bins: [edges]} (both optional)",
                               who, name);
    for (size_t i = 0; i < lp_map_len(spec); i++)
        if (strcmp(lp_map_key(spec, i), keys[0]) && strcmp(lp_map_key(spec, i), keys[1]))
            return lp_kit_error_at_origin(LP_ECONFIG, lp_map_key_origin(spec, i),
                                          "%s: unknown protected_attributes.%s key '%s'%s", who,
                                          name, lp_map_key(spec, i),
                                          lp_chk_did_you_mean(lp_map_key(spec, i), keys, 2));
    int rc = lp_map_get(spec, "bins") ? parse_bins(a, lp_map_get(spec, "bins"), who) : 0;
    if (rc == 0 && lp_map_get(spec, "privileged"))
        rc = parse_privileged(a, lp_map_get(spec, "privileged"), who);
    return rc;
}

static int parse_attributes(bias_checker *c, const lp_value *pa)
{
    if (!pa || lp_value_type(pa) != LP_MAP || lp_map_len(pa) == 0)
        return lp_kit_error_at(LP_ECONFIG, pa,
                               "%s: set protected_attributes, a map column -> {privileged, bins}, "
                               "such as {sex: {privileged: [male]}}",
                               c->who);
    if (!(c->attrs = calloc(lp_map_len(pa), sizeof *c->attrs)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lp_map_len(pa); i++, c->n_attrs++)
        rc = parse_attribute(&c->attrs[i], lp_map_key(pa, i), lp_map_value(pa, i), c->who);
    return rc;
}

static bool is_off(const lp_value *v)
{
    return (lp_value_type(v) == LP_BOOL && !lp_value_as_bool(v)) ||
           (lp_value_as_string(v) && lp_streq_nocase(lp_value_as_string(v), "off"));
}

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

/* Disparate impact: lo (hi = 1 / lo), [lo, hi] or {min, max, severity}. */
static int parse_di(threshold *t, const lp_value *v, const char *who)
{
    const lp_value *lo = NULL, *hi = NULL;
    if (is_number(v)) {
        lo = v;
    } else if (lp_value_type(v) == LP_LIST && lp_list_len(v) == 2) {
        lo = lp_list_get(v, 0);
        hi = lp_list_get(v, 1);
    } else if (lp_value_type(v) == LP_MAP) {
        lo = lp_map_get(v, "min");
        hi = lp_map_get(v, "max");
        if (lp_chk_parse_severity(&t->sev, lp_map_get(v, "severity"), true, who)) return LP_ECONFIG;
    } else {
        lo = v;
        hi = v; /* refused below */
    }
    if ((lo && !is_number(lo)) || (hi && !is_number(hi)))
        return lp_kit_error_at(LP_ECONFIG, v,
                               "%s: thresholds.disparate_impact is a lower bound (0.8), a range "
                               "[0.8, 1.25], {min, max, severity} or off",
                               who);
    if (lo) t->lo = lp_value_as_float(lo);
    t->hi = hi ? lp_value_as_float(hi) : lo ? 1 / t->lo : t->hi;
    if (!(t->lo > 0 && t->lo <= t->hi))
        return lp_kit_error_at(LP_ECONFIG, v,
                               "%s: thresholds.disparate_impact needs 0 < min <= max, got [%g, %g]",
                               who, t->lo, t->hi);
    return 0;
}

/* A difference: the largest |x| allowed, or {max, severity}. */
static int parse_difference(threshold *t, const lp_value *v, const char *key, const char *who)
{
    const lp_value *max = v;
    if (lp_value_type(v) == LP_MAP) {
        max = lp_map_get(v, "max");
        if (lp_chk_parse_severity(&t->sev, lp_map_get(v, "severity"), true, who)) return LP_ECONFIG;
    }
    if (max && (!is_number(max) || !(lp_value_as_float(max) >= 0)))
        return lp_kit_error_at(LP_ECONFIG, v,
                               "%s: thresholds.%s is the largest |difference| allowed (0.1), "
                               "{max, severity} or off",
                               who, key);
    if (max) t->hi = lp_value_as_float(max);
    return 0;
}

static int parse_thresholds(bias_checker *c, const lp_value *t)
{
    if (!t) return 0;
    if (lp_value_type(t) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, t, "%s: thresholds is a map metric -> threshold",
                               c->who);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lp_map_len(t); i++) {
        size_t m = 0;
        while (m < N_METRICS && strcmp(metric_keys[m], lp_map_key(t, i)) != 0)
            m++;
        const lp_value *v = lp_map_value(t, i);
        if (m == N_METRICS)
            rc = lp_kit_error_at_origin(
                LP_ECONFIG, lp_map_key_origin(t, i), "%s: unknown thresholds key '%s'%s", c->who,
                lp_map_key(t, i), lp_chk_did_you_mean(lp_map_key(t, i), metric_keys, N_METRICS));
        else if (is_off(v))
            c->th[m].sev = LP_CHK_OFF;
        else
            rc = m == M_DI ? parse_di(&c->th[m], v, c->who)
                           : parse_difference(&c->th[m], v, metric_keys[m], c->who);
    }
    return rc;
}

static void checker_fini(lp_obj *self)
{
    bias_checker *c = lp_obj_state(self);
    for (size_t i = 0; i < c->n_attrs; i++) {
        free(c->attrs[i].name);
        free(c->attrs[i].bins);
        for (size_t p = 0; p < c->attrs[i].n_priv; p++)
            free(c->attrs[i].privileged[p]);
        free(c->attrs[i].privileged);
    }
    free(c->attrs);
    free(c->favorable);
    free(c->dir);
    free(c->file);
    free(c->who);
    memset(c, 0, sizeof *c);
}

static int checker_init(lp_obj *self)
{
    bias_checker *c = lp_obj_state(self);
    const char *path = lp_obj_path(self);
    c->who = lp_strdup("config"); /* init errors get the class and path from the framework */
    c->th[M_DI] = (threshold){0.8, 1.25, -1};
    for (size_t m = M_SPD; m < N_METRICS; m++)
        c->th[m] = (threshold){0, 0.1, -1};
    c->severity = LP_CHK_WARN;
    c->fail_on = LP_CHK_OFF;
    c->min_group_rows = 10;
    c->dir = lp_kit_config_string(self, "dir", ".lolpop/reports");
    c->file = lp_obj_config_string(self, "report_file");
    lp_value *cfg = lp_obj_config_map(self);
    lp_value *fav = lp_map_get(cfg, "favorable_label");
    int rc = c->who && c->dir ? 0 : LP_ENOMEM;
    if (rc == 0) rc = parse_attributes(c, lp_map_get(cfg, "protected_attributes"));
    if (rc == 0 && fav && !(c->favorable = value_text(fav)))
        rc = lp_kit_error_at(LP_ECONFIG, fav, "%s: favorable_label is a class label", c->who);
    if (rc == 0) rc = parse_thresholds(c, lp_map_get(cfg, "thresholds"));
    const lp_value *mg = lp_map_get(cfg, "min_group_rows");
    if (rc == 0 && mg) {
        if (lp_value_type(mg) != LP_INT || lp_value_as_int(mg) < 1)
            rc =
                lp_kit_error_at(LP_ECONFIG, mg, "%s: min_group_rows is a positive integer", c->who);
        else
            c->min_group_rows = (size_t)lp_value_as_int(mg);
    }
    if (rc == 0)
        rc = lp_chk_parse_severity(&c->severity, lp_map_get(cfg, "severity"), false, c->who);
    if (rc == 0) rc = lp_chk_parse_severity(&c->fail_on, lp_map_get(cfg, "fail_on"), true, c->who);
    lp_value_unref(cfg);
    if (rc == 0) {
        free(c->who);
        c->who =
            lp_asprintf("LocalModelBiasChecker (%s)", path && *path ? path : lp_obj_name(self));
        if (!c->who) rc = LP_ENOMEM;
    }
    if (rc) checker_fini(self);
    return rc;
}

/* ---- groups of an attribute ------------------------------------------------------------ */

typedef struct attr_groups {
    int32_t *of; /* per row */
    char **names;
    bool *privileged;
    size_t n;
} attr_groups;

static void groups_free(attr_groups *g)
{
    free(g->of);
    for (size_t k = 0; k < g->n; k++)
        free(g->names[k]);
    free(g->names);
    free(g->privileged);
    memset(g, 0, sizeof *g);
}

/* Cell i's text as value_text gives it for config values; NULL when missing. */
static char *cell_text(const lp_column *col, size_t i)
{
    if (!lp_column_is_valid(col, i)) return NULL;
    switch (col->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        size_t len = 0;
        const char *s = lp_column_str(col, i, &len);
        return s ? lp_strndup(s, len) : NULL;
    }
    case LP_DT_BOOL:
        return lp_strdup(col->data.b8[i] ? "true" : "false");
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        return lp_asprintf("%lld", (long long)col->data.i64[i]);
    default:
        return isnan(col->data.f64[i]) ? NULL : lp_asprintf("%.15g", col->data.f64[i]);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Groups from the column's values (sorted by name). */
static int value_groups(attr_groups *g, const lp_column *col, const attr_cfg *a, const char *who)
{
    g->names = calloc(MAX_GROUPS, sizeof *g->names);
    if (!g->names) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        char *t = cell_text(col, i);
        if (!t) continue;
        bool seen = false;
        for (size_t k = 0; k < g->n && !seen; k++)
            seen = strcmp(g->names[k], t) == 0;
        if (seen || g->n == MAX_GROUPS) free(t);
        if (!seen && g->n == MAX_GROUPS)
            return lp_error_set(LP_EINVAL,
                                "%s: protected attribute '%s' has more than %d distinct values; "
                                "give it bins (protected_attributes.%s.bins)",
                                who, a->name, MAX_GROUPS, a->name);
        if (!seen) g->names[g->n++] = t;
    }
    qsort(g->names, g->n, sizeof *g->names, by_name);
    for (size_t i = 0; i < col->length; i++) {
        char *t = cell_text(col, i);
        g->of[i] = -1;
        for (size_t k = 0; t && k < g->n && g->of[i] < 0; k++)
            if (strcmp(g->names[k], t) == 0) g->of[i] = (int32_t)k;
        free(t);
    }
    return 0;
}

/* Groups from bins [e_k, e_k+1): a value outside every bin has none. */
static int bin_groups(attr_groups *g, const lp_column *col, const attr_cfg *a, const char *who)
{
    if (col->type != LP_DT_FLOAT64 && col->type != LP_DT_INT64)
        return lp_error_set(LP_EINVAL,
                            "%s: protected attribute '%s' has bins but its column is %s, not a "
                            "number",
                            who, a->name, lp_dtype_name(col->type));
    g->n = a->n_bins - 1;
    g->names = calloc(g->n, sizeof *g->names);
    if (!g->names) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; k < g->n; k++)
        if (!(g->names[k] = bin_label(a->bins, k))) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        g->of[i] = -1;
        for (size_t k = 0; lp_column_is_valid(col, i) && k < g->n && g->of[i] < 0; k++)
            if (x >= a->bins[k] && x < a->bins[k + 1]) g->of[i] = (int32_t)k;
    }
    return 0;
}

/* Marks the configured privileged groups, or the most frequent one. */
static int mark_privileged(attr_groups *g, size_t rows, const attr_cfg *a, const char *who)
{
    if (!(g->privileged = calloc(g->n ? g->n : 1, sizeof *g->privileged)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    if (g->n < 2)
        return lp_error_set(LP_EINVAL,
                            "%s: protected attribute '%s' has %zu group%s in these rows; "
                            "fairness compares at least two",
                            who, a->name, g->n, g->n == 1 ? "" : "s");
    for (size_t p = 0; p < a->n_priv; p++) {
        size_t k = 0;
        while (k < g->n && strcmp(g->names[k], a->privileged[p]) != 0)
            k++;
        if (k == g->n) {
            lp_sb sb = {0};
            for (size_t i = 0; i < g->n; i++)
                lp_sb_appendf(&sb, "%s%s", i ? ", " : "", g->names[i]);
            char *list = lp_sb_take(&sb);
            lp_error_set(LP_EINVAL,
                         "%s: privileged value '%s' of protected attribute '%s' is none of its "
                         "groups in these rows: %s",
                         who, a->privileged[p], a->name, list ? list : "");
            free(list);
            return LP_EINVAL;
        }
        g->privileged[k] = true;
    }
    if (a->n_priv) return 0;
    size_t *count = calloc(g->n, sizeof *count), best = 0;
    if (!count) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < rows; i++)
        if (g->of[i] >= 0) count[g->of[i]]++;
    for (size_t k = 1; k < g->n; k++)
        if (count[k] > count[best]) best = k;
    free(count);
    g->privileged[best] = true;
    return 0;
}

/* The column names of f as "a, b, c" (new string). */
static char *column_list(const lp_frame *f)
{
    lp_sb sb = {0};
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        lp_sb_appendf(&sb, "%s%s", j ? ", " : "", lp_frame_name(f, j));
    return lp_sb_take(&sb);
}

static int attribute_groups(attr_groups *g, const lp_frame *f, const attr_cfg *a, const char *who)
{
    memset(g, 0, sizeof *g);
    long j = lp_frame_find(f, a->name);
    if (j < 0) {
        char *cols = column_list(f);
        lp_error_set(LP_EINVAL,
                     "%s: protected attribute '%s' is not a column of the frame (the split's "
                     "columns before feature encoding, with the target): %s. A column removed "
                     "before the split (by the data_transformer, or the data_splitter's "
                     "model_index / drop_columns) never reaches check_model_bias",
                     who, a->name, cols ? cols : "");
        free(cols);
        return LP_EINVAL;
    }
    const lp_column *col = lp_frame_col(f, (size_t)j);
    if (!(g->of = malloc((col->length ? col->length : 1) * sizeof *g->of)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = a->bins ? bin_groups(g, col, a, who) : value_groups(g, col, a, who);
    if (rc == 0) rc = mark_privileged(g, col->length, a, who);
    return rc;
}

/* ---- checks ------------------------------------------------------------------------------ */

static int severity_of(const bias_checker *c, size_t m)
{
    return c->th[m].sev < 0 ? c->severity : c->th[m].sev;
}

/* The checks of the four numbers in `nums` (an attribute, or one of its groups). */
static int check_numbers(lp_value *checks, lp_value *notes, const bias_checker *c,
                         const char *column, const char *what, const lp_value *nums)
{
    for (size_t m = 0; m < N_METRICS; m++) {
        if (c->th[m].sev == LP_CHK_OFF) continue;
        const lp_value *v = lp_map_get(nums, metric_keys[m]);
        lp_value *r;
        if (lp_value_type(v) != LP_FLOAT) {
            /* a rate with nothing to count (no positives in a group): noted, not judged */
            char *note = lp_asprintf("%s of %s is undefined (a group has no row to compute a "
                                     "rate from): not judged",
                                     metric_keys[m], what);
            r = note && lp_list_append(notes, lp_value_string(note)) == 0 ? notes : NULL;
            free(note);
        } else {
            double x = lp_value_as_float(v);
            bool ok = m == M_DI ? x >= c->th[m].lo && x <= c->th[m].hi : fabs(x) <= c->th[m].hi;
            r = m == M_DI
                    ? lp_chk_add(checks, metric_keys[m], column,
                                 ok ? LP_CHK_PASS : severity_of(c, m),
                                 "disparate impact of %s %.4g %s [%g, %g]", what, x,
                                 ok ? "within" : "outside", c->th[m].lo, c->th[m].hi)
                    : lp_chk_add(checks, metric_keys[m], column,
                                 ok ? LP_CHK_PASS : severity_of(c, m), "%s of %s %.4g: |x| %s %g",
                                 metric_keys[m], what, x, ok ? "within" : "above", c->th[m].hi);
            if (r) lp_map_set(r, "observed", lp_value_float(x));
        }
        if (!r) return LP_ENOMEM;
    }
    return 0;
}

/* "female vs male" of an attribute's numbers (new string). */
static char *versus(const char *attr, const lp_value *unpriv, const lp_value *priv)
{
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "%s (", attr);
    for (size_t i = 0; i < lp_list_len(unpriv); i++)
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", lp_value_as_string(lp_list_get(unpriv, i)));
    lp_sb_append(&sb, " vs ");
    for (size_t i = 0; i < lp_list_len(priv); i++)
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", lp_value_as_string(lp_list_get(priv, i)));
    lp_sb_append(&sb, ")");
    return lp_sb_take(&sb);
}

/* Rows of the privileged (or unprivileged) groups of an attribute's numbers. */
static int64_t rows_where(const lp_value *attr, bool privileged)
{
    const lp_value *groups = lp_map_get(attr, "groups");
    int64_t n = 0;
    for (size_t g = 0; g < lp_list_len(groups); g++)
        if (lp_value_as_bool(lp_map_get(lp_list_get(groups, g), "privileged")) == privileged)
            n += lp_value_as_int(lp_map_get(lp_list_get(groups, g), "rows"));
    return n;
}

/* Whether a comparison with `rows` rows on its smaller side is judged; a note when not. */
static bool enough_rows(lp_value *notes, const bias_checker *c, const char *what, int64_t rows)
{
    if (rows >= (int64_t)c->min_group_rows) return true;
    char *note = lp_asprintf("%s: %lld rows on one side, fewer than min_group_rows (%zu): not "
                             "judged",
                             what, (long long)rows, c->min_group_rows);
    if (note) lp_list_append(notes, lp_value_string(note));
    free(note);
    return false;
}

/* The attribute's checks: unprivileged rows together and, with more than one
 * unprivileged group, each group against the privileged rows; a side with fewer
 * than min_group_rows rows is noted instead (a rate of 3 rows says nothing). */
static int check_attribute(lp_value *checks, lp_value *notes, const bias_checker *c,
                           const char *name, const lp_value *attr)
{
    const lp_value *unpriv = lp_map_get(attr, "unprivileged"),
                   *priv = lp_map_get(attr, "privileged");
    int64_t priv_rows = rows_where(attr, true), unpriv_rows = rows_where(attr, false);
    char *what = versus(name, unpriv, priv);
    int rc = what ? 0 : LP_ENOMEM;
    if (rc == 0 && enough_rows(notes, c, what, priv_rows < unpriv_rows ? priv_rows : unpriv_rows))
        rc = check_numbers(checks, notes, c, name, what, attr);
    free(what);
    const lp_value *groups = lp_map_get(attr, "groups");
    for (size_t g = 0; rc == 0 && lp_list_len(unpriv) > 1 && g < lp_list_len(groups); g++) {
        const lp_value *e = lp_list_get(groups, g);
        if (lp_value_as_bool(lp_map_get(e, "privileged"))) continue;
        lp_value *one = lp_value_list();
        if (one) lp_list_append(one, lp_value_ref(lp_map_get(e, "group")));
        what = one ? versus(name, one, priv) : NULL;
        char *column = lp_asprintf("%s=%s", name, lp_value_as_string(lp_map_get(e, "group")));
        int64_t rows = lp_value_as_int(lp_map_get(e, "rows"));
        rc = what && column ? 0 : LP_ENOMEM;
        if (rc == 0 && enough_rows(notes, c, what, rows < priv_rows ? rows : priv_rows))
            rc = check_numbers(checks, notes, c, column, what, e);
        free(what);
        free(column);
        lp_value_unref(one);
    }
    return rc;
}

/* ---- the report --------------------------------------------------------------------------- */

/* "a, b, c" of the first few labels (new string). */
static char *label_list(const char *const *labels, size_t k)
{
    lp_sb sb = {0};
    for (size_t i = 0; i < k && i < 8; i++)
        lp_sb_appendf(&sb, "%s'%s'", i ? ", " : "", labels[i]);
    if (k > 8) lp_sb_appendf(&sb, ", … %zu in all", k);
    return lp_sb_take(&sb);
}

/* The favorable class index among labels[0..k) (config favorable_label, else
 * the second of two). */
static int favorable_among(size_t *out, const bias_checker *c, const char *const *labels, size_t k)
{
    if (!c->favorable && k == 2) {
        *out = 1;
        return 0;
    }
    for (size_t i = 0; c->favorable && i < k; i++)
        if (strcmp(labels[i], c->favorable) == 0) {
            *out = i;
            return 0;
        }
    char *list = label_list(labels, k);
    int rc = c->favorable ? lp_error_set(LP_ECONFIG,
                                         "%s: favorable_label '%s' is not one of the target's "
                                         "classes (%s)",
                                         c->who, c->favorable, list ? list : "")
                          : lp_error_set(LP_ECONFIG,
                                         "%s: the target has %zu classes (%s); set config "
                                         "favorable_label to the class that is the good outcome",
                                         c->who, k, list ? list : "");
    free(list);
    return rc;
}

/* The favorable class index of m. */
static int favorable_index(size_t *out, const bias_checker *c, const lp_model *m)
{
    size_t k = lp_model_n_classes(m);
    if (k == 0)
        return lp_error_set(LP_EINVAL, "%s: check_model_bias needs a classification model", c->who);
    const char **labels = malloc(k * sizeof *labels);
    if (!labels) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++)
        labels[i] = lp_model_class_label(m, i);
    int rc = favorable_among(out, c, labels, k);
    free(labels);
    return rc;
}

/* Truth and prediction of the favorable label per row of frame. */
static int score(uint8_t **truth, uint8_t **pred, lp_obj *self, const bias_checker *c,
                 const lp_model *m, const lp_frame *f, size_t fav)
{
    const char *target = lp_model_target(m);
    if (!target || lp_frame_find(f, target) < 0)
        return lp_error_set(LP_EINVAL,
                            "%s: the frame has no column '%s' (the model's target): "
                            "check_model_bias needs the true labels",
                            c->who, target ? target : "?");
    lp_frame *X = NULL, *y = NULL;
    int rc = lp_frame_drop(&X, f, &target, 1);
    if (rc == 0) rc = lp_frame_select(&y, f, &target, 1);
    lp_mc_split s = {0};
    if (rc == 0)
        rc = lp_mc_evaluate(&s, lp_workflow_registry(lp_obj_workflow(self)), m, X, y,
                            "check_model_bias");
    if (X) lp_frame_unref(X);
    if (y) lp_frame_unref(y);
    if (rc) return rc;
    size_t n = s.n;
    *truth = malloc(n ? n : 1);
    *pred = malloc(n ? n : 1);
    if (!*truth || !*pred) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        (*truth)[i] = s.y[i] == (int32_t)fav;
        (*pred)[i] = s.pred[i] == (int32_t)fav;
    }
    lp_mc_split_free(&s);
    return rc;
}

static lp_value *thresholds_value(const bias_checker *c)
{
    lp_value *t = lp_value_map();
    for (size_t m = 0; t && m < N_METRICS; m++) {
        lp_value *e = c->th[m].sev == LP_CHK_OFF ? lp_value_string("off")
                      : m == M_DI
                          ? lp_kit_result("min", lp_value_float(c->th[m].lo), "max",
                                          lp_value_float(c->th[m].hi), "severity",
                                          lp_value_string(lp_chk_status_name(severity_of(c, m))),
                                          (const char *)NULL)
                          : lp_kit_result("max", lp_value_float(c->th[m].hi), "severity",
                                          lp_value_string(lp_chk_status_name(severity_of(c, m))),
                                          (const char *)NULL);
        if (!e || lp_map_set(t, metric_keys[m], e) != 0) {
            lp_value_unref(t);
            return NULL;
        }
    }
    return t;
}

static lp_value *bias_report(lp_obj *self, const bias_checker *c, const lp_frame *f,
                             const lp_model *m)
{
    size_t fav = 0;
    uint8_t *truth = NULL, *pred = NULL;
    int rc = favorable_index(&fav, c, m);
    if (rc == 0) rc = score(&truth, &pred, self, c, m, f, fav);
    lp_value *attrs = rc == 0 ? lp_value_map() : NULL, *checks = attrs ? lp_value_list() : NULL;
    lp_value *notes = checks ? lp_value_list() : NULL;
    if (rc == 0 && !notes) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t a = 0; rc == 0 && a < c->n_attrs; a++) {
        attr_groups g;
        rc = attribute_groups(&g, f, &c->attrs[a], c->who);
        lp_bias_rows rows = {lp_frame_rows(f), g.of,  g.n, (const char *const *)g.names,
                             g.privileged,     truth, pred};
        lp_value *av = rc == 0 ? lp_bias_attribute(&rows) : NULL;
        groups_free(&g);
        if (rc == 0 && !av) rc = lp_error_set(LP_ENOMEM, "out of memory");
        if (rc == 0) rc = check_attribute(checks, notes, c, c->attrs[a].name, av);
        if (rc == 0)
            rc = lp_map_set(attrs, c->attrs[a].name, av);
        else
            lp_value_unref(av);
    }
    free(truth);
    free(pred);
    lp_value *report = NULL;
    if (rc == 0)
        report =
            lp_kit_result("report_type", lp_value_string("model_bias"), "favorable_label",
                          lp_value_string(lp_model_class_label(m, fav)), "rows",
                          lp_value_int((int64_t)lp_frame_rows(f)), "thresholds",
                          thresholds_value(c), "attributes", lp_value_ref(attrs), "checks",
                          lp_value_ref(checks), "notes", lp_value_ref(notes), (const char *)NULL);
    if (report && lp_chk_summarize(report) < 0) {
        lp_value_unref(report);
        report = NULL;
    }
    lp_value_unref(attrs);
    lp_value_unref(checks);
    lp_value_unref(notes);
    return report;
}

/* ---- the method ---------------------------------------------------------------------------- */

static lp_value *checker_check_model_bias(lp_obj *self, lp_value *args)
{
    bias_checker *c = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", "check_model_bias");
    lp_model *m = f ? lp_kit_arg_model(args, "model", "check_model_bias") : NULL;
    if (!m) return NULL;
    lp_value *report = bias_report(self, c, f, m);
    if (!report) return NULL;
    int status = lp_chk_status_of(lp_value_as_string(lp_map_get(report, "status")));
    bool failed = c->fail_on != LP_CHK_OFF && status >= c->fail_on;
    lp_value *result = lp_chk_finish(lp_value_ref(report), lp_bias_report_html(report), c->dir,
                                     c->file, "model-bias");
    if (result && lp_map_set(result, "failed", lp_value_bool(failed))) {
        lp_value_unref(result);
        result = NULL;
    }
    if (result)
        lp_log(self, LP_LOG_INFO,
               "check_model_bias: %s (%lld passed, %lld warnings, %lld errors); bias report: %s",
               lp_chk_status_name(status),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "PASS")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "WARN")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "ERROR")),
               lp_value_as_string(lp_map_get(result, "path")));
    else
        lp_error_prefix("%s", c->who);
    lp_value_unref(report);
    return result;
}

/* check_classes(classes): the favorable class can be told among the target's
 * classes, said before training rather than after it. */
static lp_value *checker_check_classes(lp_obj *self, lp_value *args)
{
    bias_checker *c = lp_obj_state(self);
    const lp_value *classes = lp_map_get(args, "classes");
    size_t k = lp_list_len(classes), fav;
    if (lp_value_type(classes) != LP_LIST) {
        lp_error_set(LP_EINVAL, "%s: check_classes needs a list of classes", c->who);
        return NULL;
    }
    if (k < 2) return lp_value_null(); /* the trainer says a classifier needs two */
    const char **labels = malloc(k * sizeof *labels);
    int rc = labels ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < k; i++)
        if (!(labels[i] = lp_value_as_string(lp_list_get(classes, i))))
            rc = lp_error_set(LP_EINVAL, "%s: check_classes: class %zu is not a string", c->who,
                              i + 1);
    if (rc == 0) rc = favorable_among(&fav, c, labels, k);
    free(labels);
    return rc ? NULL : lp_value_null();
}

static const lp_method checker_methods[] = {
    {"check_model_bias", checker_check_model_bias,
     "check_model_bias(frame, model) -> {report, path, status, failed}: statistical parity "
     "difference, disparate impact, equal opportunity and average odds differences per "
     "protected attribute, per-group selection rate / accuracy / f1, checked against "
     "thresholds"},
    {"check_classes", checker_check_classes,
     "check_classes(classes): fails before training when favorable_label cannot be told among "
     "the target's classes (more than two and none set, or not one of them)"},
    {NULL, NULL, NULL},
};

static const lp_config_key checker_keys[] = {
    {"protected_attributes", "map",
     "column -> {privileged: [values] (default: the most frequent group), bins: [edges]}"},
    {"favorable_label", "any",
     "the good outcome's class, as text, a number or true/false (default: a binary model's "
     "second)"},
    {"thresholds", "map",
     "disparate_impact: [0.8, 1.25]; statistical_parity_difference, "
     "equal_opportunity_difference, average_odds_difference: 0.1 (|x| at most); or off"},
    {"severity", "string", "WARN (default) or ERROR: of a threshold without its own"},
    {"min_group_rows", "int",
     "a comparison with fewer rows on one side is noted, not judged (default 10)"},
    {"fail_on", "string", "ERROR or WARN: stop the workflow when the status reaches it"},
    {"dir", "string", "directory of the reports (default .lolpop/reports)"},
    {"report_file", "string", "write the report to this file instead"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_model_bias_checker_class = {
    .name = "LocalModelBiasChecker",
    .kind = LP_KIND_COMPONENT,
    .type = "model_bias_checker",
    .doc = "Fairness of a trained classifier over protected attributes (aif360's definitions): "
           "statistical parity difference, disparate impact (four-fifths rule by default), "
           "equal opportunity and average odds differences, per-group selection rate, "
           "accuracy and f1; PASS / WARN / ERROR by thresholds; a self-contained HTML report "
           "with a JSON twin.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = checker_keys,
    .methods = checker_methods,
    .state_size = sizeof(bias_checker),
    .init = checker_init,
    .fini = checker_fini,
};
