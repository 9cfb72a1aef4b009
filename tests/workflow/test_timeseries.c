/*
 * test_timeseries.c — TimeSeriesRunner with the real binary: the flights
 * quickstart end to end (its forecast of the held-out year scored here against
 * eval_labels.csv with the textbook MASE and compared with seasonal naive's),
 * its workflow tests, and the errors a user meets: the wrong runner, no
 * time_index, an irregular index, a shuffling splitter; missing periods are a
 * warning; several series in one file (series_id) are each fitted as a run on
 * that series alone would, the forecast grouped by key in eval_data's order.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define DEADLINE_MS 600000L
#define FLIGHTS     LP_SOURCE_ROOT "/examples/quickstart/timeseries/flights"

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/lolpop-ts-XXXXXX");
    dir = lp_tmpdir_make(dir_buf);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(timeseries, .init = setup, .fini = teardown, .timeout = 900);

static lp_run lolpop(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
}

static lp_run run_workflow(const char *runner, const char *file)
{
    return lolpop((const char *const[]){"run", "workflow", runner, "-c", file, NULL});
}

/* ---- a CSV column reader for the test's own numbers ------------------------------- */

typedef struct csv {
    size_t rows, cols;
    char **cell; /* (rows + 1) x cols, header first */
    char *text;
} csv;

static void csv_load(csv *t, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(t, 0, sizeof *t);
    t->text = lp_read_file(path);
    cr_assert_not_null(t->text, "cannot read %s", path);
    size_t cap = 64, n = 0, line_cols = 0;
    t->cell = malloc(cap * sizeof *t->cell);
    for (char *p = t->text; *p;) {
        char *end = p + strcspn(p, ",\n");
        char sep = *end;
        *end = '\0';
        if (n == cap) t->cell = realloc(t->cell, (cap *= 2) * sizeof *t->cell);
        t->cell[n++] = p;
        line_cols++;
        p = sep ? end + 1 : end;
        if (sep != ',') {
            if (!t->cols) t->cols = line_cols;
            cr_assert_eq(line_cols, t->cols, "%s: ragged row", path);
            line_cols = 0;
        }
    }
    t->rows = n / t->cols - 1;
}

static void csv_free(csv *t)
{
    free(t->cell);
    free(t->text);
}

static size_t csv_col(const csv *t, const char *name)
{
    for (size_t j = 0; j < t->cols; j++)
        if (strcmp(t->cell[j], name) == 0) return j;
    cr_assert_fail("no column %s", name);
    return 0;
}

/* The column as numbers (malloc'ed, t->rows values). */
static double *csv_numbers(const csv *t, const char *name)
{
    size_t j = csv_col(t, name);
    double *v = malloc(t->rows * sizeof *v);
    for (size_t i = 0; i < t->rows; i++) {
        char *end = NULL;
        v[i] = strtod(t->cell[(i + 1) * t->cols + j], &end);
        cr_assert(end && *end == '\0', "%s row %zu: '%s' is not a number", name, i + 1,
                  t->cell[(i + 1) * t->cols + j]);
    }
    return v;
}

/* MASE of forecast f[h] of actual a[h] scaled by the training series' mean
 * absolute seasonal difference (season m), as R's forecast::accuracy. */
static double mase(const double *a, const double *f, size_t h, const double *y, size_t n, size_t m)
{
    double scale = 0, err = 0;
    for (size_t i = m; i < n; i++)
        scale += fabs(y[i] - y[i - m]);
    scale /= (double)(n - m);
    for (size_t i = 0; i < h; i++)
        err += fabs(a[i] - f[i]);
    return err / (double)h / scale;
}

/* ---- the quickstart ------------------------------------------------------------------ */

/* The text of the first <base>/.lolpop/plots/<prefix>*.svg (malloc'ed), or NULL. */
static char *plot_svg_in(const char *base, const char *prefix)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/plots", base);
    DIR *d = opendir(path);
    char *text = NULL;
    for (struct dirent *e = d ? readdir(d) : NULL; e && !text; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 4 ||
            strcmp(e->d_name + len - 4, ".svg") != 0)
            continue;
        snprintf(path, sizeof path, "%s/.lolpop/plots/%s", base, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        text = calloc(1, 1 << 20);
        size_t got = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
        if (text) text[got] = '\0';
        fclose(f);
    }
    if (d) closedir(d);
    return text;
}

