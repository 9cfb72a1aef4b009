/*
 * request_bench.c — what one scoring request costs `lolpop serve` without
 * HTTP: parse the body (srv_parse_body), score it (srv_scorer_score), write
 * the JSON answer (srv_json_scores), in a loop on one thread. Shows where a
 * request's time goes next to bench/serve/run.sh's end-to-end numbers.
 *
 *   build/bench/request_bench BUNDLE BODY.json [SECONDS]
 *
 * Warms up for a second first (small batches switch to lolpop's own walk of
 * the trees after a background compile), then reports calls per second, the
 * CPU time per call, and the mean wall nanoseconds of each phase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lolpop.h"
#include "lolpop/error.h"
#include "lolpop/strbuf.h"
#include "server/request_parse.h"
#include "server/response.h"
#include "server/scorer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of this thread: unlike wall time, not inflated when other
 * processes share the cores. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* One request; adds each phase's seconds to t[0..2]. 0 or an error. */
static int request(srv_scorer *s, const srv_input *in, const char *body, size_t len, double *t)
{
    double t0 = now();
    lp_frame *rows = NULL, *scores = NULL;
    srv_parse_error perr;
    int rc = srv_parse_body(&rows, &perr, SRV_BODY_PREDICT, body, len, in);
    if (rc) {
        fprintf(stderr, "request_bench: the body: %s\n", perr.message);
        return rc;
    }
    double t1 = now();
    rc = srv_scorer_score(&scores, s, rows);
    double t2 = now();
    if (rc == 0) {
        lp_sb sb = {0};
        srv_json_scores(&sb, scores, true);
        lp_sb_free(&sb);
    }
    double t3 = now();
    t[0] += t1 - t0, t[1] += t2 - t1, t[2] += t3 - t2;
    lp_frame_unref(rows);
    if (scores) lp_frame_unref(scores);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: request_bench BUNDLE BODY.json [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 3 ? atof(argv[3]) : 5;
    size_t len = 0;
    char *body = slurp(argv[2], &len);
    lp_registry *reg = lp_registry_new();
    srv_scorer *s = NULL;
    srv_input in = {0};
    if (!body || !reg || lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin") != 0 ||
        srv_scorer_open(&s, reg, argv[1], NULL) != 0 ||
        srv_input_from_schema(&in, srv_scorer_schema(s)) != 0) {
        fprintf(stderr, "request_bench: %s\n", body ? lp_error_last()->message : argv[2]);
        return 1;
    }
    double t[3] = {0}, start = now();
    while (now() - start < 1.0)
        if (request(s, &in, body, len, t)) return 1;
    memset(t, 0, sizeof t);
    long calls = 0;
    double cpu_start = cpu_now();
    start = now();
    while (now() - start < seconds) {
        if (request(s, &in, body, len, t)) return 1;
        calls++;
    }
    double total = now() - start, cpu = cpu_now() - cpu_start;
    printf("%ld calls in %.2f s: %.0f calls/s, %.0f ns of CPU per call; wall ns: parse %.0f, "
           "score %.0f, answer %.0f\n",
           calls, total, (double)calls / total, cpu / (double)calls * 1e9,
           t[0] / (double)calls * 1e9, t[1] / (double)calls * 1e9, t[2] / (double)calls * 1e9);
    srv_input_free(&in);
    srv_scorer_unref(s);
    lp_registry_free(reg);
    free(body);
    return 0;
}
