/*
 * request_build.h — the columns of a scoring request being built: one
 * column builder per input column, in the input's order, finished into a
 * frame. Shared by the two JSON readers (request_parse.c's jansson tree and
 * request_fast.c's direct reader) so that both build frames the same way.
 */
#ifndef LP_SERVER_REQUEST_BUILD_H
#define LP_SERVER_REQUEST_BUILD_H

#include "lolpop/frame.h"
#include "server/request_parse.h"

typedef struct srv_build {
    const srv_input *in;   /* borrowed */
    lp_column_builder **b; /* owned: one per input column, NULL once finished */
    srv_parse_error *err;  /* borrowed: where an out-of-memory is told */
} srv_build;

/* The type a column is built as: categories are built as strings (the model
 * encodes either). */
lp_dtype srv_built_type(lp_dtype t);
/* Starts a builder per column of in, sized for `rows` rows (a hint).
 * 0 or LP_ENOMEM (err filled); srv_build_free in either case. */
int srv_build_init(srv_build *bd, const srv_input *in, srv_parse_error *err, size_t rows);
/* Frees what is left of the builders (none after srv_build_finish). */
void srv_build_free(srv_build *bd);
/* The built columns as a new frame in *out (ownership to the caller).
 * 0 or LP_ENOMEM (err filled). */
int srv_build_finish(lp_frame **out, srv_build *bd);
/* Fills *e (row, column, printf-style message) and returns LP_EINVAL. */
int srv_parse_fail(srv_parse_error *e, long row, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Fills *e with "out of memory" and returns LP_ENOMEM. */
int srv_parse_oom(srv_parse_error *e);

#endif
