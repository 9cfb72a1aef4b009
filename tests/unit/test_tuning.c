/* Unit tests for the search spaces, grid/random/TPE samplers and the median pruner. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lolpop.h"
#include "lolpop/tuning.h"

static lp_value *yaml(const char *text)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_value *v = NULL;
    int rc = lp_yaml_parse(&v, text, strlen(text), "tune.yaml", &d);
    lp_diags_clear(&d);
    cr_assert_eq(rc, 0, "yaml parse failed");
    return v;
}

/* Parses YAML text with a top-level `training_params` map. */
static int parse(lp_tuning_spaces **out, const char *text)
{
    lp_value *root = yaml(text);
    int rc = lp_tuning_spaces_parse(out, lp_map_get(root, "training_params"), NULL, NULL, 0);
    lp_value_unref(root);
    return rc;
}

static void expect_error(const char *text, int line, int col, const char *needle)
{
    lp_tuning_spaces *s = NULL;
    cr_assert_eq(parse(&s, text), LP_ECONFIG);
    cr_assert_null(s);
    const lp_error *e = lp_error_last();
    cr_assert_str_eq(e->file, "tune.yaml");
    cr_expect_eq(e->line, line, "line %d, expected %d (%s)", e->line, line, e->message);
    cr_expect_eq(e->col, col, "col %d, expected %d (%s)", e->col, col, e->message);
    cr_expect(strstr(e->message, needle) != NULL, "message '%s' lacks '%s'", e->message, needle);
}

static const lp_value *param(const lp_value *trial, const char *name)
{
    return lp_map_get(lp_map_get(trial, "params"), name);
}

static const char *trainer(const lp_value *trial)
{
    return lp_value_as_string(lp_map_get(trial, "trainer"));
}

Test(tuning, parses_kinds_and_ranges)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n"
                           "  XGBoostModelTrainer:\n"
                           "    objective: reg:squarederror\n"
                           "    max_depth: [3, 5, 7]\n"
                           "    eta: {low: 0.01, high: 0.3, log: true}\n"
                           "    n: {low: 50, high: 200, step: 50}\n"
                           "    f: {low: 1, high: 4, type: float}\n"
                           "  LinearModelTrainer:\n"),
                 0);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->spaces[0].trainer, "XGBoostModelTrainer");
    cr_assert_str_eq(s->spaces[1].trainer, "LinearModelTrainer");
    cr_assert_eq(s->spaces[1].n_params, 0);
    const lp_tuning_param *p = s->spaces[0].params;
    cr_assert_eq(s->spaces[0].n_params, 5);
    cr_expect_eq(p[0].kind, LP_TUNING_FIXED);
    cr_expect_eq(p[1].kind, LP_TUNING_CHOICE);
    cr_expect_eq(p[2].kind, LP_TUNING_RANGE);
    cr_expect(p[2].log && !p[2].is_int);
    cr_expect_float_eq(p[2].low, 0.01, 1e-15);
    cr_expect(p[3].is_int && p[3].step == 50);
    cr_expect(!p[4].is_int);
    lp_tuning_spaces_free(s);
}

Test(tuning, errors_are_located)
{
    expect_error("training_params:\n  T:\n    a: []\n", 3, 8, "T.a: empty list");
    expect_error("training_params:\n  T:\n    a: {low: 3, high: 3}\n", 3, 8,
                 "'low' must be less than 'high'");
    expect_error("training_params:\n  T:\n    a: {low: 0, high: 1, log: true}\n", 3, 14,
                 "log range needs 'low' > 0");
    expect_error("training_params:\n  T:\n    a: {low: 0, hihg: 1}\n", 3, 23,
                 "unknown range key 'hihg' (did you mean 'high'?)");
    expect_error("training_params:\n  T:\n    a: {low: 0, high: 1, type: double}\n", 3, 32,
                 "'int' or 'float'");
    expect_error("training_params:\n  T:\n    a: {low: 0.5, high: 1, step: 0.1, log: true}\n", 3,
                 34, "both 'step' and 'log'");
    expect_error("training_params:\n  T:\n    a: {high: 1}\n", 3, 8, "both 'low' and 'high'");
    expect_error("training_params:\n  T: [1, 2]\n", 2, 6, "expected a map");
    expect_error("training_params: {}\n", 1, 18, "non-empty map");
}

