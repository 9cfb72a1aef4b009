/*
 * value.h — dynamically typed, reference-counted values.
 *
 * Arguments and results of every method, and the whole configuration document,
 * are lp_values: null, bool, int (int64), float (double), string (UTF-8,
 * length-counted), list, ordered map (keys compared case-insensitively), and
 * handles (a typed pointer to a frame, model or resource).
 *
 * Ownership: constructors return a new reference (refcount 1). Containers take
 * ownership of the items given to them (lp_list_append, lp_map_set). Getters
 * (lp_list_get, lp_map_get) return borrowed pointers valid while the container
 * lives. A value shared by two owners must not be mutated.
 *
 * Values parsed from configuration carry an origin: where the value came from
 * (file:line:col, an environment variable, a class default, a --set option).
 */
#ifndef LOLPOP_VALUE_H
#define LOLPOP_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_vtype {
    LP_NULL,
    LP_BOOL,
    LP_INT,
    LP_FLOAT,
    LP_STRING,
    LP_LIST,
    LP_MAP,
    LP_HANDLE
} lp_vtype;

typedef enum lp_origin_kind {
    LP_ORIGIN_NONE,    /* built by code */
    LP_ORIGIN_FILE,    /* source = file path, line/col set */
    LP_ORIGIN_ENV,     /* source = environment variable name */
    LP_ORIGIN_DEFAULT, /* source = class name whose defaults gave it */
    LP_ORIGIN_SET      /* source = the --set option text */
} lp_origin_kind;

/* Where a value came from. `source` is a borrowed, interned string that lives
 * as long as any value referring to it (see lp_origin_intern). */
typedef struct lp_origin {
    lp_origin_kind kind;
    const char *source;
    int line, col; /* 1-based, 0 when unknown */
    /* Non-zero when the value holds text read from the environment through
     * ${VAR}: a secret, possibly. Printers (config show) hide such values. */
    unsigned char from_env;
} lp_origin;

/* Interns `s` for use as lp_origin.source. The string lives until the process
 * exits; interning is thread-safe and idempotent. Returns NULL on OOM. */
const char *lp_origin_intern(const char *s);
/* "file:line:col", "env NAME", "default (Class)", "--set k=v" (new string). */
char *lp_origin_format(const lp_origin *o);

/* Describes the pointer inside a handle value. All callbacks but free may be NULL. */
typedef struct lp_handle_type {
    const char *name;                        /* "frame", "model", ... */
    void (*free)(void *ptr);                 /* called when the last reference goes */
    int (*hash)(void *ptr, uint8_t out[32]); /* content hash, for caching and versioning */
    char *(*describe)(void *ptr);            /* one line, new string */
    uint32_t abi_version;                    /* layout version; leave 0 (see abi.h) */
} lp_handle_type;

typedef struct lp_value lp_value;

/* Constructors: each returns a new reference, or NULL on OOM (last error set). */
lp_value *lp_value_null(void);
lp_value *lp_value_bool(bool b);
lp_value *lp_value_int(int64_t i);
lp_value *lp_value_float(double d);
lp_value *lp_value_string(const char *s);            /* copies s */
lp_value *lp_value_stringn(const char *s, size_t n); /* copies n bytes; may hold NUL */
lp_value *lp_value_list(void);
lp_value *lp_value_map(void);
/* Takes ownership of ptr (freed with type->free on failure); type must
 * outlive the value (usually static). NULL, last error set, on OOM or for a
 * type of an ABI this lolpop does not read (abi.h). */
lp_value *lp_value_handle(const lp_handle_type *type, void *ptr);

/* Reference counting. Both accept NULL. ref returns v. */
lp_value *lp_value_ref(lp_value *v);
void lp_value_unref(lp_value *v);

lp_vtype lp_value_type(const lp_value *v); /* LP_NULL for a NULL pointer */
const char *lp_vtype_name(lp_vtype t);     /* "null", "bool", ... (static) */
const lp_origin *lp_value_origin(const lp_value *v);
void lp_value_set_origin(lp_value *v, const lp_origin *o);

/* Scalar access. Return false / 0 / NULL when the type does not match. */
bool lp_value_as_bool(const lp_value *v);
int64_t lp_value_as_int(const lp_value *v);
double lp_value_as_float(const lp_value *v);       /* ints widen to double */
const char *lp_value_as_string(const lp_value *v); /* borrowed, NUL-terminated */
size_t lp_value_string_len(const lp_value *v);
void *lp_value_handle_ptr(const lp_value *v, const lp_handle_type *expected); /* NULL on mismatch */
const lp_handle_type *lp_value_handle_type(const lp_value *v);

/* Lists. get borrows; append/set take ownership of item (even on failure). */
size_t lp_list_len(const lp_value *list);
lp_value *lp_list_get(const lp_value *list, size_t i);
int lp_list_append(lp_value *list, lp_value *item);
int lp_list_set(lp_value *list, size_t i, lp_value *item);

/* Ordered maps, keys unique ignoring ASCII case; insertion order kept.
 * lp_map_set replaces the value of an existing key in place (keeping its
 * position and the original key spelling) and takes ownership of val. */
size_t lp_map_len(const lp_value *map);
const char *lp_map_key(const lp_value *map, size_t i); /* borrowed */
lp_value *lp_map_value(const lp_value *map, size_t i); /* borrowed */
const lp_origin *lp_map_key_origin(const lp_value *map, size_t i);
lp_value *lp_map_get(const lp_value *map, const char *key); /* borrowed, NULL if absent */
int lp_map_set(lp_value *map, const char *key, lp_value *val);
int lp_map_set_with_origin(lp_value *map, const char *key, const lp_origin *key_origin,
                           lp_value *val);
bool lp_map_remove(lp_value *map, const char *key);

/* Deep copy (handles are shared by reference, origins kept). New reference. */
lp_value *lp_value_copy(const lp_value *v);
/* Structural equality (ints and floats compare by number; handles by pointer). */
bool lp_value_equal(const lp_value *a, const lp_value *b);
/* Compact JSON-like one-line rendering, for logs and messages (new string). */
char *lp_value_to_string(const lp_value *v);

/* Convenience: map builders that return the map itself (takes ownership of val). */
static inline lp_value *lp_map_put(lp_value *map, const char *key, lp_value *val)
{
    lp_map_set(map, key, val);
    return map;
}

#ifdef __cplusplus
}
#endif
#endif
