/*
 * store_deploy.c — what a model serves, one model at a time: the per-model
 * deploy lock and the one-transaction record of a deployment (store.h).
 *
 * The lock serialises decisions across processes; the record makes the
 * store's side of a switch (deployment row, alias, deployed_version) atomic.
 * Together they give the story `lolpop models list` tells and the deployer's
 * `current` link follows.
 */
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_backend.h"

int lp_store_model_lock(lp_store *st, const char *name, double timeout_s, int *lock)
{
    if (lock) *lock = -1;
    if (!st || !name || !*name || !lock)
        return lp_error_set(LP_EINVAL, "lp_store_model_lock: store, model name and lock are "
                                       "required");
    if (strlen(name) > 200)
        return lp_error_set(LP_EINVAL,
                            "metadata store '%s': model name of %zu bytes is too long to lock "
                            "(at most 200)",
                            st->location, strlen(name));
    return st->ops->model_lock(st, name, timeout_s, lock);
}

void lp_store_model_unlock(lp_store *st, int lock)
{
    if (st && lock >= 0) st->ops->model_unlock(st, lock);
}

char *lp_store_who(void)
{
    char host[HOST_NAME_MAX + 1];
    if (gethostname(host, sizeof host) != 0) strcpy(host, "unknown");
    host[HOST_NAME_MAX] = 0;
    const struct passwd *pw = getpwuid(geteuid());
    const char *user = pw && pw->pw_name ? pw->pw_name : getenv("USER");
    if (user && *user) return lp_asprintf("%s@%s", user, host);
    return lp_asprintf("uid%ld@%s", (long)geteuid(), host);
}

int lp_store_deploy_record(lp_store *st, const lp_store_deploy *d, lp_value **out)
{
    if (out) *out = NULL;
    if (!st || !d || !out || d->model_version <= 0 || !d->path || !d->action)
        return lp_error_set(LP_EINVAL, "lp_store_deploy_record: store, version, path, action and "
                                       "out are required");
    if (st->flags & LP_STORE_READONLY)
        return lp_error_set(LP_EINVAL,
                            "metadata store '%s': recording a deployment: the store was opened "
                            "read-only",
                            st->location);
    lp_store_deploy full = *d;
    char *who = d->who ? NULL : lp_store_who();
    if (!d->who && !who) return LP_ENOMEM;
    if (!full.who) full.who = who;
    if (!full.alias) full.alias = "production";
    int rc = st->ops->deploy_record(st, &full, lp_store_now(), out);
    free(who);
    return rc;
}

int lp_store_resource_roots(lp_store *st, const char *type, lp_value **out)
{
    if (out) *out = NULL;
    if (!st || !type || !out)
        return lp_error_set(LP_EINVAL, "lp_store_resource_roots: store, type and out are required");
    return st->ops->resource_roots(st, type, out);
}