/* plot_svg_in the test's directory. */
static char *plot_svg(const char *prefix)
{
    return plot_svg_in(dir, prefix);
}

/* The tuner's winner (the additive ForecastModelTrainer, not the slot's ETS
 * trainer) draws the components and the cross-validation error; the residuals'
 * autocorrelation is drawn too. */
static void expect_winner_plots(void)
{
    char *trend = plot_svg("component-1"), *cv = plot_svg("cv_error"),
         *acf = plot_svg("residual_acf");
    cr_expect(trend && strstr(trend, "Component: trend"), "no trend component of the winner");
    cr_expect(cv && strstr(cv, "Cross-validation error by horizon"), "no cv_error plot");
    cr_expect(acf && strstr(acf, "Autocorrelation of the in-sample residuals"), "no residual_acf");
    free(trend), free(cv), free(acf);
}

Test(timeseries, flights_quickstart_beats_seasonal_naive_on_the_held_out_year)
{
    lp_copy_example(FLIGHTS, dir);
    lp_run r = run_workflow("TimeSeriesRunner", "flights.yaml");
    LP_EXPECT_EXIT(r, 0);
    cr_expect(strstr(r.err, "baseline: validation MASE"), "no baseline line:\n%s", r.err);
    cr_expect(strstr(r.err, "cross_validate"), "no cross-validation line:\n%s", r.err);
    lp_run_free(&r);
    expect_winner_plots();

    csv pred, train, labels;
    csv_load(&pred, "predictions.csv");
    csv_load(&train, "data/train.csv");
    csv_load(&labels, "data/eval_labels.csv");
    cr_assert_eq(pred.rows, 12, "%zu forecast rows", pred.rows);
    cr_assert_eq(pred.cols, 4);
    cr_expect_str_eq(pred.cell[0], "month_start");
    cr_expect_str_eq(pred.cell[1], "prediction");
    cr_expect_str_eq(pred.cell[2], "lower");
    cr_expect_str_eq(pred.cell[3], "upper");
    cr_expect_str_eq(pred.cell[4], "1960-01-01", "first forecast month %s", pred.cell[4]);
    cr_expect_str_eq(pred.cell[12 * 4], "1960-12-01", "last forecast month %s", pred.cell[48]);
    double *p = csv_numbers(&pred, "prediction"), *lo = csv_numbers(&pred, "lower");
    double *hi = csv_numbers(&pred, "upper");
    for (size_t i = 0; i < 12; i++)
        cr_expect(lo[i] <= p[i] && p[i] <= hi[i] && lo[i] < hi[i],
                  "month %zu: %g <= %g <= %g does not hold", i + 1, lo[i], p[i], hi[i]);

    double *y = csv_numbers(&train, "passengers"), *a = csv_numbers(&labels, "passengers");
    double own = mase(a, p, 12, y, train.rows, 12);
    double snaive = mase(a, y + train.rows - 12, 12, y, train.rows, 12);
    cr_expect(own < snaive, "MASE on 1960 %.4f is not below seasonal naive's %.4f", own, snaive);
    cr_expect(own < 1.0, "MASE on 1960 %.4f", own);
    free(p), free(lo), free(hi), free(y), free(a);
    csv_free(&pred), csv_free(&train), csv_free(&labels);
}

Test(timeseries, flights_workflow_tests_pass)
{
    lp_copy_example(FLIGHTS, dir);
    lp_run r = lolpop((const char *const[]){"test", "workflow", "TimeSeriesRunner", "tests.yaml",
                                            "-c", "flights.yaml", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_expect(strstr(r.out, " 0 failed, 0 errors"), "%s", r.out);
    cr_expect(strstr(r.out, "beats seasonal naive"), "%s", r.out);
    lp_run_free(&r);
}

/* ---- errors ----------------------------------------------------------------------- */

/* Counts the lines of text containing "error:". */
static size_t error_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "error:")); p++)
        n++;
    return n;
}

