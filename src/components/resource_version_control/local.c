/*
 * local.c — LocalResourceVersionControl: datasets and models in the
 * content-addressed object store (objstore.h).
 *
 *   resource_version_control:
 *     config:
 *       dir: .lolpop            # objects go to <dir>/objects (default .lolpop)
 *
 * A frame is stored as its lp_frame_serialize bytes (format "lpframe1"), a
 * model as its lp_model_save bytes (format "lpmodel1"). The returned vc_info
 * (docs/ml-workflow.md) names the object by the SHA-256 of those bytes, so the
 * same content gives the same hash and is stored once. The store verifies the
 * hash on every read, so a damaged object is an error, never wrong data. The
 * store is opened on first use (validating or building a workflow creates no
 * directory) and closed in fini.
 *
 * The last RVC_RECENT frames version_data stored are kept (one reference
 * each, released in fini) and get_data of the same object returns them
 * without reading the file: a workflow run versions the processed training
 * frame and reads it back in the predict pipeline (compare_data and the
 * prediction drift), and decompressing, re-hashing and decoding ~90 MB there
 * cost more than the comparison itself. The frame is the one whose bytes were
 * hashed and written, so the content is the object's; a frame that gained
 * columns since forgets its object name (frame_object.h) and is not used.
 * A damaged file is still an error for every read that goes to the disk.
 *
 * Ownership: methods borrow their arguments and return new references.
 */
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/frame_object.h"
#include "lolpop/frame_io.h"
#include "lolpop/model.h"
#include "lolpop/objstore.h"
#include "lolpop/workflow.h"

#define FORMAT_FRAME "lpframe1"
#define FORMAT_MODEL "lpmodel1"
/* a run's training frame, its reference predictions and the evaluation frame,
 * versioned in that order: with two, the training frame compare_data reads
 * back was pushed out (0.53 s of reading at 500k rows) */
#define RVC_RECENT 3

typedef struct rvc {
    lp_objstore *store;           /* NULL until first use */
    char *dir;                    /* the configured root */
    char *objects;                /* <dir>/objects, as recorded in vc_info */
    lp_value *recent[RVC_RECENT]; /* frames version_data stored, newest first, or NULL */
} rvc;

/* The object's section path for messages (borrowed). */
static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* ---- life cycle ------------------------------------------------------------------ */

/* Closes the store and frees the state (also after a failed init). */
static void rvc_fini(lp_obj *self)
{
    rvc *st = lp_obj_state(self);
    lp_objstore_close(st->store);
    for (size_t i = 0; i < RVC_RECENT; i++)
        lp_value_unref(st->recent[i]);
    free(st->dir);
    free(st->objects);
    memset(st, 0, sizeof *st);
}

