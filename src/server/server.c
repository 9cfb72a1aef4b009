/*
 * server.c — the HTTP side of `lolpop serve` (see server.h): routing, bodies,
 * the served model and its swap, draining on SIGTERM.
 */
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/value_json.h"
#include "lolpop/error.h"
#include "lolpop/strbuf.h"
#include "lolpop/version.h"
#include "server/mhd_api.h"
#include "server/metrics.h"
#include "server/request_parse.h"
#include "server/response.h"
#include "server/scorer.h"
#include "server/server.h"

#define JSON_TYPE      "application/json"
#define DRAIN_SECONDS  30
#define RELOAD_SECONDS 1

/* A model being served with what requests need of it, shared by reference. */
typedef struct served {
    atomic_int refs;
    srv_scorer *scorer;
    srv_input input;
    char *schema_json;
} served;

typedef struct server {
    const srv_options *opt;
    lp_registry *reg;
    const char *model_ref;
    size_t max_body;
    pthread_mutex_t lock; /* guards `current` (the pointer, not the model) */
    served *current;
    srv_metrics metrics;
    atomic_int inflight;
    atomic_bool draining;
} server;

/* One request, from its first byte to its answer. */
typedef struct request {
    struct timespec start;
    srv_path path;
    unsigned status; /* 0 until answered */
    double seconds;  /* from the first byte to the answer */
    size_t rows;
    lp_sb body;
    bool too_large;
} request;

/* ---- the served model ------------------------------------------------------------- */

static void served_unref(served *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    srv_input_free(&s->input);
    srv_scorer_unref(s->scorer);
    free(s->schema_json);
    free(s);
}

static int served_open(served **out, lp_registry *reg, const char *ref, const char *store)
{
    *out = NULL;
    served *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    atomic_init(&s->refs, 1);
    int rc = srv_scorer_open(&s->scorer, reg, ref, store);
    if (!rc) rc = srv_input_from_schema(&s->input, srv_scorer_schema(s->scorer));
    if (!rc) {
        json_t *j = lp_json_from_value(srv_scorer_schema(s->scorer), 0);
        s->schema_json = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!s->schema_json) rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (rc) {
        served_unref(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* The current model, with a new reference. */
static served *current_ref(server *srv)
{
    pthread_mutex_lock(&srv->lock);
    served *s = srv->current;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&srv->lock);
    return s;
}

/* ---- answers ------------------------------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static enum MHD_Result answer(server *srv, request *rq, struct MHD_Connection *c, unsigned status,
                              const char *type, lp_sb *sb)
{
    if (sb->oom) {
        lp_sb_free(sb);
        lp_sb_append(sb, "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"out of memory\"}");
        status = 500;
    }
    size_t len = sb->len;
    char *buf = lp_sb_take(sb);
    if (!buf) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                rq->path == SRV_PATH_PREDICT || rq->path == SRV_PATH_INVOCATIONS
                                    ? "POST"
                                    : "GET, HEAD");
    if (atomic_load(&srv->draining)) MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    rq->status = status;
    /* counted now, before the client can see the answer (and ask /metrics) */
    rq->seconds = seconds_since(&rq->start);
    srv_metrics_request(&srv->metrics, rq->path, status, rq->seconds);
    return ret;
}

static enum MHD_Result answer_error(server *srv, request *rq, struct MHD_Connection *c,
                                    unsigned status, const char *code, const char *message,
                                    long row, const char *column)
{
    lp_sb sb = {0};
    srv_json_error(&sb, code, message, row, column);
    return answer(srv, rq, c, status, JSON_TYPE, &sb);
}

/* ---- the endpoints ------------------------------------------------------------------ */

static bool is_csv(struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    return t && strncasecmp(t, "text/csv", 8) == 0;
}

#define MAX_TOP_K 100

/* /predict?explain=1[&top_k=K]: the reasons asked for (*top_k 0: none; 3 by
 * default). /invocations speaks MLflow's protocol and ignores both. A bad
 * value is a message for a 400 (static), else NULL. */
static const char *explain_query(size_t *top_k, const request *rq, struct MHD_Connection *c)
{
    *top_k = 0;
    if (rq->path != SRV_PATH_PREDICT) return NULL;
    const char *e = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "explain");
    const char *k = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "top_k");
    bool on = e && (strcmp(e, "1") == 0 || strcasecmp(e, "true") == 0);
    if (e && !on && strcmp(e, "0") != 0 && strcasecmp(e, "false") != 0)
        return "explain takes 1 or 0 (true or false)";
    if (k && !on) return "top_k needs explain=1";
    if (!on) return NULL;
    char *end = NULL;
    long v = k ? strtol(k, &end, 10) : 3;
    if (k && (!*k || *end || v < 1 || v > MAX_TOP_K))
        return "top_k is a whole number from 1 to 100";
    *top_k = (size_t)v;
    return NULL;
}

