/* Unit tests for the ETS models (src/ml/ets.h) against R's forecast::ets on
 * tests/fixtures/ts/ets_fixtures.json (written by make_ets_fixtures.R):
 * at R's own parameters and initial states the likelihood and fitted values
 * agree to 1e-9; fitted by us (same start, same Nelder-Mead) the AICc and
 * fitted values agree to 1e-6 relative; the automatic selection picks R's
 * model; forecasts and the analytic 80% intervals agree (where forecast.ets
 * computes them as documented: see the exceptions below). Admissibility
 * (a Schur-Cohn test) agrees with the roots found numerically. */
#include <complex.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "ml/ets.h"

#define FIXTURES LP_FIXTURES_DIR "/ts/ets_fixtures.json"

static json_t *load_fixtures(void)
{
    json_error_t err;
    json_t *root = json_load_file(FIXTURES, 0, &err);
    cr_assert(root, "cannot read %s: %s", FIXTURES, err.text);
    return root;
}

/* An array of numbers (R's JSON writes a length-one vector as a number). */
static double *numbers(json_t *arr, size_t *n)
{
    if (json_is_number(arr)) {
        double *v = malloc(sizeof *v);
        cr_assert(v);
        *v = json_number_value(arr);
        *n = 1;
        return v;
    }
    *n = json_array_size(arr);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    cr_assert(v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_number_value(json_array_get(arr, i));
    return v;
}

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1.0);
}

static lp_ets_spec spec_of(const char *model)
{
    char e, t, s;
    int d;
    cr_assert_eq(lp_ets_parse(model, &e, &t, &s, &d), 0, "%s", model);
    lp_ets_spec sp = {e == 'M' ? LP_ETS_M : LP_ETS_A, t == 'A' ? LP_ETS_A : LP_ETS_N,
                      s == 'A'   ? LP_ETS_A
                      : s == 'M' ? LP_ETS_M
                                 : LP_ETS_N,
                      d == 1};
    return sp;
}

