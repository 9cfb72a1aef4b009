/* no_entry.c — a valid shared object without the `lolpop_plugin` entry point. */
#include "lolpop.h"

int lp_test_no_entry_marker(void);

__attribute__((visibility("default"))) int lp_test_no_entry_marker(void)
{
    return 42;
}
