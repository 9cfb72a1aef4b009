/* Unit tests for the check-expression language (src/expr/). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

/* env: result = {rows: frame(a int with one missing, b float, s string),
 *                metrics: {valid: {f1: 0.75}}, items: [3, 1, 2, 1]}, n = 10, name = "iris" */
static lp_value *make_env(void)
{
    static const char csv[] = "a,b,s\n1,0.5,x\n2,1.5,y\n,2.5,x\n4,,z\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *items = lp_value_list();
    lp_list_append(items, lp_value_int(3));
    lp_list_append(items, lp_value_int(1));
    lp_list_append(items, lp_value_int(2));
    lp_list_append(items, lp_value_int(1));
    lp_value *valid = lp_map_put(lp_value_map(), "f1", lp_value_float(0.75));
    lp_value *metrics = lp_map_put(lp_value_map(), "valid", valid);
    lp_value *env = lp_value_map();
    lp_map_set(env, "frame", lp_value_frame(f));
    lp_map_set(env, "result", lp_map_put(lp_value_map(), "metrics", metrics));
    lp_map_set(env, "items", items);
    lp_map_set(env, "n", lp_value_int(10));
    lp_map_set(env, "name", lp_value_string("iris"));
    lp_frame_unref(f);
    return env;
}

/* Parses and evaluates; asserts success. New reference. */
static lp_value *run(const char *text)
{
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, text, NULL), 0, "parse %s: %s", text, lp_error_last()->message);
    lp_value *env = make_env(), *v = NULL;
    int rc = lp_expr_eval(&v, e, env);
    cr_assert_eq(rc, 0, "eval %s: %s", text, lp_error_last()->message);
    lp_value_unref(env);
    lp_expr_free(e);
    return v;
}

static void expect_int(const char *text, int64_t want)
{
    lp_value *v = run(text);
    cr_assert_eq(lp_value_type(v), LP_INT, "%s: type %s", text, lp_vtype_name(lp_value_type(v)));
    cr_assert_eq(lp_value_as_int(v), want, "%s = %lld, expected %lld", text,
                 (long long)lp_value_as_int(v), (long long)want);
    lp_value_unref(v);
}

static void expect_float(const char *text, double want)
{
    lp_value *v = run(text);
    cr_assert_eq(lp_value_type(v), LP_FLOAT, "%s: type %s", text, lp_vtype_name(lp_value_type(v)));
    cr_assert(fabs(lp_value_as_float(v) - want) < 1e-12, "%s = %g, expected %g", text,
              lp_value_as_float(v), want);
    lp_value_unref(v);
}

static void expect_bool(const char *text, bool want)
{
    lp_value *v = run(text);
    cr_assert_eq(lp_value_type(v), LP_BOOL, "%s: type %s", text, lp_vtype_name(lp_value_type(v)));
    cr_assert_eq(lp_value_as_bool(v), want, "%s: expected %d", text, want);
    lp_value_unref(v);
}

static void expect_string(const char *text, const char *want)
{
    lp_value *v = run(text);
    cr_assert_str_eq(lp_value_as_string(v), want, "%s", text);
    lp_value_unref(v);
}

/* Parse must fail with LP_ECONFIG at column `col` with `msg` in the message. */
static void expect_parse_error(const char *text, int col, const char *msg)
{
    lp_expr *e = (lp_expr *)1;
    int rc = lp_expr_parse(&e, text, NULL);
    cr_assert_eq(rc, LP_ECONFIG, "%s: rc %d", text, rc);
    cr_assert_null(e, "%s: out not NULL on error", text);
    const lp_error *err = lp_error_last();
    cr_assert_eq(err->col, col, "%s: col %d, expected %d (%s)", text, err->col, col, err->message);
    cr_assert(strstr(err->message, msg), "%s: message '%s' lacks '%s'", text, err->message, msg);
}

