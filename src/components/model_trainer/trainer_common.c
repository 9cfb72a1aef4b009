/*
 * trainer_common.c — the library-independent half of the model trainers:
 * configuration, fit (with the visible feature_transformer), save and load.
 * Predictions and metrics are in trainer_predict.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "components/model_trainer/trainer.h"
#include "lolpop/types/feature_transformer.h"
#include "lolpop/workflow.h"

static const char *class_of(lp_obj *self)
{
    return lp_obj_class(self)->name;
}

/* ---- configuration (lp_trainer_problem, lp_trainer_params: src/kit/trainer_config.c) ---- */

/* be's param_hints when its descriptor has the field (older plugins' do not). */
static const char *const *param_hints(const lp_trainer_backend *be)
{
    size_t need = offsetof(lp_trainer_backend, param_hints) + sizeof be->param_hints;
    return be->size >= need ? be->param_hints : NULL;
}

/* The advice be gives for parameter name k, or NULL. */
static const char *hint_for(const lp_trainer_backend *be, const char *k)
{
    const char *const *h = param_hints(be);
    for (size_t i = 0; h && h[i] && h[i + 1]; i += 2)
        if (strcmp(h[i], k) == 0) return h[i + 1];
    return NULL;
}

static bool known_name(const lp_trainer_backend *be, const char *k)
{
    for (size_t j = 0; be->param_names && be->param_names[j]; j++)
        if (strcmp(k, be->param_names[j]) == 0) return true;
    return false;
}

/* The i-th name of params must be one the library knows (case matters, as
 * for the library itself); the back-end's advice, else the closest name, is
 * suggested. 0 or LP_ECONFIG located at the key. */
