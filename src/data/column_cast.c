/*
 * column_cast.c — converting a column to another type: parsing text,
 * converting between numbers, formatting anything as text. Missing values
 * stay missing; an empty (or all-blank) string becomes missing. A value that
 * does not convert exactly is an error naming its row (1-based) and value.
 *
 * Numbers: int64 → float64 widens; float64 → int64 only for integral values;
 * bool ↔ numbers as 0/1 (numbers other than 0/1 are errors); timestamp ↔
 * int64 as microseconds; timestamp ↔ float64 as seconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"
#include "data/timestamp.h"

/* ---- timestamps ---------------------------------------------------------------- */

/* Casts are lenient readers: a zone after a bare date, a leap second and a
 * decimal comma are all accepted. */
bool lp_parse_timestamp(const char *s, size_t len, int64_t *out)
{
    unsigned rules = LP_TS_ZONE_ON_DATE | LP_TS_LEAP_SECOND | LP_TS_COMMA_FRACTION;
    return lp_ts_parse(s, len, rules, out);
}

size_t lp_format_timestamp(int64_t us, char *buf, size_t cap)
{
    return lp_ts_format(us, false, buf, cap);
}

/* ---- parsing text -------------------------------------------------------------- */

typedef union {
    double f;
    int64_t i;
    uint8_t b;
} scalar;

/* Copies s/len, trimmed of ASCII blanks, into a NUL-terminated buffer (buf or heap). */
static char *trimmed(const char *s, size_t len, char *buf, size_t cap, size_t *outlen)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    *outlen = len;
    char *t = len < cap ? buf : malloc(len + 1);
    if (!t) return NULL;
    memcpy(t, s, len);
    t[len] = '\0';
    return t;
}

/* Parses text as `type`. Returns 1 for a value, 0 for missing (blank), -1 when invalid. */
static int parse_text(lp_dtype type, const char *s, size_t len, scalar *v)
{
    char buf[128];
    size_t n;
    char *t = trimmed(s, len, buf, sizeof buf, &n);
    if (!t) return -1;
    int r = n == 0 ? 0 : -1;
    char *end = NULL;
    if (n == 0) {
        /* missing */
    } else if (type == LP_DT_FLOAT64) {
        v->f = strtod(t, &end); /* out-of-range values become ±inf or 0, as in pandas */
        r = end == t + n ? 1 : -1;
    } else if (type == LP_DT_INT64) {
        errno = 0;
        long long x = strtoll(t, &end, 10);
        v->i = x;
        r = end == t + n && errno != ERANGE ? 1 : -1;
    } else if (type == LP_DT_BOOL) {
        static const char *const yes[] = {"true", "t", "yes", "y", "1"};
        static const char *const no[] = {"false", "f", "no", "n", "0"};
        for (size_t k = 0; k < 5 && r < 0; k++) {
            if (lp_streq_nocase(t, yes[k]))
                v->b = 1, r = 1;
            else if (lp_streq_nocase(t, no[k]))
                v->b = 0, r = 1;
        }
    } else if (type == LP_DT_TIMESTAMP) {
        r = lp_parse_timestamp(t, n, &v->i) ? 1 : -1;
    }
    if (t != buf) free(t);
    return r;
}

static void store(lp_column *c, size_t i, scalar v)
{
    if (c->type == LP_DT_FLOAT64)
        c->data.f64[i] = v.f;
    else if (c->type == LP_DT_BOOL)
        c->data.b8[i] = v.b;
    else
        c->data.i64[i] = v.i;
}

static int value_error(const lp_column *c, size_t i, lp_dtype to)
{
    size_t len;
    const char *s = lp_column_str(c, i, &len);
    int shown = len > 60 ? 60 : (int)len;
    return lp_error_set(LP_EINVAL, "row %zu: cannot convert '%.*s%s' to %s", i + 1, shown,
                        s ? s : "", len > 60 ? "..." : "", lp_dtype_name(to));
}

static int copy_validity(lp_column *dst, const lp_column *src)
{
    if (!src->validity) return 0;
    size_t nb = lp_bitmap_bytes(src->length);
    dst->validity = malloc(nb ? nb : 1);
    if (!dst->validity) return lp_error_set(LP_ENOMEM, "out of memory");
    memcpy(dst->validity, src->validity, nb);
    dst->null_count = src->null_count;
    return 0;
}

/* String or category → float64/int64/bool/timestamp. A category's dictionary
 * is parsed once; rows then pick the parsed value by code. */
