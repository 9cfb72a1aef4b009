/*
 * csv_read.c — the CSV reader: a file is read into memory, the header parsed, the body
 * split into chunks at row boundaries and parsed in two parallel passes.
 *
 * Pass 1 (per chunk): tokenise, count rows, missing values and string bytes
 * and narrow each column's candidate types. Between the passes the column
 * types are fixed (inference over the whole file: the AND of every chunk's
 * candidates), chunk boundaries checked and every column allocated.
 * Pass 2 (per chunk again): tokenise once more and convert each field straight
 * into its column at the chunk's first row. Both passes walk the text in
 * order, so no per-field index is kept (an earlier version converted column
 * by column through such an index and spent its time in cache misses).
 *
 * Type speculation: the first rows of the body are classified before pass 1
 * (lp_csv_sample_rows of them). A column they give a type is not classified
 * in pass 1 (classifying a float costs as much as parsing it, so pass 1 and
 * pass 2 used to parse every number twice); pass 2 then checks the guess as
 * it converts. An int column meeting a float goes on as float from that row
 * and its earlier rows are converted after pass 2 (the double of an int is
 * what parsing its text as a float gives, except for "-0"). Any other wrong
 * guess makes the read start again without speculation (CSV_RETRY; a file is
 * read again because pass 2 gave its pages back), so the types are always
 * inferred from every row, as before.
 *
 * Chunk boundaries are guessed by quote parity (a '\n' after an even number
 * of '"' since the start is outside quotes). A guess can be wrong only when
 * an unquoted field holds a literal quote; then chunk i-1 stops somewhere
 * else than where chunk i began and chunk i is parsed again from the right
 * place, so the result never depends on the thread count.
 *
 * Blank lines are skipped wherever they are (pandas' skip_blank_lines), also
 * in a one-column file; the writer writes such a file's missing values as NA.
 *
 * Missing values: an unquoted empty field or unquoted NA string. A quoted
 * empty or NA field is literal text in a string column (so that writing and
 * reading back keeps "" and "NA" apart from missing) and missing in a column
 * of any other type (as pandas reads it) — except that a quoted "NaN" in a
 * float64 column is the value NaN, which is how the writer keeps it apart. Strings are never
 * inferred as category; ask for it with an override.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "data/csv_number.h"
#include "data/csv_internal.h"
#include "data/csv_scan.h"
#include "data/frame_internal.h"
#include "lolpop/config.h"
#include "lolpop/csv.h"

#define MAX_CHUNK ((size_t)1 << 30) /* bounds the work of one task */
/* Smaller inputs are not worth a thread. The fuzz build lowers it so that
 * tiny inputs go through the chunked path too. */
#ifndef LP_CSV_MIN_CHUNK
#define LP_CSV_MIN_CHUNK ((size_t)1 << 18)
#endif

enum { ERR_NONE, ERR_SCAN_UNTERM, ERR_SCAN_QUOTE, ERR_TOO_MANY, ERR_TOO_FEW };

/* What pass 1 does with a column's fields: infer its type (count missing
 * values, string bytes, classify), count string bytes (a string column), or
 * nothing (a column of known non-string type: pass 2 checks its values, and its
 * validity bitmap is allocated whatever the missing count, freed if unused). */
enum { KIND_INFER, KIND_TEXT, KIND_TYPED };

/* read_impl's results that ask for another read: a speculated type was wrong
 * (read again without speculating), or a value did not fit its declared type
 * after pass 2 gave pages back (read again keeping them, so that the error's
 * line and text can be found: they were read as zeros from given-back pages). */
enum { CSV_RETRY = 1, CSV_RELOCATE = 2 };

int lp_csv_sample_rows = 1000;

typedef struct col_acc {
    unsigned mask; /* remaining candidate types */
    size_t nulls;  /* unquoted missing values */
    size_t qna;    /* quoted empty/NA values */
    size_t bytes;  /* content bytes (unescaped) of the other values */
    size_t base;   /* pass 2: where this chunk's strings start in the column */
    size_t nnull;  /* pass 2: values made missing */
    size_t sw;     /* pass 2, speculated int: first row read as a float (SIZE_MAX: none) */
    bool neg0;     /* pass 2, int: "-0" was read (as a float it is -0.0, not 0) */
    bool qnan;     /* pass 2, speculated int: a quoted NaN made missing (a float keeps it) */
    char *sbuf;    /* pass 2, one-pass read of a string column: this chunk's bytes (base: used) */
    size_t scap;   /* their capacity */
} col_acc;

typedef struct chunk {
    size_t begin, end, stop; /* rows starting in [begin, end); parsing ended at stop */
    size_t rows, row0;       /* rows here; rows before this chunk */
    size_t limit;            /* parse at most this many rows (0: no limit) */
    col_acc *acc;
    int err;
    size_t err_at, err_fields; /* offending byte; fields seen in the row */
    size_t utf8_bad;           /* first invalid UTF-8 byte in [begin, end), or SIZE_MAX */
    bool counted;              /* pass 1 only counted the rows (one-pass read): pass 2 checks */
} chunk;

typedef struct csv_ctx {
    const char *buf; /* after the BOM */
    size_t len;
    const char *name;
    const char *map; /* the file's bytes when we own them (pages dropped behind pass 2) */
    char sep;
    uint8_t stop[257]; /* separator, CR, LF flagged; [256] = the separator */
    size_t ncols;
    char **names;
    int *declared; /* per column: lp_dtype or -1 */
    int *spec;     /* per column: the type the first rows give (lp_dtype) or -1 */
    uint8_t *kind; /* per column: what pass 1 accounts (KIND_*) */
    bool speculate;
    bool one_pass;     /* every column's type known before pass 1: see read_body */
    bool grow_text;    /* a chunk was only counted: string columns grow per chunk */
    atomic_bool retry; /* pass 2 found a wrong speculated type */
    lp_dtype *types;
    /* missing-value strings: the defaults plus the caller's */
    const char **na;
    size_t n_na;
    size_t *na_len;
    uint64_t na_first[256]; /* by first byte: bit n when an NA string of length n starts so */
    uint64_t na_last[256];  /* by last byte, likewise */
    bool na_is_number;      /* an NA string parses as an int or a non-NaN float ("" never does) */
    chunk *chunks;
    size_t nchunks;
    int threads;
    lp_column **cols;
    /* pass 2 errors: earliest by offset */
    pthread_mutex_t lock;
    size_t conv_err_at;
    size_t conv_err_col;
    int conv_err_code;
} csv_ctx;

/* ---- small helpers -------------------------------------------------------- */

static inline __attribute__((always_inline)) bool is_na(const csv_ctx *c, const char *s, size_t n)
{
    if (n == 0) return true;
    if (n >= 64 || !((c->na_first[(uint8_t)s[0]] & c->na_last[(uint8_t)s[n - 1]]) >> n & 1))
        return false;
    for (size_t i = 0; i < c->n_na; i++)
        if (c->na_len[i] == n && memcmp(c->na[i], s, n) == 0) return true;
    return false;
}

/* 1-based line and column (in characters) of byte `at`. */
static void locate(const csv_ctx *c, size_t at, int *line, int *col)
{
    size_t ln = 1, ls = 0;
    for (size_t i = 0; i < at && i < c->len; i++)
        if (c->buf[i] == '\n') ln++, ls = i + 1;
    size_t chars = 0;
    for (size_t i = ls; i < at && i < c->len; i++)
        chars += ((uint8_t)c->buf[i] & 0xC0) != 0x80;
    *line = ln > INT32_MAX ? INT32_MAX : (int)ln;
    *col = chars + 1 > INT32_MAX ? INT32_MAX : (int)(chars + 1);
}

