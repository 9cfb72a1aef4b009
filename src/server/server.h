/*
 * server.h — `lolpop serve`: a model behind HTTP (libmicrohttpd).
 *
 * Endpoints (JSON unless said otherwise; bodies in request_parse.h, answers
 * in response.h):
 *   POST /predict       rows as JSON (rows / columns+data) or text/csv
 *   POST /invocations   MLflow's scoring protocol
 *   GET  /health        {"status": "ok", "version": ...}
 *   GET  /schema        the input schema (srv_scorer_schema)
 *   GET  /metrics       Prometheus text (metrics.h)
 *   GET  /version       {"version": ..., "bundle": ..., "lolpop_version": ...}
 * Errors: 400 (a body that does not fit, naming row and column), 404 (unknown
 * path), 405 (wrong method), 413 (body over max_body), 500.
 *
 * Requests are answered by a pool of threads, each scoring with its own
 * reference to the current model. The calling thread waits for SIGTERM or
 * SIGINT (then stops accepting, lets in-flight requests finish and returns 0)
 * and, with reload, checks every second whether the model reference points
 * elsewhere (a moved `current` link): it then loads the new model and swaps
 * it in; requests that started on the old one finish on it.
 *
 * Logs go to stderr: the start-up line with the URL (info), one line per
 * request (debug), reloads and shutdown (info). Only this layer and the CLI
 * print.
 */
#ifndef LP_SERVER_SERVER_H
#define LP_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/registry.h"

#define SRV_DEFAULT_MAX_BODY ((size_t)16 << 20)

typedef struct srv_options {
    const char *host;  /* address to bind; NULL = "127.0.0.1" */
    unsigned port;     /* 0 = any free port (the start-up line names it) */
    unsigned threads;  /* request threads; 0 = one per core */
    size_t max_body;   /* bytes; 0 = SRV_DEFAULT_MAX_BODY */
    bool reload;       /* follow the model reference to new versions */
    const char *store; /* the store directory for a model name; NULL = ".lolpop" */
    int verbosity;     /* 0 warnings only, 1 info (default), 2 one line per request */
} srv_options;

/* Serves the model that model_ref names (srv_scorer_resolve) with the model
 * back-ends of reg (borrowed) until SIGTERM or SIGINT. 0 after a clean
 * shutdown; an error (last error set) when the model cannot be opened or the
 * address not bound. Blocks SIGTERM and SIGINT in the calling thread. */
int srv_serve(lp_registry *reg, const char *model_ref, const srv_options *opt);

#endif
