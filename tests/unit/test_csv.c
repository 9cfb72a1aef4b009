/* Unit tests for the CSV reader and writer (csv.h): RFC 4180 quoting, BOM,
 * CRLF, separators, inference, NA strings, overrides, every error's location,
 * write → read round trips of random frames, and threads=1 vs threads=4. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

#define CSV_DIR LP_TEST_DATA_DIR "/csv"

static lp_frame *read_str(const char *text, const lp_csv_options *opt)
{
    lp_frame *f = NULL;
    int rc = lp_csv_read_buffer(&f, text, strlen(text), "t.csv", opt);
    cr_assert_eq(rc, 0, "read failed: %s", lp_error_last()->message);
    return f;
}

/* Reads expecting an error at line:col whose message contains `what`. */
static void expect_error(const char *text, size_t len, const lp_csv_options *opt, int line, int col,
                         const char *what)
{
    lp_frame *f = NULL;
    int rc = lp_csv_read_buffer(&f, text, len, "bad.csv", opt);
    cr_assert_neq(rc, 0, "expected an error for %s", what);
    cr_assert_null(f);
    const lp_error *e = lp_error_last();
    cr_assert_str_eq(e->file, "bad.csv");
    cr_assert_eq(e->line, line, "line %d, expected %d (%s)", e->line, line, e->message);
    cr_assert_eq(e->col, col, "col %d, expected %d (%s)", e->col, col, e->message);
    cr_assert(strstr(e->message, what), "message '%s' lacks '%s'", e->message, what);
}

static const char *str_at(const lp_frame *f, const char *col, size_t i)
{
    static char buf[256];
    size_t n;
    const char *s = lp_column_str(lp_frame_col_by_name(f, col), i, &n);
    if (!s) return NULL;
    snprintf(buf, sizeof buf, "%.*s", (int)n, s);
    return buf;
}

Test(csv, infers_types_over_the_whole_file)
{
    lp_frame *f = read_str("i,f,b,s,t,late\n"
                           "1,1.5,true,x,2024-01-31,1\n"
                           "2,,False,,2024-02-01T10:00:00Z,2\n"
                           "-3,2,TRUE,z,,2.5\n",
                           NULL);
    cr_assert_eq(lp_frame_rows(f), 3);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_INT64);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_FLOAT64);
    cr_assert_eq(lp_frame_col(f, 2)->type, LP_DT_BOOL);
    cr_assert_eq(lp_frame_col(f, 3)->type, LP_DT_STRING);
    cr_assert_eq(lp_frame_col(f, 4)->type, LP_DT_TIMESTAMP);
    cr_assert_eq(lp_frame_col(f, 5)->type, LP_DT_FLOAT64, "the last row makes it float");
    cr_assert_eq(lp_frame_col(f, 0)->data.i64[2], -3);
    cr_assert(!lp_column_is_valid(lp_frame_col(f, 1), 1));
    cr_assert_eq(lp_frame_col(f, 1)->null_count, 1);
    cr_assert_eq(lp_frame_col(f, 2)->data.b8[1], 0);
    cr_assert_eq(lp_frame_col(f, 2)->data.b8[2], 1);
    cr_assert(!lp_column_is_valid(lp_frame_col(f, 3), 1));
    cr_assert_eq(lp_frame_col(f, 4)->data.i64[0], 1706659200LL * 1000000);
    cr_assert_eq(lp_frame_col(f, 4)->data.i64[1], (1706745600LL + 36000) * 1000000);
    cr_assert_eq(lp_frame_col(f, 5)->data.f64[2], 2.5);
    lp_frame_unref(f);
}

Test(csv, mixed_candidates_fall_back_to_string)
{
    lp_frame *f = read_str("a,b,c,d\n1,true,2024-01-01,99999999999999999999\nx,1,5,1\n", NULL);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_STRING);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_STRING, "bool and int do not mix");
    cr_assert_eq(lp_frame_col(f, 2)->type, LP_DT_STRING, "timestamp and int do not mix");
    cr_assert_eq(lp_frame_col(f, 3)->type, LP_DT_FLOAT64, "beyond int64 is a float");
    cr_assert_float_eq(lp_frame_col(f, 3)->data.f64[0], 1e20, 1e5);
    lp_frame_unref(f);
}