static int error_at(const csv_ctx *c, int code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int error_at(const csv_ctx *c, int code, size_t at, const char *fmt, ...)
{
    int line, col;
    locate(c, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv_at(code, c->name, line, col, fmt, ap);
    va_end(ap);
    return code;
}

/* Up to 40 bytes of a value for messages, with an ellipsis when cut. */
static void excerpt(char out[64], const char *s, size_t n)
{
    size_t k = n > 40 ? 40 : n;
    while (k > 0 && k < n && ((uint8_t)s[k] & 0xC0) == 0x80)
        k--; /* do not cut a UTF-8 sequence */
    snprintf(out, 64, "%.*s%s", (int)k, s, k < n ? "..." : "");
}

/* Runs fn(ctx, i) for i in [0, n) on up to `threads` threads (the caller's included). */
typedef struct par_job {
    atomic_size_t next;
    size_t n;
    void (*fn)(void *, size_t);
    void *ctx;
} par_job;

static void *par_worker(void *arg)
{
    par_job *j = arg;
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
        j->fn(j->ctx, i);
    return NULL;
}

static void run_parallel(int threads, size_t n, void (*fn)(void *, size_t), void *ctx)
{
    par_job job = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&job.next, 0);
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads && t < 64 && (size_t)t < n; t++)
        if (pthread_create(&tid[started], NULL, par_worker, &job) == 0) started++;
    par_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

/* ---- pass 1: tokenise a chunk ---------------------------------------------- */

static void account(const csv_ctx *c, col_acc *a, const char *buf, const csv_field *f, uint8_t kind)
{
    if (kind == KIND_TYPED) return;
    const char *s = buf + f->start;
    if (!f->quoted && is_na(c, s, f->len)) {
        a->nulls++;
        return;
    }
    a->bytes += f->len - f->nesc;
    if (f->quoted && is_na(c, s, f->len)) {
        a->qna++; /* a value only if the column ends up string */
        return;
    }
    if (a->mask)
        a->mask = f->escaped ? 0 : lp_csv_classify_in(s, f->len, c->len - f->start, a->mask);
}

/* Parses one row from field j0 at *pos on. 0, or an error kind with k->err_at set. */
static int parse_row(const csv_ctx *c, chunk *k, size_t *pos, size_t j0)
{
    size_t j = j0;
    csv_field f;
    for (;; j++) {
        size_t at = *pos;
        int e = csv_scan_field(c->buf, c->len, at, c->stop, &f, &k->err_at);
        if (e) return e == CSV_ERR_UNTERMINATED ? ERR_SCAN_UNTERM : ERR_SCAN_QUOTE;
        if (j >= c->ncols) {
            k->err_at = at;
            return ERR_TOO_MANY;
        }
        account(c, &k->acc[j], c->buf, &f, c->kind[j]);
        *pos = f.next;
        if (f.row_end) break;
    }
    if (j + 1 != c->ncols) {
        k->err_at = f.next > 0 ? f.next - 1 : 0;
        k->err_fields = j + 1;
        return ERR_TOO_FEW;
    }
    return 0;
}

/* Accounts the first n fields of a row split by csv_split_row (none is quoted). */
static void account_row(const csv_ctx *c, chunk *k, size_t pos, const size_t *ends, size_t n)
{
    for (size_t j = 0, start = pos; j < n; start = ends[j++] + 1) {
        if (c->kind[j] == KIND_TYPED) continue;
        csv_field f = {.start = start, .len = ends[j] - start};
        account(c, &k->acc[j], c->buf, &f, c->kind[j]);
    }
}

static void parse_chunk(const csv_ctx *c, chunk *k)
{
    k->rows = 0, k->err = ERR_NONE;
    for (size_t j = 0; j < c->ncols; j++) { /* declared and speculated types are not inferred */
        bool known = c->declared[j] >= 0 || c->spec[j] >= 0;
        k->acc[j] = (col_acc){.mask = known ? 0u : (unsigned)LP_CSV_M_ALL};
    }
    size_t pos = k->begin;
    size_t *ends = malloc(c->ncols * sizeof *ends); /* NULL: the general scanner only */
    while (pos < k->end && (k->limit == 0 || k->rows < k->limit)) {
        char ch = c->buf[pos];
        if (ch == '\n' || ch == '\r') { /* blank line: skipped, as pandas does */
            pos += 1 + (ch == '\r' && pos + 1 < c->len && c->buf[pos + 1] == '\n');
            continue;
        }
        size_t next = pos, nf = 0;
        bool done = false;
        if (ends) nf = csv_split_row(c->buf, c->len, pos, c->sep, ends, c->ncols, &next, &done);
        if (done && nf == c->ncols) { /* no quotes and the right number of fields */
            account_row(c, k, pos, ends, nf);
            pos = next;
            k->rows++;
            continue;
        }
        if (done) { /* too few fields: the general scanner reports it */
            nf = 0;
        } else { /* a quote (or too many fields): the general scanner goes on from field nf */
            account_row(c, k, pos, ends, nf);
            pos = next;
        }
        int e = parse_row(c, k, &pos, nf);
        if (e) {
            k->err = e < 0 ? -1 : e;
            break;
        }
        k->rows++;
    }
    free(ends);
    k->stop = pos;
}

static void check_utf8(const csv_ctx *c, chunk *k)
{
    size_t end = k->end, i = csv_ascii_span(c->buf, k->begin, end), bad;
    k->utf8_bad = SIZE_MAX;
    if (i < end && !lp_utf8_valid(c->buf + i, end - i, &bad)) k->utf8_bad = i + bad;
}

/* A one-pass read only counts a chunk's rows (quote-aware): pass 2 splits them and
 * checks what counting cannot see (ragged rows, scan errors, a count that a literal
 * quote in an unquoted field made wrong); an unterminated quote is parsed as usual. */
static void pass1_task(void *ctx, size_t i)
{
    csv_ctx *c = ctx;
    chunk *k = &c->chunks[i];
    check_utf8(c, k);
    if (c->one_pass) {
        size_t rows = csv_count_row_starts(c->buf, k->begin, k->end);
        if (rows != SIZE_MAX) {
            k->rows = rows, k->err = ERR_NONE, k->stop = k->end, k->counted = true;
            return;
        }
    }
    parse_chunk(c, k);
}

/* ---- chunking ---------------------------------------------------------------- */

/* The first row start at or after `target` assuming `parity` quotes so far;
 * updates parity up to the returned position. */
static size_t next_row_start(const csv_ctx *c, size_t from, size_t target, unsigned *parity)
{
    const char *s = c->buf;
    *parity ^= (unsigned)(csv_count_quotes(s, from, target) & 1);
    for (size_t i = target; i < c->len; i++) {
        if (s[i] == '"')
            *parity ^= 1;
        else if (s[i] == '\n' && !*parity)
            return i + 1;
    }
    return c->len;
}

static int make_chunks(csv_ctx *c, size_t body)
{
    size_t n = c->len - body;
    size_t want = (size_t)(c->threads > 0 ? c->threads : 1);
    if (want > n / LP_CSV_MIN_CHUNK) want = n / LP_CSV_MIN_CHUNK;
    if (want < 1) want = 1;
    if (want < (n + MAX_CHUNK - 1) / MAX_CHUNK) want = (n + MAX_CHUNK - 1) / MAX_CHUNK;
    c->chunks = calloc(want, sizeof *c->chunks);
    if (!c->chunks) return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
    c->nchunks = want;
    unsigned parity = 0;
    size_t prev = body, counted = body;
    for (size_t i = 0; i < want; i++) {
        chunk *k = &c->chunks[i];
        k->begin = prev;
        if (i + 1 == want) {
            k->end = c->len;
        } else {
            size_t target = body + n / want * (i + 1);
            if (target < prev) target = prev;
            k->end = next_row_start(c, counted, target, &parity);
            /* parity now covers [body, k->end) */
            counted = k->end;
        }
        prev = k->end;
        k->acc = calloc(c->ncols, sizeof *k->acc);
        if (!k->acc) return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
    }
    return 0;
}

static int chunk_error(const csv_ctx *c, const chunk *k)
{
    switch (k->err) {
    case ERR_SCAN_UNTERM:
        return error_at(c, LP_EINVAL, k->err_at, "unterminated quoted field (no closing '\"')");
    case ERR_SCAN_QUOTE:
        return error_at(c, LP_EINVAL, k->err_at,
                        "unexpected character '%c' after a closing quote (expected the separator "
                        "or the end of the line)",
                        c->buf[k->err_at]);
    case ERR_TOO_MANY:
        return error_at(c, LP_EINVAL, k->err_at,
                        "ragged row: more fields than the %zu in the header", c->ncols);
    case ERR_TOO_FEW:
        return error_at(c, LP_EINVAL, k->err_at, "ragged row: %zu field%s, the header has %zu",
                        k->err_fields, k->err_fields == 1 ? "" : "s", c->ncols);
    default:
        return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
    }
}

/* Verifies chunk boundaries (re-parsing a chunk that began at a wrong guess)
 * and reports the first error in file order. */
static int settle_chunks(csv_ctx *c)
{
    size_t utf8_bad = SIZE_MAX;
    bool counted = false, failed = false;
    for (size_t i = 0; i < c->nchunks; i++) {
        if (c->chunks[i].utf8_bad < utf8_bad) utf8_bad = c->chunks[i].utf8_bad;
        counted = counted || c->chunks[i].counted;
        failed = failed || c->chunks[i].err;
    }
    /* a counted chunk may hide a ragged row before the error: the two-pass read finds it */
    if (counted && (failed || utf8_bad != SIZE_MAX)) return CSV_RETRY;
    size_t rows = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        chunk *k = &c->chunks[i];
        if (i > 0 && k->begin != c->chunks[i - 1].stop) {
            k->begin = c->chunks[i - 1].stop;
            if (k->end < k->begin) k->end = k->begin;
            k->counted = false;
            parse_chunk(c, k);
        }
        if (k->err) {
            if (k->err > 0 && utf8_bad < k->err_at) break;
            return chunk_error(c, k);
        }
        k->row0 = rows;
        rows += k->rows;
    }
    if (utf8_bad != SIZE_MAX)
        return error_at(c, LP_EINVAL, utf8_bad, "invalid UTF-8 (byte 0x%02X)",
                        (uint8_t)c->buf[utf8_bad]);
    return 0;
}

