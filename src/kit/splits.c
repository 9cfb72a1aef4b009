/*
 * splits.c — a data splitter's result read back (include/lolpop/kit.h): the
 * frames of every split stacked, as a refit on all the data trains on them.
 * The train pipeline's refit and a trainer computing that refit ahead
 * (trainer_cv.c's prefit) must stack alike, or the fit made ahead would not
 * be the one asked for: hence one function.
 */
#include <stdio.h>

#include "kit/kit_internal.h"

LP_API int lp_kit_stack_splits(lp_frame **out, const lp_value *splits, const char *prefix)
{
    static const char *const names[] = {"train", "valid", "test"};
    lp_frame *all = NULL;
    *out = NULL;
    for (size_t i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "%s%s", prefix, names[i]);
        lp_frame *part = lp_value_as_frame(lp_map_get(splits, key));
        if (!part) continue;
        if (!all) {
            all = lp_frame_ref(part);
            continue;
        }
        lp_frame *next = NULL;
        int rc = lp_frame_concat(&next, all, part);
        lp_frame_unref(all);
        if (rc != 0) return rc;
        all = next;
    }
    *out = all;
    return 0;
}
