/*
 * test_model_repository.c — LocalModelRepository and LocalModelDeployer with
 * the real LocalMetadataTracker (a store in a temp directory) and
 * LocalResourceVersionControl, all through the dispatcher: registration,
 * promotion and aliases, approval (by hand and automatic), the refusal of an
 * unapproved version, the bundle (files, model.lpm predicting like the
 * original, schema and metadata, the `current` symlink, no temp directory left,
 * atomic redeployment) and what the store records.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/model_deployer.h"
#include "lolpop/types/model_repository.h"
#include "lolpop/types/resource_version_control.h"
#include "ml/linear.h"
#include "unit_workflow.h"

/* The workflow's components. */
static lp_obj *tracker, *rvc, *repo, *deployer;

static void setup(void)
{
    uw_tmpdir("repo", true);
    uw_setup();
}

TestSuite(model_repository, .init = setup, .fini = uw_teardown);

/* ---- helpers ------------------------------------------------------------------- */

/* A workflow with the four components (and a metrics_tracker when `metrics`);
 * `config` goes into the runner's config. */
static void open_workflow_with(const char *config, bool metrics)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component:\n"
             "  metadata_tracker: LocalMetadataTracker\n%s"
             "  resource_version_control: LocalResourceVersionControl\n"
             "  model_repository: LocalModelRepository\n"
             "  model_deployer: LocalModelDeployer\n"
             "metadata_tracker: {config: {store: db/lolpop.db}}\n"
             "resource_version_control: {config: {dir: vc}}\n"
             "model_deployer: {config: {deploy_dir: deploy}}\n"
             "config: {%s}\n",
             metrics ? "  metrics_tracker: LocalMetricsTracker\n" : "", config ? config : "");
    lp_obj *root = uw_build(0, yaml, NULL);
    tracker = lp_obj_component(root, "metadata_tracker");
    rvc = lp_obj_component(root, "resource_version_control");
    repo = lp_obj_component(root, "model_repository");
    deployer = lp_obj_component(root, "model_deployer");
    cr_assert(tracker && rvc && repo && deployer);
}

static void open_workflow(const char *config)
{
    open_workflow_with(config, false);
}

static lp_value *ok(lp_value *v)
{
    cr_assert_not_null(v, "%s", lp_error_last()->message);
    return v;
}

static lp_value *frame_value(const char *csv)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

/* A logistic model on x1, x2 predicting yes/no (C differs per version, so
 * versions predict differently), and its training features. */
static lp_value *trained_model(double C, lp_frame **X_out)
{
    lp_value *data = frame_value("x1,x2,y\n"
                                 "0.1,1.0,no\n0.4,0.8,no\n0.35,0.9,no\n0.2,0.1,yes\n"
                                 "0.9,0.3,yes\n0.8,0.2,yes\n0.7,0.7,no\n0.6,0.1,yes\n");
    lp_frame *f = lp_value_as_frame(data), *X = NULL, *y = NULL;
    const char *target[] = {"y"};
    cr_assert_eq(lp_frame_drop(&X, f, target, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, target, 1), 0);
    lp_value *params = lp_map_put(lp_value_map(), "C", lp_value_float(C));
    lp_model *m = NULL;
    cr_assert_eq(lp_linear_train(&m, X, y, params), 0, "%s", lp_error_last()->message);
    lp_value *v = lp_value_model(m);
    lp_model_unref(m);
    lp_value_unref(params);
    lp_frame_unref(y);
    lp_value_unref(data);
    if (X_out)
        *X_out = X;
    else
        lp_frame_unref(X);
    return v;
}

/* A new version of model `name` with one winning experiment (*exp_out when
 * not NULL) whose model is `model`, versioned and registered as OfflineTrain
 * does. */
