/*
 * test_data_synthesizer.c — GaussianCopulaDataSynthesizer through the
 * dispatcher: Φ and Φ⁻¹ against mpmath, KS / TVD / correlation differences
 * against scipy, numpy and pandas (tests/fixtures/gen_synth.py), marginals
 * (means, quantiles, category frequencies, missing rates, observed ranges),
 * the correlation of a strongly correlated pair, determinism by seed,
 * degenerate columns, the correlation matrix's repair, and error messages.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_synthesizer/synth.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/tuning.h"
#include "lolpop/types/data_synthesizer.h"
#include "unit_workflow.h"

#define SYNTH_DIR LP_FIXTURES_DIR "/synth"

TestSuite(synth, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

/* ---- helpers ------------------------------------------------------------------ */

/* The workflow text of a synthesizer with `config` (a YAML flow map body);
 * a static buffer, valid until the next call. */
static const char *synth_yaml(const char *config)
{
    static char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_synthesizer: GaussianCopulaDataSynthesizer}\n"
             "data_synthesizer:\n  config: {%s}\n",
             config);
    return yaml;
}

static int try_workflow(int slot, const char *config)
{
    return uw_try_build(slot, synth_yaml(config));
}

/* A synthesizer in workflow `slot` with `config` (a YAML flow map body). */
static lp_obj *synth_in(int slot, const char *config)
{
    return uw_build(slot, synth_yaml(config), "data_synthesizer");
}

static void fit(lp_obj *s, lp_value *frame)
{
    cr_assert_eq(lp_data_synthesizer_fit(s, frame), 0, "%s", lp_error_last()->message);
}

/* sample(n) as a new frame reference. */
static lp_frame *sample(lp_obj *s, int64_t n)
{
    lp_value *v = lp_data_synthesizer_sample(s, n);
    cr_assert_not_null(v, "%s", lp_error_last()->message);
    lp_frame *f = lp_frame_ref(lp_value_as_frame(v));
    cr_assert_not_null(f, "sample did not return a frame");
    lp_value_unref(v);
    cr_assert_eq(lp_frame_rows(f), (size_t)n);
    return f;
}

static lp_value *frame_value(lp_frame *f)
{
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_frame *read_csv(const char *path)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    return f;
}

static char *hash_of(const lp_frame *f)
{
    char *h = malloc(65);
    cr_assert_eq(lp_frame_hash_hex(f, h), 0);
    return h;
}

static bool missing(const lp_column *c, size_t i)
{
    return !lp_column_is_valid(c, i) || (c->type == LP_DT_FLOAT64 && isnan(c->data.f64[i]));
}

static double missing_rate(const lp_column *c)
{
    size_t m = 0;
    for (size_t i = 0; i < c->length; i++)
        m += missing(c, i);
    return (double)m / (double)c->length;
}

/* Mean of the present values. */
static double mean_of(const lp_column *c)
{
    double s = 0;
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++)
        if (!missing(c, i)) {
            s += lp_column_get_f64(c, i);
            n++;
        }
    return s / (double)n;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of the present values (numpy's linear interpolation). */
static double quantile_of(const lp_column *c, double q)
{
    double *v = malloc(c->length * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++)
        if (!missing(c, i)) v[n++] = lp_column_get_f64(c, i);
    qsort(v, n, sizeof *v, cmp_dbl);
    double pos = q * (double)(n - 1), frac = pos - floor(pos);
    size_t k = (size_t)pos;
    double r = k + 1 < n ? v[k] + frac * (v[k + 1] - v[k]) : v[k];
    free(v);
    return r;
}

/* Share of the present values of a string column equal to s. */
static double share_of(const lp_column *c, const char *s)
{
    size_t hit = 0, n = 0;
    for (size_t i = 0; i < c->length; i++) {
        size_t len;
        const char *v = lp_column_str(c, i, &len);
        if (!v) continue;
        n++;
        hit += len == strlen(s) && memcmp(v, s, len) == 0;
    }
    return (double)hit / (double)n;
}

/* Pearson's r over rows where both are present. */
static double pearson(const lp_column *a, const lp_column *b)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    size_t n = 0;
    for (size_t i = 0; i < a->length; i++) {
        if (missing(a, i) || missing(b, i)) continue;
        double x = lp_column_get_f64(a, i), y = lp_column_get_f64(b, i);
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
        n++;
    }
    double dn = (double)n;
    return (sab - sa * sb / dn) / sqrt((saa - sa * sa / dn) * (sbb - sb * sb / dn));
}

static const char *const cats[] = {"alpha", "beta", "gamma"};

/* n rows: x ~ N(50, 10) (float, 3% missing), y = 0.9·x + N(0, 4) (float),
 * k uniform 0..9 (int, 10% missing), s alpha 50% / beta 30% / gamma 20% (5%
 * missing), b = x > 55 (bool), made with the seeded xoshiro256**. */
