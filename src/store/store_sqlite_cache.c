/*
 * store_sqlite_cache.c — the SQLite back-end's rows for the result cache
 * (table `cache`) and for resumed runs (runs.resumed_from), schema version 2.
 */
#include <string.h>

#include "store/store_sqlite.h"

int sq_run_set_resumed_from(lp_store *st, const char *run_id, const char *from)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc) return rc;
    rc = sq_exec(s, Q_RUN_SET_RESUMED, "tt", from, run_id);
    int changed = rc == 0 ? sqlite3_changes(s->db) : 0;
    rc = sq_end(s, rc);
    if (rc == 0 && changed == 0)
        rc = lp_error_set(LP_ENOTFOUND, "metadata store '%s' has no run %s", st->location, run_id);
    return rc;
}

int sq_cache_put(lp_store *st, const lp_store_cache_entry *e, double created_at)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc) return rc;
    return sq_end(s, sq_exec(s, Q_CACHE_PUT, "tttttf", e->key, e->run, e->cls, e->method, e->value,
                             created_at));
}

/* The current row (CACHE_COLS order) as a map. */
static lp_value *cache_row(sqlite3_stmt *q)
{
    static const char *const keys[] = {"key", "run", "class", "method", "value", "created_at"};
    lp_value *map = lp_value_map();
    int rc = map ? 0 : LP_ENOMEM;
    for (int i = 0; rc == 0 && i < 6; i++) {
        lp_value *v = i == 5 ? lp_value_float(sqlite3_column_double(q, i)) : sq_column(q, i, false);
        rc = v ? lp_map_set(map, keys[i], v) : LP_ENOMEM;
    }
    if (rc) {
        lp_value_unref(map);
        return NULL;
    }
    return map;
}

int sq_cache_get(lp_store *st, const char *key, const char *run_id, lp_value **out)
{
    sq_store *s = sq_of(st);
    sq_query qid = run_id ? Q_CACHE_GET_RUN : Q_CACHE_GET_ANY;
    sqlite3_stmt *q = run_id ? sq_bind(s, qid, "tt", key, run_id) : sq_bind(s, qid, "t", key);
    if (!q) return lp_error_last()->code;
    int src = sqlite3_step(q), rc = 0;
    if (src == SQLITE_ROW) {
        *out = cache_row(q);
        if (!*out) rc = lp_error_last()->code;
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(s, qid);
    }
    sq_done(s, qid);
    return rc;
}
