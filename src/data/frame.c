/*
 * frame.c — frames as ordered lists of named, shared columns: construction,
 * lookup, the column operations (select, drop, rename) and frame values.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"
#include "data/frame_memo.h"
#include "data/frame_origin.h"

lp_frame *lp_frame_with_capacity(size_t rows, size_t cap)
{
    lp_frame *f = calloc(1, sizeof *f);
    if (!f) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    f->refs = 1;
    f->rows = rows;
    f->cap = cap ? cap : 4;
    f->names = calloc(f->cap, sizeof *f->names);
    f->cols = calloc(f->cap, sizeof *f->cols);
    if (!f->names || !f->cols) {
        lp_frame_unref(f);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return f;
}

LP_API lp_frame *lp_frame_new(void)
{
    return lp_frame_with_capacity(0, 4);
}

LP_API lp_frame *lp_frame_ref(lp_frame *f)
{
    if (f) __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

LP_API void lp_frame_unref(lp_frame *f)
{
    if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    lp_frame_memo_clear(f);
    lp_frame_origin_clear(f);
    for (size_t j = 0; j < f->ncols; j++) {
        free(f->names[j]);
        lp_column_unref(f->cols[j]);
    }
    free(f->names);
    free(f->cols);
    lp_name_index_free(&f->index);
    free(f);
}

/* Indexes column j's name once the frame is wide enough to need it (all
 * earlier names too when the index is not complete). The index is only a
 * speed-up: when memory runs out it is dropped and look-ups scan. */
static void index_name(lp_frame *f, size_t j)
{
    if (j + 1 < LP_FRAME_INDEX_MIN) return;
    for (size_t i = f->indexed == j ? j : 0; i <= j; i++)
        if (lp_name_index_add(&f->index, f->names[i], i)) {
            lp_name_index_free(&f->index);
            f->indexed = 0;
            lp_error_clear();
            return;
        }
    f->indexed = j + 1;
}

int lp_frame_push(lp_frame *f, const char *name, lp_column *col)
{
    if (f->ncols == f->cap) {
        size_t ncap = f->cap * 2;
        char **nn = realloc(f->names, ncap * sizeof *nn);
        if (nn) f->names = nn;
        lp_column **nc = nn ? realloc(f->cols, ncap * sizeof *nc) : NULL;
        if (!nc) {
            lp_column_unref(col);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        f->cols = nc;
        f->cap = ncap;
    }
    char *copy = lp_strdup(name);
    if (!copy) {
        lp_column_unref(col);
        return LP_ENOMEM;
    }
    if (f->ncols == 0) f->rows = col->length;
    atomic_store(&f->hash_state, 0);   /* a new column: a new content hash */
    atomic_store(&f->object_state, 0); /* and new serialised bytes */
    atomic_store(&f->dups_state, 0);   /* and maybe new duplicate rows */
    lp_frame_memo_clear(f);            /* and nothing derived from the old columns */
    lp_frame_origin_clear(f);          /* nor is it only rows of another frame */
    f->names[f->ncols] = copy;
    f->cols[f->ncols++] = col;
    index_name(f, f->ncols - 1);
    return 0;
}

LP_API int lp_frame_add_column(lp_frame *f, const char *name, lp_column *col)
{
    int rc = 0;
    if (!f || !col || !name)
        rc = lp_error_set(LP_EINVAL, "lp_frame_add_column: frame, name and column are required");
    else if (__atomic_load_n(&f->refs, __ATOMIC_RELAXED) > 1)
        rc = lp_error_set(LP_EINVAL, "cannot add column '%s' to a shared frame", name);
    else if (lp_frame_find(f, name) >= 0)
        rc = lp_error_set(LP_EEXISTS, "duplicate column name '%s'", name);
    else if (f->ncols > 0 && col->length != f->rows)
        rc = lp_error_set(LP_EINVAL, "column '%s' has %zu rows but the frame has %zu", name,
                          col->length, f->rows);
    if (rc) {
        lp_column_unref(col);
        return rc;
    }
    return lp_frame_push(f, name, col);
}

LP_API size_t lp_frame_rows(const lp_frame *f)
{
    return f ? f->rows : 0;
}

LP_API size_t lp_frame_cols(const lp_frame *f)
{
    return f ? f->ncols : 0;
}

LP_API const char *lp_frame_name(const lp_frame *f, size_t j)
{
    return f && j < f->ncols ? f->names[j] : NULL;
}

LP_API lp_column *lp_frame_col(const lp_frame *f, size_t j)
{
    return f && j < f->ncols ? f->cols[j] : NULL;
}

char *lp_frame_unused_name(const lp_frame *f, const char *first, const char *stem)
{
    if (lp_frame_find(f, first) < 0) return lp_strdup(first);
    for (unsigned k = 2;; k++) {
        char *alt = lp_asprintf("%s_%u", stem, k);
        if (!alt || lp_frame_find(f, alt) < 0) return alt;
        free(alt);
    }
}

LP_API long lp_frame_find(const lp_frame *f, const char *name)
{
    if (!f || !name) return -1;
    size_t at;
    if (f->indexed && f->indexed == f->ncols)
        return lp_name_index_get(&f->index, name, &at) ? (long)at : -1;
    for (size_t j = 0; j < f->ncols; j++)
        if (strcmp(f->names[j], name) == 0) return (long)j;
    return -1;
}

LP_API lp_column *lp_frame_col_by_name(const lp_frame *f, const char *name)
{
    long j = lp_frame_find(f, name);
    return j < 0 ? NULL : f->cols[j];
}

int lp_frame_unknown_column(const lp_frame *f, const char *name, const char *what)
{
    const char *s = lp_suggest(name, (const char *const *)f->names, f->ncols);
    if (s)
        return lp_error_set(LP_ENOTFOUND, "unknown column '%s' in %s (did you mean '%s'?)", name,
                            what, s);
    lp_sb sb = {0};
    for (size_t j = 0; j < f->ncols && j < 10; j++)
        lp_sb_appendf(&sb, "%s'%s'", j ? ", " : "", f->names[j]);
    if (f->ncols > 10) lp_sb_append(&sb, ", ...");
    int rc = lp_error_set(LP_ENOTFOUND, "unknown column '%s' in %s (columns: %s)", name, what,
                          f->ncols ? sb.buf : "none");
    lp_sb_free(&sb);
    return rc;
}

LP_API int lp_frame_select(lp_frame **out, const lp_frame *f, const char *const *names, size_t n)
{
    *out = NULL;
    if (!f) return lp_error_set(LP_EINVAL, "select: no frame");
    for (size_t k = 0; k < n; k++) {
        if (!names[k] || lp_frame_find(f, names[k]) < 0)
            return lp_frame_unknown_column(f, names[k] ? names[k] : "(null)", "select");
        for (size_t m = 0; m < k; m++)
            if (strcmp(names[m], names[k]) == 0)
                return lp_error_set(LP_EINVAL, "select: column '%s' is listed twice", names[k]);
    }
    lp_frame *r = lp_frame_with_capacity(f->rows, n);
    if (!r) return LP_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        long j = lp_frame_find(f, names[k]);
        int rc = lp_frame_push(r, names[k], lp_column_ref(f->cols[j]));
        if (rc) {
            lp_frame_unref(r);
            return rc;
        }
    }
    r->rows = f->rows;
    *out = r;
    return 0;
}