Test(timeseries, a_forecasting_config_with_another_runner_is_one_clear_error)
{
    lp_copy_example(FLIGHTS, dir);
    lp_run r = run_workflow("RegressionRunner", "flights.yaml");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "RegressionRunner does not forecast"), "%s", r.err);
    cr_expect(strstr(r.err, "TimeSeriesRunner"), "%s", r.err);
    cr_expect(strstr(r.err, "nothing was run"), "%s", r.err);
    cr_expect_eq(error_lines(r.err), 2, "one problem and the summary line:\n%s", r.err);
    lp_run_free(&r);
}

/* Replaces the first `from` in dir/name by `to`. */
static void edit_file(const char *name, const char *from, const char *to)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = lp_read_file(path);
    cr_assert_not_null(text, "cannot read %s", path);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "'%s' not in %s", from, name);
    size_t head = (size_t)(at - text);
    char *out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    lp_write_file(dir, name, out);
    free(out);
    free(text);
}

Test(timeseries, no_time_index_is_one_clear_error)
{
    lp_copy_example(FLIGHTS, dir);
    edit_file("flights.yaml", "  time_index: month_start\n", "");
    lp_run r = run_workflow("TimeSeriesRunner", "flights.yaml");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "requires config 'time_index'"), "%s", r.err);
    cr_expect_eq(error_lines(r.err), 2, "one problem and the summary line:\n%s", r.err);
    lp_run_free(&r);
}

Test(timeseries, a_shuffling_splitter_is_refused)
{
    lp_copy_example(FLIGHTS, dir);
    edit_file("flights.yaml", "    model_trainer: ETSModelTrainer\n",
              "    model_trainer: ETSModelTrainer\n    data_splitter: LocalDataSplitter\n");
    edit_file("flights.yaml", "  model_visualizer:\n",
              "  data_splitter:\n    config: {split_type: random}\n  model_visualizer:\n");
    lp_run r = run_workflow("TimeSeriesRunner", "flights.yaml");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "split_type 'random'"), "%s", r.err);
    cr_expect(strstr(r.err, "never on shuffled rows"), "%s", r.err);
    lp_run_free(&r);
}

/* The tuner's grid values reach each trainer's own check before anything
 * runs: ETS's model spelling and the additive model's ranges and choices. */
Test(timeseries, a_bad_grid_value_of_either_trainer_is_refused_before_the_run)
{
    lp_copy_example(FLIGHTS, dir);
    lp_run ok = lolpop((const char *const[]){"config", "validate", "TimeSeriesRunner", "-c",
                                             "flights.yaml", NULL});
    cr_expect_eq(ok.status, 0, "%s", ok.err);
    cr_expect_str_eq(ok.err, "", "the quickstart validates without a warning");
    lp_run_free(&ok);
    edit_file("flights.yaml", "model: [ZZZ, MAM, MAdM]", "model: [ZZZ, MAM, QQQ]");
    edit_file("flights.yaml", "changepoint_prior_scale: [0.05, 0.5]",
              "changepoint_prior_scale: [0.05, -0.5]");
    lp_run r = run_workflow("TimeSeriesRunner", "flights.yaml");
    cr_expect_eq(r.status, 2, "%s", r.err);
    cr_expect(strstr(r.err, "ETSModelTrainer (train.model_trainer): training_params: ets model "
                            "'QQQ' is not an ETS model"),
              "%s", r.err);
    cr_expect(strstr(r.err, "ForecastModelTrainer (model_trainer): training_params: additive "
                            "model: changepoint_prior_scale must be a number > 0, got -0.5"),
              "%s", r.err);
    cr_expect(strstr(r.err, "2 problems in the configuration; nothing was run"), "%s", r.err);
    lp_run_free(&r);
}

/* ---- a small synthetic series ------------------------------------------------------ */

