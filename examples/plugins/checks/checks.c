/*
 * checks.c — workflow test hooks in C (SPEC §8, include/lolpop/testing.h):
 *
 *   check_source_exists   pre-hook for a method with a `source` argument
 *                         (data_transformer.transform, process.transform_data):
 *                         every file the source names exists and is a regular
 *                         file; frames pass as they are
 *   check_label_counts    post-hook for a method returning a frame: the label
 *                         column (config model_target) has at least two classes,
 *                         none missing, each at least MIN_LABEL_SHARE of the
 *                         rows; a frame without that column (data to score)
 *                         passes with a note
 *
 * Attach them in a workflow's `tests:` section (see checks_plan.yaml):
 *
 *     process:
 *       data_transformer:
 *         tests:
 *           transform:
 *             pre_hooks:
 *               - hook: libchecks.so:check_source_exists
 *             post_hooks:
 *               - hook: libchecks.so:check_label_counts
 *
 * A hook decides PASS or FAIL; it returns ERROR when it cannot decide (an
 * argument of the wrong type, configuration it needs is missing). It never
 * changes the method's result and never aborts.
 *
 * The file also defines an (empty) plugin entry point, so it may sit in a
 * plugin directory: lolpop loads every *.so there as a plugin.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <lolpop.h>
#include <lolpop/testing.h>

/* The hooks: exported (LP_TEST_HOOK) with the lp_test_hook_fn signature.
 * Declared first because the build uses -Wmissing-prototypes. */