/* ---- header ------------------------------------------------------------------ */

static int add_name(csv_ctx *c, char *name, size_t *cap)
{
    if (c->ncols == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **p = realloc(c->names, ncap * sizeof *p);
        if (!p) {
            free(name);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        c->names = p;
        *cap = ncap;
    }
    c->names[c->ncols++] = name;
    return 0;
}

/* Column j's name made unique among the names before it: "name.k" with the
 * smallest k >= 1 not taken. `next` remembers, per repeated name (keyed by
 * its first column's string), the k to try next: a k below it was taken then
 * and names are only ever added, so it still is. */
static int dedup_name(csv_ctx *c, size_t j, lp_name_index *seen, lp_name_index *next)
{
    size_t first, k = 1;
    if (!lp_name_index_get(seen, c->names[j], &first)) return 0;
    lp_name_index_get(next, c->names[first], &k);
    char *nn = NULL;
    do {
        free(nn);
        if (!(nn = lp_asprintf("%s.%zu", c->names[j], k++))) return LP_ENOMEM;
    } while (lp_name_index_get(seen, nn, NULL));
    if (lp_name_index_put(next, c->names[first], k)) {
        free(nn);
        return LP_ENOMEM;
    }
    free(c->names[j]);
    c->names[j] = nn;
    return 0;
}

/* pandas' names: "" → "Unnamed: j", a repeated name → "name.1", "name.2"...
 * Linear in the number of columns (a header of 100,000 names is common in
 * wide data, and a repeated name must not make it quadratic). */
static int fix_names(csv_ctx *c)
{
    lp_name_index seen = {0}, next = {0};
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < c->ncols; j++) {
        if (!c->names[j][0]) {
            free(c->names[j]);
            c->names[j] = lp_asprintf("Unnamed: %zu", j);
            if (!c->names[j]) rc = LP_ENOMEM;
        }
        if (rc == 0) rc = dedup_name(c, j, &seen, &next);
        if (rc == 0) rc = lp_name_index_add(&seen, c->names[j], j);
    }
    lp_name_index_free(&seen);
    lp_name_index_free(&next);
    return rc;
}

/* Parses the first row: names (or a count with no_header). Sets *body. */
static int parse_header(csv_ctx *c, bool no_header, size_t *body)
{
    size_t pos = 0, cap = 0, err_at = 0;
    while (pos < c->len && (c->buf[pos] == '\n' || c->buf[pos] == '\r'))
        pos++; /* blank lines before the header are skipped too (pandas) */
    if (pos == c->len) return error_at(c, LP_EINVAL, 0, "no header row (only blank lines)");
    csv_field f;
    do {
        int e = csv_scan_field(c->buf, c->len, pos, c->stop, &f, &err_at);
        if (e == CSV_ERR_UNTERMINATED)
            return error_at(c, LP_EINVAL, err_at, "unterminated quoted field (no closing '\"')");
        if (e)
            return error_at(c, LP_EINVAL, err_at, "unexpected character '%c' after a closing quote",
                            c->buf[err_at]);
        char *name = no_header ? lp_asprintf("column_%zu", c->ncols + 1) : malloc(f.len + 1);
        if (!name) return lp_error_set(LP_ENOMEM, "out of memory");
        if (!no_header) name[csv_unescape(name, c->buf + f.start, f.len)] = '\0';
        if (add_name(c, name, &cap)) return LP_ENOMEM;
        pos = f.next;
    } while (!f.row_end);
    size_t bad;
    if (!lp_utf8_valid(c->buf, pos, &bad))
        return error_at(c, LP_EINVAL, bad, "invalid UTF-8 (byte 0x%02X)", (uint8_t)c->buf[bad]);
    *body = no_header ? 0 : pos;
    return fix_names(c);
}

/* ---- options ------------------------------------------------------------------ */

static char default_sep(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 4 && lp_streq_nocase(name + n - 4, ".tsv") ? '\t' : ',';
}

/* The threads a read uses: opt->threads, else one per core (at most 64). */
static int reader_threads(const lp_csv_options *opt)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = opt && opt->threads > 0 ? opt->threads : (int)(cores > 0 ? cores : 1);
    return n > 64 ? 64 : n;
}