static const char SYNTH_YAML[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
    "predict: OfflinePredict}\n"
    "component:\n"
    "  metadata_tracker: LocalMetadataTracker\n"
    "  metrics_tracker: LocalMetricsTracker\n"
    "  resource_version_control: LocalResourceVersionControl\n"
    "config:\n"
    "  train_data: train.csv\n"
    "  eval_data: eval.csv\n"
    "  model_name: synth\n"
    "  model_target: y\n"
    "  time_index: date\n"
    "  forecast_period: 6\n"
    "train:\n"
    "  component:\n"
    "    model_trainer: ETSModelTrainer\n";

/* 48 months from 1949-01 of a trend and a yearly wave as train.csv: `skip`
 * (< 48, or 48 for none) is left out, `odd` (or 48) gets the 15th of its
 * month; `series` > 1 repeats the series with a key column; eval.csv the 6
 * months after. */
static void synth_files(size_t skip, size_t odd, size_t series)
{
    char *text = malloc(64 * 48 * series + 64), *p = text;
    p += sprintf(p, "%sdate,y\n", series > 1 ? "store," : "");
    for (size_t s = 0; s < series; s++)
        for (size_t i = 0; i < 48; i++) {
            if (i == skip) continue;
            if (series > 1) p += sprintf(p, "s%zu,", s + 1);
            p += sprintf(p, "%04zu-%02zu-%s,%.3f\n", 1949 + i / 12, i % 12 + 1,
                         i == odd ? "15" : "01",
                         100.0 * (double)(s + 1) + (double)i + 10 * sin(2 * M_PI * (double)i / 12));
        }
    lp_write_file(dir, "train.csv", text);
    p = text;
    p += sprintf(p, "%sdate\n", series > 1 ? "store," : "");
    for (size_t s = 0; s < series; s++)
        for (size_t i = 0; i < 6; i++)
            p += sprintf(p, "%s%s%s1953-%02zu-01\n", series > 1 ? "s" : "",
                         series > 1 ? (s == 0   ? "1"
                                       : s == 1 ? "2"
                                                : "3")
                                    : "",
                         series > 1 ? "," : "", i + 1);
    lp_write_file(dir, "eval.csv", text);
    free(text);
}

Test(timeseries, an_irregular_index_is_one_clear_error_naming_the_stamp)
{
    synth_files(48, 20, 1);
    lp_write_file(dir, "ts.yaml", SYNTH_YAML);
    lp_run r = run_workflow("TimeSeriesRunner", "ts.yaml");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "time_index 'date' is not a regular time index"), "%s", r.err);
    cr_expect(strstr(r.err, "1950-09-15 follows 1950-08-01"), "%s", r.err);
    cr_expect_eq(error_lines(r.err), 1, "%s", r.err);
    lp_run_free(&r);
}

Test(timeseries, missing_periods_are_a_warning_with_count_and_first)
{
    synth_files(28, 48, 1);
    lp_write_file(dir, "ts.yaml", SYNTH_YAML);
    lp_run r = run_workflow("TimeSeriesRunner", "ts.yaml");
    LP_EXPECT_EXIT(r, 0);
    cr_expect(strstr(r.err, "WARN  [TimeSeriesRunner] time_index 'date': 1 of 48 periods "
                            "(frequency MS) are missing, the first 1951-05-01"),
              "%s", r.err);
    cr_expect(strstr(r.err, "frequency MS inferred"), "%s", r.err);
    lp_run_free(&r);
    csv pred;
    csv_load(&pred, "predictions.csv");
    cr_expect_eq(pred.rows, 6);
    cr_expect_str_eq(pred.cell[4], "1953-01-01");
    csv_free(&pred);
}

