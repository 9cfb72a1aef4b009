/*
 * synth.h — the Gaussian copula behind GaussianCopulaDataSynthesizer
 * (internal; not public API).
 *
 * A model is one marginal per column plus the Cholesky factor of the
 * correlation matrix of the columns' normal scores:
 *   - numeric columns (float64, int64, timestamp) keep their sorted non-missing
 *     values: the empirical CDF, inverted with linear interpolation between
 *     order statistics (ints rounded back), so samples stay in the observed range;
 *   - categorical columns (string, category, bool) keep their category
 *     frequencies, categories ordered by decreasing frequency (ties by value);
 *   - every column keeps its missing rate; missing cells are drawn
 *     independently of everything else.
 * Normal scores: numeric values by mid-rank, Φ⁻¹((rank − 0.5) / n); a category
 * by the midpoint of its cumulative-frequency interval, Φ⁻¹(mid). Their
 * correlation is estimated over pairwise non-missing rows, mapped back to the
 * correlation of the latent normals (ties and categories weaken correlations
 * of scores: see hermite.c), and repaired when
 * not positive definite (eigenvalues clipped, then shrinkage toward the
 * identity) so that the Cholesky factorisation (LAPACKE dpotrf) succeeds.
 * Sampling draws z ~ N(0, R) as L·e, maps u = Φ(z) through each marginal's
 * inverse, then blanks cells with each column's missing rate.
 *
 * Ownership: a model owns everything it points to (lp_synth_model_free);
 * frames passed in are borrowed; frames and values handed out are new references.
 */
#ifndef LP_COMPONENTS_DATA_SYNTHESIZER_SYNTH_H
#define LP_COMPONENTS_DATA_SYNTHESIZER_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/frame.h"
#include "lolpop/tuning.h"

/* ---- the standard normal distribution (normal.c) --------------------------------- */

/* Φ(z), from erfc: relative error ~1e-15 over the whole line. */
double lp_norm_cdf(double z);
/* Φ⁻¹(p) by Wichura's AS241 (PPND16), relative error ~1e-16; −inf at 0,
 * +inf at 1, NaN outside [0, 1]. */
double lp_norm_quantile(double p);

/* ---- column kinds (marginal.c) --------------------------------------------------- */

typedef enum lp_synth_kind { LP_SYNTH_NUMERIC, LP_SYNTH_CATEGORICAL } lp_synth_kind;

/* How a column of `type` is modelled: numbers and timestamps numerically, the rest as categories.
 */
lp_synth_kind lp_synth_kind_of(lp_dtype type);
const char *lp_synth_kind_name(lp_synth_kind k); /* "numeric", "categorical" (static) */
/* Whether cell i is missing: not valid, or a float NaN (a NaN is no value to sample). */
bool lp_synth_is_missing(const lp_column *c, size_t i);

/* ---- latent correlations (hermite.c) ------------------------------------------------ */

/* Terms kept of the Hermite expansion of a column's scores. */
#define LP_SYNTH_HERMITE 40

/* Accumulates the expansion over a column's groups of equal values (or
 * categories), added in increasing order, after lp_synth_hermite_init. */
typedef struct lp_synth_hermite {
    double c[LP_SYNTH_HERMITE];    /* E[s(Z) He_n(Z)] / √n! so far */
    double q_lo[LP_SYNTH_HERMITE]; /* φ He_{n−1} / √n! at the next group's lower end */
    double s1, s2;                 /* E[s], E[s²] so far */
    double sqrt_n[LP_SYNTH_HERMITE], inv_sqrt_n[LP_SYNTH_HERMITE]; /* √n, 1/√n for n = 1..N */
} lp_synth_hermite;

void lp_synth_hermite_init(lp_synth_hermite *acc);

/* A group with share p whose interval ends at cumulative probability cum_hi, scored z. */
void lp_synth_hermite_add(lp_synth_hermite *acc, double p, double cum_hi, double z);
/* The normalised coefficients h_n = E[s He_n] / (sd(s) √n!) (all 0 for a constant column). */
void lp_synth_hermite_finish(const lp_synth_hermite *acc, double h[LP_SYNTH_HERMITE]);
/* The latent correlation ρ whose scores would correlate at r: the root of
 * Σ ρⁿ hj_n hk_n = r in [−1, 1] (±1 beyond the ends; 0 for a constant column). */
double lp_synth_latent_correlation(const double hj[LP_SYNTH_HERMITE],
                                   const double hk[LP_SYNTH_HERMITE], double r);