static int setup_options(csv_ctx *c, const lp_csv_options *opt)
{
    c->sep = opt && opt->separator ? opt->separator : default_sep(c->name);
    if (!strchr(",;\t|", c->sep) || c->sep == '\0')
        return lp_error_set(LP_EINVAL, "unsupported CSV separator '%c' (use ',', ';', tab or '|')",
                            c->sep);
    c->stop[(uint8_t)c->sep] = c->stop['\r'] = c->stop['\n'] = 1;
    c->stop[256] = (uint8_t)c->sep;
    size_t extra = 0;
    while (opt && opt->na_values && opt->na_values[extra])
        extra++;
    size_t ndef = 0;
    while (lp_csv_default_na[ndef])
        ndef++;
    c->na = malloc((ndef + extra + 1) * sizeof *c->na);
    c->na_len = malloc((ndef + extra + 1) * sizeof *c->na_len);
    if (!c->na || !c->na_len) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < ndef; i++)
        c->na[c->n_na++] = lp_csv_default_na[i];
    for (size_t i = 0; i < extra; i++)
        c->na[c->n_na++] = opt->na_values[i];
    for (size_t i = 0; i < c->n_na; i++) {
        size_t l = c->na_len[i] = strlen(c->na[i]);
        if (l == 0 || l >= 64) continue; /* "" is always missing; longer never matches */
        c->na_first[(uint8_t)c->na[i][0]] |= 1ULL << l;
        c->na_last[(uint8_t)c->na[i][l - 1]] |= 1ULL << l;
        double d;
        int64_t v;
        c->na_is_number = c->na_is_number || lp_csv_parse_i64(c->na[i], l, &v) ||
                          (lp_csv_parse_f64(c->na[i], l, &d) && !isnan(d));
    }
    c->threads = reader_threads(opt);
    return 0;
}

/* Declares the type of the column an override names (cols: name -> column). */
static int apply_override(csv_ctx *c, const lp_name_index *cols, const lp_csv_type_override *o)
{
    const char *name = o->column ? o->column : "";
    size_t j;
    if (!lp_name_index_get(cols, name, &j)) {
        const char *hint = lp_suggest(name, (const char *const *)c->names, c->ncols);
        return lp_error_set(LP_ENOTFOUND, "%s: type override for unknown column '%s'%s%s%s",
                            c->name, name, hint ? " (did you mean '" : "", hint ? hint : "",
                            hint ? "'?)" : "");
    }
    if ((unsigned)o->type > LP_DT_TIMESTAMP)
        return lp_error_set(LP_EINVAL, "%s: bad type for column '%s'", c->name, name);
    c->declared[j] = (int)o->type;
    return 0;
}

static int apply_overrides(csv_ctx *c, const lp_csv_options *opt)
{
    c->declared = malloc((c->ncols ? c->ncols : 1) * sizeof *c->declared);
    c->types = calloc(c->ncols ? c->ncols : 1, sizeof *c->types);
    c->cols = calloc(c->ncols ? c->ncols : 1, sizeof *c->cols);
    if (!c->declared || !c->types || !c->cols) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->ncols; j++)
        c->declared[j] = -1;
    if (!opt || !opt->n_overrides) return 0;
    lp_name_index cols = {0}; /* names are unique (fix_names): one look-up per override */
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < c->ncols; j++)
        rc = lp_name_index_add(&cols, c->names[j], j);
    for (size_t i = 0; rc == 0 && i < opt->n_overrides; i++)
        rc = apply_override(c, &cols, &opt->overrides[i]);
    lp_name_index_free(&cols);
    return rc;
}

/* The inferred type of column j from every chunk's candidates. */
static lp_dtype resolve_type(const csv_ctx *c, size_t j, size_t rows)
{
    if (c->declared[j] >= 0) return (lp_dtype)c->declared[j];
    if (c->spec[j] >= 0) return (lp_dtype)c->spec[j]; /* checked by pass 2 */
    unsigned mask = LP_CSV_M_ALL;
    size_t values = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        const col_acc *a = &c->chunks[i].acc[j];
        mask &= a->mask;
        values += c->chunks[i].rows - a->nulls - a->qna;
    }
    if (values == 0) return rows ? LP_DT_FLOAT64 : LP_DT_STRING; /* as pandas: all-NaN float */
    if (mask & LP_CSV_M_BOOL) return LP_DT_BOOL;
    if (mask & LP_CSV_M_INT) return LP_DT_INT64;
    if (mask & LP_CSV_M_FLOAT) return LP_DT_FLOAT64;
    if (mask & LP_CSV_M_TS) return LP_DT_TIMESTAMP;
    return LP_DT_STRING;
}

static int sample_rows(csv_ctx *c, size_t body);

/* Speculated types (c->spec) from the first lp_csv_sample_rows rows of the body:
 * the type a column's values there give; -1 for a column without values there
 * (or when not speculating); and what pass 1 does per column (c->kind). */
static int sample_types(csv_ctx *c, size_t body)
{
    c->spec = malloc((c->ncols ? c->ncols : 1) * sizeof *c->spec);
    c->kind = calloc(c->ncols ? c->ncols : 1, sizeof *c->kind); /* KIND_INFER while sampling */
    if (!c->spec || !c->kind) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->ncols; j++)
        c->spec[j] = -1;
    if (c->speculate && lp_csv_sample_rows > 0) {
        int rc = sample_rows(c, body);
        if (rc) return rc;
    }
    for (size_t j = 0; j < c->ncols; j++) {
        int t = c->declared[j] >= 0 ? c->declared[j] : c->spec[j];
        c->kind[j] = t < 0                                      ? KIND_INFER
                     : t == LP_DT_STRING || t == LP_DT_CATEGORY ? KIND_TEXT
                                                                : KIND_TYPED;
    }
    return 0;
}

/* sample_types' guess: c->spec from the first rows. */
static int sample_rows(csv_ctx *c, size_t body)
{
    chunk k = {.begin = body, .end = c->len, .limit = (size_t)lp_csv_sample_rows};
    k.acc = calloc(c->ncols ? c->ncols : 1, sizeof *k.acc);
    if (!k.acc) return lp_error_set(LP_ENOMEM, "out of memory");
    parse_chunk(c, &k);
    for (size_t j = 0; j < c->ncols && !k.err; j++) { /* pass 1 reports an error */
        const col_acc *a = &k.acc[j];
        if (c->declared[j] >= 0 || k.rows == a->nulls + a->qna) continue;
        unsigned m = a->mask;
        c->spec[j] = m & LP_CSV_M_BOOL    ? LP_DT_BOOL
                     : m & LP_CSV_M_INT   ? LP_DT_INT64
                     : m & LP_CSV_M_FLOAT ? LP_DT_FLOAT64
                     : m & LP_CSV_M_TS    ? LP_DT_TIMESTAMP
                                          : LP_DT_STRING;
    }
    free(k.acc);
    return 0;
}

/* ---- pass 2: convert a column -------------------------------------------------- */

static void conv_error(csv_ctx *c, size_t j, size_t at, int code)
{
    pthread_mutex_lock(&c->lock);
    if (at < c->conv_err_at) {
        c->conv_err_at = at;
        c->conv_err_col = j;
        c->conv_err_code = code;
    }
    pthread_mutex_unlock(&c->lock);
}

/* Clears validity bit i. Neighbouring chunks share the bitmap byte at their
 * border, hence the atomic. */
static void mark_null(lp_column *col, size_t i)
{
    __atomic_fetch_and(&col->validity[i >> 3], (uint8_t) ~(1u << (i & 7)), __ATOMIC_RELAXED);
}

/* Parses one non-string value into col[i]; false when it does not fit. `readable`
 * bytes from s may be read (the rest of the buffer). */