Test(tuning, unknown_trainer_suggests)
{
    static const char *const known[] = {"XGBoostModelTrainer", "LinearModelTrainer"};
    lp_value *root = yaml("training_params:\n  XGBostModelTrainer: {a: 1}\n");
    lp_tuning_spaces *s = NULL;
    cr_assert_eq(
        lp_tuning_spaces_parse(&s, lp_map_get(root, "training_params"), "tune.params", known, 2),
        LP_ECONFIG);
    const lp_error *e = lp_error_last();
    cr_expect_eq(e->line, 2);
    cr_expect_eq(e->col, 3);
    cr_expect(strstr(e->message, "tune.params.XGBostModelTrainer") != NULL, "%s", e->message);
    cr_expect(strstr(e->message, "did you mean 'XGBoostModelTrainer'") != NULL, "%s", e->message);
    lp_value_unref(root);
}

Test(tuning, grid_order_and_count)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n"
                           "  A: {a: [1, 2], b: x, c: [p, q, r]}\n"
                           "  B: {d: {low: 0, high: 1, step: 0.5}}\n"),
                 0);
    size_t n;
    cr_assert_eq(lp_tuning_grid_count(&n, &s->spaces[0]), 0);
    cr_expect_eq(n, 6);
    lp_value *g;
    cr_assert_eq(lp_tuning_grid(&g, s, 0), 0);
    cr_assert_eq(lp_list_len(g), 9);
    static const int64_t a[] = {1, 1, 1, 2, 2, 2};
    static const char *const c[] = {"p", "q", "r", "p", "q", "r"};
    for (size_t i = 0; i < 6; i++) {
        const lp_value *t = lp_list_get(g, i);
        cr_expect_str_eq(trainer(t), "A");
        cr_expect_eq(lp_value_as_int(param(t, "a")), a[i]);
        cr_expect_str_eq(lp_value_as_string(param(t, "b")), "x");
        cr_expect_str_eq(lp_value_as_string(param(t, "c")), c[i]);
        const lp_value *ps = lp_map_get(t, "params"); /* configuration key order */
        cr_expect_str_eq(lp_map_key(ps, 0), "a");
        cr_expect_str_eq(lp_map_key(ps, 2), "c");
    }
    for (size_t i = 6; i < 9; i++) {
        const lp_value *t = lp_list_get(g, i);
        cr_expect_str_eq(trainer(t), "B");
        cr_expect_eq(lp_value_type(param(t, "d")), LP_FLOAT);
        cr_expect_float_eq(lp_value_as_float(param(t, "d")), 0.5 * (double)(i - 6), 1e-12);
    }
    lp_value_unref(g);
    lp_tuning_spaces_free(s);
}

Test(tuning, grid_cap_and_stepless_range)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n"
                           "  A:\n"
                           "    a: {low: 1, high: 1000, step: 1}\n"
                           "    b: {low: 1, high: 1000, step: 1}\n"),
                 0);
    lp_value *g = NULL;
    cr_assert_eq(lp_tuning_grid(&g, s, 0), LP_ECONFIG);
    cr_expect_null(g);
    const char *m = lp_error_last()->message;
    cr_expect(strstr(m, "1000000 combinations") && strstr(m, "cap of 100000"), "%s", m);
    lp_tuning_spaces_free(s);

    cr_assert_eq(parse(&s, "training_params:\n  A: {a: [1, 2, 3]}\n  B: {b: [1, 2]}\n"), 0);
    cr_expect_eq(lp_tuning_grid(&g, s, 4), LP_ECONFIG);
    cr_assert_eq(lp_tuning_grid(&g, s, 5), 0);
    cr_expect_eq(lp_list_len(g), 5);
    lp_value_unref(g);
    lp_tuning_spaces_free(s);

    cr_assert_eq(parse(&s, "training_params:\n  A:\n    x: [1]\n    eta: {low: 0.1, high: 1}\n"),
                 0);
    cr_assert_eq(lp_tuning_grid(&g, s, 0), LP_ECONFIG);
    const lp_error *e = lp_error_last();
    cr_expect_eq(e->line, 4);
    cr_expect_eq(e->col, 10);
    cr_expect(strstr(e->message, "A.eta") && strstr(e->message, "needs 'step'"), "%s", e->message);
    lp_tuning_spaces_free(s);
}

