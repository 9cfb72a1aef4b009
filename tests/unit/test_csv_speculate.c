/* Unit tests for the CSV reader's type speculation (csv_read.c): types guessed
 * from the first rows must give exactly the frame that inference over every
 * row gives, whatever a later row holds. Each input is read with a guess from
 * the first 2 rows and with no guess (lp_csv_sample_rows = 0) and the frames
 * must hash the same; the values that tell the paths apart are checked too. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv_internal.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

static void restore(void)
{
    lp_csv_sample_rows = 1000;
}

TestSuite(csv_speculate, .fini = restore);

static lp_frame *read_with(const char *text, size_t len, int sample, const lp_csv_options *o)
{
    lp_csv_sample_rows = sample;
    lp_frame *f = NULL;
    int rc = lp_csv_read_buffer(&f, text, len, "s.csv", o);
    cr_assert_eq(rc, 0, "read failed: %s", lp_error_last()->message);
    return f;
}

/* Reads text with a 2-row guess and without; asserts equal hashes; returns the guessed read. */
static lp_frame *read_both(const char *text, int threads)
{
    lp_csv_options o = {.threads = threads};
    lp_frame *g = read_with(text, strlen(text), 2, &o), *f = read_with(text, strlen(text), 0, &o);
    char hg[65], hf[65];
    cr_assert_eq(lp_frame_hash_hex(g, hg), 0);
    cr_assert_eq(lp_frame_hash_hex(f, hf), 0);
    cr_assert_str_eq(hg, hf, "a guess from the first rows changed the frame of:\n%s", text);
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        cr_assert_eq(lp_frame_col(g, j)->type, lp_frame_col(f, j)->type);
    lp_frame_unref(f);
    return g;
}

static lp_dtype type_of(const lp_frame *f, const char *name)
{
    return lp_frame_col_by_name(f, name)->type;
}

Test(csv_speculate, int_meeting_a_float_becomes_float)
{
    lp_frame *f = read_both("a,b\n1,x\n2,y\n3,z\n-4,w\n2.5,v\n7,u\n", 1);
    cr_assert_eq(type_of(f, "a"), LP_DT_FLOAT64);
    const lp_column *a = lp_frame_col_by_name(f, "a");
    double want[] = {1, 2, 3, -4, 2.5, 7};
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(a->data.f64[i], want[i], "row %zu", i);
    lp_frame_unref(f);
}

Test(csv_speculate, int_then_float_keeps_missing_values_and_specials)
{
    lp_frame *f = read_both("a\n1\n2\n\nNA\n3\ninf\n4\n\"NA\"\n", 1);
    const lp_column *a = lp_frame_col_by_name(f, "a");
    cr_assert_eq(a->type, LP_DT_FLOAT64);
    cr_assert_eq(a->null_count, 2);
    cr_assert(isinf(a->data.f64[4])); /* the blank line is skipped */
    lp_frame_unref(f);
}

Test(csv_speculate, negative_zero_int_in_a_float_column_stays_negative)
{
    lp_frame *f = read_both("a\n1\n2\n-0\n0.5\n", 1);
    const lp_column *a = lp_frame_col_by_name(f, "a");
    cr_assert_eq(a->type, LP_DT_FLOAT64);
    cr_assert(signbit(a->data.f64[2]), "-0 read as +0");
    lp_frame_unref(f);
}

Test(csv_speculate, quoted_nan_in_an_int_column_that_becomes_float)
{
    /* missing in an int column, the value NaN in a float one */
    lp_frame *f = read_both("a\n1\n2\n\"NaN\"\n0.5\n", 1);
    const lp_column *a = lp_frame_col_by_name(f, "a");
    cr_assert_eq(a->type, LP_DT_FLOAT64);
    cr_assert_eq(a->null_count, 0);
    cr_assert(isnan(a->data.f64[2]));
    lp_frame_unref(f);
    f = read_both("a\n1\n2\n\"NaN\"\n5\n", 1);
    cr_assert_eq(type_of(f, "a"), LP_DT_INT64);
    cr_assert_eq(lp_frame_col_by_name(f, "a")->null_count, 1);
    lp_frame_unref(f);
}