static inline __attribute__((always_inline)) bool
convert_value(lp_column *col, size_t i, const char *s, size_t n, size_t readable)
{
    switch (col->type) {
    case LP_DT_FLOAT64:
        return lp_csv_parse_f64_in(s, n, readable, &col->data.f64[i]);
    case LP_DT_INT64:
        return lp_csv_parse_i64(s, n, &col->data.i64[i]);
    case LP_DT_BOOL:
        return lp_csv_parse_bool(s, n, &col->data.b8[i]);
    case LP_DT_TIMESTAMP:
        return lp_csv_parse_ts(s, n, &col->data.i64[i]);
    default:
        return false;
    }
}

enum { CONV_OK, CONV_BAD, CONV_RETRY, CONV_NOMEM };

/* Room for n more bytes in a one-pass read's chunk buffer (a->sbuf, doubled);
 * false when out of memory. */
static bool grow_text(col_acc *a, size_t n)
{
    size_t cap = a->scap * 2 > a->base + n ? a->scap * 2 : a->base + n + 64;
    char *p = lp_mem_realloc_big(a->sbuf, cap);
    if (!p) return false;
    a->sbuf = p, a->scap = cap;
    return true;
}

/* Field f's text (at s, `readable` bytes from s in the buffer) appended to a
 * one-pass read's chunk buffer; false when out of memory. A short value is copied
 * as sixteen bytes when both sides have them: one load and store instead of a
 * memcpy call (the bytes past it are overwritten by the next value or unused). */
static inline __attribute__((always_inline)) bool append_text(col_acc *a, const char *s,
                                                              const csv_field *f, size_t readable)
{
    if (a->base + f->len > a->scap && !grow_text(a, f->len)) return false;
    if (f->escaped) {
        a->base += csv_unescape(a->sbuf + a->base, s, f->len);
    } else if (f->len <= 16 && readable >= 16 && a->scap - a->base >= 16) {
        memcpy(a->sbuf + a->base, s, 16);
        a->base += f->len;
    } else {
        memcpy(a->sbuf + a->base, s, f->len);
        a->base += f->len;
    }
    return true;
}

/* A value that did not parse as the int column's speculated type: from this
 * row on the chunk reads the column as float (a float column needs no other
 * rows again). CONV_RETRY when it is no float either. */
static int convert_int_as_float(const csv_ctx *c, col_acc *a, lp_column *col, size_t i,
                                const csv_field *f, bool qna)
{
    double d;
    const char *s = c->buf + f->start;
    bool fl = !f->escaped && lp_csv_parse_f64_in(s, f->len, c->len - f->start, &d);
    if (fl && !(qna && a->sw == SIZE_MAX)) {
        if (a->sw == SIZE_MAX) a->sw = i;
        col->data.f64[i] = d;
        return CONV_OK;
    }
    if (fl) a->qnan = true; /* missing as an int; the value NaN if the column becomes float */
    if (!qna) return CONV_RETRY;
    mark_null(col, i);
    a->nnull++;
    return CONV_OK;
}

/* Field f into row i of column j (chunk k's part of it): CONV_BAD when the value
 * does not fit the column's declared type, CONV_RETRY when it does not fit the
 * speculated one. */
static inline __attribute__((always_inline)) int convert_field(const csv_ctx *c, chunk *k, size_t j,
                                                               size_t i, const csv_field *f)
{
    lp_column *col = c->cols[j];
    col_acc *a = &k->acc[j];
    const char *s = c->buf + f->start;
    if (!c->na_is_number && f->len > 0 && !f->escaped && a->sw == SIZE_MAX) {
        /* a number that parses is no NA string (none is a number, and NaN is
         * checked as before): the NA check is left for values that do not parse */
        if (col->type == LP_DT_FLOAT64) {
            double d;
            size_t readable = c->len - f->start;
            if (lp_csv_f64_fast(s, f->len, readable, &d) || /* never NaN */
                (lp_csv_parse_f64_in(s, f->len, readable, &d) && !isnan(d))) {
                col->data.f64[i] = d;
                return CONV_OK;
            }
        } else if (col->type == LP_DT_INT64) {
            int64_t v;
            if (lp_csv_parse_i64(s, f->len, &v)) {
                col->data.i64[i] = v;
                a->neg0 = a->neg0 || (v == 0 && s[0] == '-');
                return CONV_OK;
            }
        }
    }
    bool missing = !f->quoted && is_na(c, s, f->len);
    if (col->type == LP_DT_STRING) { /* category columns too, until the end */
        if (missing) {
            mark_null(col, i);
            a->nnull++;
        } else if (a->sbuf) { /* one-pass read: this chunk's own buffer */
            if (!append_text(a, s, f, c->len - f->start)) return CONV_NOMEM;
        } else if (f->escaped) {
            a->base += csv_unescape(col->data.str.bytes + a->base, s, f->len);
        } else {
            memcpy(col->data.str.bytes + a->base, s, f->len);
            a->base += f->len;
        }
        col->data.str.offsets[i + 1] = (int64_t)a->base;
        return CONV_OK;
    }
    if (!missing) {
        if (!f->escaped && a->sw == SIZE_MAX &&
            convert_value(col, i, s, f->len, c->len - f->start)) {
            if (col->type == LP_DT_INT64 && col->data.i64[i] == 0 && s[0] == '-') a->neg0 = true;
            return CONV_OK;
        }
        bool qna = f->quoted && is_na(c, s, f->len); /* quoted "NaN" parsed above */
        if (c->declared[j] < 0 && c->spec[j] == LP_DT_INT64)
            return convert_int_as_float(c, a, col, i, f, qna);
        if (!qna) return c->declared[j] < 0 && c->spec[j] >= 0 ? CONV_RETRY : CONV_BAD;
    }
    mark_null(col, i);
    a->nnull++;
    return CONV_OK;
}

/* Gives back the mapped file's pages in [from, to) of buf (whole 2 MiB blocks
 * only) and returns where the given-back text now ends (from when nothing was):
 * the next call starts there, so a block cut by `to` is given back next time.
 * Pass 2 has converted the text, so it and the columns are not both held in
 * memory at the peak; a page read again later is simply faulted back in. Whole
 * blocks because the buffer asked for huge pages (read_whole): giving back part
 * of one splits it first (/proc/vmstat thp_split_pmd: 38 a read of the 1M-row
 * numeric file with 4 KiB pages, 0 now). */
static size_t drop_pages(const csv_ctx *c, size_t from, size_t to)
{
    if (!c->map) return to;
    const uintptr_t block = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)(c->buf + from) + block - 1) & ~(block - 1);
    uintptr_t b = (uintptr_t)(c->buf + to) & ~(block - 1);
    if (b <= a) return from;
    (void)madvise((void *)a, b - a, MADV_DONTNEED);
    return (size_t)((const char *)b - c->buf);
}

#define DROP_EVERY ((size_t)4 << 20)

/* Bytes [off, off + len) of array a made resident in one call (advice: failure,
 * e.g. a kernel before 5.14, leaves them to be faulted in as before). */
static void populate(const char *a, size_t off, size_t len)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = (uintptr_t)(a + off) & ~(page - 1), to = (uintptr_t)(a + off + len);
    if (len) (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
    (void)a, (void)off, (void)len;
#endif
}

/* Pass 2's rows [from, to) of every column array made resident before they are
 * written: one call per column instead of a page fault every 512 values, which
 * on a virtual machine cost a third of the numeric file's read (perf). Done a
 * few MiB of text at a time, as the text is given back, so the columns and the
 * text are still not both held. Strings: the offsets (their bytes grow apart). */
