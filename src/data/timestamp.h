/*
 * timestamp.h — the one proleptic-Gregorian calendar and ISO-8601 reader and
 * writer behind the timestamp columns of casts, CSV and SQLite. The callers
 * differ in a few rules (what text they accept), chosen by LP_TS_* flags.
 * Not installed, not public API.
 */
#ifndef LP_TIMESTAMP_H
#define LP_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A zone suffix right after a date without time: "2020-01-01Z". */
#define LP_TS_ZONE_ON_DATE 0x1u
/* A leap second ":60" (read as the first second of the next minute). */
#define LP_TS_LEAP_SECOND 0x2u
/* A comma as the decimal separator of the seconds: "12:00:00,5". */
#define LP_TS_COMMA_FRACTION 0x4u
/* Only instants (after the zone) within the years 0000-9999, so the text
 * written back has four-digit years again. */
#define LP_TS_FOUR_DIGIT_YEARS 0x8u

/* Parses "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]][Z|±HH[[:]MM]]]" into microseconds
 * since the epoch (UTC), under the LP_TS_* `rules`. Digits past the sixth of
 * a fraction are dropped. false when malformed (*out untouched). */
bool lp_ts_parse(const char *s, size_t len, unsigned rules, int64_t *out);

/* Formats microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS[.ffffff]", or
 * "YYYY-MM-DD" when date_only, into buf (40 bytes suffice); returns the length
 * written (at most cap - 1). */
size_t lp_ts_format(int64_t us, bool date_only, char *buf, size_t cap);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1-12). */
int64_t lp_ts_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The proleptic Gregorian date of z days since 1970-01-01 (*m 1-12, *d 1-31). */
void lp_ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
