/* xgb_params.c — XGBoost parameters: the names XGBoost 1.7 knows, defaults,
 * and their text form for XGBoosterSetParam. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ml/xgb_api.h"

#include "ml/xgb_internal.h"

/* lolpop's own training controls, not passed to XGBoost. */
static const char *const own_params[] = {"num_boost_round", "early_stopping_rounds"};

/* XGBoost 1.7's documented parameters (general, tree booster, dart, linear
 * booster, learning task) and their aliases. */
const char *const lp_xgb_param_names[] = {
    "num_boost_round", "early_stopping_rounds",
    /* general */
    "booster", "verbosity", "validate_parameters", "nthread", "disable_default_eval_metric",
    "num_feature", "gpu_id", "predictor", "seed", "seed_per_iteration", "random_state",
    /* tree booster */
    "eta", "learning_rate", "gamma", "min_split_loss", "max_depth", "min_child_weight",
    "max_delta_step", "subsample", "sampling_method", "colsample_bytree", "colsample_bylevel",
    "colsample_bynode", "lambda", "reg_lambda", "alpha", "reg_alpha", "tree_method", "sketch_eps",
    "scale_pos_weight", "updater", "refresh_leaf", "process_type", "grow_policy", "max_leaves",
    "max_bin", "num_parallel_tree", "monotone_constraints", "interaction_constraints",
    "single_precision_histogram", "deterministic_histogram", "max_cat_to_onehot",
    "max_cat_threshold",
    /* dart */
    "sample_type", "normalize_type", "rate_drop", "one_drop", "skip_drop",
    /* linear booster */
    "feature_selector", "top_k",
    /* learning task */
    "objective", "base_score", "eval_metric", "num_class", "tweedie_variance_power", "huber_slope",
    "aft_loss_distribution", "aft_loss_distribution_scale", "num_pairsample", "fix_list_weight",
    NULL};

const char *const lp_xgb_param_hints[] = {
    "n_estimators",
    "use num_boost_round (the number of boosting rounds)",
    "learning_rate",
    "use eta",
    "random_state",
    "use seed",
    "reg_lambda",
    "use lambda",
    "reg_alpha",
    "use alpha",
    "n_jobs",
    "use nthread",
    "missing",
    "remove it: an empty CSV field is a missing value",
    "use_label_encoder",
    "remove it: lolpop encodes the labels",
    "enable_categorical",
    "remove it: string columns are categorical features already",
    "importance_type",
    "remove it: it is not a training parameter",
    "callbacks",
    "remove it: there are no Python callbacks here",
    "verbose",
    "use verbosity",
    NULL};

static size_t n_param_names(void)
{
    size_t n = 0;
    while (lp_xgb_param_names[n])
        n++;
    return n;
}

static bool known_param(const char *name)
{
    for (size_t i = 0; lp_xgb_param_names[i]; i++)
        if (strcmp(lp_xgb_param_names[i], name) == 0) return true;
    return false;
}

/* The cores this process may run on (affinity), at least 1. */
static int cores_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int check_count(const lp_value *eff, const char *key, int64_t min)
{
    const lp_value *v = lp_map_get(eff, key);
    if (lp_value_type(v) != LP_INT || lp_value_as_int(v) < min || lp_value_as_int(v) > 1000000000)
        return lp_error_set(LP_ECONFIG, "XGBoost parameter '%s' must be an integer >= %" PRId64,
                            key, min);
    return 0;
}

/* ---- values: XGBoost 1.7's documented ranges and choices, so that a wrong
 * value is named before any data and with its parameter (XGBoost itself
 * says only "Some trailing characters could not be parsed", at the first
 * boosting round). */

typedef struct num_rule {
    const char *name;
    bool integer;
    double lo, hi;         /* bounds */
    bool lo_open, hi_open; /* lo < v rather than lo <= v; likewise hi */
} num_rule;