static void populate_rows(const csv_ctx *c, size_t from, size_t to)
{
    for (size_t j = 0; j < c->ncols; j++) {
        const lp_column *col = c->cols[j];
        switch (col->type) {
        case LP_DT_FLOAT64:
        case LP_DT_INT64:
        case LP_DT_TIMESTAMP:
            populate((const char *)col->data.f64, from * 8, (to - from) * 8);
            break;
        case LP_DT_BOOL:
            populate((const char *)col->data.b8, from, to - from);
            break;
        case LP_DT_STRING:
            populate((const char *)col->data.str.offsets, (from + 1) * 8, (to - from) * 8);
            break;
        default:
            break;
        }
    }
}

/* Converts field f of column j in row i; false, with the error or the retry
 * recorded, when the chunk must stop. */
static inline __attribute__((always_inline)) bool convert_or_stop(csv_ctx *c, chunk *k, size_t j,
                                                                  size_t i, const csv_field *f)
{
    int e = convert_field(c, k, j, i, f);
    if (e == CONV_RETRY)
        atomic_store(&c->retry, true);
    else if (e != CONV_OK)
        conv_error(c, j, f->start - f->quoted, e == CONV_BAD ? LP_EINVAL : LP_ENOMEM);
    return e == CONV_OK;
}

/* Row i from field j0 at *pos on, with the general scanner (quoted fields). Pass 1
 * checked the rows of a parsed chunk; in a counted one a scan error or a row without
 * ncols fields makes the read start again (the two-pass read reports it). */
static bool convert_scanned(csv_ctx *c, chunk *k, size_t i, size_t *pos, size_t j0)
{
    size_t err;
    if (k->counted && j0 >= c->ncols) { /* more fields than the header: ragged */
        atomic_store(&c->retry, true);
        return false;
    }
    for (size_t j = j0; j < c->ncols; j++) {
        csv_field f;
        int e = csv_scan_field(c->buf, c->len, *pos, c->stop, &f, &err);
        if (k->counted && (e != CSV_OK || f.row_end != (j + 1 == c->ncols))) {
            atomic_store(&c->retry, true);
            return false;
        }
        if (!convert_or_stop(c, k, j, i, &f)) return false;
        *pos = f.next;
    }
    return true;
}

enum { FAST_NONE, FAST_F64, FAST_I64 };

/* How the field loop may try column j's values in chunk k before convert_field:
 * as a float or an int written straight into the column when it parses (what
 * convert_field does first, for the same columns), else FAST_NONE. A speculated
 * int column read as a float from some row on (a->sw) stays with convert_field. */
static uint8_t fast_kind(const csv_ctx *c, const chunk *k, size_t j)
{
    if (c->na_is_number || k->acc[j].sw != SIZE_MAX) return FAST_NONE;
    lp_dtype t = c->cols[j]->type;
    return t == LP_DT_FLOAT64 ? FAST_F64 : t == LP_DT_INT64 ? FAST_I64 : FAST_NONE;
}

/* The first n fields of row i at pos split by csv_split_row (no quotes): field
 * j ends at ends[j]. fast[j] (fast_kind) lets the common number skip the general
 * conversion's checks; it is refreshed after a field of column j took them. */
static bool convert_split(csv_ctx *c, chunk *k, uint8_t *fast, size_t i, size_t pos,
                          const size_t *ends, size_t n)
{
    for (size_t j = 0, start = pos; j < n; start = ends[j++] + 1) {
        size_t len = ends[j] - start;
        const char *s = c->buf + start;
        if (fast[j] == FAST_F64) {
            if (lp_csv_f64_fast(s, len, c->len - start, &c->cols[j]->data.f64[i])) continue;
        } else if (fast[j] == FAST_I64 && len > 0) {
            int64_t v;
            if (lp_csv_i64_fast(s, len, &v) || lp_csv_parse_i64(s, len, &v)) {
                c->cols[j]->data.i64[i] = v;
                if (v == 0 && s[0] == '-') k->acc[j].neg0 = true;
                continue;
            }
        }
        csv_field f = {.start = start, .len = len};
        if (!convert_or_stop(c, k, j, i, &f)) return false;
        if (fast[j] != FAST_NONE) fast[j] = fast_kind(c, k, j);
    }
    return true;
}

/* The first position in [pos, end) that is no '\n' or '\r', else end. */
static size_t skip_blank_lines(const csv_ctx *c, size_t pos, size_t end)
{
    char ch;
    while (pos < end && ((ch = c->buf[pos]) == '\n' || ch == '\r'))
        pos++;
    return pos;
}

static void pass2_task(void *ctx, size_t ki)
{
    csv_ctx *c = ctx;
    chunk *k = &c->chunks[ki];
    size_t pos = k->begin, dropped = k->begin;
    /* NULL: the general scanner only */
    size_t *ends = malloc(c->ncols * (sizeof *ends + 1));
    uint8_t *fast = ends ? (uint8_t *)(ends + c->ncols) : NULL;
    for (size_t j = 0; fast && j < c->ncols; j++)
        fast[j] = fast_kind(c, k, j);
    /* rows in DROP_EVERY bytes of this chunk's text, about: the rows populated ahead */
    size_t span = k->end > k->begin ? k->end - k->begin : 1;
    size_t step = k->rows / (span / DROP_EVERY + 1) + 1, ready = 0;
    for (size_t r = 0; r < k->rows; r++) {
        if (atomic_load_explicit(&c->retry, memory_order_relaxed)) break; /* read again anyway */
        if (pos - dropped >= DROP_EVERY) {
            dropped = drop_pages(c, dropped, pos);
        }
        if (r == ready) {
            ready = r + step < k->rows ? r + step : k->rows;
            populate_rows(c, k->row0 + r, k->row0 + ready);
        }
        pos = skip_blank_lines(c, pos, c->len); /* as pass 1 skipped them */
        size_t next = pos, nf = 0;
        bool done = false;
        if (ends) nf = csv_split_row(c->buf, c->len, pos, c->sep, ends, c->ncols, &next, &done);
        /* a counted row past the chunk (the count was wrong) or a short row: the
         * two-pass read finds out or reports it */
        if (k->counted && (pos >= k->end || (done && nf != c->ncols))) {
            atomic_store(&c->retry, true);
            break;
        }
        if (done && nf != c->ncols) nf = 0, next = pos; /* pass 1 checked the row: not expected */
        bool ok = convert_split(c, k, fast, k->row0 + r, pos, ends, nf);
        pos = next;
        if (ok && !(done && nf == c->ncols)) /* quoted fields from field nf on */
            ok = convert_scanned(c, k, k->row0 + r, &pos, nf);
        if (!ok) break;
        /* the counted rows must end where the chunk does (only blank lines between) */
        if (k->counted && r + 1 == k->rows && skip_blank_lines(c, pos, k->end) != k->end)
            atomic_store(&c->retry, true);
    }
    free(ends);
}

