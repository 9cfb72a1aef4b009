/*
 * test_datagen.c — `lolpop datagen create SOURCE -n ROWS -o OUT` end to end:
 * real runs of the binary on the Titanic example data and the diamonds
 * fixture (row count, header, column types read back, --evaluate's table,
 * --json's numbers, determinism by --seed, TSV output), and every bad input
 * with its exit code and message, leaving no partial or replaced OUT.
 *
 * The binary runs in a fresh temporary directory through the shared harness
 * (tests/cli/harness.c); output files are read back with liblolpop's CSV reader.
 */
#include <criterion/criterion.h>

#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

#define DEADLINE_MS 120000 /* generous: sanitizer builds are slow */
#define TITANIC     LP_SOURCE_ROOT "/examples/quickstart/classification/titanic/data/train.csv"
#define DIAMONDS    LP_SOURCE_ROOT "/tests/fixtures/data/diamonds.csv"

static char tmpdir[] = "/tmp/lolpop-datagen-XXXXXX";

static void setup(void)
{
    lp_tmpdir_make(tmpdir);
}

static void teardown(void)
{
    lp_tmpdir_remove(tmpdir);
}

TestSuite(datagen, .init = setup, .fini = teardown, .timeout = 240);

/* ---- helpers ---------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char ring[8][PATH_MAX];
    static int next;
    char *buf = ring[next++ % 8];
    snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
    return buf;
}

static lp_run run_lolpop(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, tmpdir, NULL, args, DEADLINE_MS);
}

#define LOLPOP(...) run_lolpop((const char *const[]){__VA_ARGS__, NULL})

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static lp_frame *read_csv(const char *path)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    return f;
}

/* The first line of a file (malloc'ed). */
static char *first_line(const char *path)
{
    char *text = lp_read_file(path);
    cr_assert_not_null(text, "cannot read %s", path);
    text[strcspn(text, "\r\n")] = '\0';
    return text;
}

static json_t *parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert_not_null(j, "not JSON (%s):\n%s", err.text, text);
    return j;
}

/* ---- real runs ------------------------------------------------------------------------- */

Test(datagen, titanic_rows_header_and_types_follow_the_source)
{
    const char *out = tmp_path("synthetic.csv");
    lp_run r = LOLPOP("datagen", "create", TITANIC, "-n", "2500", "-o", out);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "2500 synthetic rows (16 columns) written to");
    LP_EXPECT_OUT(r, "GaussianCopulaDataSynthesizer, seed 0, learnt from 713 rows");
    /* a data tool records nothing: no metadata store appears in the working directory */
    cr_assert(access(tmp_path(".lolpop"), F_OK) != 0, "datagen created .lolpop/");
    char *h_out = first_line(out), *h_src = first_line(TITANIC);
    cr_assert_str_eq(h_out, h_src);
    lp_frame *src = read_csv(TITANIC), *syn = read_csv(out);
    cr_assert_eq(lp_frame_rows(syn), 2500);
    cr_assert_eq(lp_frame_cols(syn), lp_frame_cols(src));
    for (size_t j = 0; j < lp_frame_cols(src); j++)
        cr_assert_eq(lp_frame_col(syn, j)->type, lp_frame_col(src, j)->type, "column %s: %s vs %s",
                     lp_frame_name(src, j), lp_dtype_name(lp_frame_col(syn, j)->type),
                     lp_dtype_name(lp_frame_col(src, j)->type));
    /* age has missing values in the source (about 20%), and so does the sample */
    lp_column *age = lp_frame_col_by_name(syn, "age");
    double miss = (double)age->null_count / 2500.0;
    double src_miss = (double)lp_frame_col_by_name(src, "age")->null_count / 713.0;
    cr_assert(fabs(miss - src_miss) < 0.04, "missing age: %g vs %g", miss, src_miss);
    /* pclass stays within 1..3 */
    lp_column *pc = lp_frame_col_by_name(syn, "pclass");
    for (size_t i = 0; i < 2500; i++)
        cr_assert(pc->data.i64[i] >= 1 && pc->data.i64[i] <= 3);
    lp_frame_unref(src);
    lp_frame_unref(syn);
    free(h_out);
    free(h_src);
    lp_run_free(&r);
}

Test(datagen, evaluate_prints_a_table_of_every_column)
{
    const char *out = tmp_path("s.csv");
    lp_run r = LOLPOP("datagen", "create", TITANIC, "-n", "1000", "-o", out, "--evaluate");
    LP_EXPECT_EXIT(r, 0);
    const char *cols[] = {"passenger_id", "survived",    "pclass",   "sex",   "age", "sibsp",
                          "parch",        "fare",        "embarked", "class", "who", "adult_male",
                          "deck",         "embark_town", "alive",    "alone"};
    for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++)
        LP_EXPECT_OUT(r, cols[j]);
    LP_EXPECT_OUT(r, "numeric KS");
    LP_EXPECT_OUT(r, "categorical TVD");
    LP_EXPECT_OUT(r, "missing real");
    LP_EXPECT_OUT(r, "largest correlation difference: 0.");
    lp_run_free(&r);
}

