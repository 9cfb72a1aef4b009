/*
 * metrics.h — the server's counters (lock-free, updated by every request
 * thread) and their Prometheus text exposition for GET /metrics:
 *   lolpop_http_requests_total{path,status}    counter
 *   lolpop_http_request_errors_total           counter (4xx and 5xx answers)
 *   lolpop_http_request_duration_seconds       histogram (all requests)
 *   lolpop_rows_scored_total                   counter
 *   lolpop_model_reloads_total                 counter (--reload swaps)
 *   lolpop_model_info{version}                 gauge, 1
 *
 * Ownership: the caller owns the srv_metrics struct (zero it, or
 * srv_metrics_init); render appends to the caller's buffer.
 */
#ifndef LP_SERVER_METRICS_H
#define LP_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#include "lolpop/strbuf.h"

/* The paths counted apart; anything else is SRV_PATH_OTHER. */
typedef enum srv_path {
    SRV_PATH_PREDICT,
    SRV_PATH_INVOCATIONS,
    SRV_PATH_HEALTH,
    SRV_PATH_SCHEMA,
    SRV_PATH_METRICS,
    SRV_PATH_VERSION,
    SRV_PATH_OTHER,
    SRV_PATH_COUNT
} srv_path;

enum { SRV_N_STATUS = 10, SRV_N_BUCKETS = 13 };

typedef struct srv_metrics {
    atomic_ullong requests[SRV_PATH_COUNT][SRV_N_STATUS];
    atomic_ullong errors;
    atomic_ullong buckets[SRV_N_BUCKETS]; /* non-cumulative; the last is +Inf */
    atomic_ullong latency_us;             /* sum */
    atomic_ullong count;
    atomic_ullong rows;
    atomic_ullong reloads;
} srv_metrics;

/* Zeroes every counter. */
void srv_metrics_init(srv_metrics *m);
/* The path of a URL ("/predict" -> SRV_PATH_PREDICT; unknown -> OTHER). */
srv_path srv_path_of(const char *url);
/* The URL of a counted path ("other" for SRV_PATH_OTHER; static). */
const char *srv_path_name(srv_path p);
/* Counts one answered request. */
void srv_metrics_request(srv_metrics *m, srv_path path, unsigned status, double seconds);
/* Adds scored rows. */
void srv_metrics_rows(srv_metrics *m, size_t rows);
/* Appends the exposition text; version names the model served. */
void srv_metrics_render(lp_sb *sb, srv_metrics *m, const char *version);

#endif
