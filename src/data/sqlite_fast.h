/*
 * sqlite_fast.h — SQL projections over one frame evaluated without SQLite's
 * virtual machine (internal to liblolpop; used by SQLDataTransformer).
 *
 * The subset: SELECT of `*`, column names, literals, + - * / %, unary -,
 * = == != <> < <= > >=, IS [NOT] NULL, AND, OR, NOT, CASE WHEN … THEN … [ELSE
 * …] END, COALESCE, IFNULL, each item optionally AS a name, FROM the one
 * table, optionally WHERE. The values, their SQLite types and the column
 * names are those SQLite gives (the result goes through the same reader as
 * SQLite's rows); anything else — or anything whose SQLite semantics this
 * evaluator does not reproduce exactly, like comparing text with numbers —
 * is "not mine" and runs through SQLite.
 */
#ifndef LP_DATA_SQLITE_FAST_H
#define LP_DATA_SQLITE_FAST_H

#include <sqlite3.h>
#include <stdbool.h>

#include "lolpop/frame.h"

/* Runs `sql` over f, attached to db as `table` (lp_sqlite_attach_frame),
 * when it is a projection of the subset: *handled is then true and *out the
 * new result frame. *handled false: nothing was done (SQLite's own errors for
 * bad SQL included) and the caller runs the SQL through SQLite. Returns
 * non-zero only for failures of a handled query (out of memory), with the
 * error set and `where` naming the SQL. f is borrowed. */
int lp_sqlite_fast_query(lp_frame **out, sqlite3 *db, const char *sql, const char *table,
                         const lp_frame *f, const char *where, bool *handled);

#endif
