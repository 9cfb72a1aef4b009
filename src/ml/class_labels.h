/* class_labels.h — a classifier's class labels from a target column, one rule
 * for every back-end and for checks made before training: the sorted distinct
 * non-missing values (numbers by value, texts by bytes, as scikit-learn's
 * LabelEncoder), each named as the model names it (lp_class_label_text). */
#ifndef LP_ML_CLASS_LABELS_H
#define LP_ML_CLASS_LABELS_H

#include <stddef.h>

#include "lolpop/frame.h"
#include "lolpop/value.h"

/* A text value in a column (borrowed from the column). */
typedef struct lp_text_span {
    const char *s;
    size_t len;
} lp_text_span;

/* The label of a numeric class value v of a column of type t: "true"/"false",
 * an integer, or the shortest text that reads back as v. New string or NULL. */
char *lp_class_label_text(lp_dtype t, double v);

/* Sorted distinct non-missing texts of a string/category column: *out a
 * malloc'ed array of *n spans into col (valid while col lives). */
int lp_distinct_texts(lp_text_span **out, size_t *n, const lp_column *col);

/* Sorted distinct values of a numeric column (missing rows skipped): *out a
 * malloc'ed array of *n doubles. */
int lp_distinct_numbers(double **out, size_t *n, const lp_column *col);

/* The class labels of col as a list of strings (new ref), or NULL with the
 * last error set. A timestamp column has no classes (LP_EINVAL). */
lp_value *lp_class_labels(const lp_column *col);

/* The class labels of col in *labels (a new list of strings) and, unless y is
 * NULL, each row's index among them into y[0..col->length) (NaN for a missing
 * row). A timestamp column has no classes (LP_EINVAL). */
int lp_class_encode(const lp_column *col, double *y, lp_value **labels);

#endif