Test(csv, rfc4180_quoting_crlf_and_bom)
{
    const char text[] = "\xEF\xBB\xBF"
                        "name,\"quoted \"\"header\"\"\"\r\n"
                        "\"a,b\",\"line1\r\nline2\"\r\n"
                        "\"\"\"\",plain\r\n"
                        "\"\",\"\"\r\n";
    lp_frame *f = read_str(text, NULL);
    cr_assert_str_eq(lp_frame_name(f, 0), "name", "BOM skipped");
    cr_assert_str_eq(lp_frame_name(f, 1), "quoted \"header\"");
    cr_assert_eq(lp_frame_rows(f), 3);
    cr_assert_str_eq(str_at(f, "name", 0), "a,b");
    cr_assert_str_eq(str_at(f, "quoted \"header\"", 0), "line1\r\nline2");
    cr_assert_str_eq(str_at(f, "name", 1), "\"");
    cr_assert_str_eq(str_at(f, "name", 2), "", "a quoted empty field is an empty string");
    lp_frame_unref(f);
}

Test(csv, separators_and_tsv_by_extension)
{
    const char *seps = ";\t|";
    for (const char *s = seps; *s; s++) {
        char text[64];
        snprintf(text, sizeof text, "a%cb\n1%c\"x%cy\"\n", *s, *s, *s);
        lp_csv_options o = {.separator = *s};
        lp_frame *f = read_str(text, &o);
        cr_assert_eq(lp_frame_cols(f), 2);
        cr_assert_eq(lp_frame_col(f, 0)->data.i64[0], 1);
        char want[4] = {'x', *s, 'y', 0};
        cr_assert_str_eq(str_at(f, "b", 0), want);
        lp_frame_unref(f);
    }
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, CSV_DIR "/tabs.tsv", NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(f), 3);
    cr_assert_str_eq(lp_frame_name(f, 2), "c,d");
    lp_frame_unref(f);
    lp_csv_options bad = {.separator = ':'};
    cr_assert_neq(lp_csv_read_buffer(&f, "a:b\n", 4, "x.csv", &bad), 0);
}

Test(csv, na_strings)
{
    lp_frame *f = read_str("a,b\nNA,1\nN/A,2\nnull,3\n#N/A,4\n-,5\n\"NA\",6\n", NULL);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_STRING);
    cr_assert_eq(lp_frame_col(f, 0)->null_count, 4);
    cr_assert_str_eq(str_at(f, "a", 4), "-");
    cr_assert_str_eq(str_at(f, "a", 5), "NA", "quoted NA is text in a string column");
    lp_frame_unref(f);
    const char *extra[] = {"-", "?", NULL};
    lp_csv_options o = {.na_values = extra};
    f = read_str("a,b\nNA,1\n-,2\n?,3\n4,\"NA\"\n", &o);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_INT64);
    cr_assert_eq(lp_frame_col(f, 0)->null_count, 3);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_INT64, "quoted NA is missing in a number column");
    cr_assert_eq(lp_frame_col(f, 1)->null_count, 1);
    lp_frame_unref(f);
}

Test(csv, header_names_like_pandas)
{
    lp_frame *f = read_str("a,,a,a\n1,2,3,4\n", NULL);
    cr_assert_str_eq(lp_frame_name(f, 0), "a");
    cr_assert_str_eq(lp_frame_name(f, 1), "Unnamed: 1");
    cr_assert_str_eq(lp_frame_name(f, 2), "a.1");
    cr_assert_str_eq(lp_frame_name(f, 3), "a.2");
    lp_frame_unref(f);
    lp_csv_options o = {.no_header = true};
    f = read_str("1,x\n2,y\n", &o);
    cr_assert_eq(lp_frame_rows(f), 2);
    cr_assert_str_eq(lp_frame_name(f, 1), "column_2");
    lp_frame_unref(f);
}