/* Eval must fail with LP_EINVAL, message containing msg, at column col. */
static void expect_eval_error(const char *text, int col, const char *msg)
{
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, text, NULL), 0, "parse %s: %s", text, lp_error_last()->message);
    lp_value *env = make_env(), *v = (lp_value *)1;
    int rc = lp_expr_eval(&v, e, env);
    cr_assert_eq(rc, LP_EINVAL, "%s: rc %d (%s)", text, rc, lp_error_last()->message);
    cr_assert_null(v, "%s: out not NULL on error", text);
    const lp_error *err = lp_error_last();
    cr_assert(strstr(err->message, msg), "%s: message '%s' lacks '%s'", text, err->message, msg);
    cr_assert_eq(err->col, col, "%s: col %d, expected %d", text, err->col, col);
    lp_value_unref(env);
    lp_expr_free(e);
}

Test(expr, literals)
{
    expect_int("42", 42);
    expect_float("2.5e1", 25.0);
    expect_string("\"a\\\"b\\\\c\"", "a\"b\\c");
    expect_string("'say \\'hi\\''", "say 'hi'");
    expect_bool("true", true);
    expect_bool("false", false);
    lp_value *v = run("null");
    cr_assert_eq(lp_value_type(v), LP_NULL);
    lp_value_unref(v);
}

Test(expr, precedence_and_arithmetic)
{
    expect_int("1 + 2 * 3", 7);
    expect_int("(1 + 2) * 3", 9);
    expect_int("10 - 4 - 3", 3); /* left-associative */
    expect_int("-2 * 3", -6);
    expect_int("7 % 3", 1);
    expect_int("- -5", 5);
    expect_float("7 / 2", 3.5); /* division always gives a float */
    expect_float("1 + 0.5", 1.5);
    expect_bool("1 + 1 == 2", true);
    expect_bool("not 1 > 2", true);               /* not binds looser than comparison */
    expect_bool("true or false and false", true); /* and binds tighter than or */
    expect_bool("(true or false) and false", false);
    expect_bool("not true or true", true);
    expect_string("'ab' + \"cd\"", "abcd");
}

Test(expr, comparisons)
{
    expect_bool("2 < 2.5", true);
    expect_bool("3 >= 3", true);
    expect_bool("'abc' < 'abd'", true);
    expect_bool("'ab' < 'abc'", true);
    expect_bool("1 == 1.0", true);
    expect_bool("'x' != 'x'", false);
    expect_bool("null == null", true);
    expect_bool("items == items", true);
    expect_bool("1 == 'a'", false);
    expect_bool("9007199254740993 > 9007199254740992", true); /* exact for ints */
}

Test(expr, short_circuit)
{
    expect_bool("false and 1/0", false);
    expect_bool("true or unknown_name", true);
    expect_bool("n > 5 and n < 20", true);
}

Test(expr, field_access_on_maps_and_lists)
{
    expect_float("result.metrics.valid.f1", 0.75);
    expect_float("RESULT.Metrics.VALID.F1", 0.75); /* keys ignore case */
    expect_bool("result.metrics.valid.f1 >= 0.7", true);
    expect_int("items[0] + items[3]", 4);
    expect_float("result['metrics'].valid['f1']", 0.75);
}

Test(expr, field_access_on_frames)
{
    lp_value *v = run("frame.b");
    lp_frame *f = lp_value_as_frame(v);
    cr_assert_not_null(f);
    cr_assert_eq(lp_frame_cols(f), 1);
    cr_assert_eq(lp_frame_rows(f), 4);
    cr_assert_str_eq(lp_frame_name(f, 0), "b");
    lp_value_unref(v);
}

Test(expr, functions)
{
    expect_int("rows(frame)", 4);
    expect_int("cols(frame)", 3);
    expect_int("cols(frame.a)", 1);
    expect_int("nulls(frame)", 2);
    expect_int("nulls(frame.s)", 0);
    expect_float("mean(frame.a)", 7.0 / 3.0); /* missing ignored */
    expect_int("min(frame.a)", 1);            /* int column stays int */
    expect_int("max(frame.a)", 4);
    expect_float("max(frame.b)", 2.5);
    expect_float("mean(frame.b)", 1.5);
    expect_int("distinct(frame.s)", 3);
    expect_int("distinct(frame.a)", 3);
    expect_int("distinct(items)", 3);
    expect_float("mean(items)", 7.0 / 4.0);
    expect_int("min(items)", 1);
    expect_int("len('héllo')", 5); /* code points */
    expect_int("len(items)", 4);
    expect_int("len(result)", 1);
    expect_int("abs(-3)", 3);
    expect_float("abs(-2.5)", 2.5);
    expect_bool("rows(frame) > 3 and result.metrics.valid.f1 >= 0.7", true);
}

