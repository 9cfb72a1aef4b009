/* model.c — the back-end-independent part of trained models: metadata,
 * encoding frames into the training layout, predictions as frames, handles. */
#include "lolpop/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ml/model_internal.h"

static const char *const task_names[] = {"binary", "multiclass", "regression"};

LP_API const char *lp_model_task_name(lp_model_task t)
{
    return (unsigned)t < 3 ? task_names[t] : "unknown";
}

LP_API int lp_model_task_parse(const char *name, lp_model_task *out)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, task_names[i]) == 0) {
            *out = (lp_model_task)i;
            return 0;
        }
    return lp_error_set(LP_EINVAL, "unknown model task '%s' (binary, multiclass, regression)",
                        name ? name : "");
}

/* ---- building ------------------------------------------------------------- */

static void feature_free(lp_model_feature *f)
{
    free(f->name);
    for (size_t i = 0; i < f->n_cats; i++)
        free(f->cats[i]);
    free(f->cats);
    free(f->cat_lens);
}

static void model_free(lp_model *m)
{
    if (m->ops && m->ops->free && m->state) m->ops->free(m->state);
    for (size_t j = 0; j < m->n_features; j++)
        feature_free(&m->features[j]);
    free(m->features);
    for (size_t k = 0; k < m->n_classes; k++)
        free(m->classes[k]);
    free(m->classes);
    free(m->target);
    lp_value_unref(m->params);
    for (size_t i = 0; i < m->n_attachments; i++) {
        free(m->attachments[i].key);
        free(m->attachments[i].bytes);
    }
    free(m->attachments);
    free(m);
}

