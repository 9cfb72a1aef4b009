/*
 * args.c — named method arguments with clear errors (include/lolpop/kit.h),
 * shared by the built-in classes and offered to plugins.
 */
#include "kit/kit_internal.h"

/* "who: " before a message, or nothing without `who`. */
#define WHO_FMT       "%s%s"
#define WHO_ARGS(who) (who) ? (who) : "", (who) ? ": " : ""

static lp_value *missing(const char *name, const char *who)
{
    lp_error_set(LP_EINVAL, WHO_FMT "argument '%s' is missing", WHO_ARGS(who), name);
    return NULL;
}

/* The error of an argument that is absent or of another type than `want`. */
static void wrong_type(const lp_value *v, const char *name, const char *who, const char *want)
{
    lp_error_set(LP_EINVAL, WHO_FMT "argument '%s' must be %s, got %s", WHO_ARGS(who), name, want,
                 v ? lp_vtype_name(lp_value_type(v)) : "nothing");
}

LP_API lp_value *lp_kit_arg(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    return v ? v : missing(name, who);
}

LP_API lp_value *lp_kit_arg_nonnull(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    return v && lp_value_type(v) != LP_NULL ? v : missing(name, who);
}

LP_API lp_value *lp_kit_arg_opt(const lp_value *args, const char *name)
{
    lp_value *v = lp_map_get(args, name);
    return lp_value_type(v) == LP_NULL ? NULL : v;
}

LP_API lp_frame *lp_kit_arg_frame(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    lp_frame *f = lp_value_as_frame(v);
    if (!f) wrong_type(v, name, who, "a data frame");
    return f;
}

LP_API const char *lp_kit_arg_string(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    const char *s = lp_value_as_string(v);
    if (!s) wrong_type(v, name, who, "a string");
    return s;
}

LP_API lp_value *lp_kit_arg_map(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    if (lp_value_type(v) == LP_MAP) return v;
    wrong_type(v, name, who, "a map");
    return NULL;
}

LP_API lp_model *lp_kit_arg_model(const lp_value *args, const char *name, const char *who)
{
    lp_value *v = lp_map_get(args, name);
    lp_model *m = lp_value_as_model(v);
    if (!m) wrong_type(v, name, who, "a model");
    return m;
}