Test(tuning, random_is_deterministic_and_in_bounds)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n"
                           "  A:\n"
                           "    i: {low: 1, high: 3}\n"
                           "    f: {low: 0.001, high: 1, log: true}\n"
                           "    li: {low: 1, high: 1000, log: true}\n"
                           "    c: [x, y]\n"
                           "    st: {low: 0, high: 1, step: 0.25}\n"),
                 0);
    lp_value *r1, *r2, *r3;
    cr_assert_eq(lp_tuning_random(&r1, s, 2000, 42), 0);
    cr_assert_eq(lp_tuning_random(&r2, s, 2000, 42), 0);
    cr_assert_eq(lp_tuning_random(&r3, s, 2000, 43), 0);
    cr_expect(lp_value_equal(r1, r2));
    cr_expect(!lp_value_equal(r1, r3));
    size_t seen_i[3] = {0}, below_mid = 0, li_small = 0, n_x = 0, seen_st[5] = {0};
    for (size_t k = 0; k < 2000; k++) {
        const lp_value *t = lp_list_get(r1, k);
        cr_assert_eq(lp_value_type(param(t, "i")), LP_INT);
        int64_t i = lp_value_as_int(param(t, "i"));
        cr_assert(i >= 1 && i <= 3, "i = %lld", (long long)i);
        seen_i[i - 1]++;
        double f = lp_value_as_float(param(t, "f"));
        cr_assert(f >= 0.001 && f <= 1, "f = %g", f);
        below_mid += f < sqrt(0.001) ? 1 : 0; /* log-uniform median */
        int64_t li = lp_value_as_int(param(t, "li"));
        cr_assert(li >= 1 && li <= 1000);
        li_small += li <= 31 ? 1 : 0;
        n_x += strcmp(lp_value_as_string(param(t, "c")), "x") == 0;
        double st = lp_value_as_float(param(t, "st"));
        cr_assert(st >= 0 && st <= 1 && fmod(st, 0.25) == 0, "st = %g", st);
        seen_st[(int)(st * 4)]++;
    }
    for (int i = 0; i < 3; i++)
        cr_expect(seen_i[i] > 500, "value %d drawn %zu times", i + 1, seen_i[i]);
    for (int i = 0; i < 5; i++)
        cr_expect(seen_st[i] > 250, "step %d drawn %zu times", i, seen_st[i]);
    cr_expect(below_mid > 900 && below_mid < 1100, "%zu below the log median", below_mid);
    /* log-uniform on [0.5, 1000.5] then rounded: P(li <= 31) = log(63) / log(2001) */
    double want = 2000 * log(63.0) / log(2001.0);
    cr_expect(fabs((double)li_small - want) < 100, "%zu log-ints <= 31, want ~%g", li_small, want);
    cr_expect(n_x > 900 && n_x < 1100);
    lp_value_unref(r1);
    lp_value_unref(r2);
    lp_value_unref(r3);
    lp_tuning_spaces_free(s);
}

/* ---- TPE ---- */

typedef double (*objective_fn)(const lp_value *trial);

static double quadratic(const lp_value *t)
{
    double x = lp_value_as_float(param(t, "x"));
    return (x - 1.7) * (x - 1.7);
}

/* Best (lowest) score after `budget` trials, with TPE or random search. */
static double run_search(const lp_tuning_spaces *s, objective_fn f, size_t budget, uint64_t seed,
                         bool tpe, lp_value **trials_out)
{
    lp_tuning_history *h = lp_tuning_history_new(false);
    lp_tuning_rng r;
    lp_tuning_rng_seed(&r, seed);
    double best = INFINITY;
    lp_value *trials = lp_value_list();
    for (size_t i = 0; i < budget; i++) {
        lp_value *t;
        int rc =
            tpe ? lp_tuning_sample_tpe(&t, s, h, &r, NULL) : lp_tuning_sample_random(&t, s, &r);
        cr_assert_eq(rc, 0);
        double y = f(t);
        best = fmin(best, y);
        cr_assert_eq(lp_tuning_history_add(h, t, y, NULL, 0), 0);
        lp_list_append(trials, t);
    }
    lp_tuning_history_free(h);
    if (trials_out)
        *trials_out = trials;
    else
        lp_value_unref(trials);
    return best;
}

Test(tuning, tpe_is_deterministic_per_seed)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n  A:\n    x: {low: -10, high: 10}\n"
                           "    n: {low: 1, high: 50}\n    c: [u, v, w]\n"),
                 0);
    lp_value *a, *b, *c;
    run_search(s, quadratic, 30, 7, true, &a);
    run_search(s, quadratic, 30, 7, true, &b);
    run_search(s, quadratic, 30, 8, true, &c);
    cr_expect(lp_value_equal(a, b));
    cr_expect(!lp_value_equal(a, c));
    for (size_t i = 0; i < 30; i++) {
        int64_t n = lp_value_as_int(param(lp_list_get(a, i), "n"));
        double x = lp_value_as_float(param(lp_list_get(a, i), "x"));
        cr_expect(n >= 1 && n <= 50 && x >= -10 && x <= 10);
    }
    lp_value_unref(a);
    lp_value_unref(b);
    lp_value_unref(c);
    lp_tuning_spaces_free(s);
}

