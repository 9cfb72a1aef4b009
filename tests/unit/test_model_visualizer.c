/*
 * test_model_visualizer.c — LocalModelVisualizer and the plot renderer: ROC,
 * PR and calibration points equal scikit-learn's on the committed fixture
 * (tests/fixtures/visualizer/make_expected.py); generate_viz on toy models
 * (binary, three classes, regression, a forecaster with intervals, SHAP
 * contributions, components) writes SVGs that parse as XML and hold the
 * expected labels and PNGs of the configured size (read back by cairo); the
 * same input gives the same bytes; bad configuration is refused.
 */
#include <cairo.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_visualizer/viz.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/model_visualizer.h"
#include "ml/plot.h"
#include "test_rng.h"
#include "unit_workflow.h"

TestSuite(viz, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

/* ---- curves against scikit-learn ------------------------------------------------------ */

static double *numbers(const json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    cr_assert_not_null(v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_number_value(json_array_get(arr, i));
    return v;
}

static void assert_points(const double *got, size_t n_got, const json_t *want, const char *what,
                          size_t c)
{
    size_t n;
    double *w = numbers(want, &n);
    cr_assert_eq(n_got, n, "case %zu %s: %zu points, sklearn has %zu", c, what, n_got, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(got[i] - w[i]) <= 1e-12, "case %zu %s[%zu]: %.17g, sklearn %.17g", c, what,
                  i, got[i], w[i]);
    free(w);
}

Test(viz, curves_equal_sklearn)
{
    json_error_t err;
    json_t *j = json_load_file(LP_FIXTURES_DIR "/visualizer/expected.json", 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    const json_t *cases = json_object_get(j, "cases");
    cr_assert_gt(json_array_size(cases), 0);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *e = json_array_get(cases, c);
        size_t n, ny;
        double *score = numbers(json_object_get(e, "score"), &n);
        double *yd = numbers(json_object_get(e, "y"), &ny);
        uint8_t *pos = malloc(n);
        for (size_t i = 0; i < n; i++)
            pos[i] = yd[i] != 0;
        lp_viz_curve roc = {0}, pr = {0}, cal = {0};
        cr_assert_eq(lp_viz_roc(&roc, pos, score, n), 0);
        assert_points(roc.x, roc.n, json_object_get(e, "fpr"), "fpr", c);
        assert_points(roc.y, roc.n, json_object_get(e, "tpr"), "tpr", c);
        cr_assert(fabs(lp_viz_auc(&roc) - json_number_value(json_object_get(e, "auc"))) < 1e-12);
        cr_assert_eq(lp_viz_pr(&pr, pos, score, n), 0);
        assert_points(pr.x, pr.n, json_object_get(e, "recall"), "recall", c);
        assert_points(pr.y, pr.n, json_object_get(e, "precision"), "precision", c);
        cr_assert(fabs(lp_viz_average_precision(&pr) -
                       json_number_value(json_object_get(e, "average_precision"))) < 1e-12);
        cr_assert_eq(lp_viz_calibration(&cal, pos, score, n, 10), 0);
        assert_points(cal.x, cal.n, json_object_get(e, "calibration_pred"), "prob_pred", c);
        assert_points(cal.y, cal.n, json_object_get(e, "calibration_true"), "prob_true", c);
        lp_viz_curve_free(&roc);
        lp_viz_curve_free(&pr);
        lp_viz_curve_free(&cal);
        free(pos);
        free(score);
        free(yd);
    }
    json_decref(j);
}

typedef struct ref_scored {
    double score;
    size_t row;
} ref_scored;

/* The order the curves used to sort by (qsort): descending score, ties by descending row. */
static int ref_desc(const void *a, const void *b)
{
    const ref_scored *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->row < y->row ? 1 : (x->row > y->row ? -1 : 0);
}

/* The PR curve's points from thresholds in the reference order, on scores with many
 * ties, -0.0 beside 0.0 and negative scores: equal to lp_viz_pr's, point for point. */
Test(viz, curve_thresholds_equal_the_comparison_sort)
{
    enum { N = 5000 };
    static const double values[] = {-0.0, 0.0, 0.25, -1.5, 0.7, 1e-300, 0.9999, 3};
    double score[N];
    uint8_t pos[N];
    ref_scored s[N];
    for (size_t i = 0; i < N; i++) {
        uint64_t x = rng();
        score[i] = i % 3 == 0 ? values[x % 8] : (double)(x % 1000) / 997.0;
        pos[i] = (x >> 20) % 3 == 0;
        s[i] = (ref_scored){score[i], i};
    }
    qsort(s, N, sizeof *s, ref_desc);
    double tps[N], fps[N];
    size_t m = 0;
    double tp = 0;
    for (size_t i = 0; i < N; i++) {
        tp += pos[s[i].row];
        if (i + 1 < N && s[i + 1].score == s[i].score) continue;
        tps[m] = tp, fps[m] = (double)(i + 1) - tp, m++;
    }
    lp_viz_curve pr = {0};
    cr_assert_eq(lp_viz_pr(&pr, pos, score, N), 0);
    cr_assert_eq(pr.n, m + 1);
    for (size_t j = 0; j < m; j++) {
        size_t i = m - 1 - j;
        cr_assert_eq(pr.y[j], tps[i] / (tps[i] + fps[i]), "precision %zu", j);
        cr_assert_eq(pr.x[j], tps[i] / tps[m - 1], "recall %zu", j);
    }
    lp_viz_curve_free(&pr);
}

Test(viz, roc_needs_both_classes)
{
    uint8_t pos[3] = {1, 1, 1};
    double s[3] = {0.1, 0.5, 0.9};
    lp_viz_curve c = {0};
    cr_assert_eq(lp_viz_roc(&c, pos, s, 3), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "both classes"));
}

/* ---- the renderer ----------------------------------------------------------------------- */

Test(viz, ticks_are_nice)
{
    double t[16], step;
    size_t n = lp_plot_ticks(t, 16, 0, 1, &step);
    cr_assert_eq(n, 6);
    cr_assert(fabs(step - 0.2) < 1e-12 && t[0] == 0 && fabs(t[5] - 1) < 1e-12);
    n = lp_plot_ticks(t, 16, -3.7, 112, &step);
    cr_assert_eq(step, 20);
    cr_assert(t[0] == 0 && t[n - 1] == 100, "%g .. %g", t[0], t[n - 1]);
    char buf[32];
    lp_plot_format(buf, sizeof buf, 0.4, 0.2);
    cr_assert_str_eq(buf, "0.4");
    lp_plot_format(buf, sizeof buf, 1500, 500);
    cr_assert_str_eq(buf, "1500");
}

Test(viz, svg_escapes_text_and_png_has_the_size)
{
    lp_plot *p = lp_plot_new("A <b> & \"c\"", "x", "y", 300, 200);
    double x[3] = {0, 1, 2}, y[3] = {1, 3, 2};
    cr_assert_not_null(lp_plot_add(p, LP_PLOT_LINE, "l<1>", 3, x, y, NULL));
    char *svg = NULL;
    cr_assert_eq(lp_plot_svg(&svg, p), 0);
    cr_assert(strstr(svg, "A &lt;b&gt; &amp; &quot;c&quot;"));
    cr_assert(strstr(svg, "l&lt;1&gt;"));
    cr_assert_null(strstr(svg, "<b>"));
    uint8_t *png = NULL;
    size_t len = 0;
    cr_assert_eq(lp_plot_png(&png, &len, p), 0, "%s", lp_error_last()->message);
    cr_assert_gt(len, 8);
    cr_assert_eq(memcmp(png, "\x89PNG", 4), 0);
    free(png);
    free(svg);
    lp_plot_free(p);
}

/* cairo's PNG reader as the independent decoder. */
typedef struct png_src {
    const uint8_t *data;
    size_t len, pos;
} png_src;

static cairo_status_t png_read(void *closure, unsigned char *out, unsigned int n)
{
    png_src *s = closure;
    if (s->len - s->pos < n) return CAIRO_STATUS_READ_ERROR;
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
    return CAIRO_STATUS_SUCCESS;
}

/* libpng (through cairo) decodes a PNG into a new RGB24 surface of the given size. */
static cairo_surface_t *decode_png(const uint8_t *png, size_t len, int w, int h)
{
    cr_assert_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    png_src src = {png, len, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &src);
    cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cr_assert_eq(cairo_image_surface_get_format(s), CAIRO_FORMAT_RGB24);
    cr_assert_eq(cairo_image_surface_get_width(s), w);
    cr_assert_eq(cairo_image_surface_get_height(s), h);
    return s;
}

static uint32_t pixel_at(cairo_surface_t *s, int x, int y)
{
    const uint8_t *row =
        cairo_image_surface_get_data(s) + (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    return ((const uint32_t *)(const void *)row)[x] & 0xFFFFFF;
}

/* lp_png_encode_rgb24 (libpng, Up filter, level 1) keeps every pixel: an image whose
 * pixels all differ from their neighbours (so Up's differences are not zero), with
 * junk in the ignored x byte and padding past each row, decodes to exactly its RGB. */
Test(viz, png_encoder_matches_libpng_decoding)
{
    enum { W = 97, H = 61, STRIDE = 4 * W + 12 };
    uint8_t *img = malloc((size_t)STRIDE * H);
    uint32_t state = 12345;
    for (size_t i = 0; i < (size_t)STRIDE * H; i++) {
        state = state * 1103515245u + 12345u;
        img[i] = (uint8_t)(state >> 16);
    }
    uint8_t *png = NULL;
    size_t len = 0;
    cr_assert_eq(lp_png_encode_rgb24(&png, &len, img, STRIDE, W, H), 0, "%s",
                 lp_error_last()->message);
    cairo_surface_t *s = decode_png(png, len, W, H);
    size_t distinct_rows = 0;
    for (int y = 0; y < H; y++) {
        const uint32_t *px = (const uint32_t *)(const void *)(img + (size_t)y * STRIDE);
        for (int x = 0; x < W; x++)
            cr_assert_eq(pixel_at(s, x, y), px[x] & 0xFFFFFF, "pixel (%d, %d): %06x, drawn %06x", x,
                         y, pixel_at(s, x, y), px[x] & 0xFFFFFF);
        distinct_rows +=
            y > 0 && px[0] != ((const uint32_t *)(const void *)(img + (size_t)(y - 1) * STRIDE))[0];
    }
    cr_assert_gt(distinct_rows, H / 2, "the test image is too uniform to test the filter");
    cairo_surface_destroy(s);
    free(png);

    /* bad sizes are refused with an error, not handed to libpng */
    png = NULL;
    cr_assert_eq(lp_png_encode_rgb24(&png, &len, img, 4 * W - 4, W, H), LP_EINVAL);
    cr_assert_null(png);
    cr_assert_eq(lp_png_encode_rgb24(&png, &len, img, STRIDE, 0, H), LP_EINVAL);
    free(img);

    /* libpng's own refusal (wider than its 1,000,000-pixel default limit) longjmps back
     * into an error with libpng's reason, not an abort */
    int wide = 1000001;
    img = calloc((size_t)wide, 4);
    cr_assert_eq(lp_png_encode_rgb24(&png, &len, img, 4 * wide, wide, 1), LP_ERROR);
    cr_assert_null(png);
    cr_assert_not_null(strstr(lp_error_last()->message, "with libpng: "), "%s",
                       lp_error_last()->message);
    free(img);
}

/* lp_plot_png: the file decodes to the plot (a white page, white corners top and bottom,
 * coloured pixels where the line is), so the surface's bytes reach the encoder right. */
/* Eight plots told apart by their title, size and points, rendered on four threads
 * (more than the cores: the workers interleave): each slot holds its own plot's SVG and
 * PNG, byte for byte what rendering that plot alone gives; a slot filled with another
 * plot's bytes fails. Then a plot that cannot render (no cairo surface of that size)
 * is the index returned, its error kept in its slot, the others rendered. */
Test(viz, plots_render_on_threads_into_their_own_slots)
{
    enum { N = 8 };
    lp_plot *p[N];
    lp_viz_render r[N];
    for (int i = 0; i < N; i++) {
        char title[32];
        snprintf(title, sizeof title, "plot %d", i);
        p[i] = lp_plot_new(title, "x", "y", 240 + 8 * i, 200);
        double x[3] = {0, 1, 2}, y[3] = {1, 3 + i, 2};
        cr_assert_not_null(lp_plot_add(p[i], LP_PLOT_LINE, "l", 3, x, y, NULL));
        r[i] = (lp_viz_render){.plot = p[i]};
    }
    const char *before = getenv("LOLPOP_THREADS");
    char *saved = before ? strdup(before) : NULL;
    setenv("LOLPOP_THREADS", "4", 1);
    cr_assert_eq(lp_viz_render_all(r, N, true), N);
    for (int i = 0; i < N; i++) {
        char *svg = NULL;
        uint8_t *png = NULL;
        size_t len = 0;
        cr_assert_eq(lp_plot_svg(&svg, p[i]), 0);
        cr_assert_eq(lp_plot_png(&png, &len, p[i]), 0, "%s", lp_error_last()->message);
        cr_assert_eq(r[i].error.code, 0);
        cr_assert_str_eq(r[i].svg, svg, "slot %d holds another plot's SVG", i);
        cr_assert(r[i].png_len == len && memcmp(r[i].png, png, len) == 0,
                  "slot %d holds another plot's PNG", i);
        free(svg);
        free(png);
        lp_viz_render_free(&r[i]);
        cr_assert_null(r[i].svg);
    }
    /* SVG only: no PNG bytes. */
    cr_assert_eq(lp_viz_render_all(r, N, false), N);
    for (int i = 0; i < N; i++) {
        cr_assert_not_null(r[i].svg);
        cr_assert_null(r[i].png);
        lp_viz_render_free(&r[i]);
    }
    /* cairo refuses a surface wider than 32767 pixels: plot 5 fails, the others do not. */
    p[5]->width = 40000;
    cr_assert_eq(lp_viz_render_all(r, N, true), 5);
    cr_assert_neq(r[5].error.code, 0);
    cr_assert_neq(r[5].error.message[0], '\0');
    for (int i = 0; i < N; i++) {
        if (i != 5) cr_assert(r[i].png && r[i].error.code == 0, "slot %d", i);
        lp_viz_render_free(&r[i]);
        lp_plot_free(p[i]);
    }
    if (saved)
        setenv("LOLPOP_THREADS", saved, 1);
    else
        unsetenv("LOLPOP_THREADS");
    free(saved);
}

Test(viz, png_plot_decodes_to_the_drawing)
{
    lp_plot *p = lp_plot_new("Encoder", "x", "y", 320, 210);
    double x[4] = {0, 1, 2, 3}, y[4] = {1, 3, 2, 4};
    cr_assert_not_null(lp_plot_add(p, LP_PLOT_LINE, "line", 4, x, y, NULL));
    uint8_t *png = NULL;
    size_t len = 0;
    cr_assert_eq(lp_plot_png(&png, &len, p), 0, "%s", lp_error_last()->message);
    lp_plot_free(p);
    cairo_surface_t *s = decode_png(png, len, 320, 210);
    size_t coloured = 0, white = 0;
    for (int r = 0; r < 210; r++)
        for (int c = 0; c < 320; c++) {
            uint32_t got = pixel_at(s, c, r);
            coloured += got != 0xFFFFFF && (got >> 16) != ((got >> 8) & 0xFF);
            white += got == 0xFFFFFF;
        }
    cr_assert_eq(pixel_at(s, 0, 0), 0xFFFFFF);
    cr_assert_eq(pixel_at(s, 0, 209), 0xFFFFFF);
    cr_assert_eq(pixel_at(s, 319, 209), 0xFFFFFF);
    cr_assert_gt(white, 320 * 210 / 2, "only %zu white pixels", white);
    cr_assert_gt(coloured, 100, "the line was not drawn");
    cairo_surface_destroy(s);
    free(png);
}

/* ---- toy models -------------------------------------------------------------------------- */

/* Binary: P(yes) = feature s. Three classes: s, t, 1 - s - t. Regression: 2 s. */
static int toy_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    size_t nf = lp_model_n_features(m), k = lp_model_n_outputs(m);
    for (size_t i = 0; i < rows; i++) {
        double s = X[i * nf], t = nf > 1 ? X[i * nf + 1] : 0;
        if (lp_model_n_classes(m) == 2)
            out[i * 2] = 1 - s, out[i * 2 + 1] = s;
        else if (k == 3)
            out[i * 3] = s, out[i * 3 + 1] = t, out[i * 3 + 2] = 1 - s - t;
        else
            out[i] = 2 * s;
    }
    return 0;
}

static int toy_interval(void *state, const lp_model *m, const double *X, size_t rows, double width,
                        double *mean, double *lower, double *upper)
{
    size_t nf = lp_model_n_features(m);
    for (size_t i = 0; i < rows; i++) {
        mean[i] = 2 * X[i * nf];
        lower[i] = mean[i] - 1 - 0.1 * (double)i;
        upper[i] = mean[i] + 1 + 0.1 * (double)i;
    }
    return 0;
}

static int toy_save(void *state, uint8_t **out, size_t *len)
{
    *out = malloc(3);
    memcpy(*out, "toy", 3);
    *len = 3;
    return 0;
}

static int toy_load(void **state, const uint8_t *blob, size_t len)
{
    *state = malloc(1);
    return 0;
}

static const lp_model_ops toy_ops = {
    sizeof(lp_model_ops), "toy", toy_load, toy_predict, toy_save, free, NULL, NULL};
static const lp_model_ops toy_fc_ops = {
    sizeof(lp_model_ops), "toy_fc", toy_load, toy_predict, toy_save, free, NULL, toy_interval};

/* Boosting-like stages of the toy binary model: after round r of 10,
 * P(yes) = 0.5 + (s - 0.5) r / 10 (the last round is toy_predict's). */
static int toy_stages(void *state, const lp_model *m, const double *X, size_t rows,
                      lp_model_stage_fn each, void *ctx)
{
    double *out = malloc(2 * rows * sizeof *out);
    int rc = 0;
    for (size_t r = 1; rc == 0 && r <= 10; r++) {
        for (size_t i = 0; i < rows; i++) {
            double p = 0.5 + (X[i * lp_model_n_features(m)] - 0.5) * (double)r / 10;
            out[2 * i] = 1 - p, out[2 * i + 1] = p;
        }
        rc = each(ctx, r, out);
    }
    free(out);
    return rc;
}

static const lp_model_ops toy_staged_ops = {.size = sizeof(lp_model_ops),
                                            .name = "toy_staged",
                                            .load = toy_load,
                                            .predict = toy_predict,
                                            .save = toy_save,
                                            .free = free,
                                            .staged_predict = toy_stages};

static lp_value *frame_value(const char *text)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, text, strlen(text), "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

/* n rows of "s,t" (and y: label per row) as split `valid` (and train). */
static lp_value *binary_splits(size_t n)
{
    char *x = malloc(64 * n + 64), *y = malloc(16 * n + 16);
    cr_assert(x && y);
    size_t lx = (size_t)sprintf(x, "s,t\n"), ly = (size_t)sprintf(y, "ok\n");
    for (size_t i = 0; i < n; i++) {
        double s = fmod((double)i * 0.6180339887, 1.0);
        bool yes = fmod((double)i * 0.7548776662, 1.0) < 0.25 + 0.5 * s;
        lx += (size_t)sprintf(x + lx, "%.3f,%.3f\n", s, (1 - s) / 2);
        ly += (size_t)sprintf(y + ly, "%s\n", yes ? "yes" : "no");
    }
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_valid", frame_value(x));
    lp_map_set(splits, "y_valid", frame_value(y));
    lp_map_set(splits, "X_train", frame_value(x));
    lp_map_set(splits, "y_train", frame_value(y));
    free(x);
    free(y);
    return splits;
}

static lp_model *toy_model(const lp_model_ops *ops, lp_model_task task, const char *const *classes,
                           size_t k)
{
    lp_model *m = lp_model_new(ops, malloc(1), task, "ok", k ? LP_DT_STRING : LP_DT_FLOAT64);
    cr_assert_not_null(m);
    cr_assert_eq(lp_model_add_feature(m, "s", LP_DT_FLOAT64), 0);
    cr_assert_eq(lp_model_add_feature(m, "t", LP_DT_FLOAT64), 0);
    for (size_t c = 0; c < k; c++)
        cr_assert_eq(lp_model_add_class(m, classes[c]), 0);
    return m;
}

/* Rows of y matched to the model's labels: integers by value (a label "1.0" is the
 * integer 1, a label past 2^53 is the integer that reads as the same double), text and
 * floats by text or value ("inf" by text), text by text alone, unknown values -1. */
Test(viz, class_indices_match_labels_by_text_or_value)
{
    const char *const classes[] = {"1.0", "9007199254740993", "b", "inf"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_MULTICLASS, classes, 4);
    const char csv_int[] = "y\n1\n9007199254740992\n2\n-3\n1\n";
    const char csv_text[] = "y\nb\n1.0\n1\ninf\nc\n";
    const char csv_float[] = "y\n1.5\n1\ninf\n2.5\n9007199254740993\n";
    const int32_t want_int[] = {0, 1, -1, -1, 0}, want_text[] = {2, 0, -1, 3, -1},
                  want_float[] = {-1, 0, 3, -1, 1};
    const char *const csv[] = {csv_int, csv_text, csv_float};
    const int32_t *const want[] = {want_int, want_text, want_float};
    const lp_dtype type[] = {LP_DT_INT64, LP_DT_STRING, LP_DT_FLOAT64};
    for (int t = 0; t < 3; t++) {
        lp_frame *y = NULL;
        const lp_csv_type_override as = {"y", type[t]};
        const lp_csv_options o = {.overrides = &as, .n_overrides = 1, .threads = 1};
        cr_assert_eq(lp_csv_read_buffer(&y, csv[t], strlen(csv[t]), "y", &o), 0, "%s",
                     lp_error_last()->message);
        cr_assert_eq(lp_frame_col(y, 0)->type, type[t], "case %d: type %d", t,
                     (int)lp_frame_col(y, 0)->type);
        int32_t *cls = NULL;
        cr_assert_eq(lp_viz_class_indices(&cls, m, y, 5), 0);
        for (int i = 0; i < 5; i++)
            cr_assert_eq(cls[i], want[t][i], "case %d row %d: class %d, want %d", t, i, cls[i],
                         want[t][i]);
        free(cls);
        lp_frame_unref(y);
    }
    lp_model_unref(m);
}

static lp_obj *visualizer(const char *config)
{
    static char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {model_visualizer: LocalModelVisualizer}\n"
             "model_visualizer:\n  config: {dir: plots, %s}\n",
             config);
    return uw_build(0, yaml, "model_visualizer");
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

/* The path in `paths` that names plot `name` with extension ext (asserted present). */
static const char *find_path(const lp_value *paths, const char *name, const char *ext)
{
    char want[128];
    snprintf(want, sizeof want, "/%s-", name);
    for (size_t i = 0; i < lp_list_len(paths); i++) {
        const char *p = lp_value_as_string(lp_list_get(paths, i));
        size_t n = strlen(p), ne = strlen(ext);
        if (strstr(p, want) && n > ne && strcmp(p + n - ne, ext) == 0) return p;
    }
    cr_assert_fail("no %s %s among %zu files", name, ext, lp_list_len(paths));
    return NULL;
}

/* The SVG parses as XML (python3's ElementTree) and holds every label. */
static void assert_svg(const char *path, const char *const *labels)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys, xml.etree.ElementTree as E; "
             "r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith(\"svg\"), r.tag' '%s'",
             path);
    cr_assert_eq(system(cmd), 0, "%s does not parse as SVG", path);
    char *svg = slurp(path, NULL);
    for (size_t i = 0; labels[i]; i++)
        cr_assert(strstr(svg, labels[i]), "%s lacks '%s'", path, labels[i]);
    free(svg);
}