Test(csv, blank_lines_and_missing_last_newline)
{
    lp_frame *f = read_str("a,b\n1,2\n\n3,4", NULL);
    cr_assert_eq(lp_frame_rows(f), 2);
    cr_assert_eq(lp_frame_col(f, 1)->data.i64[1], 4);
    lp_frame_unref(f);
    /* one column too (pandas' skip_blank_lines): a trailing blank line adds no row */
    f = read_str("a\n1\n\n3\n\r\n\n", NULL);
    cr_assert_eq(lp_frame_rows(f), 2);
    cr_assert_eq(lp_frame_col(f, 0)->null_count, 0);
    cr_assert_eq(lp_frame_col(f, 0)->data.i64[1], 3);
    lp_frame_unref(f);
    f = read_str("\n\r\na,b\n1,2\n", NULL); /* blank lines before the header */
    cr_assert_eq(lp_frame_cols(f), 2);
    cr_assert_str_eq(lp_frame_name(f, 1), "b");
    cr_assert_eq(lp_frame_rows(f), 1);
    lp_frame_unref(f);
    expect_error("\n\n", 2, NULL, 1, 1, "no header row");
    f = read_str("a,b\n", NULL);
    cr_assert_eq(lp_frame_rows(f), 0);
    cr_assert_eq(lp_frame_cols(f), 2);
    lp_frame_unref(f);
}

Test(csv, overrides)
{
    lp_csv_type_override ov[] = {
        {"zip", LP_DT_STRING}, {"kind", LP_DT_CATEGORY}, {"n", LP_DT_FLOAT64}};
    lp_csv_options o = {.overrides = ov, .n_overrides = 3};
    lp_frame *f = read_str("zip,kind,n\n01234,a,1\n99,b,2\n,a,\n", &o);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_STRING);
    cr_assert_str_eq(str_at(f, "zip", 0), "01234");
    lp_column *k = lp_frame_col(f, 1);
    cr_assert_eq(k->type, LP_DT_CATEGORY);
    cr_assert_eq(k->data.cat.dict->length, 2);
    cr_assert_eq(k->data.cat.codes[0], k->data.cat.codes[2]);
    cr_assert_str_eq(str_at(f, "kind", 1), "b");
    cr_assert_eq(lp_frame_col(f, 2)->type, LP_DT_FLOAT64);
    cr_assert_eq(lp_frame_col(f, 2)->null_count, 1);
    lp_frame_unref(f);
    lp_csv_type_override unknown[] = {{"nme", LP_DT_STRING}};
    lp_csv_options u = {.overrides = unknown, .n_overrides = 1};
    cr_assert_neq(lp_csv_read_buffer(&f, "name\nx\n", 7, "t.csv", &u), 0);
    cr_assert(strstr(lp_error_last()->message, "did you mean 'name'"), "%s",
              lp_error_last()->message);
}

Test(csv, errors_name_line_and_column)
{
    const char *t1 = "a,b\n1,2\n3,4,5\n";
    expect_error(t1, strlen(t1), NULL, 3, 5, "more fields");
    const char *t2 = "a,b\n1,2\n3\n";
    expect_error(t2, strlen(t2), NULL, 3, 2, "1 field, the header has 2");
    const char *t3 = "a,b\n1,2\n3,\"open\n4,5\n";
    expect_error(t3, strlen(t3), NULL, 3, 3, "unterminated");
    const char *t4 = "a,b\n1,\"x\"y\n";
    expect_error(t4, strlen(t4), NULL, 2, 6, "after a closing quote");
    const char t5[] = "a,b\n1,ok\n2,b\xff"
                      "d\n";
    expect_error(t5, sizeof t5 - 1, NULL, 3, 4, "invalid UTF-8");
    lp_csv_type_override ov[] = {{"b", LP_DT_INT64}};
    lp_csv_options o = {.overrides = ov, .n_overrides = 1};
    const char *t6 = "a,b\n1,2\n\"x\ny\",\"3\"\n4,five\n";
    expect_error(t6, strlen(t6), &o, 5, 3, "'five' in column 'b' is not a valid int64");
    expect_error("", 0, NULL, 1, 1, "empty");
}

