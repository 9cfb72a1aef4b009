/*
 * value_codec.h — any result value as bytes and back, for the result cache
 * (SPEC §7): null, bool, int, float, string, list, map, frame and model.
 *
 * The bytes are a small JSON envelope, {"format": "lpvalue1", "value": V},
 * where V mirrors the value: null, true/false, integers, reals (NaN and the
 * infinities as {"$float": "nan" | "inf" | "-inf"}), strings (a string that
 * JSON cannot hold — invalid UTF-8 — as {"$bytes": "<base64>"}), arrays and
 * objects. Frames and models are not inlined: each is put into the object
 * store as its own object — the frame's lp_frame_serialize bytes, the model's
 * lp_model_save bytes, the very bytes LocalResourceVersionControl stores, so
 * a frame that was also versioned is stored once — and V holds
 * {"$frame": "<object hash>"} or {"$model": "<object hash>"}. A frame that
 * remembers being rows of another frame (a split, data/frame_origin.h) is
 * {"$rows": {"of": "<parent's object hash>", "rows": "<object hash of the row
 * list: little-endian uint32s>", "columns": [names]}}: the parent is stored
 * (once), the split's own bytes never are; decoding takes the same rows of
 * the same columns, the identical frame. Values written before $rows existed
 * ($frame only) read as before. A map key that
 * starts with '$' is written with one more '$', so no map is ever read as a
 * tag. Origins of values are not kept.
 *
 * Decoding treats its input as untrusted: any malformed envelope, unknown tag
 * or missing, damaged or undecodable object is an error (LP_EINVAL, or the
 * object store's LP_ENOTFOUND / LP_EIO), never a wrong value.
 *
 * Ownership: encode returns a new malloc'ed buffer (caller frees); decode
 * returns a new reference; every input is borrowed.
 */
#ifndef LP_STORE_VALUE_CODEC_H
#define LP_STORE_VALUE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/objstore.h"
#include "lolpop/registry.h"
#include "lolpop/value.h"

/* Encodes v into *out (*len bytes), putting its frames and models into os.
 * LP_EINVAL naming the place ("value.splits.X_train") for what cannot be
 * encoded: a handle other than a frame or model, a map key that is not UTF-8. */
int lp_value_encode(lp_objstore *os, const lp_value *v, uint8_t **out, size_t *len);

/* The value encoded in data[0..len), reading its frames and models from os;
 * models load through the back-ends registered in reg (borrowed; it must
 * outlive the models). */
int lp_value_decode(lp_objstore *os, const lp_registry *reg, const uint8_t *data, size_t len,
                    lp_value **out);

#endif