LP_API int lp_frame_drop(lp_frame **out, const lp_frame *f, const char *const *names, size_t n)
{
    *out = NULL;
    if (!f) return lp_error_set(LP_EINVAL, "drop: no frame");
    for (size_t k = 0; k < n; k++)
        if (!names[k] || lp_frame_find(f, names[k]) < 0)
            return lp_frame_unknown_column(f, names[k] ? names[k] : "(null)", "drop");
    lp_frame *r = lp_frame_with_capacity(f->rows, f->ncols);
    if (!r) return LP_ENOMEM;
    for (size_t j = 0; j < f->ncols; j++) {
        bool dropped = false;
        for (size_t k = 0; k < n && !dropped; k++)
            dropped = strcmp(names[k], f->names[j]) == 0;
        if (dropped) continue;
        int rc = lp_frame_push(r, f->names[j], lp_column_ref(f->cols[j]));
        if (rc) {
            lp_frame_unref(r);
            return rc;
        }
    }
    r->rows = f->rows;
    *out = r;
    return 0;
}

LP_API int lp_frame_rename(lp_frame **out, const lp_frame *f, const char *from, const char *to)
{
    *out = NULL;
    if (!f || !from || !to)
        return lp_error_set(LP_EINVAL, "rename: frame and both names are required");
    long src = lp_frame_find(f, from);
    if (src < 0) return lp_frame_unknown_column(f, from, "rename");
    long clash = lp_frame_find(f, to);
    if (clash >= 0 && clash != src)
        return lp_error_set(LP_EEXISTS, "rename: cannot rename '%s' to '%s': a column '%s' exists",
                            from, to, to);
    lp_frame *r = lp_frame_with_capacity(f->rows, f->ncols);
    if (!r) return LP_ENOMEM;
    for (size_t j = 0; j < f->ncols; j++) {
        int rc = lp_frame_push(r, (long)j == src ? to : f->names[j], lp_column_ref(f->cols[j]));
        if (rc) {
            lp_frame_unref(r);
            return rc;
        }
    }
    r->rows = f->rows;
    *out = r;
    return 0;
}

/* ---- frames as values ------------------------------------------------------ */

static void frame_handle_free(void *p)
{
    lp_frame_unref(p);
}

static int frame_handle_hash(void *p, uint8_t out[32])
{
    return lp_frame_hash(p, out);
}

static char *frame_handle_describe(void *p)
{
    const lp_frame *f = p;
    return lp_asprintf("%zu rows × %zu cols", f->rows, f->ncols);
}

LP_API const lp_handle_type lp_frame_handle_type = {
    .name = "frame",
    .free = frame_handle_free,
    .hash = frame_handle_hash,
    .describe = frame_handle_describe,
};

LP_API lp_value *lp_value_frame(lp_frame *f)
{
    if (!f) {
        lp_error_set(LP_EINVAL, "lp_value_frame: no frame");
        return NULL;
    }
    return lp_value_handle(&lp_frame_handle_type, lp_frame_ref(f));
}

LP_API lp_frame *lp_value_as_frame(const lp_value *v)
{
    return lp_value_handle_ptr(v, &lp_frame_handle_type);
}