/* ---- generated files: threads ------------------------------------------------ */

/* A few MB of CSV with quoted newlines, escaped quotes and (when `stray`)
 * literal quotes inside unquoted fields, which defeat quote-parity splitting. */
static char *big_csv(size_t rows, bool stray, size_t *len)
{
    size_t cap = rows * 96 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,x,name,flag,when\n");
    unsigned seed = 12345;
    for (size_t i = 0; i < rows; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        const char *name = r % 7 == 0            ? "\"multi\nline, \"\"quoted\"\"\""
                           : r % 7 == 1          ? ""
                           : stray && r % 7 == 2 ? "in\"ch"
                                                 : "plain";
        n +=
            (size_t)snprintf(s + n, cap - n, "%zu,%u.%02u,%s,%s,2024-01-%02uT%02u:00:00\n", i,
                             r % 1000, r % 100, name, r % 3 ? "True" : "False", 1 + r % 28, r % 24);
    }
    *len = n;
    return s;
}

static void hash_of(const lp_frame *f, char out[65])
{
    cr_assert_eq(lp_frame_hash_hex(f, out), 0);
}

static void threads_agree(bool stray)
{
    size_t len;
    char *text = big_csv(60000, stray, &len);
    cr_assert_gt(len, (size_t)2 << 20, "big enough to be split");
    char h1[65], h4[65];
    lp_frame *f1 = NULL, *f4 = NULL;
    lp_csv_options o1 = {.threads = 1}, o4 = {.threads = 4};
    cr_assert_eq(lp_csv_read_buffer(&f1, text, len, "big.csv", &o1), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_csv_read_buffer(&f4, text, len, "big.csv", &o4), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(f1), 60000);
    cr_assert_eq(lp_frame_rows(f4), 60000);
    cr_assert_eq(lp_frame_col(f4, 0)->data.i64[59999], 59999);
    hash_of(f1, h1);
    hash_of(f4, h4);
    cr_assert_str_eq(h1, h4);
    lp_frame_unref(f1);
    lp_frame_unref(f4);
    /* an error deep in the file is reported at the same place either way */
    text[len - 3] = '\xC3';
    lp_frame *g = NULL;
    cr_assert_neq(lp_csv_read_buffer(&g, text, len, "big.csv", &o4), 0);
    int line4 = lp_error_last()->line;
    cr_assert_neq(lp_csv_read_buffer(&g, text, len, "big.csv", &o1), 0);
    cr_assert_eq(lp_error_last()->line, line4);
    cr_assert_gt(line4, 60000);
    free(text);
}

Test(csv, threads_give_identical_frames)
{
    threads_agree(false);
}

Test(csv, threads_identical_with_stray_quotes)
{
    threads_agree(true);
}

/* ---- round trips ------------------------------------------------------------- */

static const char *const awkward[] = {
    "",     "NA",   "null",       "a,b",  "\"",  "\r\n", " lead", "tail ",       "ü✓",
    "True", "1",    "2024-01-01", "x\"y", ";",   "|",    "\t",    "line\nbreak", "NaN",
    "#N/A", "-nan", "plain",      "\"\"", "a\rb"};
#define N_AWKWARD (sizeof awkward / sizeof *awkward)

