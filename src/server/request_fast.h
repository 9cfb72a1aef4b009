/*
 * request_fast.h — the common JSON scoring bodies read straight into
 * columns, without building a jansson tree first: /predict's {"rows": [...]}
 * and {"columns": [...], "data": [[...]]}, MLflow's "dataframe_records" and
 * "dataframe_split". For a one-row request the tree (an object per row, a
 * hash table per object, a string per key) cost more than scoring the row.
 *
 * The reader takes only what it is sure of: any body it would read
 * differently from request_parse.c's tree reader — an escape in a string, a
 * duplicate key, a number jansson might refuse, a wrong type, a missing
 * column, any malformed JSON — is declined, and the caller falls back to the
 * tree reader, which then answers with its own result or error message.
 * fuzz/fuzz_request.c checks that an accepted body gives the tree reader's
 * frame, hash for hash.
 */
#ifndef LP_SERVER_REQUEST_FAST_H
#define LP_SERVER_REQUEST_FAST_H

#include <stddef.h>

#include "lolpop/frame.h"
#include "server/request_parse.h"

/* srv_parse_fast's answer when it leaves the body to the tree reader. */
#define SRV_FAST_DECLINED 1

/* Reads body (len bytes) of kind SRV_BODY_PREDICT or SRV_BODY_MLFLOW into a
 * new frame of in's columns (*out, ownership to the caller): 0, or
 * SRV_FAST_DECLINED with *out NULL and nothing else changed. */
int srv_parse_fast(lp_frame **out, srv_body_kind kind, const char *body, size_t len,
                   const srv_input *in);

#endif
