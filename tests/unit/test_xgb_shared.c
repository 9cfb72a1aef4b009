/* Unit tests for the training DMatrix shared by the trainings on one split
 * (src/ml/xgb_dmatrix.c) and the frame memo it lives in (src/data/frame_memo.c):
 * a second training on the same frames builds nothing and gives the same model,
 * byte for byte, as training on fresh frames; other labels or nthread build anew. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "data/frame_memo.h"
#include "lolpop.h"
#include "ml/xgb.h"
#include "ml/xgb_internal.h"
#include "unit_workflow.h"

#define XGB_FIX LP_FIXTURES_DIR "/xgb"

TestSuite(xgb_shared, .init = uw_setup, .fini = uw_teardown);

/* ---- frame memo ---------------------------------------------------------- */

static int freed;
static void count_free(void *p)
{
    freed++;
    free(p);
}

static lp_frame *small_frame(void)
{
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "a", lp_column_new(LP_DT_FLOAT64, 3)), 0);
    return f;
}

Test(xgb_shared, memo_is_taken_by_its_owner_only)
{
    static const char me = 0, other = 0;
    freed = 0;
    lp_frame *f = small_frame();
    cr_assert_null(lp_frame_memo_take(f, &me));
    int *v = malloc(sizeof *v);
    *v = 7;
    lp_frame_memo_put(f, &me, v, count_free);
    cr_assert_null(lp_frame_memo_take(f, &other));
    int *got = lp_frame_memo_take(f, &me);
    cr_assert_eq(got, v);
    cr_assert_null(lp_frame_memo_take(f, &me), "taken memos leave the frame");
    lp_frame_memo_put(f, &me, got, count_free);
    lp_frame_unref(f);
    cr_assert_eq(freed, 1, "the frame frees its memo");
}

Test(xgb_shared, memo_is_replaced_and_forgotten_when_columns_change)
{
    static const char me = 0;
    freed = 0;
    lp_frame *f = small_frame();
    lp_frame_memo_put(f, &me, malloc(1), count_free);
    lp_frame_memo_put(f, &me, malloc(1), count_free);
    cr_assert_eq(freed, 1, "a second memo frees the first");
    cr_assert_eq(lp_frame_add_column(f, "b", lp_column_new(LP_DT_FLOAT64, 3)), 0);
    cr_assert_eq(freed, 2, "a new column forgets what was derived");
    cr_assert_null(lp_frame_memo_take(f, &me));
    lp_frame_memo_put(NULL, &me, malloc(1), count_free);
    cr_assert_eq(freed, 3, "no frame: freed at once");
    lp_frame_unref(f);
}

/* ---- shared DMatrices ---------------------------------------------------- */

static lp_frame *read_csv(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", XGB_FIX, name);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    return f;
}

typedef struct split {
    lp_frame *Xt, *yt, *Xv, *yv;
} split;

/* The "cat" fixture (two floats and a text feature, numeric y) split into
 * features and target; `target` names the target column. */
static split load(const char *target)
{
    split s;
    const char *names[] = {target}, *y[] = {"y"};
    lp_frame *t = read_csv("cat_train.csv"), *v = read_csv("cat_valid.csv");
    cr_assert_eq(lp_frame_drop(&s.Xt, t, y, 1), 0);
    cr_assert_eq(lp_frame_select(&s.yt, t, names, 1), 0);
    cr_assert_eq(lp_frame_drop(&s.Xv, v, y, 1), 0);
    cr_assert_eq(lp_frame_select(&s.yv, v, names, 1), 0);
    lp_frame_unref(t);
    lp_frame_unref(v);
    return s;
}

static void split_free(split *s)
{
    lp_frame_unref(s->Xt);
    lp_frame_unref(s->yt);
    lp_frame_unref(s->Xv);
    lp_frame_unref(s->yv);
}

static lp_value *params(double eta, int nthread, bool early)
{
    lp_value *p = lp_value_map();
    lp_map_set(p, "max_depth", lp_value_int(3));
    lp_map_set(p, "eta", lp_value_float(eta));
    lp_map_set(p, "nthread", lp_value_int(nthread));
    lp_map_set(p, "num_boost_round", lp_value_int(10));
    if (early) lp_map_set(p, "early_stopping_rounds", lp_value_int(3));
    return p;
}

/* The saved bytes of a model trained on s (with its validation split when early). */
static uint8_t *train_bytes(size_t *len, const split *s, const lp_value *p, bool early)
{
    lp_model *m;
    int rc = lp_xgb_train(&m, s->Xt, s->yt, early ? s->Xv : NULL, early ? s->yv : NULL, p, NULL);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    uint8_t *buf;
    cr_assert_eq(lp_model_save(&buf, len, m), 0, "%s", lp_error_last()->message);
    lp_model_unref(m);
    return buf;
}