static lp_value *new_version_exp(const char *name, lp_value *model, lp_value **exp_out)
{
    lp_value *root = ok(lp_metadata_tracker_create_resource(tracker, name, "model", NULL));
    lp_value *mv = ok(lp_metadata_tracker_create_resource(tracker, NULL, "model_version", root));
    lp_value *exp = ok(lp_metadata_tracker_create_resource(tracker, NULL, "experiment", mv));
    lp_value *vc = ok(lp_resource_version_control_version_model(rvc, exp, model));
    lp_value_unref(ok(lp_metadata_tracker_register_vc_resource(tracker, exp, vc, "model")));
    lp_value *yes = lp_value_bool(true), *trainer = lp_value_string("LinearModelTrainer");
    lp_value *params = lp_map_put(lp_value_map(), "C", lp_value_float(0.5));
    cr_assert_eq(lp_metadata_tracker_log_tag(tracker, exp, "winner", yes), 0);
    cr_assert_eq(lp_metadata_tracker_log_tag(tracker, exp, "trainer", trainer), 0);
    cr_assert_eq(lp_metadata_tracker_log_tag(tracker, exp, "params", params), 0);
    lp_value_unref(yes);
    lp_value_unref(trainer);
    lp_value_unref(params);
    lp_value_unref(vc);
    if (exp_out)
        *exp_out = exp;
    else
        lp_value_unref(exp);
    lp_value_unref(root);
    return mv;
}

static lp_value *new_version(const char *name, lp_value *model)
{
    return new_version_exp(name, model, NULL);
}

static int64_t id_of(const lp_value *resource)
{
    const lp_value *id = lp_map_get(resource, "id");
    cr_assert_eq(lp_value_type(id), LP_INT, "resource without an int id");
    return lp_value_as_int(id);
}

static lp_value *model_of(const char *name)
{
    lp_value *m = ok(lp_metadata_tracker_get_resource(tracker, name, "model"));
    cr_assert_eq(lp_value_type(m), LP_MAP, "model %s not found", name);
    return m;
}

/* The tag's value (new reference). */
static lp_value *tag(lp_value *resource, const char *key)
{
    return ok(lp_metadata_tracker_get_tag(tracker, resource, key));
}

static void assert_tag_int(lp_value *resource, const char *key, int64_t expect)
{
    lp_value *v = tag(resource, key);
    cr_assert_eq(lp_value_type(v), LP_INT, "tag %s is %s", key, lp_vtype_name(lp_value_type(v)));
    cr_assert_eq(lp_value_as_int(v), expect, "tag %s", key);
    lp_value_unref(v);
}

static void assert_tag_bool(lp_value *resource, const char *key, bool expect)
{
    lp_value *v = tag(resource, key);
    cr_assert_eq(lp_value_type(v), LP_BOOL, "tag %s is %s", key, lp_vtype_name(lp_value_type(v)));
    cr_assert_eq(lp_value_as_bool(v), expect, "tag %s", key);
    lp_value_unref(v);
}

static lp_value *alias(const char *model, const char *name)
{
    return ok(lp_call_with(repo, "get_alias", "model", lp_value_string(model), "alias",
                           lp_value_string(name), (const char *)NULL));
}

/* register + promote: the promotion. */
static lp_value *promote(lp_value *mv, lp_value *model)
{
    lp_value *reg_model = ok(lp_model_repository_register_model(repo, mv, model));
    lp_value *promo = ok(lp_model_repository_promote_model(repo, mv, reg_model));
    lp_value_unref(reg_model);
    return promo;
}

static void assert_error(lp_value *result, int code, const char *needle)
{
    cr_assert_null(result, "expected an error containing '%s'", needle);
    cr_assert_eq(lp_error_last()->code, code, "code %d, message: %s", lp_error_last()->code,
                 lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, needle), "'%s' lacks '%s'", lp_error_last()->message,
              needle);
}

/* ---- the repository ---------------------------------------------------------------- */

