/*
 * csv_write.c — the CSV writer. Output is what the reader reads back into an
 * equal frame: missing values are unquoted empty fields (unquoted NA in a
 * one-column frame, where an empty field would be a skipped blank line); strings are quoted
 * when they hold the separator, a quote or a line break, are empty, or equal
 * a missing-value string (a quoted field is literal text in a string column);
 * floats use the shortest round-trip form and keep a ".0" when integral, NaN
 * is written quoted ("NaN": a value, not a missing one); booleans are
 * True/False; timestamps ISO 8601, date only when a whole column is midnight.
 *
 * Files go to a temporary name in the target's directory, are flushed to
 * disk and renamed over the target; on any failure the temporary is removed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "data/csv_internal.h"
#include "lolpop/csv.h"

#define FLUSH_AT ((size_t)1 << 20)

typedef struct writer {
    lp_sb sb;
    int fd; /* -1: everything stays in sb */
    int err;
    const char *path;
    char sep;
    const char *const *na; /* caller's extra NA strings or NULL */
} writer;

static void flush(writer *w, bool force)
{
    if (w->fd < 0 || w->err || (!force && w->sb.len < FLUSH_AT)) return;
    size_t off = 0;
    while (off < w->sb.len) {
        ssize_t n = write(w->fd, w->sb.buf + off, w->sb.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            w->err = lp_error_set(LP_EIO, "cannot write '%s': %s", w->path, strerror(errno));
            return;
        }
        off += (size_t)n;
    }
    w->sb.len = 0;
    if (w->sb.buf) w->sb.buf[0] = '\0';
}

static bool is_na_text(const writer *w, const char *s, size_t n)
{
    for (size_t i = 0; lp_csv_default_na[i]; i++)
        if (strlen(lp_csv_default_na[i]) == n && memcmp(lp_csv_default_na[i], s, n) == 0)
            return true;
    for (size_t i = 0; w->na && w->na[i]; i++)
        if (strlen(w->na[i]) == n && memcmp(w->na[i], s, n) == 0) return true;
    return false;
}

static void put_text(writer *w, const char *s, size_t n)
{
    /* a leading BOM would be taken for the file's own and dropped */
    bool quote = n == 0 || is_na_text(w, s, n) || (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == w->sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        lp_sb_appendn(&w->sb, s, n);
        return;
    }
    lp_sb_putc(&w->sb, '"');
    for (size_t i = 0; i < n;) {
        const char *q = memchr(s + i, '"', n - i);
        size_t end = q ? (size_t)(q - s) + 1 : n;
        lp_sb_appendn(&w->sb, s + i, end - i);
        if (q) lp_sb_putc(&w->sb, '"');
        i = end;
    }
    lp_sb_putc(&w->sb, '"');
}

/* Whether every valid timestamp of the column is midnight. */
static bool all_midnight(const lp_column *c)
{
    for (size_t i = 0; i < c->length; i++)
        if (lp_column_is_valid(c, i) && !lp_csv_ts_is_midnight(c->data.i64[i])) return false;
    return true;
}

/* The decimal text of v, as snprintf's "%" PRId64 writes it (a tenth of its
 * instructions: predictions.csv holds two integer columns). Returns the length. */
static size_t format_i64(char buf[24], int64_t v)
{
    char tmp[20];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    size_t k = 0, n = 0;
    do
        tmp[k++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) buf[n++] = '-';
    while (k)
        buf[n++] = tmp[--k];
    buf[n] = '\0';
    return n;
}

/* Column `name`'s value of row i (0-based) in CSV form. */
static void put_value(writer *w, const lp_column *c, const char *name, size_t i, bool date_only)
{
    if (!lp_column_is_valid(c, i)) return;
    char buf[48];
    size_t n = 0, len;
    switch (c->type) {
    case LP_DT_FLOAT64:
        n = lp_csv_format_f64(buf, c->data.f64[i]);
        if (isnan(c->data.f64[i])) {
            put_text(w, buf, n); /* "NaN" is quoted so that it stays a value */
            return;
        }
        break;
    case LP_DT_INT64:
        n = format_i64(buf, c->data.i64[i]);
        break;
    case LP_DT_BOOL:
        n = c->data.b8[i] ? 4 : 5;
        memcpy(buf, c->data.b8[i] ? "True" : "False", n);
        break;
    case LP_DT_TIMESTAMP:
        n = lp_csv_format_ts(buf, c->data.i64[i], date_only);
        break;
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        const char *s = lp_column_str(c, i, &len);
        /* the reader refuses a NUL: never write what cannot be read back */
        if (s && memchr(s, '\0', len)) {
            w->err = lp_error_set(LP_EINVAL,
                                  "cannot write '%s': column '%s', row %zu holds a NUL byte, "
                                  "which CSV text cannot hold",
                                  w->path ? w->path : "<buffer>", name, i + 1);
            return;
        }
        put_text(w, s ? s : "", s ? len : 0);
        return;
    }
    }
    lp_sb_appendn(&w->sb, buf, n);
}