static double num(json_t *fit, const char *key)
{
    json_t *v = json_object_get(fit, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Fixed R parameters: our likelihood and fitted values are R's to 1e-9. */
Test(ets, likelihood_at_r_parameters)
{
    json_t *root = load_fixtures();
    size_t i, checked = 0;
    json_t *ser;
    json_array_foreach(root, i, ser)
    {
        size_t n, ns, nf;
        double *y = numbers(json_object_get(ser, "y"), &n);
        size_t m = (size_t)json_integer_value(json_object_get(ser, "period"));
        size_t j;
        json_t *fit;
        json_array_foreach(json_object_get(ser, "fits"), j, fit)
        {
            const char *model = json_string_value(json_object_get(fit, "model"));
            if (strcmp(model, "ZZZ") == 0) continue;
            double *init = numbers(json_object_get(fit, "init_states"), &ns);
            double *fitted = numbers(json_object_get(fit, "fitted"), &nf);
            lp_ets *e = NULL;
            cr_assert_eq(lp_ets_evaluate(&e, y, n, m, spec_of(model), num(fit, "alpha"),
                                         num(fit, "beta"), num(fit, "gamma"), num(fit, "phi"),
                                         init),
                         0, "%s", lp_error_last()->message);
            const char *nm = json_string_value(json_object_get(ser, "name"));
            cr_expect_lt(rel(e->loglik, num(fit, "loglik")), 1e-9, "%s %s loglik %.12g vs %.12g",
                         nm, model, e->loglik, num(fit, "loglik"));
            cr_expect_lt(rel(e->aicc, num(fit, "aicc")), 1e-9, "%s %s aicc", nm, model);
            cr_expect_lt(rel(e->sigma2, num(fit, "sigma2")), 1e-9, "%s %s sigma2 %.12g vs %.12g",
                         nm, model, e->sigma2, num(fit, "sigma2"));
            double worst = 0;
            for (size_t k = 0; k < n; k++)
                worst = fmax(worst, rel(e->fitted[k], fitted[k]));
            cr_expect_lt(worst, 1e-9, "%s %s fitted off by %g", nm, model, worst);
            /* the forecasts from these states, and class 1/2 intervals */
            size_t h;
            double *fc = numbers(json_object_get(fit, "forecast"), &h);
            double *lo = numbers(json_object_get(fit, "lower80"), &h);
            double *hi = numbers(json_object_get(fit, "upper80"), &h);
            double *mean = calloc(h, sizeof *mean), *l = calloc(h, sizeof *l),
                   *u = calloc(h, sizeof *u);
            cr_assert_eq(lp_ets_forecast(e, h, 0.8, mean, l, u), 0);
            bool analytic = e->spec.season != LP_ETS_M;
            for (size_t k = 0; k < h; k++) {
                /* forecast.ets's class 1/2 variance puts gamma one step early
                 * in models with a season and no trend (G[3, 1]); the sums
                 * differ only at horizons that are multiples of m */
                bool early_gamma =
                    e->spec.season == LP_ETS_A && e->spec.trend == LP_ETS_N &&
                    ((k + 1) % e->m == 0 || (e->spec.error == LP_ETS_M && k + 1 > e->m));
                /* past one season, multiplicative seasons' R means are
                 * expectations (class 3), ours the point forecast */
                if (e->spec.season == LP_ETS_M && (k >= e->m || (e->spec.damped && k > 0)))
                    continue;
                double tol = e->spec.season == LP_ETS_M ? 1e-3 : 1e-9;
                cr_expect_lt(rel(mean[k], fc[k]), tol, "%s %s forecast %zu: %.10g vs %.10g", nm,
                             model, k, mean[k], fc[k]);
                if (analytic && !early_gamma) {
                    cr_expect_lt(rel(l[k], lo[k]), 1e-7, "%s %s lower %zu: %.10g vs %.10g", nm,
                                 model, k, l[k], lo[k]);
                    cr_expect_lt(rel(u[k], hi[k]), 1e-7, "%s %s upper %zu", nm, model, k);
                } else if (!analytic) { /* simulated: the width within 10% of R's analytic one */
                    double w = u[k] - l[k], rw = hi[k] - lo[k];
                    cr_expect_lt(fabs(w - rw) / rw, 0.1, "%s %s width %zu: %g vs %g", nm, model, k,
                                 w, rw);
                }
            }
            free(mean), free(l), free(u), free(fc), free(lo), free(hi);
            lp_ets_free(e);
            free(init);
            free(fitted);
            checked++;
        }
        free(y);
    }
    cr_expect_gt(checked, 30);
    json_decref(root);
}

/* Our optimisation: AICc and fitted values within 1e-6 of R's; ZZZ picks R's model. */
Test(ets, fits_agree_with_r, .timeout = 120)
{
    json_t *root = load_fixtures();
    size_t i;
    json_t *ser;
    json_array_foreach(root, i, ser)
    {
        size_t n, nf;
        double *y = numbers(json_object_get(ser, "y"), &n);
        size_t m = (size_t)json_integer_value(json_object_get(ser, "period"));
        const char *nm = json_string_value(json_object_get(ser, "name"));
        size_t j;
        json_t *fit;
        json_array_foreach(json_object_get(ser, "fits"), j, fit)
        {
            const char *model = json_string_value(json_object_get(fit, "model"));
            double *fitted = numbers(json_object_get(fit, "fitted"), &nf);
            lp_ets *e = NULL;
            cr_assert_eq(lp_ets_fit(&e, y, n, m, model), 0, "%s %s: %s", nm, model,
                         lp_error_last()->message);
            char name[32];
            lp_ets_name(&e->spec, name, sizeof name);
            const char *want = json_string_value(json_object_get(fit, "method"));
            cr_expect_str_eq(name, want, "%s %s", nm, model);
            cr_expect_lt(rel(e->aicc, num(fit, "aicc")), 1e-6, "%s %s aicc %.10g vs %.10g", nm,
                         model, e->aicc, num(fit, "aicc"));
            double worst = 0;
            for (size_t k = 0; k < n; k++)
                worst = fmax(worst, rel(e->fitted[k], fitted[k]));
            cr_expect_lt(worst, 1e-6, "%s %s fitted off by %g", nm, model, worst);
            lp_ets_free(e);
            free(fitted);
        }
        free(y);
    }
    json_decref(root);
}

Test(ets, rejects_bad_input)
{
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = i % 3 - 1.0; /* has zeros and negatives */
    lp_ets *e = NULL;
    cr_expect_eq(lp_ets_fit(&e, y, 20, 1, "MNN"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "above zero") != NULL);
    cr_expect_eq(lp_ets_fit(&e, y, 20, 1, "ANA"), LP_EINVAL);
    cr_expect_eq(lp_ets_fit(&e, y, 20, 4, "ANM"), LP_EINVAL);
    cr_expect_eq(lp_ets_fit(&e, y, 5, 1, "ANN"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "too few") != NULL);
    cr_expect_eq(lp_ets_fit(&e, y, 20, 1, "XYZ"), LP_EINVAL);
    cr_expect_eq(lp_ets_fit(&e, y, 20, 1, "ANdN"), LP_EINVAL);
    double c[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    cr_expect_eq(lp_ets_fit(&e, c, 10, 1, "ZZZ"), LP_EINVAL);
    y[3] = NAN;
    cr_expect_eq(lp_ets_fit(&e, y, 20, 1, "ANN"), LP_EINVAL);
    /* auto selection on data with zeros keeps to additive errors */
    for (int i = 0; i < 20; i++)
        y[i] = (i * 7) % 5;
    cr_assert_eq(lp_ets_fit(&e, y, 20, 1, "ZZZ"), 0, "%s", lp_error_last()->message);
    cr_expect_eq(e->spec.error, LP_ETS_A);
    lp_ets_free(e);
}

/* The largest root modulus of the monic sum c[k] z^k, k <= d, by Durand-Kerner
 * (what the admissibility test computed before: the reference here). */
static double max_root_modulus(const double *c, size_t d)
{
    double complex z[32], w = 0.4 + 0.9 * I;
    z[0] = 1.0;
    for (size_t i = 1; i < d; i++)
        z[i] = z[i - 1] * w;
    for (int it = 0; it < 1000; it++) {
        double change = 0.0;
        for (size_t i = 0; i < d; i++) {
            double complex num = 1.0, den = 1.0;
            for (size_t k = d; k-- > 0;)
                num = num * z[i] + c[k];
            for (size_t j = 0; j < d; j++)
                if (j != i) den *= z[i] - z[j];
            double complex dz = num / (cabs(den) == 0.0 ? 1e-300 : den);
            z[i] -= dz;
            change += cabs(dz);
        }
        if (change < 1e-14) break;
    }
    double mx = 0.0;
    for (size_t i = 0; i < d; i++)
        if (cabs(z[i]) > mx) mx = cabs(z[i]);
    return mx;
}

Test(ets, admissibility_agrees_with_the_roots_of_the_characteristic_polynomial)
{
    unsigned seed = 7;
    size_t in = 0, refused = 0, trials = getenv("LOLPOP_T_TIME_SCALE") ? 400 : 4000;
    for (size_t t = 0; t < trials; t++) {
        size_t m = 2 + rand_r(&seed) % 11;
        double u[4];
        for (size_t i = 0; i < 4; i++)
            u[i] = rand_r(&seed) / (double)RAND_MAX;
        double alpha = u[0], beta = alpha * u[1], gamma = (1 - alpha) * u[2];
        double phi = 0.8 + 0.18 * u[3];
        if (t % 3 == 0) { /* far outside the usual region too */
            alpha *= 1.5;
            beta *= 3;
            gamma *= 2;
        }
        double c[32];
        c[0] = phi * (1 - alpha - gamma);
        c[1] = alpha + beta - alpha * phi + gamma - 1;
        for (size_t j = 2; j < m; j++)
            c[j] = alpha + beta - alpha * phi;
        c[m] = alpha + beta - phi;
        c[m + 1] = 1;
        bool roots_in = max_root_modulus(c, m + 1) <= 1 + 1e-10;
        bool adm = lp_ets_admissible(alpha, beta, gamma, phi, m, true, true);
        cr_expect_eq(adm, roots_in,
                     "m %zu alpha %g beta %g gamma %g phi %g: admissible %d, "
                     "roots inside %d",
                     m, alpha, beta, gamma, phi, adm, roots_in);
        in += adm;
        refused += !adm;
    }
    cr_expect_gt(in, trials / 10, "only %zu admissible draws", in);
    cr_expect_gt(refused, trials / 10, "only %zu refused draws", refused);
}

/* A bumpy function of 5 variables with a forbidden region (+inf), for the
 * Nelder-Mead's bound contract below. */
static double bumpy(const double *x)
{
    if (x[0] + x[1] > 3.5) return INFINITY;
    double v = 0;
    for (size_t i = 0; i < 5; i++)
        v += (x[i] - (double)i * 0.3) * (x[i] - (double)i * 0.3) + 0.1 * sin(7 * x[i]);
    return v + (x[0] - x[4]) * (x[0] - x[4]) * (x[1] + 2) * (x[1] + 2);
}

static bool always(const double *x, void *ctx)
{
    (void)x, (void)ctx;
    return true;
}

/* Only the bound, or +inf, when the value is not below it (what the ETS
 * objective may answer then); with a NaN bound, the region x[2] > 0.5 not
 * yet refused (-1 there, below any value) for check() to refuse: the
 * optimiser must not need more. */
static void lazy_values(const double *const *x, const double *bound, double *value, size_t k,
                        void *ctx)
{
    for (size_t j = 0; j < k; j++) {
        ++*(size_t *)ctx;
        double v = bumpy(x[j]);
        if (isnan(bound[j])) { /* unchecked: a refused point looks best of all */
            value[j] = x[j][2] > 0.5 && isfinite(v) ? -1.0 : v;
            continue;
        }
        if (x[j][2] > 0.5) v = INFINITY;
        value[j] = v < bound[j] ? v : (*(size_t *)ctx % 2) ? bound[j] : INFINITY;
    }
}

static bool lazy_check(const double *x, void *ctx)
{
    (void)ctx;
    return !(x[2] > 0.5);
}

/* bumpy with the region x[2] > 0.5 refused, exactly. */
static void refused_values(const double *const *x, const double *bound, double *value, size_t k,
                           void *ctx)
{
    (void)bound;
    for (size_t j = 0; j < k; j++) {
        ++*(size_t *)ctx;
        value[j] = x[j][2] > 0.5 ? INFINITY : bumpy(x[j]);
    }
}

Test(ets, nelder_mead_needs_only_values_below_the_bound_it_passes)
{
    const lp_ets_objective exact = {refused_values, always}, lazy = {lazy_values, lazy_check};
    for (int start = 0; start < 20; start++) {
        double a[5], b[5];
        for (size_t i = 0; i < 5; i++)
            a[i] = b[i] = 0.1 * (double)((start * 7 + (int)i * 3) % 10) - 0.5;
        size_t calls_a = 0, calls_b = 0;
        double va = lp_ets_nelder_mead(&exact, &calls_a, a, 5, 2000);
        double vb = lp_ets_nelder_mead(&lazy, &calls_b, b, 5, 2000);
        cr_expect_eq(memcmp(&va, &vb, sizeof va), 0, "start %d: best %a vs %a", start, va, vb);
        cr_expect_eq(memcmp(a, b, sizeof a), 0, "start %d: a different minimum", start);
        cr_expect_gt(calls_a, 50, "start %d: only %zu evaluations", start, calls_a);
    }
}

/* nmmin's own loop (R's optim), one point at a time, as a reference for the
 * paired evaluation: the same minimum and value, bit for bit. */
static double reference_nmmin(double (*fn)(const double *), double *x, size_t n, int maxit)
{
    const double alpha = 1.0, bet = 0.5, gamm = 2.0, intol = sqrt(2.220446049250313e-16);
    double fx = fn(x);
    size_t n1 = n + 1, C = n + 2;
    double P[8][8], B[8];
    for (size_t i = 0; i < n; i++)
        B[i] = x[i];
    int funcount = 1;
    double convtol = intol * (fabs(fx) + intol);
    P[n1 - 1][0] = fx;
    for (size_t i = 0; i < n; i++)
        P[i][0] = B[i];
    size_t L = 1;
    double size = 0.0, step = 0.0;
    for (size_t i = 0; i < n; i++)
        if (0.1 * fabs(B[i]) > step) step = 0.1 * fabs(B[i]);
    if (step == 0.0) step = 0.1;
    for (size_t j = 2; j <= n1; j++) {
        for (size_t i = 0; i < n; i++)
            P[i][j - 1] = B[i];
        double trystep = step;
        while (P[j - 2][j - 1] == B[j - 2]) {
            P[j - 2][j - 1] = B[j - 2] + trystep;
            trystep *= 10;
        }
        size += trystep;
    }
    double oldsize = size;
    bool calcvert = true;
    do {
        if (calcvert) {
            for (size_t j = 0; j < n1; j++) {
                if (j + 1 == L) continue;
                for (size_t i = 0; i < n; i++)
                    B[i] = P[i][j];
                double f = fn(B);
                P[n1 - 1][j] = isfinite(f) ? f : 1e35;
                funcount++;
            }
            calcvert = false;
        }
        double VL = P[n1 - 1][L - 1], VH = VL;
        size_t H = L;
        for (size_t j = 1; j <= n1; j++) {
            if (j == L) continue;
            double f = P[n1 - 1][j - 1];
            if (f < VL) L = j, VL = f;
            if (f > VH) H = j, VH = f;
        }
        if (VH <= VL + convtol || VL <= -INFINITY) break;
        for (size_t i = 0; i < n; i++) {
            double temp = -P[i][H - 1];
            for (size_t j = 0; j < n1; j++)
                temp += P[i][j];
            P[i][C - 1] = temp / (double)n;
        }
        for (size_t i = 0; i < n; i++)
            B[i] = (1.0 + alpha) * P[i][C - 1] - alpha * P[i][H - 1];
        double f = fn(B);
        if (!isfinite(f)) f = 1e35;
        funcount++;
        double VR = f;
        if (VR < VL) {
            P[n1 - 1][C - 1] = f;
            for (size_t i = 0; i < n; i++) {
                f = gamm * B[i] + (1 - gamm) * P[i][C - 1];
                P[i][C - 1] = B[i];
                B[i] = f;
            }
            f = fn(B);
            if (!isfinite(f)) f = 1e35;
            funcount++;
            if (f < VR) {
                for (size_t i = 0; i < n; i++)
                    P[i][H - 1] = B[i];
                P[n1 - 1][H - 1] = f;
            } else {
                for (size_t i = 0; i < n; i++)
                    P[i][H - 1] = P[i][C - 1];
                P[n1 - 1][H - 1] = VR;
            }
        } else {
            if (VR < VH) {
                for (size_t i = 0; i < n; i++)
                    P[i][H - 1] = B[i];
                P[n1 - 1][H - 1] = VR;
            }
            for (size_t i = 0; i < n; i++)
                B[i] = (1 - bet) * P[i][H - 1] + bet * P[i][C - 1];
            f = fn(B);
            if (!isfinite(f)) f = 1e35;
            funcount++;
            if (f < P[n1 - 1][H - 1]) {
                for (size_t i = 0; i < n; i++)
                    P[i][H - 1] = B[i];
                P[n1 - 1][H - 1] = f;
            } else if (VR >= VH) {
                calcvert = true;
                size = 0.0;
                for (size_t j = 0; j < n1; j++) {
                    if (j + 1 == L) continue;
                    for (size_t i = 0; i < n; i++) {
                        P[i][j] = bet * (P[i][j] - P[i][L - 1]) + P[i][L - 1];
                        size += fabs(P[i][j] - P[i][L - 1]);
                    }
                }
                if (size < oldsize)
                    oldsize = size;
                else
                    break;
            }
        }
    } while (funcount <= maxit);
    for (size_t i = 0; i < n; i++)
        x[i] = P[i][L - 1];
    return P[n1 - 1][L - 1];
}

static double refused_bumpy(const double *x)
{
    return x[2] > 0.5 ? INFINITY : bumpy(x);
}

Test(ets, nelder_mead_takes_nmmin_steps_with_points_evaluated_in_pairs)
{
    const lp_ets_objective exact = {refused_values, always};
    for (int start = 0; start < 20; start++) {
        double a[5], b[5];
        for (size_t i = 0; i < 5; i++)
            a[i] = b[i] = 0.1 * (double)((start * 5 + (int)i * 4) % 10) - 0.5;
        size_t calls = 0;
        double va = lp_ets_nelder_mead(&exact, &calls, a, 5, 300 + 100 * (start % 3));
        double vb = reference_nmmin(refused_bumpy, b, 5, 300 + 100 * (start % 3));
        cr_expect_eq(memcmp(&va, &vb, sizeof va), 0, "start %d: best %a vs nmmin %a", start, va,
                     vb);
        cr_expect_eq(memcmp(a, b, sizeof a), 0, "start %d: not nmmin's minimum", start);
    }
}