static int check_param_name(lp_obj *self, const lp_trainer_backend *be, const lp_value *params,
                            size_t i)
{
    const char *k = lp_map_key(params, i);
    if (known_name(be, k)) return 0;
    const lp_origin *at = lp_map_key_origin(params, i);
    const char *advice = hint_for(be, k);
    if (advice)
        return lp_kit_error_at_origin(LP_ECONFIG, at,
                                      "%s (%s): training_params: unknown %s parameter '%s'; %s",
                                      be->cls, lp_trainer_path(self), be->library, k, advice);
    size_t n_known = 0;
    while (be->param_names && be->param_names[n_known])
        n_known++;
    const char *sug = n_known ? lp_suggest(k, be->param_names, n_known) : NULL;
    return lp_kit_error_at_origin(LP_ECONFIG, at,
                                  "%s (%s): training_params: unknown %s parameter '%s'%s%s%s",
                                  be->cls, lp_trainer_path(self), be->library, k,
                                  sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
}

/* Every name in params must be one the library knows: the first that is not
 * is the error. */
static int check_param_names(lp_obj *self, const lp_trainer_backend *be, const lp_value *params)
{
    for (size_t i = 0; i < lp_map_len(params); i++) {
        int rc = check_param_name(self, be, params, i);
        if (rc) return rc;
    }
    return 0;
}

/* Every name of params: unknown ones are errors, known ones with advice warnings. */
static int check_all_names(lp_value *problems, lp_obj *self, const lp_trainer_backend *be,
                           const lp_value *params)
{
    int rc = 0;
    for (size_t i = 0; i < lp_map_len(params) && rc != LP_ENOMEM; i++) {
        const char *k = lp_map_key(params, i), *advice = hint_for(be, k);
        if (check_param_name(self, be, params, i))
            rc = lp_kit_check_add_error(problems);
        else if (advice)
            rc = lp_kit_check_add(problems, LP_SEV_WARNING, lp_map_value(params, i),
                                  "%s (%s): training_params: '%s' is another library's name; "
                                  "%s (%s accepts it as an alias)",
                                  be->cls, lp_trainer_path(self), k, advice, be->library);
    }
    return rc;
}

/* training_params in a parent's config is never read: a trainer reads its own. */
static int check_parents(lp_value *problems, lp_obj *self)
{
    int rc = 0;
    for (lp_obj *p = lp_obj_parent(self); p && rc == 0; p = lp_obj_parent(p)) {
        const lp_value *cfg = lp_map_get(lp_obj_section(p), "config");
        const lp_value *tp = lp_map_get(cfg, "training_params");
        if (!tp || lp_value_type(tp) == LP_NULL) continue;
        const char *path = lp_obj_path(p);
        rc = lp_kit_check_add(problems, LP_SEV_WARNING, tp,
                              "training_params set in %s%s is not read: %s reads training_params "
                              "from its own config only; move it to %s.config",
                              *path ? path : "the root",
                              *path ? ".config" : " config:", lp_obj_class(self)->name,
                              lp_trainer_path(self));
    }
    return rc;
}

int lp_trainer_check_each_param(lp_obj *self, const lp_trainer_backend *be, const lp_value *params,
                                int (*check)(const char *name, const lp_value *value))
{
    for (size_t i = 0; i < lp_map_len(params); i++) {
        const char *k = lp_map_key(params, i);
        const lp_value *v = lp_map_value(params, i);
        if (!known_name(be, k) || check(k, v) == 0) continue;
        char *why = lp_strdup(lp_error_last()->message);
        int rc = lp_kit_error_at(LP_ECONFIG, v, "%s (%s): training_params: %s", be->cls,
                                 lp_trainer_path(self), why ? why : "invalid value");
        free(why);
        return rc;
    }
    return 0;
}

/* A back-end descriptor built against an older kit ends before check_params. */
static bool has_check_params(const lp_trainer_backend *be)
{
    return be->size >= offsetof(lp_trainer_backend, check_params) + sizeof be->check_params &&
           be->check_params;
}

/* params' i-th entry through be's check_params, alone (as a tuner's trial
 * value comes), so every bad value is reported, not the first only. */
static int check_value(lp_value *problems, lp_obj *self, const lp_trainer_backend *be,
                       const lp_value *params, size_t i, lp_problem problem)
{
    lp_value *one = lp_value_map();
    /* the one-entry map only reads the value: the reference taken is dropped with it */
    lp_value *v = lp_value_ref((lp_value *)(uintptr_t)lp_map_value(params, i));
    if (!one ||
        lp_map_set_with_origin(one, lp_map_key(params, i), lp_map_key_origin(params, i), v)) {
        lp_value_unref(one);
        return LP_ENOMEM;
    }
    int rc = be->check_params(self, one, problem) ? lp_kit_check_add_error(problems) : 0;
    lp_value_unref(one);
    return rc;
}

/* params' names and values (be's check_params, when it has one and the
 * problem is known) as problems. 0 or LP_ENOMEM. */
static int check_names_and_values(lp_value *problems, lp_obj *self, const lp_trainer_backend *be,
                                  const lp_value *params, const lp_problem *problem)
{
    int rc = check_all_names(problems, self, be, params);
    for (size_t i = 0; rc == 0 && problem && has_check_params(be) && i < lp_map_len(params); i++)
        rc = check_value(problems, self, be, params, i, *problem);
    return rc;
}

LP_API lp_value *lp_trainer_check_config(lp_obj *self, const lp_trainer_backend *be)
{
    lp_value *problems = lp_value_list();
    if (!problems) return NULL;
    lp_problem problem;
    lp_value *params = NULL;
    int rc = 0;
    bool problem_known = lp_trainer_problem(self, &problem) == 0;
    if (!problem_known) rc = lp_kit_check_add_error(problems);
    if (rc == 0 && lp_trainer_params(&params, self, NULL)) rc = lp_kit_check_add_error(problems);
    if (rc == 0 && params)
        rc = check_names_and_values(problems, self, be, params, problem_known ? &problem : NULL);
    if (rc == 0) rc = check_parents(problems, self);
    lp_value_unref(params);
    if (rc) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

LP_API lp_value *lp_trainer_check_params(lp_obj *self, const lp_trainer_backend *be, lp_value *args)
{
    const lp_value *params = lp_map_get(args, "params");
    if (lp_value_type(params) != LP_MAP) {
        lp_error_set(LP_EINVAL, "%s (%s): check_params needs params, a map of training parameters",
                     be->cls, lp_trainer_path(self));
        return NULL;
    }
    lp_value *problems = lp_value_list();
    lp_problem problem;
    /* problem_type's own mistakes are check_config's to report */
    bool problem_known = lp_trainer_problem(self, &problem) == 0;
    lp_error_clear();
    if (problems &&
        check_names_and_values(problems, self, be, params, problem_known ? &problem : NULL)) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

LP_API int lp_trainer_init(lp_obj *self, const lp_trainer_backend *be)
{
    lp_trainer *st = lp_obj_state(self);
    if (!be || be->size < offsetof(lp_trainer_backend, train) + sizeof be->train ||
        be->size > sizeof *be || !be->train)
        return lp_error_set(LP_EINVAL,
                            "%s: the trainer back-end descriptor has %zu bytes or no train "
                            "function; this lolpop reads lp_trainer_backend of %zu bytes with a "
                            "train function (rebuild the plugin against this lolpop's headers)",
                            lp_obj_class(self)->name, be ? be->size : 0, sizeof *be);
    st->be = be;
    lp_problem problem;
    lp_value *params = NULL;
    int rc = lp_trainer_problem(self, &problem);
    if (rc == 0) rc = lp_trainer_params(&params, self, NULL);
    if (rc == 0) rc = check_param_names(self, be, params);
    lp_value_unref(params);
    return rc;
}

LP_API void lp_trainer_fini(lp_obj *self)
{
    lp_trainer *st = lp_obj_state(self);
    lp_model_unref(st->model);
    lp_model_unref(st->ft_model);
    st->model = st->ft_model = NULL;
    lp_trainer_forget_proba(st);
    lp_trainer_forget_train_outputs(st);
}

LP_API lp_model *lp_trainer_model(lp_obj *self, const lp_value *args)
{
    lp_trainer *st = lp_obj_state(self);
    const lp_value *v = lp_map_get(args, "model");
    if (v && lp_value_type(v) != LP_NULL) {
        lp_model *m = lp_value_as_model(v);
        if (!m)
            lp_error_set(LP_EINVAL, "argument 'model' must be a model, got %s",
                         lp_vtype_name(lp_value_type(v)));
        return m;
    }
    if (!st->model)
        lp_error_set(LP_EWORKFLOW,
                     "%s (%s) has no model: call fit or load first, or pass a 'model' argument",
                     class_of(self), lp_trainer_path(self));
    return st->model;
}

void lp_trainer_set_ft_model(lp_obj *self, lp_model *m)
{
    lp_trainer *st = lp_obj_state(self);
    lp_model_unref(st->ft_model);
    st->ft_model = m ? lp_model_ref(m) : NULL;
}

/* ---- fit ----------------------------------------------------------------------------- */

/* splits[key] as a frame (borrowed); NULL without error when absent and optional. */
static int split_frame(lp_frame **out, const lp_value *splits, const char *key, bool required)
{
    const lp_value *v = lp_map_get(splits, key);
    *out = lp_value_as_frame(v);
    if (*out || (!v && !required)) return 0;
    return lp_error_set(LP_EINVAL, "splits.%s must be a data frame, got %s", key,
                        v ? lp_vtype_name(lp_value_type(v)) : "nothing");
}

typedef struct fit_frames {
    lp_frame *X_train, *y_train, *X_valid, *y_valid; /* borrowed from splits */
    lp_frame *Xt, *Xv;                               /* owned: what training sees */
} fit_frames;

static int read_splits(fit_frames *f, const lp_value *args)
{
    const lp_value *splits = lp_map_get(args, "splits");
    if (lp_value_type(splits) != LP_MAP)
        return lp_error_set(LP_EINVAL, "argument 'splits' must be a map of X_/y_ frames, got %s",
                            splits ? lp_vtype_name(lp_value_type(splits)) : "nothing");
    int rc = split_frame(&f->X_train, splits, "X_train", true);
    if (rc == 0) rc = split_frame(&f->y_train, splits, "y_train", true);
    if (rc == 0) rc = split_frame(&f->X_valid, splits, "X_valid", false);
    if (rc == 0) rc = split_frame(&f->y_valid, splits, "y_valid", false);
    if (rc == 0 && !f->X_valid != !f->y_valid)
        rc = lp_error_set(LP_EINVAL, "splits has %s but not %s", f->X_valid ? "X_valid" : "y_valid",
                          f->X_valid ? "y_valid" : "X_valid");
    if (rc == 0 && lp_frame_cols(f->y_train) != 1)
        rc = lp_error_set(LP_EINVAL, "splits.y_train must have one column (the target), it has %zu",
                          lp_frame_cols(f->y_train));
    return rc;
}

int lp_trainer_transform(lp_frame **out, lp_obj *ft, lp_frame *X)
{
    lp_value *xv = lp_value_frame(X);
    lp_value *r = xv ? lp_feature_transformer_transform(ft, xv) : NULL;
    lp_value_unref(xv);
    if (!r) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_frame *f = lp_value_as_frame(r);
    if (!f) {
        lp_value_unref(r);
        return lp_error_set(LP_EINVAL, "feature_transformer %s.transform returned %s, not a frame",
                            lp_obj_class(ft)->name, lp_vtype_name(lp_value_type(r)));
    }
    *out = lp_frame_ref(f);
    lp_value_unref(r);
    return 0;
}

/* Fits the visible feature_transformer on the training split and transforms
 * the training and validation features with it. */
static int fit_transformer(lp_obj *ft, fit_frames *f)
{
    lp_value *xv = lp_value_frame(f->X_train), *yv = lp_value_frame(f->y_train);
    int rc = xv && yv ? lp_feature_transformer_fit(ft, xv, yv) : LP_ENOMEM;
    lp_value_unref(xv);
    lp_value_unref(yv);
    if (rc == 0) rc = lp_trainer_transform(&f->Xt, ft, f->X_train);
    if (rc == 0 && f->X_valid) rc = lp_trainer_transform(&f->Xv, ft, f->X_valid);
    return rc;
}

/* The transformer's saved state and class name, attached to m. */
static int attach_transformer(lp_model *m, lp_obj *ft)
{
    lp_value *data = lp_feature_transformer_save(ft);
    if (!data) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    int rc = 0;
    const char *cls = lp_obj_class(ft)->name;
    if (lp_value_type(data) != LP_STRING)
        rc = lp_error_set(LP_EINVAL, "feature_transformer %s.save returned %s, not bytes", cls,
                          lp_vtype_name(lp_value_type(data)));
    if (rc == 0)
        rc = lp_model_set_attachment(m, LP_FT_STATE_KEY, (const uint8_t *)lp_value_as_string(data),
                                     lp_value_string_len(data));
    if (rc == 0)
        rc = lp_model_set_attachment(m, LP_FT_CLASS_KEY, (const uint8_t *)cls, strlen(cls));
    lp_value_unref(data);
    return rc;
}

static int train_model(lp_model **out, lp_obj *self, fit_frames *f, const lp_value *args)
{
    lp_trainer *st = lp_obj_state(self);
    lp_problem problem;
    lp_value *params = NULL;
    int rc = lp_trainer_problem(self, &problem);
    if (rc == 0) rc = lp_trainer_params(&params, self, lp_map_get(args, "params"));
    if (rc == 0) rc = check_param_names(self, st->be, params);
    if (rc == 0 && st->be->resolve) rc = st->be->resolve(self, params, problem, f->y_train);
    lp_obj *ft = rc == 0 ? lp_obj_component(self, "feature_transformer") : NULL;
    if (ft) {
        rc = fit_transformer(ft, f);
    } else if (rc == 0) {
        f->Xt = lp_frame_ref(f->X_train);
        f->Xv = f->X_valid ? lp_frame_ref(f->X_valid) : NULL;
    }
    lp_trainer_data d = {f->Xt, f->y_train, f->Xv, f->y_valid, NULL};
    if (rc == 0) rc = st->be->train(out, self, &d, params);
    lp_trainer_forget_train_outputs(st);
    if (rc == 0 && d.train_outputs) {
        st->train_model = lp_model_ref(*out);
        st->train_X = lp_frame_ref(f->X_train);
        st->train_outputs = d.train_outputs;
    } else {
        free(d.train_outputs);
    }
    if (rc == 0 && ft && (rc = attach_transformer(*out, ft)) != 0) {
        lp_model_unref(*out);
        *out = NULL;
    }
    if (rc == 0) lp_trainer_set_ft_model(self, ft ? *out : NULL);
    lp_value_unref(params);
    return rc;
}

/* fit(splits, params?) -> model: trains on X_train/y_train (X_valid/y_valid
 * when present); params (a map) overrides training_params key by key. */
LP_API lp_value *lp_trainer_fit(lp_obj *self, lp_value *args)
{
    lp_trainer *st = lp_obj_state(self);
    fit_frames f = {0};
    lp_model *m = NULL;
    int rc = read_splits(&f, args);
    if (rc == 0) rc = train_model(&m, self, &f, args);
    if (f.Xt) lp_frame_unref(f.Xt);
    if (f.Xv) lp_frame_unref(f.Xv);
    lp_value *v = rc == 0 ? lp_value_model(m) : NULL;
    if (v) {
        lp_model_unref(st->model);
        st->model = lp_model_ref(m);
        lp_log(self, LP_LOG_DEBUG, "trained %s", lp_model_backend(m));
    }
    lp_model_unref(m);
    return v;
}

/* ---- save and load ----------------------------------------------------------------- */

static const char *path_arg(const lp_value *args)
{
    const char *p = lp_value_as_string(lp_map_get(args, "path"));
    if (!p || !*p) lp_error_set(LP_EINVAL, "argument 'path' must be a file path");
    return p && *p ? p : NULL;
}

/* save(path): the model's bytes (lp_model_save) written atomically. */
LP_API lp_value *lp_trainer_save(lp_obj *self, lp_value *args)
{
    const char *path = path_arg(args);
    lp_model *m = path ? lp_trainer_model(self, args) : NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!m || lp_model_save(&buf, &len, m)) return NULL;
    int rc = lp_file_write_atomic(path, buf, len);
    free(buf);
    if (rc) return NULL;
    lp_log(self, LP_LOG_DEBUG, "saved the model to %s (%zu bytes)", path, len);
    return lp_value_null();
}

static int read_file(uint8_t **out, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
        int rc = lp_error_set(LP_EIO, "cannot read the model file '%s': %s", path,
                              f ? "not a regular file" : strerror(errno));
        if (f) fclose(f);
        return rc;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    int rc = buf ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0 && fread(buf, 1, n, f) != n)
        rc = lp_error_set(LP_EIO, "cannot read the model file '%s': short read", path);
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* load(path): the model save wrote becomes the trainer's model. */
LP_API lp_value *lp_trainer_load(lp_obj *self, lp_value *args)
{
    lp_trainer *st = lp_obj_state(self);
    const char *path = path_arg(args);
    uint8_t *buf = NULL;
    size_t len = 0;
    lp_model *m = NULL;
    if (!path || read_file(&buf, &len, path)) return NULL;
    int rc = lp_model_load(&m, lp_workflow_registry(lp_obj_workflow(self)), buf, len);
    free(buf);
    if (rc) {
        lp_error_prefix("%s", path);
        return NULL;
    }
    lp_model_unref(st->model);
    st->model = m;
    lp_log(self, LP_LOG_DEBUG, "loaded a %s model from %s", lp_model_backend(m), path);
    return lp_value_null();
}
