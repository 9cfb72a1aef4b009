/*
 * local.c — LocalDataSplitter: a frame into train / valid [/ test] splits.
 *
 *   data_splitter:
 *     config:
 *       split_ratio: [0.8, 0.1, 0.1]   # 2 or 3 parts summing to 1 (default [0.8, 0.2])
 *       split_type: stratified         # random (default) | stratified | time
 *       seed: 42                       # default 0
 *       drop_columns: [name]           # also dropped from X
 *
 * `model_target` (usually from the runner's config) becomes y_*, a one-column
 * frame; X_* is every other column except `model_index` (an id, not a
 * feature) and `drop_columns`. Split sizes come from the largest-remainder
 * method over the row count (ties to the earlier split), so [0.8, 0.2] of 10
 * rows is exactly 8 and 2. Random and stratified splits shuffle with our own
 * seeded PRNG (splitmix64), so a seed gives the same splits on every
 * platform; stratified allocates each class separately, so each class's share
 * in every split is within one row of its exact proportion. Time splits order
 * rows by `time_index` (stable) and give the earliest to train, unshuffled.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/frame_origin.h"
#include "lolpop/frame.h"

typedef enum split_type { SPLIT_RANDOM, SPLIT_STRATIFIED, SPLIT_TIME } split_type;
static const char *const split_type_names[] = {"random", "stratified", "time"};
static const char *const split_names[] = {"train", "valid", "test"};

typedef struct splitter {
    char *target, *index, *time_index; /* index and time_index may be NULL */
    char **drop;
    size_t n_drop;
    double ratio[3];
    size_t parts;
    split_type type;
    uint64_t seed;
} splitter;

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* ---- PRNG: splitmix64 (Steele, Lea, Flood 2014), the same on every platform ------ */

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound) without modulo bias (rejection of the short tail). */
static size_t uniform(uint64_t *s, size_t bound)
{
    uint64_t b = (uint64_t)bound, threshold = (0 - b) % b, r;
    do
        r = next_u64(s);
    while (r < threshold);
    return (size_t)(r % b);
}

/* Fisher–Yates. */
static void shuffle(size_t *v, size_t n, uint64_t *s)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = uniform(s, i), t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* ---- configuration ---------------------------------------------------------------- */

static int cfg_error(lp_obj *self, const lp_value *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A configuration error, at the value's file position when it has one. */
static int cfg_error(lp_obj *self, const lp_value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lp_error_setv_at_value(LP_ECONFIG, v, fmt, ap);
    va_end(ap);
    lp_error_prefix("LocalDataSplitter (%s)", path_of(self));
    return rc;
}

static int read_ratio(lp_obj *self, splitter *st)
{
    lp_value *v = lp_obj_config(self, "split_ratio");
    int rc = 0;
    if (!v) {
        st->ratio[0] = 0.8;
        st->ratio[1] = 0.2;
        st->parts = 2;
        return 0;
    }
    size_t n = lp_list_len(v);
    double sum = 0;
    if (lp_value_type(v) != LP_LIST || n < 2 || n > 3)
        rc = cfg_error(self, v, "split_ratio must be a list of 2 or 3 numbers");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const lp_value *x = lp_list_get(v, i);
        if ((lp_value_type(x) != LP_INT && lp_value_type(x) != LP_FLOAT) ||
            !(lp_value_as_float(x) > 0) || !(lp_value_as_float(x) < 1))
            rc = cfg_error(self, x, "split_ratio entries must be numbers between 0 and 1");
        else
            sum += st->ratio[i] = lp_value_as_float(x);
    }
    if (rc == 0 && fabs(sum - 1.0) > 1e-9) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", sum);
        rc = cfg_error(self, v, "split_ratio must sum to 1 (it sums to %s)", buf);
    }
    st->parts = n;
    lp_value_unref(v);
    return rc;
}

