/*
 * types.c — the built-in component and pipeline types (SPEC §5, §6.1).
 *
 * Each entry is the contract checked by lp_registry_add_class: a class that
 * claims the type must implement every required method. The entries come
 * from builtin_types.def, the one table of the contracts (the scaffold of
 * `lolpop create` reads it too); only names, kinds, docs and method names
 * are kept here (arguments, required and optional, are the scaffold's and
 * the type headers' business: M drops them).
 */
#include <stddef.h>

#include "lolpop/type.h"
#include "internal.h"

#define M(name, ...)  name
#define REQUIRED(...) ((const char *const[]){__VA_ARGS__, NULL})
#define OPTIONAL(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_OPTIONAL   NULL
#define LP_CONTRACT(kind_, name_, doc_, required_, optional_)                                      \
    {.name = name_,                                                                                \
     .kind = LP_KIND_##kind_,                                                                      \
     .doc = doc_,                                                                                  \
     .methods = required_,                                                                         \
     .optional_methods = optional_},

LP_API const lp_type lp_builtin_types[] = {
#include "builtin_types.def"
    {.name = NULL},
};
