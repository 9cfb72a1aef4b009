/*
 * frame_internal.h — helpers shared by the frame implementation files
 * (column.c, column_builder.c, frame*.c). Not installed, not public API.
 */
#ifndef LP_FRAME_INTERNAL_H
#define LP_FRAME_INTERNAL_H

#include "data/bits.h" /* lp_mix64 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/frame.h"

/* Row index meaning "no row": lp_column_take_opt makes the value missing. */
#define LP_ROW_NONE SIZE_MAX

/* Bytes of a validity bitmap for n values. */
static inline size_t lp_bitmap_bytes(size_t n)
{
    return (n + 7) / 8;
}
static inline void lp_bit_clear(uint8_t *bm, size_t i)
{
    bm[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}
static inline void lp_bit_set(uint8_t *bm, size_t i)
{
    bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* An empty column struct of `type`/`length` with no arrays allocated (the
 * caller fills data and validity). New reference; NULL on OOM (error set). */
lp_column *lp_column_shell(lp_dtype type, size_t length);
/* A string column of `length` values whose bytes buffer holds `nbytes` bytes
 * (offsets zeroed, bytes uninitialised). New reference; NULL on OOM. */
lp_column *lp_column_new_string(size_t length, size_t nbytes);
/* Like lp_column_take but an index equal to LP_ROW_NONE yields a missing
 * value (for left joins). Indices must be < col->length otherwise. */
lp_column *lp_column_take_opt(const lp_column *col, const size_t *idx, size_t n);
/* Recounts null_count from the bitmap and drops an all-valid bitmap. */
void lp_column_fix_validity(lp_column *col);
/* A string column equal to category column `col` (values materialised). */
lp_column *lp_column_category_to_string(const lp_column *col);
/* Two columns appended: same type, or promotable (see lp_frame_concat).
 * `name` is used in error messages. New reference via *out. */
int lp_column_concat(lp_column **out, const lp_column *a, const lp_column *b, const char *name);

/* FNV-1a-like 64-bit hash of bytes, mixed (for hash maps, not for content hashing). */
uint64_t lp_bytes_hash(const char *s, size_t len);

/* Open-addressing set of strings identified by dense ids 0..count-1; the
 * strings themselves live in a caller-owned offsets/bytes pair (the layout of
 * a string column), passed to every call because it may move as it grows. */
typedef struct lp_strmap {
    uint32_t *slots; /* id + 1, 0 = empty */
    size_t cap;      /* power of two */
    size_t count;
} lp_strmap;
int lp_strmap_init(lp_strmap *m, size_t expected);
void lp_strmap_free(lp_strmap *m);
/* Id of the string s/len among ids < m->count, or -1. */
long lp_strmap_find(const lp_strmap *m, const int64_t *offsets, const char *bytes, const char *s,
                    size_t len, uint64_t h);
/* Registers id m->count (whose bytes the caller already stored at
 * offsets[count]..offsets[count+1]) under hash h. 0 or LP_ENOMEM. */
int lp_strmap_add(lp_strmap *m, const int64_t *offsets, const char *bytes, uint64_t h);

/* A hash index from C strings to numbers (name_index.c). Keys are borrowed:
 * they must stay alive and unchanged while indexed. Zero-initialise to start. */
typedef struct lp_name_slot {
    const char *key; /* NULL: empty */
    uint64_t hash;
    size_t value;
} lp_name_slot;
typedef struct lp_name_index {
    lp_name_slot *slots;
    size_t cap, count; /* cap: a power of two, or 0 */
} lp_name_index;
void lp_name_index_free(lp_name_index *x);
/* Whether key is indexed; its value into *value (may be NULL). */
bool lp_name_index_get(const lp_name_index *x, const char *key, size_t *value);
/* Sets key's value (adds the key when new). 0 or LP_ENOMEM. */
int lp_name_index_put(lp_name_index *x, const char *key, size_t value);
/* Adds key with value unless it is indexed already (the first value stays,
 * as a scan would find it). 0 or LP_ENOMEM. */
int lp_name_index_add(lp_name_index *x, const char *key, size_t value);

/* Frames with at least this many columns keep a name index (few columns are
 * found faster by scanning). */
#define LP_FRAME_INDEX_MIN 32

/* A frame: named columns of equal length. Columns are shared (refcounted). */
struct lp_frame {
    int refs;
    size_t rows, ncols, cap;
    char **names;
    lp_column **cols;
    lp_name_index index; /* name -> first position, once ncols >= LP_FRAME_INDEX_MIN */
    size_t indexed;      /* names 0..indexed-1 are in index (0: none, look-ups scan) */
    /* lp_frame_hash's digest, remembered by its first call (frames do not
     * change once shared; lp_frame_push forgets it). hash_state: 0 unknown,
     * 1 being stored by one thread, 2 stored in hash[]. */
    _Atomic int hash_state;
    uint8_t hash[32];
    /* The object-store name (SHA-256 hex) and length of the frame's
     * lp_frame_serialize bytes, remembered by the first store of the frame
     * (frame_object.h); same states as hash_state, forgotten by lp_frame_push. */
    _Atomic int object_state;
    char object_hex[65];
    size_t object_len;
    /* The number of rows that repeat an earlier row, remembered by the first
     * count (frame_dups.h); same states as hash_state, forgotten by lp_frame_push. */
    _Atomic int dups_state;
    size_t dups;
    /* One object a consumer derived from the frame and keeps for its next
     * use (frame_memo.h), freed with the frame or when lp_frame_push
     * changes it. Guarded by frame_memo.c's lock. */
    const void *memo_owner;
    void *memo;
    void (*memo_free)(void *);
    /* The frame is rows of another frame's columns (frame_origin.h): set
     * by the splitter, read by step recording; forgotten by lp_frame_push. */
    struct lp_frame_origin *origin;
};
/* A frame with room for `cap` columns and `rows` rows (no columns yet). */
lp_frame *lp_frame_with_capacity(size_t rows, size_t cap);
/* Appends a column without checks (name copied, col owned). 0 or LP_ENOMEM. */
int lp_frame_push(lp_frame *f, const char *name, lp_column *col);

/* Error "unknown column 'x' in <what> (did you mean 'y'?)"; returns LP_ENOTFOUND. */
int lp_frame_unknown_column(const lp_frame *f, const char *name, const char *what);

/* Parses ISO 8601 "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[:]MM]" into
 * microseconds since the epoch (UTC). false when malformed. */
bool lp_parse_timestamp(const char *s, size_t len, int64_t *out);
/* Formats microseconds as "YYYY-MM-DDTHH:MM:SS[.ffffff]" into buf (>= 40
 * bytes); returns the length. */
size_t lp_format_timestamp(int64_t us, char *buf, size_t cap);

/* A column name f does not hold yet, for a query result's columns: `first`
 * when it is free, else "<stem>_2", "<stem>_3", ... New string (NULL on OOM). */
char *lp_frame_unused_name(const lp_frame *f, const char *first, const char *stem);

#endif
