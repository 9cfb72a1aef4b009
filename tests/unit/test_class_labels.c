/*
 * test_class_labels.c — a classifier's class labels from its target column
 * (ml/class_labels.h), the one rule the back-ends and the checks made before
 * training share: sorted distinct non-missing values, numbers by value and
 * named as the model names them, texts by bytes; a timestamp has none.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lolpop.h"
#include "ml/class_labels.h"

static lp_frame *frame;

static void setup(void)
{
    static const char csv[] = "i,f,b,s\n"
                              "10,2.5,true,b\n"
                              "-1,0.1,false,a\n"
                              "10,,true,b\n"
                              ",2.5,,\n"
                              "2,1e300,false,B\n";
    cr_assert_eq(lp_csv_read_buffer(&frame, csv, strlen(csv), "labels.csv", NULL), 0, "%s",
                 lp_error_last()->message);
}

static void teardown(void)
{
    lp_frame_unref(frame);
}

TestSuite(class_labels, .init = setup, .fini = teardown);

/* The labels of column `name`, joined by '|'. */
static void expect_labels(const char *name, const char *want)
{
    lp_value *list = lp_class_labels(lp_frame_col_by_name(frame, name));
    cr_assert_not_null(list, "%s: %s", name, lp_error_last()->message);
    char got[256] = "";
    for (size_t i = 0; i < lp_list_len(list); i++) {
        if (i) strcat(got, "|");
        strcat(got, lp_value_as_string(lp_list_get(list, i)));
    }
    cr_assert_str_eq(got, want, "column %s", name);
    lp_value_unref(list);
}

Test(class_labels, integers_sort_by_value_and_skip_missing)
{
    expect_labels("i", "-1|2|10");
}

Test(class_labels, floats_are_named_by_their_shortest_text)
{
    expect_labels("f", "0.1|2.5|1e+300");
}

Test(class_labels, bools_are_false_then_true)
{
    expect_labels("b", "false|true");
}

Test(class_labels, texts_sort_by_bytes)
{
    expect_labels("s", "B|a|b");
}

Test(class_labels, a_timestamp_has_no_classes)
{
    static const char csv[] = "t\n2024-01-01\n2024-01-02\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", NULL), 0);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_TIMESTAMP);
    cr_assert_null(lp_class_labels(lp_frame_col(f, 0)));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    lp_frame_unref(f);
}

Test(class_labels, label_text_of_numbers)
{
    char *s = lp_class_label_text(LP_DT_INT64, 42);
    cr_assert_str_eq(s, "42");
    free(s);
    s = lp_class_label_text(LP_DT_FLOAT64, 1.0 / 3);
    cr_assert_str_eq(s, "0.3333333333333333");
    free(s);
    s = lp_class_label_text(LP_DT_BOOL, 1);
    cr_assert_str_eq(s, "true");
    free(s);
}

/* Each row's index among the labels of column `name`, '-' for NaN, joined. */
static void expect_indexes(const char *name, const char *want_labels, const char *want_rows)
{
    const lp_column *col = lp_frame_col_by_name(frame, name);
    double y[5];
    lp_value *list = NULL;
    cr_assert_eq(lp_class_encode(col, y, &list), 0, "%s: %s", name, lp_error_last()->message);
    char got[64] = "";
    for (size_t i = 0; i < col->length; i++) {
        char one[8];
        snprintf(one, sizeof one, "%s%s", i ? "," : "", y[i] != y[i] ? "-" : "");
        strcat(got, one);
        if (y[i] == y[i]) {
            snprintf(one, sizeof one, "%d", (int)y[i]);
            strcat(got, one);
        }
    }
    cr_assert_str_eq(got, want_rows, "column %s", name);
    size_t labels = 1;
    for (const char *p = want_labels; *p; p++)
        labels += *p == '|';
    cr_assert_eq(lp_list_len(list), labels);
    lp_value_unref(list);
    expect_labels(name, want_labels); /* the same labels as lp_class_labels */
}

Test(class_labels, every_row_is_encoded_as_its_class_index)
{
    expect_indexes("i", "-1|2|10", "2,0,2,-,1");
    expect_indexes("f", "0.1|2.5|1e+300", "1,0,-,1,2");
    expect_indexes("b", "false|true", "1,0,1,-,0");
    expect_indexes("s", "B|a|b", "2,1,2,-,0");
}

Test(class_labels, encoding_a_timestamp_is_an_error)
{
    static const char csv[] = "t\n2024-01-01\n2024-01-02\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", NULL), 0);
    double y[2];
    lp_value *list = NULL;
    cr_assert_eq(lp_class_encode(lp_frame_col(f, 0), y, &list), LP_EINVAL);
    cr_assert_null(list);
    lp_frame_unref(f);
}