static const num_rule num_rules[] = {
    {"eta", false, 0, INFINITY, false, true},
    {"learning_rate", false, 0, INFINITY, false, true},
    {"gamma", false, 0, INFINITY, false, true},
    {"min_split_loss", false, 0, INFINITY, false, true},
    {"max_depth", true, 0, 1e9, false, false},
    {"min_child_weight", false, 0, INFINITY, false, true},
    {"max_delta_step", false, 0, INFINITY, false, true},
    {"subsample", false, 0, 1, true, false},
    {"colsample_bytree", false, 0, 1, true, false},
    {"colsample_bylevel", false, 0, 1, true, false},
    {"colsample_bynode", false, 0, 1, true, false},
    {"lambda", false, 0, INFINITY, false, true},
    {"reg_lambda", false, 0, INFINITY, false, true},
    {"alpha", false, 0, INFINITY, false, true},
    {"reg_alpha", false, 0, INFINITY, false, true},
    {"sketch_eps", false, 0, 1, true, true},
    {"scale_pos_weight", false, 0, INFINITY, false, true},
    {"max_leaves", true, 0, 1e9, false, false},
    {"max_bin", true, 2, 1e9, false, false},
    {"num_parallel_tree", true, 1, 1e9, false, false},
    {"rate_drop", false, 0, 1, false, false},
    {"skip_drop", false, 0, 1, false, false},
    {"tweedie_variance_power", false, 1, 2, false, true},
    {"verbosity", true, 0, 3, false, false},
    {"seed", true, -9.2e18, 9.2e18, false, false},
    {"random_state", true, -9.2e18, 9.2e18, false, false},
    {"base_score", false, -INFINITY, INFINITY, true, true},
};

typedef struct choice_rule {
    const char *name;
    const char *const choices[6];
} choice_rule;

static const choice_rule choice_rules[] = {
    {"booster", {"gbtree", "gblinear", "dart", NULL}},
    {"tree_method", {"auto", "exact", "approx", "hist", "gpu_hist", NULL}},
    {"grow_policy", {"depthwise", "lossguide", NULL}},
    {"sampling_method", {"uniform", "gradient_based", NULL}},
    {"predictor", {"auto", "cpu_predictor", "gpu_predictor", NULL}},
};

/* v as a number: an int, a float, or a text that is wholly one (XGBoost
 * reads text). false when it is none of these. A float with an integral value
 * counts as an integer: it reaches XGBoost as "3" (scalar_text), as ever. */
static bool number_of(const lp_value *v, double *d, bool *integral)
{
    lp_vtype t = lp_value_type(v);
    if (t == LP_INT || t == LP_FLOAT) {
        *d = lp_value_as_float(v);
        *integral = t == LP_INT || (isfinite(*d) && *d == floor(*d));
        return true;
    }
    const char *s = t == LP_STRING ? lp_value_as_string(v) : NULL;
    char *end = NULL;
    if (!s || !*s) return false;
    *d = strtod(s, &end);
    *integral = strspn(s, "+-0123456789") == strlen(s);
    return *end == '\0';
}

static int check_number(const num_rule *r, const lp_value *v)
{
    double d;
    bool integral;
    bool ok = number_of(v, &d, &integral) && !isnan(d) && (!r->integer || integral) &&
              (r->lo_open ? d > r->lo : d >= r->lo) && (r->hi_open ? d < r->hi : d <= r->hi);
    if (ok) return 0;
    char *text = lp_value_to_string(v);
    char range[96];
    if (isinf(r->hi) && isinf(r->lo))
        snprintf(range, sizeof range, "a number");
    else if (isinf(r->hi))
        snprintf(range, sizeof range, "%s %s %g", r->integer ? "an integer" : "a number",
                 r->lo_open ? ">" : ">=", r->lo);
    else if (r->hi >= 1e9 && r->lo <= -1e9) /* seeds: any integer */
        snprintf(range, sizeof range, "an integer");
    else if (r->hi >= 1e9)
        snprintf(range, sizeof range, "an integer >= %g", r->lo);
    else
        snprintf(range, sizeof range, "%s in %c%g, %g%c", r->integer ? "an integer" : "a number",
                 r->lo_open ? '(' : '[', r->lo, r->hi, r->hi_open ? ')' : ']');
    int rc = lp_error_set(LP_ECONFIG, "XGBoost parameter '%s' must be %s (got %s)", r->name, range,
                          text ? text : "?");
    free(text);
    return rc;
}