Test(model_repository, register_and_promote)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);

    lp_value *r = ok(lp_model_repository_register_model(repo, mv, model));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "name")), "titanic");
    cr_assert_eq(lp_value_as_int(lp_map_get(r, "version")), 1);
    cr_assert(lp_value_as_bool(lp_map_get(r, "registered")));
    cr_assert_eq(id_of(lp_map_get(r, "model_version")), id_of(mv));
    assert_tag_bool(mv, "registered", true);

    lp_value *staging = alias("titanic", "staging");
    cr_assert_eq(lp_value_type(staging), LP_NULL, "no alias before promotion");
    lp_value_unref(staging);

    lp_value *promo = ok(lp_model_repository_promote_model(repo, mv, r));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(promo, "type")), "promotion");
    cr_assert_eq(lp_value_as_int(lp_map_get(promo, "parent")), id_of(mv));
    cr_assert_eq(lp_value_as_int(lp_map_get(promo, "version")), 1);
    cr_assert_eq(id_of(lp_map_get(promo, "model_version")), id_of(mv));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(promo, "alias")), "staging");
    lp_value *root = model_of("titanic");
    assert_tag_int(root, "alias.staging", id_of(mv));
    staging = alias("titanic", "staging");
    cr_assert_eq(lp_value_as_int(staging), id_of(mv));
    lp_value_unref(staging);
    lp_value *prod = alias("titanic", "production");
    cr_assert_eq(lp_value_type(prod), LP_NULL);
    lp_value_unref(prod);
    /* an unknown model has no aliases */
    lp_value *none = alias("nothing", "staging");
    cr_assert_eq(lp_value_type(none), LP_NULL);
    lp_value_unref(none);

    /* the promotion is a resource of the store, under the version */
    char uri[128];
    snprintf(uri, sizeof uri, "%s", lp_value_as_string(lp_map_get(promo, "uri")));
    cr_assert_str_eq(uri, "model/titanic/v1/promotion/1");
    lp_value *again = ok(lp_metadata_tracker_get_resource(tracker, uri, "promotion"));
    cr_assert_eq(id_of(again), id_of(promo));

    lp_value_unref(again);
    lp_value_unref(root);
    lp_value_unref(promo);
    lp_value_unref(r);
    lp_value_unref(mv);
    lp_value_unref(model);
}

Test(model_repository, approval_by_hand)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);
    lp_value *promo = promote(mv, model);

    lp_value *approved = ok(lp_model_repository_check_approval(repo, promo));
    cr_assert_eq(lp_value_type(approved), LP_BOOL);
    cr_assert_not(lp_value_as_bool(approved), "not approved by default");
    lp_value_unref(approved);
    lp_value *prod = alias("titanic", "production");
    cr_assert_eq(lp_value_type(prod), LP_NULL);
    lp_value_unref(prod);

    lp_value *approval = ok(lp_model_repository_approve_model(repo, promo));
    cr_assert(lp_value_as_bool(lp_map_get(approval, "approved")));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(approval, "alias")), "production");
    cr_assert_eq(id_of(lp_map_get(approval, "model_version")), id_of(mv));
    cr_assert_eq(lp_value_as_int(lp_map_get(approval, "promotion")), id_of(promo));
    assert_tag_bool(mv, "approved", true);
    approved = ok(lp_model_repository_check_approval(repo, promo));
    cr_assert(lp_value_as_bool(approved));
    lp_value_unref(approved);
    prod = alias("titanic", "production");
    cr_assert_eq(lp_value_as_int(prod), id_of(mv));
    lp_value_unref(prod);

    /* a second version takes staging; production stays until approved */
    lp_value *mv2 = new_version("titanic", model);
    cr_assert_eq(lp_value_as_int(lp_map_get(mv2, "version")), 2);
    lp_value *promo2 = promote(mv2, model);
    lp_value *staging = alias("titanic", "staging");
    cr_assert_eq(lp_value_as_int(staging), id_of(mv2));
    lp_value_unref(staging);
    prod = alias("titanic", "production");
    cr_assert_eq(lp_value_as_int(prod), id_of(mv));
    lp_value_unref(prod);
    approved = ok(lp_model_repository_check_approval(repo, promo2));
    cr_assert_not(lp_value_as_bool(approved), "approval is per version");
    lp_value_unref(approved);

    lp_value_unref(promo2);
    lp_value_unref(mv2);
    lp_value_unref(approval);
    lp_value_unref(promo);
    lp_value_unref(mv);
    lp_value_unref(model);
}

Test(model_repository, auto_approval)
{
    open_workflow("auto_approve_models: true");
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);
    lp_value *promo = promote(mv, model);
    lp_value *before = tag(mv, "approved");
    cr_assert_eq(lp_value_type(before), LP_NULL);
    lp_value_unref(before);
    lp_value *approved = ok(lp_model_repository_check_approval(repo, promo));
    cr_assert(lp_value_as_bool(approved));
    lp_value_unref(approved);
    assert_tag_bool(mv, "approved", true);
    lp_value_unref(promo);
    lp_value_unref(mv);
    lp_value_unref(model);
}

