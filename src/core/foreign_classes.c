/*
 * foreign_classes.c — the Python lolpop's classes and their counterparts
 * here (issue 11 Fix 15). docs/migrating.md's Components table says the same;
 * tests/unit/test_foreign_classes.c checks that they agree.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "foreign_classes.h"

#define LOCAL_TRANSFORMER_NOTE "its transformer_path .py becomes sql_file (SQL over table source)"

static const lp_foreign_class table[] = {
    {"MLFlowMetadataTracker", "LocalMetadataTracker", "mlflow_* keys become store:"},
    {"WandBMetadataTracker", "LocalMetadataTracker", NULL},
    {"ContinualMetadataTracker", "LocalMetadataTracker", NULL},
    {"MLFlowMetricsTracker", "LocalMetricsTracker", NULL},
    {"WandBMetricsTracker", "LocalMetricsTracker", NULL},
    {"ContinualMetricsTracker", "LocalMetricsTracker", NULL},
    {"dvcVersionControl", "LocalResourceVersionControl", "dvc_* keys become dir:"},
    {"MLFlowModelRepository", "LocalModelRepository", NULL},
    {"WandBModelRepository", "LocalModelRepository", NULL},
    {"ContinualModelRepository", "LocalModelRepository", NULL},
    {"SeldonModelDeployer", "LocalModelDeployer", NULL},
    {"MLFlowModelDeployer", "LocalModelDeployer", NULL},
    {"DuckDBDataConnector", "SQLiteDataConnector", NULL},
    {"SnowflakeDataConnector", NULL, NULL},
    {"BigQueryDataConnector", NULL, NULL},
    {"RedshiftDataConnector", NULL, NULL},
    {"DatabricksSQLDataConnector", NULL, NULL},
    {"S3DataConnector", NULL, NULL},
    {"GCSDataConnector", NULL, NULL},
    {"LocalDataTransformer", "SQLDataTransformer", LOCAL_TRANSFORMER_NOTE},
    {"dbtDataTransformer", "SQLDataTransformer", "the SQL text goes into sql_file"},
    {"DuckDBDataTransformer", "SQLDataTransformer", "the SQL text goes into sql_file"},
    {"SnowflakeDataTransformer", "SQLDataTransformer", "the SQL text goes into sql_file"},
    {"sklearnFeatureTransformer", "LocalFeatureTransformer", NULL},
    {"FeatureEngineFeatureTransformer", "LocalFeatureTransformer", NULL},
    {"sklearnModelTrainer", "LinearModelTrainer", "liblinear's logistic / linear regression"},
    {"ProphetModelTrainer", NULL, "forecasting is issue 13"},
    {"OptunaHyperparameterTuner", "TPEHyperparameterTuner", NULL},
    {"WandBHyperparameterTuner", "LocalHyperparameterTuner", NULL},
    {"YDataProfilingDataProfiler", "LocalDataProfiler", NULL},
    {"EvidentlyAIDataProfiler", "LocalDataProfiler", NULL},
    {"SweetvizDataProfiler", "LocalDataProfiler", NULL},
    {"PandasProfilingDataProfiler", "LocalDataProfiler", NULL},
    {"SDVDataSynthesizer", "GaussianCopulaDataSynthesizer", NULL},
    {"EvidentlyAIDataChecker", "LocalDataChecker", NULL},
    {"DeepchecksDataChecker", "LocalDataChecker", NULL},
    {"DeepchecksModelChecker", "LocalModelChecker", NULL},
    {"AlibiModelExplainer", "TreeSHAPModelExplainer", NULL},
    {"YellowbrickModelVisualizer", "LocalModelVisualizer", NULL},
    {"AIFairnessModelBiasChecker", NULL, NULL},
    {"OpenAIChatbot", NULL, NULL},
    {NULL, NULL, NULL},
};

const lp_foreign_class *lp_foreign_classes(void)
{
    return table;
}

const lp_foreign_class *lp_foreign_class_find(const char *name)
{
    for (const lp_foreign_class *f = table; name && f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

bool lp_foreign_is_base_class(const char *cls, const char *slot_type)
{
    if (!cls || !slot_type || strncmp(cls, "Base", 4) != 0) return false;
    const char *c = cls + 4;
    for (const char *s = slot_type; *s; s++) {
        if (*s == '_') continue;
        bool upper = s == slot_type || s[-1] == '_';
        char want = upper ? (char)toupper((unsigned char)*s) : *s;
        if (*c++ != want) return false;
    }
    return *c == '\0';
}

/* Drops the Base<Type> entries of one component: map, with a warning each. */
static int drop_in_block(lp_value *block, lp_diags *d, const char *section)
{
    for (size_t i = 0; i < lp_map_len(block);) {
        const char *slot = lp_map_key(block, i);
        const lp_value *v = lp_map_value(block, i);
        const char *cls = lp_value_as_string(v);
        if (!lp_foreign_is_base_class(cls, slot)) {
            i++;
            continue;
        }
        lp_diags_add(d, LP_SEV_WARNING, lp_value_origin(v), section,
                     "%s: the Python lolpop's way to switch slot '%s' off; here the slot is "
                     "left empty (docs/migrating.md)",
                     cls, slot);
        char *key = lp_strdup(slot);
        if (!key) return LP_ENOMEM;
        lp_map_remove(block, key);
        free(key);
    }
    return 0;
}

static int drop_walk(lp_value *v, lp_diags *d, lp_sb *path, int depth)
{
    int rc = 0;
    if (lp_value_type(v) != LP_MAP || depth > 256) return 0;
    for (size_t i = 0; rc == 0 && i < lp_map_len(v); i++) {
        const char *key = lp_map_key(v, i);
        lp_value *x = lp_map_value(v, i);
        if (strcasecmp(key, "component") == 0 && lp_value_type(x) == LP_MAP) {
            rc = drop_in_block(x, d, path->len ? path->buf : "");
            continue;
        }
        if (strcasecmp(key, "tests") == 0 || strcasecmp(key, "config") == 0) continue;
        size_t len = path->len;
        lp_config_path_push(path, key);
        rc = drop_walk(x, d, path, depth + 1);
        lp_config_path_pop(path, len);
    }
    return rc;
}

int lp_config_drop_base_slots(lp_value *doc, lp_diags *d)
{
    lp_sb path = {0};
    int rc = drop_walk(doc, d, &path, 0);
    lp_sb_free(&path);
    return rc ? lp_error_set(LP_ENOMEM, "out of memory") : 0;
}