static lp_value *make_frame(size_t n, uint64_t seed)
{
    lp_tuning_rng r;
    lp_tuning_rng_seed(&r, seed);
    lp_column *x = lp_column_new(LP_DT_FLOAT64, n), *y = lp_column_new(LP_DT_FLOAT64, n);
    lp_column *k = lp_column_new(LP_DT_INT64, n), *b = lp_column_new(LP_DT_BOOL, n);
    lp_column_builder *s = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++) {
        double xv = 50 + 10 * lp_tuning_rng_normal(&r);
        x->data.f64[i] = xv;
        y->data.f64[i] = 0.9 * xv + 4 * lp_tuning_rng_normal(&r);
        b->data.b8[i] = xv > 55;
        if (lp_tuning_rng_uniform(&r) < 0.03) lp_column_set_null(x, i);
        k->data.i64[i] = (int64_t)lp_tuning_rng_below(&r, 10);
        if (lp_tuning_rng_uniform(&r) < 0.10) lp_column_set_null(k, i);
        double u = lp_tuning_rng_uniform(&r);
        if (lp_tuning_rng_uniform(&r) < 0.05)
            lp_column_builder_append_null(s);
        else {
            const char *c = cats[u < 0.5 ? 0 : u < 0.8 ? 1 : 2];
            lp_column_builder_append_str(s, c, strlen(c));
        }
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "x", x), 0);
    cr_assert_eq(lp_frame_add_column(f, "y", y), 0);
    cr_assert_eq(lp_frame_add_column(f, "k", k), 0);
    cr_assert_eq(lp_frame_add_column(f, "s", lp_column_builder_finish(s)), 0);
    cr_assert_eq(lp_frame_add_column(f, "b", b), 0);
    return frame_value(f);
}

static void assert_near(double got, double want, double tol, const char *what)
{
    cr_assert(fabs(got - want) <= tol, "%s: got %.6g, want %.6g ± %g", what, got, want, tol);
}

/* ---- Φ and Φ⁻¹ ------------------------------------------------------------------------ */

static json_t *load_json(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SYNTH_DIR, name);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    return j;
}

static void assert_rel(double got, double want, double rel, const char *what, double at)
{
    double tol = rel * fabs(want) + 1e-300;
    cr_assert(fabs(got - want) <= tol, "%s(%.17g) = %.17g, want %.17g (rel %.3g)", what, at, got,
              want, fabs(got - want) / fabs(want));
}

Test(synth, normal_cdf_matches_mpmath_to_1e_12)
{
    json_t *j = load_json("normal.json"), *c = json_object_get(j, "cdf");
    cr_assert_gt(json_array_size(c), 10);
    for (size_t i = 0; i < json_array_size(c); i++) {
        double z = json_number_value(json_object_get(json_array_get(c, i), "z"));
        double want = json_number_value(json_object_get(json_array_get(c, i), "cdf"));
        assert_rel(lp_norm_cdf(z), want, 1e-12, "Φ", z);
    }
    json_decref(j);
}

Test(synth, normal_quantile_matches_mpmath_to_1e_12)
{
    json_t *j = load_json("normal.json"), *q = json_object_get(j, "quantile");
    cr_assert_gt(json_array_size(q), 20);
    for (size_t i = 0; i < json_array_size(q); i++) {
        double p = json_number_value(json_object_get(json_array_get(q, i), "p"));
        double want = json_number_value(json_object_get(json_array_get(q, i), "quantile"));
        if (want == 0)
            cr_assert_eq(lp_norm_quantile(p), 0.0);
        else
            assert_rel(lp_norm_quantile(p), want, 1e-12, "Φ⁻¹", p);
    }
    json_decref(j);
}

Test(synth, normal_quantile_edges_and_round_trip)
{
    cr_assert(isinf(lp_norm_quantile(0.0)) && lp_norm_quantile(0.0) < 0);
    cr_assert(isinf(lp_norm_quantile(1.0)) && lp_norm_quantile(1.0) > 0);
    cr_assert(isnan(lp_norm_quantile(-0.1)));
    cr_assert(isnan(lp_norm_quantile(1.5)));
    cr_assert(isnan(lp_norm_quantile(NAN)));
    for (double p = 1e-6; p < 1; p += 0.0137)
        assert_rel(lp_norm_cdf(lp_norm_quantile(p)), p, 1e-13, "Φ(Φ⁻¹)", p);
}

/* ---- KS, TVD and correlation differences against scipy / numpy / pandas ------------- */

