/*
 * class.c — read-only queries on integration class descriptors (class.h).
 */
#include <string.h>

#include "lolpop/class.h"
#include "internal.h"

/* Static name of a kind; "unknown" for a value outside the enum (a corrupt
 * descriptor from a plugin must not crash a message that names it). */
LP_API const char *lp_kind_name(lp_kind k)
{
    switch (k) {
    case LP_KIND_COMPONENT:
        return "component";
    case LP_KIND_PIPELINE:
        return "pipeline";
    case LP_KIND_RUNNER:
        return "runner";
    }
    return "unknown";
}

/* Borrowed method of that exact (case-sensitive) name, or NULL. */
LP_API const lp_method *lp_class_method(const lp_class *cls, const char *name)
{
    if (!cls || !cls->methods || !name) return NULL;
    for (const lp_method *m = cls->methods; m->name; m++)
        if (strcmp(m->name, name) == 0) return m;
    return NULL;
}

/* Borrowed documented key matched ignoring ASCII case (config keys are
 * case-insensitive everywhere, SPEC §3), or NULL. */
LP_API const lp_config_key *lp_class_config_key(const lp_class *cls, const char *name)
{
    if (!cls || !cls->config_keys || !name) return NULL;
    for (const lp_config_key *k = cls->config_keys; k->name; k++)
        if (lp_streq_nocase(k->name, name)) return k;
    return NULL;
}