static void assert_png(const char *path, int width, int height)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS, "%s", path);
    cr_assert_eq(cairo_image_surface_get_width(s), width, "%s", path);
    cr_assert_eq(cairo_image_surface_get_height(s), height, "%s", path);
    cairo_surface_destroy(s);
}

/* With LP_TEST_VIZ_KEEP=DIR the files are copied there, to look at them. */
static void keep(const lp_value *paths)
{
    const char *dir = getenv("LP_TEST_VIZ_KEEP");
    for (size_t i = 0; dir && i < lp_list_len(paths); i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s/'", lp_value_as_string(lp_list_get(paths, i)), dir);
        cr_assert_eq(system(cmd), 0);
    }
}

static lp_value *generate(lp_obj *viz, lp_value *splits, lp_model *m, lp_value *extra_key,
                          const char *key)
{
    lp_value *mv = lp_value_model(m);
    lp_value *r = key ? lp_call_with(viz, "generate_viz", "splits", lp_value_ref(splits), "model",
                                     lp_value_ref(mv), key, extra_key, (const char *)NULL)
                      : lp_model_visualizer_generate_viz(viz, splits, mv);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(mv);
    keep(r);
    return r;
}

Test(viz, binary_classifier_plots)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("size: [640, 420]");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(400);
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    /* roc, pr, confusion_matrix, calibration, feature_importance; svg + png each */
    cr_assert_eq(lp_list_len(paths), 10, "%zu files", lp_list_len(paths));
    const char *roc[] = {"ROC curve (valid split)",
                         "False positive rate",
                         "True positive rate",
                         "AUC = 0.",
                         "chance",
                         NULL};
    assert_svg(find_path(paths, "roc", ".svg"), roc);
    const char *pr[] = {"Precision-recall curve", "Recall", "Precision", "AP = 0.", NULL};
    assert_svg(find_path(paths, "pr", ".svg"), pr);
    const char *cm[] = {"Confusion matrix", "Predicted class", "True class", ">no<", ">yes<", NULL};
    assert_svg(find_path(paths, "confusion_matrix", ".svg"), cm);
    const char *cal[] = {"Calibration", "Fraction of positives", "perfectly calibrated", NULL};
    assert_svg(find_path(paths, "calibration", ".svg"), cal);
    const char *imp[] = {"Feature importance", "permutation: drop in accuracy", ">s<", NULL};
    assert_svg(find_path(paths, "feature_importance", ".svg"), imp);
    for (size_t i = 0; i < lp_list_len(paths); i++) {
        const char *p = lp_value_as_string(lp_list_get(paths, i));
        if (strstr(p, ".png") && !strstr(p, "feature_importance")) assert_png(p, 640, 420);
    }
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, learning_curve_per_round_on_train_and_valid)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("plots: [learning_curve], curve_rows: 100");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_staged_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(400);
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 2, "%zu files", lp_list_len(paths));
    const char *lc[] = {"Learning curve (log loss per boosting round)",
                        "Boosting round",
                        "Log loss",
                        ">train<",
                        ">valid<",
                        NULL};
    assert_svg(find_path(paths, "learning_curve", ".svg"), lc);
    assert_png(find_path(paths, "learning_curve", ".png"), 720, 480);
    lp_value_unref(paths);
    lp_model_unref(m);
    /* a back-end without rounds: no file, no error */
    m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 0, "%zu files", lp_list_len(paths));
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

