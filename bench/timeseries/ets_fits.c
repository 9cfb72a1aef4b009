/*
 * ets_fits.c — every ETS fit of the bench series, bit for bit, so that two
 * builds can be compared with diff: a change meant to make the fits faster
 * must leave this output unchanged.
 *
 *   ets_fits DIR > fits.txt      (DIR: bench/timeseries)
 *
 * For each series of DIR/series.csv, its first n - h points (the training
 * part ts_bench fits) with seasonal periods 1, 4, 6 and 12: the automatic
 * choice (ZZZ) and each of the 15 models it chooses from, each printed as
 * its name, parameters, criteria, initial and last states, the sum of the
 * fitted values, the state path's sums and a 12-step forecast with its 80 %
 * interval, every number in C's %a (exact). A model that cannot be fitted
 * prints the error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/ets.h"

#define H 12

static void print_fit(const lp_ets *e)
{
    char name[32];
    lp_ets_name(&e->spec, name, sizeof name);
    printf("  %s m=%zu alpha=%a beta=%a gamma=%a phi=%a\n", name, e->m, e->alpha, e->beta, e->gamma,
           e->phi);
    printf("    loglik=%a aicc=%a bic=%a sigma2=%a mse=%a np=%zu\n", e->loglik, e->aicc, e->bic,
           e->sigma2, e->mse, e->n_params);
    printf("    init");
    for (size_t i = 0; i < e->n_states; i++)
        printf(" %a", e->init[i]);
    printf("\n    last");
    for (size_t i = 0; i < e->n_states; i++)
        printf(" %a", e->last[i]);
    double fs = 0;
    for (size_t i = 0; i < e->n; i++)
        fs += e->fitted[i];
    printf("\n    fitted_sum=%a\n", fs);
    double *path = malloc(3 * (e->n + 1) * sizeof *path), ps[3] = {0, 0, 0};
    if (path && lp_ets_state_path(e, path, path + e->n + 1, path + 2 * (e->n + 1)) == 0) {
        for (size_t k = 0; k < 3; k++) {
            if ((k == 1 && !e->spec.trend) || (k == 2 && !e->spec.season)) continue;
            for (size_t t = 0; t <= e->n; t++)
                ps[k] += path[k * (e->n + 1) + t];
        }
        printf("    path_sums %a %a %a\n", ps[0], ps[1], ps[2]);
    }
    free(path);
    double mean[H], lo[H], up[H];
    if (lp_ets_forecast(e, H, 0.8, mean, lo, up) == 0) {
        printf("    forecast");
        for (size_t i = 0; i < H; i++)
            printf(" %a [%a %a]", mean[i], lo[i], up[i]);
        printf("\n");
    } else {
        printf("    forecast error: %s\n", lp_error_last()->message);
    }
}

static void fit_and_print(const double *y, size_t n, size_t m, const char *model)
{
    lp_ets *e = NULL;
    printf(" %s m=%zu:\n", model, m);
    if (lp_ets_fit(&e, y, n, m, model) != 0) {
        printf("  error: %s\n", lp_error_last()->message);
        return;
    }
    print_fit(e);
    lp_ets_free(e);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ets_fits DIR\n");
        return 2;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/series.csv", argv[1]);
    lp_frame *list = NULL;
    if (lp_csv_read(&list, path, NULL)) {
        fprintf(stderr, "ets_fits: %s: %s\n", path, lp_error_last()->message);
        return 1;
    }
    static const char *const models[] = {"ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA",
                                         "MNN", "MAN", "MAdN", "MNA", "MAA", "MAdA",
                                         "MNM", "MAM", "MAdM", "ZZZ"};
    static const size_t periods[] = {1, 4, 6, 12};
    int rc = 0;
    for (size_t r = 0; r < lp_frame_rows(list) && rc == 0; r++) {
        size_t len = 0;
        const char *s = lp_column_str(lp_frame_col_by_name(list, "series"), r, &len);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, s ? s : "");
        size_t n = (size_t)lp_column_get_f64(lp_frame_col_by_name(list, "n"), r);
        size_t h = (size_t)lp_column_get_f64(lp_frame_col_by_name(list, "h"), r);
        snprintf(path, sizeof path, "%s/data/%s.csv", argv[1], name);
        lp_frame *f = NULL;
        if (lp_csv_read(&f, path, NULL) || n <= h || lp_frame_rows(f) < n) {
            fprintf(stderr, "ets_fits: %s: cannot read %zu rows\n", path, n);
            lp_frame_unref(f);
            rc = 1;
            break;
        }
        size_t nt = n - h;
        double *y = malloc(nt * sizeof *y);
        for (size_t i = 0; i < nt; i++)
            y[i] = lp_column_get_f64(lp_frame_col_by_name(f, "y"), i);
        printf("%s (%zu points)\n", name, nt);
        for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
            for (size_t k = 0; k < sizeof models / sizeof *models; k++)
                fit_and_print(y, nt, periods[p], models[k]);
        free(y);
        lp_frame_unref(f);
    }
    lp_frame_unref(list);
    return rc;
}