static int read_type(lp_obj *self, splitter *st)
{
    lp_value *v = lp_obj_config(self, "split_type");
    const char *s = lp_value_as_string(v);
    int rc = 0;
    st->type = SPLIT_RANDOM;
    if (v) {
        size_t k = 0;
        while (k < 3 && !(s && lp_streq_nocase(s, split_type_names[k])))
            k++;
        if (k < 3) {
            st->type = (split_type)k;
        } else {
            const char *sug = s ? lp_suggest(s, split_type_names, 3) : NULL;
            rc = sug ? cfg_error(self, v,
                                 "split_type '%s' is not one of random, stratified, time; did you "
                                 "mean '%s'?",
                                 s, sug)
                     : cfg_error(self, v, "split_type '%s' is not one of random, stratified, time",
                                 s ? s : "?");
        }
    }
    lp_value_unref(v);
    return rc;
}

static int read_seed(lp_obj *self, splitter *st)
{
    lp_value *v = lp_obj_config(self, "seed");
    int rc = 0;
    if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < 0))
        rc = cfg_error(self, v, "seed must be a non-negative integer");
    st->seed = v && rc == 0 ? (uint64_t)lp_value_as_int(v) : 0;
    lp_value_unref(v);
    return rc;
}

static int read_drop(lp_obj *self, splitter *st)
{
    lp_value *v = lp_obj_config(self, "drop_columns");
    int rc = 0;
    size_t n = lp_list_len(v);
    if (v && lp_value_type(v) != LP_LIST)
        rc = cfg_error(self, v, "drop_columns must be a list of column names");
    else if (n && !(st->drop = calloc(n, sizeof *st->drop)))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *s = lp_value_as_string(lp_list_get(v, i));
        if (!s)
            rc = cfg_error(self, lp_list_get(v, i), "drop_columns must be a list of column names");
        else if (!(st->drop[st->n_drop++] = lp_strdup(s)))
            rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    return rc;
}

static void free_config(splitter *st)
{
    free(st->target);
    free(st->index);
    free(st->time_index);
    for (size_t i = 0; i < st->n_drop; i++)
        free(st->drop[i]);
    free(st->drop);
    memset(st, 0, sizeof *st);
}

static int splitter_init(lp_obj *self)
{
    splitter *st = lp_obj_state(self);
    st->target = lp_obj_config_string(self, "model_target");
    st->index = lp_obj_config_string(self, "model_index");
    st->time_index = lp_obj_config_string(self, "time_index");
    int rc = 0;
    if (!st->target) rc = cfg_error(self, NULL, "model_target is required (the column to predict)");
    if (rc == 0) rc = read_ratio(self, st);
    if (rc == 0) rc = read_type(self, st);
    if (rc == 0) rc = read_seed(self, st);
    if (rc == 0) rc = read_drop(self, st);
    if (rc == 0 && st->type == SPLIT_TIME && !st->time_index)
        rc = cfg_error(self, NULL, "split_type time needs time_index (the column to order by)");
    if (rc) free_config(st); /* a failed init gets no fini */
    return rc;
}

static void splitter_fini(lp_obj *self)
{
    free_config(lp_obj_state(self));
}

/* ---- checks on the frame ------------------------------------------------------------- */

/* Appends "'name'" or "'name' (did you mean 'x'?)" to sb for a missing column. */
static void describe_missing(lp_sb *sb, const lp_frame *f, const char *name)
{
    size_t n = lp_frame_cols(f);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    const char *s = NULL;
    if (names) {
        for (size_t j = 0; j < n; j++)
            names[j] = lp_frame_name(f, j);
        s = lp_suggest(name, names, n);
    }
    lp_sb_appendf(sb, "'%s'", name);
    if (s) lp_sb_appendf(sb, " (did you mean '%s'?)", s);
    free(names);
}

static int need_column(lp_obj *self, const lp_frame *f, const char *name, const char *what)
{
    if (lp_frame_find(f, name) >= 0) return 0;
    lp_sb sb = {0};
    describe_missing(&sb, f, name);
    char *desc = lp_sb_take(&sb);
    int rc = lp_error_set(LP_ENOTFOUND, "LocalDataSplitter (%s): %s column %s is not in the frame",
                          path_of(self), what, desc);
    free(desc);
    return rc;
}