Test(model_repository, resources_by_id_and_uri)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);
    /* the version by id, and by uri */
    lp_value *id = lp_value_int(id_of(mv)), *uri = lp_value_string("model/titanic/v1");
    lp_value *r1 = ok(lp_model_repository_register_model(repo, id, model));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r1, "name")), "titanic");
    lp_value *r2 = ok(lp_model_repository_register_model(repo, uri, model));
    cr_assert_eq(lp_value_as_int(lp_map_get(r2, "version")), 1);
    /* a promotion resource without the model_version key: its parent */
    lp_value *promo = ok(lp_model_repository_promote_model(repo, mv, r1));
    lp_value *bare = lp_value_copy(promo);
    lp_map_remove(bare, "model_version");
    lp_value *approval = ok(lp_model_repository_approve_model(repo, bare));
    cr_assert_eq(id_of(lp_map_get(approval, "model_version")), id_of(mv));

    lp_value *missing = lp_value_string("model/titanic/v9");
    assert_error(lp_model_repository_register_model(repo, missing, model), LP_ENOTFOUND,
                 "model/titanic/v9");
    lp_value *root = model_of("titanic");
    assert_error(lp_model_repository_register_model(repo, root, model), LP_EINVAL,
                 "is a model model/titanic, not a model_version");
    lp_value *num = lp_value_float(1.5);
    assert_error(lp_model_repository_register_model(repo, num, model), LP_EINVAL,
                 "argument 'model_version' must be a model_version resource");
    assert_error(lp_model_repository_check_approval(repo, num), LP_EINVAL,
                 "argument 'promotion' must be what promote_model returned");

    lp_value_unref(num);
    lp_value_unref(root);
    lp_value_unref(missing);
    lp_value_unref(approval);
    lp_value_unref(bare);
    lp_value_unref(promo);
    lp_value_unref(r1);
    lp_value_unref(r2);
    lp_value_unref(id);
    lp_value_unref(uri);
    lp_value_unref(mv);
    lp_value_unref(model);
}

/* ---- the deployer ---------------------------------------------------------------------- */

/* Entries of dir (sorted, joined by spaces) into buf. */
static void list_dir(const char *dir, char *buf, size_t size)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    cr_assert_geq(n, 0, "cannot list %s", dir);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (buf[0]) strncat(buf, " ", size - strlen(buf) - 1);
            strncat(buf, names[i]->d_name, size - strlen(buf) - 1);
        }
        free(names[i]);
    }
    free(names);
}

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    return j;
}

static lp_model *load_bundle_model(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    cr_assert_gt(len, 0);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, uw_registry(), buf, len), 0, "%s", lp_error_last()->message);
    return m;
}

static void assert_same_predictions(lp_model *a, lp_model *b, lp_frame *X)
{
    double *pa = NULL, *pb = NULL;
    cr_assert_eq(lp_model_predict_raw(&pa, a, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_raw(&pb, b, X), 0, "%s", lp_error_last()->message);
    size_t n = lp_frame_rows(X) * lp_model_n_outputs(a);
    cr_assert_eq(n, 16);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(pa[i], pb[i], "output %zu: %.17g vs %.17g", i, pa[i], pb[i]);
    free(pa);
    free(pb);
}

Test(model_repository, unapproved_version_is_refused)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);
    lp_value *promo = promote(mv, model);
    assert_error(lp_model_deployer_deploy_model(deployer, promo, mv), LP_EINVAL,
                 "model version model/titanic/v1 is not approved");
    struct stat st;
    cr_assert_neq(stat("deploy/titanic", &st), 0, "nothing written");
    lp_value *root = model_of("titanic"), *deployed = tag(root, "deployed_version");
    cr_assert_eq(lp_value_type(deployed), LP_NULL);
    lp_value_unref(deployed);
    lp_value_unref(root);
    lp_value_unref(promo);
    lp_value_unref(mv);
    lp_value_unref(model);
}