Test(synth, ks_statistic_of_known_samples)
{
    double a[] = {1, 2, 3}, b[] = {4, 5}, c[] = {1, 2, 2, 3}, d[] = {2, 3};
    cr_assert_eq(lp_synth_ks(a, 3, b, 2), 1.0);
    cr_assert_eq(lp_synth_ks(a, 3, a, 3), 0.0);
    /* F_c(1) = 1/4 vs 0; F_c(2) = 3/4 vs 1/2; at 3 both 1: sup = 1/4 */
    cr_assert_float_eq(lp_synth_ks(c, 4, d, 2), 0.25, 1e-15);
}

static void assert_number(const json_t *want, const lp_value *got, const char *what)
{
    if (json_is_null(want)) {
        cr_assert_eq(lp_value_type(got), LP_NULL, "%s: expected null", what);
        return;
    }
    cr_assert(lp_value_type(got) == LP_FLOAT || lp_value_type(got) == LP_INT, "%s: not a number",
              what);
    double w = json_number_value(want), g = lp_value_as_float(got);
    cr_assert(fabs(g - w) <= 1e-12 * fabs(w) + 1e-14, "%s: got %.17g, want %.17g", what, g, w);
}

static void check_eval_case(const char *name)
{
    json_t *all = load_json("eval.json"), *want = json_object_get(all, name);
    cr_assert_not_null(want, "no case %s", name);
    char pr[512], pf[512];
    snprintf(pr, sizeof pr, "%s/eval_%s_real.csv", SYNTH_DIR, name);
    snprintf(pf, sizeof pf, "%s/eval_%s_fake.csv", SYNTH_DIR, name);
    lp_value *real = frame_value(read_csv(pr)), *fake = frame_value(read_csv(pf));
    lp_obj *s = synth_in(0, "");
    lp_value *rep = lp_data_synthesizer_evaluate(s, real, fake);
    cr_assert_not_null(rep, "%s", lp_error_last()->message);
    cr_assert_eq(lp_value_as_int(lp_map_get(rep, "rows_real")),
                 json_integer_value(json_object_get(want, "rows_real")));
    cr_assert_eq(lp_value_as_int(lp_map_get(rep, "rows_fake")),
                 json_integer_value(json_object_get(want, "rows_fake")));
    const json_t *wcols = json_object_get(want, "columns");
    const lp_value *cols = lp_map_get(rep, "columns");
    cr_assert_eq(lp_list_len(cols), json_array_size(wcols));
    for (size_t j = 0; j < json_array_size(wcols); j++) {
        const json_t *w = json_array_get(wcols, j);
        const lp_value *g = lp_list_get(cols, j);
        const char *col = json_string_value(json_object_get(w, "column"));
        cr_assert_str_eq(lp_value_as_string(lp_map_get(g, "column")), col);
        cr_assert_str_eq(lp_value_as_string(lp_map_get(g, "kind")),
                         json_string_value(json_object_get(w, "kind")), "%s", col);
        const char *stat = json_object_get(w, "ks") ? "ks" : "tvd";
        char what[128];
        snprintf(what, sizeof what, "%s %s.%s", name, col, stat);
        cr_assert_not_null(lp_map_get(g, stat), "%s missing", what);
        assert_number(json_object_get(w, stat), lp_map_get(g, stat), what);
        snprintf(what, sizeof what, "%s %s.missing_real", name, col);
        assert_number(json_object_get(w, "missing_real"), lp_map_get(g, "missing_real"), what);
        snprintf(what, sizeof what, "%s %s.missing_fake", name, col);
        assert_number(json_object_get(w, "missing_fake"), lp_map_get(g, "missing_fake"), what);
    }
    assert_number(json_object_get(want, "max_corr_diff"), lp_map_get(rep, "max_corr_diff"),
                  "max_corr_diff");
    const json_t *wp = json_object_get(want, "max_corr_pair");
    const lp_value *gp = lp_map_get(rep, "max_corr_pair");
    for (size_t i = 0; i < 2; i++)
        cr_assert_str_eq(lp_value_as_string(lp_list_get(gp, i)),
                         json_string_value(json_array_get(wp, i)));
    lp_value_unref(rep);
    lp_value_unref(real);
    lp_value_unref(fake);
    json_decref(all);
}

Test(synth, evaluate_small_case_matches_scipy_numpy_pandas)
{
    check_eval_case("small");
}

Test(synth, evaluate_random_case_matches_scipy_numpy_pandas)
{
    check_eval_case("random");
}

Test(synth, evaluate_of_a_frame_with_itself_is_all_zero)
{
    lp_value *f = make_frame(500, 3);
    lp_value *rep = lp_data_synthesizer_evaluate(synth_in(0, ""), f, f);
    cr_assert_not_null(rep, "%s", lp_error_last()->message);
    const lp_value *cols = lp_map_get(rep, "columns");
    cr_assert_eq(lp_list_len(cols), 5);
    for (size_t j = 0; j < 5; j++) {
        const lp_value *e = lp_list_get(cols, j);
        const lp_value *d = lp_map_get(e, "ks") ? lp_map_get(e, "ks") : lp_map_get(e, "tvd");
        cr_assert_eq(lp_value_as_float(d), 0.0);
        cr_assert_eq(lp_value_as_float(lp_map_get(e, "missing_real")),
                     lp_value_as_float(lp_map_get(e, "missing_fake")));
    }
    cr_assert_eq(lp_value_as_float(lp_map_get(rep, "max_corr_diff")), 0.0);
    lp_value_unref(rep);
    lp_value_unref(f);
}

