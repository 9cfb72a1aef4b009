/*
 * linear_api.h — liblinear, loaded on first use (core/lazylib.h): it is C++
 * inside and brings libstdc++ and BLAS with it.
 *
 * linear.c includes this header instead of <linear.h>: each liblinear name it
 * calls then means the function pointer of the same name in lp_linear_fn.
 * lp_linear_train and the back-end's load call lp_linear_require() first.
 */
#ifndef LP_ML_LINEAR_API_H
#define LP_ML_LINEAR_API_H

#include <linear.h>

#include "core/internal.h"

#define LP_LINEAR_FUNCTIONS(X)                                                                     \
    X(check_parameter)                                                                             \
    X(free_and_destroy_model)                                                                      \
    X(predict_probability)                                                                         \
    X(predict_values)                                                                              \
    X(set_print_string_function)                                                                   \
    X(train)

#define LP_LINEAR_FIELD(name) __typeof__(name) *name;
typedef struct lp_linear_fns {
    LP_LINEAR_FUNCTIONS(LP_LINEAR_FIELD)
} lp_linear_fns;
#undef LP_LINEAR_FIELD

extern lp_linear_fns lp_linear_fn;

/* Loads liblinear once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_linear_require(void);

#ifndef LP_LINEAR_API_IMPL
#define check_parameter           lp_linear_fn.check_parameter
#define free_and_destroy_model    lp_linear_fn.free_and_destroy_model
#define predict_probability       lp_linear_fn.predict_probability
#define predict_values            lp_linear_fn.predict_values
#define set_print_string_function lp_linear_fn.set_print_string_function
#define train                     lp_linear_fn.train
#endif

#endif