static int parse_column(lp_column **out, const lp_column *col, lp_dtype type)
{
    size_t n = col->length;
    lp_column *r = lp_column_new(type, n);
    if (!r || copy_validity(r, col) != 0) {
        lp_column_unref(r);
        return LP_ENOMEM;
    }
    const lp_column *d = col->type == LP_DT_CATEGORY ? col->data.cat.dict : NULL;
    scalar *dv = NULL;
    int8_t *dok = NULL;
    if (d) {
        dv = malloc((d->length ? d->length : 1) * sizeof *dv);
        dok = malloc(d->length ? d->length : 1);
        for (size_t k = 0; dv && dok && k < d->length; k++) {
            size_t len;
            const char *s = lp_column_str(d, k, &len);
            dok[k] = (int8_t)parse_text(type, s, len, &dv[k]);
        }
    }
    int rc = d && (!dv || !dok) ? lp_error_set(LP_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        scalar v = {0};
        int ok;
        if (d) {
            int32_t code = col->data.cat.codes[i];
            ok = dok[code], v = dv[code];
        } else {
            size_t len;
            const char *s = lp_column_str(col, i, &len);
            ok = parse_text(type, s, len, &v);
        }
        if (ok < 0)
            rc = value_error(col, i, type);
        else if (ok == 0)
            rc = lp_column_set_null(r, i);
        else
            store(r, i, v);
    }
    free(dv);
    free(dok);
    if (rc) {
        lp_column_unref(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- numbers ↔ numbers ----------------------------------------------------------- */

static int number_error(size_t i, const char *shown, lp_dtype from, lp_dtype to)
{
    return lp_error_set(LP_EINVAL, "row %zu: cannot convert %s value %s to %s", i + 1,
                        lp_dtype_name(from), shown, lp_dtype_name(to));
}

static int f64_error(size_t i, double x, lp_dtype to)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", x);
    return number_error(i, buf, LP_DT_FLOAT64, to);
}

static int convert_numbers(lp_column **out, const lp_column *col, lp_dtype to)
{
    lp_dtype from = col->type;
    if ((from == LP_DT_BOOL && to == LP_DT_TIMESTAMP) ||
        (from == LP_DT_TIMESTAMP && to == LP_DT_BOOL))
        return lp_error_set(LP_EINVAL, "cannot convert a %s column to %s", lp_dtype_name(from),
                            lp_dtype_name(to));
    size_t n = col->length;
    lp_column *r = lp_column_new(to, n);
    if (!r || copy_validity(r, col) != 0) {
        lp_column_unref(r);
        return LP_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        if (from == LP_DT_FLOAT64) {
            double x = col->data.f64[i];
            if (to == LP_DT_TIMESTAMP) x *= 1e6;
            bool integral = isfinite(x) && x == nearbyint(x) && x >= -9.2233720368547758e18 &&
                            x < 9.2233720368547758e18;
            if (to == LP_DT_BOOL && (x == 0 || x == 1))
                r->data.b8[i] = x == 1;
            else if (to != LP_DT_BOOL && (integral || (to == LP_DT_TIMESTAMP && isfinite(x))))
                r->data.i64[i] = (int64_t)llround(x);
            else
                rc = f64_error(i, col->data.f64[i], to);
            continue;
        }
        int64_t v = from == LP_DT_BOOL ? col->data.b8[i] : col->data.i64[i];
        if (to == LP_DT_FLOAT64)
            r->data.f64[i] = from == LP_DT_TIMESTAMP ? (double)v / 1e6 : (double)v;
        else if (to == LP_DT_BOOL && (v == 0 || v == 1))
            r->data.b8[i] = (uint8_t)v;
        else if (to == LP_DT_BOOL) {
            char buf[32];
            snprintf(buf, sizeof buf, "%" PRId64, v);
            rc = number_error(i, buf, from, to);
        } else
            r->data.i64[i] = v;
    }
    if (rc) {
        lp_column_unref(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- anything → text --------------------------------------------------------------- */

/* Shortest "%.Ng" that reads back as the same double. */
static int format_f64(char *buf, size_t cap, double x)
{
    if (isnan(x)) return snprintf(buf, cap, "nan");
    if (isinf(x)) return snprintf(buf, cap, x < 0 ? "-inf" : "inf");
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    return n;
}

static int format_column(lp_column **out, const lp_column *col)
{
    if (col->type == LP_DT_CATEGORY) {
        *out = lp_column_category_to_string(col);
        return *out ? 0 : LP_ENOMEM;
    }
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, col->length);
    if (!b) return LP_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < col->length && rc == 0; i++) {
        char buf[64];
        int n = 0;
        if (!lp_column_is_valid(col, i)) {
            rc = lp_column_builder_append_null(b);
            continue;
        }
        switch (col->type) {
        case LP_DT_FLOAT64:
            n = format_f64(buf, sizeof buf, col->data.f64[i]);
            break;
        case LP_DT_INT64:
            n = snprintf(buf, sizeof buf, "%" PRId64, col->data.i64[i]);
            break;
        case LP_DT_BOOL:
            n = snprintf(buf, sizeof buf, "%s", col->data.b8[i] ? "true" : "false");
            break;
        default: /* timestamp */
            n = (int)lp_format_timestamp(col->data.i64[i], buf, sizeof buf);
            break;
        }
        rc = lp_column_builder_append_str(b, buf, (size_t)n);
    }
    if (rc) {
        lp_column_builder_free(b);
        return rc;
    }
    *out = lp_column_builder_finish(b);
    return *out ? 0 : LP_ENOMEM;
}

static int to_category(lp_column **out, const lp_column *col)
{
    lp_column *s = NULL;
    int rc = lp_column_cast(&s, col, LP_DT_STRING);
    if (rc) return rc;
    lp_column_builder *b = lp_column_builder_new(LP_DT_CATEGORY, s->length);
    for (size_t i = 0; b && i < s->length && rc == 0; i++) {
        size_t len;
        const char *v = lp_column_str(s, i, &len);
        rc = v ? lp_column_builder_append_str(b, v, len) : lp_column_builder_append_null(b);
    }
    lp_column_unref(s);
    if (!b || rc) {
        lp_column_builder_free(b);
        return rc ? rc : LP_ENOMEM;
    }
    *out = lp_column_builder_finish(b);
    return *out ? 0 : LP_ENOMEM;
}

LP_API int lp_column_cast(lp_column **out, const lp_column *col, lp_dtype type)
{
    *out = NULL;
    if (!col || (unsigned)type > LP_DT_TIMESTAMP)
        return lp_error_set(LP_EINVAL, "cast: a column and a valid type are required");
    if (col->type == type) {
        /* columns are immutable once shared, so the same column is the converted one */
        *out = lp_column_ref((lp_column *)(uintptr_t)col);
        return 0;
    }
    if (type == LP_DT_STRING) return format_column(out, col);
    if (type == LP_DT_CATEGORY) return to_category(out, col);
    if (col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY)
        return parse_column(out, col, type);
    return convert_numbers(out, col, type);
}
