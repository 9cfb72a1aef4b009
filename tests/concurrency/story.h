/*
 * story.h — what the store and the deployment directory must agree on after
 * concurrent runs, crashes and full disks (issue 15): the SQLite file is
 * intact, alias production == deployed_version == the version `current`
 * points to, every recorded deployment has its bundle, and (after a
 * read-write open marked dead runs) no run is left `running`. Reads the files directly (sqlite3,
 * readlink), not through lolpop.
 */
#ifndef LP_TEST_STORY_H
#define LP_TEST_STORY_H

#include <stdbool.h>
#include <stdint.h>

/* What the story checks found: the model's deployed version (0: none). */
typedef struct lp_story {
    int64_t deployed_id;      /* deployed_version tag, 0 when none */
    int64_t deployed_version; /* its version number */
    int64_t deployments;      /* deployment resources recorded */
    int64_t versions;         /* model versions recorded */
} lp_story;

/* Asserts the consistent story of model `model` in workflow directory `dir`
 * (store .lolpop/lolpop.db, bundles .lolpop/deployments/<model>); fails the
 * test naming the disagreement. */
lp_story lp_story_check(const char *dir, const char *model);

/* Asserts that no run of the store is left `running`. */
void lp_story_check_runs_ended(const char *dir);

/* The best perf_value tag among the model's versions (maximize) and the
 * deployed version's; NaN when absent. */
void lp_story_perf(const char *dir, const char *model, double *best, double *deployed);

/* Entries whose name starts with ".tmp-" in the model's bundle directory. */
int lp_story_temp_entries(const char *dir, const char *model);

#endif
