/* version.c — the library version, from the build configuration. */
#include "internal.h"
#include "lolpop/version.h"
#include "lp_build_config.h"

LP_API const char *lp_version(void)
{
    return LP_VERSION;
}
