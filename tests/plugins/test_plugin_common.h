/* test_plugin_common.h — a do-nothing logger method shared by the test plugins. */
#ifndef LP_TEST_PLUGIN_COMMON_H
#define LP_TEST_PLUGIN_COMMON_H
#include "lolpop.h"

static inline lp_value *test_plugin_noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}
#endif
