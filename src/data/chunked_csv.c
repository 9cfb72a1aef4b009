/*
 * chunked_csv.c — reads a CSV input a block of whole rows at a time (see
 * chunked_csv.h). The buffer holds the header line, then the rows not handed
 * out yet; a scan remembers where the last complete row ended and whether it
 * stopped inside quotes, so each byte is scanned once.
 */
#include "data/chunked_csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"

#define DEFAULT_BLOCK ((size_t)4 << 20)

struct lp_chunked_csv {
    FILE *fp;
    bool own_fp, eof, handed; /* handed: a frame was returned */
    char *name;
    char *buf;
    size_t len, cap;
    size_t hdr;     /* bytes of the header line (with its newline) */
    size_t scanned; /* bytes of buf scanned for row ends */
    size_t row_end; /* end of the last complete row in buf (>= hdr) */
    bool in_quotes; /* the scan's state at `scanned` */
    size_t block;
    size_t rows_done, lines_done; /* rows and physical lines handed out (no header) */
    uint64_t consumed, total;
    lp_frame *header;           /* the header's columns, no rows */
    lp_csv_type_override *decl; /* columns point into decl_names */
    char **decl_names;          /* owned */
    size_t n_decl;
};

/* Appends up to c->block bytes of input; sets eof at the end. */
static int fill(lp_chunked_csv *c)
{
    if (c->cap - c->len < c->block) {
        size_t cap = c->len + c->block + 1;
        char *b = realloc(c->buf, cap);
        if (!b) return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
        c->buf = b;
        c->cap = cap;
    }
    size_t n = fread(c->buf + c->len, 1, c->block, c->fp);
    c->len += n;
    if (n == 0 && ferror(c->fp))
        return lp_error_set(LP_EIO, "cannot read %s: %s", c->name, strerror(errno));
    if (n == 0) c->eof = true;
    return 0;
}

/* Scans the new bytes: a newline outside quotes ends a row ("" inside a
 * quoted field toggles twice, so counting quotes is enough). */
static void scan(lp_chunked_csv *c)
{
    for (size_t i = c->scanned; i < c->len; i++) {
        if (c->buf[i] == '"')
            c->in_quotes = !c->in_quotes;
        else if (c->buf[i] == '\n' && !c->in_quotes)
            c->row_end = i + 1;
    }
    c->scanned = c->len;
}

/* The end of the first line (after its newline, outside quotes) in buf, or 0. */
static size_t first_line_end(const lp_chunked_csv *c)
{
    bool quoted = false;
    for (size_t i = 0; i < c->len; i++) {
        if (c->buf[i] == '"')
            quoted = !quoted;
        else if (c->buf[i] == '\n' && !quoted)
            return i + 1;
    }
    return 0;
}

/* Reads up to the end of the header line (a header without a newline at
 * the end of the input gets one); the rows after it are then scanned. */
static int read_header(lp_chunked_csv *c)
{
    size_t end = 0;
    while ((end = first_line_end(c)) == 0 && !c->eof) {
        int rc = fill(c);
        if (rc) return rc;
    }
    if (end == 0) {
        if (c->len == 0) return lp_error_set(LP_EINVAL, "%s is empty: no header line", c->name);
        c->buf[c->len++] = '\n'; /* fill left one spare byte */
        end = c->len;
    }
    c->hdr = c->row_end = c->scanned = end;
    c->in_quotes = false;
    c->consumed = c->hdr;
    scan(c);
    return lp_csv_read_buffer(&c->header, c->buf, c->hdr, c->name, NULL);
}

