/*
 * story.c — see story.h.
 */
#include "story.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static sqlite3 *open_db(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK,
                 "cannot open %s", path);
    sqlite3_busy_timeout(db, 10000);
    return db;
}

/* One row's first column as text (malloc'ed) or NULL when there is no row. */
static char *query_text(sqlite3 *db, const char *sql, const char *arg, int64_t iarg)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    if (!arg && iarg) sqlite3_bind_int64(st, 1, iarg);
    if (arg && iarg) sqlite3_bind_int64(st, 2, iarg);
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static int64_t query_int(sqlite3 *db, const char *sql, const char *arg, int64_t iarg)
{
    char *t = query_text(db, sql, arg, iarg);
    int64_t v = t ? strtoll(t, NULL, 10) : 0;
    free(t);
    return v;
}

/* A model tag as an integer (the store keeps ids as JSON numbers); 0 when unset. */
static int64_t model_tag(sqlite3 *db, int64_t model, const char *key)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT value FROM tags WHERE resource = ?1 AND key = '%s'", key);
    char *t = query_text(db, sql, NULL, model);
    int64_t v = t && strcmp(t, "null") != 0 ? strtoll(t, NULL, 10) : 0;
    free(t);
    return v;
}

/* Every deployment's path tag must be a bundle directory holding model.lpm. */
static int64_t check_bundles(sqlite3 *db, const char *dir, int64_t model)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT d.uri, t.value FROM resources d JOIN resources v ON v.id = d.parent "
                      "LEFT JOIN tags t ON t.resource = d.id AND t.key = 'path' "
                      "WHERE d.type = 'deployment' AND v.parent = ?1";
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, model);
    int64_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        const char *uri = (const char *)sqlite3_column_text(st, 0);
        const char *json = (const char *)sqlite3_column_text(st, 1);
        cr_assert_not_null(json, "deployment %s has no path tag", uri);
        char rel[1024], path[PATH_MAX];
        size_t len = strlen(json);
        cr_assert(len >= 2 && json[0] == '"', "path tag %s", json);
        snprintf(rel, sizeof rel, "%.*s", (int)(len - 2), json + 1);
        if (rel[0] == '/')
            snprintf(path, sizeof path, "%s/model.lpm", rel);
        else
            snprintf(path, sizeof path, "%s/%s/model.lpm", dir, rel);
        struct stat sb;
        cr_assert_eq(stat(path, &sb), 0, "deployment %s: its bundle %s is missing", uri, path);
    }
    sqlite3_finalize(st);
    return n;
}

lp_story lp_story_check(const char *dir, const char *model)
{
    lp_story s = {0};
    sqlite3 *db = open_db(dir);
    char *ok = query_text(db, "PRAGMA integrity_check", NULL, 0);
    cr_assert(ok && strcmp(ok, "ok") == 0, "integrity_check: %s", ok ? ok : "(nothing)");
    free(ok);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check", NULL, 0), 0,
                 "foreign key violations");
    int64_t mid = query_int(
        db, "SELECT id FROM resources WHERE type = 'model' AND parent IS NULL AND name = ?1", model,
        0);
    char current[PATH_MAX], link[PATH_MAX];
    snprintf(current, sizeof current, "%s/.lolpop/deployments/%s/current", dir, model);
    ssize_t n = readlink(current, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    if (mid == 0) {
        cr_assert(n < 0, "no model '%s' in the store, but %s -> %s", model, current, link);
        sqlite3_close(db);
        return s;
    }
    s.versions =
        query_int(db, "SELECT count(*) FROM resources WHERE type = 'model_version' AND parent = ?1",
                  NULL, mid);
    s.deployed_id = model_tag(db, mid, "deployed_version");
    int64_t production = model_tag(db, mid, "alias.production");
    cr_assert_eq(production, s.deployed_id,
                 "alias production names version id %lld, deployed_version %lld",
                 (long long)production, (long long)s.deployed_id);
    if (s.deployed_id) {
        s.deployed_version =
            query_int(db, "SELECT version FROM resources WHERE id = ?1", NULL, s.deployed_id);
        char want[64];
        snprintf(want, sizeof want, "v%lld", (long long)s.deployed_version);
        cr_assert(n > 0, "deployed_version is v%lld but %s is missing",
                  (long long)s.deployed_version, current);
        cr_assert_str_eq(link, want, "current -> %s, the store says %s is deployed", link, want);
        cr_assert_eq(query_int(db,
                               "SELECT count(*) FROM tags WHERE resource = ?1 AND key = "
                               "'approved' AND value = 'true'",
                               NULL, s.deployed_id),
                     1, "the deployed version is not approved");
    } else {
        cr_assert(n < 0, "nothing deployed in the store, but %s -> %s", current, link);
    }
    s.deployments = check_bundles(db, dir, mid);
    cr_assert(s.deployed_id == 0 || s.deployments > 0, "deployed without a deployment record");
    sqlite3_close(db);
    return s;
}

void lp_story_perf(const char *dir, const char *model, double *best, double *deployed)
{
    sqlite3 *db = open_db(dir);
    int64_t mid = query_int(
        db, "SELECT id FROM resources WHERE type = 'model' AND parent IS NULL AND name = ?1", model,
        0);
    char *b = query_text(db,
                         "SELECT max(CAST(t.value AS REAL)) FROM tags t JOIN resources r ON "
                         "r.id = t.resource WHERE r.type = 'model_version' AND r.parent = ?1 AND "
                         "t.key = 'perf_value'",
                         NULL, mid);
    int64_t dep = model_tag(db, mid, "deployed_version");
    char *d = dep ? query_text(db,
                               "SELECT CAST(value AS REAL) FROM tags WHERE resource = ?1 AND "
                               "key = 'perf_value'",
                               NULL, dep)
                  : NULL;
    *best = b ? strtod(b, NULL) : NAN;
    *deployed = d ? strtod(d, NULL) : NAN;
    free(b);
    free(d);
    sqlite3_close(db);
}

int lp_story_temp_entries(const char *dir, const char *model)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.lolpop/deployments/%s", dir, model);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, ".tmp-", 5) == 0;
    if (d) closedir(d);
    return n;
}

void lp_story_check_runs_ended(const char *dir)
{
    sqlite3 *db = open_db(dir);
    cr_assert_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'running'", NULL, 0), 0,
                 "a run is still 'running'");
    sqlite3_close(db);
}