/* Allocates column j for pass 2: sizes from pass 1, string bases per chunk. */
static int alloc_column(csv_ctx *c, size_t j, size_t rows)
{
    lp_dtype t = c->types[j];
    size_t bytes = 0, nulls = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        col_acc *a = &c->chunks[i].acc[j];
        a->base = bytes;
        a->nnull = 0;
        a->sw = SIZE_MAX;
        a->neg0 = a->qnan = false;
        bytes += a->bytes;
        nulls += a->nulls + a->qna;
    }
    bool str = t == LP_DT_STRING || t == LP_DT_CATEGORY;
    lp_column *col =
        str ? lp_column_new_string(rows, c->grow_text ? 0 : bytes) : lp_column_new(t, rows);
    if (!col) return LP_ENOMEM;
    c->cols[j] = col;
    if (str && c->grow_text) { /* counted chunks did not measure their text: buffers that grow */
        for (size_t i = 0; i < c->nchunks; i++) {
            chunk *k = &c->chunks[i];
            col_acc *a = &k->acc[j];
            a->scap = k->counted ? (k->end - k->begin) / c->ncols + 64 : a->bytes + 1;
            a->base = 0;
            a->sbuf = lp_mem_alloc_big(a->scap);
            if (!a->sbuf) return lp_error_set(LP_ENOMEM, "out of memory");
        }
    }
    /* pass 1 did not count a typed column's missing values, nor a one-pass read's */
    if (nulls || c->kind[j] == KIND_TYPED || c->grow_text) {
        col->validity = malloc(lp_bitmap_bytes(rows));
        if (!col->validity) return lp_error_set(LP_ENOMEM, "out of memory");
        memset(col->validity, 0xff, lp_bitmap_bytes(rows));
    }
    return 0;
}

/* After pass 2: a speculated int column that met floats becomes a float column
 * (its rows read as ints are converted); CSV_RETRY when that would not give what
 * parsing them as floats gives. */
static int settle_int_column(csv_ctx *c, size_t j)
{
    if (c->declared[j] >= 0 || c->spec[j] != LP_DT_INT64) return 0;
    bool floats = false, exact = true;
    for (size_t i = 0; i < c->nchunks; i++) {
        const col_acc *a = &c->chunks[i].acc[j];
        floats = floats || a->sw != SIZE_MAX;
        exact = exact && !a->neg0 && !a->qnan;
    }
    if (!floats) return 0;
    if (!exact) return CSV_RETRY;
    lp_column *col = c->cols[j];
    for (size_t i = 0; i < c->nchunks; i++) {
        const chunk *k = &c->chunks[i];
        size_t end = k->acc[j].sw != SIZE_MAX ? k->acc[j].sw : k->row0 + k->rows;
        for (size_t r = k->row0; r < end; r++) /* a missing row holds 0: 0.0 as before */
            col->data.f64[r] = (double)col->data.i64[r];
    }
    col->type = LP_DT_FLOAT64;
    c->types[j] = LP_DT_FLOAT64;
    return 0;
}

/* After a one-pass read's pass 2: string column j's chunk buffers joined into
 * the column, and each chunk's offsets moved by the bytes before it. */
static int join_text(csv_ctx *c, size_t j)
{
    lp_column *col = c->cols[j];
    if (!c->grow_text || col->type != LP_DT_STRING) return 0; /* category: still strings here */
    size_t total = 0;
    for (size_t i = 0; i < c->nchunks; i++)
        total += c->chunks[i].acc[j].base;
    char *bytes = lp_mem_alloc_big(total);
    if (!bytes) return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
    int64_t *off = col->data.str.offsets;
    size_t at = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        chunk *k = &c->chunks[i];
        col_acc *a = &k->acc[j];
        memcpy(bytes + at, a->sbuf, a->base);
        free(a->sbuf);
        a->sbuf = NULL;
        if (at)
            for (size_t r = k->row0 + 1; r <= k->row0 + k->rows; r++)
                off[r] += (int64_t)at;
        at += a->base;
    }
    free(col->data.str.bytes);
    col->data.str.bytes = bytes;
    return 0;
}

/* After pass 2: null counts, and category columns built from their strings. */
static int finish_column(csv_ctx *c, size_t j)
{
    lp_column *col = c->cols[j];
    col->null_count = 0;
    for (size_t i = 0; i < c->nchunks; i++)
        col->null_count += c->chunks[i].acc[j].nnull;
    if (col->null_count == 0) {
        free(col->validity);
        col->validity = NULL;
    }
    if (c->types[j] != LP_DT_CATEGORY) return 0;
    lp_column *cat = NULL;
    int rc = lp_column_cast(&cat, col, LP_DT_CATEGORY);
    if (rc) return rc;
    lp_column_unref(col);
    c->cols[j] = cat;
    return 0;
}

static int conversion_error(const csv_ctx *c)
{
    if (c->conv_err_code == LP_ENOMEM)
        return lp_error_set(LP_ENOMEM, "out of memory reading %s", c->name);
    size_t at = c->conv_err_at, j = c->conv_err_col;
    csv_field f;
    size_t e;
    (void)csv_scan_field(c->buf, c->len, at, c->stop, &f, &e);
    char ex[64];
    excerpt(ex, c->buf + f.start, f.len);
    return error_at(c, LP_EINVAL, at, "value '%s' in column '%s' is not a valid %s", ex,
                    c->names[j], lp_dtype_name(c->types[j]));
}

/* ---- the reader ------------------------------------------------------------------ */

static void ctx_free(csv_ctx *c)
{
    for (size_t i = 0; i < c->nchunks; i++) {
        for (size_t j = 0; c->chunks[i].acc && j < c->ncols; j++)
            free(c->chunks[i].acc[j].sbuf);
        free(c->chunks[i].acc);
    }
    free(c->chunks);
    for (size_t j = 0; j < c->ncols; j++) {
        free(c->names[j]);
        if (c->cols) lp_column_unref(c->cols[j]);
    }
    free(c->names);
    free(c->cols);
    free(c->declared);
    free(c->spec);
    free(c->kind);
    free(c->types);
    free(c->na);
    free(c->na_len);
}

static int build_frame(csv_ctx *c, lp_frame **out)
{
    lp_frame *f = lp_frame_new();
    if (!f) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->ncols; j++) {
        lp_column *col = c->cols[j];
        c->cols[j] = NULL;
        int rc = lp_frame_add_column(f, c->names[j], col);
        if (rc) {
            lp_frame_unref(f);
            return rc;
        }
    }
    *out = f;
    return 0;
}

static int read_body(csv_ctx *c, size_t body, lp_frame **out)
{
    int rc = make_chunks(c, body);
    if (rc == 0) rc = sample_types(c, body);
    if (rc) return rc;
    /* One pass over the text when every column's type is declared or guessed:
     * pass 1 then only counts rows (pass 2 splits them) and string columns grow
     * per chunk. Anything unexpected (a ragged row, an error) reads again without
     * guessing, which is the two-pass read with its exact errors. */
    c->one_pass = c->speculate && c->ncols > 0;
    for (size_t j = 0; j < c->ncols; j++)
        c->one_pass = c->one_pass && c->kind[j] != KIND_INFER;
    run_parallel(c->threads, c->nchunks, pass1_task, c);
    if ((rc = settle_chunks(c)) != 0) return rc;
    size_t rows = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        rows += c->chunks[i].rows;
        c->grow_text = c->grow_text || c->chunks[i].counted;
    }
    for (size_t j = 0; j < c->ncols; j++)
        c->types[j] = resolve_type(c, j, rows);
    for (size_t j = 0; j < c->ncols; j++)
        if ((rc = alloc_column(c, j, rows)) != 0) return rc;
    c->conv_err_at = SIZE_MAX;
    run_parallel(c->threads, c->nchunks, pass2_task, c);
    if (atomic_load(&c->retry)) return CSV_RETRY;
    if (c->conv_err_at != SIZE_MAX) {
        for (size_t i = 0; i < c->nchunks; i++) /* a ragged row after it would come first */
            if (c->chunks[i].counted) return CSV_RETRY;
        return c->map ? CSV_RELOCATE : conversion_error(c);
    }
    for (size_t j = 0; j < c->ncols; j++)
        if ((rc = join_text(c, j)) != 0) return rc;
    for (size_t j = 0; j < c->ncols; j++)
        if ((rc = settle_int_column(c, j)) != 0) return rc;
    for (size_t j = 0; j < c->ncols; j++)
        if ((rc = finish_column(c, j)) != 0) return rc;
    return build_frame(c, out);
}