Test(model_repository, deploy_writes_a_bundle)
{
    open_workflow(NULL);
    lp_frame *X = NULL;
    lp_value *model = trained_model(1.0, &X);
    lp_value *mv = new_version("titanic", model);
    lp_value *promo = promote(mv, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo)));

    lp_value *dep = ok(lp_model_deployer_deploy_model(deployer, promo, mv));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(dep, "path")), "deploy/titanic/v1");
    cr_assert_eq(id_of(lp_map_get(dep, "model_version")), id_of(mv));
    lp_value *resource = lp_map_get(dep, "deployment");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(resource, "type")), "deployment");
    cr_assert_eq(lp_value_as_int(lp_map_get(resource, "parent")), id_of(mv));
    lp_value *path_tag = tag(resource, "path");
    cr_assert_str_eq(lp_value_as_string(path_tag), "deploy/titanic/v1");
    lp_value_unref(path_tag);

    /* the files, and nothing else: no temp directory left */
    char names[512];
    list_dir("deploy/titanic", names, sizeof names);
    cr_assert_str_eq(names, "current v1");
    list_dir("deploy/titanic/v1", names, sizeof names);
    cr_assert_str_eq(names, "bundle.json input.json metadata.json model.lpm schema.json");
    char target[64] = {0};
    cr_assert_gt(readlink("deploy/titanic/current", target, sizeof target - 1), 0);
    cr_assert_str_eq(target, "v1");

    /* model.lpm predicts like the original, also through the symlink */
    lp_model *m = load_bundle_model("deploy/titanic/current/model.lpm");
    assert_same_predictions(lp_value_as_model(model), m, X);
    lp_model_unref(m);

    json_t *schema = load_json("deploy/titanic/v1/schema.json");
    cr_assert_str_eq(json_string_value(json_object_get(schema, "task")), "binary");
    json_t *target_j = json_object_get(schema, "target");
    cr_assert_str_eq(json_string_value(json_object_get(target_j, "name")), "y");
    cr_assert_str_eq(json_string_value(json_object_get(target_j, "dtype")), "string");
    json_t *classes = json_object_get(schema, "classes");
    cr_assert_eq(json_array_size(classes), 2);
    cr_assert_str_eq(json_string_value(json_array_get(classes, 0)), "no");
    cr_assert_str_eq(json_string_value(json_array_get(classes, 1)), "yes");
    json_t *features = json_object_get(schema, "features");
    cr_assert_eq(json_array_size(features), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(features, 1), "name")), "x2");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(features, 1), "dtype")),
                     "float64");
    cr_assert(json_is_null(json_object_get(schema, "feature_transformer")));
    json_decref(schema);

    json_t *meta = load_json("deploy/titanic/v1/metadata.json");
    cr_assert_str_eq(json_string_value(json_object_get(meta, "model_name")), "titanic");
    cr_assert_eq(json_integer_value(json_object_get(meta, "version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(meta, "model_version_id")), id_of(mv));
    cr_assert_str_eq(json_string_value(json_object_get(meta, "lolpop_version")), lp_version());
    cr_assert_str_eq(json_string_value(json_object_get(meta, "backend")), "liblinear");
    const char *run = json_string_value(json_object_get(meta, "run"));
    cr_assert(run && strlen(run) == 22, "run id %s", run ? run : "(null)");
    cr_assert_eq(strlen(json_string_value(json_object_get(meta, "model_sha256"))), 64);
    const char *created = json_string_value(json_object_get(meta, "created"));
    cr_assert(created && strlen(created) == 20 && created[19] == 'Z', "%s", created);
    json_t *exp = json_object_get(meta, "experiment");
    cr_assert_str_eq(json_string_value(json_object_get(exp, "trainer")), "LinearModelTrainer");
    cr_assert_eq(json_real_value(json_object_get(json_object_get(exp, "params"), "C")), 0.5);
    json_decref(meta);

    /* the store knows what is deployed */
    lp_value *root = model_of("titanic");
    assert_tag_int(root, "deployed_version", id_of(mv));
    lp_value *cur = ok(lp_metadata_tracker_get_currently_deployed_model_version(tracker, mv));
    cr_assert_eq(id_of(cur), id_of(mv));
    lp_value_unref(cur);
    lp_value_unref(root);

    lp_value_unref(dep);
    lp_value_unref(promo);
    lp_value_unref(mv);
    lp_value_unref(model);
    lp_frame_unref(X);
}

static lp_value *approve_and_deploy(lp_value *mv, lp_value *model)
{
    lp_value *promo = promote(mv, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo)));
    lp_value *dep = ok(lp_model_deployer_deploy_model(deployer, promo, mv));
    lp_value_unref(promo);
    return dep;
}