static int check_choice(const choice_rule *r, const lp_value *v)
{
    const char *s = lp_value_as_string(v);
    size_t n = 0;
    while (r->choices[n])
        n++;
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, r->choices[i]) == 0) return 0;
    lp_sb all = {0};
    for (size_t i = 0; i < n; i++)
        lp_sb_appendf(&all, "%s%s", i ? ", " : "", r->choices[i]);
    const char *hint = s ? lp_suggest(s, r->choices, n) : NULL;
    char *list = lp_sb_take(&all);
    int rc = hint ? lp_error_set(LP_ECONFIG,
                                 "XGBoost parameter '%s': unknown value '%s'; did you mean '%s'? "
                                 "(%s)",
                                 r->name, s, hint, list ? list : "")
                  : lp_error_set(LP_ECONFIG, "XGBoost parameter '%s' must be one of %s", r->name,
                                 list ? list : "");
    free(list);
    return rc;
}

int lp_xgb_param_check(const char *name, const lp_value *value)
{
    for (size_t i = 0; i < sizeof num_rules / sizeof *num_rules; i++)
        if (strcmp(name, num_rules[i].name) == 0) return check_number(&num_rules[i], value);
    for (size_t i = 0; i < sizeof choice_rules / sizeof *choice_rules; i++)
        if (strcmp(name, choice_rules[i].name) == 0) return check_choice(&choice_rules[i], value);
    return 0;
}

static int set_default(lp_value *eff, const char *key, lp_value *v)
{
    if (lp_map_get(eff, key)) {
        lp_value_unref(v);
        return 0;
    }
    if (!v) return LP_ENOMEM;
    return lp_map_set(eff, key, v);
}

int lp_xgb_params_resolve(lp_value **out, const lp_value *params)
{
    *out = NULL;
    if (params && lp_value_type(params) != LP_MAP)
        return lp_error_set(LP_ECONFIG, "XGBoost training_params must be a map, not %s",
                            lp_vtype_name(lp_value_type(params)));
    size_t n = params ? lp_map_len(params) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = lp_map_key(params, i);
        if (known_param(k)) continue;
        for (size_t h = 0; lp_xgb_param_hints[h]; h += 2)
            if (strcmp(lp_xgb_param_hints[h], k) == 0)
                return lp_error_set(LP_ECONFIG, "unknown XGBoost parameter '%s'; %s", k,
                                    lp_xgb_param_hints[h + 1]);
        const char *hint = lp_suggest(k, lp_xgb_param_names, n_param_names());
        return hint ? lp_error_set(LP_ECONFIG, "unknown XGBoost parameter '%s'; did you mean '%s'?",
                                   k, hint)
                    : lp_error_set(LP_ECONFIG, "unknown XGBoost parameter '%s'", k);
    }
    for (size_t i = 0; i < n; i++) {
        int rc = lp_xgb_param_check(lp_map_key(params, i), lp_map_value(params, i));
        if (rc) return rc;
    }
    lp_value *eff = params ? lp_value_copy(params) : lp_value_map();
    int rc = eff ? 0 : LP_ENOMEM;
    if (rc == 0) rc = set_default(eff, "num_boost_round", lp_value_int(100));
    if (rc == 0) rc = set_default(eff, "early_stopping_rounds", lp_value_int(0));
    if (rc == 0) rc = set_default(eff, "nthread", lp_value_int(cores_available()));
    if (rc == 0) rc = set_default(eff, "seed", lp_value_int(0));
    if (rc == 0) rc = check_count(eff, "num_boost_round", 1);
    if (rc == 0) rc = check_count(eff, "early_stopping_rounds", 0);
    if (rc == 0) rc = check_count(eff, "nthread", 0);
    if (rc) {
        lp_value_unref(eff);
        return rc;
    }
    *out = eff;
    return 0;
}