Test(timeseries, gaps_in_the_target_are_allowed)
{
    synth_files(48, 48, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    char *text = lp_read_file(path);
    char *row = strstr(text, "1951-05-01,");
    cr_assert_not_null(row);
    char *end = strchr(row, '\n');
    memmove(row + strlen("1951-05-01,"), end, strlen(end) + 1); /* an empty y */
    lp_write_file(dir, "train.csv", text);
    free(text);
    lp_write_file(dir, "ts.yaml", SYNTH_YAML);
    lp_run r = run_workflow("TimeSeriesRunner", "ts.yaml");
    LP_EXPECT_EXIT(r, 0);
    cr_expect(strstr(r.err, "1 rows without a 'y' value are gaps"), "%s", r.err);
    lp_run_free(&r);
}

/* ---- several series in one file (series_id) --------------------------------------- */

#define DEATHS LP_SOURCE_ROOT "/tests/fixtures/ts/deaths.csv"

static const char DEATHS_YAML[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
    "predict: OfflinePredict}\n"
    "component:\n"
    "  metadata_tracker: LocalMetadataTracker\n"
    "  metrics_tracker: LocalMetricsTracker\n"
    "  resource_version_control: LocalResourceVersionControl\n"
    "  model_repository: LocalModelRepository\n"
    "config:\n"
    "  train_data: %s\n"
    "  eval_data: %s\n"
    "  prediction_data: %s\n"
    "  model_name: deaths\n"
    "  model_target: deaths\n"
    "  time_index: month\n"
    "%s"
    "  forecast_period: 12\n"
    "  auto_approve_models: true\n"
    "  cv_initial: 36\n"
    "  cv_period: 12\n"
    "  cv_horizon: 12\n"
    "train:\n"
    "  component:\n"
    "    model_trainer: ETSModelTrainer\n";

static void write_deaths_yaml(const char *file, const char *train, const char *eval,
                              const char *out, bool keyed)
{
    char text[2048];
    snprintf(text, sizeof text, DEATHS_YAML, train, eval, out, keyed ? "  series_id: sex\n" : "");
    lp_write_file(dir, file, text);
}

/* deaths.csv's rows of one sex without the key column, as `file`. */
static void write_one_sex(const char *file, const char *sex)
{
    char *all = lp_read_file(DEATHS);
    cr_assert_not_null(all);
    size_t cap = strlen(all) + 1, n = 0, klen = strlen(sex);
    char *out = malloc(cap);
    n += (size_t)sprintf(out, "month,deaths\n");
    for (char *line = strchr(all, '\n') + 1; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > klen && strncmp(line, sex, klen) == 0 && line[klen] == ',') {
            memcpy(out + n, line + klen + 1, len - klen - 1);
            n += len - klen - 1;
            out[n++] = '\n';
        }
        line += len + (end ? 1 : 0);
    }
    out[n] = '\0';
    lp_write_file(dir, file, out);
    free(out);
    free(all);
}

/* The 12 months of 1980 (keyed: male's then female's), as `file`. */
static void write_future(const char *file, bool keyed)
{
    char text[1024], *p = text;
    p += sprintf(p, keyed ? "sex,month\n" : "month\n");
    for (int s = 0; s < (keyed ? 2 : 1); s++)
        for (int m = 1; m <= 12; m++)
            p += sprintf(p, "%s1980-%02d-01\n", !keyed ? "" : s == 0 ? "male," : "female,", m);
    lp_write_file(dir, file, text);
}

/* The keyed runs' inputs in the test's directory: deaths.csv (both sexes)
 * and future.csv (1980 for each). */
static void write_keyed_deaths(void)
{
    char *deaths = lp_read_file(DEATHS);
    cr_assert_not_null(deaths);
    lp_write_file(dir, "deaths.csv", deaths);
    free(deaths);
    write_future("future.csv", true);
}

Test(timeseries, several_series_are_each_fitted_as_if_alone)
{
    write_keyed_deaths();
    write_deaths_yaml("all.yaml", "deaths.csv", "future.csv", "predictions.csv", true);
    lp_run r = run_workflow("TimeSeriesRunner", "all.yaml");
    LP_EXPECT_EXIT(r, 0);
    cr_expect(strstr(r.err, "train_model: 2 series of 'sex'"), "%s", r.err);
    cr_expect(strstr(r.err, "train_model: series female"), "%s", r.err);
    cr_expect(strstr(r.out, "mean over 2 series"), "%s", r.out);
    lp_run_free(&r);

    csv pred;
    csv_load(&pred, "predictions.csv");
    cr_assert_eq(pred.rows, 24);
    cr_assert_eq(pred.cols, 5);
    const char *header[5] = {"sex", "month", "prediction", "lower", "upper"};
    for (size_t j = 0; j < 5; j++)
        cr_expect_str_eq(pred.cell[j], header[j]);
    /* rows grouped by key in the order of eval_data (male first), months in order */
    for (size_t i = 0; i < 24; i++) {
        char month[16];
        snprintf(month, sizeof month, "1980-%02zu-01", i % 12 + 1);
        cr_expect_str_eq(pred.cell[(i + 1) * 5], i < 12 ? "male" : "female", "row %zu", i);
        cr_expect_str_eq(pred.cell[(i + 1) * 5 + 1], month, "row %zu", i);
    }

    /* each series' forecast is the forecast of a run on that series alone */
    const char *sexes[2] = {"male", "female"};
    for (size_t s = 0; s < 2; s++) {
        write_one_sex("one.csv", sexes[s]);
        write_future("one_future.csv", false);
        write_deaths_yaml("one.yaml", "one.csv", "one_future.csv", "one_pred.csv", false);
        lp_run one_run = run_workflow("TimeSeriesRunner", "one.yaml");
        LP_EXPECT_EXIT(one_run, 0);
        lp_run_free(&one_run);
        csv one;
        csv_load(&one, "one_pred.csv");
        cr_assert_eq(one.rows, 12);
        for (size_t i = 0; i < 12; i++)
            for (size_t j = 0; j < 4; j++) /* month, prediction, lower, upper */
                cr_expect_str_eq(pred.cell[(s * 12 + i + 1) * 5 + 1 + j], one.cell[(i + 1) * 4 + j],
                                 "%s row %zu col %zu", sexes[s], i, j);
        csv_free(&one);
    }
    csv_free(&pred);
}

/* `lolpop run workflow TimeSeriesRunner -c run.yaml` in dir/sub (made here;
 * yaml: the config's text) with LOLPOP_THREADS=threads. */
static lp_run run_in(const char *sub, const char *threads, const char *yaml)
{
    char path[512], env[64];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    cr_assert_eq(mkdir(path, 0755), 0, "cannot make %s", path);
    lp_write_file(path, "run.yaml", yaml);
    snprintf(env, sizeof env, "LOLPOP_THREADS=%s", threads);
    return lp_run_exe(
        LP_LOLPOP_EXE, path, (const char *const[]){env, NULL},
        (const char *const[]){"run", "workflow", "TimeSeriesRunner", "-c", "run.yaml", NULL},
        DEADLINE_MS);
}

/* Appends the rows of sql on db to *buf (one line each, columns '|'-separated). */
static void dump_query(char **buf, size_t *len, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int j = 0; j < sqlite3_column_count(st); j++) {
            const char *v = (const char *)sqlite3_column_text(st, j);
            size_t n = strlen(v ? v : "");
            *buf = realloc(*buf, *len + n + 2);
            memcpy(*buf + *len, v ? v : "", n);
            *len += n;
            (*buf)[(*len)++] = j + 1 < sqlite3_column_count(st) ? '|' : '\n';
            (*buf)[*len] = '\0';
        }
    sqlite3_finalize(st);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What of dir/sub's store must not depend on the number of threads: its
 * resources (versions in creation order), metrics (every digit), tags (but
 * times and paths) and object names (content hashes). New string. */
static char *store_dump(const char *sub)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/.lolpop/lolpop.db", dir, sub);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", path);
    char *buf = calloc(1, 1);
    size_t len = 0;
    dump_query(&buf, &len, db, "SELECT id, type, name, version, parent FROM resources ORDER BY id");
    dump_query(&buf, &len, db,
               "SELECT resource, split, name, printf('%.17g', value) FROM metrics "
               "ORDER BY resource, split, name");
    dump_query(&buf, &len, db,
               "SELECT resource, key, value FROM tags WHERE key NOT IN ('approved_at', 'at', "
               "'bundle_dir') ORDER BY resource, key");
    sqlite3_close(db);
    snprintf(path, sizeof path, "%s/%s/.lolpop/objects", dir, sub);
    char **names = NULL;
    size_t n = 0;
    DIR *top = opendir(path);
    cr_assert_not_null(top, "%s", path);
    for (struct dirent *e = readdir(top); e; e = readdir(top)) {
        if (e->d_name[0] == '.') continue;
        char inner[800];
        snprintf(inner, sizeof inner, "%s/%s", path, e->d_name);
        DIR *d = opendir(inner);
        for (struct dirent *f = d ? readdir(d) : NULL; f; f = readdir(d)) {
            if (f->d_name[0] == '.') continue;
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(strlen(e->d_name) + strlen(f->d_name) + 2);
            sprintf(names[n++], "%s/%s", e->d_name, f->d_name);
        }
        if (d) closedir(d);
    }
    closedir(top);
    cr_assert_gt(n, 0, "no objects in %s", path);
    qsort(names, n, sizeof *names, by_text);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        buf = realloc(buf, len + l + 2);
        memcpy(buf + len, names[i], l);
        len += l;
        buf[len++] = '\n';
        buf[len] = '\0';
        free(names[i]);
    }
    free(names);
    return buf;
}