Test(model_repository, redeploy_and_new_version)
{
    open_workflow(NULL);
    lp_frame *X = NULL;
    lp_value *m1 = trained_model(1.0, &X), *m2 = trained_model(0.01, NULL);
    lp_value *mv1 = new_version("titanic", m1);
    lp_value_unref(approve_and_deploy(mv1, m1));
    /* a stray file in the old bundle shows that a redeployment replaces it whole */
    FILE *f = fopen("deploy/titanic/v1/stray", "w");
    cr_assert_not_null(f);
    fclose(f);
    lp_value_unref(approve_and_deploy(mv1, m1));
    char names[512];
    list_dir("deploy/titanic/v1", names, sizeof names);
    cr_assert_str_eq(names, "bundle.json input.json metadata.json model.lpm schema.json");
    list_dir("deploy/titanic", names, sizeof names);
    cr_assert_str_eq(names, "current v1");

    lp_value *mv2 = new_version("titanic", m2);
    lp_value *dep2 = approve_and_deploy(mv2, m2);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(dep2, "path")), "deploy/titanic/v2");
    list_dir("deploy/titanic", names, sizeof names);
    cr_assert_str_eq(names, "current v1 v2");
    char target[64] = {0};
    cr_assert_gt(readlink("deploy/titanic/current", target, sizeof target - 1), 0);
    cr_assert_str_eq(target, "v2");
    lp_model *b1 = load_bundle_model("deploy/titanic/v1/model.lpm");
    lp_model *b2 = load_bundle_model("deploy/titanic/current/model.lpm");
    assert_same_predictions(lp_value_as_model(m1), b1, X);
    assert_same_predictions(lp_value_as_model(m2), b2, X);
    double *p1 = NULL, *p2 = NULL;
    cr_assert_eq(lp_model_predict_raw(&p1, b1, X), 0);
    cr_assert_eq(lp_model_predict_raw(&p2, b2, X), 0);
    cr_assert_neq(p1[1], p2[1], "the two versions are different models");
    free(p1);
    free(p2);
    lp_model_unref(b1);
    lp_model_unref(b2);
    lp_value *root = model_of("titanic");
    assert_tag_int(root, "deployed_version", id_of(mv2));
    lp_value_unref(root);

    lp_value_unref(dep2);
    lp_value_unref(mv1);
    lp_value_unref(mv2);
    lp_value_unref(m1);
    lp_value_unref(m2);
    lp_frame_unref(X);
}

Test(model_repository, deploy_errors)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv1 = new_version("titanic", model), *mv2 = new_version("titanic", model);
    lp_value *promo1 = promote(mv1, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo1)));
    /* a promotion of another version */
    assert_error(lp_model_deployer_deploy_model(deployer, promo1, mv2), LP_EINVAL,
                 "the promotion is of model version");
    /* no model_version: the promotion's */
    lp_value *dep = ok(lp_model_deployer_deploy_model(deployer, promo1, NULL));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(dep, "path")), "deploy/titanic/v1");
    lp_value_unref(dep);

    /* a model name that cannot be a directory */
    lp_value *hidden = new_version(".hidden", model);
    lp_value *promo = promote(hidden, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo)));
    assert_error(lp_model_deployer_deploy_model(deployer, promo, hidden), LP_EINVAL,
                 "model name '.hidden' cannot name a bundle directory");
    lp_value_unref(promo);
    lp_value_unref(hidden);

    /* `current` taken by a directory: a clear error before anything is written or recorded */
    lp_value *mv3 = new_version("other", model);
    cr_assert_eq(mkdir("deploy/other", 0755), 0);
    cr_assert_eq(mkdir("deploy/other/current", 0755), 0);
    FILE *f = fopen("deploy/other/current/x", "w");
    cr_assert_not_null(f);
    fclose(f);
    promo = promote(mv3, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo)));
    assert_error(lp_model_deployer_deploy_model(deployer, promo, mv3), LP_EIO,
                 "'deploy/other/current' is a directory, not the symlink");
    char names[512];
    list_dir("deploy/other", names, sizeof names);
    cr_assert_str_eq(names, "current", "nothing written, no temp entry left: %s", names);
    lp_value *other = model_of("other"), *deployed = tag(other, "deployed_version");
    cr_assert_eq(lp_value_type(deployed), LP_NULL, "nothing recorded");
    lp_value_unref(deployed);
    lp_value_unref(other);
    lp_value_unref(promo);
    lp_value_unref(mv3);

    /* the bundle's place taken by a file: nothing written, no temp directory left */
    lp_value *mv4 = new_version("third", model);
    cr_assert_eq(mkdir("deploy/third", 0755), 0);
    f = fopen("deploy/third/v1", "w");
    cr_assert_not_null(f);
    fclose(f);
    promo = promote(mv4, model);
    lp_value_unref(ok(lp_model_repository_approve_model(repo, promo)));
    assert_error(lp_model_deployer_deploy_model(deployer, promo, mv4), LP_EIO,
                 "cannot move the bundle to 'deploy/third/v1'");
    list_dir("deploy/third", names, sizeof names);
    cr_assert_str_eq(names, "v1", "no temp entry left: %s", names);
    lp_value_unref(promo);
    lp_value_unref(mv4);

    lp_value_unref(promo1);
    lp_value_unref(mv1);
    lp_value_unref(mv2);
    lp_value_unref(model);
}