/* Shortest text that reads back as the same double (as Python's repr). */
static void format_double(char *buf, size_t n, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* Text of a scalar parameter value; NULL for lists, maps, handles. */
static char *scalar_text(const lp_value *v)
{
    char buf[64];
    switch (lp_value_type(v)) {
    case LP_BOOL:
        return lp_strdup(lp_value_as_bool(v) ? "1" : "0");
    case LP_INT:
        snprintf(buf, sizeof buf, "%" PRId64, lp_value_as_int(v));
        return lp_strdup(buf);
    case LP_FLOAT:
        format_double(buf, sizeof buf, lp_value_as_float(v));
        return lp_strdup(buf);
    case LP_STRING:
        return lp_strdup(lp_value_as_string(v));
    default:
        return NULL;
    }
}

static int set_one(BoosterHandle bst, const char *key, const char *text)
{
    if (XGBoosterSetParam(bst, key, text)) {
        const char *msg = XGBGetLastError();
        return lp_error_set(LP_ECONFIG, "XGBoost parameter '%s' = '%s': %s", key, text,
                            msg ? msg : "rejected");
    }
    return 0;
}

/* A list: eval_metric is set once per entry (the last one drives early
 * stopping); monotone_constraints as "(1,-1)"; others as JSON-like text. */
static int set_list(BoosterHandle bst, const char *key, const lp_value *v)
{
    bool each = strcmp(key, "eval_metric") == 0, tuple = strcmp(key, "monotone_constraints") == 0;
    if (!each && !tuple) {
        char *text = lp_value_to_string(v);
        int rc = text ? set_one(bst, key, text) : LP_ENOMEM;
        free(text);
        return rc;
    }
    lp_sb sb = {0};
    lp_sb_putc(&sb, '(');
    for (size_t i = 0; i < lp_list_len(v); i++) {
        char *t = scalar_text(lp_list_get(v, i));
        if (!t) {
            lp_sb_free(&sb);
            return lp_error_set(LP_ECONFIG, "XGBoost parameter '%s': item %zu is not a scalar", key,
                                i + 1);
        }
        int rc = each ? set_one(bst, key, t) : 0;
        lp_sb_appendf(&sb, "%s%s", i ? "," : "", t);
        free(t);
        if (rc) {
            lp_sb_free(&sb);
            return rc;
        }
    }
    lp_sb_putc(&sb, ')');
    int rc = tuple ? set_one(bst, key, sb.buf) : 0;
    lp_sb_free(&sb);
    return rc;
}

int lp_xgb_set_params(void *bst, const lp_value *eff)
{
    for (size_t i = 0; i < lp_map_len(eff); i++) {
        const char *k = lp_map_key(eff, i);
        const lp_value *v = lp_map_value(eff, i);
        bool own = false;
        for (size_t o = 0; o < sizeof own_params / sizeof own_params[0]; o++)
            own |= strcmp(k, own_params[o]) == 0;
        if (own || strcmp(k, "best_iteration") == 0 || strcmp(k, "best_score") == 0) continue;
        int rc;
        if (lp_value_type(v) == LP_LIST) {
            rc = set_list(bst, k, v);
        } else {
            char *text = scalar_text(v);
            if (!text)
                return lp_error_set(LP_ECONFIG,
                                    "XGBoost parameter '%s' must be a scalar or list, "
                                    "not %s",
                                    k, lp_vtype_name(lp_value_type(v)));
            rc = set_one(bst, k, text);
            free(text);
        }
        if (rc) return rc;
    }
    return 0;
}
