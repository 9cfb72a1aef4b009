/*
 * model_interval.c — point predictions with an uncertainty interval, for the
 * back-ends that provide one (forecasters: ETS, the additive model).
 */
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "ml/model_internal.h"

LP_API bool lp_model_has_intervals(const lp_model *m)
{
    const lp_model_ops *ops = m->ops;
    return ops && LP_MODEL_OPS_HAS(ops, predict_interval) && ops->predict_interval;
}

/* Three zero-filled float64 columns of `rows` values added to *out. */
static int interval_frame(lp_frame **out, size_t rows, double *cols[3])
{
    static const char *const names[3] = {"prediction", "lower", "upper"};
    lp_frame *f = lp_frame_new();
    if (!f) return lp_error_set(LP_ENOMEM, "out of memory");
    for (int k = 0; k < 3; k++) {
        lp_column *c = lp_column_new(LP_DT_FLOAT64, rows);
        if (!c || lp_frame_add_column(f, names[k], c)) {
            lp_frame_unref(f);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        cols[k] = c->data.f64;
    }
    *out = f;
    return 0;
}

LP_API int lp_model_predict_interval(lp_frame **out, const lp_model *m, const lp_frame *X,
                                     double width)
{
    *out = NULL;
    if (!lp_model_has_intervals(m))
        return lp_error_set(LP_EINVAL, "the %s model of '%s' gives no prediction intervals",
                            lp_model_backend(m), m->target);
    if (!(width > 0 && width < 1))
        return lp_error_set(LP_EINVAL, "interval width %g is not between 0 and 1", width);
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X);
    double *cols[3];
    lp_frame *f = NULL;
    rc = interval_frame(&f, rows, cols);
    if (rc == 0 && rows)
        rc = m->ops->predict_interval(m->state, m, mat, rows, width, cols[0], cols[1], cols[2]);
    free(mat);
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}
