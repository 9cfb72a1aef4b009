/*
 * contracts.c — the contracts the skeletons of `lolpop create` come from:
 * every component type of SPEC §5 and pipeline type of §6.1, with each
 * method's arguments (name, meaning, the example's sample value, whether
 * optional) and result (names, and the shape the generated test checks).
 *
 * The table is src/core/builtin_types.def, the one the core's
 * lp_builtin_types is made of too; argument and result names equal the
 * contract headers (include/lolpop/types/, one header per type), which
 * tests/unit/test_scaffold.c checks.
 *
 * Sample values are YAML text of StepRunner arguments: expressions over
 * `data` (data.sample is examples/data/sample.csv, paths.sample its path),
 * `steps` (results of
 * earlier steps: the class's own methods by name, or the fixtures below) and
 * `config`. A string literal is "'text'".
 */
#include <stddef.h>
#include <string.h>

#include "cli/scaffold/scaffold.h"

#define A(name, doc, sample)                                                                       \
    {                                                                                              \
        name, doc, sample, false                                                                   \
    }
#define OPT(name, doc, sample)                                                                     \
    {                                                                                              \
        name, doc, sample, true                                                                    \
    }
#define ARGS(...) ((const scaffold_arg[]){__VA_ARGS__, {NULL, NULL, NULL, false}})
#define NOARGS    ((const scaffold_arg[]){{NULL, NULL, NULL, false}})
#define M(...)                                                                                     \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define REQUIRED(...) ((const scaffold_method[]){__VA_ARGS__, {NULL, NULL, NULL, NULL, NULL}})
#define OPTIONAL(...) ((const scaffold_method[]){__VA_ARGS__, {NULL, NULL, NULL, NULL, NULL}})
#define NO_OPTIONAL   ((const scaffold_method[]){{NULL, NULL, NULL, NULL, NULL}})
#define LP_CONTRACT(kind_, type_, doc_, required_, optional_)                                      \
    {type_, LP_KIND_##kind_, required_, optional_},

const scaffold_fixture scaffold_fixtures[] = {
    {"splits", "data_splitter", "split_data", "{frame: data.sample}", "LocalDataSplitter"},
    {"model", "model_trainer", "fit", "{splits: steps.splits}", "LinearModelTrainer"},
    {"dataset", "metadata_tracker", "create_resource",
     "{id: \"'sample'\", type: \"'dataset'\", parent: null}", NULL},
    {"dataset_version", "metadata_tracker", "create_resource",
     "{id: null, type: \"'dataset_version'\", parent: steps.dataset}", NULL},
    {"model_resource", "metadata_tracker", "create_resource",
     "{id: \"'example_model'\", type: \"'model'\", parent: null}", NULL},
    {"model_version", "metadata_tracker", "create_resource",
     "{id: null, type: \"'model_version'\", parent: steps.model_resource}", NULL},
    {"experiment", "metadata_tracker", "create_resource",
     "{id: null, type: \"'experiment'\", parent: steps.model_version}", NULL},
    {"promotion", "metadata_tracker", "create_resource",
     "{id: null, type: \"'promotion'\", parent: steps.model_version}", NULL},
    {"prediction_job", "metadata_tracker", "create_resource",
     "{id: null, type: \"'prediction_job'\", parent: steps.model_version}", NULL},
    {"vc_model", "resource_version_control", "version_model",
     "{experiment: steps.experiment, model: steps.model}", "LocalResourceVersionControl"},
    {NULL, NULL, NULL, NULL, NULL},
};

const scaffold_contract scaffold_contracts[] = {
#include "core/builtin_types.def"
    {NULL, LP_KIND_COMPONENT, NULL, NULL},
};

char *scaffold_signature(const scaffold_method *m)
{
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "%s(", m->name);
    for (const scaffold_arg *a = m->args; a->name; a++)
        lp_sb_appendf(&sb, "%s%s%s", a == m->args ? "" : ", ", a->name, a->optional ? "?" : "");
    lp_sb_appendf(&sb, ")%s%s", m->result ? " -> " : "", m->result ? m->result : "");
    return lp_sb_take(&sb);
}

const scaffold_contract *scaffold_contract_find(const char *type)
{
    for (const scaffold_contract *c = scaffold_contracts; type && c->type; c++)
        if (strcmp(c->type, type) == 0) return c;
    return NULL;
}