/* --json --evaluate: the report's numbers, checked for sense on a large source. */
Test(datagen, json_report_on_diamonds_is_close_to_the_source)
{
    const char *out = tmp_path("d.csv");
    lp_run r = LOLPOP("datagen", "create", DIAMONDS, "-n", "20000", "-o", out, "--evaluate",
                      "--json", "--seed", "7");
    LP_EXPECT_EXIT(r, 0);
    json_t *j = parse_json(r.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 20000);
    cr_assert_eq(json_integer_value(json_object_get(j, "source_rows")), 53940);
    cr_assert_eq(json_integer_value(json_object_get(j, "columns")), 10);
    cr_assert_eq(json_integer_value(json_object_get(j, "seed")), 7);
    json_t *ev = json_object_get(j, "evaluation"), *cols = json_object_get(ev, "columns");
    cr_assert_eq(json_array_size(cols), 10);
    for (size_t i = 0; i < 10; i++) {
        json_t *c = json_array_get(cols, i);
        const char *name = json_string_value(json_object_get(c, "column"));
        json_t *ks = json_object_get(c, "ks"), *tvd = json_object_get(c, "tvd");
        double d = json_number_value(ks ? ks : tvd);
        /* the marginals are the source's empirical ones: every distance is small */
        cr_assert(d >= 0 && d < 0.02, "%s: distance %g", name, d);
        cr_assert_eq(json_number_value(json_object_get(c, "missing_real")), 0.0);
        cr_assert_eq(json_number_value(json_object_get(c, "missing_fake")), 0.0);
    }
    /* carat, x, y, z and price are strongly correlated; the copula keeps that */
    double diff = json_number_value(json_object_get(ev, "max_corr_diff"));
    cr_assert(diff >= 0 && diff < 0.1, "max_corr_diff %g", diff);
    json_decref(j);
    lp_run_free(&r);
}

Test(datagen, the_same_seed_gives_the_same_file_and_another_seed_differs)
{
    const char *a = tmp_path("a.csv"), *b = tmp_path("b.csv"), *c = tmp_path("c.csv");
    lp_run ra = LOLPOP("datagen", "create", TITANIC, "-n", "300", "-o", a, "--seed", "11");
    lp_run rb = LOLPOP("datagen", "create", TITANIC, "-n", "300", "-o", b, "--set", "seed=11");
    lp_run rc = LOLPOP("datagen", "create", TITANIC, "-n", "300", "-o", c, "--seed", "12");
    LP_EXPECT_EXIT(ra, 0);
    LP_EXPECT_EXIT(rb, 0);
    LP_EXPECT_EXIT(rc, 0);
    char *ta = lp_read_file(a), *tb = lp_read_file(b), *tc = lp_read_file(c);
    cr_assert_str_eq(ta, tb);
    cr_assert_str_neq(ta, tc);
    free(ta);
    free(tb);
    free(tc);
    lp_run_free(&ra);
    lp_run_free(&rb);
    lp_run_free(&rc);
}

Test(datagen, tsv_output_and_an_existing_out_is_replaced)
{
    const char *out = lp_write_file(tmpdir, "s.tsv", "old content\n");
    lp_run r = LOLPOP("datagen", "create", TITANIC, "-n", "5", "-o", out);
    LP_EXPECT_EXIT(r, 0);
    char *h = first_line(out);
    cr_assert(strncmp(h, "passenger_id\tsurvived\tpclass\t", 29) == 0, "header: %s", h);
    lp_frame *f = read_csv(out);
    cr_assert_eq(lp_frame_rows(f), 5);
    lp_frame_unref(f);
    free(h);
    lp_run_free(&r);
}

Test(datagen, help_lists_the_options)
{
    lp_run r = LOLPOP("datagen", "--help");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "--evaluate");
    LP_EXPECT_OUT(r, "--seed N");
    lp_run_free(&r);
    r = LOLPOP("--help");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "datagen");
    lp_run_free(&r);
    r = LOLPOP("classes", "list", "--type", "data_synthesizer");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "GaussianCopulaDataSynthesizer");
    lp_run_free(&r);
}

/* ---- bad input -------------------------------------------------------------------------- */

/* Runs datagen with args and expects exit code `code`, `msg` on stderr and no OUT. */
static void expect_failure(const char *const *args, int code, const char *msg, const char *out)
{
    lp_run r = run_lolpop(args);
    LP_EXPECT_EXIT(r, code);
    LP_EXPECT_ERR(r, msg);
    cr_assert(!exists(out), "%s was left behind", out);
    /* nor a temporary file */
    DIR *d = opendir(tmpdir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d));)
        cr_assert_null(strstr(e->d_name, "out"), "left in the directory: %s", e->d_name);
    closedir(d);
    lp_run_free(&r);
}

