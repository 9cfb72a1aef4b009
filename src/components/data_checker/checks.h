/*
 * checks.h — what LocalDataChecker and LocalModelChecker share (internal; not
 * public API): statuses and severities, the list of check results, the
 * report files (self-contained HTML plus a JSON twin, written atomically by
 * the profiler's lp_prof_write_report) and the HTML of a check list.
 *
 * A check result is a map {check, column (or null), status, message} plus
 * optional `observed` and `expected`; a report holds them under `checks`,
 * its overall `status` (the worst) and `counts` {PASS, WARN, ERROR}.
 */
#ifndef LP_COMPONENTS_DATA_CHECKER_CHECKS_H
#define LP_COMPONENTS_DATA_CHECKER_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "components/components_internal.h"
#include "lolpop/strbuf.h"
#include "lolpop/value.h"

/* Statuses in increasing gravity; a severity is WARN or ERROR (or OFF: the check is not run). */
enum { LP_CHK_PASS = 0, LP_CHK_WARN = 1, LP_CHK_ERROR = 2, LP_CHK_OFF = 3 };

/* "PASS", "WARN", "ERROR" or "off" (static). */
const char *lp_chk_status_name(int status);
/* The severity in config value v (ERROR, WARN or WARNING, case ignored; with allow_off also
 * "off" or false) into *out; *out unchanged when v is NULL. LP_ECONFIG located at v, the
 * message starting with who. */
int lp_chk_parse_severity(int *out, const lp_value *v, bool allow_off, const char *who);
/* Status of a check list's name as a number (PASS when unknown). */
int lp_chk_status_of(const char *name);

/* Appends {check, column, status, message} to checks (column may be NULL); the message is
 * printf-formatted. Returns the appended map (borrowed; add `observed` to it) or NULL
 * with LP_ENOMEM. */
lp_value *lp_chk_add(lp_value *checks, const char *check, const char *column, int status,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sets report.status (the worst status of report.checks) and report.counts; returns the
 * status, or LP_ENOMEM (negative). */
int lp_chk_summarize(lp_value *report);

/* The file of a report: `fixed` when set, else <dir>/<kind>-<hash of html>.html (dir created).
 * New string or NULL with the error set. */
char *lp_chk_report_path(const char *dir, const char *fixed, const char *kind, const char *html);
/* Writes html and report (as JSON) and returns {report, path, status}; takes report and html.
 * NULL with the error set. */
lp_value *lp_chk_finish(lp_value *report, char *html, const char *dir, const char *fixed,
                        const char *kind);

/* HTML: the page head with title and the overall status badge, the check table, the
 * closing tags. */
void lp_chk_html_head(lp_sb *sb, const char *title, const lp_value *report);
void lp_chk_html_checks(lp_sb *sb, const lp_value *checks);
void lp_chk_html_end(lp_sb *sb);
/* A number value as text (ints plainly, floats with 6 significant digits, else "–"). */
void lp_chk_html_number(lp_sb *sb, const lp_value *v);

/* The closest of names[0..n) to word as " (did you mean 'x'?)" or "" (static buffer per
 * thread, valid until the next call). */
const char *lp_chk_did_you_mean(const char *word, const char *const *names, size_t n);

#endif
