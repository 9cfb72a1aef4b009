/*
 * cmd_runs.h — what cmd_runs.c (options, `list`, tables, formatting) and
 * cmd_runs_report.c (`show`, `compare`) share. Not used elsewhere.
 */
#ifndef LP_CMD_RUNS_H
#define LP_CMD_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "store/store.h"

/* An aligned text table: cells are copied; `align` has one 'l' or 'r' per column. */
typedef struct runs_table {
    size_t cols, rows, cap;
    char **cells; /* rows * cols, owned */
    const char *align;
} runs_table;

void runs_table_init(runs_table *t, size_t cols, const char *align);
/* Appends a row of t->cols cells (NULL prints as empty). */
void runs_table_add(runs_table *t, const char *const *cells);
/* Prints the rows, each prefixed by indent, columns two spaces apart. */
void runs_table_print(const runs_table *t, FILE *out, const char *indent);
void runs_table_free(runs_table *t);

/* "2026-11-27 20:41:13" (UTC) of unix seconds t; "-" when t is not a number. */
void runs_format_time(char *buf, size_t size, const lp_value *t);
/* The run's duration ("3.2s", "4m 05s", "2h 03m"); "running" or "-". */
void runs_format_duration(char *buf, size_t size, const lp_value *run);
/* A metric or parameter value in a few characters ("0.8123", "42", "true"). */
void runs_format_value(char *buf, size_t size, const lp_value *v);
/* Prints v as indented JSON on stdout. CLI_OK or CLI_FAIL. */
int runs_print_json(const lp_value *v);

/* Borrowed v[key] helpers. */
const char *runs_str(const lp_value *v, const char *key);
int64_t runs_int(const lp_value *v, const char *key);

/* `lolpop runs show` and `compare` (cmd_runs_report.c); run ids already resolved. */
int runs_show(lp_store *st, const char *run_id, bool json);
int runs_compare(lp_store *st, const char *a, const char *b, bool json);
/* `lolpop runs report RUN -o FILE` (cmd_runs_page.c): output NULL means run-<id>.html. */
int runs_report(lp_store *st, const char *run_id, const char *output);

#endif
