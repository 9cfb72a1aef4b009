/*
 * report_files.c — a report's two files: the HTML and its JSON twin (the
 * same path with .json instead of .html), each written atomically.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "core/value_json.h"

int lp_prof_write_report(const char *path, const char *html, const lp_value *report)
{
    int rc = lp_file_write_atomic(path, html, strlen(html));
    if (rc) return rc;
    size_t n = strlen(path);
    char *json_path = n > 5 && strcmp(path + n - 5, ".html") == 0
                          ? lp_asprintf("%.*s.json", (int)(n - 5), path)
                          : lp_asprintf("%s.json", path);
    json_t *j = lp_json_from_value(report, 0);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    if (!json_path || !text)
        rc = lp_error_set(LP_ENOMEM, "out of memory writing the report's JSON");
    else
        rc = lp_file_write_atomic(json_path, text, strlen(text));
    free(json_path);
    free(text);
    return rc;
}
