/*
 * no_requirements.c — the empty requirement list shared by the component
 * classes that need nothing (declared in components_internal.h).
 */
#include <stddef.h>

#include "components/components_internal.h"

const char *const lp_no_requirements[] = {NULL};