/* The predictions and the store of the runs in dir/a and dir/b are the same. */
static void expect_same_runs(const char *a, const char *b)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s/predictions.csv", dir, a);
    snprintf(pb, sizeof pb, "%s/%s/predictions.csv", dir, b);
    char *one = lp_read_file(pa), *two = lp_read_file(pb);
    cr_assert(one && two);
    cr_expect_str_eq(one, two, "the forecasts differ between %s and %s", a, b);
    free(one);
    free(two);
    char *sa = store_dump(a), *sb = store_dump(b);
    cr_expect_str_eq(sa, sb, "the stores differ between %s and %s", a, b);
    free(sa);
    free(sb);
}

/* A keyed run of the deaths with LOLPOP_THREADS=threads in dir/t<threads>
 * (plots drawn): exit 0, every fit computed ahead. */
static void run_deaths_with_threads(const char *threads)
{
    char sub[16], text[2048];
    snprintf(sub, sizeof sub, "t%s", threads);
    snprintf(text, sizeof text, DEATHS_YAML, "../deaths.csv", "../future.csv", "predictions.csv",
             "  series_id: sex\n");
    strcat(text, "    model_visualizer: LocalModelVisualizer\n");
    lp_run r = run_in(sub, threads, text);
    LP_EXPECT_EXIT(r, 0);
    /* 2 series x (the fit, 3 folds of the history, 2 of the training split
     * drawn by the visualizer, the refit) */
    cr_expect(strstr(r.err, "train_model: 14 fits were computed ahead for the 2 series"), "%s",
              r.err);
    cr_expect(strstr(r.err, ", 0 in series order"), "%s", r.err);
    /* the run report's model cards and experiment headings name the series */
    const char *rep = strstr(r.out, ".lolpop/reports/run-");
    cr_assert_not_null(rep, "%s", r.out);
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%.*s", dir, sub, (int)strcspn(rep, " \n"), rep);
    char *html = lp_read_file(path);
    cr_assert_not_null(html, "%s", path);
    cr_expect(strstr(html, "data-key=\"series\">sex=female<"), "no series card for female");
    cr_expect(strstr(html, "data-key=\"series\">sex=male<"), "no series card for male");
    cr_expect(strstr(html, "data-key=\"series\">sex: 2 series<"), "no card of the combined model");
    free(html);
    lp_run_free(&r);
}

