/*
 * frame_io.h — a compact, versioned binary encoding of frames, so that
 * datasets can be stored in the object store and read back exactly.
 *
 * Round trips are exact: deserialize(serialize(f)) hashes like f
 * (lp_frame_hash), and serialize(deserialize(x)) == x byte for byte for any x
 * that deserialize accepts (the encoding is canonical, and deserialize
 * rejects every non-canonical or inconsistent input). The deserializer treats
 * its input as untrusted: it checks every length, offset, code, flag and
 * UTF-8 sequence and never reads outside [data, data + len).
 *
 * Format (all integers little-endian):
 *
 *   magic "LPFRAME\0" (8 bytes)  u32 version (1)  u32 flags (0)
 *   u64 columns  u64 rows
 *   per column:
 *     u32 name length, name bytes (UTF-8, no NUL, unique in the frame)
 *     u8 type: 0 float64, 1 int64, 2 bool, 3 string, 4 category, 5 timestamp
 *     u8 validity: 0 = no missing values, 1 = a bitmap follows
 *     [ceil(rows/8) bitmap bytes: bit i (LSB first) set = row i present;
 *      unused bits zero; at least one row missing]
 *     data:
 *       float64, int64, timestamp: rows × 8 bytes (float64 bits kept as they are)
 *       bool: rows bytes, each 0 or 1
 *       string: (rows + 1) × i64 offsets (first 0, non-decreasing), then
 *               offsets[rows] bytes; every value valid UTF-8
 *       category: rows × i32 codes (each in [0, dictionary size) where the
 *                 row is present, 0 where missing), u64 dictionary size d,
 *                 then a string payload of d distinct values as above
 *   nothing after the last column
 *
 * Ownership: lp_frame_serialize returns a new malloc'ed buffer (caller frees);
 * lp_frame_deserialize returns a new frame reference; inputs are borrowed.
 */
#ifndef LOLPOP_FRAME_IO_H
#define LOLPOP_FRAME_IO_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encodes f into *out (*len bytes). Fails (LP_EINVAL naming the column and
 * row) on a string that is not valid UTF-8 or a category code outside its
 * dictionary, LP_ENOMEM on OOM. */
int lp_frame_serialize(const lp_frame *f, uint8_t **out, size_t *len);

/* Decodes len bytes at data. LP_EINVAL with a message naming the byte offset
 * and what is wrong (and the column) on any malformed input. */
int lp_frame_deserialize(lp_frame **out, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