Test(tuning, tpe_beats_random_on_a_quadratic)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n  A:\n    x: {low: -10.0, high: 10.0}\n"), 0);
    const int seeds = 20;
    double tpe = 0, rnd = 0;
    for (int k = 0; k < seeds; k++) {
        tpe += run_search(s, quadratic, 40, 1000 + (uint64_t)k, true, NULL) / seeds;
        rnd += run_search(s, quadratic, 40, 1000 + (uint64_t)k, false, NULL) / seeds;
    }
    /* measured: TPE ~0.0025, random ~0.15 */
    cr_expect(tpe < 0.25 * rnd, "mean best: TPE %g, random %g", tpe, rnd);
    lp_tuning_spaces_free(s);
}

static double two_trainers(const lp_value *t)
{
    bool a = strcmp(trainer(t), "A") == 0;
    double x = lp_value_as_float(param(t, a ? "x" : "y"));
    return x * x + (a ? 0 : 50);
}

Test(tuning, tpe_prefers_the_better_trainer_and_choice)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n  A: {x: {low: -10.0, high: 10.0}}\n"
                           "  B: {y: {low: -10.0, high: 10.0}}\n"),
                 0);
    lp_value *trials;
    run_search(s, two_trainers, 40, 3, true, &trials);
    size_t n_a = 0;
    for (size_t i = 20; i < 40; i++)
        n_a += strcmp(trainer(lp_list_get(trials, i)), "A") == 0;
    cr_expect(n_a >= 15, "A chosen %zu of the last 20 times", n_a);
    lp_value_unref(trials);
    lp_tuning_spaces_free(s);
}

static double choice_obj(const lp_value *t)
{
    return strcmp(lp_value_as_string(param(t, "c")), "w") == 0 ? 0.0 : 1.0;
}

Test(tuning, tpe_learns_categorical)
{
    lp_tuning_spaces *s;
    cr_assert_eq(parse(&s, "training_params:\n  A: {c: [u, v, w, z]}\n"), 0);
    lp_value *trials;
    run_search(s, choice_obj, 40, 11, true, &trials);
    size_t n_w = 0;
    for (size_t i = 20; i < 40; i++)
        n_w += choice_obj(lp_list_get(trials, i)) == 0.0;
    cr_expect(n_w >= 12, "w chosen %zu of the last 20 times", n_w);
    lp_value_unref(trials);
    lp_tuning_spaces_free(s);
}

/* ---- pruner ---- */

Test(tuning, median_pruner)
{
    lp_tuning_history *h = lp_tuning_history_new(false);
    lp_value *t = lp_value_map();
    const double curves[5][3] = {
        {5, 4, 3}, {6, 5, 4}, {7, 6, 5}, {8, 7, 6}, {9, 8, 7},
    };
    for (int i = 0; i < 4; i++)
        lp_tuning_history_add(h, t, curves[i][2], curves[i], 3);
    cr_expect(!lp_tuning_should_prune(h, 0, 100), "fewer than 5 completed trials");
    lp_tuning_history_add(h, t, NAN, curves[4], 3); /* pruned/failed: not counted */
    cr_expect(!lp_tuning_should_prune(h, 0, 100));
    lp_tuning_history_add(h, t, curves[4][2], curves[4], 3);
    /* step 1 values 4 5 6 7 8: median 6 */
    cr_expect(lp_tuning_should_prune(h, 1, 6.5));
    cr_expect(!lp_tuning_should_prune(h, 1, 6.0));
    cr_expect(!lp_tuning_should_prune(h, 1, 2.0));
    cr_expect(lp_tuning_should_prune(h, 1, NAN));
    cr_expect(!lp_tuning_should_prune(h, 3, 100), "no trial reached step 3");
    h->prune_warmup_steps = 2;
    cr_expect(!lp_tuning_should_prune(h, 1, 100), "warm-up");
    cr_expect(lp_tuning_should_prune(h, 2, 5.5));
    h->maximize = true;
    cr_expect(lp_tuning_should_prune(h, 2, 4.5));
    cr_expect(!lp_tuning_should_prune(h, 2, 5.5));
    lp_value_unref(t);
    lp_tuning_history_free(h);
}
