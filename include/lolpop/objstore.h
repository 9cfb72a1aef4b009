/*
 * objstore.h — a content-addressed object store (SPEC §7): the versioned
 * bytes of datasets, models, transformers and reports.
 *
 * An object is named by the lower-case hex SHA-256 of its (uncompressed)
 * content and lives at <dir>/objects/<first 2 hex>/<remaining 62 hex>,
 * zstd-compressed behind a 16-byte header:
 *
 *   "LPOB"  u8 format version (1)  u8 codec (1 = zstd)  u16 reserved (0)
 *   u64 uncompressed length (little-endian)
 *
 * The same content is stored once (a put of an existing object writes
 * nothing). Writes are atomic: a temp file ".tmp-<pid>-<random>" in the same
 * directory, fsync, rename; a crash leaves only a temp file, which never
 * counts as an object. Two processes putting the same object at once both
 * succeed. Reads decompress, re-hash and compare: corrupt data is never
 * returned. Hex names are validated (64 lower-case hex digits) before any
 * path is built.
 *
 * Ownership: lp_objstore_open returns a new store (free with
 * lp_objstore_close); lp_objstore_get and lp_objstore_path return new
 * malloc'ed buffers the caller frees; everything else borrows.
 */
#ifndef LOLPOP_OBJSTORE_H
#define LOLPOP_OBJSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_objstore lp_objstore;

/* Opens (creating when missing) the store rooted at `dir`: objects go to
 * dir/objects. 0 or LP_EIO/LP_ENOMEM/LP_EINVAL. */
int lp_objstore_open(lp_objstore **out, const char *dir);
void lp_objstore_close(lp_objstore *store);

/* Stores len bytes (borrowed; NULL allowed when len is 0) and writes the
 * object's hex name (64 chars + NUL) to out_hex. 0 or a negative code. */
int lp_objstore_put(lp_objstore *store, const void *bytes, size_t len, char out_hex[65]);

/* Stores frame f's lp_frame_serialize bytes as lp_objstore_put does, writing
 * the object's hex name to out_hex and the byte count to *len (may be NULL).
 * The name is remembered on the frame (frames do not change once shared), so
 * storing the same frame again, in this store or another, serialises and
 * hashes nothing when the object is there. f borrowed. 0 or a negative code. */
int lp_objstore_put_frame(lp_objstore *store, const lp_frame *f, char out_hex[65], size_t *len);
/* Reads object `hex` into a new buffer (*out, caller frees; never NULL on
 * success, even for an empty object) of *len bytes. LP_ENOTFOUND when absent,
 * LP_EIO when the file is damaged or its content does not match its name
 * (the message names the object and both hashes), LP_EINVAL for a bad name. */
int lp_objstore_get(lp_objstore *store, const char *hex, uint8_t **out, size_t *len);

/* True when object `hex` is stored (false for an invalid name). */
bool lp_objstore_has(const lp_objstore *store, const char *hex);

/* The file path of object `hex` ("<dir>/objects/ab/cdef..."), whether or not
 * it exists: a new string in *out (caller frees). LP_EINVAL for a bad name. */
int lp_objstore_path(const lp_objstore *store, const char *hex, char **out);

/* True when `hex` is a valid object name: exactly 64 lower-case hex digits. */
bool lp_objstore_valid_hex(const char *hex);

#ifdef __cplusplus
}
#endif
#endif