Test(timeseries, forecasts_do_not_depend_on_the_number_of_threads)
{
    write_keyed_deaths();
    run_deaths_with_threads("1");
    run_deaths_with_threads("2");
    expect_same_runs("t1", "t2");

    /* each series' plots say which series they are of, in title and file name */
    char base[512];
    snprintf(base, sizeof base, "%s/t2", dir);
    char *female = plot_svg_in(base, "forecast-sex_female-"),
         *male = plot_svg_in(base, "forecast-sex_male-");
    cr_expect(female && strstr(female, "sex=female"), "no forecast plot titled sex=female");
    cr_expect(male && strstr(male, "sex=male"), "no forecast plot titled sex=male");
    free(female);
    free(male);
    /* the components of an ETS model are its states, as R's autoplot(ets) */
    char *level = plot_svg_in(base, "component-1-sex_female-");
    cr_expect(level && strstr(level, "Component: level"), "no plot of the ETS level");
    free(level);
}

/* n monthly series of 60 months (2015-2019), each with its own level, trend,
 * season and noise, keyed by `store`, as many.csv; their 12 months of 2020 as
 * many_future.csv. */
static void write_many_series(size_t n)
{
    size_t cap = 64 + n * 60 * 40, len = 0;
    char *text = malloc(cap), *future = malloc(64 + n * 12 * 24);
    size_t flen = (size_t)sprintf(future, "store,month\n");
    len += (size_t)sprintf(text, "store,month,sales\n");
    uint32_t seed = 12345;
    for (size_t s = 0; s < n; s++) {
        for (size_t t = 0; t < 60; t++) {
            seed = seed * 1664525u + 1013904223u;
            double noise =
                ((double)(seed >> 8) / (double)(1u << 24) - 0.5) * (2.0 + (double)(s % 3));
            double v = 100.0 + 10.0 * (double)s + (0.2 + 0.05 * (double)s) * (double)t +
                       (4.0 + (double)(s % 5)) * sin(2 * M_PI * (double)t / 12.0 + (double)s) +
                       noise;
            len += (size_t)sprintf(text + len, "s%02zu,%zu-%02zu-01,%.3f\n", s, 2015 + t / 12,
                                   t % 12 + 1, v);
        }
        for (size_t m = 1; m <= 12; m++)
            flen += (size_t)sprintf(future + flen, "s%02zu,2020-%02zu-01\n", s, m);
    }
    lp_write_file(dir, "many.csv", text);
    lp_write_file(dir, "many_future.csv", future);
    free(text);
    free(future);
}