static enum MHD_Result do_score(server *srv, request *rq, struct MHD_Connection *c)
{
    size_t top_k = 0;
    const char *bad_query = explain_query(&top_k, rq, c);
    if (bad_query) return answer_error(srv, rq, c, 400, "BAD_REQUEST", bad_query, -1, NULL);
    srv_body_kind kind = is_csv(c)                          ? SRV_BODY_CSV
                         : rq->path == SRV_PATH_INVOCATIONS ? SRV_BODY_MLFLOW
                                                            : SRV_BODY_PREDICT;
    served *m = current_ref(srv);
    lp_frame *rows = NULL, *scores = NULL;
    srv_parse_error perr;
    enum MHD_Result ret;
    int rc = srv_parse_body(&rows, &perr, kind, rq->body.buf ? rq->body.buf : "", rq->body.len,
                            &m->input);
    if (rc == LP_EINVAL) {
        ret = answer_error(srv, rq, c, 400, "BAD_REQUEST", perr.message, perr.row, perr.column);
    } else if (rc) {
        ret = answer_error(srv, rq, c, 500, "INTERNAL_ERROR", perr.message, -1, NULL);
    } else {
        rq->rows = lp_frame_rows(rows);
        rc = !rq->rows ? 0
             : top_k   ? srv_scorer_score_explained(&scores, m->scorer, rows, top_k)
                       : srv_scorer_score(&scores, m->scorer, rows);
        lp_sb sb = {0};
        if (rc) {
            bool bad = rc == LP_EINVAL || rc == LP_ENOTFOUND;
            srv_json_error(&sb, bad ? "BAD_REQUEST" : "INTERNAL_ERROR", lp_error_last()->message,
                           -1, NULL);
            ret = answer(srv, rq, c, bad ? 400 : 500, JSON_TYPE, &sb);
        } else {
            if (scores)
                srv_json_scores(&sb, scores, rq->path == SRV_PATH_PREDICT);
            else
                lp_sb_append(&sb, "{\"predictions\":[]}");
            srv_metrics_rows(&srv->metrics, rq->rows);
            ret = answer(srv, rq, c, 200, JSON_TYPE, &sb);
        }
    }
    if (rows) lp_frame_unref(rows);
    if (scores) lp_frame_unref(scores);
    served_unref(m);
    return ret;
}

static enum MHD_Result do_get(server *srv, request *rq, struct MHD_Connection *c)
{
    served *m = current_ref(srv);
    const char *version = srv_scorer_version(m->scorer);
    lp_sb sb = {0};
    const char *type = JSON_TYPE;
    switch (rq->path) {
    case SRV_PATH_HEALTH:
        lp_sb_append(&sb, "{\"status\":\"ok\",\"version\":");
        srv_json_string(&sb, version, strlen(version));
        lp_sb_putc(&sb, '}');
        break;
    case SRV_PATH_SCHEMA:
        lp_sb_append(&sb, m->schema_json);
        break;
    case SRV_PATH_METRICS:
        srv_metrics_render(&sb, &srv->metrics, version);
        type = "text/plain; version=0.0.4; charset=utf-8";
        break;
    default: { /* SRV_PATH_VERSION */
        const char *dir = srv_scorer_dir(m->scorer);
        lp_sb_append(&sb, "{\"version\":");
        srv_json_string(&sb, version, strlen(version));
        lp_sb_append(&sb, ",\"bundle\":");
        srv_json_string(&sb, dir, strlen(dir));
        lp_sb_appendf(&sb, ",\"lolpop_version\":\"%s\"}", lp_version());
        break;
    }
    }
    served_unref(m);
    return answer(srv, rq, c, 200, type, &sb);
}

/* ---- the request cycle -------------------------------------------------------------- */

