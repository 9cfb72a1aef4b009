/*
 * frame_dups.h — the number of a frame's duplicate rows, remembered on the
 * frame (not public API).
 *
 * A workflow counts the duplicate rows of the same processed frame twice: its
 * profile (data_profiler) and its default checks (data_checker) both report
 * them, and counting hashes and compares every cell. Frames do not change
 * once shared, so the first count is left here; lp_frame_push, the one way a
 * frame gains columns, forgets it.
 */
#ifndef LP_DATA_FRAME_DUPS_H
#define LP_DATA_FRAME_DUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/frame.h"

/* Copies the remembered count of f's rows that repeat an earlier row to *out;
 * false when none is remembered. f borrowed. Thread-safe. */
bool lp_frame_dups_recall(const lp_frame *f, size_t *out);
/* Remembers dups as that count for f; the first caller wins. f borrowed.
 * Thread-safe. */
void lp_frame_dups_remember(const lp_frame *f, size_t dups);

#endif
