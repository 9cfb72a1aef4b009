/*
 * gaussian_copula.c — GaussianCopulaDataSynthesizer: learns a frame's
 * marginals and their dependence (a Gaussian copula, see synth.h) and
 * samples synthetic rows with the same column names, order and types.
 *
 *   data_synthesizer:
 *     config:
 *       seed: 42              # default 0
 *       max_categories: 200   # default 1000
 *
 * fit(frame) replaces any earlier model. Each sample(n) call draws from its
 * own stream (0, 1, … since the last fit), so one instance gives new rows on
 * every call while the same seed, data and calls give identical output.
 * evaluate(real, fake) -> report map:
 *   {rows_real, rows_fake,
 *    columns: [{column, kind: numeric|categorical, ks | tvd, missing_real, missing_fake}],
 *    max_corr_diff, max_corr_pair: [a, b]}   (see copula_eval.c; null where undefined)
 */
#include <stdarg.h>
#include <stdlib.h>

#include "components/components_internal.h"
#include "components/data_synthesizer/synth.h"

#define CLASS_NAME             "GaussianCopulaDataSynthesizer"
#define DEFAULT_MAX_CATEGORIES 1000

typedef struct copula {
    lp_synth_model model;
    bool fitted;
    uint64_t seed;
    size_t max_categories;
    uint64_t stream; /* sample() calls since the last fit */
} copula;

/* ---- configuration ---------------------------------------------------------------- */

/* An integer config key >= min into *out (dflt when not set); an error at the
 * value's file position (the workflow prefixes the class and section path). */
static int read_int(lp_obj *self, const char *key, int64_t min, int64_t dflt, int64_t *out)
{
    lp_value *v = lp_obj_config(self, key);
    int rc = 0;
    *out = dflt;
    if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < min))
        rc = lp_kit_error_at(LP_ECONFIG, v, "%s must be an integer >= %lld", key, (long long)min);
    else if (v)
        *out = lp_value_as_int(v);
    lp_value_unref(v);
    return rc;
}

static int copula_init(lp_obj *self)
{
    copula *st = lp_obj_state(self);
    int64_t seed = 0, max_cat = DEFAULT_MAX_CATEGORIES;
    int rc = read_int(self, "seed", 0, 0, &seed);
    if (rc == 0) rc = read_int(self, "max_categories", 1, DEFAULT_MAX_CATEGORIES, &max_cat);
    st->seed = (uint64_t)seed;
    st->max_categories = (size_t)max_cat;
    return rc;
}

static void copula_fini(lp_obj *self)
{
    copula *st = lp_obj_state(self);
    lp_synth_model_free(&st->model);
    st->fitted = false;
}

/* ---- methods ---------------------------------------------------------------------- */

/* Warnings a user should see about what the model keeps of the data. */
static void log_fit(lp_obj *self, const lp_synth_model *m)
{
    for (size_t j = 0; j < m->d; j++) {
        const lp_synth_marginal *c = &m->cols[j];
        if (c->n_dropped)
            lp_log(self, LP_LOG_WARN,
                   "column '%s': sampling only its %zu most frequent of %zu values "
                   "(max_categories)",
                   c->name, c->n_cats, c->n_cats + c->n_dropped);
        else if (c->kind == LP_SYNTH_CATEGORICAL && c->type != LP_DT_BOOL && c->n >= 20 &&
                 c->n_cats == c->n)
            lp_log(self, LP_LOG_WARN,
                   "column '%s' has a different value in every row (an identifier?): the "
                   "synthetic rows copy its real values",
                   c->name);
    }
    lp_log(self, LP_LOG_DEBUG,
           "fitted %zu columns on %zu rows (correlation matrix: %s, shrinkage %g)", m->d, m->rows,
           m->repair.clipped ? "eigenvalues clipped" : "as estimated", m->repair.shrinkage);
}

/* fit(frame) -> null */
static lp_value *copula_fit(lp_obj *self, lp_value *args)
{
    copula *st = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", NULL);
    if (!f) return NULL;
    lp_synth_model m;
    if (lp_synth_model_fit(&m, f, st->max_categories) != 0) return NULL;
    lp_synth_model_free(&st->model);
    st->model = m;
    st->fitted = true;
    st->stream = 0;
    log_fit(self, &st->model);
    return lp_value_null();
}

/* sample(n) -> frame */
static lp_value *copula_sample(lp_obj *self, lp_value *args)
{
    copula *st = lp_obj_state(self);
    lp_value *nv = lp_map_get(args, "n");
    if (lp_value_type(nv) != LP_INT || lp_value_as_int(nv) < 0) {
        lp_error_set(LP_EINVAL, "argument 'n' must be a non-negative integer (rows to sample)");
        return NULL;
    }
    if (!st->fitted) {
        lp_error_set(LP_EINVAL, "nothing to sample from: call fit(frame) first");
        return NULL;
    }
    lp_frame *f = NULL;
    if (lp_synth_model_sample(&f, &st->model, (size_t)lp_value_as_int(nv), st->seed,
                              st->stream++) != 0)
        return NULL;
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

/* evaluate(real, fake) -> report */
static lp_value *copula_evaluate(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_frame *real = lp_kit_arg_frame(args, "real", NULL);
    lp_frame *fake = real ? lp_kit_arg_frame(args, "fake", NULL) : NULL;
    lp_value *report = NULL;
    if (fake && lp_synth_evaluate(&report, real, fake) != 0) return NULL;
    return report;
}

static const lp_method copula_methods[] = {
    {"fit", copula_fit,
     "fit(frame) -> null: learns each column's distribution and their "
     "Gaussian copula"},
    {"sample", copula_sample, "sample(n) -> frame: n synthetic rows with the fitted columns"},
    {"evaluate", copula_evaluate,
     "evaluate(real, fake) -> report: per column KS (numeric) or TVD (categorical) and missing "
     "rates, plus max_corr_diff"},
    {NULL, NULL, NULL},
};

static const lp_config_key copula_keys[] = {
    {"seed", "int",
     "seed of the random numbers (xoshiro256**); the same seed, data and calls give the same "
     "rows; default 0"},
    {"max_categories", "int",
     "a categorical column samples at most this many of its most frequent values (the rarer "
     "ones' share goes to them); default 1000"},
    {NULL, NULL, NULL},
};

const lp_class lp_gaussian_copula_data_synthesizer_class = {
    .name = CLASS_NAME,
    .kind = LP_KIND_COMPONENT,
    .type = "data_synthesizer",
    .doc = "Synthetic rows from a Gaussian copula. Numeric columns (int, float, timestamp) keep "
           "their empirical distribution (inverse CDF interpolated between observed values, "
           "ints rounded, never outside the observed range); categorical columns (string, "
           "category, bool) keep their category frequencies; every column keeps its missing "
           "rate. Dependence: a Gaussian copula whose correlations come from the columns' normal "
           "scores (ranks for numbers, cumulative-frequency midpoints for categories) over "
           "pairwise non-missing rows, mapped back to the latent normals so that ties and "
           "categories do not weaken them. "
           "evaluate compares a synthetic frame with the real one (KS, TVD, missing rates, "
           "largest correlation difference).",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = copula_keys,
    .methods = copula_methods,
    .state_size = sizeof(copula),
    .init = copula_init,
    .fini = copula_fini,
};