int lp_chunked_csv_open(lp_chunked_csv **out, const char *path, const char *name, size_t block)
{
    *out = NULL;
    lp_chunked_csv *c = calloc(1, sizeof *c);
    if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
    c->block = block ? block : DEFAULT_BLOCK;
    bool std = strcmp(path, "-") == 0;
    c->name = lp_strdup(name ? name : std ? "<stdin>" : path);
    c->fp = std ? stdin : fopen(path, "rb");
    c->own_fp = !std && c->fp;
    int rc = c->name ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    struct stat st;
    if (rc == 0 && !c->fp) rc = lp_error_set(LP_EIO, "cannot open %s: %s", path, strerror(errno));
    if (rc == 0 && fstat(fileno(c->fp), &st) == 0 && S_ISREG(st.st_mode))
        c->total = (uint64_t)st.st_size;
    if (rc == 0 && !std && S_ISDIR(st.st_mode))
        rc = lp_error_set(LP_EINVAL, "cannot read %s: it is a directory", path);
    if (rc == 0) rc = read_header(c);
    if (rc) {
        lp_chunked_csv_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void free_decl(lp_chunked_csv *c)
{
    for (size_t i = 0; i < c->n_decl; i++)
        free(c->decl_names[i]);
    free(c->decl_names);
    free(c->decl);
    c->decl_names = NULL;
    c->decl = NULL;
    c->n_decl = 0;
}

int lp_chunked_csv_declare(lp_chunked_csv *c, const lp_csv_type_override *o, size_t n)
{
    free_decl(c);
    c->decl = calloc(n ? n : 1, sizeof *c->decl);
    c->decl_names = calloc(n ? n : 1, sizeof *c->decl_names);
    if (!c->decl || !c->decl_names) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!o[i].column || lp_frame_find(c->header, o[i].column) < 0) continue;
        char *col = lp_strdup(o[i].column);
        if (!col) return lp_error_set(LP_ENOMEM, "out of memory");
        c->decl_names[c->n_decl] = col;
        c->decl[c->n_decl].column = col;
        c->decl[c->n_decl++].type = o[i].type;
    }
    return 0;
}

/* Re-sets a located error of the chunk with the line counted in the whole
 * input (the chunk's line 1 is the header, line 2 the chunk's first row). */
static int relocate_error(const lp_chunked_csv *c, int rc)
{
    const lp_error *e = lp_error_last();
    if (!e->file || e->line <= 1) return rc;
    char *file = lp_strdup(e->file), *msg = lp_strdup(e->message ? e->message : "");
    size_t line = (size_t)e->line + c->lines_done;
    int col = e->col;
    if (file && msg)
        lp_error_set_at(e->code, file, line > INT32_MAX ? INT32_MAX : (int)line, col, "%s", msg);
    free(file);
    free(msg);
    return rc;
}

/* The rows buf[hdr..end) parsed with the header (a new frame); the rows are
 * then dropped from the buffer. */
static int take_rows(lp_chunked_csv *c, size_t end, lp_frame **out, size_t *first_row)
{
    lp_csv_options opt = {.overrides = c->decl, .n_overrides = c->n_decl};
    int rc = lp_csv_read_buffer(out, c->buf, end, c->name, &opt);
    if (rc) return relocate_error(c, rc);
    *first_row = c->rows_done;
    c->rows_done += lp_frame_rows(*out);
    for (size_t i = c->hdr; i < end; i++)
        c->lines_done += c->buf[i] == '\n';
    c->consumed += end - c->hdr;
    memmove(c->buf + c->hdr, c->buf + end, c->len - end);
    c->len -= end - c->hdr;
    c->scanned -= end - c->hdr;
    c->row_end = c->hdr;
    c->handed = true;
    return 0;
}

int lp_chunked_csv_next(lp_chunked_csv *c, lp_frame **out, size_t *first_row)
{
    *out = NULL;
    *first_row = c->rows_done;
    for (;;) {
        if (c->row_end > c->hdr && (c->row_end - c->hdr >= c->block / 2 || c->eof))
            return take_rows(c, c->row_end, out, first_row);
        if (c->eof) {
            if (c->len > c->hdr) { /* a last row without a newline */
                c->row_end = c->len;
                return take_rows(c, c->len, out, first_row);
            }
            if (c->handed) return 0;
            return take_rows(c, c->hdr, out, first_row); /* no rows at all: the header */
        }
        int rc = fill(c);
        if (rc) return rc;
        scan(c);
    }
}

uint64_t lp_chunked_csv_done(const lp_chunked_csv *c)
{
    return c ? c->consumed : 0;
}

uint64_t lp_chunked_csv_total(const lp_chunked_csv *c)
{
    return c ? c->total : 0;
}

void lp_chunked_csv_free(lp_chunked_csv *c)
{
    if (!c) return;
    if (c->own_fp) fclose(c->fp);
    free_decl(c);
    if (c->header) lp_frame_unref(c->header);
    free(c->buf);
    free(c->name);
    free(c);
}
