/*
 * frame_object.c — the remembered object-store name of a frame's serialised
 * bytes (see frame_object.h). The state works as the content hash's
 * (frame_hash.c): 0 unknown, 1 being written by one thread, 2 known.
 */
#include "data/frame_object.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "data/frame_internal.h"

bool lp_frame_object_recall(const lp_frame *f, char hex[65], size_t *len)
{
    if (!f || atomic_load_explicit(&f->object_state, memory_order_acquire) != 2) return false;
    memcpy(hex, f->object_hex, 65);
    if (len) *len = f->object_len;
    return true;
}

/* The name is not part of the frame's value, hence the cast. */
void lp_frame_object_remember(const lp_frame *f, const char *hex, size_t len)
{
    if (!f || !hex || strlen(hex) != 64) return;
    lp_frame *m = (lp_frame *)(uintptr_t)f;
    int unknown = 0;
    if (!atomic_compare_exchange_strong(&m->object_state, &unknown, 1)) return;
    memcpy(m->object_hex, hex, 65);
    m->object_len = len;
    atomic_store_explicit(&m->object_state, 2, memory_order_release);
}