/* New reference; takes ownership of state. */
LP_API lp_model *lp_model_new(const lp_model_ops *ops, void *state, lp_model_task task,
                              const char *target, lp_dtype target_dtype)
{
    lp_model *m = calloc(1, sizeof *m);
    if (!m) {
        if (ops && ops->free && state) ops->free(state);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    m->refs = 1;
    m->ops = ops;
    m->state = state;
    m->task = task;
    m->target_dtype = target_dtype;
    m->target = lp_strdup(target ? target : "");
    m->params = lp_value_map();
    if (!m->target || !m->params) {
        model_free(m);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return m;
}

static bool dtype_categorical(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

LP_API int lp_model_add_feature(lp_model *m, const char *name, lp_dtype dtype)
{
    lp_model_feature *nf = realloc(m->features, (m->n_features + 1) * sizeof *nf);
    if (!nf) return lp_error_set(LP_ENOMEM, "out of memory");
    m->features = nf;
    lp_model_feature *f = &nf[m->n_features];
    memset(f, 0, sizeof *f);
    f->dtype = dtype;
    f->categorical = dtype_categorical(dtype);
    if (!(f->name = lp_strdup(name))) return LP_ENOMEM;
    m->n_features++;
    return 0;
}

LP_API int lp_model_add_category(lp_model *m, size_t j, const char *s, size_t len)
{
    if (j >= m->n_features || !m->features[j].categorical)
        return lp_error_set(LP_EINVAL, "feature %zu is not categorical", j);
    lp_model_feature *f = &m->features[j];
    char **nc = realloc(f->cats, (f->n_cats + 1) * sizeof *nc);
    if (!nc) return lp_error_set(LP_ENOMEM, "out of memory");
    f->cats = nc;
    size_t *nl = realloc(f->cat_lens, (f->n_cats + 1) * sizeof *nl);
    if (!nl) return lp_error_set(LP_ENOMEM, "out of memory");
    f->cat_lens = nl;
    if (!(f->cats[f->n_cats] = lp_strndup(s, len))) return LP_ENOMEM;
    f->cat_lens[f->n_cats++] = len;
    return 0;
}

LP_API int lp_model_add_class(lp_model *m, const char *label)
{
    char **nc = realloc(m->classes, (m->n_classes + 1) * sizeof *nc);
    if (!nc) return lp_error_set(LP_ENOMEM, "out of memory");
    m->classes = nc;
    if (!(m->classes[m->n_classes] = lp_strdup(label))) return LP_ENOMEM;
    m->n_classes++;
    return 0;
}

LP_API int lp_model_set_params(lp_model *m, lp_value *params)
{
    if (lp_value_type(params) != LP_MAP) {
        lp_value_unref(params);
        return lp_error_set(LP_EINVAL, "model params must be a map");
    }
    lp_value_unref(m->params);
    m->params = params;
    return 0;
}

static lp_model_attach *find_attachment(const lp_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_attachments; i++)
        if (strcmp(m->attachments[i].key, key) == 0) return &m->attachments[i];
    return NULL;
}

/* Copies bytes; replaces an attachment of the same key in place (keeping its
 * position, so that the saved bytes do not depend on how often it was set). */
LP_API int lp_model_set_attachment(lp_model *m, const char *key, const uint8_t *bytes, size_t len)
{
    if (!key || !*key) return lp_error_set(LP_EINVAL, "a model attachment needs a key");
    if (!bytes && len) return lp_error_set(LP_EINVAL, "model attachment '%s': no bytes", key);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return lp_error_set(LP_ENOMEM, "out of memory");
    if (len) memcpy(copy, bytes, len);
    lp_model_attach *a = find_attachment(m, key);
    if (a) {
        free(a->bytes);
        a->bytes = copy;
        a->len = len;
        return 0;
    }
    lp_model_attach *na = realloc(m->attachments, (m->n_attachments + 1) * sizeof *na);
    char *k = na ? lp_strdup(key) : NULL;
    if (na) m->attachments = na;
    if (!k) {
        free(copy);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    m->attachments[m->n_attachments++] = (lp_model_attach){k, copy, len};
    return 0;
}

LP_API lp_model *lp_model_ref(lp_model *m)
{
    if (m) __atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
    return m;
}

LP_API void lp_model_unref(lp_model *m)
{
    if (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0) model_free(m);
}

/* ---- inspection ----------------------------------------------------------- */

LP_API const char *lp_model_backend(const lp_model *m)
{
    return m->ops ? m->ops->name : "";
}
LP_API lp_model_task lp_model_task_of(const lp_model *m)
{
    return m->task;
}
LP_API const char *lp_model_target(const lp_model *m)
{
    return m->target;
}
LP_API lp_dtype lp_model_target_dtype(const lp_model *m)
{
    return m->target_dtype;
}
LP_API size_t lp_model_n_features(const lp_model *m)
{
    return m->n_features;
}
LP_API void *lp_model_state(const lp_model *m)
{
    return m->state;
}
LP_API const lp_value *lp_model_params(const lp_model *m)
{
    return m->params;
}
LP_API size_t lp_model_n_classes(const lp_model *m)
{
    return m->n_classes;
}

LP_API const uint8_t *lp_model_attachment(const lp_model *m, const char *key, size_t *len)
{
    const lp_model_attach *a = key ? find_attachment(m, key) : NULL;
    if (len) *len = a ? a->len : 0;
    return a ? a->bytes : NULL;
}

LP_API size_t lp_model_n_attachments(const lp_model *m)
{
    return m->n_attachments;
}

LP_API const char *lp_model_attachment_key(const lp_model *m, size_t i)
{
    return i < m->n_attachments ? m->attachments[i].key : NULL;
}

LP_API const char *lp_model_feature_name(const lp_model *m, size_t j)
{
    return j < m->n_features ? m->features[j].name : NULL;
}

LP_API lp_dtype lp_model_feature_dtype(const lp_model *m, size_t j)
{
    return j < m->n_features ? m->features[j].dtype : LP_DT_FLOAT64;
}

LP_API bool lp_model_feature_is_categorical(const lp_model *m, size_t j)
{
    return j < m->n_features && m->features[j].categorical;
}

LP_API size_t lp_model_n_categories(const lp_model *m, size_t j)
{
    return j < m->n_features ? m->features[j].n_cats : 0;
}

LP_API const char *lp_model_category(const lp_model *m, size_t j, size_t code)
{
    return j < m->n_features && code < m->features[j].n_cats ? m->features[j].cats[code] : NULL;
}

LP_API const char *lp_model_class_label(const lp_model *m, size_t k)
{
    return k < m->n_classes ? m->classes[k] : NULL;
}

LP_API size_t lp_model_n_outputs(const lp_model *m)
{
    switch (m->task) {
    case LP_MODEL_BINARY:
        return 2;
    case LP_MODEL_MULTICLASS:
        return m->n_classes;
    case LP_MODEL_REGRESSION:
    default:
        return 1;
    }
}

/* ---- handles -------------------------------------------------------------- */

static void handle_free(void *p)
{
    lp_model_unref(p);
}

static int handle_hash(void *p, uint8_t out[32])
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = lp_model_save(&buf, &len, p);
    if (rc == 0) rc = lp_model_sha256(buf, len, out);
    free(buf);
    return rc;
}

static char *handle_describe(void *p)
{
    const lp_model *m = p;
    return lp_asprintf("%s %s model of '%s' on %zu features", lp_model_backend(m),
                       lp_model_task_name(m->task), m->target, m->n_features);
}

LP_API const lp_handle_type lp_model_handle_type = {
    .name = "model",
    .free = handle_free,
    .hash = handle_hash,
    .describe = handle_describe,
};

LP_API lp_value *lp_value_model(lp_model *m)
{
    if (!m) {
        lp_error_set(LP_EINVAL, "lp_value_model: no model");
        return NULL;
    }
    return lp_value_handle(&lp_model_handle_type, lp_model_ref(m));
}

LP_API lp_model *lp_value_as_model(const lp_value *v)
{
    return lp_value_handle_ptr(v, &lp_model_handle_type);
}