static int check_drop_columns(lp_obj *self, const splitter *st, const lp_frame *f)
{
    lp_sb sb = {0};
    size_t bad = 0;
    for (size_t i = 0; i < st->n_drop; i++) {
        if (lp_frame_find(f, st->drop[i]) >= 0) continue;
        if (bad++) lp_sb_append(&sb, ", ");
        describe_missing(&sb, f, st->drop[i]);
    }
    if (!bad) return 0;
    char *desc = lp_sb_take(&sb);
    int rc = lp_error_set(LP_ENOTFOUND,
                          "LocalDataSplitter (%s): drop_columns names %s not in the frame: %s",
                          path_of(self), bad == 1 ? "a column" : "columns", desc);
    free(desc);
    return rc;
}

static size_t count_missing(const lp_column *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++) {
        size_t len;
        bool str = c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY;
        if (str ? !lp_column_str(c, i, &len) : isnan(lp_column_get_f64(c, i))) n++;
    }
    return n;
}

static int check_frame(lp_obj *self, const splitter *st, const lp_frame *f)
{
    int rc = need_column(self, f, st->target, "model_target");
    if (rc == 0 && st->index) rc = need_column(self, f, st->index, "model_index");
    if (rc == 0 && st->type == SPLIT_TIME) rc = need_column(self, f, st->time_index, "time_index");
    if (rc == 0) rc = check_drop_columns(self, st, f);
    if (rc) return rc;
    size_t miss = count_missing(lp_frame_col_by_name(f, st->target));
    if (miss)
        return lp_error_set(LP_EINVAL,
                            "LocalDataSplitter (%s): model_target '%s' has %zu missing value%s; "
                            "drop or fill those rows first",
                            path_of(self), st->target, miss, miss == 1 ? "" : "s");
    if (st->type == SPLIT_TIME &&
        (miss = count_missing(lp_frame_col_by_name(f, st->time_index))) != 0)
        return lp_error_set(LP_EINVAL,
                            "LocalDataSplitter (%s): time_index '%s' has %zu missing value%s",
                            path_of(self), st->time_index, miss, miss == 1 ? "" : "s");
    if (lp_frame_rows(f) < st->parts)
        return lp_error_set(LP_EINVAL, "LocalDataSplitter (%s): %zu row%s cannot make %zu splits",
                            path_of(self), lp_frame_rows(f), lp_frame_rows(f) == 1 ? "" : "s",
                            st->parts);
    return 0;
}

/* ---- allocation ------------------------------------------------------------------------ */

/* Largest remainder: counts[p] ≈ n * ratio[p], summing to n; ties go to the
 * earlier split. The epsilon keeps 0.29 * 100 from flooring to 28. */
static void allocate(size_t counts[3], size_t n, const splitter *st)
{
    double frac[3];
    size_t given = 0;
    for (size_t p = 0; p < st->parts; p++) {
        double exact = (double)n * st->ratio[p];
        double base = floor(exact + 1e-9);
        counts[p] = (size_t)base;
        frac[p] = exact - base;
        given += counts[p];
    }
    while (given > n) { /* only when the epsilon rounded several parts up */
        size_t p = 0;
        while (counts[p] == 0)
            p++;
        for (size_t q = p + 1; q < st->parts; q++)
            if (frac[q] < frac[p] && counts[q] > 0) p = q;
        counts[p]--;
        frac[p] += 1;
        given--;
    }
    while (given < n) {
        size_t best = 0;
        for (size_t q = 1; q < st->parts; q++)
            if (frac[q] > frac[best]) best = q;
        counts[best]++;
        frac[best] = -1; /* one extra row per split at most */
        given++;
    }
}

/* A sortable row key: a string value, an integer or a double. */
typedef struct row_key {
    const char *s;
    size_t len;
    int64_t i;
    double d;
    size_t row;
    int kind; /* 0 string, 1 int, 2 double */
} row_key;

static int row_key_cmp(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    int c = 0;
    if (a->kind == 0) {
        c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
        if (!c) c = (a->len > b->len) - (a->len < b->len);
    } else if (a->kind == 1) {
        c = (a->i > b->i) - (a->i < b->i);
    } else {
        c = (a->d > b->d) - (a->d < b->d);
    }
    return c ? c : (a->row > b->row) - (a->row < b->row); /* stable */
}