/* Reads `dir`; the store itself is opened on first use. */
static int rvc_init(lp_obj *self)
{
    rvc *st = lp_obj_state(self);
    lp_value *v = lp_obj_config(self, "dir");
    int rc = 0;
    if (v && (lp_value_type(v) != LP_STRING || !*lp_value_as_string(v)))
        rc = lp_kit_error_at(LP_ECONFIG, v,
                             "LocalResourceVersionControl (%s): dir must be a non-empty path",
                             path_of(self));
    if (rc == 0) {
        const char *dir = v ? lp_value_as_string(v) : ".lolpop";
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/') /* as lp_objstore_open trims */
            n--;
        st->dir = lp_strndup(dir, n);
        st->objects = st->dir ? lp_asprintf("%s/objects", st->dir) : NULL;
        if (!st->objects) rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    if (rc) rvc_fini(self); /* a failed init gets no fini */
    return rc;
}

/* The open store (opened now on first use), or NULL with the error set. */
static lp_objstore *store_of(lp_obj *self)
{
    rvc *st = lp_obj_state(self);
    if (!st->store && lp_objstore_open(&st->store, st->dir) != 0) {
        lp_error_prefix("LocalResourceVersionControl (%s): cannot open the store in '%s' (config "
                        "dir)",
                        path_of(self), st->dir);
        return NULL;
    }
    return st->store;
}

/* ---- vc_info --------------------------------------------------------------------- */

/* A new vc_info map for object `hex` of `size` bytes, or NULL (error set). */
static lp_value *vc_info_new(lp_obj *self, const char *hex, size_t size, const char *format)
{
    rvc *st = lp_obj_state(self);
    char *path = NULL;
    if (lp_objstore_path(st->store, hex, &path) != 0) return NULL;
    lp_value *m = lp_value_map();
    int rc = m ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lp_map_set(m, "hash", lp_value_string(hex));
    if (rc == 0) rc = lp_map_set(m, "path", lp_value_string(path));
    if (rc == 0) rc = lp_map_set(m, "size", lp_value_int((int64_t)size));
    if (rc == 0) rc = lp_map_set(m, "format", lp_value_string(format));
    if (rc == 0) rc = lp_map_set(m, "store", lp_value_string(st->objects));
    free(path);
    if (rc == 0) return m;
    lp_value_unref(m);
    lp_error_set(LP_ENOMEM, "out of memory");
    return NULL;
}

/* Checks args[vc_info] for `format` and returns its hash (borrowed), or NULL
 * with LP_EINVAL naming what is wrong. */
static const char *vc_info_hash(lp_obj *self, const lp_value *args, const char *method,
                                const char *format)
{
    const lp_value *vc = lp_map_get(args, "vc_info");
    const char *who = "LocalResourceVersionControl";
    if (lp_value_type(vc) != LP_MAP) {
        lp_error_set(LP_EINVAL, "%s (%s).%s: argument 'vc_info' must be a map, got %s", who,
                     path_of(self), method, lp_vtype_name(lp_value_type(vc)));
        return NULL;
    }
    const char *fmt = lp_value_as_string(lp_map_get(vc, "format"));
    const char *hash = lp_value_as_string(lp_map_get(vc, "hash"));
    if (!fmt || strcmp(fmt, format) != 0) {
        lp_error_set(LP_EINVAL,
                     "%s (%s).%s: vc_info has format '%s', expected '%s' (was it made by %s?)", who,
                     path_of(self), method, fmt ? fmt : "(none)", format,
                     strcmp(format, FORMAT_FRAME) == 0 ? "version_data" : "version_model");
        return NULL;
    }
    if (!hash || !lp_objstore_valid_hex(hash)) {
        lp_error_set(LP_EINVAL,
                     "%s (%s).%s: vc_info has %s hash (expected 64 lower-case hex digits)", who,
                     path_of(self), method, hash ? "an invalid" : "no");
        return NULL;
    }
    return hash;
}

/* Reads the object vc_info names from the store, checking its recorded size.
 * *out is malloc'ed (caller frees). */
static int read_object(lp_obj *self, const lp_value *args, const char *method, const char *format,
                       uint8_t **out, size_t *len)
{
    const char *hash = vc_info_hash(self, args, method, format);
    lp_objstore *store = hash ? store_of(self) : NULL;
    if (!store) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    int rc = lp_objstore_get(store, hash, out, len);
    const lp_value *vc = lp_map_get(args, "vc_info");
    const char *where = lp_value_as_string(lp_map_get(vc, "store"));
    rvc *st = lp_obj_state(self);
    if (rc == LP_ENOTFOUND && where && strcmp(where, st->objects) != 0)
        return lp_error_set(LP_ENOTFOUND,
                            "LocalResourceVersionControl (%s).%s: object %s is not in the store "
                            "'%s' (vc_info says it was stored in '%s'; set dir to that store's "
                            "parent directory)",
                            path_of(self), method, hash, st->objects, where);
    if (rc) {
        lp_error_prefix("LocalResourceVersionControl (%s).%s", path_of(self), method);
        return rc;
    }
    const lp_value *size = lp_map_get(vc, "size");
    if (lp_value_type(size) == LP_INT && lp_value_as_int(size) != (int64_t)*len) {
        free(*out);
        *out = NULL;
        return lp_error_set(LP_EIO,
                            "LocalResourceVersionControl (%s).%s: object %s has %zu bytes, "
                            "vc_info says %lld",
                            path_of(self), method, hash, *len, (long long)lp_value_as_int(size));
    }
    return 0;
}

/* Stores bytes and returns their vc_info (takes ownership of bytes). */
static lp_value *store_bytes(lp_obj *self, uint8_t *bytes, size_t len, const char *format,
                             const char *method)
{
    lp_objstore *store = store_of(self);
    char hex[65];
    int rc = store ? lp_objstore_put(store, bytes, len, hex) : LP_EIO;
    free(bytes);
    if (rc) {
        if (store) lp_error_prefix("LocalResourceVersionControl (%s).%s", path_of(self), method);
        return NULL;
    }
    lp_log(self, LP_LOG_DEBUG, "%s: %zu bytes as object %s", method, len, hex);
    return vc_info_new(self, hex, len, format);
}

/* ---- frames stored in this process -------------------------------------------- */

/* Keeps a reference to frame value v (its object name is remembered on it by
 * lp_objstore_put_frame) as the newest of the recent frames; the oldest is
 * released. v borrowed. */
static void keep_recent(rvc *st, lp_value *v)
{
    for (size_t i = 0; i < RVC_RECENT; i++)
        if (st->recent[i] == v) return;
    lp_value_unref(st->recent[RVC_RECENT - 1]);
    memmove(st->recent + 1, st->recent, (RVC_RECENT - 1) * sizeof *st->recent);
    st->recent[0] = lp_value_ref(v);
}

/* A new reference to the recent frame stored as object hex with len bytes, or
 * NULL when none is (or it changed since: its object name is forgotten). */
static lp_value *recent_frame(rvc *st, const char *hex, const lp_value *size)
{
    for (size_t i = 0; i < RVC_RECENT && st->recent[i]; i++) {
        char name[65];
        size_t len = 0;
        if (lp_frame_object_recall(lp_value_as_frame(st->recent[i]), name, &len) &&
            strcmp(name, hex) == 0 &&
            (lp_value_type(size) != LP_INT || lp_value_as_int(size) == (int64_t)len))
            return lp_value_ref(st->recent[i]);
    }
    return NULL;
}

/* ---- methods --------------------------------------------------------------------- */

/* version_data(dataset_version, data) -> vc_info of the frame's lpframe1 bytes.
 * A frame the step cache stored already is neither serialised nor hashed again. */
static lp_value *rvc_version_data(lp_obj *self, lp_value *args)
{
    lp_frame *f = lp_kit_arg_frame(args, "data", NULL);
    if (!f) return NULL;
    lp_objstore *store = store_of(self);
    char hex[65];
    size_t len = 0;
    int rc = store ? lp_objstore_put_frame(store, f, hex, &len) : LP_EIO;
    if (rc) {
        if (store) lp_error_prefix("LocalResourceVersionControl (%s).version_data", path_of(self));
        return NULL;
    }
    lp_log(self, LP_LOG_DEBUG, "version_data: %zu bytes as object %s", len, hex);
    keep_recent(lp_obj_state(self), lp_map_get(args, "data"));
    return vc_info_new(self, hex, len, FORMAT_FRAME);
}

/* get_data(dataset_version, vc_info) -> frame: the frame stored by version_data
 * (one of the recent frames when this component stored it). */
static lp_value *rvc_get_data(lp_obj *self, lp_value *args)
{
    const char *hex = vc_info_hash(self, args, "get_data", FORMAT_FRAME);
    if (!hex) return NULL;
    lp_value *kept =
        recent_frame(lp_obj_state(self), hex, lp_map_get(lp_map_get(args, "vc_info"), "size"));
    if (kept) {
        lp_log(self, LP_LOG_DEBUG, "get_data: object %s is a frame stored in this run", hex);
        return kept;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (read_object(self, args, "get_data", FORMAT_FRAME, &bytes, &len) != 0) return NULL;
    lp_frame *f = NULL;
    int rc = lp_frame_deserialize(&f, bytes, len);
    free(bytes);
    if (rc) {
        lp_error_prefix("LocalResourceVersionControl (%s).get_data", path_of(self));
        return NULL;
    }
    return lp_kit_frame(f);
}

/* version_model(experiment, model) -> vc_info of the model's lp_model_save bytes. */
static lp_value *rvc_version_model(lp_obj *self, lp_value *args)
{
    const lp_value *mv = lp_map_get(args, "model");
    const lp_model *m = lp_value_as_model(mv);
    if (!m) {
        lp_error_set(LP_EINVAL,
                     "LocalResourceVersionControl (%s).version_model: argument 'model' must be "
                     "a model, got %s",
                     path_of(self),
                     lp_value_handle_type(mv) ? lp_value_handle_type(mv)->name
                                              : lp_vtype_name(lp_value_type(mv)));
        return NULL;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (lp_model_save(&bytes, &len, m) != 0) {
        lp_error_prefix("LocalResourceVersionControl (%s).version_model", path_of(self));
        return NULL;
    }
    return store_bytes(self, bytes, len, FORMAT_MODEL, "version_model");
}

/* get_model(experiment, vc_info) -> model: the model stored by version_model. */
static lp_value *rvc_get_model(lp_obj *self, lp_value *args)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (read_object(self, args, "get_model", FORMAT_MODEL, &bytes, &len) != 0) return NULL;
    lp_model *m = NULL;
    int rc = lp_model_load(&m, lp_workflow_registry(lp_obj_workflow(self)), bytes, len);
    free(bytes);
    if (rc) {
        lp_error_prefix("LocalResourceVersionControl (%s).get_model", path_of(self));
        return NULL;
    }
    lp_value *v = lp_value_model(m);
    lp_model_unref(m);
    return v;
}

static const lp_method rvc_methods[] = {
    {"version_data", rvc_version_data,
     "version_data(dataset_version, data) -> vc_info: {hash, path, size, format: lpframe1, "
     "store}"},
    {"get_data", rvc_get_data, "get_data(dataset_version, vc_info) -> frame (hash verified)"},
    {"version_model", rvc_version_model,
     "version_model(experiment, model) -> vc_info: {hash, path, size, format: lpmodel1, store}"},
    {"get_model", rvc_get_model, "get_model(experiment, vc_info) -> model (hash verified)"},
    {NULL, NULL, NULL},
};

static const lp_config_key rvc_keys[] = {
    {"dir", "string", "root of the object store; objects go to <dir>/objects (default .lolpop)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_resource_version_control_class = {
    .name = "LocalResourceVersionControl",
    .kind = LP_KIND_COMPONENT,
    .type = "resource_version_control",
    .doc = "Versions datasets and models in a content-addressed store under <dir>/objects: "
           "frames as their binary encoding (lpframe1), models as their saved bytes (lpmodel1), "
           "each named by the SHA-256 of those bytes, zstd-compressed, written atomically (temp "
           "file, fsync, rename) and stored once however often it is versioned. Every read "
           "from the disk re-hashes the content, so a damaged object is an error, never wrong "
           "data; the last three frames versioned by this component are returned from memory.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = rvc_keys,
    .methods = rvc_methods,
    .state_size = sizeof(rvc),
    .init = rvc_init,
    .fini = rvc_fini,
};
