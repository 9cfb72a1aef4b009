/*
 * metrics.c — the server's counters and their Prometheus text (metrics.h).
 */
#include <stdio.h>
#include <string.h>

#include "server/metrics.h"
#include "server/response.h"

/* The statuses counted apart; the last slot counts any other. */
static const unsigned statuses[SRV_N_STATUS - 1] = {200, 400, 404, 405, 413, 415, 500, 503, 408};
/* Upper bounds of the histogram's buckets, in seconds (+Inf after them). */
static const double bounds[SRV_N_BUCKETS - 1] = {0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
                                                 0.025,   0.05,   0.1,   0.25,  0.5,   1.0};
static const char *const paths[SRV_PATH_COUNT] = {"/predict", "/invocations", "/health", "/schema",
                                                  "/metrics", "/version",     "other"};

void srv_metrics_init(srv_metrics *m)
{
    for (size_t p = 0; p < SRV_PATH_COUNT; p++)
        for (size_t s = 0; s < SRV_N_STATUS; s++)
            atomic_init(&m->requests[p][s], 0);
    for (size_t b = 0; b < SRV_N_BUCKETS; b++)
        atomic_init(&m->buckets[b], 0);
    atomic_init(&m->errors, 0);
    atomic_init(&m->latency_us, 0);
    atomic_init(&m->count, 0);
    atomic_init(&m->rows, 0);
    atomic_init(&m->reloads, 0);
}

srv_path srv_path_of(const char *url)
{
    for (size_t p = 0; p < SRV_PATH_OTHER; p++)
        if (strcmp(url, paths[p]) == 0) return (srv_path)p;
    return SRV_PATH_OTHER;
}

const char *srv_path_name(srv_path p)
{
    return p < SRV_PATH_COUNT ? paths[p] : "other";
}

void srv_metrics_request(srv_metrics *m, srv_path path, unsigned status, double seconds)
{
    size_t s = 0;
    while (s < SRV_N_STATUS - 1 && statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&m->requests[path][s], 1, memory_order_relaxed);
    if (status >= 400) atomic_fetch_add_explicit(&m->errors, 1, memory_order_relaxed);
    size_t b = 0;
    while (b < SRV_N_BUCKETS - 1 && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_us, (unsigned long long)(seconds * 1e6 + 0.5),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
}

void srv_metrics_rows(srv_metrics *m, size_t rows)
{
    atomic_fetch_add_explicit(&m->rows, rows, memory_order_relaxed);
}

static void render_requests(lp_sb *sb, srv_metrics *m)
{
    lp_sb_append(sb, "# HELP lolpop_http_requests_total HTTP requests answered, by path and "
                     "status.\n# TYPE lolpop_http_requests_total counter\n");
    for (size_t p = 0; p < SRV_PATH_COUNT; p++)
        for (size_t s = 0; s < SRV_N_STATUS; s++) {
            unsigned long long n = atomic_load(&m->requests[p][s]);
            if (!n) continue;
            char st[16];
            if (s < SRV_N_STATUS - 1)
                snprintf(st, sizeof st, "%u", statuses[s]);
            else
                snprintf(st, sizeof st, "other");
            lp_sb_appendf(sb, "lolpop_http_requests_total{path=\"%s\",status=\"%s\"} %llu\n",
                          paths[p], st, n);
        }
    lp_sb_appendf(sb,
                  "# HELP lolpop_http_request_errors_total Requests answered with a 4xx or 5xx "
                  "status.\n# TYPE lolpop_http_request_errors_total counter\n"
                  "lolpop_http_request_errors_total %llu\n",
                  atomic_load(&m->errors));
}

static void render_latency(lp_sb *sb, srv_metrics *m)
{
    lp_sb_append(sb, "# HELP lolpop_http_request_duration_seconds Time from a request's first "
                     "byte to its answer.\n# TYPE lolpop_http_request_duration_seconds "
                     "histogram\n");
    unsigned long long cum = 0;
    for (size_t b = 0; b < SRV_N_BUCKETS; b++) {
        cum += atomic_load(&m->buckets[b]);
        if (b < SRV_N_BUCKETS - 1)
            lp_sb_appendf(sb, "lolpop_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          bounds[b], cum);
        else
            lp_sb_appendf(sb, "lolpop_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                          cum);
    }
    lp_sb_appendf(sb,
                  "lolpop_http_request_duration_seconds_sum %.6f\n"
                  "lolpop_http_request_duration_seconds_count %llu\n",
                  (double)atomic_load(&m->latency_us) / 1e6, atomic_load(&m->count));
}

void srv_metrics_render(lp_sb *sb, srv_metrics *m, const char *version)
{
    render_requests(sb, m);
    render_latency(sb, m);
    lp_sb_appendf(sb,
                  "# HELP lolpop_rows_scored_total Rows scored.\n"
                  "# TYPE lolpop_rows_scored_total counter\nlolpop_rows_scored_total %llu\n"
                  "# HELP lolpop_model_reloads_total Models swapped in by --reload.\n"
                  "# TYPE lolpop_model_reloads_total counter\nlolpop_model_reloads_total %llu\n"
                  "# HELP lolpop_model_info The model being served.\n"
                  "# TYPE lolpop_model_info gauge\nlolpop_model_info{version=",
                  atomic_load(&m->rows), atomic_load(&m->reloads));
    srv_json_string(sb, version, strlen(version)); /* a quoted, escaped label value */
    lp_sb_append(sb, "} 1\n");
}