/* Rows sorted by the column's values (then by row number). malloc'ed. */
static row_key *sorted_keys(const lp_column *c)
{
    row_key *k = malloc((c->length ? c->length : 1) * sizeof *k);
    if (!k) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    int kind = c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY   ? 0
               : c->type == LP_DT_INT64 || c->type == LP_DT_TIMESTAMP ? 1
                                                                      : 2;
    for (size_t r = 0; r < c->length; r++) {
        k[r] = (row_key){.row = r, .kind = kind};
        if (kind == 0)
            k[r].s = lp_column_str(c, r, &k[r].len);
        else if (kind == 1)
            k[r].i = c->data.i64[r];
        else
            k[r].d = lp_column_get_f64(c, r);
    }
    qsort(k, c->length, sizeof *k, row_key_cmp);
    return k;
}

static bool same_key(const row_key *a, const row_key *b)
{
    row_key x = *a, y = *b;
    x.row = y.row = 0;
    return row_key_cmp(&x, &y) == 0;
}

/* The splits' row lists; idx[p] holds counts[p] rows. */
typedef struct splits {
    size_t *idx[3];
    size_t counts[3];
} splits;

static void splits_free(splits *s)
{
    for (size_t p = 0; p < 3; p++)
        free(s->idx[p]);
}

static int splits_alloc(splits *s, size_t n)
{
    memset(s, 0, sizeof *s);
    for (size_t p = 0; p < 3; p++)
        if (!(s->idx[p] = malloc((n ? n : 1) * sizeof(size_t)))) {
            splits_free(s);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
    return 0;
}

/* Deals rows[0..n) out in order: the first counts[0] to train, and so on. */
static void deal(splits *s, const size_t *rows, const size_t counts[3], size_t parts)
{
    for (size_t p = 0, k = 0; p < parts; p++)
        for (size_t c = 0; c < counts[p]; c++)
            s->idx[p][s->counts[p]++] = rows[k++];
}

static int empty_split(lp_obj *self, const splitter *st, const size_t counts[3], size_t n)
{
    for (size_t p = 0; p < st->parts; p++)
        if (counts[p] == 0)
            return lp_error_set(LP_EINVAL,
                                "LocalDataSplitter (%s): split_ratio leaves the %s split empty "
                                "with %zu rows",
                                path_of(self), split_names[p], n);
    return 0;
}

static int split_plain(lp_obj *self, const splitter *st, splits *s, const lp_frame *f)
{
    size_t n = lp_frame_rows(f), counts[3] = {0};
    allocate(counts, n, st);
    int rc = empty_split(self, st, counts, n);
    size_t *rows = rc ? NULL : malloc((n ? n : 1) * sizeof *rows);
    if (rc == 0 && !rows) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc) return rc;
    if (st->type == SPLIT_TIME) {
        row_key *k = sorted_keys(lp_frame_col_by_name(f, st->time_index));
        if (!k) {
            free(rows);
            return LP_ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
            rows[i] = k[i].row;
        free(k);
    } else {
        uint64_t state = st->seed;
        for (size_t i = 0; i < n; i++)
            rows[i] = i;
        shuffle(rows, n, &state);
    }
    deal(s, rows, counts, st->parts);
    free(rows);
    return 0;
}

/* k's value as text for messages (into buf, cap >= 64). */
static const char *key_text(const row_key *k, char *buf, size_t cap)
{
    if (k->kind == 0)
        snprintf(buf, cap, "%.*s", (int)(k->len > 60 ? 60 : k->len), k->s ? k->s : "");
    else if (k->kind == 1)
        snprintf(buf, cap, "%lld", (long long)k->i);
    else
        snprintf(buf, cap, "%.17g", k->d);
    return buf;
}

static int too_few(lp_obj *self, const splitter *st, const row_key *k, size_t size)
{
    char buf[64];
    return lp_error_set(LP_EINVAL,
                        "LocalDataSplitter (%s): class '%s' of model_target '%s' has %zu row%s, "
                        "too few to stratify over %zu splits (each split needs at least one)",
                        path_of(self), key_text(k, buf, sizeof buf), st->target, size,
                        size == 1 ? "" : "s", st->parts);
}

/* A classification split in which some class has no training row cannot be
 * scored (the model never saw it): said before training, with what to do. */
static int check_classes_in_train(lp_obj *self, const splitter *st, const splits *s,
                                  const lp_frame *f)
{
    if (st->type == SPLIT_STRATIFIED) return 0;
    const lp_column *c = lp_frame_col_by_name(f, st->target);
    /* problem_type as the trainers read it: unset, a text or bool target is
     * classification and a number is left to the trainer */
    char *type = lp_obj_config_string(self, "problem_type");
    bool text = c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY || c->type == LP_DT_BOOL;
    bool classify = type ? lp_streq_nocase(type, "classification") : text;
    free(type);
    if (!classify) return 0;
    size_t n = c->length;
    bool *in_train = calloc(n ? n : 1, sizeof *in_train);
    row_key *k = in_train ? sorted_keys(c) : NULL;
    if (!k) {
        free(in_train);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->counts[0]; i++)
        in_train[s->idx[0][i]] = true;
    size_t classes = 0, unseen = 0, small = 0, first = SIZE_MAX;
    for (size_t a = 0, b; a < n; a = b) {
        bool seen = false;
        for (b = a; b < n && same_key(&k[a], &k[b]); b++)
            seen = seen || in_train[k[b].row];
        classes++;
        small += b - a < st->parts;
        if (!seen && unseen++ == 0) first = a;
    }
    int rc = 0;
    if (unseen) {
        char buf[64];
        rc = lp_error_set(
            LP_EINVAL,
            "LocalDataSplitter (%s): the %s split left %zu of the %zu classes of model_target "
            "'%s' out of training (first: '%s'), so the model cannot learn or be scored on "
            "them; %s",
            path_of(self), split_type_names[st->type], unseen, classes, st->target,
            key_text(&k[first], buf, sizeof buf),
            small ? "some classes have fewer rows than there are splits: merge or drop rare "
                    "classes, or give more data"
                  : "use split_type: stratified, which puts every class in every split");
    }
    free(k);
    free(in_train);
    return rc;
}

/* Each class (rows with one target value) is shuffled and allocated on its
 * own; each split is shuffled afterwards so classes are interleaved. */
static int split_stratified(lp_obj *self, const splitter *st, splits *s, const lp_frame *f)
{
    row_key *k = sorted_keys(lp_frame_col_by_name(f, st->target));
    size_t n = lp_frame_rows(f), *rows = malloc((n ? n : 1) * sizeof *rows);
    uint64_t state = st->seed;
    int rc = k && rows ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t start = 0, end; rc == 0 && start < n; start = end) {
        for (end = start + 1; end < n && same_key(&k[start], &k[end]); end++)
            ;
        size_t size = end - start, counts[3] = {0};
        allocate(counts, size, st);
        for (size_t p = 0; p < st->parts; p++)
            if (counts[p] == 0) rc = too_few(self, st, &k[start], size);
        if (rc) break;
        for (size_t i = 0; i < size; i++)
            rows[i] = k[start + i].row;
        shuffle(rows, size, &state);
        deal(s, rows, counts, st->parts);
    }
    for (size_t p = 0; rc == 0 && p < st->parts; p++)
        shuffle(s->idx[p], s->counts[p], &state);
    free(rows);
    free(k);
    return rc;
}