Test(csv_speculate, late_text_makes_string_columns_with_the_original_text)
{
    lp_frame *f = read_both("i,f,b,t\n"
                            "007,1.5,true,2024-01-01\n"
                            "+8,2,false,2024-01-02\n"
                            "9,3e1,TRUE,2024-01-03\n"
                            "x9,zz,1,noon\n",
                            1);
    const char *names[] = {"i", "f", "b", "t"};
    for (size_t j = 0; j < 4; j++)
        cr_assert_eq(type_of(f, names[j]), LP_DT_STRING, "column %s", names[j]);
    size_t n;
    const char *s = lp_column_str(lp_frame_col_by_name(f, "i"), 0, &n);
    cr_assert(n == 3 && memcmp(s, "007", 3) == 0);
    lp_frame_unref(f);
}

Test(csv_speculate, late_escaped_quote_makes_a_string)
{
    lp_frame *f = read_both("a\n1\n2\n\"3\"\"\"\n", 1);
    cr_assert_eq(type_of(f, "a"), LP_DT_STRING);
    lp_frame_unref(f);
}

Test(csv_speculate, columns_missing_in_the_first_rows_are_inferred)
{
    lp_frame *f = read_both("a,b\n,1\nNA,2\n1.5,3\n2,4\n", 1);
    cr_assert_eq(type_of(f, "a"), LP_DT_FLOAT64);
    cr_assert_eq(type_of(f, "b"), LP_DT_INT64);
    lp_frame_unref(f);
}

Test(csv_speculate, declared_type_error_is_reported_where_it_is)
{
    const char *text = "a,b\n1,2\n3,4\n5,x\n";
    lp_csv_type_override ov = {"b", LP_DT_INT64};
    lp_csv_options o = {.overrides = &ov, .n_overrides = 1};
    for (int sample = 0; sample <= 2; sample += 2) {
        lp_csv_sample_rows = sample;
        lp_frame *f = NULL;
        cr_assert_neq(lp_csv_read_buffer(&f, text, strlen(text), "d.csv", &o), 0);
        cr_assert_eq(lp_error_last()->line, 4);
        cr_assert_eq(lp_error_last()->col, 3);
    }
}

/* Many rows in several chunks and threads: the column turns late, in one chunk. */
static char *many_rows(size_t rows, size_t turn_at, const char *late)
{
    size_t cap = rows * 40 + 64, n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    n += (size_t)snprintf(s + n, cap - n, "id,v,w\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s,%zu.25\n", i, i == turn_at ? late : "12",
                              i % 7);
    return s;
}

Test(csv_speculate, late_change_in_a_big_buffer_on_threads)
{
    const char *lates[] = {"3.5", "abc", "-0", "\"NaN\""};
    for (size_t k = 0; k < 4; k++) {
        char *s = many_rows(60000, 45000, lates[k]);
        lp_frame *f = read_both(s, 4);
        cr_assert_eq(lp_frame_rows(f), 60000);
        lp_frame_unref(f);
        free(s);
    }
}

/* A file read again after pass 2 gave its pages back: one chunk (one thread)
 * bigger than the page dropping step (4 MiB). */
Test(csv_speculate, file_read_again_after_a_wrong_guess)
{
    char *s = many_rows(340000, 339990, "late text");
    char path[] = "/tmp/lolpop-spec-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t len = strlen(s);
    cr_assert_eq(write(fd, s, len), (ssize_t)len);
    close(fd);
    lp_csv_options o = {.threads = 1};
    lp_csv_sample_rows = 1000;
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, &o), 0, "%s", lp_error_last()->message);
    lp_csv_sample_rows = 0;
    lp_frame *g = NULL;
    cr_assert_eq(lp_csv_read(&g, path, &o), 0, "%s", lp_error_last()->message);
    char hf[65], hg[65];
    cr_assert_eq(lp_frame_hash_hex(f, hf), 0);
    cr_assert_eq(lp_frame_hash_hex(g, hg), 0);
    cr_assert_str_eq(hf, hg);
    cr_assert_eq(type_of(f, "v"), LP_DT_STRING);
    size_t n;
    const char *v = lp_column_str(lp_frame_col_by_name(f, "v"), 12345, &n);
    cr_assert(n == 2 && memcmp(v, "12", 2) == 0);
    lp_frame_unref(f);
    lp_frame_unref(g);
    unlink(path);
    free(s);
}