/* ---- marginals (marginal.c) --------------------------------------------------------- */

typedef struct lp_synth_marginal {
    char *name; /* owned */
    lp_dtype type;
    lp_synth_kind kind;
    double missing_rate;           /* missing cells / rows of the source */
    size_t n;                      /* non-missing values of the source */
    double herm[LP_SYNTH_HERMITE]; /* the scores' Hermite coefficients (hermite.c); 0 if constant */
    /* numeric: the sorted non-missing values (f64 for float64, i64 otherwise) */
    double *f64;
    int64_t *i64;
    /* categorical: kept categories 0..n_cats, most frequent first */
    size_t n_cats;
    lp_column *dict;  /* string/category sources: the values' texts (owned reference) */
    int32_t *code;    /* category k's index into dict, or its bool value (0/1) */
    double *cum;      /* cumulative probability of categories 0..k among the kept ones */
    size_t n_dropped; /* categories left out by max_categories */
} lp_synth_marginal;

/* Fits m to col and writes the column's normal scores to scores[0..rows)
 * (NaN where missing). At most max_categories categories are kept (the most
 * frequent; the rest's share is spread over the kept ones); their scores
 * still follow the full distribution. 0 or LP_ENOMEM. */
int lp_synth_marginal_fit(lp_synth_marginal *m, const char *name, const lp_column *col,
                          size_t max_categories, float *scores);
void lp_synth_marginal_free(lp_synth_marginal *m);
/* Numeric marginals: the value at probability u in [0, 1], by the inverse
 * empirical CDF through (v[i], (i + 0.5) / n), clamped to the observed range. */
double lp_synth_marginal_f64(const lp_synth_marginal *m, double u);
int64_t lp_synth_marginal_i64(const lp_synth_marginal *m, double u);
/* Categorical marginals: the index of the kept category at probability u. */
size_t lp_synth_marginal_category(const lp_synth_marginal *m, double u);

/* ---- the copula (copula_fit.c, copula_sample.c) --------------------------------- */

/* What making the correlation matrix positive definite took. */
typedef struct lp_synth_repair {
    bool clipped;     /* eigenvalues below 1e-6 were raised to it */
    double shrinkage; /* then λ of (1 − λ)R + λI (0: none needed) */
} lp_synth_repair;

typedef struct lp_synth_model {
    size_t d; /* columns */
    size_t rows;
    lp_synth_marginal *cols;
    double *chol;           /* d×d lower Cholesky factor of the correlation matrix, column-major */
    lp_synth_repair repair; /* nothing when R was positive definite */
} lp_synth_model;

/* Fits every column of f (at least one row and one column). *m is
 * overwritten; on failure it is left empty. 0, or LP_EINVAL / LP_ENOMEM /
 * LP_ENOTFOUND (LAPACKE missing) with the last error set. */
int lp_synth_model_fit(lp_synth_model *m, const lp_frame *f, size_t max_categories);
void lp_synth_model_free(lp_synth_model *m);

/* Pairwise-complete Pearson correlation of columns j and k of the n × d
 * column-major scores (NaN = missing); 0 when fewer than two pairs or a
 * constant side. */
double lp_synth_pair_correlation(const float *scores, size_t n, size_t j, size_t k);
/* The lower Cholesky factor of R (d×d, column-major, unit diagonal) into
 * chol. A matrix that is not positive definite is repaired first: its
 * eigenvalues clipped, then shrunk toward I as little as needed (*repair
 * says what was done). 0, or LP_ENOTFOUND when LAPACKE cannot be loaded. */
int lp_synth_cholesky(double *chol, const double *R, size_t d, lp_synth_repair *repair);

/* n synthetic rows. The random numbers of row block b (of LP_SYNTH_BLOCK
 * rows) come from xoshiro256** (lp_tuning_rng) seeded by (seed, stream, b), so
 * the result depends only on those and the model. */
enum { LP_SYNTH_BLOCK = 4096 };
int lp_synth_model_sample(lp_frame **out, const lp_synth_model *m, size_t n, uint64_t seed,
                          uint64_t stream);

/* ---- evaluation (copula_eval.c) --------------------------------------------------- */

/* Two-sample Kolmogorov–Smirnov statistic sup |F_a − F_b| of two sorted samples. */
double lp_synth_ks(const double *a, size_t na, const double *b, size_t nb);
/* The similarity report of fake against real (see gaussian_copula.c). */
int lp_synth_evaluate(lp_value **out, const lp_frame *real, const lp_frame *fake);

#endif