#define EXPECT_FAILURE(code, msg, ...)                                                             \
    expect_failure((const char *const[]){__VA_ARGS__, NULL}, code, msg, tmp_path("out.csv"))

Test(datagen, a_missing_or_empty_source_is_a_usage_error)
{
    EXPECT_FAILURE(2, "no-such.csv", "datagen", "create", "no-such.csv", "-n", "10", "-o",
                   tmp_path("out.csv"));
    const char *hdr = lp_write_file(tmpdir, "header.csv", "a,b,c\n");
    EXPECT_FAILURE(2, "has no data rows: there is nothing to learn from", "datagen", "create", hdr,
                   "-n", "10", "-o", tmp_path("out.csv"));
    const char *empty = lp_write_file(tmpdir, "empty.csv", "");
    EXPECT_FAILURE(2, "empty.csv", "datagen", "create", empty, "-n", "10", "-o",
                   tmp_path("out.csv"));
    const char *ragged = lp_write_file(tmpdir, "ragged.csv", "a,b\n1,2\n3\n");
    EXPECT_FAILURE(2, "ragged.csv:3", "datagen", "create", ragged, "-n", "10", "-o",
                   tmp_path("out.csv"));
}

Test(datagen, bad_row_counts_are_usage_errors)
{
    const char *bad[] = {"0", "abc", "12x", "99999999999999999999", "1000000001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_FAILURE(2, "option '-n' expects a positive integer", "datagen", "create", TITANIC,
                       "-n", bad[i], "-o", tmp_path("out.csv"));
    EXPECT_FAILURE(2, "option '-n' needs a value", "datagen", "create", TITANIC, "-n", "-3", "-o",
                   tmp_path("out.csv"));
    EXPECT_FAILURE(2, "'-n ROWS' is required", "datagen", "create", TITANIC, "-o",
                   tmp_path("out.csv"));
    EXPECT_FAILURE(2, "'-o OUT' is required", "datagen", "create", TITANIC, "-n", "5");
    EXPECT_FAILURE(2, "option '--seed' expects a non-negative integer", "datagen", "create",
                   TITANIC, "-n", "5", "-o", tmp_path("out.csv"), "--seed", "1x");
}

Test(datagen, out_in_a_missing_directory_or_on_the_source_is_refused)
{
    lp_run r = LOLPOP("datagen", "create", TITANIC, "-n", "5", "-o", "no/such/dir/out.csv");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "the directory 'no/such/dir' does not exist");
    cr_assert(!exists(tmp_path("no")));
    lp_run_free(&r);
    r = LOLPOP("datagen", "create", TITANIC, "-n", "5", "-o", tmpdir);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "is a directory");
    lp_run_free(&r);
    /* OUT naming SOURCE (through another spelling) would destroy the real data */
    const char *src = lp_write_file(tmpdir, "real.csv", "a,b\n1,x\n2,y\n3,x\n");
    r = LOLPOP("datagen", "create", src, "-n", "5", "-o", "./real.csv");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "is the SOURCE file");
    char *text = lp_read_file(src);
    cr_assert_str_eq(text, "a,b\n1,x\n2,y\n3,x\n");
    free(text);
    lp_run_free(&r);
}

Test(datagen, a_failed_run_keeps_an_existing_out)
{
    const char *out = lp_write_file(tmpdir, "keep.csv", "precious\n");
    lp_run r =
        LOLPOP("datagen", "create", TITANIC, "-n", "5", "-o", out, "--set", "max_categories=0");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "max_categories must be an integer >= 1");
    char *text = lp_read_file(out);
    cr_assert_str_eq(text, "precious\n");
    free(text);
    lp_run_free(&r);
}

Test(datagen, bad_classes_and_subcommands_are_usage_errors)
{
    EXPECT_FAILURE(2, "unknown class 'GaussianCopula'", "datagen", "create", TITANIC, "-n", "5",
                   "-o", tmp_path("out.csv"), "-c", "GaussianCopula");
    EXPECT_FAILURE(2, "'LocalDataSplitter' is a component of type data_splitter", "datagen",
                   "create", TITANIC, "-n", "5", "-o", tmp_path("out.csv"), "-c",
                   "LocalDataSplitter");
    EXPECT_FAILURE(2, "did you mean 'create'", "datagen", "creat", TITANIC, "-n", "5", "-o",
                   tmp_path("out.csv"));
    EXPECT_FAILURE(2, "a subcommand is missing", "datagen");
    EXPECT_FAILURE(2, "the SOURCE file is missing", "datagen", "create", "-n", "5", "-o",
                   tmp_path("out.csv"));
    EXPECT_FAILURE(2, "expected KEY=VALUE", "datagen", "create", TITANIC, "-n", "5", "-o",
                   tmp_path("out.csv"), "--set", "seed");
}
