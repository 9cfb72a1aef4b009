/*
 * ets.h — exponential smoothing state-space models (ETS, Hyndman et al.),
 * fitted as R's forecast::ets fits them (internal; the "ets" model back-end
 * and ETSModelTrainer use it).
 *
 * A model is error (A/M), trend (N/A, damped or not) and season (N/A/M) of
 * period m. Parameters (alpha, beta, gamma, phi) and the initial states are
 * found by maximum likelihood with R's Nelder-Mead (optim's nmmin, the same
 * start values, bounds and admissibility rules as forecast::ets), so that the
 * fits agree with R's; the automatic choice tries every allowed combination
 * (forecast::ets's restrictions) and keeps the smallest AICc.
 */
#ifndef LP_ML_ETS_H
#define LP_ML_ETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* forecast's etscalc guard: a multiplicative update dividing by a state
 * smaller than LP_ETS_TOLER in magnitude gives LP_ETS_HUGEN instead (in the
 * fit and in the simulated paths alike). */
#define LP_ETS_HUGEN 10e10
#define LP_ETS_TOLER 1e-10

typedef enum lp_ets_comp { LP_ETS_N = 0, LP_ETS_A = 1, LP_ETS_M = 2 } lp_ets_comp;

typedef struct lp_ets_spec {
    lp_ets_comp error, trend, season;
    bool damped;
} lp_ets_spec;

/* A fitted ETS model (owned by the caller: lp_ets_free). */
typedef struct lp_ets {
    lp_ets_spec spec;
    size_t m; /* seasonal period; 1 for non-seasonal models */
    double alpha, beta, gamma,
        phi;         /* beta 0 without trend, gamma 0 without season, phi 1 undamped */
    double *init;    /* initial states: l, [b], s_0..s_{m-1} (s_{m-1} derived) */
    double *last;    /* the states after the last observation, same layout */
    size_t n_states; /* 1 + trend + m * season */
    size_t n;        /* observations fitted */
    size_t n_params; /* free parameters incl. states, without sigma */
    double loglik, aic, aicc, bic, sigma2, mse;
    double *fitted; /* n one-step fitted values */
    double *y;      /* the n observations fitted, or NULL (a model saved before they were kept) */
} lp_ets;

/* "ANN", "AAdN", "MAM", ... or with Z for "choose" in any place ("ZZZ": the
 * automatic selection; "AZN"; a trailing "d" after Z is not allowed); damped
 * is -1 (try both, when the trend is Z), 0 or 1. LP_EINVAL naming the text. */
int lp_ets_parse(const char *model, char *error, char *trend, char *season, int *damped);
/* "ETS(M,Ad,M)" into buf (16 bytes suffice). */
void lp_ets_name(const lp_ets_spec *s, char *buf, size_t cap);

/* Fits `model` (lp_ets_parse's text; "ZZZ" selects by AICc) to y[0..n) of
 * seasonal period m (1 = none; seasonal models need m > 1, n > m and m <= 24,
 * else only non-seasonal ones are tried). Missing values (NaN) are not
 * allowed here: the caller keeps the longest run without them. *out: new.
 * LP_EINVAL for too little data, a model the data rule out (multiplicative
 * with values <= 0) or no model that could be fitted, with the reason. */
int lp_ets_fit(lp_ets **out, const double *y, size_t n, size_t m, const char *model);
/* The fit of one model with given parameters and initial states (l, [b],
 * s_0..s_{m-2}: the last seasonal state is derived as forecast::ets does):
 * likelihood, information criteria and fitted values without optimising.
 * For comparing with another implementation at the same parameters. */
int lp_ets_evaluate(lp_ets **out, const double *y, size_t n, size_t m, lp_ets_spec spec,
                    double alpha, double beta, double gamma, double phi, const double *init);
void lp_ets_free(lp_ets *e);

/* The states of e over its observations, as R's ets()$states: level, slope
 * and season (the newest seasonal state, R's s1) at times 0..n — time 0 the
 * initial states, time t those after observing y[t-1] — n + 1 values each;
 * slope (without trend) and season (without season) may be NULL and are
 * left alone. Recomputed from the kept observations by the fit's own
 * recursion. LP_EINVAL when e keeps none (a model saved before lolpop kept
 * them: refit it). */
int lp_ets_state_path(const lp_ets *e, double *level, double *slope, double *season);

/* Point forecasts of steps 1..h after the end of the data into mean[h]; when
 * lower/upper are not NULL, the central interval of probability width:
 * analytic for models with additive components (class 1 and 2 of Hyndman et
 * al., as forecast.ets), by simulating 5000 paths with a fixed seed for the
 * others. 0, LP_EINVAL for a bad width, LP_ENOMEM. */
int lp_ets_forecast(const lp_ets *e, size_t h, double width, double *mean, double *lower,
                    double *upper);

/* ---- pieces shared by the ets*.c files ------------------------------------ */

/* forecast::ets's initial states (l, [b], s_0..s_{m-2}) into init. */
int lp_ets_initial_states(double *init, const double *y, size_t n, size_t m, lp_ets_spec spec);
/* An objective for lp_ets_nelder_mead: values at k (1 or 2) points x[j],
 * each the exact value when it is below bound[j], else any value >=
 * bound[j] (+inf included). nmmin only compares a trial point's value with a
 * bound when it does not keep it, so the objective may skip work once the
 * value cannot be below the bound; two points are asked for together when
 * the objective can evaluate them side by side. A NaN bound (a point
 * evaluated ahead, perhaps not used) asks for the value without the part of
 * the check that check() makes: the optimiser asks check() when it uses the
 * value and it is below the bound it is compared with (+inf when not
 * passed). */
typedef struct lp_ets_objective {
    void (*values)(const double *const *x, const double *bound, double *value, size_t k, void *ctx);
    bool (*check)(const double *x, void *ctx);
} lp_ets_objective;
/* Minimises f over x[0..n) by R's Nelder-Mead (nmmin: reflection 1,
 * contraction 0.5, expansion 2, relative tolerance sqrt(DBL_EPSILON)); x
 * holds the start and receives the best point; returns the best value.
 * The bounds it passes are +inf where it keeps the value whatever it is
 * (the simplex's vertices), NaN for a point evaluated ahead, the worst
 * vertex's value for a reflection, the reflection's for an expansion and
 * the vertex replaced for a contraction: the same steps as with the values
 * themselves. */
double lp_ets_nelder_mead(const lp_ets_objective *f, void *ctx, double *x, size_t n, int maxit);
/* Whether the parameters are admissible (forecast's characteristic-root test). */
bool lp_ets_admissible(double alpha, double beta, double gamma, double phi, size_t m,
                       bool has_trend, bool has_season);

#endif