static const char MANY_YAML[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
    "predict: OfflinePredict}\n"
    "component:\n"
    "  metadata_tracker: LocalMetadataTracker\n"
    "  metrics_tracker: LocalMetricsTracker\n"
    "  resource_version_control: LocalResourceVersionControl\n"
    "  model_repository: LocalModelRepository\n"
    "config:\n"
    "  train_data: ../many.csv\n"
    "  eval_data: ../many_future.csv\n"
    "  prediction_data: predictions.csv\n"
    "  model_name: sales\n"
    "  model_target: sales\n"
    "  time_index: month\n"
    "  series_id: store\n"
    "  forecast_period: 12\n"
    "  auto_approve_models: true\n"
    "  cv_initial: 24\n"
    "  cv_period: 12\n"
    "  cv_horizon: 12\n"
    "train:\n"
    "  component:\n"
    "    model_trainer: ETSModelTrainer\n";

Test(timeseries, many_series_fitted_in_parallel_give_the_same_forecasts_and_store)
{
    size_t n = getenv("LOLPOP_T_TIME_SCALE") ? 6 : 20;
    write_many_series(n);
    char want[128];
    /* n series x (the fit, 3 cross-validation folds, the refit), all ahead */
    snprintf(want, sizeof want, "train_model: %zu fits were computed ahead for the %zu series",
             5 * n, n);
    const char *threads[2] = {"1", "2"};
    for (size_t i = 0; i < 2; i++) {
        char sub[16];
        snprintf(sub, sizeof sub, "t%s", threads[i]);
        lp_run r = run_in(sub, threads[i], MANY_YAML);
        LP_EXPECT_EXIT(r, 0);
        cr_expect(strstr(r.err, want), "%s", r.err);
        cr_expect(strstr(r.err, ", 0 in series order"), "%s", r.err);
        lp_run_free(&r);
    }
    expect_same_runs("t1", "t2");
    csv pred;
    csv_load(&pred, "t2/predictions.csv");
    cr_expect_eq(pred.rows, 12 * n);
    csv_free(&pred);
}

Test(timeseries, a_too_short_series_is_an_error_naming_its_key)
{
    char *deaths = lp_read_file(DEATHS);
    cr_assert_not_null(deaths);
    char *text = malloc(strlen(deaths) + 256);
    char *p = text + sprintf(text, "sex,month,deaths\n");
    for (int m = 1; m <= 5; m++)
        p += sprintf(p, "child,1974-%02d-01,%d\n", m, 10 + m);
    strcpy(p, strchr(deaths, '\n') + 1);
    lp_write_file(dir, "deaths.csv", text);
    free(text);
    free(deaths);
    write_future("future.csv", true);
    write_deaths_yaml("all.yaml", "deaths.csv", "future.csv", "predictions.csv", true);
    lp_run r = run_workflow("TimeSeriesRunner", "all.yaml");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "series child"), "%s", r.err);
    cr_expect_eq(error_lines(r.err), 1, "%s", r.err);
    lp_run_free(&r);
}