/* The ROC curve drawn is sklearn's: the confusion matrix's counts add up to the rows. */
Test(viz, confusion_counts_add_up)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("plots: [confusion_matrix], formats: [svg]");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(50);
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 1);
    char *svg = slurp(lp_value_as_string(lp_list_get(paths, 0)), NULL);
    long total = 0;
    for (const char *s = svg; (s = strstr(s, "font-weight=\"bold\" text-anchor=\"middle\"")); s++) {
        const char *gt = strchr(s, '>');
        total += strtol(gt + 1, NULL, 10);
    }
    /* The title is bold too but holds no number. */
    cr_assert_eq(total, 50, "cells add up to %ld", total);
    free(svg);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, same_input_same_bytes)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("plots: [roc, calibration]");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(300);
    lp_value *a = generate(viz, splits, m, NULL, NULL);
    size_t na = lp_list_len(a);
    char **before = calloc(na, sizeof *before);
    size_t *lens = calloc(na, sizeof *lens);
    for (size_t i = 0; i < na; i++)
        before[i] = slurp(lp_value_as_string(lp_list_get(a, i)), &lens[i]);
    lp_value *b = generate(viz, splits, m, NULL, NULL);
    cr_assert(lp_value_equal(a, b), "a second run names other files");
    for (size_t i = 0; i < na; i++) {
        size_t len;
        char *again = slurp(lp_value_as_string(lp_list_get(b, i)), &len);
        cr_assert(len == lens[i] && memcmp(again, before[i], len) == 0, "%s changed",
                  lp_value_as_string(lp_list_get(b, i)));
        free(again);
        free(before[i]);
    }
    free(before);
    free(lens);
    lp_value_unref(a);
    lp_value_unref(b);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, multiclass_one_vs_rest)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("plots: [roc, pr, confusion_matrix], formats: [svg]");
    const char *const classes[] = {"a", "b", "c"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_MULTICLASS, classes, 3);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_valid",
               frame_value("s,t\n0.7,0.2\n0.1,0.8\n0.2,0.1\n0.6,0.3\n0.3,0.3\n0.1,0.1\n"));
    lp_map_set(splits, "y_valid", frame_value("ok\na\nb\nc\na\nb\nc\n"));
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 3);
    const char *roc[] = {"a (AUC = ", "b (AUC = ", "c (AUC = ", NULL};
    assert_svg(find_path(paths, "roc", ".svg"), roc);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, regression_plots)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg, png], plots: [residuals, predicted_vs_actual, roc]");
    lp_model *m = toy_model(&toy_ops, LP_MODEL_REGRESSION, NULL, 0);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_valid", frame_value("s,t\n1,0\n2,0\n3,0\n4,0\n5,0\n"));
    lp_map_set(splits, "y_valid", frame_value("ok\n2.5\n3.5\n6.2\n8.1\n9.0\n"));
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 4, "roc does not apply: %zu files", lp_list_len(paths));
    const char *res[] = {"Residuals vs fitted", "Fitted value", NULL};
    assert_svg(find_path(paths, "residuals", ".svg"), res);
    const char *pva[] = {"Predicted vs actual", "perfect prediction", NULL};
    assert_svg(find_path(paths, "predicted_vs_actual", ".svg"), pva);
    assert_png(find_path(paths, "residuals", ".png"), 720, 480);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, forecast_with_interval_and_components)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg], plots: [forecast, forecast_residuals, components]");
    lp_model *m = toy_model(&toy_fc_ops, LP_MODEL_REGRESSION, NULL, 0);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train",
               frame_value("ds,s,t\n1960-01-01,1,0\n1960-02-01,2,0\n"
                           "1960-03-01,3,0\n1960-04-01,4,0\n"));
    lp_map_set(splits, "y_train", frame_value("ok\n2\n4.5\n5.5\n8\n"));
    lp_map_set(splits, "X_valid",
               frame_value("ds,s,t\n1960-05-01,5,0\n1960-06-01,6,0\n1960-07-01,7,0\n"));
    lp_map_set(splits, "y_valid", frame_value("ok\n10.5\n11\n14.2\n"));
    lp_value *comp = frame_value("ds,trend,yearly\n1960-01-01,1,0.5\n1960-02-01,2,-0.5\n"
                                 "1960-03-01,3,0.2\n");
    lp_value *paths = generate(viz, splits, m, comp, "components");
    cr_assert_eq(lp_list_len(paths), 4, "%zu files", lp_list_len(paths));
    const char *fc[] = {"Forecast (valid split)",
                        "history",
                        "interval",
                        "forecast",
                        "actual",
                        "Time",
                        "1960-05",
                        NULL};
    assert_svg(find_path(paths, "forecast", ".svg"), fc);
    const char *res[] = {"Forecast residuals", NULL};
    assert_svg(find_path(paths, "forecast_residuals", ".svg"), res);
    const char *c1[] = {"Component: trend", NULL}, *c2[] = {"Component: yearly", NULL};
    assert_svg(find_path(paths, "component-1", ".svg"), c1);
    assert_svg(find_path(paths, "component-2", ".svg"), c2);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