Test(model_repository, metadata_has_metrics_and_transformer)
{
    open_workflow_with("metrics: [f1, accuracy]", true);
    lp_obj *mt = lp_obj_component(uw_root(0), "metrics_tracker");
    cr_assert_not_null(mt);
    /* a model carrying a feature transformer, as the trainers attach it */
    lp_value *plain = trained_model(1.0, NULL);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_model_save(&bytes, &len, lp_value_as_model(plain)), 0);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, uw_registry(), bytes, len), 0);
    free(bytes);
    const char *cls = "LocalFeatureTransformer";
    cr_assert_eq(
        lp_model_set_attachment(m, "feature_transformer.class", (const uint8_t *)cls, strlen(cls)),
        0);
    cr_assert_eq(lp_model_set_attachment(m, "feature_transformer.state", (const uint8_t *)"{}", 2),
                 0);
    lp_value *model = lp_value_model(m);
    lp_model_unref(m);

    lp_value *exp = NULL;
    lp_value *mv = new_version_exp("titanic", model, &exp);
    lp_value *metrics = lp_value_map();
    lp_map_set(metrics, "train",
               lp_map_put(lp_map_put(lp_value_map(), "f1", lp_value_float(0.875)), "accuracy",
                          lp_value_float(0.75)));
    lp_map_set(metrics, "valid", lp_map_put(lp_value_map(), "f1", lp_value_float(0.625)));
    cr_assert_eq(lp_metrics_tracker_log_metrics(mt, exp, metrics, "f1"), 0, "%s",
                 lp_error_last()->message);
    lp_value *pm = lp_value_string("f1"), *pv = lp_value_float(0.625);
    cr_assert_eq(lp_metadata_tracker_log_tag(tracker, mv, "perf_metric", pm), 0);
    cr_assert_eq(lp_metadata_tracker_log_tag(tracker, mv, "perf_value", pv), 0);

    lp_value_unref(approve_and_deploy(mv, model));
    json_t *meta = load_json("deploy/titanic/current/metadata.json");
    cr_assert_str_eq(json_string_value(json_object_get(meta, "perf_metric")), "f1");
    cr_assert_eq(json_real_value(json_object_get(meta, "perf_value")), 0.625);
    json_t *got = json_object_get(json_object_get(meta, "experiment"), "metrics");
    cr_assert_eq(json_real_value(json_object_get(json_object_get(got, "train"), "f1")), 0.875);
    cr_assert_eq(json_real_value(json_object_get(json_object_get(got, "train"), "accuracy")), 0.75);
    cr_assert_eq(json_real_value(json_object_get(json_object_get(got, "valid"), "f1")), 0.625);
    cr_assert_null(json_object_get(json_object_get(got, "valid"), "accuracy"), "not logged");
    cr_assert_null(json_object_get(got, "test"), "no test split");
    json_decref(meta);
    json_t *schema = load_json("deploy/titanic/current/schema.json");
    cr_assert_str_eq(json_string_value(json_object_get(schema, "feature_transformer")), cls);
    json_decref(schema);
    /* the bundle's model keeps its attachments */
    lp_model *b = load_bundle_model("deploy/titanic/current/model.lpm");
    size_t alen = 0;
    const uint8_t *a = lp_model_attachment(b, "feature_transformer.class", &alen);
    cr_assert(a && alen == strlen(cls) && memcmp(a, cls, alen) == 0);
    lp_model_unref(b);

    lp_value_unref(pm);
    lp_value_unref(pv);
    lp_value_unref(metrics);
    lp_value_unref(exp);
    lp_value_unref(mv);
    lp_value_unref(model);
    lp_value_unref(plain);
}