/* ---- marginals and dependence ------------------------------------------------------------- */

Test(synth, marginals_missing_rates_and_correlation_are_preserved)
{
    lp_value *real = make_frame(5000, 11);
    lp_obj *s = synth_in(0, "seed: 5");
    fit(s, real);
    lp_frame *fake = sample(s, 5000), *rf = lp_value_as_frame(real);
    cr_assert_eq(lp_frame_cols(fake), 5);
    const char *names[] = {"x", "y", "k", "s", "b"};
    for (size_t j = 0; j < 5; j++) {
        cr_assert_str_eq(lp_frame_name(fake, j), names[j]);
        cr_assert_eq(lp_frame_col(fake, j)->type, lp_frame_col(rf, j)->type, "%s", names[j]);
    }
    lp_column *rx = lp_frame_col(rf, 0), *fx = lp_frame_col(fake, 0);
    lp_column *ry = lp_frame_col(rf, 1), *fy = lp_frame_col(fake, 1);
    lp_column *rk = lp_frame_col(rf, 2), *fk = lp_frame_col(fake, 2);
    /* means within 0.05 σ; quantiles within 0.1 σ (σ(x) = 10) */
    assert_near(mean_of(fx), mean_of(rx), 0.5, "mean x");
    assert_near(mean_of(fy), mean_of(ry), 0.5, "mean y");
    assert_near(mean_of(fk), mean_of(rk), 0.15, "mean k");
    for (double q = 0.1; q < 0.95; q += 0.2) {
        assert_near(quantile_of(fx, q), quantile_of(rx, q), 1.0, "quantile x");
        assert_near(quantile_of(fy, q), quantile_of(ry, q), 1.0, "quantile y");
    }
    /* observed range kept; ints stay ints in 0..9 */
    cr_assert_geq(quantile_of(fx, 0), quantile_of(rx, 0));
    cr_assert_leq(quantile_of(fx, 1), quantile_of(rx, 1));
    cr_assert_eq(quantile_of(fk, 0), 0.0);
    cr_assert_eq(quantile_of(fk, 1), 9.0);
    /* category frequencies and the bool's share */
    for (int c = 0; c < 3; c++)
        assert_near(share_of(lp_frame_col(fake, 3), cats[c]),
                    share_of(lp_frame_col(rf, 3), cats[c]), 0.02, cats[c]);
    assert_near(mean_of(lp_frame_col(fake, 4)), mean_of(lp_frame_col(rf, 4)), 0.02, "share b");
    /* missing rates */
    for (size_t j = 0; j < 5; j++)
        assert_near(missing_rate(lp_frame_col(fake, j)), missing_rate(lp_frame_col(rf, j)), 0.015,
                    names[j]);
    cr_assert_eq(missing_rate(fy), 0.0);
    /* dependence: x~y (r ≈ 0.91) within 0.05, and b follows x */
    double r_real = pearson(rx, ry), r_fake = pearson(fx, fy);
    cr_assert_gt(r_real, 0.85);
    assert_near(r_fake, r_real, 0.05, "corr(x, y)");
    assert_near(pearson(fx, lp_frame_col(fake, 4)), pearson(rx, lp_frame_col(rf, 4)), 0.05,
                "corr(x, b)");
    /* k was independent of x and stays so */
    assert_near(pearson(fx, fk), 0.0, 0.05, "corr(x, k)");
    /* and evaluate agrees */
    lp_value *fv = lp_value_frame(fake);
    lp_value *rep = lp_data_synthesizer_evaluate(s, real, fv);
    cr_assert_not_null(rep, "%s", lp_error_last()->message);
    cr_assert_lt(lp_value_as_float(lp_map_get(rep, "max_corr_diff")), 0.05);
    const lp_value *cols = lp_map_get(rep, "columns");
    cr_assert_lt(lp_value_as_float(lp_map_get(lp_list_get(cols, 0), "ks")), 0.03);
    cr_assert_lt(lp_value_as_float(lp_map_get(lp_list_get(cols, 3), "tvd")), 0.02);
    lp_value_unref(rep);
    lp_value_unref(fv);
    lp_frame_unref(fake);
    lp_value_unref(real);
}

