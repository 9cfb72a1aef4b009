/*
 * serve_client.c — see serve_client.h.
 */
#include "serve_client.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* ---- fixtures ---------------------------------------------------------------------- */

static const char diamonds_yaml[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy,\n"
    "           predict: OfflinePredict}\n"
    "component: {metadata_tracker: LocalMetadataTracker, metrics_tracker: LocalMetricsTracker,\n"
    "            resource_version_control: LocalResourceVersionControl}\n"
    "config:\n"
    "  train_data: data/train.csv\n"
    "  eval_data: data/eval.csv\n"
    "  prediction_data: predictions.csv\n"
    "  model_name: diamond_price\n"
    "  model_target: price\n"
    "  model_index: diamond_id\n"
    "train:\n"
    "  component: {data_splitter: LocalDataSplitter, model_trainer: XGBoostModelTrainer}\n"
    "  data_splitter: {config: {split_ratio: [0.8, 0.2], seed: 42}}\n"
    "  model_trainer: {config: {training_params: {max_depth: 4, eta: 0.3, num_boost_round: 20,\n"
    "                                             seed: 42}}}\n"
    "  config: {metrics: [rmse], perf_metric: rmse}\n"
    "deploy:\n"
    "  component: {model_repository: LocalModelRepository, model_deployer: LocalModelDeployer}\n"
    "  config: {auto_approve_models: true}\n";

static const char titanic_yaml[] =
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy,\n"
    "           predict: OfflinePredict}\n"
    "component: {metadata_tracker: LocalMetadataTracker, metrics_tracker: LocalMetricsTracker,\n"
    "            resource_version_control: LocalResourceVersionControl}\n"
    "config:\n"
    "  train_data: data/train.csv\n"
    "  eval_data: data/eval.csv\n"
    "  prediction_data: predictions.csv\n"
    "  model_name: titanic_raw\n"
    "  model_target: survived\n"
    "  model_index: passenger_id\n"
    "  drop_columns: [alive, deck]\n"
    "train:\n"
    "  component: {data_splitter: LocalDataSplitter, model_trainer: XGBoostModelTrainer}\n"
    "  data_splitter: {config: {split_type: stratified, split_ratio: [0.8, 0.2], seed: 42}}\n"
    "  model_trainer: {config: {training_params: {max_depth: 3, eta: 0.3, num_boost_round: 20,\n"
    "                                             seed: 42}}}\n"
    "  config: {metrics: [accuracy, f1], perf_metric: f1}\n"
    "deploy:\n"
    "  component: {model_repository: LocalModelRepository, model_deployer: LocalModelDeployer}\n"
    "  config: {auto_approve_models: true}\n";

/* The directory of all fixtures of this run: keyed by the runner process
 * (every test process is its child). */
static const char *fixture_root(void)
{
    static char root[128];
    snprintf(root, sizeof root, "/tmp/lolpop-serve-fixtures-%ld", (long)getppid());
    return root;
}

static void write_head(const char *from, const char *to, size_t lines)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    cr_assert(in && out, "cannot copy %s to %s", from, to);
    char line[4096];
    for (size_t i = 0; i < lines && fgets(line, sizeof line, in); i++)
        fputs(line, out);
    fclose(in);
    fclose(out);
}

/* Trains `name` once: the first process takes the lock and trains, the
 * others wait on it and find the result. */
static const char *fixture(const char *name, const char *example, const char *runner,
                           const char *yaml, size_t train_rows, size_t eval_rows)
{
    static char dir[2][256];
    char *d = dir[strcmp(name, "diamonds") == 0 ? 0 : 1];
    mkdir(fixture_root(), 0755);
    snprintf(d, sizeof dir[0], "%s/%s", fixture_root(), name);
    char lock[320], done[320], path[320], src[512];
    snprintf(lock, sizeof lock, "%s.lock", d);
    snprintf(done, sizeof done, "%s/.trained", d);
    int fd = open(lock, O_CREAT | O_RDWR, 0644);
    cr_assert(fd >= 0);
    flock(fd, LOCK_EX);
    if (access(done, F_OK) != 0) {
        mkdir(d, 0755);
        snprintf(path, sizeof path, "%s/data", d);
        mkdir(path, 0755);
        const char *files[] = {"train.csv", "eval.csv"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(src, sizeof src, "%s/%s/data/%s", LP_SOURCE_ROOT, example, files[i]);
            snprintf(path, sizeof path, "%s/data/%s", d, files[i]);
            write_head(src, path, (i == 0 ? train_rows : eval_rows) + 1);
        }
        lp_write_file(d, "workflow.yaml", yaml);
        const char *args[] = {"run", "workflow", runner, "-c", "workflow.yaml", NULL};
        lp_run r = lp_run_exe(LP_LOLPOP_EXE, d, NULL, args, 120000);
        LP_EXPECT_EXIT(r, 0);
        lp_run_free(&r);
        lp_write_file(d, ".trained", "");
    }
    flock(fd, LOCK_UN);
    close(fd);
    return d;
}