static unsigned rnd(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static double random_double(unsigned *s)
{
    switch (rnd(s) % 8) {
    case 0:
        return NAN;
    case 1:
        return rnd(s) % 2 ? INFINITY : -INFINITY;
    case 2:
        return -0.0;
    case 3:
        return (double)(int)(rnd(s) % 1000); /* integral */
    case 4:
        return 5e-324 * (rnd(s) % 5 + 1); /* subnormal */
    default: {
        uint64_t bits = ((uint64_t)rnd(s) << 40) ^ ((uint64_t)rnd(s) << 16) ^ rnd(s);
        double d;
        memcpy(&d, &bits, 8);
        return isfinite(d) ? d : 0.1 * rnd(s);
    }
    }
}

static lp_column *random_column(lp_dtype t, size_t n, unsigned *s, bool midnight)
{
    lp_column_builder *b = lp_column_builder_new(t, n);
    for (size_t i = 0; i < n; i++) {
        if (rnd(s) % 5 == 0) {
            cr_assert_eq(lp_column_builder_append_null(b), 0);
            continue;
        }
        int rc = 0;
        switch (t) {
        case LP_DT_FLOAT64:
            rc = lp_column_builder_append_f64(b, random_double(s));
            break;
        case LP_DT_INT64:
            rc = lp_column_builder_append_i64(b, rnd(s) % 3 == 0   ? INT64_MIN
                                                 : rnd(s) % 3 == 0 ? INT64_MAX
                                                                   : (int64_t)rnd(s) - 5000000);
            break;
        case LP_DT_BOOL:
            rc = lp_column_builder_append_bool(b, rnd(s) % 2);
            break;
        case LP_DT_TIMESTAMP: {
            int64_t day = (int64_t)(rnd(s) % 80000) - 25000;
            int64_t us = midnight ? 0 : (int64_t)(rnd(s) % 86400) * 1000000 + rnd(s) % 3 * 250;
            rc = lp_column_builder_append_i64(b, day * 86400000000LL + us);
            break;
        }
        default: {
            const char *w = awkward[rnd(s) % N_AWKWARD];
            rc = lp_column_builder_append_str(b, w, strlen(w));
        }
        }
        cr_assert_eq(rc, 0);
    }
    return lp_column_builder_finish(b);
}

static void round_trip(const lp_frame *f, char sep)
{
    size_t nc = lp_frame_cols(f);
    lp_csv_type_override ov[16];
    for (size_t j = 0; j < nc; j++)
        ov[j] = (lp_csv_type_override){lp_frame_name(f, j), lp_frame_col(f, j)->type};
    lp_csv_options o = {.separator = sep, .overrides = ov, .n_overrides = nc};
    char *buf = NULL;
    size_t len = 0;
    cr_assert_eq(lp_csv_write_buffer(&buf, &len, f, &o), 0, "%s", lp_error_last()->message);
    lp_frame *g = NULL;
    cr_assert_eq(lp_csv_read_buffer(&g, buf, len, "rt.csv", &o), 0, "%s\n%s",
                 lp_error_last()->message, buf);
    char h1[65], h2[65];
    hash_of(f, h1);
    hash_of(g, h2);
    cr_assert_str_eq(h1, h2, "round trip changed the frame:\n%s", buf);
    lp_frame_unref(g);
    free(buf);
}

Test(csv, one_column_missing_values_round_trip)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 4);
    cr_assert_eq(lp_column_builder_append_str(b, "", 0), 0);
    cr_assert_eq(lp_column_builder_append_null(b), 0);
    cr_assert_eq(lp_column_builder_append_str(b, "NA", 2), 0);
    cr_assert_eq(lp_column_builder_append_null(b), 0);
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "s", lp_column_builder_finish(b)), 0);
    char *buf = NULL;
    size_t len = 0;
    cr_assert_eq(lp_csv_write_buffer(&buf, &len, f, NULL), 0);
    cr_assert_str_eq(buf, "s\n\"\"\nNA\n\"NA\"\nNA\n");
    free(buf);
    lp_csv_type_override ov[] = {{"s", LP_DT_STRING}};
    lp_csv_options o = {.overrides = ov, .n_overrides = 1};
    round_trip(f, ',');
    lp_frame *g = read_str("s\n\"\"\nNA\n\"NA\"\nNA\n", &o);
    cr_assert_eq(lp_frame_rows(g), 4);
    cr_assert_eq(lp_frame_col(g, 0)->null_count, 2);
    cr_assert_str_eq(str_at(g, "s", 2), "NA");
    lp_frame_unref(g);
    lp_frame_unref(f);
}

