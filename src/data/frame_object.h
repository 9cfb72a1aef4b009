/*
 * frame_object.h — the object-store name of a frame's serialised bytes,
 * remembered on the frame (not public API).
 *
 * Storing a frame means serialising it (lp_frame_serialize) and hashing the
 * bytes (SHA-256: the object's name). The same frame is often stored more
 * than once in a run (the step cache and version_data both store the
 * processed dataset), and frames do not change once shared, so the first
 * store leaves the name and length here and later ones need neither the
 * bytes nor the hash (lp_objstore_put_frame). lp_frame_push, the one way a
 * frame gains columns, forgets them.
 */
#ifndef LP_DATA_FRAME_OBJECT_H
#define LP_DATA_FRAME_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/frame.h"

/* Copies the remembered object name of f's serialised bytes (64 hex digits +
 * NUL) to hex and their length to *len (may be NULL); false when none is
 * remembered. f borrowed. Thread-safe. */
bool lp_frame_object_recall(const lp_frame *f, char hex[65], size_t *len);
/* Remembers hex (64 hex digits) and len as the object name and length of f's
 * serialised bytes; the first caller wins. f borrowed. Thread-safe. */
void lp_frame_object_remember(const lp_frame *f, const char *hex, size_t len);

#endif
