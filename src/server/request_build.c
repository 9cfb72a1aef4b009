/*
 * request_build.c — see request_build.h.
 */
#include "server/request_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lolpop/error.h"

int srv_parse_fail(srv_parse_error *e, long row, const char *column, const char *fmt, ...)
{
    e->row = row;
    snprintf(e->column, sizeof e->column, "%s", column ? column : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return LP_EINVAL;
}

int srv_parse_oom(srv_parse_error *e)
{
    srv_parse_fail(e, -1, NULL, "out of memory");
    return LP_ENOMEM;
}

lp_dtype srv_built_type(lp_dtype t)
{
    return t == LP_DT_CATEGORY ? LP_DT_STRING : t;
}

int srv_build_init(srv_build *bd, const srv_input *in, srv_parse_error *err, size_t rows)
{
    bd->in = in;
    bd->err = err;
    bd->b = calloc(in->n ? in->n : 1, sizeof *bd->b);
    if (!bd->b) return srv_parse_oom(err);
    for (size_t j = 0; j < in->n; j++)
        if (!(bd->b[j] = lp_column_builder_new(srv_built_type(in->cols[j].dtype), rows)))
            return srv_parse_oom(err);
    return 0;
}

void srv_build_free(srv_build *bd)
{
    for (size_t j = 0; bd->b && j < bd->in->n; j++)
        if (bd->b[j]) lp_column_builder_free(bd->b[j]);
    free(bd->b);
    bd->b = NULL;
}

int srv_build_finish(lp_frame **out, srv_build *bd)
{
    lp_frame *f = lp_frame_new();
    if (!f) return srv_parse_oom(bd->err);
    for (size_t j = 0; j < bd->in->n; j++) {
        lp_column *c = lp_column_builder_finish(bd->b[j]);
        bd->b[j] = NULL;
        if (!c || lp_frame_add_column(f, bd->in->cols[j].name, c) != 0) {
            lp_frame_unref(f);
            return srv_parse_oom(bd->err);
        }
    }
    *out = f;
    return 0;
}