/* Reads data[0..len) into *out. `mapped`: the buffer is ours and pass 2 may
 * give its pages back. `speculate`: guess types from the first rows (may then
 * return CSV_RETRY, see the top of the file). */
static int read_impl(lp_frame **out, const char *data, size_t len, const char *name,
                     const lp_csv_options *opt, bool mapped, bool speculate)
{
    if (!out || (!data && len)) return lp_error_set(LP_EINVAL, "lp_csv_read_buffer: NULL argument");
    *out = NULL;
    csv_ctx c = {.buf = data,
                 .len = len,
                 .name = name ? name : "<buffer>",
                 .map = mapped ? data : NULL,
                 .speculate = speculate};
    atomic_init(&c.retry, false);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) c.buf += 3, c.len -= 3;
    pthread_mutex_init(&c.lock, NULL);
    int rc = setup_options(&c, opt);
    size_t body = 0;
    if (rc == 0 && c.len == 0)
        rc = lp_error_set_at(LP_EINVAL, c.name, 1, 1, "empty file: no header row");
    const char *nul = rc == 0 ? memchr(c.buf, 0, c.len) : NULL;
    if (nul) /* text values are C strings further on: a NUL would cut one silently */
        rc = error_at(&c, LP_EINVAL, (size_t)(nul - c.buf),
                      "a NUL byte (0x00) in the data; CSV text cannot hold one");
    if (rc == 0) rc = parse_header(&c, opt && opt->no_header, &body);
    if (rc == 0) rc = apply_overrides(&c, opt);
    if (rc == 0) rc = read_body(&c, body, out);
    ctx_free(&c);
    pthread_mutex_destroy(&c.lock);
    return rc;
}

LP_API int lp_csv_read_buffer(lp_frame **out, const char *data, size_t len, const char *name,
                              const lp_csv_options *opt)
{
    int rc = read_impl(out, data, len, name, opt, false, true);
    /* a wrong guess: the buffer is intact (not ours, so no page was given back) */
    return rc == CSV_RETRY ? read_impl(out, data, len, name, opt, false, false) : rc;
}

/* Why `path` (whose fstat is st) cannot be read as CSV, or 0. A FIFO
 * or device is refused rather than read: it could block forever. */
static int check_regular(const char *path, const struct stat *st)
{
    if (S_ISREG(st->st_mode)) return 0;
    if (S_ISDIR(st->st_mode))
        return lp_error_set(LP_EIO, "cannot read '%s': it is a directory, not a CSV file", path);
    return lp_error_set(LP_EIO,
                        "cannot read '%s': not a regular file (a FIFO, socket or device); "
                        "save the data to a file first",
                        path);
}

/* One piece of a parallel whole-file read (read_whole). */
typedef struct read_job {
    int fd;
    char *buf;
    size_t len;
    _Atomic int err;   /* errno of the first failed pread, or -1 for a short one */
    _Atomic size_t at; /* where the short read stopped */
} read_job;

#define READ_PIECE ((size_t)8 << 20)

static void read_piece(void *ctx, size_t i)
{
    read_job *j = ctx;
    size_t off = i * READ_PIECE, end = off + READ_PIECE < j->len ? off + READ_PIECE : j->len;
    while (off < end) {
        ssize_t n = pread(j->fd, j->buf + off, end - off, (off_t)off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int none = 0;
            if (atomic_compare_exchange_strong(&j->err, &none, n < 0 ? errno : -1))
                atomic_store(&j->at, off);
            return;
        }
        off += (size_t)n;
    }
}

/* Reads len bytes of fd into a private anonymous mapping (*out; munmap it),
 * in 8 MiB pieces on `threads` threads (the copy and its page faults are
 * most of the cost of not mapping the file). The file is read, not mapped:
 * a mapped file that shrinks while it is parsed kills the process with
 * SIGBUS, a read one gives a short count we report. The mapping keeps pass
 * 2's page dropping (anonymous pages are freed by MADV_DONTNEED just as file
 * pages are). */
static int read_whole(char **out, int fd, const char *path, size_t len, int threads)
{
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return lp_error_set(LP_ENOMEM, "cannot read '%s': no memory for %zu bytes", path, len);
    (void)madvise(buf, len, MADV_HUGEPAGE); /* fewer page faults, where the kernel allows */
    read_job j = {.fd = fd, .buf = buf, .len = len};
    atomic_init(&j.err, 0);
    atomic_init(&j.at, 0);
    run_parallel(threads, (len + READ_PIECE - 1) / READ_PIECE, read_piece, &j);
    int e = atomic_load(&j.err);
    if (e == 0) {
        *out = buf;
        return 0;
    }
    munmap(buf, len);
    return e > 0 ? lp_error_set(LP_EIO, "cannot read '%s': %s", path, strerror(e))
                 : lp_error_set(LP_EIO,
                                "cannot read '%s': the file changed while it was read "
                                "(%zu bytes, then it ended at %zu)",
                                path, len, atomic_load(&j.at));
}

/* 0 when fd still has the size and modification time of st, else the error
 * "the file changed while it was read". */
static int check_unchanged(int fd, const char *path, const struct stat *st)
{
    struct stat now;
    if (fstat(fd, &now) == 0 && now.st_size == st->st_size &&
        now.st_mtim.tv_sec == st->st_mtim.tv_sec && now.st_mtim.tv_nsec == st->st_mtim.tv_nsec)
        return 0;
    return lp_error_set(LP_EIO, "cannot read '%s': the file changed while it was read", path);
}

/* The whole file into *buf (read_whole; munmap it), then checked unchanged. */
static int read_checked(char **buf, int fd, const char *path, const struct stat *st, int threads)
{
    size_t len = (size_t)st->st_size;
    int rc = read_whole(buf, fd, path, len, threads);
    if (rc == 0) rc = check_unchanged(fd, path, st);
    if (rc && *buf) {
        munmap(*buf, len);
        *buf = NULL;
    }
    return rc;
}

LP_API int lp_csv_read(lp_frame **out, const char *path, const lp_csv_options *opt)
{
    if (!out || !path) return lp_error_set(LP_EINVAL, "lp_csv_read: NULL argument");
    *out = NULL;
    /* O_NONBLOCK: opening a FIFO with no writer must not hang before we can refuse it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return lp_error_set(LP_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    int rc = fstat(fd, &st) != 0
                 ? lp_error_set(LP_EIO, "cannot read '%s': %s", path, strerror(errno))
                 : check_regular(path, &st);
    size_t len = rc ? 0 : (size_t)st.st_size;
    char *buf = NULL;
    if (rc == 0 && len > 0) rc = read_checked(&buf, fd, path, &st, reader_threads(opt));
    if (rc == 0 && !buf) rc = lp_csv_read_buffer(out, "", 0, path, opt);
    /* each retry turns one flag off: at most three reads */
    for (bool speculate = true, drop = true; rc == 0 && buf;) {
        rc = read_impl(out, buf, len, path, opt, drop, speculate);
        if (rc == CSV_RETRY)
            speculate = false;
        else if (rc == CSV_RELOCATE)
            drop = false;
        else
            break;
        munmap(buf, len); /* pass 2 gave pages back: read the file again */
        buf = NULL;
        rc = read_checked(&buf, fd, path, &st, reader_threads(opt));
    }
    close(fd);
    if (buf) munmap(buf, len);
    return rc;
}