/* The row splitter (csv_split_row, 16 bytes at a time) hands a row to the
 * general scanner at its first quote, and leaves ragged rows to it. */
Test(csv_speculate, long_rows_with_quotes_part_way)
{
    lp_frame *f =
        read_both("a,b,c,d\n"
                  "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb,\"c,\"\"c\"\"\nc\",dddddddddddddddd\n"
                  "1111111111111111111,2,3,4\r\n"
                  "x,y\"z,\"\",w\r"
                  "p,q,r,s",
                  1);
    cr_assert_eq(lp_frame_rows(f), 4);
    size_t n;
    const char *s = lp_column_str(lp_frame_col_by_name(f, "c"), 0, &n);
    cr_assert(n == 7 && memcmp(s, "c,\"c\"\nc", 7) == 0, "'%.*s'", (int)n, s);
    s = lp_column_str(lp_frame_col_by_name(f, "b"), 2, &n);
    cr_assert(n == 3 && memcmp(s, "y\"z", 3) == 0);
    s = lp_column_str(lp_frame_col_by_name(f, "d"), 3, &n);
    cr_assert(n == 1 && s[0] == 's');
    lp_frame_unref(f);
}

static void expect_error_at(const char *text, int line, int col, const char *what)
{
    for (int sample = 0; sample <= 2; sample += 2) {
        lp_csv_sample_rows = sample;
        lp_frame *f = NULL;
        cr_assert_neq(lp_csv_read_buffer(&f, text, strlen(text), "r.csv", NULL), 0);
        const lp_error *e = lp_error_last();
        cr_assert_eq(e->line, line, "line %d, expected %d (%s)", e->line, line, e->message);
        cr_assert_eq(e->col, col, "col %d, expected %d (%s)", e->col, col, e->message);
        cr_assert(strstr(e->message, what), "'%s' lacks '%s'", e->message, what);
    }
}

Test(csv_speculate, ragged_long_rows_report_where)
{
    expect_error_at("a,b,c\n1,2,3\naaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddd\n", 3, 34, "more fields");
    expect_error_at("a,b,c\n1,2,3\naaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddd", 3, 34, "more fields");
    expect_error_at("a,b,c\n1,2,3\naaaaaaaaaa,bbbbbbbbbb,cccccccccc,", 3, 34, "more fields");
    expect_error_at("a,b,c\n1,2,3\naaaaaaaaaaaaaaaaaaaa,b\n", 3, 23, "2 fields");
    expect_error_at("a,b,c\n1,2,3\naaaaaaaaaa,\"bbbbbbbbbb\"x,c\n", 3, 24, "after a closing quote");
}

/* A value that does not fit its declared type, found after pass 2 gave the
 * pages before it back: its line and text are still reported right. */
Test(csv_speculate, declared_type_error_late_in_a_big_file)
{
    char *s = many_rows(340000, 339990, "oops");
    char path[] = "/tmp/lolpop-spec-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t len = strlen(s);
    cr_assert_eq(write(fd, s, len), (ssize_t)len);
    close(fd);
    lp_csv_type_override ov = {"v", LP_DT_INT64};
    lp_csv_options o = {.threads = 1, .overrides = &ov, .n_overrides = 1};
    lp_frame *f = NULL;
    cr_assert_neq(lp_csv_read(&f, path, &o), 0);
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->line, 339992, "line %d (%s)", e->line, e->message);
    cr_assert_eq(e->col, 8, "col %d (%s)", e->col, e->message);
    cr_assert(strstr(e->message, "'oops'"), "%s", e->message);
    unlink(path);
    free(s);
}

/* ---- the one-pass read (every type guessed or declared; chunks without quotes
 * only counted in pass 1, string columns grown per chunk) ---------------------- */

/* rows rows of "id,name,x,tag" over several 256 KiB chunks: strings of varied
 * length, NA and empty values, CRLF and lone-CR line ends, blank lines, and a
 * quoted field only at row `quoted_at` (SIZE_MAX: none), so that one chunk is
 * parsed in pass 1 and the others only counted. */
