/*
 * args.c — reading typed method arguments, shared by the component classes.
 */
#include "components/components_internal.h"
#include "lolpop/error.h"

lp_frame *lp_args_frame(const lp_value *args, const char *name)
{
    lp_value *v = lp_map_get(args, name);
    lp_frame *f = lp_value_as_frame(v);
    if (!f) /* The dispatcher's context already names Class.method. */
        lp_error_set(LP_EINVAL, "argument '%s' must be a data frame, got %s", name,
                     v ? lp_vtype_name(lp_value_type(v)) : "nothing");
    return f;
}