/* residual_acf: the autocorrelation of y_train - fitted over the history. The
 * toy forecaster fits 2 s; the residuals alternate +1, -1, so lag 1 is about
 * -1 and lag 2 about +1 (R: acf(rep(c(1, -1), 8)) gives -0.9375, 0.875). */
Test(viz, residual_acf_of_the_history)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg], plots: [residual_acf]");
    lp_model *m = toy_model(&toy_fc_ops, LP_MODEL_REGRESSION, NULL, 0);
    lp_value *splits = lp_value_map();
    char X[1024] = "ds,s,t\n", y[512] = "ok\n";
    for (int i = 0; i < 16; i++) {
        char line[64];
        snprintf(line, sizeof line, "1960-%02d-01,%d,0\n", i % 12 + 1, i);
        if (i >= 12) snprintf(line, sizeof line, "1961-%02d-01,%d,0\n", i - 11, i);
        strcat(X, line);
        snprintf(line, sizeof line, "%d\n", 2 * i + (i % 2 ? -1 : 1));
        strcat(y, line);
    }
    lp_map_set(splits, "X_train", frame_value(X));
    lp_map_set(splits, "y_train", frame_value(y));
    lp_map_set(splits, "X_valid", frame_value("ds,s,t\n1961-05-01,16,0\n1961-06-01,17,0\n"));
    lp_map_set(splits, "y_valid", frame_value("ok\n32\n34\n"));
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    cr_assert_eq(lp_list_len(paths), 1, "%zu files", lp_list_len(paths));
    const char *want[] = {"Autocorrelation of the in-sample residuals (16 points)", "Lag (periods)",
                          "95% bound", NULL};
    assert_svg(find_path(paths, "residual_acf", ".svg"), want);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
    /* a model without intervals (not a forecaster) gets no such plot */
    lp_model *r = toy_model(&toy_ops, LP_MODEL_REGRESSION, NULL, 0);
    splits = lp_value_map();
    lp_map_set(splits, "X_train", frame_value(X));
    lp_map_set(splits, "y_train", frame_value(y));
    lp_map_set(splits, "X_valid", frame_value("ds,s,t\n1961-05-01,16,0\n"));
    lp_map_set(splits, "y_valid", frame_value("ok\n32\n"));
    paths = generate(viz, splits, r, NULL, NULL);
    cr_expect_eq(lp_list_len(paths), 0);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(r);
}