static void assert_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                        const char *what)
{
    cr_assert_eq(alen, blen, "%s: %zu vs %zu bytes", what, alen, blen);
    cr_assert(memcmp(a, b, alen) == 0, "%s: the saved models differ", what);
}

Test(xgb_shared, second_training_reuses_the_dmatrices_and_gives_the_same_model)
{
    split s = load("y"), fresh = load("y");
    lp_value *p1 = params(0.3, 1, true), *p2 = params(0.1, 1, true);
    size_t l1, l2, l3;
    unsigned long b0 = lp_xgb_shared_builds();
    uint8_t *m1 = train_bytes(&l1, &s, p1, true);
    cr_assert_eq(lp_xgb_shared_builds() - b0, 2, "training and validation DMatrices built");
    uint8_t *m2 = train_bytes(&l2, &s, p2, true);
    cr_assert_eq(lp_xgb_shared_builds() - b0, 2, "the second training builds nothing");
    uint8_t *m3 = train_bytes(&l3, &fresh, p2, true);
    cr_assert_eq(lp_xgb_shared_builds() - b0, 4, "other frames: their own DMatrices");
    assert_same(m2, l2, m3, l3, "shared vs fresh DMatrices");
    cr_assert(l1 != l2 || memcmp(m1, m2, l1) != 0, "eta 0.3 and 0.1 give different models");
    free(m1);
    free(m2);
    free(m3);
    lp_value_unref(p1);
    lp_value_unref(p2);
    split_free(&s);
    split_free(&fresh);
}

Test(xgb_shared, other_labels_or_nthread_build_a_new_dmatrix)
{
    split s = load("y"), other = load("x0"), fresh = load("x0");
    lp_frame_unref(other.Xt);
    other.Xt = lp_frame_ref(s.Xt); /* the same features, another target */
    lp_value *p = params(0.3, 1, false), *p2 = params(0.3, 2, false);
    size_t l1, l2, l3, l4;
    unsigned long b0 = lp_xgb_shared_builds();
    free(train_bytes(&l1, &s, p, false));
    cr_assert_eq(lp_xgb_shared_builds() - b0, 1);
    uint8_t *a = train_bytes(&l2, &other, p, false);
    cr_assert_eq(lp_xgb_shared_builds() - b0, 2, "other labels: a new DMatrix");
    uint8_t *b = train_bytes(&l3, &fresh, p, false);
    assert_same(a, l2, b, l3, "labels changed on a shared frame vs fresh frames");
    uint8_t *c = train_bytes(&l4, &other, p2, false);
    cr_assert_eq(lp_xgb_shared_builds() - b0, 4, "other nthread: a new DMatrix");
    free(a);
    free(b);
    free(c);
    lp_value_unref(p);
    lp_value_unref(p2);
    split_free(&s);
    split_free(&other);
    split_free(&fresh);
}

/* ---- category dictionaries (distinct_texts, hashed before sorting) -------- */

Test(xgb_shared, text_feature_categories_are_the_sorted_distinct_values)
{
    /* 300 rows over 150 texts (past the hash set's first growth), each twice, in
     * an order that is not sorted; missing values and a one-byte text among them */
    lp_sb sb = {0};
    lp_sb_append(&sb, "t,x,y\n");
    for (int r = 0; r < 300; r++) {
        int k = (r * 37) % 150; /* 37 and 150 are coprime: every k twice */
        if (r % 50 == 7) lp_sb_appendf(&sb, ",%d,%d\n", r, r % 2);
        if (k == 0)
            lp_sb_appendf(&sb, "z,%d,%d\n", r, r % 2);
        else
            lp_sb_appendf(&sb, "v%03d,%d,%d\n", 150 - k, r, r % 2);
    }
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, sb.buf, sb.len, "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_sb_free(&sb);
    const char *yn[] = {"y"};
    lp_frame *X, *y;
    cr_assert_eq(lp_frame_drop(&X, f, yn, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, yn, 1), 0);
    lp_value *p = params(0.3, 1, false);
    lp_model *m;
    cr_assert_eq(lp_xgb_train(&m, X, y, NULL, NULL, p, NULL), 0, "%s", lp_error_last()->message);
    cr_assert(lp_model_feature_is_categorical(m, 0));
    size_t n = lp_model_n_categories(m, 0);
    cr_assert_eq(n, 150, "149 'vNNN' and 'z': %zu", n);
    for (size_t c = 0; c + 1 < n; c++) {
        char want[32];
        snprintf(want, sizeof want, "v%03zu", c + 1);
        cr_assert_str_eq(lp_model_category(m, 0, c), want);
    }
    cr_assert_str_eq(lp_model_category(m, 0, n - 1), "z");
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(f);
}