LP_TEST_HOOK int check_source_exists(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int check_label_counts(const lp_hook_ctx *ctx, char *msg, size_t size);

/* The smallest share of the rows each class must have (10 %). */
#define MIN_LABEL_SHARE 0.10
/* More distinct labels than this is not a classification target. */
#define MAX_LABELS 64

/* ---- check_source_exists --------------------------------------------------- */

/* PASS when `source` (one value: a path or a frame) is usable; else FAIL or
 * ERROR with msg written. `name` labels it in messages. */
static int source_ok(const lp_value *source, const char *name, char *msg, size_t size)
{
    const lp_frame *f = lp_value_as_frame(source);
    if (f) return LP_TEST_PASS;
    const char *path = lp_value_as_string(source);
    if (!path) {
        snprintf(msg, size, "%s is %s, not a file path or a frame", name,
                 lp_vtype_name(lp_value_type(source)));
        return LP_TEST_ERROR;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(msg, size, "%s '%s' does not exist", name, path);
        return LP_TEST_FAIL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(msg, size, "%s '%s' is not a regular file", name, path);
        return LP_TEST_FAIL;
    }
    return LP_TEST_PASS;
}

/* Pre-hook: the files the `source` argument names exist. */
LP_TEST_HOOK int check_source_exists(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    const lp_value *source = lp_map_get(ctx->args, "source");
    if (!source) {
        snprintf(msg, size, "%s has no 'source' argument", ctx->method ? ctx->method : "method");
        return LP_TEST_ERROR;
    }
    if (lp_value_type(source) != LP_MAP) {
        int verdict = source_ok(source, "source", msg, size);
        if (verdict == LP_TEST_PASS && lp_value_as_frame(source))
            snprintf(msg, size, "source is a frame of %zu rows",
                     lp_frame_rows(lp_value_as_frame(source)));
        else if (verdict == LP_TEST_PASS)
            snprintf(msg, size, "source '%s' exists", lp_value_as_string(source));
        return verdict;
    }
    for (size_t i = 0; i < lp_map_len(source); i++) {
        char name[128];
        snprintf(name, sizeof name, "source '%s'", lp_map_key(source, i));
        int verdict = source_ok(lp_map_value(source, i), name, msg, size);
        if (verdict != LP_TEST_PASS) return verdict;
    }
    snprintf(msg, size, "all %zu sources are there", lp_map_len(source));
    return LP_TEST_PASS;
}

/* ---- check_label_counts ------------------------------------------------------- */

typedef struct label_counts {
    char label[MAX_LABELS][64];
    size_t count[MAX_LABELS];
    size_t n;       /* distinct labels */
    size_t missing; /* rows without a label */
} label_counts;

/* Value i of c as text (labels compare as text: 1, "1" and 1.0 are one class
 * only if the column has one type, which a column always has). */
static void label_text(const lp_column *c, size_t i, char *out, size_t size)
{
    size_t len = 0;
    const char *s = lp_column_str(c, i, &len);
    if (s)
        snprintf(out, size, "%.*s", (int)len, s);
    else if (c->type == LP_DT_INT64 || c->type == LP_DT_TIMESTAMP)
        snprintf(out, size, "%" PRId64, c->data.i64[i]);
    else if (c->type == LP_DT_BOOL)
        snprintf(out, size, "%s", c->data.b8[i] ? "true" : "false");
    else
        snprintf(out, size, "%.17g", lp_column_get_f64(c, i));
}

/* Counts the labels of c; false when there are more than MAX_LABELS. */
static bool count_labels(label_counts *lc, const lp_column *c)
{
    memset(lc, 0, sizeof *lc);
    for (size_t i = 0; i < c->length; i++) {
        if (!lp_column_is_valid(c, i)) {
            lc->missing++;
            continue;
        }
        char text[64];
        label_text(c, i, text, sizeof text);
        size_t k = 0;
        while (k < lc->n && strcmp(lc->label[k], text) != 0)
            k++;
        if (k == lc->n) {
            if (lc->n == MAX_LABELS) return false;
            memcpy(lc->label[lc->n++], text, sizeof text);
        }
        lc->count[k]++;
    }
    return true;
}

/* The label column's name: config model_target (a borrowed string) or NULL. */
static const char *label_column(const lp_hook_ctx *ctx)
{
    return lp_value_as_string(lp_map_get(ctx->config, "model_target"));
}

/* Writes "label: count (share%), ..." into msg. */
static void describe_counts(const label_counts *lc, size_t rows, const char *column, char *msg,
                            size_t size)
{
    size_t n = (size_t)snprintf(msg, size, "%s:", column);
    for (size_t k = 0; k < lc->n && n < size; k++)
        n += (size_t)snprintf(msg + n, size - n, "%s %s %zu (%.1f%%)", k ? "," : "", lc->label[k],
                              lc->count[k], 100.0 * (double)lc->count[k] / (double)rows);
}

/* Post-hook: the labels of the result frame are fit to train a classifier on. */
LP_TEST_HOOK int check_label_counts(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    const lp_frame *f = lp_value_as_frame(ctx->result);
    const char *column = label_column(ctx);
    if (!f) {
        snprintf(msg, size, "the result is %s, not a frame",
                 lp_vtype_name(lp_value_type(ctx->result)));
        return LP_TEST_ERROR;
    }
    if (!column) {
        snprintf(msg, size, "config model_target is not set: which column holds the labels?");
        return LP_TEST_ERROR;
    }
    const lp_column *c = lp_frame_col_by_name(f, column);
    if (!c) {
        snprintf(msg, size, "no '%s' column: unlabelled data, nothing to check", column);
        return LP_TEST_PASS;
    }
    label_counts lc;
    if (!count_labels(&lc, c)) {
        snprintf(msg, size, "'%s' has more than %d distinct values: not a class label", column,
                 MAX_LABELS);
        return LP_TEST_FAIL;
    }
    size_t rows = lp_frame_rows(f);
    if (lc.missing) {
        snprintf(msg, size, "'%s' has %zu missing labels of %zu rows", column, lc.missing, rows);
        return LP_TEST_FAIL;
    }
    char counts[512];
    describe_counts(&lc, rows, column, counts, sizeof counts);
    if (lc.n < 2) {
        snprintf(msg, size, "a single class, nothing to learn: %s", counts);
        return LP_TEST_FAIL;
    }
    for (size_t k = 0; k < lc.n; k++) {
        if ((double)lc.count[k] < MIN_LABEL_SHARE * (double)rows) {
            snprintf(msg, size, "class %s is under %.0f%% of the rows: %s", lc.label[k],
                     100 * MIN_LABEL_SHARE, counts);
            return LP_TEST_FAIL;
        }
    }
    snprintf(msg, size, "%s", counts);
    return LP_TEST_PASS;
}

/* ---- the plugin entry point -------------------------------------------------------- */

/* Nothing to register: hooks are found by name (dlsym). The entry point only
 * lets this file live in a plugin directory, where every *.so is loaded. */
static int checks_init(lp_registry *reg)
{
    (void)reg;
    return 0;
}

LP_PLUGIN_DEFINE("checks", "1.0.0", checks_init)