Test(synth, float_values_interpolate_between_order_statistics)
{
    /* Two rows, 0 and 10: the inverse CDF is 0 for u < 1/4, 10 for u > 3/4
     * and linear between, so about half the samples are strictly inside. */
    lp_column *x = lp_column_new(LP_DT_FLOAT64, 2), *k = lp_column_new(LP_DT_INT64, 2);
    x->data.f64[1] = 10.0;
    k->data.i64[1] = 10;
    lp_frame *f = lp_frame_new();
    lp_frame_add_column(f, "x", x);
    lp_frame_add_column(f, "k", k);
    lp_value *real = frame_value(f);
    lp_obj *s = synth_in(0, "");
    fit(s, real);
    lp_frame *fake = sample(s, 4000);
    size_t inside = 0, ends = 0;
    for (size_t i = 0; i < 4000; i++) {
        double v = lp_frame_col(fake, 0)->data.f64[i];
        int64_t w = lp_frame_col(fake, 1)->data.i64[i];
        cr_assert(v >= 0 && v <= 10, "x = %g", v);
        cr_assert(w >= 0 && w <= 10, "k = %lld", (long long)w);
        inside += v > 0 && v < 10;
        ends += w == 0 || w == 10;
    }
    assert_near((double)inside / 4000, 0.5, 0.04, "share strictly inside (0, 10)");
    /* rounding: k is 0 for u < 0.275 and 10 for u >= 0.725, each of 1..9 in between */
    assert_near((double)ends / 4000, 0.55, 0.04, "share of k at 0 or 10");
    lp_frame_unref(fake);
    lp_value_unref(real);
}

/* ---- determinism ---------------------------------------------------------------------------- */

Test(synth, same_seed_same_rows_other_seed_differs)
{
    lp_value *real = make_frame(800, 2);
    lp_obj *a = synth_in(0, "seed: 42"), *b = synth_in(1, "seed: 42");
    fit(a, real);
    fit(b, real);
    lp_frame *fa = sample(a, 1000), *fb = sample(b, 1000);
    char *ha = hash_of(fa), *hb = hash_of(fb);
    cr_assert_str_eq(ha, hb);
    /* a second call continues the stream: new rows; a refit starts it again */
    lp_frame *fa2 = sample(a, 1000);
    char *ha2 = hash_of(fa2);
    cr_assert_str_neq(ha, ha2);
    fit(a, real);
    lp_frame *fa3 = sample(a, 1000);
    char *ha3 = hash_of(fa3);
    cr_assert_str_eq(ha, ha3);
    /* a prefix of a longer sample is the shorter sample (blocks are seeded by number) */
    fit(b, real);
    lp_frame *fb5 = sample(b, 5000), *head = NULL;
    size_t rows[1000];
    for (size_t i = 0; i < 1000; i++)
        rows[i] = i;
    cr_assert_eq(lp_frame_take(&head, fb5, rows, 1000), 0);
    char *hh = hash_of(head);
    cr_assert_str_eq(ha, hh);
    lp_obj *c = synth_in(1, "seed: 43");
    fit(c, real);
    lp_frame *fc = sample(c, 1000);
    char *hc = hash_of(fc);
    cr_assert_str_neq(ha, hc);
    /* and the default seed is 0 */
    lp_obj *d0 = synth_in(0, ""), *d1 = synth_in(1, "seed: 0");
    fit(d0, real);
    fit(d1, real);
    lp_frame *g0 = sample(d0, 300), *g1 = sample(d1, 300);
    char *h0 = hash_of(g0), *h1 = hash_of(g1);
    cr_assert_str_eq(h0, h1);
    free(ha);
    free(hb);
    free(ha2);
    free(ha3);
    free(hh);
    free(hc);
    free(h0);
    free(h1);
    lp_frame_unref(fa);
    lp_frame_unref(fb);
    lp_frame_unref(fa2);
    lp_frame_unref(fa3);
    lp_frame_unref(fb5);
    lp_frame_unref(head);
    lp_frame_unref(fc);
    lp_frame_unref(g0);
    lp_frame_unref(g1);
    lp_value_unref(real);
}

/* ---- degenerate and unusual columns ------------------------------------------------------------
 */

