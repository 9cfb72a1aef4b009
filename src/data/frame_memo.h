/*
 * frame_memo.h — one derived object remembered on a frame (not public API).
 *
 * A consumer that builds something expensive from a frame's content (the
 * XGBoost back-end's DMatrix, built once per split and shared by every trial)
 * leaves it on the frame; it lives as long as the frame does. Frames do not
 * change once shared, so what was derived stays valid; lp_frame_push, the one
 * way a frame gains columns, forgets it. One memo per frame: a second owner
 * replaces the first.
 */
#ifndef LP_DATA_FRAME_MEMO_H
#define LP_DATA_FRAME_MEMO_H

#include "lolpop/frame.h"

/* Detaches and returns the memo `owner` (any address identifying the
 * consumer) left on f; the caller owns it. NULL when there is none or it
 * belongs to another owner. Thread-safe: two takers never get the same memo. */
void *lp_frame_memo_take(const lp_frame *f, const void *owner);
/* Leaves memo on f under owner (takes ownership: free_fn frees it with the
 * frame, or now when f already holds one or f is NULL). Thread-safe. */
void lp_frame_memo_put(const lp_frame *f, const void *owner, void *memo, void (*free_fn)(void *));
/* Frees f's memo, if any (frame.c: on the frame's end and on lp_frame_push). */
void lp_frame_memo_clear(lp_frame *f);

#endif