Test(csv, timestamps_stay_within_four_digit_years)
{
    /* a zone moving the instant out of 0000..9999 would not write back as a timestamp */
    lp_frame *f = read_str("t,u\n0000-01-01T00:30+01:00,9999-12-31T23:30-01:00\n"
                           "2024-01-01,2024-01-01\n",
                           NULL);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_STRING);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_STRING);
    lp_frame_unref(f);
    f = read_str("t\n0000-01-01\n9999-12-31T23:59:59.999999\n", NULL);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_TIMESTAMP);
    round_trip(f, ',');
    lp_frame_unref(f);
}

Test(csv, write_read_round_trips_random_frames)
{
    static const lp_dtype types[] = {LP_DT_FLOAT64,  LP_DT_INT64,     LP_DT_BOOL,     LP_DT_STRING,
                                     LP_DT_CATEGORY, LP_DT_TIMESTAMP, LP_DT_TIMESTAMP};
    unsigned seed = 42;
    for (int trial = 0; trial < 60; trial++) {
        lp_frame *f = lp_frame_new();
        size_t rows = rnd(&seed) % 40, nc = 1 + rnd(&seed) % 7;
        for (size_t j = 0; j < nc; j++) {
            size_t k = rnd(&seed) % 7;
            char name[32];
            snprintf(name, sizeof name, k % 2 ? "c%zu" : "col \"%zu\", x", j);
            cr_assert_eq(lp_frame_add_column(f, name, random_column(types[k], rows, &seed, k == 6)),
                         0);
        }
        round_trip(f, ",;\t|"[trial % 4]);
        lp_frame_unref(f);
    }
}

Test(csv, atomic_file_write)
{
    char dir[] = "/tmp/lolpop-csv-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/out.tsv", dir);
    lp_frame *f = read_str("a,b\n1,x y\n2,\"tab\there\"\n", NULL);
    cr_assert_eq(lp_csv_write(f, path, NULL), 0, "%s", lp_error_last()->message);
    lp_frame *g = NULL;
    cr_assert_eq(lp_csv_read(&g, path, NULL), 0, "%s", lp_error_last()->message);
    char h1[65], h2[65];
    hash_of(f, h1);
    hash_of(g, h2);
    cr_assert_str_eq(h1, h2);
    lp_frame_unref(g);
    /* only the target is left in the directory */
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        entries += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(entries, 1);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/missing/out.csv", dir);
    cr_assert_neq(lp_csv_write(f, bad, NULL), 0);
    cr_assert_eq(access(bad, F_OK), -1);
    lp_frame_unref(f);
    unlink(path);
    rmdir(dir);
}

Test(csv, sample_files)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, CSV_DIR "/semicolon.csv", &(lp_csv_options){.separator = ';'}), 0,
                 "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(f), 3);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_FLOAT64);
    lp_frame_unref(f);
    cr_assert_neq(lp_csv_read(&f, CSV_DIR "/ragged.csv", NULL), 0);
    cr_assert(strstr(lp_error_last()->file, "ragged.csv"));
    cr_assert_eq(lp_error_last()->line, 4);
    cr_assert_neq(lp_csv_read(&f, CSV_DIR "/nonexistent.csv", NULL), 0);
    cr_assert_eq(lp_error_last()->code, LP_EIO);
}

/* Names are made unique as pandas does, also when a made-up name ("a.1")
 * is itself in the header, and in time linear in the number of columns
 * (the reader once compared every name with every earlier one, per suffix
 * tried: 4000 repeats of one name took 25 s). */