Test(synth, constant_all_missing_and_typed_columns_work)
{
    const char *csv = "id,const_f,const_s,empty_f,empty_s,when,flag,cat\n"
                      "1,2.5,a,,,2024-01-01T10:00:00,true,u\n"
                      "2,2.5,a,,,2024-01-02T11:30:00,false,v\n"
                      "3,2.5,a,,,2024-03-05T00:00:01,true,u\n"
                      "4,2.5,a,,,,true,w\n";
    lp_csv_type_override ov[] = {{"cat", LP_DT_CATEGORY}, {"empty_s", LP_DT_STRING}};
    lp_csv_options opt = {.overrides = ov, .n_overrides = 2};
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", &opt), 0, "%s",
                 lp_error_last()->message);
    lp_value *real = frame_value(f);
    f = lp_value_as_frame(real);
    lp_obj *s = synth_in(0, "seed: 3");
    fit(s, real);
    lp_frame *fake = sample(s, 500);
    cr_assert_eq(lp_frame_cols(fake), lp_frame_cols(f));
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        cr_assert_str_eq(lp_frame_name(fake, j), lp_frame_name(f, j));
        cr_assert_eq(lp_frame_col(fake, j)->type, lp_frame_col(f, j)->type, "%s",
                     lp_frame_name(f, j));
    }
    lp_column *cf = lp_frame_col_by_name(fake, "const_f"),
              *cs = lp_frame_col_by_name(fake, "const_s");
    lp_column *ef = lp_frame_col_by_name(fake, "empty_f"),
              *es = lp_frame_col_by_name(fake, "empty_s");
    lp_column *when = lp_frame_col_by_name(fake, "when"), *id = lp_frame_col_by_name(fake, "id");
    lp_column *cat = lp_frame_col_by_name(fake, "cat");
    lp_column *rwhen = lp_frame_col_by_name(f, "when");
    size_t when_missing = 0;
    for (size_t i = 0; i < 500; i++) {
        size_t len;
        cr_assert_eq(cf->data.f64[i], 2.5);
        cr_assert(lp_column_is_valid(cf, i));
        const char *v = lp_column_str(cs, i, &len);
        cr_assert(v && len == 1 && v[0] == 'a');
        cr_assert(!lp_column_is_valid(ef, i));
        cr_assert(!lp_column_is_valid(es, i));
        cr_assert(id->data.i64[i] >= 1 && id->data.i64[i] <= 4);
        v = lp_column_str(cat, i, &len);
        cr_assert(v && len == 1 && strchr("uvw", v[0]));
        if (!lp_column_is_valid(when, i)) {
            when_missing++;
            continue;
        }
        cr_assert(when->data.i64[i] >= rwhen->data.i64[0] &&
                  when->data.i64[i] <= rwhen->data.i64[2]);
    }
    assert_near((double)when_missing / 500, 0.25, 0.07, "missing share of 'when'");
    lp_frame_unref(fake);
    lp_value_unref(real);
}

Test(synth, one_row_and_duplicated_columns_fit)
{
    /* one row: every column constant */
    const char *one = "a,b\n1.5,x\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, one, strlen(one), "one.csv", NULL), 0);
    lp_value *real = frame_value(f);
    lp_obj *s = synth_in(0, "");
    fit(s, real);
    lp_frame *fake = sample(s, 10);
    for (size_t i = 0; i < 10; i++)
        cr_assert_eq(lp_frame_col(fake, 0)->data.f64[i], 1.5);
    lp_frame_unref(fake);
    lp_value_unref(real);
    /* two identical columns: a singular correlation matrix; they stay together */
    lp_value *base = make_frame(400, 9);
    lp_frame *bf = lp_value_as_frame(base);
    lp_frame *dup = NULL;
    const char *sel[] = {"x", "y"};
    cr_assert_eq(lp_frame_select(&dup, bf, sel, 2), 0);
    cr_assert_eq(lp_frame_add_column(dup, "x2", lp_column_ref(lp_frame_col(bf, 0))), 0);
    real = frame_value(dup);
    fit(s, real);
    fake = sample(s, 2000);
    assert_near(pearson(lp_frame_col(fake, 0), lp_frame_col(fake, 2)), 1.0, 0.01, "corr(x, x2)");
    lp_frame_unref(fake);
    lp_value_unref(real);
    lp_value_unref(base);
}

Test(synth, max_categories_keeps_the_most_frequent)
{
    /* value vK appears K + 1 times for K = 0..29: v29 is the most frequent */
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 500);
    for (int k = 0; k < 30; k++)
        for (int r = 0; r <= k; r++) {
            char v[8];
            int n = snprintf(v, sizeof v, "v%d", k);
            lp_column_builder_append_str(b, v, (size_t)n);
        }
    lp_frame *f = lp_frame_new();
    lp_frame_add_column(f, "c", lp_column_builder_finish(b));
    lp_value *real = frame_value(f);
    lp_obj *s = synth_in(0, "max_categories: 3");
    fit(s, real);
    lp_frame *fake = sample(s, 3000);
    size_t count[3] = {0};
    for (size_t i = 0; i < 3000; i++) {
        size_t len;
        const char *v = lp_column_str(lp_frame_col(fake, 0), i, &len);
        cr_assert(v && len == 3 && v[0] == 'v' && v[1] == '2' && v[2] >= '7', "value %.*s",
                  (int)len, v ? v : "");
        count[v[2] - '7']++;
    }
    /* renormalised 28 : 29 : 30 */
    assert_near((double)count[2] / 3000, 30.0 / 87, 0.03, "share of v29");
    assert_near((double)count[0] / 3000, 28.0 / 87, 0.03, "share of v27");
    lp_frame_unref(fake);
    lp_value_unref(real);
}

