/*
 * serve_client.h — for tests of `lolpop serve`: trained fixture models, the
 * real server as a subprocess on a free port, and an HTTP client (libcurl).
 *
 * Ownership: strings returned are malloc'ed (caller frees) unless said;
 * fixture paths are static.
 */
#ifndef LP_TEST_SERVE_CLIENT_H
#define LP_TEST_SERVE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A directory holding a regression model trained by the real `lolpop run
 * workflow` on raw diamonds rows (no SQL step): <dir>/.lolpop/deployments/
 * diamond_price/{v1,current}, <dir>/data/eval.csv, <dir>/predictions.csv.
 * Trained once per test run (shared between the test processes). */
const char *fixture_diamonds(void);
/* The same for a binary classifier on raw titanic rows (titanic_raw). */
const char *fixture_titanic(void);
/* Removes the fixtures (from the runner process, after all tests). */
void fixture_cleanup(void);

typedef struct server {
    pid_t pid;
    int port;
    char log[512]; /* the server's stderr */
} server;

/* Starts `lolpop serve MODEL --port 0 ARGS...` in dir (args NULL-terminated,
 * may be NULL) and waits for its start-up line. */
void server_start(server *s, const char *dir, const char *model, const char *const *args);
/* SIGTERM, then waits (10 s at most); returns the exit code (128+signal). */
int server_stop(server *s);
/* The server's stderr so far (new string). */
char *server_log(const server *s);

typedef struct http_reply {
    long status; /* 0 when the request failed (curl error in body) */
    char *body;
} http_reply;

/* One request; content_type and body may be NULL. */
http_reply http(const server *s, const char *method, const char *path, const char *content_type,
                const char *body, size_t len);
/* The same with extra header lines ("Name: value", NULL-terminated). */
http_reply http_with_headers(const server *s, const char *method, const char *path,
                             const char *const *headers, const char *body, size_t len);
void http_reply_free(http_reply *r);

/* The first n data rows of a CSV file with its header (new string). */
char *csv_head(const char *path, size_t n);

#endif