static int write_frame(writer *w, const lp_frame *f)
{
    size_t nc = lp_frame_cols(f), rows = lp_frame_rows(f);
    bool *date_only = calloc(nc ? nc : 1, sizeof *date_only);
    if (!date_only) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < nc; j++) {
        const lp_column *c = lp_frame_col(f, j);
        date_only[j] = c->type == LP_DT_TIMESTAMP && all_midnight(c);
        if (j) lp_sb_putc(&w->sb, w->sep);
        const char *name = lp_frame_name(f, j);
        put_text(w, name, strlen(name));
    }
    lp_sb_putc(&w->sb, '\n');
    for (size_t i = 0; i < rows && !w->err; i++) {
        for (size_t j = 0; j < nc && !w->err; j++) {
            if (j) lp_sb_putc(&w->sb, w->sep);
            const lp_column *c = lp_frame_col(f, j);
            if (nc == 1 && !lp_column_is_valid(c, i))
                lp_sb_appendn(&w->sb, "NA", 2); /* an empty line would be a blank line */
            else
                put_value(w, c, lp_frame_name(f, j), i, date_only[j]);
        }
        lp_sb_putc(&w->sb, '\n');
        flush(w, false);
    }
    free(date_only);
    if (w->sb.oom && !w->err) w->err = lp_error_set(LP_ENOMEM, "out of memory writing CSV");
    return w->err;
}

static int init_writer(writer *w, const lp_frame *f, const char *path, const lp_csv_options *opt)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->path = path;
    size_t n = path ? strlen(path) : 0;
    w->sep = opt && opt->separator                             ? opt->separator
             : n >= 4 && lp_streq_nocase(path + n - 4, ".tsv") ? '\t'
                                                               : ',';
    w->na = opt ? opt->na_values : NULL;
    if (!f) return lp_error_set(LP_EINVAL, "lp_csv_write: NULL frame");
    if (!strchr(",;\t|", w->sep) || !w->sep)
        return lp_error_set(LP_EINVAL, "unsupported CSV separator '%c' (use ',', ';', tab or '|')",
                            w->sep);
    return 0;
}

LP_API int lp_csv_write_buffer(char **out, size_t *len, const lp_frame *f,
                               const lp_csv_options *opt)
{
    if (!out || !len) return lp_error_set(LP_EINVAL, "lp_csv_write_buffer: NULL argument");
    *out = NULL, *len = 0;
    writer w;
    int rc = init_writer(&w, f, NULL, opt);
    if (rc == 0) rc = write_frame(&w, f);
    if (rc) {
        lp_sb_free(&w.sb);
        return rc;
    }
    *len = w.sb.len;
    *out = lp_sb_take(&w.sb);
    return 0;
}

LP_API int lp_csv_write(const lp_frame *f, const char *path, const lp_csv_options *opt)
{
    if (!path) return lp_error_set(LP_EINVAL, "lp_csv_write: NULL path");
    writer w;
    int rc = init_writer(&w, f, path, opt);
    if (rc) return rc;
    char *tmp = lp_asprintf("%s.tmp.XXXXXX", path);
    if (!tmp) return LP_ENOMEM;
    w.fd = mkstemp(tmp);
    if (w.fd < 0) {
        rc = lp_error_set(LP_EIO, "cannot create a temporary file next to '%s': %s", path,
                          strerror(errno));
        free(tmp);
        return rc;
    }
    (void)fchmod(w.fd, 0644); /* mkstemp's 0600 would surprise whoever reads the file */
    rc = write_frame(&w, f);
    flush(&w, true);
    rc = rc ? rc : w.err;
    if (rc == 0 && fsync(w.fd) != 0)
        rc = lp_error_set(LP_EIO, "cannot write '%s': %s", path, strerror(errno));
    if (close(w.fd) != 0 && rc == 0)
        rc = lp_error_set(LP_EIO, "cannot write '%s': %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = lp_error_set(LP_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (rc) unlink(tmp);
    free(tmp);
    lp_sb_free(&w.sb);
    return rc;
}
