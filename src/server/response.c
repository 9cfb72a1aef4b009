/*
 * response.c — the server's JSON answers (see response.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/csv_internal.h"
#include "server/response.h"

#define PROBA_PREFIX "probability_"

void srv_json_string(lp_sb *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    lp_sb_putc(sb, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        lp_sb_appendn(sb, s + start, i - start);
        start = i + 1;
        char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            esc[2] = 0;
        } else if (c == '\n') {
            esc[1] = 'n', esc[2] = 0;
        } else if (c == '\t') {
            esc[1] = 't', esc[2] = 0;
        }
        lp_sb_append(sb, esc);
    }
    lp_sb_appendn(sb, s + start, len - start);
    lp_sb_putc(sb, '"');
}

void srv_json_value(lp_sb *sb, const lp_column *col, size_t i)
{
    if (!lp_column_is_valid(col, i)) {
        lp_sb_append(sb, "null");
        return;
    }
    char buf[48];
    size_t n, len;
    const char *s;
    switch (col->type) {
    case LP_DT_FLOAT64:
        if (!isfinite(col->data.f64[i])) {
            lp_sb_append(sb, "null");
            return;
        }
        n = lp_csv_format_f64(buf, col->data.f64[i]);
        lp_sb_appendn(sb, buf, n);
        return;
    case LP_DT_INT64:
        lp_sb_appendf(sb, "%" PRId64, col->data.i64[i]);
        return;
    case LP_DT_BOOL:
        lp_sb_append(sb, col->data.b8[i] ? "true" : "false");
        return;
    case LP_DT_TIMESTAMP:
        n = lp_csv_format_ts(buf, col->data.i64[i], false);
        srv_json_string(sb, buf, n);
        return;
    default:
        s = lp_column_str(col, i, &len);
        if (s)
            srv_json_string(sb, s, len);
        else
            lp_sb_append(sb, "null");
        return;
    }
}

static void put_probabilities(lp_sb *sb, const lp_frame *scores)
{
    size_t rows = lp_frame_rows(scores), cols = lp_frame_cols(scores);
    size_t plen = strlen(PROBA_PREFIX);
    lp_sb_append(sb, ",\"probabilities\":[");
    for (size_t i = 0; i < rows; i++) {
        lp_sb_append(sb, i ? ",{" : "{");
        bool first = true;
        for (size_t j = 0; j < cols; j++) {
            const char *name = lp_frame_name(scores, j);
            if (strncmp(name, PROBA_PREFIX, plen) != 0) continue;
            if (!first) lp_sb_putc(sb, ',');
            first = false;
            srv_json_string(sb, name + plen, strlen(name + plen));
            lp_sb_putc(sb, ':');
            srv_json_value(sb, lp_frame_col(scores, j), i);
        }
        lp_sb_putc(sb, '}');
    }
    lp_sb_putc(sb, ']');
}

/* "reasons": per row the reason_<k> / reason_<k>_value pairs present (a
 * missing reason, for a model with fewer features than top_k, is left out). */
static void put_reasons(lp_sb *sb, const lp_frame *scores)
{
    size_t rows = lp_frame_rows(scores), k = 0;
    char name[32];
    for (;; k++) {
        snprintf(name, sizeof name, "reason_%zu", k + 1);
        if (!lp_frame_col_by_name(scores, name)) break;
    }
    lp_sb_append(sb, ",\"reasons\":[");
    for (size_t i = 0; i < rows; i++) {
        lp_sb_append(sb, i ? ",[" : "[");
        bool first = true;
        for (size_t r = 1; r <= k; r++) {
            snprintf(name, sizeof name, "reason_%zu", r);
            const lp_column *feature = lp_frame_col_by_name(scores, name);
            snprintf(name, sizeof name, "reason_%zu_value", r);
            const lp_column *value = lp_frame_col_by_name(scores, name);
            if (!value || !lp_column_is_valid(feature, i)) continue;
            lp_sb_append(sb, first ? "{\"feature\":" : ",{\"feature\":");
            first = false;
            srv_json_value(sb, feature, i);
            lp_sb_append(sb, ",\"contribution\":");
            srv_json_value(sb, value, i);
            lp_sb_putc(sb, '}');
        }
        lp_sb_putc(sb, ']');
    }
    lp_sb_putc(sb, ']');
}

void srv_json_scores(lp_sb *sb, const lp_frame *scores, bool with_proba)
{
    const lp_column *pred = lp_frame_col_by_name(scores, "prediction");
    size_t rows = lp_frame_rows(scores);
    lp_sb_append(sb, "{\"predictions\":[");
    for (size_t i = 0; pred && i < rows; i++) {
        if (i) lp_sb_putc(sb, ',');
        srv_json_value(sb, pred, i);
    }
    lp_sb_putc(sb, ']');
    bool has_proba = false;
    for (size_t j = 0; j < lp_frame_cols(scores); j++)
        has_proba |= strncmp(lp_frame_name(scores, j), PROBA_PREFIX, strlen(PROBA_PREFIX)) == 0;
    if (with_proba && has_proba) put_probabilities(sb, scores);
    if (with_proba && lp_frame_col_by_name(scores, "reason_1")) put_reasons(sb, scores);
    lp_sb_putc(sb, '}');
}

void srv_json_error(lp_sb *sb, const char *code, const char *message, long row, const char *column)
{
    lp_sb_append(sb, "{\"error_code\":");
    srv_json_string(sb, code, strlen(code));
    lp_sb_append(sb, ",\"message\":");
    srv_json_string(sb, message, strlen(message));
    if (row >= 0) lp_sb_appendf(sb, ",\"row\":%ld", row);
    if (column && *column) {
        lp_sb_append(sb, ",\"column\":");
        srv_json_string(sb, column, strlen(column));
    }
    lp_sb_putc(sb, '}');
}
