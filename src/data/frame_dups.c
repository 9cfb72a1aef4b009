/*
 * frame_dups.c — the remembered duplicate-row count of a frame (see
 * frame_dups.h). The state works as the content hash's (frame_hash.c):
 * 0 unknown, 1 being written by one thread, 2 known.
 */
#include "data/frame_dups.h"

#include <stdatomic.h>
#include <stdint.h>

#include "data/frame_internal.h"

bool lp_frame_dups_recall(const lp_frame *f, size_t *out)
{
    if (!f || !out || atomic_load_explicit(&f->dups_state, memory_order_acquire) != 2) return false;
    *out = f->dups;
    return true;
}

/* The count is not part of the frame's value, hence the cast. */
void lp_frame_dups_remember(const lp_frame *f, size_t dups)
{
    if (!f) return;
    lp_frame *m = (lp_frame *)(uintptr_t)f;
    int unknown = 0;
    if (!atomic_compare_exchange_strong(&m->dups_state, &unknown, 1)) return;
    m->dups = dups;
    atomic_store_explicit(&m->dups_state, 2, memory_order_release);
}