Test(csv, header_dedup_is_exact_and_linear)
{
    lp_frame *f = read_str("a,a.1,a,a,b,a.2\n1,2,3,4,5,6\n", NULL);
    const char *want[] = {"a", "a.1", "a.2", "a.3", "b", "a.2.1"};
    for (size_t j = 0; j < 6; j++)
        cr_assert_str_eq(lp_frame_name(f, j), want[j], "column %zu", j);
    lp_frame_unref(f);

    enum { REPEATS = 20000, DISTINCT = 100000 };
    size_t cap = (size_t)(REPEATS * 2 + DISTINCT * 8 + 64);
    char *text = malloc(cap), *p = text;
    for (int i = 0; i < REPEATS; i++)
        p += sprintf(p, "x,");
    for (int i = 0; i < DISTINCT; i++)
        p += sprintf(p, "c%d,", i);
    p[-1] = '\n';
    *p = '\0';
    f = read_str(text, NULL);
    cr_assert_eq(lp_frame_cols(f), REPEATS + DISTINCT);
    cr_assert_str_eq(lp_frame_name(f, 0), "x");
    cr_assert_str_eq(lp_frame_name(f, REPEATS - 1), "x.19999");
    cr_assert_str_eq(lp_frame_name(f, REPEATS + DISTINCT - 1), "c99999");
    cr_assert_eq(lp_frame_find(f, "c5000"), REPEATS + 5000);
    cr_assert_eq(lp_frame_find(f, "x.777"), 777);
    cr_assert_eq(lp_frame_find(f, "nope"), -1);
    lp_frame_unref(f);
    free(text);
}

/* A NUL byte would cut a text value where C strings take over: refused, located. */
Test(csv, nul_byte_is_refused_with_its_location)
{
    static const char text[] = "a,b\n1,x\n2,y\0z\n";
    expect_error(text, sizeof text - 1, NULL, 3, 4, "NUL byte");
}

/* A directory, a FIFO (which would block forever) and a file whose size
 * changes under the reader each get their own message. */
Test(csv, non_regular_and_changing_files)
{
    char dir[] = "/tmp/lolpop-csv-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    lp_frame *f = NULL;
    cr_assert_neq(lp_csv_read(&f, dir, NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "is a directory"), "%s", lp_error_last()->message);
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_neq(lp_csv_read(&f, fifo, NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "not a regular file"), "%s",
              lp_error_last()->message);
    unlink(fifo);
    rmdir(dir);
    /* sysfs files claim a page of size and hold less: what a file that shrank
     * while it was read looks like to the reader (a mapped one gave SIGBUS). */
    cr_assert_neq(lp_csv_read(&f, "/sys/devices/system/cpu/online", NULL), 0);
    cr_assert(strstr(lp_error_last()->message, "changed while it was read"), "%s",
              lp_error_last()->message);
    cr_assert_null(f);
}

/* What the reader refuses is never written: a NUL inside a text value is an
 * error naming the column and row, not a file that cannot be read back. */
Test(csv, writer_refuses_nul_in_text)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 2);
    lp_column_builder_append_str(b, "ok", 2);
    lp_column_builder_append_str(b, "a\0b", 3);
    cr_assert_eq(lp_frame_add_column(f, "label", lp_column_builder_finish(b)), 0);
    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(lp_csv_write_buffer(&out, &len, f, NULL), LP_EINVAL);
    cr_assert_null(out);
    cr_assert(strstr(lp_error_last()->message, "column 'label', row 2 holds a NUL byte"), "%s",
              lp_error_last()->message);
    lp_frame_unref(f);
}

/* The quickstart's data files read into frames with the content hashes they had
 * before the reader's fast paths (issue 14): the store keys datasets by these
 * hashes, so a change here would orphan every existing store's versions. */
Test(csv, quickstart_frame_hashes_unchanged)
{
    static const struct {
        const char *file, *hash;
    } want[] = {
        {"train.csv", "aef3a1d3b2ec792a8d92e14dcd3513c68d2aae19849b1096554c649df07b4d7e"},
        {"eval.csv", "69ee56c29355a81ee11da23fceffd1a525e3582fa481c34f62ae88bc293ba7a2"},
        {"eval_labels.csv", "cd4b32ab9da668e8d50811fb2a55903389f9c1a151bd66a0203439db3e3ce0c9"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/../../examples/quickstart/classification/titanic/data/%s",
                 LP_FIXTURES_DIR, want[i].file);
        lp_frame *f = NULL;
        cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
        char h[65];
        cr_assert_eq(lp_frame_hash_hex(f, h), 0);
        cr_expect_str_eq(h, want[i].hash, "%s hashes differently", want[i].file);
        lp_frame_unref(f);
    }
}
