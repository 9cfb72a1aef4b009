/* unbundled.c — a data_transformer without bundle_info (it reads its source
 * as CSV, unchanged): a deployment bundle cannot redo it, so deploying a model
 * trained after it must be refused (tests/cli/test_predict.c). */
#include <lolpop/csv.h>
#include <lolpop/kit.h>
#include "test_plugin_common.h"

/* transform(source) -> the CSV file `source` as a frame. */
static lp_value *unbundled_transform(lp_obj *self, lp_value *args)
{
    (void)self;
    const char *path = lp_value_as_string(lp_map_get(args, "source"));
    lp_frame *f = NULL;
    if (!path) return lp_kit_fail(LP_EINVAL, "TestUnbundledTransformer: source must be a path");
    if (lp_csv_read(&f, path, NULL) != 0) return NULL;
    return lp_kit_frame(f);
}

static const lp_method methods[] = {
    {"transform", unbundled_transform, "transform(source) -> frame: the CSV file as it is"},
    {NULL, NULL, NULL},
};

static const lp_class unbundled_class = {
    .name = "TestUnbundledTransformer",
    .kind = LP_KIND_COMPONENT,
    .type = "data_transformer",
    .doc = "A data_transformer without bundle_info, from a test plugin.",
    .methods = methods,
};

static int unbundled_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &unbundled_class);
}

LP_PLUGIN_DEFINE("unbundled", "1.0.0", unbundled_init)