/* The first call for a request: route it, or answer at once. */
static enum MHD_Result first_call(server *srv, request *rq, struct MHD_Connection *c,
                                  const char *url, const char *method)
{
    rq->path = srv_path_of(url);
    bool post = rq->path == SRV_PATH_PREDICT || rq->path == SRV_PATH_INVOCATIONS;
    char msg[256];
    if (rq->path == SRV_PATH_OTHER) {
        snprintf(msg, sizeof msg,
                 "no such path '%.120s' (POST /predict, /invocations; GET /health, /schema, "
                 "/metrics, /version)",
                 url);
        return answer_error(srv, rq, c, 404, "NOT_FOUND", msg, -1, NULL);
    }
    bool ok = post ? strcmp(method, "POST") == 0
                   : strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (!ok) {
        snprintf(msg, sizeof msg, "%s takes %s, not %.20s", url, post ? "POST" : "GET", method);
        return answer_error(srv, rq, c, 405, "METHOD_NOT_ALLOWED", msg, -1, NULL);
    }
    if (!post) return do_get(srv, rq, c);
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > srv->max_body) {
        snprintf(msg, sizeof msg, "the body has %.30s bytes, more than --max-body %zu", cl,
                 srv->max_body);
        return answer_error(srv, rq, c, 413, "PAYLOAD_TOO_LARGE", msg, -1, NULL);
    }
    return MHD_YES; /* the body follows */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    server *srv = cls;
    request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        atomic_fetch_add(&srv->inflight, 1);
        *con_cls = rq;
        return first_call(srv, rq, c, url, method);
    }
    if (rq->status) { /* answered already (404, 405, 413): the body is discarded */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_large && rq->body.len + *upload_size > srv->max_body) {
            rq->too_large = true;
            lp_sb_free(&rq->body);
        }
        if (!rq->too_large) lp_sb_appendn(&rq->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "the body is longer than --max-body %zu bytes", srv->max_body);
        return answer_error(srv, rq, c, 413, "PAYLOAD_TOO_LARGE", msg, -1, NULL);
    }
    if (rq->body.oom)
        return answer_error(srv, rq, c, 500, "INTERNAL_ERROR", "out of memory", -1, NULL);
    return do_score(srv, rq, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    server *srv = cls;
    request *rq = *con_cls;
    if (!rq) return;
    double secs = rq->status ? rq->seconds : seconds_since(&rq->start);
    if (srv->opt->verbosity >= 2) {
        fprintf(stderr, "lolpop serve: %s %u %zu rows %.3f ms%s\n", srv_path_name(rq->path),
                rq->status, rq->rows, secs * 1e3,
                why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
    }
    lp_sb_free(&rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* ---- start, reload, stop ------------------------------------------------------------ */

static int resolve_address(struct sockaddr_storage *out, socklen_t *len, const char *host,
                           unsigned port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char svc[16];
    snprintf(svc, sizeof svc, "%u", port);
    int g = getaddrinfo(host, svc, &hints, &res);
    if (g != 0 || !res)
        return lp_error_set(LP_EINVAL, "cannot resolve host '%s': %s", host, gai_strerror(g));
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* libmicrohttpd's memory per connection (its default is 32 KiB): request
 * headers, the read buffer and the answer's headers live there, the body is
 * copied out as it arrives. libmicrohttpd clears the pool after every
 * request, so a smaller pool is less to clear (and less of the cache
 * evicted) per request. Headers up to about 6 KiB still fit. */
#define CONNECTION_MEMORY (16 * 1024)

static struct MHD_Daemon *start_daemon(server *srv, const char *host, unsigned *port)
{
    struct sockaddr_storage addr;
    socklen_t alen = 0;
    if (resolve_address(&addr, &alen, host, *port)) return NULL;
    unsigned threads = srv->opt->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    /* one thread: the daemon's own polling thread answers (a pool of one is refused) */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, (uint16_t)*port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                         &addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                         MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)CONNECTION_MEMORY, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
    if (!d) {
        lp_error_set(LP_EIO, "cannot listen on %s:%u: %s", host, *port,
                     errno ? strerror(errno) : "libmicrohttpd refused to start");
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info) *port = info->port;
    return d;
}

/* With --reload: swaps in the model the reference names now, when it moved. */
static void check_reload(server *srv, char **failed)
{
    char *dir = NULL;
    if (srv_scorer_resolve(&dir, srv->model_ref, srv->opt->store) != 0) return;
    served *cur = current_ref(srv);
    bool same =
        strcmp(dir, srv_scorer_dir(cur->scorer)) == 0 || (*failed && strcmp(dir, *failed) == 0);
    served *next = NULL;
    if (!same && served_open(&next, srv->reg, dir, srv->opt->store) != 0) {
        fprintf(stderr, "lolpop serve: warning: cannot load '%s' (still serving %s): %s\n", dir,
                srv_scorer_version(cur->scorer), lp_error_last()->message);
        free(*failed);
        *failed = dir;
        dir = NULL;
    } else if (next) {
        pthread_mutex_lock(&srv->lock);
        served *old = srv->current;
        srv->current = next;
        pthread_mutex_unlock(&srv->lock);
        atomic_fetch_add(&srv->metrics.reloads, 1);
        if (srv->opt->verbosity >= 1)
            fprintf(stderr, "lolpop serve: reloaded: now serving %s (was %s)\n",
                    srv_scorer_version(next->scorer), srv_scorer_version(cur->scorer));
        served_unref(old);
    }
    served_unref(cur);
    free(dir);
}

/* Waits for SIGTERM / SIGINT, checking for a new model every second with
 * --reload. Returns the signal. */
static int wait_for_signal(server *srv, const sigset_t *set)
{
    char *failed = NULL;
    for (;;) {
        struct timespec t = {RELOAD_SECONDS, 0};
        int sig = sigtimedwait(set, NULL, &t);
        if (sig > 0) {
            free(failed);
            return sig;
        }
        if (srv->opt->reload) check_reload(srv, &failed);
    }
}

/* Stops accepting, lets the requests in flight finish, stops. */
static void drain(server *srv, struct MHD_Daemon *d)
{
    atomic_store(&srv->draining, true);
    MHD_quiesce_daemon(d);
    struct timespec tick = {0, 10 * 1000 * 1000};
    int quiet = 0;
    for (int i = 0; i < DRAIN_SECONDS * 100 && quiet < 5; i++) {
        quiet = atomic_load(&srv->inflight) == 0 ? quiet + 1 : 0;
        nanosleep(&tick, NULL);
    }
    MHD_stop_daemon(d);
}

/* A request allocates and frees a few kilobytes on its thread's malloc
 * arena; with glibc's default trim threshold the arena's top was given back
 * and taken again (an mprotect call every few requests, seen with strace).
 * A server keeps what it took. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
#endif
}

int srv_serve(lp_registry *reg, const char *model_ref, const srv_options *opt)
{
    server srv = {.opt = opt, .reg = reg, .model_ref = model_ref};
    srv.max_body = opt->max_body ? opt->max_body : SRV_DEFAULT_MAX_BODY;
    int rc = lp_mhd_require();
    if (rc) return rc;
    keep_freed_memory();
    srv_metrics_init(&srv.metrics);
    atomic_init(&srv.inflight, 0);
    atomic_init(&srv.draining, false);
    rc = served_open(&srv.current, reg, model_ref, opt->store);
    if (rc) return rc;
    pthread_mutex_init(&srv.lock, NULL);
    /* Blocked before the request threads start, so that they inherit it and
     * the signals reach only sigtimedwait below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    const char *host = opt->host ? opt->host : "127.0.0.1";
    unsigned port = opt->port;
    struct MHD_Daemon *d = start_daemon(&srv, host, &port);
    if (!d) {
        rc = lp_error_last()->code;
    } else {
        bool v6 = strchr(host, ':') != NULL;
        if (opt->verbosity >= 1)
            fprintf(stderr, "lolpop serve: serving %s on http://%s%s%s:%u/ (--reload %s)\n",
                    srv_scorer_version(srv.current->scorer), v6 ? "[" : "", host, v6 ? "]" : "",
                    port, opt->reload ? "on" : "off");
        int sig = wait_for_signal(&srv, &set);
        if (opt->verbosity >= 1)
            fprintf(stderr, "lolpop serve: %s received; draining %d request(s) in flight\n",
                    sig == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&srv.inflight));
        drain(&srv, d);
        if (opt->verbosity >= 1) fprintf(stderr, "lolpop serve: stopped\n");
    }
    served_unref(srv.current);
    pthread_mutex_destroy(&srv.lock);
    return rc;
}