static char *text_rows(size_t rows, size_t quoted_at)
{
    size_t cap = rows * 64 + 64, n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    n += (size_t)snprintf(s + n, cap - n, "id,name,x,tag\n");
    static const char *const eol[] = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
    for (size_t i = 0; i < rows; i++) {
        bool na = i % 11 == 3, empty = i % 13 == 5; /* missing either way */
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s%.*s,%zu.5,%s%s", i,
                              na      ? "NA"
                              : empty ? ""
                                      : "name",
                              na || empty ? 0 : (int)(i % 17), "abcdefghijklmnopq", i % 1000,
                              i == quoted_at ? "\"q,\"\"x\"\"\""
                              : i % 5        ? "t"
                                             : "tt",
                              eol[i % 23 == 0 ? 3 + i % 2 : i % 3]);
    }
    return s;
}

Test(csv_speculate, one_pass_strings_across_chunks)
{
    size_t quoted[] = {SIZE_MAX, 20000, 0};
    for (size_t q = 0; q < 3; q++) {
        char *s = text_rows(40000, quoted[q]);
        for (int threads = 1; threads <= 4; threads += 3) {
            lp_frame *f = read_both(s, threads);
            cr_assert_eq(lp_frame_rows(f), 40000);
            cr_assert_eq(type_of(f, "name"), LP_DT_STRING);
            size_t n;
            const lp_column *name = lp_frame_col_by_name(f, "name");
            for (size_t i = 0; i < 40000; i += 997) {
                bool missing = i % 11 == 3 || i % 13 == 5;
                cr_assert_eq(lp_column_is_valid(name, i), !missing, "row %zu", i);
                if (missing) continue;
                const char *v = lp_column_str(name, i, &n);
                cr_assert(n == 4 + i % 17 && memcmp(v, "nameabcdefghijklmnopq", n) == 0,
                          "row %zu: '%.*s'", i, (int)n, v);
            }
            const char *v;
            v = lp_column_str(lp_frame_col_by_name(f, "tag"), 20000, &n);
            if (q == 1)
                cr_assert(n == 5 && memcmp(v, "q,\"x\"", 5) == 0, "'%.*s'", (int)n, v);
            else
                cr_assert(n == 2 && memcmp(v, "tt", 2) == 0, "'%.*s'", (int)n, v);
            lp_frame_unref(f);
        }
        free(s);
    }
}

/* The error a one-pass read meets is the one the two-pass read reports first:
 * read with a guess and without, the same message at the same place. */
static void same_error(const char *text, const lp_csv_options *o, int line, const char *what)
{
    char msg[2][512];
    int at[2][2];
    for (int k = 0; k < 2; k++) {
        lp_csv_sample_rows = k ? 0 : 2;
        lp_frame *f = NULL;
        cr_assert_neq(lp_csv_read_buffer(&f, text, strlen(text), "r.csv", o), 0);
        const lp_error *e = lp_error_last();
        snprintf(msg[k], sizeof msg[k], "%s", e->message);
        at[k][0] = e->line, at[k][1] = e->col;
    }
    cr_assert_str_eq(msg[0], msg[1]);
    cr_assert_eq(at[0][0], at[1][0]);
    cr_assert_eq(at[0][1], at[1][1]);
    cr_assert_eq(at[0][0], line, "line %d, expected %d (%s)", at[0][0], line, msg[0]);
    cr_assert(strstr(msg[0], what), "'%s' lacks '%s'", msg[0], what);
}