/* ---- the correlation matrix ------------------------------------------------------------------ */

/* L·Lᵀ at (j, k) for a d×d column-major lower factor. */
static double llt(const double *L, int d, int j, int k)
{
    double s = 0;
    for (int t = 0; t < d; t++)
        s += L[j + t * d] * L[k + t * d];
    return s;
}

Test(synth, cholesky_repairs_a_matrix_that_is_not_positive_definite)
{
    /* pairwise deletion can give this: a~b and b~c strongly positive, a~c
     * strongly negative; its eigenvalues are −0.8, 1.9, 1.9. Clipping the
     * negative one to 1e-6 and rescaling gives ±0.5 off the diagonal (numpy:
     * v·diag(max(w, 1e-6))·vᵀ, normalised). */
    double R[9] = {1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1}, L[9];
    lp_synth_repair rep;
    cr_assert_eq(lp_synth_cholesky(L, R, 3, &rep), 0, "%s", lp_error_last()->message);
    cr_assert(rep.clipped);
    cr_assert_eq(rep.shrinkage, 0.0);
    const double want[9] = {1,          0.49999961,  -0.49999961, 0.49999961, 1,
                            0.49999961, -0.49999961, 0.49999961,  1};
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++) {
            if (k > j) cr_assert_eq(L[j + k * 3], 0.0, "upper triangle (%d,%d)", j, k);
            cr_assert_float_eq(llt(L, 3, j, k), want[j + k * 3], 1e-6, "(%d,%d)", j, k);
        }
    /* a positive definite matrix is factored as it is */
    double P[4] = {1, 0.5, 0.5, 1};
    cr_assert_eq(lp_synth_cholesky(L, P, 2, &rep), 0);
    cr_assert(!rep.clipped);
    cr_assert_eq(rep.shrinkage, 0.0);
    cr_assert_float_eq(L[0], 1.0, 1e-15);
    cr_assert_float_eq(L[1], 0.5, 1e-15);
    cr_assert_eq(L[2], 0.0);
    cr_assert_float_eq(L[3], sqrt(0.75), 1e-15);
    /* two identical columns: singular; the repair keeps them almost perfectly correlated */
    double S[4] = {1, 1, 1, 1};
    cr_assert_eq(lp_synth_cholesky(L, S, 2, &rep), 0);
    cr_assert_gt(llt(L, 2, 0, 1), 0.9999);
    cr_assert_float_eq(llt(L, 2, 1, 1), 1.0, 1e-9);
}

/* The Hermite coefficients of a column split at Φ⁻¹(p) into two groups. */
static void binary_h(double h[LP_SYNTH_HERMITE], double p)
{
    lp_synth_hermite acc;
    lp_synth_hermite_init(&acc);
    lp_synth_hermite_add(&acc, p, p, lp_norm_quantile(0.5 * p));
    lp_synth_hermite_add(&acc, 1 - p, 1.0, lp_norm_quantile(p + 0.5 * (1 - p)));
    lp_synth_hermite_finish(&acc, h);
}

Test(synth, latent_correlation_inverts_known_attenuations)
{
    double hb[LP_SYNTH_HERMITE], hc[LP_SYNTH_HERMITE], hb3[LP_SYNTH_HERMITE];
    binary_h(hb, 0.5);
    binary_h(hb3, 0.3);
    /* a continuous column: 200000 single-value groups */
    lp_synth_hermite acc;
    lp_synth_hermite_init(&acc);
    for (int i = 1; i <= 200000; i++)
        lp_synth_hermite_add(&acc, 1.0 / 200000, i == 200000 ? 1.0 : i / 200000.0,
                             lp_norm_quantile((i - 0.5) / 200000));
    lp_synth_hermite_finish(&acc, hc);
    cr_assert_float_eq(hc[0], 1.0, 1e-3);
    cr_assert_float_eq(hb[0], sqrt(2 / M_PI), 1e-12, "corr(Z, sign Z) = √(2/π)");
    cr_assert_float_eq(hb[1], 0.0, 1e-12, "a median split is odd");
    /* two median splits: Sheppard's phi = (2/π) asin ρ; the series' cut after
     * 40 terms shows only near ±1 */
    for (double rho = -0.6; rho < 0.65; rho += 0.3)
        cr_assert_float_eq(lp_synth_latent_correlation(hb, hb, 2 / M_PI * asin(rho)), rho, 1e-9,
                           "ρ = %g", rho);
    cr_assert_float_eq(lp_synth_latent_correlation(hb, hb, 2 / M_PI * asin(0.9)), 0.9, 2e-4);
    cr_assert_float_eq(lp_synth_latent_correlation(hb, hb, 2 / M_PI * asin(-0.9)), -0.9, 2e-4);
    /* continuous with a median split: point-biserial ρ φ(0) / ½ */
    cr_assert_float_eq(lp_synth_latent_correlation(hc, hb, 0.6 * 0.3989422804014327 / 0.5), 0.6,
                       2e-3);
    /* continuous with continuous: r itself */
    cr_assert_float_eq(lp_synth_latent_correlation(hc, hc, 0.42), 0.42, 2e-3);
    /* beyond what two splits can show: ±1; a constant column: 0 */
    cr_assert_eq(lp_synth_latent_correlation(hb3, hb3, 1.0), 1.0);
    cr_assert_eq(lp_synth_latent_correlation(hb3, hb3, -1.0), -1.0);
    double h0[LP_SYNTH_HERMITE] = {0};
    cr_assert_eq(lp_synth_latent_correlation(h0, hb, 0.3), 0.0);
}