/* A synthetic contributions matrix: s matters most, t a little; the importance and the beeswarm
 * come from it. */
Test(viz, shap_summary_from_contributions)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg], plots: [feature_importance, shap_summary]");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(200);
    char *text = malloc(64 * 200 + 64);
    size_t len = (size_t)sprintf(text, "s,t,bias\n");
    for (size_t i = 0; i < 200; i++) {
        double s = fmod((double)i * 0.6180339887, 1.0);
        len += (size_t)sprintf(text + len, "%.4f,%.4f,0.1\n", 2 * (s - 0.5), 0.1 * sin((double)i));
    }
    lp_value *contrib = frame_value(text);
    free(text);
    lp_value *paths = generate(viz, splits, m, contrib, "contributions");
    cr_assert_eq(lp_list_len(paths), 2);
    const char *shap[] = {"SHAP summary", "Feature value", ">s<", ">t<", "high", "low", NULL};
    const char *shap_path = find_path(paths, "shap_summary", ".svg");
    assert_svg(shap_path, shap);
    char *svg = slurp(shap_path, NULL);
    cr_assert_null(strstr(svg, ">bias<"), "the bias column is not a feature");
    cr_assert(strstr(svg, ">s<") < strstr(svg, ">t<"), "s (larger |SHAP|) comes first");
    free(svg);
    const char *imp[] = {"mean |SHAP value|", NULL};
    assert_svg(find_path(paths, "feature_importance", ".svg"), imp);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, importance_argument_is_drawn)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg], plots: [feature_importance]");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(20);
    lp_value *imp = lp_value_map(), *inner = lp_value_map();
    lp_map_set(inner, "t", lp_value_float(3));
    lp_map_set(inner, "s", lp_value_float(1));
    lp_map_set(imp, "importance", lp_value_ref(inner));
    lp_value *paths = generate(viz, splits, m, imp, "importance"); /* takes imp */
    char *svg = slurp(lp_value_as_string(lp_list_get(paths, 0)), NULL);
    cr_assert(strstr(svg, ">explainer<"));
    cr_assert(strstr(svg, ">t<") < strstr(svg, ">s<"), "t (3) before s (1)");
    /* the plotted split is valid, but nobody said where the importance came from */
    cr_assert(strstr(svg, "Feature importance (the explainer&#39;s)") ||
                  strstr(svg, "Feature importance (the explainer's)"),
              "the title claims no split");
    cr_assert_null(strstr(svg, "valid split"));
    free(svg);
    lp_value_unref(paths);

    /* OfflineTrain's explainer works on X_train and says so: the title names train */
    lp_value *mv = lp_value_model(m);
    paths = lp_call_with(viz, "generate_viz", "splits", lp_value_ref(splits), "model",
                         lp_value_ref(mv), "importance", inner, "importance_split",
                         lp_value_string("train"), (const char *)NULL);
    cr_assert_not_null(paths, "%s", lp_error_last()->message);
    svg = slurp(lp_value_as_string(lp_list_get(paths, 0)), NULL);
    cr_assert(strstr(svg, "Feature importance (train split)"), "the title names train");
    free(svg);
    lp_value_unref(paths);
    lp_value_unref(mv);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, missing_split_is_an_error)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("split: test");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(20), *mv = lp_value_model(m);
    cr_assert_null(lp_model_visualizer_generate_viz(viz, splits, mv));
    cr_assert(strstr(lp_error_last()->message, "X_test"), "%s", lp_error_last()->message);
    lp_value_unref(mv);
    lp_value_unref(splits);
    lp_model_unref(m);
}