Test(csv_speculate, one_pass_errors_are_the_two_pass_errors)
{
    lp_csv_options o = {.threads = 4};
    char *s = many_rows(60000, SIZE_MAX, "");
    /* a ragged row in a counted chunk: "12,3" has one field too many */
    char *r = strstr(s, "\n30000,12,");
    cr_assert_not_null(r);
    r[8] = ','; /* "30000,1,,": four fields */
    same_error(s, &o, 30002, "more fields");
    /* and a declared type's bad value before it in the same chunk: the ragged row
     * still comes first, as pass 1 finds it before pass 2 converts */
    char *b = strstr(s, "\n29000,12,");
    cr_assert_not_null(b);
    b[7] = 'x';
    lp_csv_type_override ov = {"v", LP_DT_INT64};
    lp_csv_options od = {.threads = 4, .overrides = &ov, .n_overrides = 1};
    same_error(s, &od, 30002, "more fields");
    /* invalid UTF-8 after the ragged row: the ragged row */
    char *u = strstr(s, "\n40000,12,");
    cr_assert_not_null(u);
    u[8] = (char)0xFF;
    same_error(s, &o, 30002, "more fields");
    free(s);
    /* too few fields in a counted chunk, and the bad value alone */
    s = many_rows(60000, SIZE_MAX, "");
    r = strstr(s, "\n45000,12,");
    cr_assert_not_null(r);
    memcpy(r + 7, "12;", 3); /* "12;0.25"... one field fewer */
    same_error(s, &o, 45002, "2 fields");
    free(s);
    s = many_rows(60000, 50000, "oops");
    same_error(s, &od, 50002, "'oops'");
    free(s);
}

/* ---- the one-pass read of chunks with quotes: rows counted by quote parity ----- */

/* rows rows of "id,text,x" over several chunks where most rows' text is quoted
 * and holds a separator, an escaped quote or a line end (LF, CRLF). Rows `odd`
 * and, when `twice`, odd + 3 get `odd_text` instead, as given. */
static char *quoted_rows(size_t rows, size_t odd, bool twice, const char *odd_text)
{
    size_t cap = rows * 48 + 64 + 2 * strlen(odd_text), n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    n += (size_t)snprintf(s + n, cap - n, "id,text,x\n");
    static const char *const texts[] = {
        "\"a, b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"cr\r\nlf\"", "\"\"", "plain",
        "\"NA\""};
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s,%zu.5%s", i,
                              i == odd || (twice && i == odd + 3) ? odd_text : texts[i % 7],
                              i % 100, i % 29 ? "\n" : "\r\n");
    return s;
}

/* The line of quoted_rows' row r (two of every seven texts hold a '\n'). */
static int quoted_line(size_t r)
{
    return (int)(2 + r + 2 * (r / 7) + (r % 7 > 2) + (r % 7 > 3));
}

Test(csv_speculate, one_pass_counts_rows_with_quoted_line_ends)
{
    char *s = quoted_rows(40000, SIZE_MAX, false, "");
    for (int threads = 1; threads <= 4; threads += 3) {
        lp_frame *f = read_both(s, threads);
        cr_assert_eq(lp_frame_rows(f), 40000);
        size_t n;
        const lp_column *t = lp_frame_col_by_name(f, "text");
        const char *v = lp_column_str(t, 30007, &n);
        cr_assert(n == 5 && memcmp(v, "plain", 5) == 0, "'%.*s'", (int)n, v);
        v = lp_column_str(t, 30008, &n);
        cr_assert(n == 2 && memcmp(v, "NA", 2) == 0, "quoted NA is text: '%.*s'", (int)n, v);
        v = lp_column_str(t, 30004, &n);
        cr_assert(n == 9 && memcmp(v, "two\nlines", 9) == 0, "'%.*s'", (int)n, v);
        v = lp_column_str(t, 30005, &n);
        cr_assert(n == 6 && memcmp(v, "cr\r\nlf", 6) == 0, "'%.*s'", (int)n, v);
        v = lp_column_str(t, 30003, &n);
        cr_assert(n == 8 && memcmp(v, "say \"hi\"", 8) == 0, "'%.*s'", (int)n, v);
        cr_assert_eq(lp_frame_col_by_name(f, "x")->data.f64[39999], 99.5);
        lp_frame_unref(f);
    }
    free(s);
}

/* A '"' inside an unquoted field is literal to the scanner, so counting by quote
 * parity goes wrong from there on: too few rows (line ends taken as quoted), too
 * many (a quoted line end taken as outside), or unbalanced quotes. Pass 2 finds
 * that the rows do not end where the chunk does, or the chunk is parsed, and the
 * frame is the same as the read without a guess. */