/* ---- errors ------------------------------------------------------------------------------------
 */

Test(synth, errors_name_the_problem)
{
    lp_obj *s = synth_in(0, "");
    cr_assert_null(lp_data_synthesizer_sample(s, 5));
    cr_assert(strstr(lp_error_last()->message, "call fit(frame) first"), "%s",
              lp_error_last()->message);
    lp_value *empty = frame_value(lp_frame_new());
    cr_assert_neq(lp_data_synthesizer_fit(s, empty), 0);
    cr_assert(strstr(lp_error_last()->message, "no columns"), "%s", lp_error_last()->message);
    const char *hdr = "a,b\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, hdr, strlen(hdr), "h.csv", NULL), 0);
    lp_value *norows = frame_value(f);
    cr_assert_neq(lp_data_synthesizer_fit(s, norows), 0);
    cr_assert(strstr(lp_error_last()->message, "no rows"), "%s", lp_error_last()->message);
    lp_value *notframe = lp_value_int(3);
    cr_assert_neq(lp_data_synthesizer_fit(s, notframe), 0);
    cr_assert(strstr(lp_error_last()->message, "must be a data frame"), "%s",
              lp_error_last()->message);
    lp_value *real = make_frame(50, 1);
    fit(s, real);
    cr_assert_null(lp_data_synthesizer_sample(s, -1));
    cr_assert(strstr(lp_error_last()->message, "non-negative"), "%s", lp_error_last()->message);
    lp_frame *zero = sample(s, 0);
    cr_assert_eq(lp_frame_cols(zero), 5);
    lp_frame_unref(zero);
    /* evaluate: a column missing from fake, and a column of another kind */
    lp_frame *rf = lp_value_as_frame(real), *part = NULL, *renamed = NULL;
    const char *xy[] = {"x", "y"};
    cr_assert_eq(lp_frame_select(&part, rf, xy, 2), 0);
    lp_value *pv = frame_value(part);
    cr_assert_null(lp_data_synthesizer_evaluate(s, real, pv));
    cr_assert(strstr(lp_error_last()->message, "no column 'k'"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rename(&renamed, lp_value_as_frame(pv), "y", "tmp"), 0);
    lp_frame *swapped = NULL;
    cr_assert_eq(lp_frame_rename(&swapped, renamed, "x", "s"), 0);
    lp_frame_unref(renamed);
    lp_value *sv = frame_value(swapped);
    lp_frame *only_s = NULL;
    const char *sn[] = {"s"};
    cr_assert_eq(lp_frame_select(&only_s, rf, sn, 1), 0);
    lp_value *ov = frame_value(only_s);
    cr_assert_null(lp_data_synthesizer_evaluate(s, ov, sv));
    cr_assert(strstr(lp_error_last()->message, "column 's' is categorical in the real frame"), "%s",
              lp_error_last()->message);
    lp_value_unref(ov);
    lp_value_unref(sv);
    lp_value_unref(pv);
    lp_value_unref(real);
    lp_value_unref(notframe);
    lp_value_unref(norows);
    lp_value_unref(empty);
}

Test(synth, bad_configuration_is_located)
{
    cr_assert_neq(try_workflow(0, "seed: -1"), 0);
    cr_assert(strstr(lp_error_last()->message, "seed must be an integer >= 0"), "%s",
              lp_error_last()->message);
    cr_assert_neq(try_workflow(0, "max_categories: 0"), 0);
    cr_assert(strstr(lp_error_last()->message, "max_categories must be an integer >= 1"), "%s",
              lp_error_last()->message);
    cr_assert_neq(try_workflow(0, "seed: abc"), 0);
}

Test(synth, the_class_is_registered_with_documented_keys)
{
    const lp_class *c = lp_registry_find_class(uw_registry(), "GaussianCopulaDataSynthesizer");
    cr_assert_not_null(c);
    cr_assert_str_eq(c->type, "data_synthesizer");
    cr_assert_not_null(lp_class_config_key(c, "seed"));
    cr_assert_not_null(lp_class_config_key(c, "max_categories"));
}