const char *fixture_diamonds(void)
{
    return fixture("diamonds", "examples/quickstart/regression/diamonds", "RegressionRunner",
                   diamonds_yaml, 5000, 200);
}

const char *fixture_titanic(void)
{
    return fixture("titanic", "examples/quickstart/classification/titanic", "ClassificationRunner",
                   titanic_yaml, 100000, 100000);
}

void fixture_cleanup(void)
{
    char root[128];
    snprintf(root, sizeof root, "/tmp/lolpop-serve-fixtures-%ld", (long)getpid());
    lp_tmpdir_remove(root);
}

/* ---- the server ---------------------------------------------------------------------- */

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

char *server_log(const server *s)
{
    char *text = lp_read_file(s->log);
    return text ? text : strdup("");
}

void server_start(server *s, const char *dir, const char *model, const char *const *args)
{
    static int seq;
    snprintf(s->log, sizeof s->log, "%s/serve-%ld-%d.log", dir, (long)getpid(), seq++);
    const char *argv[32] = {LP_LOLPOP_EXE, "serve", model, "--port", "0"};
    size_t n = 5;
    for (size_t i = 0; args && args[i] && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(s->log, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDWR);
        if (fd < 0 || null < 0 || chdir(dir) != 0) _exit(127);
        dup2(fd, 2);
        dup2(null, 1);
        dup2(null, 0);
        unsetenv("LOLPOP_PLUGIN_PATH");
        execv(LP_LOLPOP_EXE, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    s->pid = pid;
    s->port = 0;
    for (long t0 = now_ms(); now_ms() - t0 < 20000;) {
        char *log = server_log(s);
        const char *url = strstr(log, "http://127.0.0.1:");
        if (url) s->port = atoi(url + strlen("http://127.0.0.1:"));
        int status;
        bool gone = waitpid(pid, &status, WNOHANG) == pid;
        cr_assert(!gone, "lolpop serve exited at start-up:\n%s", log);
        free(log);
        if (s->port) return;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_fail("lolpop serve printed no URL within 20 s");
}

int server_stop(server *s)
{
    kill(s->pid, SIGTERM);
    int status = 0;
    for (long t0 = now_ms(); now_ms() - t0 < 10000; usleep(10000))
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    cr_assert_fail("lolpop serve did not stop within 10 s of SIGTERM");
    return -1;
}

/* ---- HTTP ----------------------------------------------------------------------------- */

typedef struct sink {
    char *data;
    size_t len;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    char *d = realloc(s->data, s->len + size * n + 1);
    if (!d) return 0;
    memcpy(d + s->len, p, size * n);
    s->len += size * n;
    d[s->len] = 0;
    s->data = d;
    return size * n;
}

http_reply http(const server *s, const char *method, const char *path, const char *content_type,
                const char *body, size_t len)
{
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "");
    const char *headers[] = {content_type ? ct : NULL, NULL};
    return http_with_headers(s, method, path, headers, body, len);
}

http_reply http_with_headers(const server *s, const char *method, const char *path,
                             const char *const *headers, const char *body, size_t len)
{
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    sink out = {0};
    struct curl_slist *h = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    http_reply r = {0};
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        r.body = out.data ? out.data : strdup("");
    } else {
        free(out.data);
        r.body = strdup(curl_easy_strerror(rc));
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

void http_reply_free(http_reply *r)
{
    free(r->body);
    r->body = NULL;
}

char *csv_head(const char *path, size_t n)
{
    char *all = lp_read_file(path);
    cr_assert_not_null(all, "cannot read %s", path);
    char *p = all;
    for (size_t i = 0; i <= n && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (p) *p = 0;
    return all;
}