/* ---- assembling the result ---------------------------------------------------------------- */

/* X: the frame without the target, the index and drop_columns. */
static int make_x(lp_frame **out, const splitter *st, const lp_frame *f)
{
    const char **names = malloc((st->n_drop + 2) * sizeof *names);
    if (!names) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t n = 0;
    names[n++] = st->target;
    if (st->index && strcmp(st->index, st->target) != 0) names[n++] = st->index;
    for (size_t i = 0; i < st->n_drop; i++) {
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || strcmp(names[j], st->drop[i]) == 0;
        if (!dup) names[n++] = st->drop[i];
    }
    int rc = lp_frame_drop(out, f, names, n);
    free(names);
    return rc;
}

/* Puts rows `rows` of f (X or y, columns of the split frame) under key; the
 * new frame remembers that it is those rows of the split frame (o, may be
 * NULL), so that step recording stores it as a row list. */
static int put_take(lp_value *map, const char *key, const lp_frame *f, const size_t *rows, size_t n,
                    lp_frame_origin *o)
{
    lp_frame *t = NULL;
    int rc = lp_frame_take(&t, f, rows, n);
    if (rc) return rc;
    lp_frame_origin_set(t, f, o);
    lp_value *v = lp_value_frame(t);
    lp_frame_unref(t);
    if (!v) return LP_ENOMEM;
    return lp_map_set(map, key, v);
}

