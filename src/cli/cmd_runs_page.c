/*
 * cmd_runs_page.c — `lolpop runs report RUN [-o FILE]`: the run's
 * self-contained HTML page and its JSON twin (src/runs/run_report.h).
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_runs.h"
#include "runs/run_report.h"

/* Whether the directory that would hold path exists and is writable; prints why not. */
static bool output_dir_ok(const char *path)
{
    char *copy = strdup(path);
    const char *dir = copy ? dirname(copy) : ".";
    struct stat sb;
    bool ok = copy && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && access(dir, W_OK) == 0;
    if (!ok)
        cli_error("cannot write the report to '%s': the directory '%s' %s", path, dir,
                  copy && stat(dir, &sb) != 0 ? "does not exist" : "is not writable");
    free(copy);
    return ok;
}

int runs_report(lp_store *st, const char *run_id, const char *output)
{
    char *dflt = output ? NULL : lp_asprintf("run-%s.html", run_id);
    const char *path = output ? output : dflt;
    int rc = CLI_FAIL;
    struct stat sb;
    if (!path) {
        cli_error("out of memory");
    } else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_error("cannot write the report to '%s': it is a directory (give a file name)", path);
    } else if (output_dir_ok(path)) {
        if (lp_run_report_write(st, run_id, path) == 0) {
            char *json = lp_run_report_json_path(path);
            printf("run report: %s (JSON: %s)\n", path, json ? json : "?");
            free(json);
            rc = CLI_OK;
        } else {
            cli_print_last_error();
        }
    }
    free(dflt);
    return rc;
}