/* ---- one story: approval without the alias, the deploy lock, the one-write record ------- */

Test(model_repository, approval_for_a_deployer_leaves_production_to_the_deployment)
{
    open_workflow(NULL);
    lp_value *model = trained_model(1.0, NULL);
    lp_value *mv = new_version("titanic", model);
    lp_value *promo = promote(mv, model);
    lp_value *approval =
        ok(lp_call_with(repo, "approve_model", "promotion", lp_value_ref(promo), "set_alias",
                        lp_value_bool(false), "who", lp_value_string("ann@box"), NULL));
    cr_assert_eq(lp_value_type(lp_map_get(approval, "alias")), LP_NULL);
    lp_value_unref(approval);
    assert_tag_bool(mv, "approved", true);
    lp_value *by = tag(mv, "approved_by"), *at = tag(mv, "approved_at");
    cr_assert_str_eq(lp_value_as_string(by), "ann@box");
    cr_assert(lp_value_as_float(at) > 1.7e9);
    lp_value_unref(by);
    lp_value_unref(at);
    lp_value *prod = alias("titanic", "production");
    cr_assert_eq(lp_value_type(prod), LP_NULL, "approval alone moves no alias");
    lp_value_unref(prod);

    /* the deployment moves production, deployed_version and current together */
    lp_value *dep =
        ok(lp_call_with(deployer, "deploy_model", "promotion", lp_value_ref(promo), "model_version",
                        lp_value_ref(mv), "action", lp_value_string("promote"), "who",
                        lp_value_string("bob@box"), NULL));
    prod = alias("titanic", "production");
    cr_assert_eq(lp_value_as_int(prod), id_of(mv));
    lp_value_unref(prod);
    lp_value *root = model_of("titanic");
    assert_tag_int(root, "deployed_version", id_of(mv));
    lp_value *d = lp_map_get(dep, "deployment");
    lp_value *action = tag(d, "action"), *who = tag(d, "who"), *path = tag(d, "path");
    cr_assert_str_eq(lp_value_as_string(action), "promote");
    cr_assert_str_eq(lp_value_as_string(who), "bob@box");
    cr_assert_str_eq(lp_value_as_string(path), "deploy/titanic/v1");
    char link[64] = {0};
    cr_assert_gt(readlink("deploy/titanic/current", link, sizeof link - 1), 0);
    cr_assert_str_eq(link, "v1");
    lp_value_unref(action);
    lp_value_unref(who);
    lp_value_unref(path);
    lp_value_unref(root);
    lp_value_unref(dep);
    lp_value_unref(promo);
    lp_value_unref(mv);
    lp_value_unref(model);
}

Test(model_repository, the_tracker_deploy_lock_is_reentrant_and_checked)
{
    open_workflow(NULL);
    lp_value *r =
        ok(lp_call_with(tracker, "lock_model", "model", lp_value_string("titanic"), NULL));
    cr_assert_eq(lp_value_as_int(lp_map_get(r, "depth")), 1);
    lp_value_unref(r);
    r = ok(lp_call_with(tracker, "lock_model", "model", lp_value_string("titanic"), NULL));
    cr_assert_eq(lp_value_as_int(lp_map_get(r, "depth")), 2, "re-entrant");
    lp_value_unref(r);
    struct stat st;
    cr_assert_eq(stat("db/locks/model-titanic.lock", &st), 0, "the lock file beside the store");
    lp_value_unref(
        ok(lp_call_with(tracker, "unlock_model", "model", lp_value_string("titanic"), NULL)));
    lp_value_unref(
        ok(lp_call_with(tracker, "unlock_model", "model", lp_value_string("titanic"), NULL)));
    assert_error(lp_call_with(tracker, "unlock_model", "model", lp_value_string("titanic"), NULL),
                 LP_EINVAL, "the deploy lock of model 'titanic' is not held");
    /* a lock still held at the end is released by fini (no leak, no hang) */
    lp_value_unref(
        ok(lp_call_with(tracker, "lock_model", "model", lp_value_string("other"), NULL)));
}