Test(viz, bad_config_is_refused)
{
    const char *bad[] = {"plots: [roc, pie]",  "formats: [svg, jpeg]", "size: [10, 10]",
                         "size: {width: 800}", "max_points: 2",        "interval_width: 1.5"};
    const char *says[] = {"unknown plot 'pie'", "unknown format 'jpeg'",
                          "size must be",       "size must be",
                          "max_points",         "interval_width"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "component: {model_visualizer: LocalModelVisualizer}\n"
                 "model_visualizer:\n  config: {%s}\n",
                 bad[i]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad[i]);
        cr_assert(strstr(lp_error_last()->message, says[i]), "%s: %s", bad[i],
                  lp_error_last()->message);
    }
}

/* Above max_points rows permutation importance runs on evenly spaced rows: s still leads. */
Test(viz, permutation_on_thinned_rows)
{
    uw_tmpdir("viz", true);
    lp_obj *viz = visualizer("formats: [svg], plots: [feature_importance], max_points: 50");
    const char *const classes[] = {"no", "yes"};
    lp_model *m = toy_model(&toy_ops, LP_MODEL_BINARY, classes, 2);
    lp_value *splits = binary_splits(400);
    lp_value *paths = generate(viz, splits, m, NULL, NULL);
    char *svg = slurp(lp_value_as_string(lp_list_get(paths, 0)), NULL);
    cr_assert(strstr(svg, ">s<") && strstr(svg, ">t<"));
    cr_assert(strstr(svg, ">s<") < strstr(svg, ">t<"), "s, the only feature used, comes first");
    free(svg);
    lp_value_unref(paths);
    lp_value_unref(splits);
    lp_model_unref(m);
}
