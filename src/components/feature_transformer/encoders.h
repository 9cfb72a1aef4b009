/*
 * encoders.h — one fitted column encoding of LocalFeatureTransformer (not
 * public API).
 *
 * An encoder is one (transformer, column) pair of the configuration: it is
 * fitted on one training column and then replaces that column of any frame by
 * its output columns (one, or one per category for OneHotEncoder). Numbers
 * follow scikit-learn 1.2's estimators of the same name, so that fixtures
 * computed with it match to 1e-12 (see tests/fixtures/gen_features.py).
 */
#ifndef LP_FT_ENCODERS_H
#define LP_FT_ENCODERS_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/frame.h"
#include "lolpop/value.h"

typedef enum lp_enc_kind {
    LP_ENC_ONEHOT,
    LP_ENC_ORDINAL,
    LP_ENC_MINMAX,
    LP_ENC_STANDARD,
    LP_ENC_IMPUTER
} lp_enc_kind;

/* What a categorical encoder's categories are (from the fitted column's type). */
typedef enum lp_cat_kind { LP_CAT_STRING, LP_CAT_INT, LP_CAT_FLOAT, LP_CAT_BOOL } lp_cat_kind;

typedef enum lp_impute_strategy {
    LP_IMPUTE_MEAN,
    LP_IMPUTE_MEDIAN,
    LP_IMPUTE_MOST_FREQUENT,
    LP_IMPUTE_CONSTANT
} lp_impute_strategy;

/* Parameters from the configuration (validated by lp_enc_params_parse). */
typedef struct lp_enc_params {
    lp_enc_kind kind;
    long max_categories;         /* OneHotEncoder; 0 = no cap */
    bool unknown_error;          /* OneHotEncoder: handle_unknown: error */
    double unknown_value;        /* OrdinalEncoder, default -1 */
    double range_min, range_max; /* MinMaxScaler feature_range */
    lp_impute_strategy strategy; /* SimpleImputer */
    lp_value *fill_value;        /* SimpleImputer constant (new reference) or NULL */
} lp_enc_params;

/* Sorted categories of a categorical encoder. Missing values, when the
 * training column had some, form a last category named "nan" (as sklearn). */
typedef struct lp_categories {
    lp_cat_kind kind;
    size_t n;    /* categories, not counting the missing one */
    char **str;  /* LP_CAT_STRING: n byte strings (NUL-terminated copies)... */
    size_t *len; /* ...and their lengths */
    double *num; /* numeric kinds: n values, ascending */
    bool has_missing;
} lp_categories;

typedef struct lp_encoder {
    lp_enc_kind kind;
    char *column;
    lp_enc_params params;
    lp_categories cats; /* OneHotEncoder, OrdinalEncoder */
    /* OneHotEncoder: output slot of category i (i == cats.n: the missing one),
     * slots in output order; infrequent categories share the last slot. */
    size_t *slot;
    size_t n_slots;
    bool has_other;
    /* scalers: MinMax y = x * a + b (a = scale_, b = min_);
     * Standard y = (x - a) / b (a = mean_, b = scale_) */
    double a, b;
    /* SimpleImputer: the value that replaces missing ones */
    bool fill_is_string;
    double fill_num;
    char *fill_str;
} lp_encoder;

/* The transformer names, as configured ("OneHotEncoder", ...). */
const char *lp_enc_kind_name(lp_enc_kind k);
/* Parses a name; false when unknown. */
bool lp_enc_kind_parse(const char *name, lp_enc_kind *out);
extern const char *const lp_enc_kind_names[]; /* NULL-terminated */

/* Validates `params` (a map or NULL) for `kind`. `where` prefixes messages
 * ("LocalFeatureTransformer (ft): transformers[0] (OneHotEncoder)"). 0 or
 * LP_ECONFIG with the last error set. out->fill_value is a new reference. */
int lp_enc_params_parse(lp_enc_params *out, lp_enc_kind kind, const lp_value *params,
                        const char *where);

/* Fits a new encoder of `column` of f. 0 or an error naming the column
 * (a missing one suggests the closest). *out is owned by the caller (lp_encoder_free). */
int lp_encoder_fit(lp_encoder **out, const lp_enc_params *params, const char *column,
                   const lp_frame *f);
/* New frame: f with the encoder's column replaced by its output columns in
 * place. Errors: the column is missing (suggests the closest), a value of the
 * wrong kind, an unknown category with handle_unknown: error. */
int lp_encoder_apply(lp_frame **out, const lp_encoder *e, const lp_frame *f);
void lp_encoder_free(lp_encoder *e);
/* Sets the error for a column f lacks, suggesting the closest name; returns LP_ENOTFOUND. */
int lp_encoder_missing_column(const lp_frame *f, const char *column);
/* Gives one-hot category i (the missing one last) its output slot from the
 * infrequent flags: frequent ones in sorted order, then one shared "other". */
int lp_onehot_assign_slots(lp_encoder *e, const bool *infrequent);

/* Serialisation of a fitted encoder (jansson objects, see encoder_json.c). */
struct json_t;
struct json_t *lp_encoder_to_json(const lp_encoder *e);
int lp_encoder_from_json(lp_encoder **out, struct json_t *j, size_t index);

/* ---- categories (categories.c) ------------------------------------------- */

/* lp_categories_find's answers besides an index. */
#define LP_CAT_UNKNOWN (-1L)
#define LP_CAT_MISSING (-2L)

/* Collects the distinct non-missing values of col (named `column` in errors),
 * sorted as numpy sorts them (bytes for strings, numbers ascending). When
 * counts is not NULL it receives a malloc'ed array of their frequencies, and
 * *n_missing the number of missing values (NaN counts as missing). */
int lp_categories_fit(lp_categories *out, size_t **counts, size_t *n_missing, const lp_column *col,
                      const char *column);
/* Checks that col holds values of the kind c was fitted on (strings vs numbers). */
int lp_categories_check(const lp_categories *c, const lp_column *col, const char *column);
/* Index of row i's value among the categories, LP_CAT_MISSING or LP_CAT_UNKNOWN. */
long lp_categories_find(const lp_categories *c, const lp_column *col, size_t i);
/* Category i as text, as sklearn's feature names show it ("male", "3", "22.0",
 * "True"; i == n: "nan"). New string or NULL on OOM. */
char *lp_categories_label(const lp_categories *c, size_t i);
void lp_categories_free(lp_categories *c);

/* numpy-compatible helpers (encoders_math.c). */
/* Sum of x[0..n) as numpy's add.reduce: x[0] + pairwise sum of the rest. */
double lp_np_sum(const double *x, size_t n);
/* Formats a double as Python's repr() does ("22.0", "0.42", "1e-05"). */
void lp_py_repr(double v, char *buf, size_t size);

#endif