Test(expr, parse_errors_name_expected_and_found)
{
    expect_parse_error("rows(result) >", 15, "expected an expression, found end of text");
    expect_parse_error("1 +", 4, "expected an expression, found end of text");
    expect_parse_error("(1 + 2", 7, "expected ')', found end of text");
    expect_parse_error("1 2", 3, "expected an operator or end of text, found number 2");
    expect_parse_error("a.", 3, "expected a field name after '.', found end of text");
    expect_parse_error("a = 1", 3, "use == to compare");
    expect_parse_error("'abc", 1, "unterminated string");
    expect_parse_error("'a\\qb'", 3, "unknown escape");
    expect_parse_error("1 < 2 < 3", 7, "comparisons cannot be chained");
    expect_parse_error("rows()", 6, "rows() takes 1 argument, found none");
    expect_parse_error("rows(a, b)", 7, "takes 1 argument, found more");
    expect_parse_error("99999999999999999999", 1, "too large");
    expect_parse_error("1 $ 2", 3, "unexpected character '$'");
    expect_parse_error("", 1, "expected an expression, found end of text");
}

Test(expr, unknown_function_suggests)
{
    expect_parse_error("1 + rwos(result)", 5, "unknown function 'rwos' (did you mean 'rows'?)");
    expect_parse_error("frobnicate(x)", 1, "unknown function 'frobnicate'");
    cr_assert_null(strstr(lp_error_last()->message, "did you mean"));
}

Test(expr, origin_shifts_location)
{
    lp_origin o = {
        .kind = LP_ORIGIN_FILE, .source = lp_origin_intern("wf.yaml"), .line = 7, .col = 12};
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, "rows(x) >", &o), LP_ECONFIG);
    const lp_error *err = lp_error_last();
    cr_assert_str_eq(err->file, "wf.yaml");
    cr_assert_eq(err->line, 7);
    cr_assert_eq(err->col, 12 + 9);
}

Test(expr, eval_errors_name_the_subexpression)
{
    expect_eval_error("1 + resutl.x", 5,
                      "`resutl`: unknown name 'resutl' (did you mean 'result'?)");
    expect_eval_error("result.metrics.vlid.f1", 1, "`result.metrics.vlid`: no field 'vlid'");
    expect_eval_error("n.x", 1, "cannot take field 'x' of a int");
    expect_eval_error("frame.zz", 1, "the frame has no column 'zz'");
    expect_eval_error("2 * (1 / 0)", 5, "`(1 / 0)`: division by zero");
    expect_eval_error("n % 0", 1, "division by zero");
    expect_eval_error("1 + 'a'", 1, "cannot apply an arithmetic operator to int and string");
    expect_eval_error("'a' < 1", 1, "cannot order string and int");
    expect_eval_error("items[4]", 1, "index 4 is out of range (list has 4 items)");
    expect_eval_error("n[0]", 1, "cannot index a int");
    expect_eval_error("1 and true", 1, "'and' needs a bool, `1` is a int");
    expect_eval_error("not n", 1, "'not' needs a bool");
    expect_eval_error("rows(n)", 1, "rows() does not take a int");
    expect_eval_error("mean(frame)", 1, "needs a frame with one column, this one has 3");
    expect_eval_error("mean(frame.s)", 1, "needs a numeric column, found string");
    expect_eval_error("9223372036854775807 + 1", 1, "integer overflow");
    expect_eval_error("-name", 1, "cannot negate a string");
}