static lp_value *build_result(const splitter *st, const splits *s, lp_frame *f)
{
    lp_frame *X = NULL, *y = NULL;
    lp_value *map = lp_value_map();
    int rc = map ? make_x(&X, st, f) : LP_ENOMEM;
    if (rc == 0) rc = lp_frame_select(&y, f, (const char *const *)&st->target, 1);
    for (size_t p = 0; rc == 0 && p < st->parts; p++) {
        char kx[16], ky[16];
        snprintf(kx, sizeof kx, "X_%s", split_names[p]);
        snprintf(ky, sizeof ky, "y_%s", split_names[p]);
        /* without an origin (a frame over 2^32-1 rows) the split is stored whole */
        lp_frame_origin *o = lp_frame_origin_new(f, s->idx[p], s->counts[p]);
        if (!o) lp_error_clear();
        rc = put_take(map, kx, X, s->idx[p], s->counts[p], o);
        if (rc == 0) rc = put_take(map, ky, y, s->idx[p], s->counts[p], o);
        lp_frame_origin_unref(o);
    }
    if (X) lp_frame_unref(X);
    if (y) lp_frame_unref(y);
    if (rc) {
        lp_value_unref(map);
        return NULL;
    }
    return map;
}

/* split_data(frame) -> splits: X_train, y_train, X_valid, y_valid [, X_test, y_test]. */
static lp_value *splitter_split_data(lp_obj *self, lp_value *args)
{
    splitter *st = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", NULL);
    if (!f) return NULL;
    splits s;
    if (check_frame(self, st, f) || splits_alloc(&s, lp_frame_rows(f))) return NULL;
    int rc = st->type == SPLIT_STRATIFIED ? split_stratified(self, st, &s, f)
                                          : split_plain(self, st, &s, f);
    if (rc == 0) rc = check_classes_in_train(self, st, &s, f);
    lp_value *result = rc ? NULL : build_result(st, &s, f);
    if (result)
        lp_log(self, LP_LOG_DEBUG, "%s split of %zu rows: %zu / %zu / %zu",
               split_type_names[st->type], lp_frame_rows(f), s.counts[0], s.counts[1], s.counts[2]);
    splits_free(&s);
    return result;
}

static const lp_method splitter_methods[] = {
    {"split_data", splitter_split_data,
     "split_data(frame) -> splits: map with X_train, y_train, X_valid, y_valid [, X_test, "
     "y_test]"},
    {NULL, NULL, NULL},
};

static const lp_config_key splitter_keys[] = {
    {"model_target", "string", "the column to predict; becomes y_* (usually set on the runner)"},
    {"model_index", "string", "an id column, left out of X_* (usually set on the runner)"},
    {"split_ratio", "list",
     "2 or 3 fractions summing to 1: train, valid [, test]; default "
     "[0.8, 0.2]"},
    {"split_type", "string",
     "random (default), stratified (by model_target) or time (ordered "
     "by time_index, earliest in train)"},
    {"seed", "int", "seed of the shuffle for random and stratified splits; default 0"},
    {"time_index", "string", "the column that orders rows for split_type time"},
    {"drop_columns", "list", "columns left out of X_*"},
    {NULL, NULL, NULL},
};

static const char *const splitter_requirements[] = {"config.model_target", NULL};

const lp_class lp_local_data_splitter_class = {
    .name = "LocalDataSplitter",
    .kind = LP_KIND_COMPONENT,
    .type = "data_splitter",
    .doc = "Splits a frame into X_train/y_train, X_valid/y_valid and, with three ratios, "
           "X_test/y_test. Sizes follow split_ratio exactly (largest remainder). random shuffles "
           "with a seeded, platform-independent generator; stratified keeps each class of "
           "model_target within one row of its proportion in every split; time orders rows by "
           "time_index and gives the earliest to train. model_index and drop_columns are left "
           "out of X.",
    .defaults_yaml = NULL,
    .requirements = splitter_requirements,
    .config_keys = splitter_keys,
    .methods = splitter_methods,
    .state_size = sizeof(splitter),
    .init = splitter_init,
    .fini = splitter_fini,
};
