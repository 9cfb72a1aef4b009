/*
 * frame_origin.h — a frame remembered as some rows of another frame's
 * columns (not public API).
 *
 * The splitter's frames (X_train, y_valid, …) are rows of the frame it split,
 * which step recording has usually stored already. Remembering that on each
 * split frame lets the step cache store a split as the parent's object plus
 * a row list (store/value_codec.c) instead of serialising, hashing and
 * compressing every split frame again. The origin holds a reference to the
 * parent; frames of one split (X_train and y_train) share one origin, so the
 * row list is stored once. lp_frame_push forgets it.
 */
#ifndef LP_DATA_FRAME_ORIGIN_H
#define LP_DATA_FRAME_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/frame.h"

typedef struct lp_frame_origin lp_frame_origin;

/* A new origin: rows[0..n) of parent (parent gains a reference, rows are
 * copied). NULL with LP_EINVAL when parent has more than 2^32-1 rows or an
 * index is out of range, LP_ENOMEM when memory runs out. */
lp_frame_origin *lp_frame_origin_new(lp_frame *parent, const size_t *rows, size_t n);
/* Drops one reference to o (NULL is fine). */
void lp_frame_origin_unref(lp_frame_origin *o);

/* Records on `view`, made by lp_frame_take(&view, src, rows, n), that it is
 * those rows of the same-named columns of o's parent. Recorded only when
 * every column of src is the very column object the parent holds under that
 * name (src is the parent or a select/drop of it) and view is unshared; false
 * otherwise (nothing recorded). view takes a new reference to o. */
bool lp_frame_origin_set(lp_frame *view, const lp_frame *src, lp_frame_origin *o);
/* f's origin (borrowed) or NULL. */
const lp_frame_origin *lp_frame_origin_of(const lp_frame *f);
/* Frees f's origin reference (frame.c: on the frame's end and on lp_frame_push). */
void lp_frame_origin_clear(lp_frame *f);

/* The parent frame (borrowed). */
const lp_frame *lp_frame_origin_parent(const lp_frame_origin *o);
/* The row list as stored: n little-endian uint32 indices (borrowed). */
const uint8_t *lp_frame_origin_bytes(const lp_frame_origin *o, size_t *len);
/* The row list's object name remembered by lp_frame_origin_remember; false when none. */
bool lp_frame_origin_recall(const lp_frame_origin *o, char hex[65]);
/* Remembers hex as the row list's object name (the first caller wins). Thread-safe. */
void lp_frame_origin_remember(const lp_frame_origin *o, const char *hex);

/* The frame an origin stands for: the columns `names` (in that order) of
 * parent, rows decoded from `bytes` (len bytes of little-endian uint32). A
 * new frame in *out, with the origin recorded on it. LP_EINVAL naming the
 * problem for a missing column, a bad length or a row out of range. */
int lp_frame_origin_rebuild(lp_frame **out, lp_frame *parent, const char *const *names,
                            size_t ncols, const uint8_t *bytes, size_t len);

#endif