Test(expr, depth_and_length_limits)
{
    char buf[LP_EXPR_MAX_LEN + 2];
    /* 63 parentheses inside the top level make 64 levels and parse; more do not */
    size_t k = 0;
    for (int i = 0; i < 63; i++)
        buf[k++] = '(';
    buf[k++] = '1';
    for (int i = 0; i < 63; i++)
        buf[k++] = ')';
    buf[k] = '\0';
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, buf, NULL), 0, "%s", lp_error_last()->message);
    lp_expr_free(e);
    k = 0;
    for (int i = 0; i < 200; i++)
        buf[k++] = '(';
    buf[k++] = '1';
    buf[k] = '\0';
    expect_parse_error(buf, 65, "nested too deeply (more than 64 levels)");
    /* a long chain of unary minus and of field accesses also hits the limit */
    memset(buf, '-', 100);
    strcpy(buf + 100, "1");
    expect_parse_error(buf, 64, "nested too deeply");
    strcpy(buf, "a");
    for (int i = 0; i < 100; i++)
        strcat(buf, ".b");
    expect_parse_error(buf, 1, "nested too deeply");
    memset(buf, ' ', LP_EXPR_MAX_LEN + 1);
    buf[0] = '1';
    buf[LP_EXPR_MAX_LEN + 1] = '\0';
    expect_parse_error(buf, 1, "longer than 4096 characters");
}

Test(expr, bad_arguments)
{
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(NULL, "1", NULL), LP_EINVAL);
    cr_assert_eq(lp_expr_parse(&e, NULL, NULL), LP_EINVAL);
    cr_assert_eq(lp_expr_parse(&e, "1", NULL), 0);
    lp_value *v = NULL, *list = lp_value_list();
    cr_assert_eq(lp_expr_eval(&v, e, list), LP_EINVAL);
    cr_assert_eq(lp_expr_eval(&v, e, NULL), 0); /* no env: fine for constant expressions */
    cr_assert_eq(lp_value_as_int(v), 1);
    lp_value_unref(v);
    lp_value_unref(list);
    lp_expr_free(e);
    lp_expr_free(NULL);
}

Test(expr, frame_rows_and_cols_properties)
{
    expect_int("frame.rows", 4); /* SPEC §8: result.rows > 500 */
    expect_int("frame.cols", 3);
    expect_bool("frame.rows > 3 and frame.cols == 3", true);
}

Test(expr, column_form_of_functions)
{
    expect_int("nulls(frame, 'a')", 1); /* SPEC §8: nulls(result, 'survived') == 0 */
    expect_int("nulls(frame, 'b')", 1);
    expect_int("nulls(frame, \"s\")", 0);
    expect_int("distinct(frame, 's')", 3);
    expect_float("mean(frame, 'b')", 1.5);
    expect_bool("max(frame, 'a') == max(frame.a)", true);
    expect_eval_error("nulls(frame, 'zz')", 14, "no column 'zz'");
    expect_eval_error("nulls(items, 'a')", 1, "needs a frame");
    expect_eval_error("nulls(frame, 3)", 14, "must be a string");
    expect_parse_error("rows(frame, 'a')", 11, "takes 1 argument, found more");
    expect_parse_error("nulls(frame, 'a', 'b')", 17, "at most 2 arguments");
}

Test(expr, missing_map_field_lists_the_fields)
{
    expect_eval_error("result.metric", 1, "did you mean 'metrics'");
    expect_eval_error("result.zzzzzz", 1, "fields: metrics");
}

/* lp_expr_explain names the values of a false comparison's sides. */
static char *explain(const char *text)
{
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, text, NULL), 0);
    lp_value *env = make_env();
    char *why = lp_expr_explain(e, env);
    lp_value_unref(env);
    lp_expr_free(e);
    return why;
}

Test(expr, explain_false_comparisons)
{
    char *why = explain("rows(frame) > 500");
    cr_assert_str_eq(why, "`rows(frame)` is 4");
    free(why);
    why = explain("n > 1 and result.metrics.valid.f1 >= n");
    cr_assert_str_eq(why, "`result.metrics.valid.f1` is 0.75, `n` is 10");
    free(why);
    cr_assert_null(explain("not true"));
}

Test(expr, uses_name)
{
    lp_expr *e = NULL;
    cr_assert_eq(lp_expr_parse(&e, "rows(result) > n and args.x", NULL), 0);
    cr_assert(lp_expr_uses_name(e, "result"));
    cr_assert(lp_expr_uses_name(e, "args"));
    cr_assert_not(lp_expr_uses_name(e, "x")); /* a field, not a name */
    cr_assert_not(lp_expr_uses_name(e, "config"));
    lp_expr_free(e);
}