Test(csv_speculate, one_pass_count_made_wrong_by_a_literal_quote)
{
    const char *odd[] = {"a\"b", "a\"b\"c\"", "x\"", "\"q\"\"\""};
    for (size_t k = 0; k < 8; k++) {
        char *s = quoted_rows(40000, 24997, k >= 4, odd[k % 4]);
        for (int threads = 1; threads <= 4; threads += 3) {
            lp_frame *f = read_both(s, threads);
            cr_assert_eq(lp_frame_rows(f), 40000, "%zu rows (%s)", lp_frame_rows(f), odd[k % 4]);
            size_t n;
            const char *v = lp_column_str(lp_frame_col_by_name(f, "text"), 24997, &n);
            cr_assert(n >= 2 && (v[0] == 'a' || v[0] == 'x' || v[0] == 'q'), "'%.*s'", (int)n, v);
            lp_frame_unref(f);
        }
        free(s);
    }
}

Test(csv_speculate, one_pass_errors_in_chunks_with_quotes)
{
    lp_csv_options o = {.threads = 4};
    /* a character after a closing quote */
    char *s = quoted_rows(60000, 30000, false, "\"ab\"c");
    same_error(s, &o, quoted_line(30000), "after a closing quote");
    free(s);
    /* a quoted field followed by another field: one field too many */
    s = quoted_rows(60000, 30000, false, "\"ab\",c");
    same_error(s, &o, quoted_line(30000), "more fields");
    free(s);
    /* one field too few after a quoted field */
    s = quoted_rows(60000, 30000, false, "\"ab\"\n");
    same_error(s, &o, quoted_line(30000), "2 fields");
    free(s);
    /* the same in the last row, where no row after it shows the count is off */
    s = quoted_rows(60000, 59999, false, "\"ab\"c");
    same_error(s, &o, quoted_line(59999), "after a closing quote");
    free(s);
    s = quoted_rows(60000, 59999, false, "\"ab\"\n");
    same_error(s, &o, quoted_line(59999), "2 fields");
    free(s);
    /* an unterminated field in the last row */
    s = quoted_rows(60000, 59999, false, "\"never closed");
    same_error(s, &o, quoted_line(59999), "unterminated");
    free(s);
}

/* NA strings that are numbers (a caller's "-999", "0.0", "inf") stay missing in
 * number columns: the reader parses a number before looking for NA strings only
 * when no NA string is a number. Across chunks, with and without a type guess. */
Test(csv_speculate, numeric_na_strings_stay_missing)
{
    size_t rows = 40000, cap = rows * 32 + 64, n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    n += (size_t)snprintf(s + n, cap - n, "a,b\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s,%s\n", i % 10 == 3 ? "-999" : "7",
                              i % 9 == 4   ? "0.0"
                              : i % 9 == 5 ? "inf"
                                           : "1.5");
    const char *extra[] = {"-999", "0.0", "inf", NULL};
    for (int threads = 1; threads <= 4; threads += 3) {
        lp_csv_options o = {.threads = threads, .na_values = extra};
        lp_frame *g = read_with(s, n, 2, &o), *f = read_with(s, n, 0, &o);
        for (int k = 0; k < 2; k++) {
            const lp_frame *x = k ? f : g;
            cr_assert_eq(type_of(x, "a"), LP_DT_INT64);
            cr_assert_eq(type_of(x, "b"), LP_DT_FLOAT64);
            cr_assert_eq(lp_frame_col_by_name(x, "a")->null_count, rows / 10);
            cr_assert_eq(lp_frame_col_by_name(x, "b")->null_count,
                         2 * (rows / 9) + (rows % 9 > 4) + (rows % 9 > 5));
        }
        lp_frame_unref(f);
        lp_frame_unref(g);
    }
    /* "NaN" is an NA string unquoted and the value NaN quoted, as before */
    lp_frame *f = read_both("a,b\n1.5,x\nNaN,y\n\"NaN\",z\n2.5,w\n", 1);
    const lp_column *a = lp_frame_col_by_name(f, "a");
    cr_assert_eq(a->type, LP_DT_FLOAT64);
    cr_assert_eq(a->null_count, 1);
    cr_assert(!lp_column_is_valid(a, 1) && lp_column_is_valid(a, 2) && isnan(a->data.f64[2]));
    lp_frame_unref(f);
    free(s);
}
