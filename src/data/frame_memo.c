/*
 * frame_memo.c — one derived object remembered on a frame (frame_memo.h).
 * A process-wide lock guards the three fields: memos change a few times per
 * training, never in a hot loop.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "data/frame_internal.h"
#include "data/frame_memo.h"

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes f's memo out under the lock (whatever its owner) for freeing. */
static void *detach(lp_frame *f, void (**free_fn)(void *))
{
    void *memo = f->memo;
    *free_fn = f->memo_free;
    f->memo = NULL;
    f->memo_free = NULL;
    f->memo_owner = NULL;
    return memo;
}

void *lp_frame_memo_take(const lp_frame *f, const void *owner)
{
    if (!f) return NULL;
    lp_frame *mf = (lp_frame *)(uintptr_t)f; /* the memo is not the frame's content */
    void *memo = NULL;
    void (*free_fn)(void *) = NULL;
    pthread_mutex_lock(&memo_lock);
    if (mf->memo && mf->memo_owner == owner) memo = detach(mf, &free_fn);
    pthread_mutex_unlock(&memo_lock);
    return memo;
}

void lp_frame_memo_put(const lp_frame *f, const void *owner, void *memo, void (*free_fn)(void *))
{
    if (!memo) return;
    if (!f) {
        if (free_fn) free_fn(memo);
        return;
    }
    lp_frame *mf = (lp_frame *)(uintptr_t)f;
    void (*old_free)(void *) = NULL;
    pthread_mutex_lock(&memo_lock);
    void *old = detach(mf, &old_free);
    mf->memo = memo;
    mf->memo_free = free_fn;
    mf->memo_owner = owner;
    pthread_mutex_unlock(&memo_lock);
    if (old && old_free) old_free(old);
}

void lp_frame_memo_clear(lp_frame *f)
{
    void (*free_fn)(void *) = NULL;
    pthread_mutex_lock(&memo_lock);
    void *memo = f->memo ? detach(f, &free_fn) : NULL;
    pthread_mutex_unlock(&memo_lock);
    if (memo && free_fn) free_fn(memo);
}
