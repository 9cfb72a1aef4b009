/*
 * input_columns.c — check_config's look at the data files' headers (issue 11
 * Fix 8): eval_data must have the columns the model is trained from, found
 * before training rather than when the eval data is scored.
 *
 * The columns train_data has, less the target and drop_columns, must be in
 * eval_data. With no data_transformer the columns go to the features as they
 * are, so a missing one is an error; with one, the transformer may derive or
 * ignore columns (SQL that selects a few), so it is a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/csv.h"
#include "lolpop/kit.h"
#include "lolpop/strbuf.h"
#include "runners/runners_internal.h"

#define HEADER_MAX ((size_t)1 << 20)

/* The header's columns of a CSV/TSV file as a frame without rows (new), or
 * NULL (no error kept: the readability check reports unreadable files). */
static lp_frame *header_of(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *line = malloc(HEADER_MAX);
    size_t n = 0;
    int ch;
    while (line && n + 1 < HEADER_MAX && (ch = fgetc(fp)) != EOF && ch != '\n')
        line[n++] = (char)ch;
    fclose(fp);
    lp_frame *f = NULL;
    if (line && n > 0 && lp_csv_read_buffer(&f, line, n, path, NULL) != 0) {
        lp_error_clear();
        f = NULL;
    }
    free(line);
    return f;
}

/* Whether name is in the list of strings. */
static bool listed(const lp_value *list, const char *name)
{
    for (size_t i = 0; i < lp_list_len(list); i++) {
        const char *s = lp_value_as_string(lp_list_get(list, i));
        if (s && strcmp(s, name) == 0) return true;
    }
    return false;
}

/* Whether the data_transformer (process's, or the runner's own) may derive
 * columns that the files do not have. */
static bool has_transformer(lp_obj *self)
{
    lp_obj *process = lp_obj_pipeline(self, "process");
    return lp_obj_component(process ? process : self, "data_transformer") != NULL;
}

/* A problem when model_target is not a column of train_data's header th: an
 * error without a data_transformer (the closest name suggested), else a
 * warning. *absent tells the caller not to blame eval_data for the target
 * column it then cannot tell apart. 0 or LP_ENOMEM. */
static int check_target_column(lp_obj *self, lp_value *problems, const lp_frame *th,
                               const char *target, const char *train_path, bool *absent)
{
    *absent = target && lp_frame_find(th, target) < 0;
    if (!*absent) return 0;
    const char *names[256];
    size_t n = 0;
    for (size_t j = 0; j < lp_frame_cols(th) && n < 256; j++)
        names[n++] = lp_frame_name(th, j);
    const char *close = lp_suggest(target, names, n);
    bool derived = has_transformer(self);
    lp_value *at = lp_obj_config(self, "model_target");
    int rc =
        lp_kit_check_add(problems, derived ? LP_SEV_WARNING : LP_SEV_ERROR, at,
                         "model_target '%s' is not a column of train_data '%s'%s%s%s%s", target,
                         train_path, close ? " (did you mean '" : "", close ? close : "",
                         close ? "'?)" : "", derived ? ": the data_transformer must make it" : "");
    lp_value_unref(at);
    return rc;
}

int lp_runner_check_eval_columns(lp_obj *self, lp_value *problems)
{
    lp_value *train = lp_obj_config(self, "train_data"), *eval = lp_obj_config(self, "eval_data");
    lp_frame *th = lp_value_type(train) == LP_STRING ? header_of(lp_value_as_string(train)) : NULL;
    lp_frame *eh =
        th && lp_value_type(eval) == LP_STRING ? header_of(lp_value_as_string(eval)) : NULL;
    char *target = th ? lp_kit_config_string(self, "model_target", NULL) : NULL;
    lp_value *dropped = eh ? lp_kit_config_strings(self, "drop_columns") : NULL;
    if (eh && !dropped) lp_error_clear(); /* a bad drop_columns is reported by validation */
    bool target_absent = false;
    int rc = th ? check_target_column(self, problems, th, target, lp_value_as_string(train),
                                      &target_absent)
                : 0;
    lp_sb missing = {0};
    size_t count = 0;
    /* with the target misspelt, the real target would be blamed on eval_data */
    for (size_t j = 0; rc == 0 && !target_absent && eh && j < lp_frame_cols(th); j++) {
        const char *c = lp_frame_name(th, j);
        if ((target && strcmp(c, target) == 0) || listed(dropped, c) || lp_frame_find(eh, c) >= 0)
            continue;
        lp_sb_appendf(&missing, "%s'%s'", count++ ? ", " : "", c);
    }
    if (count) {
        bool derived = has_transformer(self);
        rc = lp_kit_check_add(
            problems, derived ? LP_SEV_WARNING : LP_SEV_ERROR, eval,
            "eval_data '%s' lacks column%s %s of train_data (not the target, not in "
            "drop_columns)%s",
            lp_value_as_string(eval), count == 1 ? "" : "s", missing.buf ? missing.buf : "",
            derived ? ": scoring fails unless the data_transformer does without them"
                    : ": the model is trained on them and scoring the eval data would fail");
    }
    lp_sb_free(&missing);
    lp_value_unref(dropped);
    free(target);
    if (eh) lp_frame_unref(eh);
    if (th) lp_frame_unref(th);
    lp_value_unref(train);
    lp_value_unref(eval);
    return rc;
}
